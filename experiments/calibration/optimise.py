"""Fit uncertain parameters to the published targets with Optuna: :func:`calibrate`.

The parameters and their ranges come from a params spec (:mod:`experiments.calibration.params`,
which also writes the fitted scenario). Each trial runs the scenario with the trial's values
over seeds ``0..K-1`` on an executor (:mod:`experiments.executors`); several trials run at once
when there are more workers than seeds.

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
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

from analysis.targets import Target, TargetSet, load_targets, per_seed_values
from experiments.calibration.params import (
    SIGNIFICANT_DIGITS,
    apply_params,
    check_coverage,
    check_params,
    choose_targets,
    load_params_spec,
    write_calibrated_scenario,
)
from experiments.calibration.run import run_batch
from experiments.executors import Executor, make_executor
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError, OutputError
from simulation.scenario import load_scenario

__all__ = [
    "LOSS_FLOOR_RATIO",
    "MISSING_PENALTY",
    "CalibrationResult",
    "TrialReport",
    "calibrate",
    "loss",
    "target_loss",
]

LOSS_FLOOR_RATIO = 1e-3
"""A median below this share of the published value counts as this share in the loss."""

MISSING_PENALTY = math.log(LOSS_FLOOR_RATIO) ** 2
"""Loss of a target whose median is missing (no seed gave a value): the worst finite term."""

STUDY_ATTR = "fraudsim"
"""User attribute of the study holding what it was made for (scenario, params, targets)."""


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
            :data:`~analysis.targets.DEFAULT_TARGETS`; the spec's ``targets``
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
        executor: an entered executor (:func:`experiments.executors.make_executor`) to run on,
            left open; by default one of ``workers`` is made (serial for 1, else a pool).
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
    check_coverage(chosen, base)

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
    with contextlib.ExitStack() as stack:
        if executor is None:
            # One executor for every trial: a pool is spawned once, not once per trial.
            executor = stack.enter_context(make_executor(workers))
        while done < trials:
            pending: list[optuna.trial.Trial] = []
            configs: list[ScenarioConfig] = []
            try:
                for _ in range(min(batch_size, trials - done)):
                    pending.append(study.ask(distributions))
                    configs.append(apply_params(base, pending[-1].params))
                frames = run_batch(configs, seeds, executor=executor)
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
