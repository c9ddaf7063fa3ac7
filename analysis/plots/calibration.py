"""Calibration: the model's bands beside the published figures it is fitted to."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.plots.styles import COLOURS, new_axes
from simulation.errors import FraudsimError

__all__ = ["plot_calibration"]

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
    fig, ax = new_axes(ax, (8.0, 0.5 * len(data) + 1.6))
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
