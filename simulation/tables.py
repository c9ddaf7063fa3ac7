"""The model's one table container: named numpy columns of equal length, a row per item.

Everything the model holds many of is a :class:`Table`: scams, cases, money parcels, frozen
funds, and the numbers of the gang and broker agents. Rows are appended in batches and removed
with a keep-mask at fixed points of the day, so every phase sees a stable table while it works
(removals are requested, then applied). A phase asks every row the same question at once by
reading a column, so the cost of a day follows the number of rows, not Python loops.

An :class:`AgentTable` is a table whose rows belong to ``mesa.Agent`` s: each agent reads and
writes its own numbers as attributes (``gang.cash_yuan``) through :class:`Stored` descriptors
that go to its row, while the phases read and write whole columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

#: A column's type: a numpy dtype for one number per row, or (dtype, width) for a vector.
ColumnType = type | np.dtype | tuple[type | np.dtype, int]

_SEQUENCES = (np.ndarray, list, tuple)  # column values given per row (else one for all rows)


def _shape(column_type: ColumnType) -> tuple[np.dtype, tuple[int, ...]]:
    if isinstance(column_type, tuple):
        dtype, width = column_type
        return np.dtype(dtype), ((width,) if width else ())
    return np.dtype(column_type), ()


class Table:
    """Named numpy columns of equal length with amortised appends.

    Args:
        columns: column name to dtype, or to ``(dtype, width)`` for a vector per row.
        capacity: rows to allocate at first (the table doubles when full).

    Example:
        >>> t = Table({"a": np.int64, "b": np.float64})
        >>> t.append(a=np.array([1, 2]), b=np.array([0.5, 1.5]))
        array([0, 1])
        >>> t["b"].sum(), len(t)
        (np.float64(2.0), 2)
    """

    def __init__(self, columns: Mapping[str, ColumnType], capacity: int = 16) -> None:
        """Create an empty table."""
        self._shapes = {name: _shape(column_type) for name, column_type in columns.items()}
        self._capacity = capacity
        self._data = {
            name: np.empty((capacity, *tail), dtype=dtype)
            for name, (dtype, tail) in self._shapes.items()
        }
        self._n = 0
        self._views: dict[str, np.ndarray] = {}  # column views of the rows, kept until they move

    def __len__(self) -> int:
        """Number of rows."""
        return self._n

    def __getitem__(self, name: str) -> np.ndarray:
        """A writable view of column ``name`` (valid until the next append or removal)."""
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self._data[name][: self._n]
        return view

    def __setitem__(self, name: str, values: np.ndarray | float) -> None:
        """Set column ``name`` for every row (``values`` broadcast)."""
        self._data[name][: self._n] = values

    def _grow(self, need: int) -> None:
        """Make room for ``need`` rows, keeping the rows there are."""
        if need <= self._capacity:
            return
        self._capacity = max(need, 2 * self._capacity)
        for name, old in self._data.items():
            grown = np.empty((self._capacity, *old.shape[1:]), dtype=old.dtype)
            grown[: self._n] = old[: self._n]
            self._data[name] = grown

    def append(self, **columns: np.ndarray | float) -> np.ndarray:
        """Append rows; returns the new rows' indices.

        Every column must be given: an array of the new rows' values, or one value (a scalar)
        for all of them; at least one column is an array, which says how many rows come.
        """
        if columns.keys() != self._data.keys():
            missing = set(self._data) ^ set(columns)
            raise KeyError(f"append needs exactly the table's columns; mismatch: {sorted(missing)}")
        sizes = {len(v) for v in columns.values() if isinstance(v, _SEQUENCES)}
        if len(sizes) != 1:
            raise ValueError(f"columns of unequal length: {sizes}")
        need = self._n + sizes.pop()
        self._grow(need)
        data, new = self._data, slice(self._n, need)
        for name, values in columns.items():
            data[name][new] = values
        rows = np.arange(self._n, need)
        self._n = need
        self._views.clear()
        return rows

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true (in order)."""
        if mask.size != self._n:
            raise ValueError(f"mask has {mask.size} entries for {self._n} rows")
        rows = mask.nonzero()[0]
        if rows.size == self._n:
            return
        for arr in self._data.values():
            arr[: rows.size] = arr[rows]
        self._n = rows.size
        self._views.clear()

    def nbytes(self) -> int:
        """Memory held, bytes."""
        return int(sum(a.nbytes for a in self._data.values()))


