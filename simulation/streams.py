"""Named random streams: one independent generator per kind of decision, all from one seed.

Each stream is seeded from the run's seed and a stable hash of its name (BLAKE2b, never Python's
salted ``hash()``), so the same seed gives the same draws on every machine and executor, and
switching a lever on changes only the draws of the decisions that lever touches: the other
streams are untouched (common random numbers across scenarios).
"""

from __future__ import annotations

import hashlib

import numpy as np

from simulation.unique import unique_first


def stable_hash(name: str) -> int:
    """A 64-bit hash of ``name`` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class RandomStreams:
    """A family of independent ``numpy.random.Generator`` s keyed by decision name.

    Args:
        seed: the run's seed (a non-negative integer).

    Example:
        >>> streams = RandomStreams(42)
        >>> a = streams["contact"].random()
        >>> b = RandomStreams(42)["contact"].random()
        >>> a == b
        True
    """

    def __init__(self, seed: int) -> None:
        """Create the family; generators are made on first use."""
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        """The generator for decision ``name``."""
        stream = self._streams.get(name)
        if stream is None:
            sequence = np.random.SeedSequence([self.seed, stable_hash(name)])
            stream = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = stream
        return stream

    def names(self) -> list[str]:
        """Names of the streams used so far, sorted."""
        return sorted(self._streams)


def stochastic_round(rng: np.random.Generator, value: float) -> int:
    """Round ``value`` (>= 0) down or up at random so that the mean is ``value``.

    Used to turn national rates divided by the scale (often fractions of one) into whole
    model units without losing them.
    """
    whole = int(value)
    return whole + int(rng.random() < value - whole)


def choice_without_replacement(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """``size`` distinct indices into ``p`` (chances summing to 1), drawn without replacement.

    Exactly the draws and result of ``rng.choice(p.size, size, replace=False, p=p)``, by
    numpy's own algorithm (draw, keep the first of repeats, set the chosen chances to zero,
    draw the rest again), without its argument checks and general ``np.unique``: for the few
    dozen gangs of a rationed card market those cost more than the sampling itself.
    ``tests/test_sampling.py`` compares the two.

    Raises:
        ValueError: fewer than ``size`` indices have a chance above zero.
    """
    if np.count_nonzero(p) < size:
        raise ValueError("Fewer non-zero entries in p than size")
    p = p.astype(np.float64)  # a copy: chosen entries are set to zero below
    found = np.zeros(size, dtype=np.int64)
    n = 0
    while n < size:
        u = rng.random(size - n)
        if n > 0:
            p[found[:n]] = 0
        cdf = p.cumsum()
        cdf /= cdf[-1]
        new = cdf.searchsorted(u, side="right")
        _, first = unique_first(new)
        first.sort()
        new = new.take(first)
        found[n : n + new.size] = new
        n += new.size
    return found
