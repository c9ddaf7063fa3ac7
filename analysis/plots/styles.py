"""How figures look: colours, line styles, markers and hatches, figure size, axis numbers.

Figures must read in print: each scenario has a colour *and* a line style and marker (so
curves stay apart in greyscale), stacked areas have hatches. :func:`scenario_styles` gives a
scenario the same look in every figure drawn with the same list of scenarios.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = [
    "COLOURS",
    "FIGSIZE",
    "HATCHES",
    "LEVER_COLOUR",
    "LINESTYLES",
    "MARKERS",
    "MIX_COLOURS",
    "format_numbers",
    "new_axes",
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
FIGSIZE = (9.0, 4.5)  # inches: a page-width figure with the legend on the right
LEVER_COLOUR = "0.35"  # lever lines shared by several scenarios: dark grey


def format_numbers(axis: Any, values: Any) -> None:
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


def new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` and its figure, or a new figure of ``figsize`` inches.

    New figures are made without :mod:`matplotlib.pyplot`, so drawing many holds no global
    state and needs no ``plt.close``.
    """
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
