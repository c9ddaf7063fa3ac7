"""Policy comparison against a reference scenario, paired by seed.

Runs of two scenarios with the same seed share every random stream a policy does not touch
(see :mod:`simulation.streams`), so the difference between them shows the policy, not noise.
Every effect here is therefore computed per seed, as the difference between a policy run and
the reference run with the same seed (and the same values of any other varied parameter), and
then summarised over seeds:

- the mean of the paired differences;
- a percentile bootstrap confidence interval: seeds are resampled with replacement, and the
  statistic recomputed on each resample (ratios are ratios of resampled means, so numerator and
  denominator are resampled together);
- relative effects: the mean difference over the reference's mean.

Effects are reported as *averted* amounts (reference minus policy), so a policy that prevents
fraud has a positive effect. Units are those of the input frame: pass a frame made national by
:func:`analysis.summaries.national` to get national equivalents (ratios such as cases averted
per 1,000 officer-hours are the same in both).

The bootstrap draws from ``numpy.random.Generator`` s seeded with the caller's ``seed`` and a
stable hash of the group (scenario and parameter values), so each scenario's interval is
reproducible and does not change when other scenarios are added to the table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.summaries import add_net_loss, group_columns
from simulation.errors import FraudsimError
from simulation.streams import stable_hash

__all__ = [
    "EFFECTS",
    "Effect",
    "bootstrap_ci",
    "compare_policies",
    "displacement",
    "effort_by_lever",
    "paired_runs",
    "run_totals",
    "seeds_enough",
]

EFFORT_PREFIX, EFFORT_SUFFIX = "effort_", "_hours"
_TOTALS = ("cases", "loss_yuan", "recovered_yuan", "net_loss_yuan", "effort_hours")


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


def _effort_columns(frame: pd.DataFrame) -> list[str]:
    # The per-lever columns only, not their total ``effort_hours``.
    return [
        str(c)
        for c in frame.columns
        if str(c).startswith(EFFORT_PREFIX)
        and str(c).endswith(EFFORT_SUFFIX)
        and str(c) != "effort_hours"
    ]


def _check_reference(frame: pd.DataFrame, reference: str) -> None:
    names = [str(s) for s in frame["scenario"].unique()]
    if reference not in names:
        raise FraudsimError(
            f"The 'reference' parameter must be a scenario of the results, one of {names}. "
            f"Got {reference!r} instead."
        )
    if len(names) < 2:
        raise FraudsimError(
            f"A comparison needs at least one scenario besides the reference {reference!r}; "
            f"the results hold only {names}."
        )


def _window(
    frame: pd.DataFrame, start: dt.date | str | None, end: dt.date | str | None
) -> pd.DataFrame:
    dates = pd.to_datetime(frame["date"])
    keep = np.ones(len(frame), dtype=bool)
    if start is not None:
        keep &= (dates >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        keep &= (dates <= pd.Timestamp(end)).to_numpy()
    if not keep.any():
        raise FraudsimError(
            f"No reported day lies between start={start!s} and end={end!s}: nothing to compare."
        )
    return frame.loc[keep]


def run_totals(
    daily: pd.DataFrame,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Totals over the reported days (or a window of them) per run.

    Args:
        daily: tidy daily frame (``scenario``, ``seed``, parameters, ``date``, contract columns).
        start: first day to include (default: the first reported day).
        end: last day to include, inclusive (default: the last reported day).

    Returns:
        One row per run: ``scenario``, parameters, ``seed``, then the sums of ``cases``,
        ``loss_yuan``, ``recovered_yuan``, ``net_loss_yuan`` (gross minus recovered), every
        ``effort_<lever>_hours`` column and their total ``effort_hours``, in the frame's units.

    Raises:
        FraudsimError: if a needed column is missing or the window holds no day.
    """
    needed = ["scenario", "seed", "date", "cases", "loss_yuan", "recovered_yuan"]
    missing = [c for c in needed if c not in daily.columns]
    if missing:
        raise FraudsimError(
            f"The 'daily' frame must have the columns {needed}. Missing {missing} "
            f"(got {list(daily.columns)})."
        )
    frame = add_net_loss(_window(daily, start, end))
    effort = _effort_columns(frame)
    frame = frame.assign(effort_hours=frame[effort].sum(axis=1) if effort else 0.0)
    keys = [*group_columns(daily), "seed"]
    values = ["cases", "loss_yuan", "recovered_yuan", "net_loss_yuan", *effort, "effort_hours"]
    out = frame.groupby(keys, sort=False, dropna=False)[values].sum().reset_index()
    out.attrs = dict(daily.attrs)
    return out


