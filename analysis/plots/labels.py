"""What axes and legends say: a column in words, with its period and unit; one label per series."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from analysis.columns import column_kind, column_unit, leading_group_columns
from simulation.outputs import column_scales

__all__ = ["pretty", "quantity_label", "series_labels", "shared_label"]


def pretty(name: str) -> str:
    """A column name in words, without its unit suffix: ``loss_yuan`` -> ``loss``."""
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
            f"{pretty(name)} per {freq}"
            if unit == "count"
            else f"{pretty(name)} ({unit} per {freq})"
        )
    elif unit.startswith("share"):
        text = f"{pretty(name)} (0-1)"  # the unit "share (0-1)" would repeat the name
    else:
        text = f"{pretty(name)} ({unit})"
    return text + suffix


def series_labels(frame: pd.DataFrame) -> pd.Series:
    """One legend label per row: the scenario, plus the values of parameters that vary."""
    label = frame["scenario"].astype(str)
    for p in leading_group_columns(frame)[1:]:
        if frame[p].nunique(dropna=False) > 1:
            label = label + f", {p}=" + frame[p].astype(str)
    return label


def shared_label(quantities: Sequence[str], units: str, freq: str) -> str:
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
