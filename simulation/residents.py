"""Residents as a structure of arrays: one index per person, one array per attribute.

Residents are the many agents of the model (1.41 M at 1 agent = 1,000 people), so they are not
``mesa.Agent`` objects: each attribute is a numpy array and a resident is an index into all of
them. The cost of a day then follows the number of residents something happens to (contacted,
paying, warned), not the size of the population:

* awareness decays lazily: a resident stores the part of their awareness above their group's
  level and the day it was last updated, and the decay is applied when it is next read;
* the population mean of awareness is kept as a running total, decayed once a day;
* card sellers and gang recruits are drawn from fixed index pools, not by scanning everyone.
"""

from __future__ import annotations

import numpy as np

from simulation.categories import AGE_BANDS, REGIONS, VICTIM_GROUPS, ResidentStatus
from simulation.params import AwarenessParams, PopulationParams
from simulation.unique import unique


class Residents:
    """The resident population.

    Attributes:
        n: number of residents (model units).
        group: victim group index per resident (``int8``, :data:`VICTIM_GROUPS` order).
        age_band: age band index (``int8``), region: region index (``int8``).
        savings_yuan: money each resident holds, yuan (``float64``: money is conserved to the fen).
        has_app: whether the anti-fraud app is installed.
        app_users: how many residents have the app.
        status: :class:`ResidentStatus` per resident (free, gang member, imprisoned).
        engaged: whether the resident is currently in a scam.
        times_victimised: completed frauds suffered (``uint8``, saturating).
        seller_pool: indices of residents willing to sell their cards.
        recruit_pool: indices of residents a gang could recruit.
    """

    def __init__(
        self,
        n: int,
        population: PopulationParams,
        awareness: AwarenessParams,
        rng: np.random.Generator,
    ) -> None:
        """Draw ``n`` residents from the population parameters with generator ``rng``."""
        self.n = int(n)
        groups = population.groups.in_order()
        shares = np.array([g.share for g in groups])
        self.group = rng.choice(len(VICTIM_GROUPS), size=n, p=shares / shares.sum()).astype(np.int8)
        self.age_band = np.empty(n, dtype=np.int8)
        self.savings_yuan = np.empty(n, dtype=np.float64)
        seller = np.zeros(n, dtype=bool)
        recruitable = np.zeros(n, dtype=bool)
        for gi, params in enumerate(groups):
            members = np.flatnonzero(self.group == gi)
            self.age_band[members] = rng.choice(
                len(AGE_BANDS), size=members.size, p=np.asarray(params.age_band_shares)
            )
            self.savings_yuan[members] = params.savings_median_yuan * rng.lognormal(
                0.0, population.savings_sigma, size=members.size
            )
            seller[members] = rng.random(members.size) < params.p_card_seller
            recruitable[members] = rng.random(members.size) < params.p_recruitable
        region_w = np.asarray(population.regions.as_list())
        self.region = rng.choice(len(REGIONS), size=n, p=region_w / region_w.sum()).astype(np.int8)
        self.has_app = np.zeros(n, dtype=bool)
        self.app_users = 0
        self.status = np.full(n, ResidentStatus.FREE, dtype=np.int8)
        self.engaged = np.zeros(n, dtype=bool)
        self.times_victimised = np.zeros(n, dtype=np.uint8)
        self.seller_pool = np.flatnonzero(seller)
        self.seller_active = np.ones(self.seller_pool.size, dtype=bool)  # not yet punished
        self.recruit_pool = np.flatnonzero(recruitable)

        # Awareness: group level (publicity acts on it) plus a personal excess that decays.
        self._floor = np.asarray(awareness.initial.as_list(), dtype=np.float64)
        self.group_level = self._floor.copy()
        self._decay_per_day = float(np.exp(-1.0 / awareness.decay_days))
        self._excess = np.zeros(n, dtype=np.float32)
        self._excess_day = np.zeros(n, dtype=np.int32)
        self._excess_total = 0.0  # sum of current excess over residents
        self._group_counts = np.bincount(self.group, minlength=len(VICTIM_GROUPS))

    # ----------------------------------------------------------------------------- awareness
    def _current_excess(self, idx: np.ndarray, day: int) -> np.ndarray:
        age = day - self._excess_day[idx]
        return self._excess[idx] * np.power(self._decay_per_day, age, dtype=np.float64)

    def awareness(self, idx: np.ndarray, day: int) -> np.ndarray:
        """Awareness in [0, 1] of residents ``idx`` on model day ``day``."""
        level = self.group_level[self.group[idx]]
        return np.minimum(1.0, level + self._current_excess(idx, day))

    def boost_awareness(self, idx: np.ndarray, share: float, day: int) -> None:
        """Close ``share`` of the gap between each resident's awareness and 1.

        ``idx`` must hold no duplicates (boosts of one person in one call would not add up).
        """
        if idx.size == 0 or share <= 0.0:
            return
        current = self._current_excess(idx, day)
        level = self.group_level[self.group[idx]]
        gap = np.maximum(0.0, 1.0 - level - current)
        stored = (current + share * gap).astype(self._excess.dtype)
        self._excess[idx] = stored
        self._excess_day[idx] = day
        # Add what was stored (float32), not what was computed, so the running total stays the
        # exact sum of the stored values.
        self._excess_total += float((stored.astype(np.float64) - current).sum())

    def boost_groups(self, boost_per_group: np.ndarray) -> None:
        """Raise each group's awareness level by a share of its gap to 1 (publicity)."""
        self.group_level += np.minimum(boost_per_group, 1.0) * (1.0 - self.group_level)

    def decay_awareness(self) -> None:
        """One day of decay: group levels relax to their floor, personal excess shrinks."""
        self.group_level = self._floor + (self.group_level - self._floor) * self._decay_per_day
        self._excess_total *= self._decay_per_day

    def mean_awareness(self) -> float:
        """Population mean of awareness (ignoring the rare cap at 1), O(groups)."""
        return float((self._group_counts @ self.group_level + self._excess_total) / max(self.n, 1))

    # ----------------------------------------------------------------------------- sampling
    def sample_free(
        self, rng: np.random.Generator, n: int, pool: np.ndarray | None = None
    ) -> np.ndarray:
        """Up to ``n`` distinct free residents drawn at random from ``pool`` (default: all).

        Draws with rejection, so the cost follows ``n``, not the pool size; when the pool has
        fewer free residents than asked, it returns those it found after a bounded search.
        """
        size = self.n if pool is None else pool.size
        if n <= 0 or size == 0:
            return np.empty(0, dtype=np.int64)
        found: np.ndarray = np.empty(0, dtype=np.int64)
        for _attempt in range(8):
            want = n - found.size
            draw = rng.integers(0, size, size=2 * want + 4)
            idx = draw if pool is None else pool[draw]
            idx = idx[self.status[idx] == ResidentStatus.FREE]
            found = unique(np.concatenate([found, idx]) if found.size else idx)
            if found.size >= n:
                return rng.permutation(found)[:n]
        return rng.permutation(found)

    def nbytes(self) -> int:
        """Memory held by the resident arrays, bytes."""
        arrays = [v for v in vars(self).values() if isinstance(v, np.ndarray)]
        return int(sum(a.nbytes for a in arrays))
