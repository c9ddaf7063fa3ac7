"""Effects against the reference: forest plots, and how interval widths shrink with seeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.effects import EFFECTS
from analysis.plots.labels import series_labels
from analysis.plots.styles import format_numbers, new_axes, scenario_styles
from simulation.errors import FraudsimError

__all__ = ["plot_averted", "plot_comparison", "plot_seeds_enough"]

_MEAN_AND_INTERVAL = ("mean", "ci_low", "ci_high")


def _effect_rows(table: pd.DataFrame, effect: str) -> pd.DataFrame:
    """The rows of one effect with a series label (``_label``); refuses an unknown effect."""
    rows = table[table["effect"] == effect]
    if rows.empty:
        raise FraudsimError(
            f"The 'effect' parameter must be an effect of the table, one of "
            f"{list(dict.fromkeys(table['effect']))}. Got {effect!r} instead."
        )
    return rows.assign(_label=series_labels(rows))


def _effect_styles(
    table: pd.DataFrame, rows: pd.DataFrame, scenarios: Sequence[str] | None
) -> dict[str, dict[str, Any]]:
    # Colours follow the scenario order of the outcome curves, where the reference comes first.
    default = [*rows.get("reference", pd.Series(dtype=str)).iloc[:1], *table["scenario"]]
    return scenario_styles(list(scenarios or dict.fromkeys(default)))


def _draw_forest(
    ax: Axes,
    rows: pd.DataFrame,
    columns: tuple[str, str, str],
    factor: float,
    styles: dict[str, dict[str, Any]],
) -> None:
    """One marker and interval per row, bottom to top, and a dashed line at zero effect."""
    value, low, high = columns
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
    format_numbers(ax.xaxis, rows[[value, low, high]].to_numpy() * factor)


def _effect_axis_label(table: pd.DataFrame, effect: str, *, relative: bool) -> str:
    info = EFFECTS.get(effect)
    label = info.label if info else effect.replace("_", " ")
    unit = "% of the reference's total" if relative else (info.unit if info else "")
    if (
        table.attrs.get("units") == "national"
        and not relative
        and unit != EFFECTS["cases_averted_per_1000_officer_hours"].unit
    ):
        unit += ", national equivalent"
    return f"{label} ({unit})"


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
    rows = _effect_rows(table, effect)
    columns = ("relative", "relative_low", "relative_high") if relative else _MEAN_AND_INTERVAL
    factor = 100.0 if relative else 1.0
    rows = rows.sort_values(columns[0], kind="stable", na_position="first")
    styles = _effect_styles(table, rows, scenarios)
    fig, ax = new_axes(ax, (7.0, 0.6 * len(rows) + 1.6))
    _draw_forest(ax, rows, columns, factor, styles)
    level = table.attrs.get("level", 0.95)
    ax.set_xlabel(_effect_axis_label(table, effect, relative=relative))
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


def plot_averted(
    table: pd.DataFrame,
    effects: Sequence[str] = ("cases_averted", "losses_averted_net_yuan"),
    *,
    scenarios: Sequence[str] | None = None,
) -> Figure:
    """The answer at a glance: what each policy averted, with its interval, ranked.

    One panel per effect, stacked; the policies keep the order of the first effect in every
    panel (largest at the top), so that a row reads straight down the figure. The policies
    are named along the axis rather than in a legend, which leaves the panels the page width.

    Args:
        table: output of :func:`analysis.effects.compare_policies`.
        effects: the effects to draw, one panel each; the first ranks the policies.
        scenarios: the scenario order that fixes colours (default: table order), so that
            colours match the outcome curves.

    Returns:
        The figure: per panel one marker with a horizontal interval per policy and a vertical
        line at zero effect.

    Raises:
        FraudsimError: if an effect is not in the table.
    """
    if not effects:
        raise FraudsimError("The 'effects' parameter must name at least one effect.")
    first = _effect_rows(table, effects[0]).sort_values("mean", kind="stable", na_position="first")
    order = list(first["_label"])
    styles = _effect_styles(table, first, scenarios)
    # Narrower than the other figures, with larger type: the first figure a reader sees, also
    # on a phone, where the page shrinks it to the screen's width.
    height = len(effects) * (0.45 * len(order) + 1.3) + 0.5
    fig = Figure(figsize=(6.4, height), layout="constrained")
    for ax, effect in zip(fig.subplots(len(effects), 1, squeeze=False)[:, 0], effects):
        rows = _effect_rows(table, effect).set_index("_label").loc[order].reset_index()
        _draw_forest(ax, rows, _MEAN_AND_INTERVAL, 1.0, styles)
        label = _effect_axis_label(table, effect, relative=False)
        ax.set_xlabel(label.replace(" (", "\n(", 1), fontsize=11)
        ax.tick_params(labelsize=11)
        ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    level = table.attrs.get("level", 0.95)
    reference = first["reference"].iloc[0] if "reference" in first.columns else "the reference"
    fig.suptitle(
        f"Averted against {reference}, largest first:\nmean over seeds, "
        f"{level:.0%} bootstrap interval",
        fontsize=11,
        x=0.02,
        ha="left",
    )
    return fig


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
    rows = _effect_rows(table, effect)
    names = [str(n) for n in rows["_label"].unique()]
    styles = scenario_styles(list(scenarios or names))
    fig, ax = new_axes(ax, (7.0, 4.0))
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
    format_numbers(ax.yaxis, rows[column].to_numpy())
    ax.legend(title="scenario", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig
