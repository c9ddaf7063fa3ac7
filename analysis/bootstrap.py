"""Percentile bootstrap intervals over seeds, reproducible per group.

Seed pairs are resampled with replacement and a statistic recomputed on each resample; the
interval is the central ``level`` share of the resampled statistics
(:func:`scipy.stats.bootstrap`, percentile method). Each group (a scenario at one setting of
the varied parameters) draws from its own ``numpy.random.Generator``, seeded with the caller's
``seed`` and a stable hash of the group's label, so a group's interval is reproducible and
does not change when other groups are added to a table.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.stats

from simulation.errors import FraudsimError
from simulation.streams import stable_hash

__all__ = [
    "bootstrap_ci",
    "bootstrap_means",
    "check_bootstrap",
    "group_label",
    "group_rng",
    "percentile_interval",
]


def check_bootstrap(n_boot: int, level: float, seed: int) -> None:
    """Refuse bootstrap settings out of range.

    Raises:
        FraudsimError: if ``n_boot`` is not an integer >= 1, ``level`` not strictly between 0
            and 1, or ``seed`` not an integer >= 0.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 1:
        raise FraudsimError(
            f"The 'n_boot' parameter must be an integer >= 1. Got {n_boot!r} instead."
        )
    if not (isinstance(level, numbers.Real) and 0.0 < level < 1.0):
        raise FraudsimError(
            f"The 'level' parameter must be a number strictly between 0 and 1. "
            f"Got {level!r} instead."
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise FraudsimError(f"The 'seed' parameter must be an integer >= 0. Got {seed!r} instead.")


def group_label(keys: Sequence[str], values: Sequence[Any]) -> str:
    """A group's label, ``key=value|key=value``: what its generator is seeded with."""
    return "|".join(f"{k}={v}" for k, v in zip(keys, values))


def group_rng(seed: int, label: str) -> np.random.Generator:
    """The bootstrap generator of one group: the caller's seed and a stable hash of its label."""
    return np.random.default_rng([int(seed), stable_hash(label)])


def bootstrap_means(
    samples: np.ndarray, *, rng: np.random.Generator, n_boot: int, level: float
) -> Any:
    """Percentile bootstrap of the means of paired samples, all resampled with the same draws.

    Args:
        samples: one value per seed pair along the last axis (at least two), one row per
            quantity; the rows are resampled together, so ratios of their resampled means keep
            numerator and denominator from the same seeds.
        rng: the generator to draw with (:func:`group_rng`).
        n_boot: bootstrap resamples (>= 1).
        level: confidence level (0 to 1).

    Returns:
        The :class:`scipy.stats.BootstrapResult`: ``confidence_interval`` (``low`` and
        ``high`` per row) and ``bootstrap_distribution`` (the resampled means, ``n_boot``
        along the last axis).
    """
    # scipy also gives the standard error, which a single resample cannot have: not a
    # problem of the interval, so not a warning to show.
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.filterwarnings("ignore", "Degrees of freedom", RuntimeWarning)
        return scipy.stats.bootstrap(
            (samples,),
            np.mean,
            n_resamples=n_boot,
            vectorized=True,
            axis=-1,
            confidence_level=level,
            method="percentile",
            rng=rng,
        )


def percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of resampled statistics, over the finite ones only.

    For statistics :func:`scipy.stats.bootstrap` cannot give an interval for: a resample can
    leave a ratio undefined (a zero denominator), which says nothing about the spread and is
    left out. With no finite value the interval is ``(nan, nan)``.
    """
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return (np.nan, np.nan)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int,
    n_boot: int = 2000,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Mean and percentile bootstrap confidence interval of the mean of paired differences.

    Args:
        values: one paired difference per seed (policy run vs reference run).
        seed: seed of the bootstrap's ``numpy.random.Generator`` (integer >= 0).
        n_boot: bootstrap resamples (>= 1).
        level: confidence level (0 to 1, default 0.95 for a 95 % interval).

    Returns:
        ``(mean, low, high)``. With fewer than two values the interval is ``(nan, nan)``:
        one seed says nothing about the spread over seeds.

    Raises:
        FraudsimError: if ``n_boot``, ``level`` or ``seed`` is out of range.
    """
    check_bootstrap(n_boot, level, seed)
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size < 2:
        return (mean, np.nan, np.nan)
    interval = bootstrap_means(
        x, rng=np.random.default_rng(seed), n_boot=n_boot, level=level
    ).confidence_interval
    return (mean, float(interval.low), float(interval.high))
