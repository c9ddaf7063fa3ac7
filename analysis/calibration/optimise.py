"""Fit uncertain parameters to the published targets with Optuna.

The parameters to fit and their ranges come from a *params spec*, a TOML file::

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

The loss of a parameter set is a sum over the chosen targets: ``log(median / published)**2``,
or ``(median - published)**2`` for a ``change`` target, where ``median`` is the median of the
target's statistic over seeds ``0..K-1`` (the same seeds in every trial, so that two trials
differ by their parameters, not their draws). A median below a thousandth of the published
value counts as that thousandth, and a missing one as :data:`MISSING_PENALTY`, so the loss is
always finite.

The study lives in a SQLite file (``sqlite:///FILE``): a second call with the same study name
resumes it (``trials`` is the total number of finished trials wanted), and the file can be
inspected with Optuna's own tools (``optuna.load_study``, ``optuna-dashboard``). Each trial
records the medians of all chosen targets as the user attribute ``medians``.

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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import optuna
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.calibration.run import make_executor, run_daily
from analysis.calibration.targets import (
    Target,
    TargetSet,
    load_targets,
    per_seed_values,
)
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError, OutputError, Problem, ScenarioError
from simulation.files import read_toml, toml_text, write_atomic
from simulation.scenario import (
    load_scenario,
    load_scenario_text,
    resolve_scenario_dict,
    scenario_to_toml,
)
from simulation.validation import nearest_name, problems_from_validation, render_key

__all__ = [
    "LOSS_FLOOR_RATIO",
    "MISSING_PENALTY",
    "CalibrationResult",
    "ParamRange",
    "ParamSpec",
    "Parameter",
    "TrialReport",
    "apply_params",
    "calibrate",
    "check_params",
    "choose_targets",
    "load_params_spec",
    "loss",
    "target_loss",
    "write_calibrated_scenario",
]

LOSS_FLOOR_RATIO = 1e-3
"""A median below this share of the published value counts as this share in the loss."""

MISSING_PENALTY = math.log(LOSS_FLOOR_RATIO) ** 2
"""Loss of a target whose median is missing (no seed gave a value): the worst finite term."""

SIGNIFICANT_DIGITS = 4
"""Fitted values are written with this many significant digits (the loss is noisier)."""

STUDY_ATTR = "fraudsim"
"""User attribute of the study holding what it was made for (scenario, params, targets)."""

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


def _load_with(base_toml: str, source: str, overrides: Mapping[str, Any]) -> ScenarioConfig:
    return load_scenario_text(base_toml, source=source, overrides=dict(overrides))


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
    base_toml = scenario_to_toml(base)
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
                _load_with(base_toml, source, {key: typed})
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


def _check_coverage(targets: TargetSet, config: ScenarioConfig) -> None:
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
# The loss
# ---------------------------------------------------------------------------------------------


def target_loss(target: Target, median: float) -> float:
    """One target's term of the loss.

    Args:
        target: the target.
        median: the model's median over seeds (NaN if none).

    Returns:
        ``(median - published)**2`` for a ``change`` target, else
        ``log(max(median, LOSS_FLOOR_RATIO * published) / published)**2``;
        :data:`MISSING_PENALTY` for a missing median.
    """
    if median is None or not math.isfinite(median):
        return MISSING_PENALTY
    if target.statistic == "change":
        return (median - target.published) ** 2
    floor = LOSS_FLOOR_RATIO * target.published
    return math.log(max(median, floor) / target.published) ** 2


def loss(medians: Mapping[str, float], targets: TargetSet | Sequence[Target]) -> float:
    """The calibration loss: the sum of :func:`target_loss` over the targets.

    Args:
        medians: the model's medians by target key.
        targets: the targets the loss reads.

    Returns:
        The loss (>= 0, finite).
    """
    chosen = targets.targets if isinstance(targets, TargetSet) else targets
    return float(sum(target_loss(t, medians.get(t.key, math.nan)) for t in chosen))


def _medians(values: pd.DataFrame) -> dict[str, float]:
    out = {}
    for key in values.columns:
        column = values[key].to_numpy(dtype="float64")
        finite = column[~np.isnan(column)]
        out[str(key)] = float(np.median(finite)) if finite.size else math.nan
    return out


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
    return _load_with(scenario_to_toml(base), base.name, values)


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


# ---------------------------------------------------------------------------------------------
# The study
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TrialReport:
    """What :func:`calibrate` reports after each finished trial.

    Attributes:
        number: the trial's number in the study (0-based, counting earlier sessions).
        done: finished trials in the study, this one included.
        total: finished trials wanted.
        loss: this trial's loss.
        best_loss: the study's best loss so far.
        best_number: the number of the best trial.
        params: this trial's parameter values.
        medians: this trial's medians by target key.
    """

    number: int
    done: int
    total: int
    loss: float
    best_loss: float
    best_number: int
    params: dict[str, Any]
    medians: dict[str, float]


@dataclasses.dataclass(frozen=True)
class CalibrationResult:
    """The outcome of :func:`calibrate`.

    Attributes:
        study_name: the Optuna study.
        storage_path: its SQLite file.
        storage_url: ``sqlite:///...`` for ``optuna.load_study``.
        n_trials: finished trials in the study.
        n_new: trials finished by this call.
        best_trial: number of the best trial.
        best_loss: its loss.
        best_params: its values as written (rounded to :data:`SIGNIFICANT_DIGITS`).
        best_medians: its medians by target key.
        start_params: the parameters' values in the starting scenario (overrides applied).
        targets: the keys of the targets the loss read.
        scenario_path: the scenario file written with the best values.
    """

    study_name: str
    storage_path: Path
    storage_url: str
    n_trials: int
    n_new: int
    best_trial: int
    best_loss: float
    best_params: dict[str, Any]
    best_medians: dict[str, float]
    start_params: dict[str, float]
    targets: list[str]
    scenario_path: Path


def _complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def _overrides_text(overrides: Sequence[str] | Mapping[str, Any] | None) -> list[str]:
    if not overrides:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{k}={v!r}" for k, v in overrides.items()]
    return [str(o) for o in overrides]


def _check_signature(study: optuna.Study, signature: dict[str, Any], storage: Path) -> None:
    stored = study.user_attrs.get(STUDY_ATTR)
    if stored is None:
        if _complete(study):
            raise FraudsimError(
                f"study {study.study_name!r} in {storage} was not made by fraudsim calibrate; "
                "choose another study name"
            )
        study.set_user_attr(STUDY_ATTR, signature)
        return
    stored = json.loads(json.dumps(stored))
    differ = [k for k in signature if stored.get(k) != signature[k]]
    if differ:
        raise FraudsimError(
            f"study {study.study_name!r} in {storage} was made with another "
            f"{', '.join(differ)}; resume it with the same inputs or choose another study name"
        )


def _run_batch(
    configs: list[ScenarioConfig], seeds: list[int], executor: Executor | None
) -> list[dict[int, pd.DataFrame]]:
    """Daily tables of every config and seed, one dict by seed per config."""
    frames: list[dict[int, pd.DataFrame]] = [{} for _ in configs]
    if executor is None:
        for i, config in enumerate(configs):
            for seed in seeds:
                frames[i][seed] = run_daily(config, seed)
        return frames
    futures: dict[Future[pd.DataFrame], tuple[int, int]] = {
        executor.submit(run_daily, config, seed): (i, seed)
        for i, config in enumerate(configs)
        for seed in seeds
    }
    try:
        for future in as_completed(futures):
            i, seed = futures[future]
            frames[i][seed] = future.result()
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return frames


def calibrate(
    scenario_path: str | os.PathLike[str],
    params_spec_path: str | os.PathLike[str],
    targets: TargetSet | str | os.PathLike[str] | None = None,
    *,
    trials: int = 50,
    seeds_per_trial: int = 3,
    storage_path: str | os.PathLike[str] | None = None,
    study_name: str | None = None,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    out_path: str | os.PathLike[str] | None = None,
    sampler_seed: int = 0,
    n_startup_trials: int | None = None,
    start_trial: bool = True,
    progress: Callable[[TrialReport], None] | None = None,
) -> CalibrationResult:
    """Fit the parameters of a params spec to the targets, and write the best as a scenario.

    Args:
        scenario_path: the starting scenario.
        params_spec_path: the params spec (see the module docstring).
        targets: a target set, a targets file, or ``None`` for
            :data:`~analysis.calibration.targets.DEFAULT_TARGETS`; the spec's ``targets``
            (else every target with tolerance > 0) are the ones fitted.
        trials: finished trials the study should have; a resumed study runs only the missing
            ones (0 just writes the best scenario of an existing study).
        seeds_per_trial: seeds ``0..K-1`` run per trial; the loss reads their median.
        storage_path: the study's SQLite file (default
            ``results/calibration/<study_name>.sqlite3``).
        study_name: the study (default ``<scenario stem>-<spec stem>``).
        overrides: ``KEY=VALUE`` strings or a mapping applied to the scenario in every trial
            (e.g. a coarser ``run.scale``); they are not written to the fitted scenario.
        workers: processes (spawned); ``ceil(workers / seeds_per_trial)`` trials run at once.
        executor: an existing pool (:func:`~analysis.calibration.run.make_executor`) to run
            in, left open; by default a pool of ``workers`` is made when ``workers > 1``.
        out_path: the fitted scenario to write (default: the storage file with ``.toml``).
        sampler_seed: seed of Optuna's TPE sampler.
        n_startup_trials: random trials before TPE models the loss (default
            ``min(10, max(3, trials // 3))``).
        start_trial: make the starting scenario's values the first trial of a new study
            (those inside their ranges; the sampler picks the others).
        progress: called after each finished trial.

    Returns:
        The study's best trial and the path of the fitted scenario.

    Raises:
        ScenarioError: the scenario, the spec or the targets file is invalid.
        FraudsimError: bad counts, targets outside the run, or a study made with other
            inputs under the same name.
    """
    for label, value, least in (
        ("trials", trials, 0),
        ("seeds_per_trial", seeds_per_trial, 1),
        ("workers", workers, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise FraudsimError(f"The '{label}' parameter must be an integer >= {least}.")
    target_set = targets if isinstance(targets, TargetSet) else load_targets(targets)
    base = load_scenario(scenario_path, overrides)
    spec = load_params_spec(params_spec_path)
    params = check_params(spec, base, os.fspath(params_spec_path))
    try:
        chosen = choose_targets(target_set, spec.targets)
    except FraudsimError as err:
        raise FraudsimError(f"{os.fspath(params_spec_path)}: targets: {err}") from None
    _check_coverage(chosen, base)

    study_name = study_name or f"{Path(scenario_path).stem}-{Path(params_spec_path).stem}"
    storage = Path(storage_path or Path("results") / "calibration" / f"{study_name}.sqlite3")
    storage.parent.mkdir(parents=True, exist_ok=True)
    storage_url = f"sqlite:///{storage.resolve()}"
    out = Path(out_path) if out_path is not None else storage.with_suffix(".toml")
    startup = n_startup_trials if n_startup_trials is not None else min(10, max(3, trials // 3))
    sampler = optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=startup)
    try:
        study = optuna.create_study(
            storage=storage_url,
            study_name=study_name,
            sampler=sampler,
            direction="minimize",
            load_if_exists=True,
        )
    except Exception as exc:  # sqlalchemy's errors for a file that is not a study database
        raise OutputError(
            f"cannot open the study file '{storage}': {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}",
            str(storage),
        ) from exc
    signature = {
        "scenario": os.fspath(Path(scenario_path).resolve()),
        "overrides": _overrides_text(overrides),
        "params": {p.key: p.as_dict() for p in params},
        "targets": {t.key: t.published for t in chosen.targets},
        "seeds_per_trial": seeds_per_trial,
    }
    _check_signature(study, signature, storage)

    if start_trial and not study.get_trials(deepcopy=False):
        # The starting scenario is trial 0: a reference loss, and a good first point. Values
        # outside their range are left to the sampler.
        starts = {
            p.key: int(p.start) if p.integer else p.start
            for p in params
            if p.low <= p.start <= p.high
        }
        if starts:
            study.enqueue_trial(starts)
    distributions = {p.key: p.distribution() for p in params}
    seeds = list(range(seeds_per_trial))
    batch_size = max(1, math.ceil(workers / seeds_per_trial))
    done = len(_complete(study))
    best = study.best_trial if done else None
    n_new = 0
    own = executor is None and workers > 1
    if own:
        executor = make_executor(workers)
    try:
        while done < trials:
            pending: list[optuna.trial.Trial] = []
            configs: list[ScenarioConfig] = []
            try:
                for _ in range(min(batch_size, trials - done)):
                    pending.append(study.ask(distributions))
                    configs.append(apply_params(base, pending[-1].params))
                frames = _run_batch(configs, seeds, executor)
            except BaseException:
                # Interrupted or broken: no trial may stay RUNNING in the storage for ever.
                for trial in pending:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
                raise
            for trial, by_seed in zip(pending, frames):
                medians = _medians(per_seed_values(by_seed, base.run.scale, chosen))
                value = loss(medians, chosen)
                trial.set_user_attr("medians", medians)
                frozen = study.tell(trial, value)
                done += 1
                n_new += 1
                if best is None or value < best.value:
                    best = frozen
                if progress is not None:
                    progress(
                        TrialReport(
                            number=trial.number,
                            done=done,
                            total=trials,
                            loss=value,
                            best_loss=float(best.value),
                            best_number=best.number,
                            params=dict(trial.params),
                            medians=medians,
                        )
                    )
    finally:
        if own and executor is not None:
            executor.shutdown(cancel_futures=True)

    if not _complete(study):
        raise FraudsimError(f"study {study_name!r} has no finished trial: ask for trials >= 1")
    best = study.best_trial
    by_key = {p.key: p for p in params}
    fitted = {key: by_key[key].clean(value) for key, value in best.params.items()}
    header = (
        f"Fitted by `fraudsim calibrate`: study {study_name!r} in {storage}, trial "
        f"{best.number} of {len(_complete(study))}, loss {best.value:.4g}.\n"
        f"Targets ({_label(chosen)}): {', '.join(t.key for t in chosen.targets)}.\n"
        f"Seeds per trial: {seeds_per_trial}; values rounded to {SIGNIFICANT_DIGITS} "
        "significant digits."
    )
    if signature["overrides"]:
        header += "\nOverrides during fitting (not written here): " + ", ".join(
            signature["overrides"]
        )
    written = write_calibrated_scenario(
        scenario_path,
        fitted,
        out,
        description=f"{base.name} with {len(fitted)} parameters fitted to published figures "
        f"(study {study_name!r}).",
        header=header,
    )
    return CalibrationResult(
        study_name=study_name,
        storage_path=storage,
        storage_url=storage_url,
        n_trials=len(_complete(study)),
        n_new=n_new,
        best_trial=best.number,
        best_loss=float(best.value),
        best_params=fitted,
        best_medians=dict(best.user_attrs.get("medians", {})),
        start_params={p.key: p.start for p in params},
        targets=[t.key for t in chosen.targets],
        scenario_path=written,
    )


def _label(targets: TargetSet) -> str:
    required = sum(t.required for t in targets.targets)
    return f"{len(targets.targets)} targets, {required} required"
