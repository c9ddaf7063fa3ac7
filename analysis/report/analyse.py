"""What the report shows, computed from a sweep's tables: :class:`SweepAnalysis`.

:func:`analyse` turns the tidy tables of a sweep into every summary the report shows: bands
over seeds, monthly national equivalents, the comparison against the reference,
displacement, police effort, and how many seeds are enough. :func:`analyse_sweep` reads the
sweep from disk first.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.displacement import displacement
from analysis.effects import compare_policies, seeds_enough
from analysis.effort import effort_by_lever
from analysis.manifests import (
    lever_starts,
    policy_starts,
    residents_by_run,
    residents_by_scenario,
    scales_by_run,
    scales_by_scenario,
)
from analysis.summaries import add_case_rate, add_net_loss, monthly, national, seed_bands
from simulation.errors import FraudsimError, OutputError

__all__ = [
    "DAILY_QUANTITIES",
    "DEFAULT_REFERENCE",
    "SWEEP_MANIFEST",
    "SweepAnalysis",
    "analyse",
    "analyse_sweep",
    "find_sweep_dir",
]

DEFAULT_REFERENCE = "no_intervention"
"""The reference scenario when none is named and the sweep has it."""
SWEEP_MANIFEST = "sweep.json"
"""The sweep manifest's file name, in a sweep directory and beside a report."""
_MONTHLY_QUANTITIES = ("cases", "case_rate_per_100k", "loss_yuan", "net_loss_yuan", "dissuaded")
DAILY_QUANTITIES = ("card_price_yuan", "phone_card_price_yuan", "overseas_share")
"""The daily states whose bands the report draws: card prices and the share abroad."""


@dataclasses.dataclass(frozen=True)
class SweepAnalysis:
    """Everything the report shows, computed from a sweep's tables.

    Attributes:
        manifest: the sweep manifest (``sweep.json``) as parsed.
        reference: the scenario every other one is compared with.
        scenarios: scenario names in sweep order (which fixes their colours in figures).
        monthly_bands: median and 10-90 % bands over seeds of monthly national equivalents
            (flows summed, states averaged), with ``case_rate_per_100k`` (cases per 100,000
            residents per month) and ``net_loss_yuan``.
        daily_bands: daily bands of card prices and the overseas share (not scaled).
        comparison: :func:`analysis.effects.compare_policies` in national equivalents.
        displacement: :func:`analysis.displacement.displacement` (shares, 0-1).
        effort: :func:`analysis.effort.effort_by_lever` in national officer-hours.
        seeds_enough: :func:`analysis.effects.seeds_enough` in national equivalents.
        lever_starts: scenario to ``[(lever label, start date), ...]``.
        by_type: the tidy ``by_type`` table (model units), for the fraud-type mix.
        by_channel: the tidy ``by_channel`` table (model units), or ``None``.
    """

    manifest: dict[str, Any]
    reference: str
    scenarios: list[str]
    monthly_bands: pd.DataFrame
    daily_bands: pd.DataFrame
    comparison: pd.DataFrame
    displacement: pd.DataFrame
    effort: pd.DataFrame
    seeds_enough: pd.DataFrame
    lever_starts: dict[str, list[tuple[str, pd.Timestamp]]]
    by_type: pd.DataFrame | None
    by_channel: pd.DataFrame | None


def find_sweep_dir(directory: str | os.PathLike[str]) -> Path:
    """The sweep directory of ``directory``: its ``sweep/`` (a ``compare`` output), or itself.

    ``sweep/`` is tried first: a compare directory also holds a *copy* of the manifest.

    Raises:
        OutputError: if neither holds a ``sweep.json``.
    """
    root = Path(directory)
    for candidate in (root / "sweep", root):
        if (candidate / SWEEP_MANIFEST).is_file():
            return candidate
    raise OutputError(
        f"'{root}' holds no {SWEEP_MANIFEST} (nor does '{root / 'sweep'}'): give the output "
        "directory of `fraudsim sweep` or `fraudsim compare`",
        str(root),
    )


def _sweep_readers() -> tuple[Any, Any]:
    """``load_sweep`` and ``load_sweep_manifest`` (:mod:`analysis.sweeps`).

    Imported on use: reading a sweep needs pyarrow and the sweep store; drawing figures from
    frames already in memory does not.
    """
    from analysis.sweeps import load_sweep, load_sweep_manifest  # noqa: PLC0415

    return load_sweep, load_sweep_manifest


