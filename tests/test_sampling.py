"""simulation.streams.choice_without_replacement draws exactly what Generator.choice draws."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.streams import choice_without_replacement


@pytest.mark.parametrize("seed", range(40))
def test_same_draws_as_numpy_choice(seed: int) -> None:
    setup = np.random.default_rng(seed)
    n = int(setup.integers(1, 60))
    p = setup.random(n) * (setup.random(n) < 0.8)  # some zero chances
    if not p.any():
        p[0] = 1.0
    p /= p.sum()
    size = int(setup.integers(0, np.count_nonzero(p) + 1))
    ours, numpys = np.random.default_rng(seed + 1000), np.random.default_rng(seed + 1000)
    got = choice_without_replacement(ours, p, size)
    expected = numpys.choice(n, size=size, replace=False, p=p)
    assert np.array_equal(got, expected), f"n={n}, size={size}: {got} != {expected}"
    assert ours.random() == numpys.random(), "the streams should be left in the same state"


def test_too_few_nonzero_chances_are_refused() -> None:
    with pytest.raises(ValueError, match="non-zero"):
        choice_without_replacement(np.random.default_rng(0), np.array([0.5, 0.5, 0.0]), 3)
