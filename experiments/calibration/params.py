"""The params spec: the parameters calibration fits, their ranges and targets; the fitted scenario.

A *params spec* is a TOML file::

    # optional: the targets the loss reads (default: every target with tolerance > 0)
    targets = ["cases_cracked", "gangs_destroyed"]

    [params."police.p_crack_domestic"]
    low = 0.1
    high = 0.9
    log = false          # optional; true samples on a log scale (low > 0)

    [params."levers.0.intensity"]
    low = 0.2
    high = 5.0
    log = true
    lever_type = "card_crackdown"   # optional: refuse the spec if lever 0 is another type

Keys are dotted scenario keys, as for ``--set`` (``levers.N.field`` for a lever's field). The
spec is checked against the starting scenario before anything runs: every key must name a
numeric value of the scenario, and the scenario must load with the key at ``low``, ``high`` and
the midpoint (a typo gives the nearest key; a range outside the parameter's bounds names the
bound). A parameter whose value in the scenario is an integer is sampled as an integer.

The best parameter set is written as a scenario file that ``extends`` the starting one and
holds only the fitted keys (a lever's field means writing the whole inherited lever list, since
``levers`` replaces the parent's list).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import optuna
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.targets import TargetSet
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError, Problem, ScenarioError
from simulation.files import read_toml, toml_text, write_atomic
from simulation.scenario import load_scenario, load_scenario_text, resolve_scenario_dict
from simulation.validation import nearest_name, problems_from_validation, render_key

__all__ = [
    "SIGNIFICANT_DIGITS",
    "ParamRange",
    "ParamSpec",
    "Parameter",
    "apply_params",
    "check_coverage",
    "check_params",
    "choose_targets",
    "load_params_spec",
    "write_calibrated_scenario",
]

SIGNIFICANT_DIGITS = 4
"""Fitted values are written with this many significant digits (the loss is noisier)."""

Finite = Annotated[float, Field(allow_inf_nan=False)]


# ---------------------------------------------------------------------------------------------
# The params spec
# ---------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ParamRange(_Strict):
    """The range one parameter is fitted over.

    Attributes:
        low: smallest value tried.
        high: largest value tried (> low).
        log: sample on a log scale (needs low > 0).
        lever_type: for a ``levers.N.x`` key, the type lever N must have: a guard against
            fitting the wrong lever after the scenario's lever list changed.
    """

    low: Finite
    high: Finite
    log: bool = False
    lever_type: str | None = Field(None, max_length=100)

    @model_validator(mode="after")
    def _ordered(self) -> ParamRange:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log range needs low > 0 (low is {self.low:g})")
        return self


class ParamSpec(_Strict):
    """A params spec file: the parameters to fit and, optionally, the targets to fit them to.

    Attributes:
        params: ranges by dotted scenario key.
        targets: target keys the loss reads; ``None`` means every target with tolerance > 0.
    """

    params: Annotated[dict[str, ParamRange], Field(min_length=1, max_length=200)]
    targets: Annotated[list[str], Field(min_length=1, max_length=1000)] | None = None


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One parameter to fit, checked against the scenario.

    Attributes:
        key: dotted scenario key, as in the spec.
        low: smallest value.
        high: largest value.
        log: sampled on a log scale.
        integer: the scenario holds an integer here, so it is sampled as one.
        start: its value in the starting scenario.
    """

    key: str
    low: float
    high: float
    log: bool
    integer: bool
    start: float

    def distribution(self) -> optuna.distributions.BaseDistribution:
        """The Optuna distribution the parameter is sampled from."""
        if self.integer:
            return optuna.distributions.IntDistribution(int(self.low), int(self.high), log=self.log)
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def midpoint(self) -> float | int:
        """Middle of the range (geometric for a log range)."""
        mid = math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2
        return round(mid) if self.integer else mid

    def clean(self, value: float) -> float | int:
        """``value`` as written to a scenario: rounded to :data:`SIGNIFICANT_DIGITS`, in range."""
        if self.integer:
            return int(min(max(round(value), self.low), self.high))
        rounded = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
        return min(max(rounded, self.low), self.high)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description (stored with the study)."""
        return {"low": self.low, "high": self.high, "log": self.log, "integer": self.integer}


def load_params_spec(path: str | os.PathLike[str]) -> ParamSpec:
    """Read and validate the form of a params spec (not yet its keys: see :func:`check_params`).

    Args:
        path: the TOML file.

    Returns:
        The spec.

    Raises:
        ScenarioError: the file cannot be read or parsed, or has unknown keys, wrong types or
            an empty or inverted range; each problem names the file and the key.
    """
    display = os.fspath(path)
    raw = read_toml(path, what="params spec")
    try:
        return ParamSpec.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(problems_from_validation(err, ParamSpec, display)) from None


_MISSING = object()


def _path(key: str) -> list[str | int]:
    """``levers.0.intensity`` or ``levers[0].intensity`` -> ``["levers", 0, "intensity"]``."""
    text = re.sub(r"\[(\d+)\]", r".\1", key)
    return [int(p) if p.isdigit() else p for p in text.split(".")]


def _lookup(data: Any, key: str) -> Any:
    node = data
    for part in _path(key):
        in_list = isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node)
        in_table = isinstance(part, str) and isinstance(node, dict) and part in node
        if not (in_list or in_table):
            return _MISSING
        node = node[part]
    return node


def _leaf_keys(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return [prefix]
    keys: list[str] = []
    for name, child in items:
        keys.extend(_leaf_keys(child, f"{prefix}.{name}" if prefix else str(name)))
    return keys


def check_params(spec: ParamSpec, base: ScenarioConfig, source: str = "params") -> list[Parameter]:
    """Check a spec's keys and ranges against a scenario.

    Every key must name a numeric value of ``base``, and ``base`` must load with the key at
    ``low``, ``high`` and the midpoint.

    Args:
        spec: the spec (:func:`load_params_spec`).
        base: the starting scenario, with any overrides applied.
        source: the spec's file name, for messages.

    Returns:
        The parameters, in spec order.

    Raises:
        ScenarioError: one problem per bad key or range, with the nearest valid key for a typo.
    """
    dump = base.model_dump(mode="python", exclude_none=True)
    leaves = [k for k in _leaf_keys(dump) if not isinstance(_lookup(dump, k), bool)]
    problems: list[Problem] = []
    params: list[Parameter] = []
    for key, rng in spec.params.items():
        where = render_key(["params", key])
        current = _lookup(dump, key)
        if current is _MISSING or isinstance(current, bool | str | dt.date | dict | list):
            near = nearest_name(key, leaves)
            if current is _MISSING:
                message = "not a key of the scenario"
            else:
                message = f"not a numeric parameter (the scenario has {current!r} there)"
            problems.append(
                Problem(
                    source,
                    where,
                    message,
                    "dotted keys of numbers, e.g. police.p_crack_domestic or levers.0.intensity",
                    repr(key),
                    near if near != key else None,
                )
            )
            continue
        if rng.lever_type is not None:
            parts = _path(key)
            lever = _lookup(dump, f"levers.{parts[1]}") if parts[:1] == ["levers"] else None
            if not isinstance(lever, dict) or not isinstance(parts[1], int):
                problems.append(
                    Problem(
                        source,
                        render_key(["params", key, "lever_type"]),
                        "only a levers.N.x key can name a lever type",
                    )
                )
                continue
            if lever.get("type") != rng.lever_type:
                problems.append(
                    Problem(
                        source,
                        render_key(["params", key, "lever_type"]),
                        f"levers[{parts[1]}] of the scenario is not a {rng.lever_type} lever",
                        ", ".join(
                            f"levers.{i}: {lv.get('type')}" for i, lv in enumerate(dump["levers"])
                        ),
                        repr(lever.get("type")),
                    )
                )
                continue
        integer = isinstance(current, int)
        if integer and not (float(rng.low).is_integer() and float(rng.high).is_integer()):
            problems.append(
                Problem(
                    source,
                    where,
                    "the scenario holds an integer here: low and high must be whole numbers",
                    given=f"low = {rng.low:g}, high = {rng.high:g}",
                )
            )
            continue
        param = Parameter(key, rng.low, rng.high, rng.log, integer, float(current))
        found = False
        for label, value in (("low", param.low), ("high", param.high), (None, param.midpoint())):
            typed = int(value) if integer else float(value)
            try:
                base.with_overrides({key: typed}, source)
            except ScenarioError as err:
                found = True
                for p in err.problems:
                    at = f" at {label}" if label else " at the midpoint"
                    problems.append(
                        Problem(
                            source,
                            render_key(["params", key, label]) if label else where,
                            f"{p.message}{at}",
                            p.allowed,
                            p.given,
                            p.suggestion,
                        )
                    )
        if not found:
            params.append(param)
    if problems:
        raise ScenarioError(problems)
    return params


def choose_targets(targets: TargetSet, keys: Sequence[str] | None) -> TargetSet:
    """The targets the loss reads.

    Args:
        targets: all targets.
        keys: target keys (from the spec's ``targets``), or ``None`` for every target with a
            tolerance above 0.

    Returns:
        The chosen targets.

    Raises:
        FraudsimError: an unknown key (with the nearest one), or nothing to fit.
    """
    if keys is not None:
        return targets.select(keys)
    chosen = [t.key for t in targets.targets if t.tolerance > 0]
    if not chosen:
        raise FraudsimError("No target has a tolerance above 0: list the targets to fit.")
    return targets.select(chosen)


def check_coverage(targets: TargetSet, config: ScenarioConfig) -> None:
    """Refuse targets whose period the run does not cover (before anything runs).

    Raises:
        FraudsimError: naming each target outside the run and its period.
    """
    start, end = config.run.start, config.run.end
    outside = [
        f"{t.key} ({t.first_day.isoformat()} to {t.last_day.isoformat()})"
        for t in targets.targets
        if t.first_day < start or t.last_day > end
    ]
    if outside:
        raise FraudsimError(
            f"The run ({start.isoformat()} to {end.isoformat()}) does not cover the targets "
            f"{', '.join(outside)}; lengthen the run or list the targets to fit in the params "
            "spec (targets = [...])."
        )


# ---------------------------------------------------------------------------------------------
# Applying and writing parameter values
# ---------------------------------------------------------------------------------------------


def apply_params(base: ScenarioConfig, values: Mapping[str, Any]) -> ScenarioConfig:
    """``base`` with parameter values set by dotted key, validated like a scenario file.

    Args:
        base: the scenario.
        values: values by dotted key (``police.p_crack_domestic``, ``levers.0.intensity``).

    Returns:
        The new scenario.

    Raises:
        ScenarioError: a key or value is invalid.
    """
    return base.with_overrides(dict(values), base.name)


def _nest(tree: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def write_calibrated_scenario(
    scenario_path: str | os.PathLike[str],
    values: Mapping[str, Any],
    out_path: str | os.PathLike[str],
    *,
    name: str | None = None,
    description: str | None = None,
    header: str | None = None,
) -> Path:
    """Write a scenario that ``extends`` ``scenario_path`` and sets only ``values``.

    Keys inside tables are written as TOML tables (``[police]``). A key through a list (a
    lever's field ``levers.N.x``, an element of an array parameter) means writing the whole
    list: ``levers`` as the inherited lever list (as the files say, ``add_levers`` resolved)
    with the changes, an array as the starting scenario's array with the changes. The file is
    loaded back and compared with the starting scenario with ``values`` applied before this
    returns.

    Args:
        scenario_path: the starting scenario (written as a path relative to the new file).
        values: the values by dotted key (checked keys, e.g. from :func:`check_params`).
        out_path: the file to write (its directory is created).
        name: the new scenario's name (default: the file's stem).
        description: its description.
        header: a comment for the top of the file (each line prefixed with ``# ``).

    Returns:
        The path written.

    Raises:
        ScenarioError: the starting scenario or a value is invalid.
        FraudsimError: the written file does not load to the expected scenario (a bug).
        OSError: the file cannot be written.
    """
    start = Path(scenario_path)
    out = Path(out_path)
    base = load_scenario(start)
    dump = base.model_dump(mode="python", exclude_none=True)
    tree: dict[str, Any] = {}
    levers: list[dict[str, Any]] | None = None
    arrays: dict[tuple[str, ...], list[Any]] = {}
    for key, value in values.items():
        parts = _path(key)
        cut = next((i for i, p in enumerate(parts) if isinstance(p, int)), None)
        if cut is None:
            _nest(tree, [str(p) for p in parts], value)
            continue
        root = tuple(str(p) for p in parts[:cut])
        if root == ("levers",):
            if levers is None:
                levers = list(resolve_scenario_dict(start).get("levers", []))
            node: Any = levers
        else:
            if root not in arrays:
                current = _lookup(dump, ".".join(root))
                if not isinstance(current, list):
                    raise ScenarioError.single(os.fspath(start), key, "not a key through a list")
                arrays[root] = json.loads(json.dumps(current, default=str))
            node = arrays[root]
        for part in parts[cut:-1]:
            node = node[part]
        node[parts[-1]] = value
    for root, array in arrays.items():
        _nest(tree, list(root), array)

    rel = Path(os.path.relpath(start.resolve(), out.resolve().parent)).as_posix()
    document: dict[str, Any] = {"extends": rel, "name": name or out.stem}
    if description:
        document["description"] = description
    document.update(tree)
    if levers is not None:
        document["levers"] = levers
    text = toml_text(document, header)
    # Checked before the file is written (`extends` resolved from the target's directory), so
    # a failed check never leaves a broken scenario under the final name.
    out.parent.mkdir(parents=True, exist_ok=True)
    exclude = {"name", "description"}
    written = load_scenario_text(text, os.fspath(out), base_dir=out.parent)
    expected = apply_params(base, values)
    if written.model_dump(mode="json", exclude=exclude) != expected.model_dump(
        mode="json", exclude=exclude
    ):
        raise FraudsimError(
            f"{out} would not load to {start} with the fitted values applied (a bug in the "
            "writer); nothing written"
        )
    write_atomic(out, text)
    return out
