"""Today's counts: the daily flows, and their splits by fraud type, channel and victim category.

Every phase adds what happened to it here, by the column names of the output contract
(:mod:`simulation.outputs`): a flow of the daily table with :meth:`DayTally.count`, a split of it
into one of the long tables through :attr:`DayTally.by_type`, :attr:`DayTally.by_channel` and
:attr:`DayTally.by_victim`. At the end of a reported day the model hands the day's row and the
long tables' rows to the collector (:meth:`DayTally.collect`), and the next day starts at zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation.categories import (
    AGE_BANDS,
    CHANNELS,
    FRAUD_TYPES,
    REGIONS,
    VICTIM_GROUPS,
)
from simulation.outputs import FLOW_COLUMNS, LONG_TABLE_COUNTERS

if TYPE_CHECKING:
    from simulation.collector import DailyCollector
    from simulation.residents import Residents

#: The victim table's categories by dimension, in the order of its rows each day.
VICTIM_DIMENSIONS = (("group", VICTIM_GROUPS), ("region", REGIONS), ("age_band", AGE_BANDS))

# The category columns of the long tables, the same every day.
_TYPE_VALUES = [t.value for t in FRAUD_TYPES]
_CHANNEL_VALUES = [ch.value for ch in CHANNELS]
_VICTIM_DIMS = [dim for dim, cats in VICTIM_DIMENSIONS for _ in cats]
_VICTIM_VALUES = [cat.value for _, cats in VICTIM_DIMENSIONS for cat in cats]


class DayTally:
    """The counts of the day being simulated.

    Attributes:
        values: the daily table's flows by column name (model units), zero at the start of
            the day; at collection the day's states are added to the same row.
        by_type: per long-table counter, an array over fraud types (view into one array).
        by_channel: per counter, an array over contact channels.
        by_victim: per counter, an array over victim groups, then regions, then age bands.
    """

    def __init__(self) -> None:
        """Create the tallies, all zero."""
        counters = LONG_TABLE_COUNTERS
        # One array per long table, a row per counter and a column per category, zeroed in place
        # each day; the dicts name views into them.
        self._type_tally = np.zeros((len(counters["by_type"]), len(FRAUD_TYPES)))
        self._channel_tally = np.zeros((len(counters["by_channel"]), len(CHANNELS)))
        self._victim_tally = np.zeros((len(counters["by_victim"]), len(_VICTIM_VALUES)))
        self.by_type = dict(zip(counters["by_type"], self._type_tally, strict=True))
        self.by_channel = dict(zip(counters["by_channel"], self._channel_tally, strict=True))
        self.by_victim = dict(zip(counters["by_victim"], self._victim_tally, strict=True))
        self.reset()

    def reset(self) -> None:
        """Start a new day: every count at zero."""
        self.values: dict[str, Any] = dict.fromkeys(FLOW_COLUMNS, 0.0)
        for tally in (self._type_tally, self._channel_tally, self._victim_tally):
            tally.fill(0.0)

    def count(self, name: str, amount: float = 1.0) -> None:
        """Add ``amount`` to today's flow ``name`` (a daily output column)."""
        self.values[name] += amount

    def count_type(self, name: str, ftype: int, amount: float = 1.0) -> None:
        """Add ``amount`` to today's counter ``name`` of fraud type ``ftype``."""
        self.by_type[name][ftype] += amount

    @staticmethod
    def victim_columns(residents: Residents, victims: np.ndarray) -> np.ndarray:
        """The victim tally's columns of ``victims``: their groups, then regions, then ages.

        Each victim appears three times, once per dimension, so adding an amount per victim
        means adding it three times (``np.concatenate((amount,) * 3)``).
        """
        return np.concatenate(
            (
                residents.group[victims],
                residents.region[victims] + len(VICTIM_GROUPS),
                residents.age_band[victims] + (len(VICTIM_GROUPS) + len(REGIONS)),
            )
        )

    def collect(
        self, collector: DailyCollector, model: Any, date: pd.Timestamp, states: dict[str, Any]
    ) -> None:
        """Hand the day's row (flows and ``states``) and the long tables' rows to ``collector``."""
        row = self.values
        row["date"] = date
        row.update(states)
        collector.collect_row(model, row)
        # The long tables' columns in their declared order: date, the category, the counters.
        collector.extend_table(
            "by_type", [date] * len(FRAUD_TYPES), _TYPE_VALUES, *self._type_tally.tolist()
        )
        collector.extend_table(
            "by_channel", [date] * len(CHANNELS), _CHANNEL_VALUES, *self._channel_tally.tolist()
        )
        collector.extend_table(
            "by_victim",
            [date] * len(_VICTIM_VALUES),
            _VICTIM_DIMS,
            _VICTIM_VALUES,
            *self._victim_tally.tolist(),
        )
