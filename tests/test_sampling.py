"""simulation.streams.choice_without_replacement: a correct sampler, and numpy's own draws.

The model's output does not depend on numpy's ``Generator.choice`` any more, only on this
function. The comparison with ``choice`` documents that it gives numpy 2.5's draws exactly (so
outputs did not change when it replaced ``choice``); should a later numpy change its algorithm,
that comparison fails while the properties below still hold.
"""

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


def test_draws_are_distinct_and_avoid_zero_chances() -> None:
    rng = np.random.default_rng(7)
    p = np.array([0.3, 0.0, 0.2, 0.1, 0.0, 0.4])
    for size in range(5):
        got = choice_without_replacement(rng, p, size)
        assert got.size == size, f"expected {size} indices, got {got}"
        assert np.unique(got).size == size, f"indices should be distinct: {got}"
        assert not np.isin(got, [1, 4]).any(), f"indices with chance 0 drawn: {got}"


def test_single_draws_follow_the_chances() -> None:
    rng = np.random.default_rng(11)
    p = np.array([0.5, 0.3, 0.2])
    n = 20_000
    counts = np.bincount(
        [int(choice_without_replacement(rng, p, 1)[0]) for _ in range(n)], minlength=3
    )
    # Binomial standard error at n = 20,000 is at most 0.0036: 0.015 is over four of them.
    np.testing.assert_allclose(
        counts / n, p, atol=0.015, err_msg="one draw should pick each index with its chance"
    )
