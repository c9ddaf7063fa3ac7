"""Distinct values of small integer arrays, sorted: what ``np.unique`` returns, for less.

The model asks for distinct values (residents, gangs, cases) a dozen times a day, mostly of a
few to a few thousand integers. numpy 2's ``np.unique`` finds plain distinct values with a hash
table and then sorts them, which for arrays this small is many times slower than sorting and
dropping repeats. These functions sort and compare neighbours, and return exactly what the
matching ``np.unique`` call returns (same values, same order, same first indices).
"""

from __future__ import annotations

import numpy as np


def _starts(ordered: np.ndarray) -> np.ndarray:
    """Mask of the entries of the sorted ``ordered`` that differ from the one before."""
    mask = np.empty(ordered.size, dtype=bool)
    if ordered.size:
        mask[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=mask[1:])
    return mask


def unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values, as ``np.unique(values)``."""
    if values.size < 2:  # often one victim or one gang: nothing to sort
        return values.copy()
    ordered = values.copy()
    ordered.sort()
    return ordered[_starts(ordered)]


def unique_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and where each first occurs.

    As ``np.unique(values, return_index=True)``.
    """
    if values.size < 2:
        return values.copy(), np.arange(values.size)
    order = values.argsort(kind="stable")
    ordered = values[order]
    starts = _starts(ordered)
    return ordered[starts], order[starts]


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and the position of each entry among them.

    As ``np.unique(values, return_inverse=True)``.
    """
    order = values.argsort()
    ordered = values[order]
    starts = _starts(ordered)
    inverse = np.empty(values.size, dtype=np.intp)
    inverse[order] = starts.cumsum() - 1
    return ordered[starts], inverse


def runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of sorted values: the distinct values, where each run of one starts, and its length.

    As ``np.unique(ordered, return_index=True, return_counts=True)``.
    """
    first = _starts(ordered).nonzero()[0]
    ends = np.empty_like(first)
    ends[:-1] = first[1:]
    ends[-1:] = ordered.size
    return ordered[first], first, ends - first
