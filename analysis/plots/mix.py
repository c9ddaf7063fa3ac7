"""The mix of fraud types or channels over time: stacked shares, one scenario per figure."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.plots.labels import pretty
from analysis.plots.lever_marks import LeverStarts, mark_levers
from analysis.plots.styles import HATCHES, MIX_COLOURS, new_axes
from simulation.errors import FraudsimError

__all__ = ["plot_mix", "plot_type_mix"]


def plot_mix(
    table: pd.DataFrame,
    category: str,
    *,
    scenario: str,
    measure: str = "cases",
    ax: Axes | None = None,
    lever_starts: LeverStarts = None,
    period: str = "auto",
) -> Figure:
    """Stacked areas of each category's share of ``measure`` per month (or week), one scenario.

    Totals per period are averaged over seeds before shares are taken, so periods with few
    cases in one seed do not swing the mix.

    Args:
        table: a tidy daily long table (``by_type`` or ``by_channel``).
        category: its category column (``"fraud_type"`` or ``"channel"``).
        scenario: the scenario to draw.
        measure: the value column whose mix is drawn (default ``"cases"``).
        ax: axes to draw on; default a new figure.
        lever_starts: lever start dates to mark (as in :func:`plot_outcome_curves`).
        period: ``"month"``, ``"week"``, or ``"auto"`` (months if the table spans at least
            three calendar months, else weeks: a stack needs several points).

    Returns:
        The figure: one hatched, coloured area per category, stacked to 1.

    Raises:
        FraudsimError: if the scenario, category, measure or period is not valid.
    """
    for column in (category, measure):
        if column not in table.columns:
            raise FraudsimError(f"The table has no column {column!r}.")
    data = table[table["scenario"] == scenario]
    if data.empty:
        raise FraudsimError(
            f"The 'scenario' parameter must be a scenario of the table, one of "
            f"{list(dict.fromkeys(table['scenario']))}. Got {scenario!r} instead."
        )
    dates = pd.to_datetime(data["date"])
    if period == "auto":
        period = "month" if dates.dt.to_period("M").nunique() >= 3 else "week"
    if period not in ("month", "week"):
        raise FraudsimError(
            f"The 'period' parameter must be 'month', 'week' or 'auto'. Got {period!r} instead."
        )
    start = dates.dt.to_period("M" if period == "month" else "W").dt.start_time
    runs = [c for c in ("run_id", "seed") if c in data.columns]
    totals_per_run = (
        data.assign(date=start).groupby([*runs, "date", category], sort=False)[measure].sum()
    )
    mean = totals_per_run.groupby(["date", category], sort=False).mean().unstack(category)
    mean = mean.sort_index()
    order = list(data[category].unique())
    mean = mean[order]
    totals = mean.sum(axis=1)
    shares = mean.div(totals.where(totals > 0), axis=0).fillna(0.0)
    fig, ax = new_axes(ax, (9.0, 4.5))
    ax.stackplot(
        shares.index,
        *(shares[c].to_numpy() for c in order),
        labels=[str(c).replace("_", " ") for c in order],
        colors=[MIX_COLOURS[i % len(MIX_COLOURS)] for i in range(len(order))],
        hatch=[HATCHES[i % len(HATCHES)] for i in range(len(order))],
        edgecolor="white",
        linewidth=0.4,
    )
    # Black lines: a scenario colour could vanish against an area of the same colour.
    styles = {scenario: {"color": "black"}}
    mark_levers(ax, lever_starts, [scenario], styles, shares.index.min(), shares.index.max())
    if len(shares) > 1:
        ax.set_xlim(shares.index.min(), shares.index.max())
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel(f"{period} (start)")
    ax.set_ylabel(f"share of {pretty(measure)} per {period} (0-1), mean over seeds")
    ax.set_title(f"{scenario}: {category.replace('_', ' ')} mix", loc="left", fontsize=10)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, reverse=True)
    return fig


def plot_type_mix(
    by_type: pd.DataFrame,
    *,
    scenario: str,
    measure: str = "cases",
    ax: Axes | None = None,
    lever_starts: LeverStarts = None,
) -> Figure:
    """Fraud-type mix over time for one scenario (stacked monthly shares of ``measure``).

    See :func:`plot_mix`; ``by_type`` is the tidy ``by_type`` table.
    """
    return plot_mix(
        by_type,
        "fraud_type",
        scenario=scenario,
        measure=measure,
        ax=ax,
        lever_starts=lever_starts,
    )