def _groups(frame: pd.DataFrame) -> list[str]:
    # Frames built here put the group columns (scenario, parameters) first, then ``seed``;
    # reading them by position keeps derived columns from being mistaken for parameters.
    return [str(c) for c in frame.columns[: frame.columns.get_loc("seed")]]


def _pair_keys(frame: pd.DataFrame, reference: str) -> list[str]:
    # Pair on the seed and on every varied parameter the reference itself varies; a parameter
    # the reference leaves blank (varied only for other scenarios) cannot pair anything.
    ref = frame[frame["scenario"] == reference]
    params = [p for p in _groups(frame)[1:] if ref[p].notna().any()]
    return ["seed", *params]


def paired_runs(
    daily: pd.DataFrame,
    reference: str,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Each policy run beside the reference run with the same seed, and their differences.

    Args:
        daily: tidy daily frame of several scenarios run with the same seeds.
        reference: name of the reference scenario (usually ``no_intervention``).
        start: first day of the comparison window (default: first reported day).
        end: last day of the window, inclusive (default: last reported day).

    Returns:
        One row per policy run with a reference partner: ``scenario``, parameters, ``seed``;
        the policy's totals (``cases``, ``loss_yuan``, ``recovered_yuan``, ``net_loss_yuan``,
        ``effort_hours``), the reference's as ``reference_<total>``, and the paired
        differences ``cases_averted``, ``losses_averted_gross_yuan``,
        ``losses_averted_net_yuan`` (reference minus policy) and ``extra_effort_hours``
        (policy minus reference).

    Raises:
        FraudsimError: if ``reference`` is not a scenario of ``daily``, there is nothing to
            compare it with, or no policy run has a reference run with the same seed.
    """
    _check_reference(daily, reference)
    totals = run_totals(daily, start=start, end=end)
    keys = _pair_keys(totals, reference)
    ref = totals.loc[totals["scenario"] == reference, [*keys, *_TOTALS]]
    ref = ref.rename(columns={c: f"reference_{c}" for c in _TOTALS})
    policy = totals[totals["scenario"] != reference]
    pairs = policy.merge(ref, on=keys, how="inner")
    if pairs.empty:
        raise FraudsimError(
            f"No run has a partner in the reference {reference!r} with the same {keys}: "
            "run every scenario with the same seeds."
        )
    pairs = pairs.assign(
        cases_averted=pairs["reference_cases"] - pairs["cases"],
        losses_averted_gross_yuan=pairs["reference_loss_yuan"] - pairs["loss_yuan"],
        losses_averted_net_yuan=pairs["reference_net_loss_yuan"] - pairs["net_loss_yuan"],
        extra_effort_hours=pairs["effort_hours"] - pairs["reference_effort_hours"],
    )
    columns = [*_groups(totals), "seed", *_TOTALS, *(f"reference_{c}" for c in _TOTALS)]
    columns += ["cases_averted", "losses_averted_gross_yuan", "losses_averted_net_yuan"]
    columns += ["extra_effort_hours"]
    out = pairs[columns].sort_values([*_groups(totals), "seed"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs = dict(daily.attrs)
    return out


def _check_bootstrap(n_boot: int, level: float, seed: int) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 1:
        raise FraudsimError(
            f"The 'n_boot' parameter must be an integer >= 1. Got {n_boot!r} instead."
        )
    if not (isinstance(level, numbers.Real) and 0.0 < level < 1.0):
        raise FraudsimError(
            f"The 'level' parameter must be a number strictly between 0 and 1. "
            f"Got {level!r} instead."
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise FraudsimError(f"The 'seed' parameter must be an integer >= 0. Got {seed!r} instead.")


def _rng(seed: int, label: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), stable_hash(label)])


def _percentiles(samples: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0 * 100.0
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return (np.nan, np.nan)
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int,
    n_boot: int = 2000,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Mean and percentile bootstrap confidence interval of the mean of paired differences.

    Args:
        values: one paired difference per seed (policy run vs reference run).
        seed: seed of the bootstrap's ``numpy.random.Generator`` (integer >= 0).
        n_boot: bootstrap resamples (>= 1).
        level: confidence level (0 to 1, default 0.95 for a 95 % interval).

    Returns:
        ``(mean, low, high)``. With fewer than two values the interval is ``(nan, nan)``:
        one seed says nothing about the spread over seeds.

    Raises:
        FraudsimError: if ``n_boot``, ``level`` or ``seed`` is out of range.
    """
    _check_bootstrap(n_boot, level, seed)
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size < 2:
        return (mean, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    low, high = _percentiles(x[idx].mean(axis=1), level)
    return (mean, low, high)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(denominator > 0, out, np.nan)


def _group_effects(
    pairs: pd.DataFrame, label: str, *, seed: int, n_boot: int, level: float
) -> list[dict[str, Any]]:
    n = len(pairs)
    col = {c: pairs[c].to_numpy(dtype=float) for c in pairs.columns if c in _NUMERIC_PAIRS}
    idx = _rng(seed, label).integers(0, n, size=(n_boot, n)) if n >= 2 else None

    def resampled(x: np.ndarray) -> np.ndarray:
        return x[idx].mean(axis=1) if idx is not None else np.array([np.nan])

    rows = []
    few = "one seed: no interval" if n < 2 else ""
    for name, ref_name in (
        ("cases_averted", "reference_cases"),
        ("losses_averted_gross_yuan", "reference_loss_yuan"),
        ("losses_averted_net_yuan", "reference_net_loss_yuan"),
    ):
        d, r = col[name], col[ref_name]
        boot_d, boot_r = resampled(d), resampled(r)
        low, high = _percentiles(boot_d, level) if idx is not None else (np.nan, np.nan)
        rel = float(_ratio(np.array([d.mean()]), np.array([r.mean()]))[0])
        rel_low, rel_high = (
            _percentiles(_ratio(boot_d, boot_r), level) if idx is not None else (np.nan, np.nan)
        )
        note = few or ("" if r.mean() > 0 else "reference total is 0: no relative effect")
        rows.append(
            {
                "effect": name,
                "reference_mean": float(r.mean()),
                "mean": float(d.mean()),
                "ci_low": low,
                "ci_high": high,
                "relative": rel,
                "relative_low": rel_low,
                "relative_high": rel_high,
                "note": note,
            }
        )
    e, d = col["extra_effort_hours"], col["cases_averted"]
    boot_e = resampled(e)
    low, high = _percentiles(boot_e, level) if idx is not None else (np.nan, np.nan)
    rows.append(
        {
            "effect": "extra_effort_hours",
            "reference_mean": float(col["reference_effort_hours"].mean()),
            "mean": float(e.mean()),
            "ci_low": low,
            "ci_high": high,
            "relative": np.nan,
            "relative_low": np.nan,
            "relative_high": np.nan,
            "note": few or ("no extra police effort recorded" if not np.any(e != 0) else ""),
        }
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
        boot = 1000.0 * _ratio(resampled(d), boot_e)
        low, high = _percentiles(boot, level) if idx is not None else (np.nan, np.nan)
        note = few
    rows.append(
        {
            "effect": "cases_averted_per_1000_officer_hours",
            "reference_mean": np.nan,
            "mean": float(per_hour),
            "ci_low": low,
            "ci_high": high,
            "relative": np.nan,
            "relative_low": np.nan,
            "relative_high": np.nan,
            "note": note,
        }
    )
    return rows


_NUMERIC_PAIRS = {
    *_TOTALS,
    *(f"reference_{c}" for c in _TOTALS),
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


def _group_label(keys: Sequence[str], values: Sequence[Any]) -> str:
    return "|".join(f"{k}={v}" for k, v in zip(keys, values))


def _effects_table(
    pairs: pd.DataFrame, *, seed: int, n_boot: int, level: float, reference: str
) -> pd.DataFrame:
    groups = _groups(pairs)
    rows = []
    for values, group in pairs.groupby(groups, sort=False, dropna=False):
        label = _group_label(groups, values)
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
    _check_bootstrap(n_boot, level, seed)
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
    _check_bootstrap(n_boot, level, seed)
    wanted = list(EFFECTS if effects is None else effects)
    unknown = [e for e in wanted if e not in EFFECTS]
    if unknown:
        raise FraudsimError(
            f"The 'effects' parameter must name effects among {list(EFFECTS)}. "
            f"Got {unknown} instead."
        )
    pairs = paired_runs(daily, reference, start=start, end=end)
    groups = _groups(pairs)
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


def effort_by_lever(
    daily: pd.DataFrame,
    reference: str,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Mean extra police effort per lever of each scenario over the reference (officer-hours).

    Args:
        daily: tidy daily frame with ``effort_<lever>_hours`` columns.
        reference: name of the reference scenario.
        start: first day of the window.
        end: last day of the window, inclusive.

    Returns:
        One row per group and lever with any effort: group columns, ``lever``,
        ``effort_hours`` (mean over seeds of the policy runs' effort), ``reference_hours``
        (mean over the same seeds of the reference runs') and ``extra_hours`` (their
        difference), in the frame's units.
    """
    _check_reference(daily, reference)
    totals = run_totals(daily, start=start, end=end)
    effort = _effort_columns(totals)
    keys = _pair_keys(totals, reference)
    ref = totals.loc[totals["scenario"] == reference, [*keys, *effort]]
    pairs = totals[totals["scenario"] != reference].merge(
        ref, on=keys, how="inner", suffixes=("", "_reference")
    )
    groups = _groups(totals)
    rows = []
    for values, group in pairs.groupby(groups, sort=False, dropna=False):
        for column in effort:
            hours = float(group[column].mean())
            base = float(group[f"{column}_reference"].mean())
            if hours or base:
                lever = column[len(EFFORT_PREFIX) : -len(EFFORT_SUFFIX)]
                rows.append(
                    dict(zip(groups, values))
                    | {
                        "lever": lever,
                        "effort_hours": hours,
                        "reference_hours": base,
                        "extra_hours": hours - base,
                    }
                )
    out = pd.DataFrame(
        rows, columns=[*groups, "lever", "effort_hours", "reference_hours", "extra_hours"]
    )
    out.attrs = dict(daily.attrs)
    return out


# --- displacement ------------------------------------------------------------------------------

_DIMENSIONS = {"by_type": "fraud_type", "by_channel": "channel"}


def _starts_for(
    starts: Mapping[str, Any] | dt.date | str | pd.Timestamp, scenarios: Sequence[str]
) -> dict[str, pd.Timestamp | None]:
    if isinstance(starts, Mapping):
        missing = [s for s in scenarios if s not in starts]
        if missing:
            raise FraudsimError(
                f"The 'starts' parameter must give a start date for every policy scenario "
                f"(None for one without levers). Missing {missing}."
            )
        return {s: (None if starts[s] is None else pd.Timestamp(starts[s])) for s in scenarios}
    return dict.fromkeys(scenarios, pd.Timestamp(starts))


def _window_shares(
    frame: pd.DataFrame, category: str | None, measure: str, split: pd.Timestamp
) -> pd.DataFrame:
    """Per run, window (before/after ``split``) and category: the share of ``measure``."""
    keys = [*group_columns(frame), "seed"]
    window = np.where(pd.to_datetime(frame["date"]) < split, "before", "after")
    work = frame.assign(window=window)
    if category is None:
        # Overseas share of contacts: weight each day's share by that day's contacts; on days
        # without contacts the column holds the share of gangs abroad, so fall back to a plain
        # mean when a whole window has no contacts.
        work = work.assign(_abroad=work["overseas_share"] * work["contacts"])
        sums = work.groupby([*keys, "window"], sort=False, dropna=False).agg(
            abroad=("_abroad", "sum"),
            contacts=("contacts", "sum"),
            plain=("overseas_share", "mean"),
        )
        share = np.where(
            sums["contacts"] > 0,
            sums["abroad"] / sums["contacts"].where(sums["contacts"] > 0),
            sums["plain"],
        )
        out = sums.assign(share=share, category="abroad")[["category", "share"]].reset_index()
        return out
    totals = work.groupby([*keys, "window", category], sort=False, dropna=False)[measure].sum()
    denominators = totals.groupby(level=[*keys, "window"], sort=False, dropna=False).transform(
        "sum"
    )
    share = (totals / denominators.where(denominators > 0)).rename("share").reset_index()
    return share.rename(columns={category: "category"})


def displacement(
    reference: str,
    starts: Mapping[str, Any] | dt.date | str,
    *,
    by_type: pd.DataFrame | None = None,
    by_channel: pd.DataFrame | None = None,
    daily: pd.DataFrame | None = None,
    type_measure: str = "cases",
    channel_measure: str = "contacts",
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> pd.DataFrame:
    """Displacement: how each policy shifts the mix of fraud types, channels and activity abroad.

    For each policy scenario the reported days are split at its start date. In each window
    and run, the share of each fraud type (of ``type_measure``, from ``by_type``), of each
    channel (of ``channel_measure``, from ``by_channel``) and of contacts made from abroad
    (``overseas_share`` weighted by ``contacts``, from ``daily``) is computed; the reference's
    runs are split at the *same* date, so that trends both share cancel out. The displacement
    is a difference in differences, per seed pair:
    ``(after - before)[policy] - (after - before)[reference]``, then averaged over seeds with
    a percentile bootstrap interval. A policy acting from the first reported day has no
    'before' window; its displacement is then ``after[policy] - after[reference]`` (the
    note says so).

    Args:
        reference: name of the reference scenario.
        starts: the split date of each policy scenario, as a mapping from scenario name to date
            (:func:`analysis.summaries.policy_starts`; ``None`` skips a scenario without
            levers), or one date for all.
        by_type: tidy ``by_type`` long table (optional).
        by_channel: tidy ``by_channel`` long table (optional).
        daily: tidy daily frame, for the overseas share (optional).
        type_measure: ``by_type`` column whose mix is compared (default ``"cases"``).
        channel_measure: ``by_channel`` column whose mix is compared (default ``"contacts"``,
            what gangs choose).
        seed: bootstrap seed (integer >= 0).
        n_boot: bootstrap resamples (>= 1).
        level: confidence level (0 to 1).

    Returns:
        One row per policy scenario (and parameter setting), dimension and category:
        group columns, ``dimension`` (``fraud_type``, ``channel`` or ``overseas``),
        ``category``, ``measure``, ``start``, ``n_seeds``, the policy's mean shares
        ``before`` and ``after`` and their ``change``, the reference's
        ``reference_before``, ``reference_after`` and ``reference_change``, then
        ``displacement`` (mean difference in differences, share points on the 0-1 scale),
        ``ci_low``, ``ci_high`` and ``note``. A positive displacement means the policy raised
        that category's share relative to the reference.

    Raises:
        FraudsimError: if no table is given, the reference is unknown, or a start is missing.
    """
    _check_bootstrap(n_boot, level, seed)
    sources = [
        (name, frame, _DIMENSIONS[name], measure)
        for name, frame, measure in (
            ("by_type", by_type, type_measure),
            ("by_channel", by_channel, channel_measure),
        )
        if frame is not None
    ]
    if daily is not None:
        sources.append(("daily", daily, None, "contacts"))
    if not sources:
        raise FraudsimError("displacement needs at least one of by_type, by_channel or daily.")
    rows: list[dict[str, Any]] = []
    for _, frame, category, measure in sources:
        _check_reference(frame, reference)
        column = "overseas_share" if category is None else measure
        if column not in frame.columns:
            raise FraudsimError(f"The table has no column {column!r} to compute shares of.")
        policies = [s for s in frame["scenario"].unique() if s != reference]
        splits = _starts_for(starts, policies)
        for scenario in policies:
            split = splits[scenario]
            if split is None:
                continue
            sub = frame[frame["scenario"].isin([scenario, reference])]
            rows.extend(
                _displacement_rows(
                    sub,
                    scenario,
                    reference,
                    category,
                    measure,
                    split,
                    seed=seed,
                    n_boot=n_boot,
                    level=level,
                )
            )
    out = pd.DataFrame(rows)
    out.attrs = {"level": level, "n_boot": n_boot, "seed": seed}
    return out


def _displacement_rows(
    frame: pd.DataFrame,
    scenario: str,
    reference: str,
    category: str | None,
    measure: str,
    split: pd.Timestamp,
    *,
    seed: int,
    n_boot: int,
    level: float,
) -> list[dict[str, Any]]:
    dimension = "overseas" if category is None else category
    measure_name = "contacts" if category is None else measure
    dates = pd.to_datetime(frame["date"])
    note = ""
    no_before = not (dates < split).any()
    if no_before:
        # The lever acts from the first reported day. With common random numbers the runs
        # would be identical before it, so the difference in differences reduces to the
        # difference in shares over the whole period, which is what is reported.
        note = (
            "the policy acts from the first reported day: displacement is the difference in "
            "shares over the whole period"
        )
    elif not (dates >= split).any():
        note = "the policy starts after the last reported day: no 'after' window"
    shares = _window_shares(frame, category, measure, split)
    wide = shares.pivot_table(
        index=[c for c in shares.columns if c not in ("window", "share")],
        columns="window",
        values="share",
        dropna=False,
    )
    for window in ("before", "after"):
        if window not in wide.columns:
            wide[window] = np.nan
    wide = wide.reset_index()
    wide = wide.assign(change=wide["after"] - wide["before"])
    keys = _pair_keys(wide, reference)
    ref = wide.loc[wide["scenario"] == reference, [*keys, "category", "before", "after", "change"]]
    ref = ref.rename(columns={c: f"reference_{c}" for c in ("before", "after", "change")})
    pol = wide[wide["scenario"] == scenario]
    pairs = pol.merge(ref, on=[*keys, "category"], how="inner")
    if no_before:
        pairs = pairs.assign(did=pairs["after"] - pairs["reference_after"])
    else:
        pairs = pairs.assign(did=pairs["change"] - pairs["reference_change"])
    groups = _groups(pol)
    rows = []
    for values, group in pairs.groupby([*groups, "category"], sort=False, dropna=False):
        valid = group["did"].dropna().to_numpy(dtype=float)
        label = _group_label([*groups, "dimension"], [*values, dimension])
        if valid.size >= 2:
            idx = _rng(seed, label).integers(0, valid.size, size=(n_boot, valid.size))
            low, high = _percentiles(valid[idx].mean(axis=1), level)
        else:
            low, high = np.nan, np.nan
        few = "" if valid.size >= 2 else "fewer than two seed pairs with shares: no interval"
        row_note = "; ".join(n for n in (note, few) if n)
        rows.append(
            dict(zip([*groups, "category"], values))
            | {
                "dimension": dimension,
                "measure": measure_name,
                "start": split,
                "n_seeds": int(valid.size),
                "before": float(group["before"].mean()),
                "after": float(group["after"].mean()),
                "change": float(group["change"].mean()),
                "reference_before": float(group["reference_before"].mean()),
                "reference_after": float(group["reference_after"].mean()),
                "reference_change": float(group["reference_change"].mean()),
                "displacement": float(valid.mean()) if valid.size else np.nan,
                "ci_low": low,
                "ci_high": high,
                "note": row_note,
            }
        )
    order = [*groups, "dimension", "category", "measure", "start", "n_seeds"]
    return [{k: r[k] for k in order} | {k: v for k, v in r.items() if k not in order} for r in rows]
