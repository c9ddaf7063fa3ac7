"""Figures of outcome curves, policy comparisons, fraud-type mix, the card market and calibration.

Every function takes result tables (never a model), draws on ``ax=`` if one is given or on a
new :class:`matplotlib.figure.Figure` otherwise, and returns the figure. Figures are made
without :mod:`matplotlib.pyplot`, so a report drawing dozens of them holds no global state and
needs no ``plt.close``; in a notebook a returned figure displays as usual.

Figures must read in print: each scenario has a colour *and* a line style and marker (so
curves stay apart in greyscale), stacked areas have hatches, every axis says what it shows and
in which unit, and every figure with more than one series has a legend. Scenario styles come
from :func:`scenario_styles`, so a scenario looks the same in every figure drawn with the same
list of scenarios.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from analysis.columns import CATEGORY_COLUMNS, column_kind, column_unit
from analysis.effects import EFFECTS
from simulation.errors import FraudsimError
from simulation.outputs import column_scales

__all__ = [
    "COLOURS",
    "LINESTYLES",
    "MARKERS",
    "plot_calibration",
    "plot_comparison",
    "plot_market_and_abroad",
    "plot_mix",
    "plot_outcome_curves",
    "plot_quantities",
    "plot_seeds_enough",
    "plot_type_mix",
    "quantity_label",
    "scenario_styles",
]

# Okabe & Ito's colour-blind-safe palette, dark colours first.
COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#999933",
)
LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (8, 2)),
    (0, (1, 1)),
    (0, (3, 2, 1, 2)),
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES: tuple[str, ...] = ("", "//", "\\\\", "xx", "..", "oo", "++", "--", "||", "**", "O.")
MIX_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
    "#882255",
    "#44AA99",
    "#332288",
)
_FIGSIZE = (9.0, 4.5)  # inches: a page-width figure with the legend on the right
_LEVER_COLOUR = "0.35"  # lever lines shared by several scenarios: dark grey
_LABEL_CHARS = 38  # longest lever label drawn along a vertical line, characters


def _format_numbers(axis: Any, values: Any) -> None:
    """Tick labels readable in print, one multiplier for the whole axis (12,500; 0.4 M; 3 bn)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    size = float(np.abs(finite).max()) if finite.size else 0.0
    divisor, suffix = (1e9, " bn") if size >= 1e9 else (1e6, " M") if size >= 1e6 else (1.0, "")
    if divisor == 1.0 and size >= 1e4:
        axis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
    elif divisor == 1.0:
        axis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.4g}"))
    else:
        axis.set_major_formatter(
            FuncFormatter(lambda x, _pos: f"{x / divisor:.3g}{suffix}" if x else "0")
        )
    axis.set_major_locator(MaxNLocator(nbins=6))


