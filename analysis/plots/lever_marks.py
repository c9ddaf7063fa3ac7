"""Lever starts on a time axis: one dashed vertical line per date, labelled with the levers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from analysis.plots.styles import LEVER_COLOUR

__all__ = ["LeverStarts", "mark_levers"]

type LeverStarts = Mapping[str, Any] | Sequence[tuple[str, Any]] | None
"""Lever starts to mark: scenario to ``[(label, date), ...]``
(:func:`analysis.manifests.lever_starts`), one list of ``(label, date)``, or none."""

LABEL_CHARS = 38  # longest lever label drawn along a vertical line, characters


def _normalise_starts(
    lever_starts: LeverStarts, scenarios: Sequence[str]
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


def mark_levers(
    ax: Axes,
    lever_starts: LeverStarts,
    scenarios: Sequence[str],
    styles: Mapping[str, Mapping[str, Any]],
    first: pd.Timestamp,
    last: pd.Timestamp,
    *,
    label: bool = True,
) -> None:
    """Mark each lever start inside ``first`` to ``last`` with a dashed vertical line.

    Args:
        ax: the axes, with dates on the x axis.
        lever_starts: scenario to ``[(label, date), ...]``, or one list of ``(label, date)``.
        scenarios: the drawn scenarios: only their levers are marked.
        styles: scenario to its plot style; a date that one scenario alone starts something
            on takes that scenario's colour, a shared one dark grey.
        first: first date of the plotted period.
        last: last date of the plotted period.
        label: write the levers' names along the line.
    """
    # One vertical line per date on which any plotted scenario starts a lever; levers that
    # started before the plotted period have no place on the time axis and are left out.
    transform = blended_transform_factory(ax.transData, ax.transAxes)
    for date, labels, owners in _normalise_starts(lever_starts, scenarios):
        if not (first <= date <= last):
            continue
        colour = styles[owners[0]]["color"] if len(owners) == 1 and owners[0] else LEVER_COLOUR
        ax.axvline(date, color=colour, linestyle=(0, (2, 2)), linewidth=1.0, gid="lever-start")
        if not label:
            continue
        text = "; ".join(labels)
        if len(text) > LABEL_CHARS:  # rotated labels longer than this run out of the axes
            text = text[: LABEL_CHARS - 1] + "\u2026"
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
