"""Named random streams: one independent generator per kind of decision, all from one seed.

Each stream is seeded from the run's seed and a stable hash of its name (BLAKE2b, never Python's
salted ``hash()``), so the same seed gives the same draws on every machine and executor, and
switching a lever on changes only the draws of the decisions that lever touches: the other
streams are untouched (common random numbers across scenarios).

Every stream is declared once, in :class:`Stream`, with what it decides; asking for a name that
is not declared is an error, so a typo cannot silently start a new stream.
"""

from __future__ import annotations

import difflib
import hashlib
from enum import StrEnum

import numpy as np

from simulation.unique import unique_first


class Stream(StrEnum):
    """The named random streams of a run; each value is the name its seed is derived from."""

    decides: str

    def __new__(cls, name: str, decides: str) -> Stream:
        """A stream called ``name`` that draws the decisions ``decides`` describes."""
        member = str.__new__(cls, name)
        member._value_ = name
        member.decides = decides
        return member

    INIT_POPULATION = (
        "init.population",
        "residents' group, age band, savings, seller and recruit flags, region",
    )
    INIT_GANGS = (
        "init.gangs",
        "initial brokers and gangs (location, members, portfolio, dens, country)",
    )
    APP_ADOPTION = "app.adoption", "how many residents install the app, and who"
    APP_WARNING = (
        "app.warning",
        (
            "app warnings on delivered contacts (a stream of its own, so that switching the app on "
            "leaves everyone's engagement draws as they were)"
        ),
    )
    MARKET_SELL = "market.sell", "offers, sellers, cards per sale, punishment, buyer broker"
    MARKET_CRACKDOWN = (
        "market.crackdown",
        "broker destruction and stock seizures, gang stock seizures, clearing",
    )
    MARKET_BUY = "market.buy", "rationing and which brokers' stock is sold"
    MARKET_ENTRY = "market.entry", "new brokers"
    CONTACT = "contact", "contacts per gang and type; channels and interception of non-candidates"
    ENGAGE = (
        "engage",
        "engagement candidates per gang and type, their channels, identities, acceptance",
    )
    SCAM_SCRIPT = "scam.script", "start hour, time to first payment, planned loss"
    WARNING = "warning", "warning capacity rounding, detection, dissuasion, flagged residents"
    SCAM_ABANDON = "scam.abandon", "abandonment"
    PAYMENT = (
        "payment",
        (
            "victims lost without an account, bank of deposit, hops and first hop time, intervals "
            "between payments"
        ),
    )
    REPORT = "report", "whether and when victims report"
    LAUNDERING = "laundering", "screening per hop, time to the next hop"
    INVESTIGATION = (
        "investigation",
        "capacity rounding, cracking, arrests, leader identification, raids",
    )
    CROSS_BORDER = "cross_border", "repatriation, surrender, return home, returnee arrest"
    EXIT_CONTROL = (
        "cross_border.exit",
        "exit control on recruits and on members of gangs moving abroad",
    )
    GANG_ADAPT = "gang.adapt", "noise in judging returns, moving abroad, host country"
    GANG_RECRUIT = "gang.recruit", "numbers of recruits and who they are"
    GANG_FOUND = "gang.found", "number, location and founding draws of new gangs"


def stable_hash(name: str) -> int:
    """A 64-bit hash of ``name`` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class RandomStreams:
    """A family of independent ``numpy.random.Generator`` s, one per :class:`Stream`.

    Args:
        seed: the run's seed (a non-negative integer).

    Example:
        >>> streams = RandomStreams(42)
        >>> a = streams[Stream.CONTACT].random()
        >>> b = RandomStreams(42)[Stream.CONTACT].random()
        >>> a == b
        True
    """

    def __init__(self, seed: int) -> None:
        """Create the family; generators are made on first use."""
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: Stream) -> np.random.Generator:
        """The generator of stream ``name``.

        Raises:
            KeyError: ``name`` is not a declared :class:`Stream`.
        """
        stream = self._streams.get(name)
        if stream is None:
            if name not in _DECLARED:
                near = difflib.get_close_matches(str(name), [str(s) for s in Stream], n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise KeyError(f"unknown random stream {name!r}: declare it in Stream{hint}")
            sequence = np.random.SeedSequence([self.seed, stable_hash(name)])
            stream = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = stream
        return stream

    def names(self) -> list[str]:
        """Names of the streams used so far, sorted."""
        return sorted(self._streams)


_DECLARED = frozenset(Stream)


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
