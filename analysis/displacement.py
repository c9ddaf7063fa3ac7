"""Displacement: how a policy shifts the mix of fraud types, channels and activity abroad.

Gangs answer a policy by moving: to other fraud types, other channels, dens abroad. For each
policy scenario the reported days are split at its first lever start, and the share of each
category is compared before and after it, against the reference split at the same date: a
difference in differences per seed pair (:mod:`analysis.pairs`), averaged over seeds with a
percentile bootstrap interval (:mod:`analysis.bootstrap`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.bootstrap import bootstrap_means, check_bootstrap, group_label, group_rng
from analysis.columns import group_columns, leading_group_columns
from analysis.pairs import check_reference, pair_keys
from simulation.errors import FraudsimError

__all__ = ["displacement"]


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
            (:func:`analysis.manifests.policy_starts`; ``None`` skips a scenario without
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
    check_bootstrap(n_boot, level, seed)
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
        check_reference(frame, reference)
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
    keys = pair_keys(wide, reference)
    ref = wide.loc[wide["scenario"] == reference, [*keys, "category", "before", "after", "change"]]
    ref = ref.rename(columns={c: f"reference_{c}" for c in ("before", "after", "change")})
    pol = wide[wide["scenario"] == scenario]
    pairs = pol.merge(ref, on=[*keys, "category"], how="inner")
    if no_before:
        pairs = pairs.assign(did=pairs["after"] - pairs["reference_after"])
    else:
        pairs = pairs.assign(did=pairs["change"] - pairs["reference_change"])
    groups = leading_group_columns(pol)
    rows = []
    for values, group in pairs.groupby([*groups, "category"], sort=False, dropna=False):
        valid = group["did"].dropna().to_numpy(dtype=float)
        label = group_label([*groups, "dimension"], [*values, dimension])
        if valid.size >= 2:
            rng = group_rng(seed, label)
            interval = bootstrap_means(valid, rng=rng, n_boot=n_boot, level=level)
            low, high = (float(b) for b in interval.confidence_interval)
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
