"""Police effort per lever: what each scenario costs in officer-hours beyond the reference.

The model records the officer-hours each lever uses per day (``effort_<lever>_hours``). Summed
over the comparison window and paired by seed with the reference (:mod:`analysis.pairs`), they
say which lever of a scenario its extra effort goes to.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.columns import effort_columns, leading_group_columns, lever_of
from analysis.pairs import check_reference, pair_keys, run_totals

__all__ = ["effort_by_lever"]


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
    check_reference(daily, reference)
    totals = run_totals(daily, start=start, end=end)
    effort = effort_columns(totals)
    keys = pair_keys(totals, reference)
    ref = totals.loc[totals["scenario"] == reference, [*keys, *effort]]
    pairs = totals[totals["scenario"] != reference].merge(
        ref, on=keys, how="inner", suffixes=("", "_reference")
    )
    groups = leading_group_columns(totals)
    rows = []
    for values, group in pairs.groupby(groups, sort=False, dropna=False):
        for column in effort:
            hours = float(group[column].mean())
            base = float(group[f"{column}_reference"].mean())
            if hours or base:
                rows.append(
                    dict(zip(groups, values))
                    | {
                        "lever": lever_of(column),
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
