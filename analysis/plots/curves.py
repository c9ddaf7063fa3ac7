"""Outcomes over time: the median over seeds with its band, lever starts marked.

Each curve is the median of a quantity over the seeds of a scenario (or a group of a sweep),
with a shaded band between two quantiles (:func:`analysis.summaries.seed_bands`), on a date
axis marked with the levers' start dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.columns import CATEGORY_COLUMNS
from analysis.plots.labels import pretty, quantity_label, series_labels, shared_label
from analysis.plots.lever_marks import LeverStarts, mark_levers
from analysis.plots.styles import LEVER_COLOUR, format_numbers, new_axes, scenario_styles
from simulation.errors import FraudsimError

__all__ = ["plot_market_and_abroad", "plot_outcome_curves", "plot_quantities"]


def _band_columns(bands: pd.DataFrame) -> tuple[str, str]:
    found = sorted(c for c in bands.columns if re.fullmatch(r"p\d\d", str(c)))
    if len(found) != 2 or "median" not in bands.columns:
        raise FraudsimError(
            "The 'bands' frame must come from analysis.summaries.seed_bands (columns median, "
            f"pNN, pNN). Got {list(bands.columns)} instead."
        )
    return found[0], found[1]


def _filter(frame: pd.DataFrame, where: Mapping[str, Any] | None) -> pd.DataFrame:
    for column, value in (where or {}).items():
        if column not in frame.columns:
            raise FraudsimError(f"The 'where' filter names {column!r}, not a column of the table.")
        frame = frame[frame[column] == value]
    return frame


def _draw_band(
    ax: Axes,
    part: pd.DataFrame,
    band: tuple[str, str],
    *,
    label: str,
    style: Mapping[str, Any],
    n_points: int,
) -> None:
    # The shaded band first, so that the median line stays on top of it.
    dates = pd.to_datetime(part["date"])
    ax.fill_between(dates, part[band[0]], part[band[1]], color=style["color"], alpha=0.2, lw=0)
    ax.plot(
        dates,
        part["median"],
        label=label,
        markevery=max(1, n_points // 8),
        markersize=4,
        linewidth=1.6,
        **style,
    )


def _finish_time_axes(ax: Axes, freq: str, ylabel: str, values: Any) -> None:
    ax.set_xlabel("month" if freq == "month" else "date")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    format_numbers(ax.yaxis, values)


def _band_legend(ax: Axes, who: str, band: tuple[str, str]) -> None:
    ax.legend(
        title=f"{who}: median,\n{band[0][1:]}-{band[1][1:]} % band over seeds",
        title_fontsize=8,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )


def plot_outcome_curves(
    bands: pd.DataFrame,
    quantity: str,
    *,
    ax: Axes | None = None,
    scenarios: Sequence[str] | None = None,
    lever_starts: LeverStarts = None,
    where: Mapping[str, Any] | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    legend: bool = True,
    label_levers: bool = True,
) -> Figure:
    """Median outcome over seeds with its band, one curve per scenario, lever starts marked.

    Args:
        bands: output of :func:`analysis.summaries.seed_bands` (daily or monthly).
        quantity: the value column to draw (``"cases"``, ``"card_price_yuan"``...).
        ax: axes to draw on; default a new figure.
        scenarios: scenarios to draw, in legend order (default: all, in table order); this
            order also fixes their colours and line styles.
        lever_starts: lever start dates to mark with a labelled vertical line: a mapping from
            scenario to ``[(label, date), ...]`` (:func:`analysis.manifests.lever_starts`;
            only the drawn scenarios' levers are marked) or one list of ``(label, date)``.
        where: filter for long-table bands, e.g. ``{"fraud_type": "rebate"}``.
        ylabel: y-axis label (default from the column contract, ``attrs["units"]`` and
            ``attrs["freq"]``).
        title: axes title (default: none).
        legend: draw the legend (outside the axes, on the right).
        label_levers: write each lever's name along its vertical line.

    Returns:
        The figure: one line (median) and one shaded band (``pNN`` to ``pNN``) per scenario,
        one dashed vertical line per lever start date inside the period.

    Raises:
        FraudsimError: if ``quantity`` is not in the bands, or long-table bands are not
            filtered to one category.
    """
    band = _band_columns(bands)
    data = _filter(bands[bands["quantity"] == quantity], where)
    if data.empty:
        raise FraudsimError(
            f"The 'quantity' parameter must be a quantity of the bands, one of "
            f"{sorted(bands['quantity'].unique())}. Got {quantity!r} instead."
        )
    cats = [c for c in CATEGORY_COLUMNS if c in data.columns and data[c].nunique() > 1]
    if cats:
        raise FraudsimError(
            f"These bands are split by {cats}: pass where={{{cats[0]!r}: ...}} to draw one."
        )
    data = data.assign(_label=series_labels(data))
    names = [str(n) for n in data["_label"].unique()]
    if scenarios is not None:
        names = [n for n in names if n in scenarios or n.split(",")[0] in scenarios]
        names.sort(key=lambda n: list(scenarios).index(n.split(",")[0]))
    styles = scenario_styles(names)
    fig, ax = new_axes(ax)
    n_points = data["date"].nunique()
    for name in names:
        part = data[data["_label"] == name].sort_values("date")
        _draw_band(ax, part, band, label=name, style=styles[name], n_points=n_points)
    dates = pd.to_datetime(data["date"])
    mark_levers(
        ax,
        lever_starts,
        [n.split(",")[0] for n in names],
        {n.split(",")[0]: s for n, s in styles.items()},
        dates.min(),
        dates.max(),
        label=label_levers,
    )
    freq = bands.attrs.get("freq", "day")
    units = bands.attrs.get("units", "model")
    _finish_time_axes(
        ax,
        freq,
        ylabel or quantity_label(quantity, units=units, freq=freq),
        data[[band[0], "median", band[1]]].to_numpy(),
    )
    if legend:
        _band_legend(ax, "scenario", band)
    if title:
        ax.set_title(title)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


def plot_quantities(
    bands: pd.DataFrame,
    quantities: Sequence[str],
    *,
    scenario: str,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    lever_starts: LeverStarts = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """Several quantities of one scenario over time, each a median line with its band.

    For quantities in the same unit that belong together, such as the laundering chain
    (``stopped_yuan``, ``screened_yuan``, ``recovered_yuan``, ``cashed_out_yuan``,
    ``crypto_yuan``) or card seizures.

    Args:
        bands: output of :func:`analysis.summaries.seed_bands` (daily or monthly).
        quantities: value columns to draw, in legend order.
        scenario: the scenario to draw.
        ax: axes to draw on; default a new figure.
        labels: legend label per quantity (default: the column name in words).
        lever_starts: lever start dates to mark (as in :func:`plot_outcome_curves`).
        ylabel: y-axis label (default: the quantities' common unit from the contract, e.g.
            ``"yuan per month (national equivalent)"``).
        title: axes title (default: the scenario).

    Returns:
        The figure: one line and one band per quantity.

    Raises:
        FraudsimError: if a quantity or the scenario is not in the bands.
    """
    band = _band_columns(bands)
    data = bands[bands["scenario"] == scenario]
    missing = [q for q in quantities if q not in set(data["quantity"])]
    if data.empty or missing:
        raise FraudsimError(
            f"The bands have no {missing or 'rows'} for scenario {scenario!r}; quantities: "
            f"{sorted(bands['quantity'].unique())}."
        )
    styles = scenario_styles(list(quantities))
    fig, ax = new_axes(ax)
    n_points = data["date"].nunique()
    for quantity in quantities:
        part = data[data["quantity"] == quantity].sort_values("date")
        label = (labels or {}).get(quantity, pretty(quantity))
        _draw_band(ax, part, band, label=label, style=styles[quantity], n_points=n_points)
    dates = pd.to_datetime(data["date"])
    styles_of = {scenario: {"color": LEVER_COLOUR}}
    mark_levers(ax, lever_starts, [scenario], styles_of, dates.min(), dates.max())
    freq = bands.attrs.get("freq", "day")
    _finish_time_axes(
        ax,
        freq,
        ylabel or shared_label(quantities, bands.attrs.get("units", "model"), freq),
        data[data["quantity"].isin(quantities)][[band[0], "median", band[1]]],
    )
    _band_legend(ax, scenario, band)
    ax.set_title(title or scenario, loc="left", fontsize=10)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


def plot_market_and_abroad(
    bands: pd.DataFrame,
    *,
    axes: Sequence[Axes] | None = None,
    scenarios: Sequence[str] | None = None,
    lever_starts: LeverStarts = None,
) -> Figure:
    """Card prices and the share of activity run from abroad over time, one panel each.

    Args:
        bands: daily or monthly output of :func:`analysis.summaries.seed_bands` with
            ``card_price_yuan``, ``phone_card_price_yuan`` and ``overseas_share``.
        axes: three axes to draw on (bank card price, phone card price, overseas share);
            default a new figure with three panels sharing the time axis.
        scenarios: scenarios to draw, in legend order (fixes colours).
        lever_starts: lever start dates to mark (as in :func:`plot_outcome_curves`).

    Returns:
        The figure.
    """
    quantities = ("card_price_yuan", "phone_card_price_yuan", "overseas_share")
    if axes is None:
        fig = Figure(figsize=(9.0, 9.0), layout="constrained")
        axes = fig.subplots(3, 1, sharex=True)
    titles = (
        "bank card price on the black market",
        "phone card price on the black market",
        "share of contacts made by gangs abroad",
    )
    for i, (axis, quantity, title) in enumerate(zip(axes, quantities, titles)):
        # One legend and one set of lever names (top panel) serve all three panels.
        plot_outcome_curves(
            bands,
            quantity,
            ax=axis,
            scenarios=scenarios,
            lever_starts=lever_starts,
            title=title,
            legend=i == 0,
            label_levers=i == 0,
        )
        if i < len(quantities) - 1:
            axis.set_xlabel("")
    return axes[0].figure  # type: ignore[return-value]