def _choose_reference(scenarios: Sequence[str], reference: str | None) -> str:
    if reference is None:
        return DEFAULT_REFERENCE if DEFAULT_REFERENCE in scenarios else scenarios[0]
    if reference not in scenarios:
        raise FraudsimError(
            f"The reference scenario must be one of the sweep's scenarios {list(scenarios)}. "
            f"Got {reference!r} instead."
        )
    return reference


def analyse(
    daily: pd.DataFrame,
    manifest: Mapping[str, Any],
    *,
    by_type: pd.DataFrame | None = None,
    by_channel: pd.DataFrame | None = None,
    reference: str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> SweepAnalysis:
    """Compute every summary of the report from a sweep's tidy tables.

    Args:
        daily: tidy daily table of the sweep (model units).
        manifest: the sweep manifest, for each scenario's scale, national population and
            levers.
        by_type: tidy ``by_type`` table (for the fraud-type mix and its displacement).
        by_channel: tidy ``by_channel`` table (for channel displacement).
        reference: the reference scenario (default ``no_intervention`` if the sweep has it,
            else its first scenario).
        seed: bootstrap seed (integer >= 0).
        n_boot: bootstrap resamples.
        level: confidence level of the intervals (0 to 1).

    Returns:
        The analysis.

    Raises:
        FraudsimError: if the reference is unknown, a scenario lacks its scale, or the sweep
            has a single scenario.
    """
    if daily.empty:
        raise FraudsimError("the sweep has no finished run yet: nothing to analyse")
    scenarios = [str(s) for s in daily["scenario"].unique()]
    reference = _choose_reference(scenarios, reference)
    # A sweep records each run's scale (a sweep may vary run.scale); a hand-made manifest may
    # give only each scenario's.
    if manifest.get("runs") and "run_id" in daily.columns:
        by, scales, residents = "run_id", scales_by_run(manifest), residents_by_run(manifest)
    else:
        by, scales = "scenario", scales_by_scenario(manifest)
        residents = residents_by_scenario(manifest)
    starts = lever_starts(manifest)
    month = add_net_loss(add_case_rate(monthly(daily), residents, by=by))
    monthly_national = national(month, scales, by=by)
    keep = [q for q in _MONTHLY_QUANTITIES if q in monthly_national.columns]
    monthly_bands = seed_bands(monthly_national, keep)
    daily_bands = seed_bands(daily, [q for q in DAILY_QUANTITIES if q in daily.columns])
    national_daily = national(daily, scales, by=by)
    if len(scenarios) < 2:
        # One scenario: curves and mixes only; there is nothing to compare it with.
        comparison = moved = effort = enough = pd.DataFrame()
    else:
        comparison = compare_policies(
            national_daily, reference, seed=seed, n_boot=n_boot, level=level
        )
        starts_by_scenario = policy_starts(manifest)
        moved = displacement(
            reference,
            {s: starts_by_scenario.get(s) for s in scenarios if s != reference},
            by_type=by_type,
            by_channel=by_channel,
            daily=daily,
            seed=seed,
            n_boot=n_boot,
            level=level,
        )
        effort = effort_by_lever(national_daily, reference)
        enough = seeds_enough(national_daily, reference, seed=seed, n_boot=n_boot, level=level)
    return SweepAnalysis(
        manifest=dict(manifest),
        reference=reference,
        scenarios=scenarios,
        monthly_bands=monthly_bands,
        daily_bands=daily_bands,
        comparison=comparison,
        displacement=moved,
        effort=effort,
        seeds_enough=enough,
        lever_starts={s: starts.get(s, []) for s in scenarios},
        by_type=by_type,
        by_channel=by_channel,
    )


def analyse_sweep(
    sweep_dir: str | os.PathLike[str],
    *,
    reference: str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> SweepAnalysis:
    """Read a finished sweep from disk and :func:`analyse` it.

    Args:
        sweep_dir: the sweep's output directory (with ``sweep.json``), or a ``fraudsim
            compare`` output directory holding it under ``sweep/``.
        reference: the reference scenario (see :func:`analyse`).
        seed: bootstrap seed.
        n_boot: bootstrap resamples.
        level: confidence level.

    Returns:
        The analysis.
    """
    load_sweep, load_sweep_manifest = _sweep_readers()
    root = find_sweep_dir(sweep_dir)
    manifest = load_sweep_manifest(root)
    return analyse(
        load_sweep(root, table="daily"),
        manifest,
        by_type=load_sweep(root, table="by_type"),
        by_channel=load_sweep(root, table="by_channel"),
        reference=reference,
        seed=seed,
        n_boot=n_boot,
        level=level,
    )
