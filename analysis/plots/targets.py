"""The targets figure: the model's 10-90 % band and median against each published figure.

Levels (``sum``, ``mean``, ``last``) share one log-scale axis, since they span many orders of
magnitude; changes (``change``, a ratio minus one) get their own linear axis in per cent. The
bands and published points are drawn by :func:`analysis.plots.calibration.plot_calibration`. On top,
a grey box around each published point shows its tolerance, and each target's label is green
when the model's median is within tolerance, red when it is not, and grey when the target is
reported without a tolerance or has no model value; required targets are marked ``*``.

The figure is built on :class:`matplotlib.figure.Figure` directly, so it never touches pyplot's
global state or the interactive backend.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.plots.calibration import plot_calibration

__all__ = ["plot_targets"]

_COLOURS = {True: "#2a9d4b", False: "#d1495b", None: "#8d8d8d"}


def _state(value: object) -> bool | None:
    return None if pd.isna(value) else bool(value)


def _panel(ax: Axes, table: pd.DataFrame, *, log: bool) -> None:
    factor = 1.0 if log else 100.0  # changes in per cent
    rows = table.copy()
    for column in ("published", "median", "p10", "p90"):
        rows[column] = rows[column].astype(float) * factor
    rows["quantity"] = [f"{k}{' *' if r else ''}" for k, r in zip(rows["key"], rows["required"])]
    plot_calibration(rows, ax=ax, log=log)
    y = np.arange(len(rows))[::-1]
    for yi, (_, row) in zip(y, rows.iterrows()):
        tol = row["tolerance"]
        if tol > 0 and math.isfinite(row["published"]):
            published = row["published"]
            if log:
                low, high = published * max(1 - tol, 1e-3), published * (1 + tol)
            else:
                low, high = published - tol * factor, published + tol * factor
            ax.fill_betweenx([yi - 0.3, yi + 0.3], low, high, color="#dddddd", lw=0, zorder=0)
        gap = None
        if not math.isfinite(row["median"]):
            gap = "no model value"
        elif log and row["median"] <= 0:
            gap = f"model median {row['median']:g} (off the log scale)"
        if gap:
            ax.annotate(gap, (row["published"], yi), xytext=(8, -3), textcoords="offset points",
                        fontsize=7, color=_COLOURS[None])  # fmt: skip
    ax.set_yticks(y, list(rows["quantity"]), fontsize=8)
    for label, within in zip(ax.get_yticklabels(), rows["within_tolerance"]):
        label.set_color(_COLOURS[_state(within)])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_ylabel("")
    if log:
        ax.set_xlabel("national equivalent, each target in its own unit (log scale)")
    else:
        ax.axvline(0, color="#bbbbbb", lw=0.8, zorder=0)
        ax.set_xlabel("change (%)")


def plot_targets(
    table: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Draw the targets table of :func:`analysis.targets.evaluate`.

    Args:
        table: the targets table (``key``, ``statistic``, ``published``, ``median``,
            ``p10``, ``p90``, ``tolerance``, ``within_tolerance``, ``required``).
        path: file to save the figure to (format from the suffix, e.g. ``.png``); ``None``
            saves nothing.
        title: figure title.

    Returns:
        The figure.
    """
    levels = table[table["statistic"] != "change"]
    changes = table[table["statistic"] == "change"]
    panels = [(rows, log) for rows, log in ((levels, True), (changes, False)) if len(rows)]
    heights = [len(rows) + 1 for rows, _ in panels] or [1]
    fig = Figure(figsize=(9.0, 1.6 + 0.32 * sum(heights)), layout="constrained")
    axes = fig.subplots(len(heights), 1, height_ratios=heights, squeeze=False)[:, 0]
    for ax, (rows, log) in zip(axes, panels):
        _panel(ax, rows, log=log)
    if not panels:
        axes[0].text(0.5, 0.5, "no targets", ha="center", va="center")
        axes[0].set_axis_off()
    n_seeds = table.attrs.get("n_seeds")
    subtitle = (
        f"model over {n_seeds or 'several'} seeds against published figures; grey box: "
        "tolerance; label green: within, red: outside, grey: reported only; * required"
    )
    fig.suptitle(f"{title}\n{subtitle}" if title else subtitle, fontsize=9)
    if path is not None:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=150)
    return fig
