"""Runs paired by seed: totals per run, and each policy run beside its reference run.

Runs of two scenarios with the same seed share every random stream a policy does not touch
(see :mod:`simulation.streams`), so the difference between them shows the policy, not noise.
A policy run is therefore paired with the reference run that has the same seed and the same
values of any other varied parameter; effects (:mod:`analysis.effects`), police effort
(:mod:`analysis.effort`) and displacement (:mod:`analysis.displacement`) are all computed
over such pairs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.columns import (
    effort_columns,
    group_columns,
    leading_group_columns,
    require_columns,
)
from analysis.summaries import add_net_loss
from simulation.errors import FraudsimError

__all__ = ["TOTALS", "check_reference", "pair_keys", "paired_runs", "run_totals"]

TOTALS: tuple[str, ...] = ("cases", "loss_yuan", "recovered_yuan", "net_loss_yuan", "effort_hours")
"""The totals of a run that :func:`paired_runs` sets beside the reference's."""


def check_reference(frame: pd.DataFrame, reference: str) -> None:
    """Refuse a reference that is not a scenario of ``frame``, or a frame with nothing else.

    Raises:
        FraudsimError: naming the scenarios the frame holds.
    """
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
    require_columns(daily, needed, "'daily'")
    frame = add_net_loss(_window(daily, start, end))
    effort = effort_columns(frame)
    frame = frame.assign(effort_hours=frame[effort].sum(axis=1) if effort else 0.0)
    keys = [*group_columns(daily), "seed"]
    values = ["cases", "loss_yuan", "recovered_yuan", "net_loss_yuan", *effort, "effort_hours"]
    out = frame.groupby(keys, sort=False, dropna=False)[values].sum().reset_index()
    out.attrs = dict(daily.attrs)
    return out


def pair_keys(frame: pd.DataFrame, reference: str) -> list[str]:
    """The columns a policy run and its reference run share: the seed and common parameters.

    Pairs are matched on the seed and on every varied parameter the reference itself varies;
    a parameter the reference leaves blank (varied only for other scenarios) cannot pair
    anything.

    Args:
        frame: a derived table with the group columns first, then ``seed``.
        reference: the reference scenario.

    Returns:
        ``["seed", *parameters]``.
    """
    ref = frame[frame["scenario"] == reference]
    params = [p for p in leading_group_columns(frame)[1:] if ref[p].notna().any()]
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
    check_reference(daily, reference)
    totals = run_totals(daily, start=start, end=end)
    keys = pair_keys(totals, reference)
    ref = totals.loc[totals["scenario"] == reference, [*keys, *TOTALS]]
    ref = ref.rename(columns={c: f"reference_{c}" for c in TOTALS})
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
    groups = leading_group_columns(totals)
    columns = [*groups, "seed", *TOTALS, *(f"reference_{c}" for c in TOTALS)]
    columns += ["cases_averted", "losses_averted_gross_yuan", "losses_averted_net_yuan"]
    columns += ["extra_effort_hours"]
    out = pairs[columns].sort_values([*groups, "seed"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs = dict(daily.attrs)
    return out