class AgentTable(Table):
    """A table whose rows are the numbers of ``mesa.Agent`` s, in the order they were added.

    Subclasses name their columns in :attr:`COLUMNS`; every such table has a ``unique_id``
    column, and a ``removed`` column of its own. Agents are added in the order of their ids
    (Mesa's ids increase), so ``unique_id`` is sorted and :meth:`rows_of` finds agents by id
    with a binary search.

    An agent that leaves during a day is marked (:meth:`request_removal`) and keeps its row
    until :meth:`drop_removed`, at the end of the day: rows never move while a phase works.
    """

    #: Column name to (dtype, width): width 0 for one number per agent, else a vector.
    COLUMNS: ClassVar[dict[str, tuple[type, int]]] = {"unique_id": (np.int64, 0)}

    def __init__(self, capacity: int = 64) -> None:
        """Create an empty table."""
        super().__init__({**self.COLUMNS, "removed": (np.bool_, 0)}, capacity)
        self.agents: list[Any] = []  # the agent of each row

    def add(self, agent: Any) -> None:
        """Give ``agent`` a new last row, all zeros but its id; the agent keeps its row."""
        row = self._n
        self._grow(row + 1)
        for column in self._data.values():
            column[row] = 0
        self._data["unique_id"][row] = agent.unique_id
        self._n = row + 1
        self.agents.append(agent)
        self._views.clear()
        agent._table, agent._row = self, row

    def request_removal(self, agent: Any) -> None:
        """Mark ``agent`` as gone; its row stays until :meth:`drop_removed`."""
        self._data["removed"][agent._row] = True

    def is_live(self, agent: Any) -> bool:
        """Whether ``agent`` has a row here and is not marked as gone."""
        return agent._table is self and not self._data["removed"][agent._row]

    def drop_removed(self) -> list[Any]:
        """Drop the rows of every agent marked as gone; returns those agents, in row order."""
        removed = self["removed"]
        if not removed.any():
            return []
        gone = [self.agents[row] for row in removed.nonzero()[0].tolist()]
        self.keep(~removed)
        return gone

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the agents where ``mask`` is true; the others keep their numbers apart."""
        gone = (~mask).nonzero()[0]
        for row in gone.tolist():
            agent = self.agents[row]
            own = type(self)(capacity=1)
            for name, column in self._data.items():
                own._data[name][0] = column[row]
            own._n = 1
            own.agents.append(agent)
            agent._table, agent._row = own, 0
        super().keep(mask)
        if gone.size:
            self.agents = [a for a, kept in zip(self.agents, mask.tolist()) if kept]
            for row, agent in enumerate(self.agents):
                agent._row = row

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the agents with ids ``ids``, or -1 where no agent here has that id."""
        table_ids = self["unique_id"]
        if not table_ids.size:
            return np.full(np.shape(ids), -1, dtype=np.intp)
        rows = np.minimum(table_ids.searchsorted(ids), table_ids.size - 1)
        return np.where(table_ids[rows] == ids, rows, -1)

    def agent(self, agent_id: int) -> Any | None:
        """The live agent with id ``agent_id``, or None if none here has it or it is gone."""
        row = int(self.rows_of(np.asarray(agent_id)))
        return None if row < 0 or self._data["removed"][row] else self.agents[row]


class Stored:
    """An agent attribute stored in the agent's row of its :class:`AgentTable`.

    Reads give Python numbers (``int``, ``float``, ``bool``) and vectors as copies, as plain
    attributes did.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        """Store the attribute under its own name as the column name."""
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        """The agent's number (or a copy of its vector)."""
        if agent is None:
            return self
        column = agent._table._data[self.name]
        if column.ndim > 1:
            return column[agent._row].copy()
        return column.item(agent._row)

    def __set__(self, agent: Any, value: Any) -> None:
        """Write the agent's number (or vector) to its row."""
        agent._table._data[self.name][agent._row] = value
