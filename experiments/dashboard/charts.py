"""The dashboard's charts: matplotlib figures of the policy run beside its reference run.

Every function takes a :class:`~experiments.dashboard.paired.PairedModel` and returns a new
:class:`matplotlib.figure.Figure` (made without :mod:`matplotlib.pyplot`, so redrawing them as
the days pass holds no global state). Counts and money are national equivalents (model units
times the scale); prices and shares are as the model has them. The policy run and the
reference run keep the colours, line styles and markers of :func:`analysis.plots.scenario_styles`,
the gap between their curves is shaded, and the policy run's lever starts are marked as in the
report (:func:`analysis.plots.lever_marks.mark_levers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.plots.labels import pretty
from analysis.plots.lever_marks import mark_levers
from analysis.plots.styles import MIX_COLOURS, format_numbers, scenario_styles
from experiments.dashboard.paired import PairedModel

__all__ = [
    "averted_figure",
    "effort_figure",
    "gangs_figure",
    "market_figure",
    "mix_figure",
    "outcomes_figure",
]

type Period = Literal["day", "month"]

FIGSIZE = (6.4, 3.6)  # inches: half a wide screen, two panels side by side
_GAP_ALPHA = 0.18  # shading between the policy and reference curves
_FEW_POINTS = 3  # curves this short get markers
DPI = 100  # dots per inch: a figure FIGSIZE inches wide is 640 pixels


def _figure(
    n_rows: int = 1, n_cols: int = 2, *, height: float = FIGSIZE[1], legend: bool = True
) -> tuple[Figure, list[Axes]]:
    """A figure with a grid of panels and fixed margins.

    Margins are set once rather than by a layout engine: a constrained or tight layout costs
    more than drawing the figure, and the charts are drawn again after every step.
    """
    fig = Figure(figsize=(FIGSIZE[0], height), dpi=DPI)
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    bottom = (0.55 + 0.25 * legend) / height  # inches kept for tick labels and the legend
    fig.subplots_adjust(
        left=0.11, right=0.98, top=1 - 0.35 / height, bottom=bottom, wspace=0.32, hspace=0.45
    )
    return fig, list(axes)


def _waiting(fig: Figure, axes: Sequence[Axes], why: str = "") -> Figure:
    for ax in axes:
        ax.set_axis_off()
    text = f"Nothing to draw yet: {why}" if why else "No day simulated yet: press Step or \u25b6"
    fig.text(0.5, 0.5, text, ha="center", va="center")
    return fig


def _date_axis(ax: Axes, model: PairedModel) -> None:
    # The whole period from the first day, so that the curves grow across a fixed axis.
    ax.set_xlim(*model.period)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(True, linewidth=0.3, alpha=0.5)


def _pair_lines(
    ax: Axes,
    model: PairedModel,
    frame: pd.DataFrame,
    column: str,
    *,
    title: str,
    ylabel: str,
    shade_gap: bool = True,
    levers: bool = True,
) -> None:
    """The policy and reference runs' ``column`` over time, the gap between them shaded."""
    styles = _styles(model)
    series = {}
    for label in model.labels:
        part = frame[frame["scenario"] == label].sort_values("date")
        dates = pd.to_datetime(part["date"])
        series[label] = (dates, part[column].to_numpy(dtype=float))
        # A point or two is no line: mark them (markers on long curves only cost time).
        marker = "o" if len(part) <= _FEW_POINTS else ""
        ax.plot(dates, series[label][1], label=label, linewidth=1.4, marker=marker, **styles[label])
    if shade_gap:
        (dates, policy), (_, reference) = series[model.policy_label], series[model.reference_label]
        if len(policy) == len(reference) and len(policy):
            ax.fill_between(
                dates,
                policy,
                reference,
                color=styles[model.policy_label]["color"],
                alpha=_GAP_ALPHA,
                lw=0,
            )
    if levers and len(frame):
        dates = pd.to_datetime(frame["date"])
        mark_levers(
            ax,
            model.lever_starts(),
            [model.policy_label],
            styles,
            dates.min(),
            dates.max(),
            label=False,
        )
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    format_numbers(ax.yaxis, frame[column].to_numpy(dtype=float))
    _date_axis(ax, model)


