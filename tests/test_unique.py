"""simulation.unique returns exactly what the matching np.unique call returns."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.unique import runs, unique, unique_first, unique_inverse


def _cases() -> list[np.ndarray]:
    rng = np.random.default_rng(6)
    cases = [np.empty(0, dtype=np.int64), np.array([5]), np.array([3, 3, 3], dtype=np.int8)]
    for size in (2, 7, 40, 2_500):
        for high in (3, 50, 1_410_000):
            cases.append(rng.integers(0, high, size=size))
    return cases


@pytest.mark.parametrize("values", _cases(), ids=lambda a: f"{a.dtype}x{a.size}")
def test_same_as_numpy(values: np.ndarray) -> None:
    expected = np.unique(values)
    got = unique(values)
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected)

    expected, first = np.unique(values, return_index=True)
    got, got_first = unique_first(values)
    assert np.array_equal(got, expected)
    assert np.array_equal(got_first, first)

    expected, inverse = np.unique(values, return_inverse=True)
    got, got_inverse = unique_inverse(values)
    assert np.array_equal(got, expected)
    assert np.array_equal(got_inverse, inverse)

    ordered = np.sort(values)
    expected, first, counts = np.unique(ordered, return_index=True, return_counts=True)
    got, got_first, got_counts = runs(ordered)
    assert np.array_equal(got, expected)
    assert np.array_equal(got_first, first)
    assert np.array_equal(got_counts, counts)
