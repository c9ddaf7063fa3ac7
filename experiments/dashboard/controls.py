"""What the dashboard lets a user set, as Mesa's SolaraViz ``model_params``.

Each lever of the scenario gets a slider for its intensity (0 is exactly no lever) and a
select box for its start date; the main uncertain parameters get sliders from half to twice
their value in the scenario; the scale, the seed and the reference run have their own inputs.
The keys are :class:`~experiments.dashboard.paired.PairedModel` keyword arguments: dotted
scenario keys with ``__`` for the dots, as :class:`simulation.model.FraudModel` takes them.
Values that are not inputs (the scenario itself and the reference scenarios) are passed as
they are, so that SolaraViz's *Reset* builds the model again from the same scenario.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import types
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from experiments.dashboard.paired import NO_MEASURES
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError, ScenarioError

__all__ = [
    "DEFAULT_SCALE",
    "SCALES",
    "UNCERTAIN_PARAMETERS",
    "DashboardSetup",
    "initial_kwargs",
    "model_params",
    "value_at",
]

DEFAULT_SCALE = 1000
"""People per resident agent by default: coarse, so that a simulated month takes well under a
second for the pair of runs (benchmarks/dashboard.py), with about forty gangs."""

SCALES: tuple[int, ...] = (5000, 2000, 1000, 500, 200, 100)
"""Scales offered, people per agent: coarse (fast, lumpy) to fine (slow, smooth)."""

UNCERTAIN_PARAMETERS: dict[str, str] = {
    "gangs.contacts_per_operator_per_day": "Contacts/operator/day",
    "gangs.founding_rate_national_per_day": "New gangs a day",
    "police.p_crack_domestic": "Chance to crack",
    "gangs.ask_wealth_elasticity": "Ask vs savings",
}
"""The main uncertain parameters (fitted by ``fraudsim calibrate``) with their slider labels:
how much fraud gangs attempt, how fast new gangs replace those destroyed (national), how often
an investigation cracks a case against a domestic gang, and how far what a scam asks follows
the victim's savings (an elasticity). A slider's label shares its row with the slider, so
labels are short; the page lists the values in effect with their full keys."""

MAX_SEED = 99  # the seed slider's range starts at 0
LABEL_CHARS = 24  # a slider's label shares the sidebar's width with the slider
INTENSITY_STEP = 0.05


@dataclasses.dataclass(frozen=True)
class DashboardSetup:
    """What the dashboard starts with.

    Attributes:
        config: the scenario as loaded (its levers and parameters are the inputs' defaults).
        references: other scenarios offered as the reference run, by name.
        reference: the reference run at start: :data:`NO_MEASURES` or a key of ``references``.
        seed: the seed at start.
        scale: people per agent at start.
        parameters: dotted keys of the parameters to offer sliders for.
    """

    config: ScenarioConfig
    references: Mapping[str, ScenarioConfig] = dataclasses.field(default_factory=dict)
    reference: str = NO_MEASURES
    seed: int = 0
    scale: float = DEFAULT_SCALE
    parameters: Sequence[str] = tuple(UNCERTAIN_PARAMETERS)

    def __post_init__(self) -> None:
        """Refuse a reference that is not offered and a seed out of the slider's range."""
        if self.reference != NO_MEASURES and self.reference not in self.references:
            allowed = ", ".join([NO_MEASURES, *self.references])
            raise FraudsimError(
                f"the reference must be one of: {allowed}; given: {self.reference!r}"
            )
        if not 0 <= self.seed <= MAX_SEED:
            raise FraudsimError(f"the dashboard's seed must be 0 to {MAX_SEED}; given: {self.seed}")


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    day = dt.date(first.year, first.month, 1)
    out = []
    while day <= last:
        if day >= first:
            out.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def value_at(config: BaseModel, key: str) -> float:
    """The number a scenario holds at a dotted key (``police.p_crack_domestic``).

    Raises:
        FraudsimError: the key names no parameter, or one that is not a number.
    """
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, BaseModel) or part not in type(node).model_fields:
            raise FraudsimError(f"dashboard: {key!r} is not a parameter of the scenario")
        node = getattr(node, part)
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise FraudsimError(f"dashboard: {key!r} is not a numeric parameter (it holds {node!r})")
    return float(node)


def _parameter_slider(config: ScenarioConfig, key: str) -> dict[str, Any]:
    value = value_at(config, key)
    low, high = value / 2, value * 2
    try:  # a probability of 0.7 cannot double: keep the range inside what the scenario allows
        config.with_overrides({key: high}, "dashboard")
    except ScenarioError:
        high = value
    step = _nice_step((high - low) / 100) if high > low else 1.0
    label = UNCERTAIN_PARAMETERS.get(key) or key.rsplit(".", 1)[-1].replace("_", " ")
    return {
        "type": "SliderFloat",
        "label": label[:LABEL_CHARS],
        "value": value,
        "min": _round_to(low, step),
        "max": _round_to(high, step),
        "step": step,
    }


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, no smaller than ``raw``."""
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _round_to(value: float, step: float) -> float:
    return float(f"{round(value / step) * step:.12g}")


def model_params(setup: DashboardSetup) -> dict[str, Any]:
    """SolaraViz's ``model_params``: the inputs, in sidebar order, and the fixed values.

    Args:
        setup: the scenario and starting choices.

    Returns:
        Keyword argument of :class:`~experiments.dashboard.paired.PairedModel` to either a
        value passed as it is (``config``, ``references``) or the description of an input
        (``{"type": "SliderFloat", "label": ..., "value": ...}``, as Mesa's ``UserInputs``
        reads it).
    """
    config = setup.config
    run = config.run
    scales = sorted({*SCALES, int(setup.scale)}, reverse=True)
    params: dict[str, Any] = {
        "config": config,
        # Read-only, and not a dict: SolaraViz takes a dict with a "type" key for an input.
        "references": types.MappingProxyType(dict(setup.references)),
        "reference": {
            "type": "Select",
            "label": "Reference run (same seed)",
            "value": setup.reference,
            "values": [NO_MEASURES, *setup.references],
        },
        "rng": {
            "type": "SliderInt",
            "label": "Seed",
            "value": setup.seed,
            "min": 0,
            "max": MAX_SEED,
            "step": 1,
        },
        "run__scale": {
            "type": "Select",
            "label": "People per agent (coarser runs faster)",
            "value": int(setup.scale),
            "values": scales,
        },
    }
    months = _month_starts(run.start, run.end)
    for i, lever in enumerate(config.levers):
        # The select box's label sits above it and names the lever; the slider below it is
        # that lever's intensity (a slider's label shares its row, so it is short).
        name = lever.name or lever.type.replace("_", " ")
        dates = sorted({lever.start, *months})
        params[f"levers__{i}__start"] = {
            "type": "Select",
            "label": f"{name} ({lever.type.replace('_', ' ')}): starts",
            "value": lever.start.isoformat(),
            "values": [d.isoformat() for d in dates],
        }
        top = max(3.0, math.ceil(2 * lever.intensity))
        params[f"levers__{i}__intensity"] = {
            "type": "SliderFloat",
            "label": "intensity",
            "value": float(lever.intensity),
            "min": 0.0,
            "max": float(top),
            "step": INTENSITY_STEP,
        }
    for key in setup.parameters:
        params[key.replace(".", "__")] = _parameter_slider(config, key)
    return params


def initial_kwargs(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments the inputs of ``params`` start with (as SolaraViz passes them)."""
    return {
        key: spec["value"] if isinstance(spec, dict) and "type" in spec else spec
        for key, spec in params.items()
    }