def _styles(model: PairedModel) -> dict[str, dict[str, object]]:
    """The report's colour and line style of each run, without markers.

    The curves are drawn again after every step, and markers cost more than the lines.
    """
    styles = scenario_styles(model.labels)
    return {
        label: {k: v for k, v in style.items() if k != "marker"} for label, style in styles.items()
    }


def _legend(fig: Figure, axes: Sequence[Axes]) -> None:
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=7, frameon=False)


def _finished_months(monthly: pd.DataFrame, model: PairedModel) -> pd.DataFrame:
    """The months that are over: all their days simulated, or the days of the period in them."""
    if not model.running:  # the period has ended: its last month is as full as it gets
        return monthly
    dates = pd.to_datetime(monthly["date"])
    full = monthly["n_days"] == dates.dt.days_in_month
    # The period's first month may begin part-way through: it is over once the next begins.
    first = model.period[0].to_period("M").start_time
    started_late = (dates == first) & (dates < dates.max())
    return monthly[full | started_late]


def outcomes_figure(model: PairedModel, period: Period = "month") -> Figure:
    """Cases and net losses per day or per month, policy run against reference run.

    Args:
        model: the pair of runs.
        period: ``"day"`` or ``"month"``. A month is drawn once it is over (or the period
            ends in it): the sum of a month's first days would look like a sudden fall.

    Returns:
        Two panels: cases, and net losses (gross minus recovered, yuan); the shaded gap is
        what the measures averted, dashed vertical lines mark lever starts.
    """
    fig, axes = _figure()
    if not model.days:
        return _waiting(fig, axes)
    frame = model.national(period)
    if period == "month":
        frame = _finished_months(frame, model)
    if frame.empty:
        return _waiting(fig, axes, "the first month is drawn when it is over")
    _pair_lines(axes[0], model, frame, "cases", title=f"Cases per {period}", ylabel="cases")
    _pair_lines(
        axes[1], model, frame, "net_loss_yuan", title=f"Net losses per {period}", ylabel="yuan"
    )
    _legend(fig, axes)
    return fig


def averted_figure(model: PairedModel) -> Figure:
    """Running totals of cases and net losses averted: reference minus policy, so far.

    Returns:
        Two panels over time: cumulative cases averted and cumulative net losses averted
        (yuan), national equivalents; above zero the measures averted fraud.
    """
    fig, axes = _figure(legend=False)
    if not model.days:
        return _waiting(fig, axes)
    frame = model.national("day")
    wide = frame.pivot_table(index="date", columns="scenario", values=["cases", "net_loss_yuan"])
    colour = _styles(model)[model.policy_label]["color"]
    for ax, column, title, unit in (
        (axes[0], "cases", "Cases averted so far", "cases"),
        (axes[1], "net_loss_yuan", "Net losses averted so far", "yuan"),
    ):
        averted = (wide[column][model.reference_label] - wide[column][model.policy_label]).cumsum()
        dates = pd.to_datetime(averted.index)
        ax.plot(dates, averted.to_numpy(), color=colour, linewidth=1.6)
        ax.fill_between(dates, 0, averted.to_numpy(), color=colour, alpha=_GAP_ALPHA, lw=0)
        ax.axhline(0, color="0.3", linewidth=0.8)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7)
        format_numbers(ax.yaxis, averted.to_numpy())
        _date_axis(ax, model)
    return fig


