"""A sweep's design: its parameter points and the runs they expand into.

Points come from a ``[grid]`` (every combination of the listed values) or a ``[sample]`` (a
Latin hypercube or scrambled Sobol design scaled to ranges, drawn with ``scipy.stats.qmc``).
Every scenario runs with every point and every seed, ordered seed by seed, and each run gets a
stable id from its inputs (see :func:`run_id`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import inspect
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from experiments.sweep.keys import sweep_key
from simulation.errors import Problem
from simulation.scenario import show_value

if TYPE_CHECKING:
    from experiments.sweep.scenarios import ScenarioEntry
    from experiments.sweep.spec import SampleTable

__all__ = [
    "RunSpec",
    "check_grid_values",
    "check_sample",
    "expand",
    "json_default",
    "run_id",
    "sample_points",
    "uniform_numbers",
]


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: a scenario, a parameter point and a seed.

    Attributes:
        run_id: 16 hex digits identifying the run's inputs (see the module docstring).
        index: position in the sweep's run order.
        scenario: the scenario's name.
        scenario_index: index into :attr:`SweepSpec.scenarios`.
        point_index: index into :attr:`SweepSpec.points`.
        seed: the run's seed.
        params: the point's values by dotted key (empty without ``grid`` or ``sample``).
    """

    run_id: str
    index: int
    scenario: str
    scenario_index: int
    point_index: int
    seed: int
    params: dict[str, Any]


def check_grid_values(display: str, key: str, values: list[Any]) -> list[Problem]:
    """Problems with one key's grid values (a value listed twice would be the same run twice)."""
    # 1 and 1.0 are the same value (the same run twice); true and 1 are not.
    seen = set()
    for value in values:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        ident = ("number", float(value)) if number else (type(value).__name__, value)
        if ident in seen:
            return [
                Problem(
                    display,
                    sweep_key("grid", key),
                    "values must be distinct",
                    given=show_value(values),
                )
            ]
        seen.add(ident)
    return []


def check_sample(display: str, sample: SampleTable, ranges: dict[str, list]) -> list[Problem]:
    """Problems with a ``[sample]``: an empty or inverted range, a Sobol ``n`` not a power of 2."""
    problems = []
    for key, (low, high) in ranges.items():
        if not low < high:
            problems.append(
                Problem(
                    display,
                    sweep_key("sample", "ranges", key),
                    "low must be below high",
                    allowed="[low, high] with low < high",
                    given=f"[{show_value(low)}, {show_value(high)}]",
                )
            )
    n = sample.n
    if sample.method == "sobol" and n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        problems.append(
            Problem(
                display,
                "sample.n",
                "must be a power of 2 for method 'sobol' (its balance needs it)",
                allowed=f"e.g. {lower} or {lower * 2}",
                given=str(n),
            )
        )
    return problems


def uniform_numbers(values: list[Any]) -> list[Any]:
    """Ints become floats when a list mixes them, so a result column has one type."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if any(isinstance(v, float) for v in numbers):
        return [float(v) if v in numbers and not isinstance(v, bool) else v for v in values]
    return list(values)


def sample_points(
    sample: SampleTable, ranges: dict[str, list]
) -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """Draw ``sample.n`` points with scipy.stats.qmc, scaled to the ranges."""
    from scipy.stats import qmc  # noqa: PLC0415  (scipy is slow to import; only samples need it)

    keys = tuple(ranges)
    cls = qmc.LatinHypercube if sample.method == "latin_hypercube" else qmc.Sobol
    # scipy >= 1.15 names the generator `rng`; older versions call it `seed`.
    arg = "rng" if "rng" in inspect.signature(cls).parameters else "seed"
    options = {"scramble": True} if cls is qmc.Sobol else {}
    sampler = cls(d=len(keys), **options, **{arg: sample.seed})
    unit = sampler.random(sample.n)
    points = []
    for row in unit:
        point: dict[str, Any] = {}
        for key, u in zip(keys, row):
            low, high = ranges[key]
            if isinstance(low, int) and isinstance(high, int):
                # Integer bounds: each of low..high equally likely (for counts and days).
                point[key] = min(high, low + math.floor(float(u) * (high - low + 1)))
            else:
                point[key] = float(low + float(u) * (high - low))
        points.append(point)
    return keys, tuple(points)


def expand(
    scenarios: tuple[ScenarioEntry, ...], points: tuple[dict[str, Any], ...], seeds: tuple[int, ...]
) -> tuple[RunSpec, ...]:
    """Every scenario with every point and seed, seed by seed.

    A sweep stopped half way then has paired results for its first seeds rather than all seeds
    of its first scenarios.
    """
    runs = []
    for seed in seeds:
        for s, entry in enumerate(scenarios):
            for p, point in enumerate(points):
                runs.append(
                    RunSpec(
                        run_id=run_id(entry.name, entry.sha256, point, seed),
                        index=len(runs),
                        scenario=entry.name,
                        scenario_index=s,
                        point_index=p,
                        seed=seed,
                        params=dict(point),
                    )
                )
    return tuple(runs)


def run_id(scenario: str, scenario_sha256: str, params: Mapping[str, Any], seed: int) -> str:
    """The stable id of one run's inputs (16 hex digits of a SHA-256).

    Args:
        scenario: the scenario's name.
        scenario_sha256: digest of the resolved scenario's TOML (with the sweep's ``set``).
        params: the run's parameter values by dotted key.
        seed: the run's seed.

    Returns:
        The id, the same on every machine and Python version (JSON with sorted keys; floats
        written by ``repr``, which round-trips exactly).
    """
    payload = {
        "scenario": scenario,
        "scenario_sha256": scenario_sha256,
        "params": {k: json_default(v) if isinstance(v, dt.date) else v for k, v in params.items()},
        "seed": seed,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def json_default(value: Any) -> Any:
    """``json.dumps``'s ``default`` for what TOML adds to JSON: dates and times, as ISO text."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
