"""Numbers as people read them in a report: 12,345; 1.23 M; 4.56 bn; 12.3 %; n/a."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["format_interval", "format_number", "format_points"]

_COUNT_UNITS = ("cases", "officer-hours", "count")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def format_number(value: Any, unit: str = "") -> str:
    """A value in its unit's usual form, with thousands separators.

    Args:
        value: a number (or anything else, shown as text).
        unit: the value's unit: shares (``"share (0-1)"``, ``"share"``) are shown in per
            cent, counts (``"cases"``, ``"officer-hours"``, ``"count"``) as whole numbers.

    Returns:
        ``"n/a"`` for a missing value; ``"12.3 %"`` for a share; ``"4.56 bn"`` and
        ``"1.23 M"`` from a billion and a million; ``"12,345"`` from 100 and for counts;
        three significant digits below.
    """
    if _missing(value):
        return "n/a"
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    x = float(value)
    if unit.startswith("share") or unit == "%":
        return f"{100 * x:.1f} %"
    size = abs(x)
    if size >= 1e9:
        return f"{x / 1e9:,.2f} bn"
    if size >= 1e6:
        return f"{x / 1e6:,.2f} M"
    if size >= 100 or unit in _COUNT_UNITS:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def format_interval(low: Any, high: Any, unit: str = "") -> str:
    """An interval as ``"low to high"`` in the unit's form; ``"n/a"`` if an end is missing."""
    if _missing(low) or _missing(high):
        return "n/a"
    return f"{format_number(low, unit)} to {format_number(high, unit)}"


def format_points(value: Any) -> str:
    """A difference of two shares (0-1) in signed percentage points: ``+3.2`` or ``-0.4``."""
    if _missing(value):
        return "n/a"
    return f"{100 * float(value):+.1f}"