def mix_figure(model: PairedModel) -> Figure:
    """Cases so far by fraud type and by contact channel, policy run beside reference run.

    Returns:
        Two panels of horizontal bars (national equivalents), largest category of the
        reference at the top.
    """
    fig, axes = _figure(height=4.2)
    if not model.days:
        return _waiting(fig, axes)
    styles = _styles(model)
    for ax, table, key, title in (
        (axes[0], "by_type", "fraud_type", "Cases so far by fraud type"),
        (axes[1], "by_channel", "channel", "Cases so far by channel"),
    ):
        frame = model.long_table(table)
        totals = frame.groupby(["scenario", key])["cases"].sum().unstack("scenario").fillna(0.0)
        totals = totals.reindex(columns=list(model.labels), fill_value=0.0) * model.scale
        totals = totals.sort_values(model.reference_label)
        y = np.arange(len(totals))
        height = 0.4
        for offset, label in (
            (height / 2, model.policy_label),
            (-height / 2, model.reference_label),
        ):
            ax.barh(
                y + offset,
                totals[label].to_numpy(),
                height=height,
                color=styles[label]["color"],
                hatch="" if label == model.policy_label else "//",
                edgecolor="white",
                label=label,
            )
        ax.set_yticks(y, [pretty(str(name)) for name in totals.index], fontsize=7)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlabel("cases", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        format_numbers(ax.xaxis, totals.to_numpy())
        ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    _legend(fig, axes)
    return fig


def gangs_figure(model: PairedModel) -> Figure:
    """Active gangs with their dens at home and abroad, end of each day.

    Returns:
        Two panels (national equivalents): gangs at home, gangs abroad.
    """
    fig, axes = _figure()
    if not model.days:
        return _waiting(fig, axes)
    frame = model.national("day")
    frame = frame.assign(gangs_home=frame["gangs_active"] - frame["gangs_overseas"])
    _pair_lines(
        axes[0], model, frame, "gangs_home", title="Gangs at home", ylabel="gangs", shade_gap=False
    )
    _pair_lines(
        axes[1],
        model,
        frame,
        "gangs_overseas",
        title="Gangs abroad",
        ylabel="gangs",
        shade_gap=False,
    )
    _legend(fig, axes)
    return fig


def market_figure(model: PairedModel) -> Figure:
    """The card market: black-market prices and the cards in stock, end of each day.

    Returns:
        Four panels: the price of a bank card and of a phone card (yuan per card, not
        scaled), and the phone cards and bank cards held by brokers and gangs together
        (national equivalents; a gang's bank cards are its mule accounts).
    """
    fig, axes = _figure(2, 2, height=5.0)
    if not model.days:
        return _waiting(fig, axes)
    frame = model.national("day")
    stocks = model.stocks()
    stocks = stocks.assign(
        phone_cards=(stocks["broker_phone_cards"] + stocks["gang_phone_cards"]) * model.scale,
        bank_cards=(stocks["broker_bank_cards"] + stocks["gang_mule_accounts"]) * model.scale,
    )
    off = {"shade_gap": False}
    _pair_lines(
        axes[0],
        model,
        frame,
        "card_price_yuan",
        title="Bank card price",
        ylabel="yuan per card",
        **off,
    )
    _pair_lines(
        axes[1],
        model,
        frame,
        "phone_card_price_yuan",
        title="Phone card price",
        ylabel="yuan per card",
        **off,
    )
    _pair_lines(
        axes[2], model, stocks, "phone_cards", title="Phone cards in stock", ylabel="cards", **off
    )
    _pair_lines(
        axes[3], model, stocks, "bank_cards", title="Bank cards in stock", ylabel="cards", **off
    )
    _legend(fig, axes)
    return fig


def effort_figure(model: PairedModel, period: Period = "month") -> Figure:
    """Police effort on the measures: officer-hours per day or month by lever type.

    Returns:
        One panel of stacked areas for the policy run (national equivalents), the
        reference run's total as a line when it has levers of its own.
    """
    fig, axes = _figure(1, 1, legend=False)
    ax = axes[0]
    if not model.days:
        return _waiting(fig, axes)
    frame = model.national(period)
    effort = [c for c in frame.columns if c.startswith("effort_") and c.endswith("_hours")]
    policy = frame[frame["scenario"] == model.policy_label].sort_values("date")
    used = [c for c in effort if policy[c].sum() > 0]
    dates = pd.to_datetime(policy["date"])
    if used:
        ax.stackplot(
            dates,
            *[policy[c].to_numpy(dtype=float) for c in used],
            labels=[pretty(c.removeprefix("effort_")) for c in used],
            colors=MIX_COLOURS[: len(used)],
            alpha=0.85,
        )
    reference = frame[frame["scenario"] == model.reference_label].sort_values("date")
    total = reference[effort].sum(axis=1).to_numpy(dtype=float)
    if total.any():
        ax.plot(
            pd.to_datetime(reference["date"]),
            total,
            color="0.2",
            linestyle="--",
            label=model.reference_label,
        )
    ax.set_title(f"Police effort on the measures, per {period}", fontsize=9, loc="left")
    ax.set_ylabel("officer-hours", fontsize=8)
    ax.tick_params(labelsize=7)
    format_numbers(ax.yaxis, policy[used].sum(axis=1).to_numpy() if used else np.zeros(1))
    _date_axis(ax, model)
    if used or total.any():
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    else:
        ax.text(0.5, 0.5, "No lever active: no extra effort", transform=ax.transAxes, ha="center")
    return fig
