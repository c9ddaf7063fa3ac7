"""Policy effects against a reference scenario, paired by seed, with bootstrap intervals.

Every effect is computed per seed pair (:func:`analysis.pairs.paired_runs`: a policy run and
the reference run with the same seed) and then summarised over the pairs:

- the mean of the paired differences;
- a percentile bootstrap confidence interval (:mod:`analysis.bootstrap`): seed pairs are
  resampled with replacement and the statistic recomputed on each resample; ratios are
  ratios of resampled means, so numerator and denominator are resampled together;
- relative effects: the mean difference over the reference's mean.

Effects are reported as *averted* amounts (reference minus policy), so a policy that prevents
fraud has a positive effect. Units are those of the input frame: pass a frame made national by
:func:`analysis.summaries.national` to get national equivalents (ratios such as cases averted
per 1,000 officer-hours are the same in both).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.bootstrap import (
    bootstrap_means,
    check_bootstrap,
    group_label,
    group_rng,
    percentile_interval,
)
from analysis.columns import leading_group_columns
from analysis.pairs import TOTALS, paired_runs
from simulation.errors import FraudsimError

__all__ = ["EFFECTS", "Effect", "compare_policies", "seeds_enough"]


@dataclasses.dataclass(frozen=True)
class Effect:
    """One row kind of the comparison table.

    Attributes:
        name: value of the ``effect`` column.
        label: what it is, for people (axis labels, report headings).
        unit: unit of ``mean``, ``ci_low`` and ``ci_high`` (``relative`` is a share of the
            reference, 0-1).
    """

    name: str
    label: str
    unit: str


EFFECTS: dict[str, Effect] = {
    e.name: e
    for e in (
        Effect("cases_averted", "cases averted", "cases"),
        Effect("losses_averted_gross_yuan", "gross losses averted", "yuan"),
        Effect("losses_averted_net_yuan", "net losses averted (net of money recovered)", "yuan"),
        Effect("extra_effort_hours", "extra police effort", "officer-hours"),
        Effect(
            "cases_averted_per_1000_officer_hours",
            "cases averted per 1,000 officer-hours of extra effort",
            "cases per 1,000 officer-hours",
        ),
    )
}
"""The effects :func:`compare_policies` reports, by name, in table order."""

_AVERTED = (
    ("cases_averted", "reference_cases"),
    ("losses_averted_gross_yuan", "reference_loss_yuan"),
    ("losses_averted_net_yuan", "reference_net_loss_yuan"),
)
"""Each averted amount and the reference total it is a share of."""

_NUMERIC_PAIRS = {
    *TOTALS,
    *(f"reference_{c}" for c in TOTALS),
    "cases_averted",
    "losses_averted_gross_yuan",
    "losses_averted_net_yuan",
    "extra_effort_hours",
}

_TABLE_COLUMNS = [
    "effect",
    "unit",
    "n_seeds",
    "reference_mean",
    "mean",
    "ci_low",
    "ci_high",
    "relative",
    "relative_low",
    "relative_high",
    "note",
]


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(denominator > 0, out, np.nan)


def _row(effect: str, **values: Any) -> dict[str, Any]:
    # Effects without a reference total or a relative value leave them NaN.
    blank = dict.fromkeys(("reference_mean", "relative", "relative_low", "relative_high"), np.nan)
    return {"effect": effect, **blank, **values}


def _group_effects(
    pairs: pd.DataFrame, label: str, *, seed: int, n_boot: int, level: float
) -> list[dict[str, Any]]:
    n = len(pairs)
    col = {c: pairs[c].to_numpy(dtype=float) for c in pairs.columns if c in _NUMERIC_PAIRS}
    # Every quantity is resampled with the same draws, so that a ratio's numerator and
    # denominator come from the same seeds.
    names = [*(a for a, _ in _AVERTED), "extra_effort_hours", *(r for _, r in _AVERTED)]
    ci: dict[str, tuple[float, float]] = dict.fromkeys(names, (np.nan, np.nan))
    boot: dict[str, np.ndarray] = {}
    if n >= 2:
        samples = np.vstack([col[c] for c in names])
        result = bootstrap_means(samples, rng=group_rng(seed, label), n_boot=n_boot, level=level)
        ci = {c: (float(lo), float(hi)) for c, lo, hi in zip(names, *result.confidence_interval)}
        boot = dict(zip(names, result.bootstrap_distribution))

    def ratio_interval(
        numerator: str, denominator: str, factor: float = 1.0
    ) -> tuple[float, float]:
        if not boot:
            return (np.nan, np.nan)
        return percentile_interval(factor * _ratio(boot[numerator], boot[denominator]), level)

    rows = []
    few = "one seed: no interval" if n < 2 else ""
    for name, ref_name in _AVERTED:
        d, r = col[name], col[ref_name]
        rel_low, rel_high = ratio_interval(name, ref_name)
        rows.append(
            _row(
                name,
                reference_mean=float(r.mean()),
                mean=float(d.mean()),
                ci_low=ci[name][0],
                ci_high=ci[name][1],
                relative=float(_ratio(np.array([d.mean()]), np.array([r.mean()]))[0]),
                relative_low=rel_low,
                relative_high=rel_high,
                note=few or ("" if r.mean() > 0 else "reference total is 0: no relative effect"),
            )
        )
    e, d = col["extra_effort_hours"], col["cases_averted"]
    rows.append(
        _row(
            "extra_effort_hours",
            reference_mean=float(col["reference_effort_hours"].mean()),
            mean=float(e.mean()),
            ci_low=ci["extra_effort_hours"][0],
            ci_high=ci["extra_effort_hours"][1],
            note=few or ("no extra police effort recorded" if not np.any(e != 0) else ""),
        )
    )
    # A ratio of means, not a mean of per-seed ratios: a seed with little extra effort would
    # otherwise dominate the average.
    if not np.any(e != 0):
        per_hour, low, high = np.nan, np.nan, np.nan
        note = (
            "no extra police effort: the scenario's levers record no officer-hours beyond the "
            "reference's, so an effect per officer-hour is undefined"
        )
    elif e.mean() <= 0:
        per_hour, low, high = np.nan, np.nan, np.nan
        note = "extra police effort is not positive: an effect per officer-hour is undefined"
    else:
        per_hour = 1000.0 * d.mean() / e.mean()
        low, high = ratio_interval("cases_averted", "extra_effort_hours", 1000.0)
        note = few
    rows.append(
        _row(
            "cases_averted_per_1000_officer_hours",
            mean=float(per_hour),
            ci_low=low,
            ci_high=high,
            note=note,
        )
    )
    return rows


def _effects_table(
    pairs: pd.DataFrame, *, seed: int, n_boot: int, level: float, reference: str
) -> pd.DataFrame:
    groups = leading_group_columns(pairs)
    rows = []
    for values, group in pairs.groupby(groups, sort=False, dropna=False):
        label = group_label(groups, values)
        for row in _group_effects(group, label, seed=seed, n_boot=n_boot, level=level):
            effect = EFFECTS[row["effect"]]
            rows.append(
                dict(zip(groups, values)) | row | {"unit": effect.unit, "n_seeds": len(group)}
            )
    out = pd.DataFrame(rows, columns=[*groups, *_TABLE_COLUMNS])
    out.insert(len(groups), "reference", reference)
    return out


def compare_policies(
    daily: pd.DataFrame,
    reference: str,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> pd.DataFrame:
    """Effects of each scenario against the reference, paired by seed, with bootstrap intervals.

    Args:
        daily: tidy daily frame of several scenarios run with the same seeds, in model units
            or national equivalents (:func:`analysis.summaries.national`).
        reference: name of the reference scenario.
        start: first day of the comparison window (default: first reported day).
        end: last day of the window, inclusive (default: last reported day).
        seed: seed of the bootstrap (integer >= 0).
        n_boot: bootstrap resamples per scenario (>= 1).
        level: confidence level of the intervals (0 to 1; default 0.95).

    Returns:
        One row per policy scenario (and parameter setting) and effect (:data:`EFFECTS`):
        group columns, ``reference``, ``effect``, ``unit``, ``n_seeds`` (seed pairs),
        ``reference_mean`` (mean reference total), ``mean`` (mean paired effect), ``ci_low``
        and ``ci_high`` (percentile bootstrap interval), ``relative`` (mean effect over
        ``reference_mean``, 0-1, with ``relative_low`` and ``relative_high``) and ``note``
        (why a value is missing: one seed, no extra effort...). Effects are averted amounts
        (reference minus policy): positive means the policy prevented fraud.
        ``cases_averted_per_1000_officer_hours`` is 1,000 x mean cases averted / mean extra
        effort (NaN, with a note, when the scenario adds no police effort).

    Raises:
        FraudsimError: on an unknown reference, no seed pairs or a bad bootstrap setting.
    """
    check_bootstrap(n_boot, level, seed)
    pairs = paired_runs(daily, reference, start=start, end=end)
    out = _effects_table(pairs, seed=seed, n_boot=n_boot, level=level, reference=reference)
    out.attrs = {**daily.attrs, "level": level, "n_boot": n_boot, "seed": seed}
    return out


def seeds_enough(
    daily: pd.DataFrame,
    reference: str,
    *,
    effects: Sequence[str] | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> pd.DataFrame:
    """How many seeds are enough: the width of each effect's interval as seeds are added.

    For k = 1, 2, ..., n the comparison is recomputed from the k seed pairs with the smallest
    seeds, as if only those had been run.

    Args:
        daily: tidy daily frame (as for :func:`compare_policies`).
        reference: name of the reference scenario.
        effects: effect names to keep (default: all of :data:`EFFECTS`).
        start: first day of the comparison window.
        end: last day of the window, inclusive.
        seed: bootstrap seed (integer >= 0).
        n_boot: bootstrap resamples (>= 1).
        level: confidence level (0 to 1).

    Returns:
        One row per group, effect and k: group columns, ``effect``, ``unit``, ``n_seeds`` (k),
        ``mean``, ``ci_low``, ``ci_high``, ``ci_width`` (``ci_high - ci_low``; NaN at k = 1)
        and ``relative_width`` (width over the absolute mean effect).

    Raises:
        FraudsimError: on an unknown effect name, or as :func:`compare_policies`.
    """
    check_bootstrap(n_boot, level, seed)
    wanted = list(EFFECTS if effects is None else effects)
    unknown = [e for e in wanted if e not in EFFECTS]
    if unknown:
        raise FraudsimError(
            f"The 'effects' parameter must name effects among {list(EFFECTS)}. "
            f"Got {unknown} instead."
        )
    pairs = paired_runs(daily, reference, start=start, end=end)
    groups = leading_group_columns(pairs)
    # Rank seeds within each group so that "the first k seeds" means the k smallest seeds.
    rank = pairs.groupby(groups, sort=False, dropna=False)["seed"].rank(method="first")
    frames = []
    for k in range(1, int(rank.max()) + 1):
        table = _effects_table(
            pairs[rank <= k], seed=seed, n_boot=n_boot, level=level, reference=reference
        )
        frames.append(table[table["n_seeds"] == k])
    out = pd.concat(frames, ignore_index=True)
    out = out[out["effect"].isin(wanted)]
    out = out.assign(ci_width=out["ci_high"] - out["ci_low"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = out.assign(relative_width=out["ci_width"] / out["mean"].abs())
    columns = [*groups, "effect", "unit", "n_seeds", "mean", "ci_low", "ci_high", "ci_width"]
    out = out[[*columns, "relative_width"]].sort_values(
        [*groups, "effect", "n_seeds"], kind="stable"
    )
    out = out.reset_index(drop=True)
    out.attrs = {**daily.attrs, "level": level}
    return out