def scenario_styles(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Colour, line style and marker of each scenario, in the order given.

    Args:
        names: scenario (or group) labels; the i-th gets the i-th style, cycling after eight.

    Returns:
        Label to keyword arguments for ``Axes.plot`` (``color``, ``linestyle``, ``marker``).
    """
    return {
        name: {
            "color": COLOURS[i % len(COLOURS)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)],
        }
        for i, name in enumerate(dict.fromkeys(names))
    }


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = _FIGSIZE) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _pretty(name: str) -> str:
    return re.sub(r"_(yuan|hours)$", "", name).replace("_", " ")


def quantity_label(name: str, *, units: str = "model", freq: str = "day") -> str:
    """Axis label of a result column: what it is, per what period, in which unit.

    Args:
        name: a contract or derived column name.
        units: ``"model"`` or ``"national"`` (what the values are in).
        freq: ``"day"`` or ``"month"``, the period one value of a flow covers.

    Returns:
        For example ``"cases per month (national equivalent)"``,
        ``"loss (yuan per day) (model units)"``, ``"card price (yuan per card)"`` or
        ``"overseas share (0-1)"``.
    """
    if name == "case_rate_per_100k":
        return f"cases per 100,000 residents per {freq}"
    unit = column_unit(name) or "value"
    try:
        kind = column_kind(name)
    except KeyError:
        kind = "state"
    suffix = ""
    if column_scales(name):
        suffix = " (national equivalent)" if units == "national" else " (model units)"
    if kind == "flow":
        text = (
            f"{_pretty(name)} per {freq}"
            if unit == "count"
            else f"{_pretty(name)} ({unit} per {freq})"
        )
    elif unit.startswith("share"):
        text = f"{_pretty(name)} (0-1)"  # the unit "share (0-1)" would repeat the name
    else:
        text = f"{_pretty(name)} ({unit})"
    return text + suffix


def _band_columns(bands: pd.DataFrame) -> tuple[str, str]:
    found = sorted(c for c in bands.columns if re.fullmatch(r"p\d\d", str(c)))
    if len(found) != 2 or "median" not in bands.columns:
        raise FraudsimError(
            "The 'bands' frame must come from analysis.summaries.seed_bands (columns median, "
            f"pNN, pNN). Got {list(bands.columns)} instead."
        )
    return found[0], found[1]


def _group_columns(frame: pd.DataFrame) -> list[str]:
    # Tables of this package put the group columns (scenario, varied parameters) first and
    # end them before one of these columns.
    stops = {"seed", "date", "reference", "effect", *CATEGORY_COLUMNS}
    columns = [str(c) for c in frame.columns]
    end = next((i for i, c in enumerate(columns) if c in stops), len(columns))
    return columns[:end]


def _labels(frame: pd.DataFrame) -> pd.Series:
    """One legend label per row: the scenario, plus the values of parameters that vary."""
    label = frame["scenario"].astype(str)
    for p in _group_columns(frame)[1:]:
        if frame[p].nunique(dropna=False) > 1:
            label = label + f", {p}=" + frame[p].astype(str)
    return label


def _normalise_starts(
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None, scenarios: Sequence[str]
) -> list[tuple[pd.Timestamp, list[str], list[str]]]:
    """Unique lever dates with the labels and scenarios that start something on each."""
    if lever_starts is None:
        return []
    if isinstance(lever_starts, Mapping):
        items = [
            (scenario, label, pd.Timestamp(date))
            for scenario, starts in lever_starts.items()
            if scenario in scenarios
            for label, date in starts
        ]
    else:
        items = [("", label, pd.Timestamp(date)) for label, date in lever_starts]
    by_date: dict[pd.Timestamp, tuple[list[str], list[str]]] = {}
    for scenario, label, date in items:
        labels, owners = by_date.setdefault(date, ([], []))
        if label not in labels:
            labels.append(label)
        if scenario not in owners:
            owners.append(scenario)
    return [(date, labels, owners) for date, (labels, owners) in sorted(by_date.items())]


def _mark_levers(
    ax: Axes,
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None,
    scenarios: Sequence[str],
    styles: Mapping[str, Mapping[str, Any]],
    first: pd.Timestamp,
    last: pd.Timestamp,
    *,
    label: bool = True,
) -> None:
    # One vertical line per date on which any plotted scenario starts a lever; levers that
    # started before the plotted period have no place on the time axis and are left out.
    transform = blended_transform_factory(ax.transData, ax.transAxes)
    for date, labels, owners in _normalise_starts(lever_starts, scenarios):
        if not (first <= date <= last):
            continue
        colour = styles[owners[0]]["color"] if len(owners) == 1 and owners[0] else _LEVER_COLOUR
        ax.axvline(date, color=colour, linestyle=(0, (2, 2)), linewidth=1.0, gid="lever-start")
        if not label:
            continue
        text = "; ".join(labels)
        if len(text) > _LABEL_CHARS:  # rotated labels longer than this run out of the axes
            text = text[: _LABEL_CHARS - 1] + "\u2026"
        ax.text(
            mdates.date2num(date),
            0.98,
            f"{text} ({date:%Y-%m-%d})",
            transform=transform,
            rotation=90,
            va="top",
            ha="right",
            fontsize=6.5,
            color=colour,
            clip_on=True,
            # A light box keeps the label readable over bands and stacked areas.
            bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0},
            gid="lever-label",
        )


def _filter(frame: pd.DataFrame, where: Mapping[str, Any] | None) -> pd.DataFrame:
    for column, value in (where or {}).items():
        if column not in frame.columns:
            raise FraudsimError(f"The 'where' filter names {column!r}, not a column of the table.")
        frame = frame[frame[column] == value]
    return frame


def plot_outcome_curves(
    bands: pd.DataFrame,
    quantity: str,
    *,
    ax: Axes | None = None,
    scenarios: Sequence[str] | None = None,
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
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
    low, high = _band_columns(bands)
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
    data = data.assign(_label=_labels(data))
    names = [str(n) for n in data["_label"].unique()]
    if scenarios is not None:
        names = [n for n in names if n in scenarios or n.split(",")[0] in scenarios]
        names.sort(key=lambda n: list(scenarios).index(n.split(",")[0]))
    styles = scenario_styles(names)
    fig, ax = _new_axes(ax)
    n_points = data["date"].nunique()
    for name in names:
        part = data[data["_label"] == name].sort_values("date")
        dates = pd.to_datetime(part["date"])
        style = styles[name]
        ax.fill_between(dates, part[low], part[high], color=style["color"], alpha=0.2, lw=0)
        ax.plot(
            dates,
            part["median"],
            label=name,
            markevery=max(1, n_points // 8),
            markersize=4,
            linewidth=1.6,
            **style,
        )
    dates = pd.to_datetime(data["date"])
    _mark_levers(
        ax,
        lever_starts,
        [n.split(",")[0] for n in names],
        {n.split(",")[0]: s for n, s in styles.items()},
        dates.min(),
        dates.max(),
        label=label_levers,
    )
    freq = bands.attrs.get("freq", "day")
    ax.set_xlabel("month" if freq == "month" else "date")
    ax.set_ylabel(
        ylabel or quantity_label(quantity, units=bands.attrs.get("units", "model"), freq=freq)
    )
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    _format_numbers(ax.yaxis, data[[low, "median", high]].to_numpy())
    if legend:
        ax.legend(
            title=f"scenario: median,\n{low[1:]}-{high[1:]} % band over seeds",
            title_fontsize=8,
            fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
    if title:
        ax.set_title(title)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


def _shared_label(quantities: Sequence[str], units: str, freq: str) -> str:
    """Axis label for several quantities: their common unit, or the first one's label."""
    kinds = set()
    for q in quantities:
        try:
            kinds.add((column_unit(q), column_kind(q), column_scales(q)))
        except KeyError:
            kinds.add((q, "state", False))
    if len(kinds) != 1:
        return quantity_label(quantities[0], units=units, freq=freq)
    unit, kind, scales = kinds.pop()
    text = ("number" if unit == "count" else unit) + (f" per {freq}" if kind == "flow" else "")
    if scales:
        text += " (national equivalent)" if units == "national" else " (model units)"
    return text


def plot_quantities(
    bands: pd.DataFrame,
    quantities: Sequence[str],
    *,
    scenario: str,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
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
    low, high = _band_columns(bands)
    data = bands[bands["scenario"] == scenario]
    missing = [q for q in quantities if q not in set(data["quantity"])]
    if data.empty or missing:
        raise FraudsimError(
            f"The bands have no {missing or 'rows'} for scenario {scenario!r}; quantities: "
            f"{sorted(bands['quantity'].unique())}."
        )
    styles = scenario_styles(list(quantities))
    fig, ax = _new_axes(ax)
    n_points = data["date"].nunique()
    for quantity in quantities:
        part = data[data["quantity"] == quantity].sort_values("date")
        dates = pd.to_datetime(part["date"])
        style = styles[quantity]
        ax.fill_between(dates, part[low], part[high], color=style["color"], alpha=0.2, lw=0)
        label = (labels or {}).get(quantity, _pretty(quantity))
        ax.plot(
            dates,
            part["median"],
            label=label,
            markevery=max(1, n_points // 8),
            markersize=4,
            linewidth=1.6,
            **style,
        )
    dates = pd.to_datetime(data["date"])
    _mark_levers(ax, lever_starts, [scenario], {scenario: {"color": _LEVER_COLOUR}},
                 dates.min(), dates.max())  # fmt: skip
    freq = bands.attrs.get("freq", "day")
    ax.set_xlabel("month" if freq == "month" else "date")
    ax.set_ylabel(ylabel or _shared_label(quantities, bands.attrs.get("units", "model"), freq))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    _format_numbers(ax.yaxis, data[data["quantity"].isin(quantities)][[low, "median", high]])
    ax.legend(
        title=f"{scenario}: median,\n{low[1:]}-{high[1:]} % band over seeds",
        title_fontsize=8,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    ax.set_title(title or scenario, loc="left", fontsize=10)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


def plot_comparison(
    table: pd.DataFrame,
    effect: str = "cases_averted",
    *,
    ax: Axes | None = None,
    relative: bool = False,
    scenarios: Sequence[str] | None = None,
) -> Figure:
    """Forest plot: each scenario's effect with its interval, sorted by effect.

    Args:
        table: output of :func:`analysis.effects.compare_policies`.
        effect: which effect to draw (a name in :data:`analysis.effects.EFFECTS`).
        ax: axes to draw on; default a new figure.
        relative: draw the relative effect (percent of the reference) instead.
        scenarios: the scenario order that fixes colours (default: table order), so that
            colours match the outcome curves.

    Returns:
        The figure: one marker with a horizontal interval per scenario, the largest effect at
        the top, and a vertical line at zero effect.

    Raises:
        FraudsimError: if ``effect`` is not in the table.
    """
    rows = table[table["effect"] == effect]
    if rows.empty:
        raise FraudsimError(
            f"The 'effect' parameter must be an effect of the table, one of "
            f"{list(dict.fromkeys(table['effect']))}. Got {effect!r} instead."
        )
    rows = rows.assign(_label=_labels(rows))
    value, low, high = (
        ("relative", "relative_low", "relative_high")
        if relative
        else (
            "mean",
            "ci_low",
            "ci_high",
        )
    )
    factor = 100.0 if relative else 1.0
    rows = rows.sort_values(value, kind="stable", na_position="first")
    # Colours follow the scenario order of the outcome curves, where the reference comes first.
    default = [*rows.get("reference", pd.Series(dtype=str)).iloc[:1], *table["scenario"]]
    styles = scenario_styles(list(scenarios or dict.fromkeys(default)))
    fig, ax = _new_axes(ax, (7.0, 0.6 * len(rows) + 1.6))
    for y, (_, row) in enumerate(rows.iterrows()):
        style = styles.get(row["scenario"], {"color": "black", "marker": "o"})
        centre = row[value] * factor
        err = np.array([[centre - row[low] * factor], [row[high] * factor - centre]])
        ax.errorbar(
            [centre],
            [y],
            xerr=None if np.isnan(err).any() else err,
            fmt=style["marker"],
            color=style["color"],
            capsize=4,
            markersize=7,
            label=row["_label"],
        )
    ax.axvline(0.0, color="0.4", linestyle="--", linewidth=1.0)
    ax.set_yticks(range(len(rows)), list(rows["_label"]))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    level = table.attrs.get("level", 0.95)
    info = EFFECTS.get(effect)
    label = info.label if info else effect.replace("_", " ")
    unit = "% of the reference's total" if relative else (info.unit if info else "")
    if (
        table.attrs.get("units") == "national"
        and not relative
        and unit != EFFECTS["cases_averted_per_1000_officer_hours"].unit
    ):
        unit += ", national equivalent"
    ax.set_xlabel(f"{label} ({unit})")
    _format_numbers(ax.xaxis, rows[[value, low, high]].to_numpy() * factor)
    reference = rows["reference"].iloc[0] if "reference" in rows.columns else "reference"
    ax.set_ylabel("scenario")
    ax.set_title(
        f"vs {reference}: mean over seeds, {level:.0%} bootstrap interval", fontsize=9, loc="left"
    )
    # Legend entries top to bottom, as the rows are drawn.
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    return fig


def plot_mix(
    table: pd.DataFrame,
    category: str,
    *,
    scenario: str,
    measure: str = "cases",
    ax: Axes | None = None,
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
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
    fig, ax = _new_axes(ax, (9.0, 4.5))
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
    _mark_levers(ax, lever_starts, [scenario], styles, shares.index.min(), shares.index.max())
    if len(shares) > 1:
        ax.set_xlim(shares.index.min(), shares.index.max())
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel(f"{period} (start)")
    ax.set_ylabel(f"share of {_pretty(measure)} per {period} (0-1), mean over seeds")
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
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
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


def plot_market_and_abroad(
    bands: pd.DataFrame,
    *,
    axes: Sequence[Axes] | None = None,
    scenarios: Sequence[str] | None = None,
    lever_starts: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
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


def plot_seeds_enough(
    table: pd.DataFrame,
    effect: str = "cases_averted",
    *,
    ax: Axes | None = None,
    relative: bool = False,
    scenarios: Sequence[str] | None = None,
) -> Figure:
    """Width of each scenario's interval for ``effect`` as seeds are added.

    Args:
        table: output of :func:`analysis.effects.seeds_enough`.
        effect: the effect to draw.
        ax: axes to draw on; default a new figure.
        relative: draw the width relative to the absolute mean effect instead.
        scenarios: scenario order that fixes colours (default: table order).

    Returns:
        The figure: one line per scenario over the number of seeds.

    Raises:
        FraudsimError: if ``effect`` is not in the table.
    """
    rows = table[table["effect"] == effect]
    if rows.empty:
        raise FraudsimError(
            f"The 'effect' parameter must be an effect of the table, one of "
            f"{list(dict.fromkeys(table['effect']))}. Got {effect!r} instead."
        )
    rows = rows.assign(_label=_labels(rows))
    names = [str(n) for n in rows["_label"].unique()]
    styles = scenario_styles(list(scenarios or names))
    fig, ax = _new_axes(ax, (7.0, 4.0))
    column = "relative_width" if relative else "ci_width"
    for name in names:
        part = rows[rows["_label"] == name].sort_values("n_seeds")
        style = styles.get(name) or styles.get(name.split(",")[0]) or {}
        ax.plot(part["n_seeds"], part[column], label=name, markersize=5, **style)
    info = EFFECTS.get(effect)
    level = table.attrs.get("level", 0.95)
    unit = "share of the mean effect" if relative else (info.unit if info else "")
    ax.set_xlabel("seeds (paired runs per scenario)")
    ax.set_ylabel(f"width of the {level:.0%} interval ({unit})")
    ax.set_title(
        f"{info.label if info else effect}: how many seeds are enough", loc="left", fontsize=10
    )
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(bottom=0.0)
    _format_numbers(ax.yaxis, rows[column].to_numpy())
    ax.legend(title="scenario", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


_CALIBRATION_ALIASES = {
    "model_median": "median",
    "model median": "median",
    "model_p10": "p10",
    "model_p90": "p90",
}


def plot_calibration(
    targets: pd.DataFrame, *, ax: Axes | None = None, log: bool | None = None
) -> Figure:
    """Model bands beside published figures, one row per target quantity.

    Args:
        targets: one row per quantity with columns ``quantity``, ``published``, ``median``,
            ``p10`` and ``p90`` (``model_median``, ``model_p10``, ``model_p90`` also accepted),
            all national equivalents in the quantity's own unit.
        ax: axes to draw on; default a new figure.
        log: log-scaled value axis; default when every value is positive and they span more
            than two orders of magnitude (targets mix counts, yuan and people).

    Returns:
        The figure: per quantity a model band (10-90 % over seeds) with its median, and the
        published value as a distinct marker.

    Raises:
        FraudsimError: if a needed column is missing.
    """
    data = targets.rename(columns=_CALIBRATION_ALIASES)
    needed = ["quantity", "published", "median", "p10", "p90"]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise FraudsimError(
            f"The 'targets' table must have the columns {needed}. Missing {missing} "
            f"(got {list(targets.columns)})."
        )
    fig, ax = _new_axes(ax, (8.0, 0.5 * len(data) + 1.6))
    y = np.arange(len(data))[::-1]
    med = data["median"].to_numpy(dtype=float)
    err = np.vstack([med - data["p10"].to_numpy(float), data["p90"].to_numpy(float) - med])
    ax.errorbar(
        med,
        y,
        xerr=np.clip(err, 0.0, None),
        fmt="o",
        color=COLOURS[0],
        capsize=4,
        label="model: median, 10-90 % over seeds",
    )
    ax.scatter(
        data["published"].to_numpy(float),
        y,
        marker="D",
        facecolors="none",
        edgecolors=COLOURS[1],
        s=50,
        linewidths=1.6,
        zorder=3,
        label="published",
    )
    values = data[["published", "median", "p10", "p90"]].to_numpy(float)
    values = values[np.isfinite(values)]
    if log is None:
        log = bool(values.size and (values > 0).all() and values.max() / values.min() > 100.0)
    if log:
        ax.set_xscale("log")
    ax.set_yticks(y, list(data["quantity"].astype(str)))
    ax.set_xlabel(
        "value, national equivalent (each quantity in its own unit"
        + ("; log scale)" if log else ")")
    )
    ax.set_ylabel("target quantity")
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    return fig
