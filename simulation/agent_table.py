"""The numbers of many agents of one kind as columns: a row per agent, a column per attribute.

Gangs and card brokers are ``mesa.Agent`` s, a few dozen of each at 1 agent = 1,000 people,
and a day asks all of them the same questions (stocks, cash, operators, portfolio, risk) about
twenty times. With the numbers held by each object, every such question first gathered them
into an array with a list comprehension and wrote the answer back agent by agent, and that
bookkeeping cost more than the arithmetic. Here the numbers of all agents of a kind live in one
:class:`AgentTable`, which the day's phases read and write column by column, and each agent
still reads and writes its own numbers as attributes (``gang.cash_yuan``) through
:class:`Stored` descriptors that go to its row.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np


class AgentTable:
    """A row per agent, a column per attribute; rows in the order the agents were added.

    Subclasses name their columns in :attr:`COLUMNS`. Every table has a ``unique_id``
    column; agents are added in the order of their ids (Mesa's ids increase), so that column
    is sorted and :meth:`rows_of` finds agents by id with a binary search.

    Columns are views (``table["cash_yuan"]``) valid until the next :meth:`add` or
    :meth:`remove`: code that adds or removes agents reads the columns again afterwards.
    """

    #: Column name to (dtype, width): width 0 for one number per agent, else a vector.
    COLUMNS: ClassVar[dict[str, tuple[type, int]]] = {"unique_id": (np.int64, 0)}

    def __init__(self, capacity: int = 64) -> None:
        """Create an empty table."""
        self._data = {
            name: np.zeros((capacity, width) if width else capacity, dtype=dtype)
            for name, (dtype, width) in self.COLUMNS.items()
        }
        self.agents: list[Any] = []  # the agent of each row
        self._views: dict[str, np.ndarray] = {}  # column views of the rows, kept until they move

    def __len__(self) -> int:
        """Number of agents."""
        return len(self.agents)

    def __getitem__(self, name: str) -> np.ndarray:
        """A writable view of column ``name`` (valid until the next add or remove)."""
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self._data[name][: len(self.agents)]
        return view

    def __setitem__(self, name: str, values: np.ndarray | float) -> None:
        """Set column ``name`` for every agent (``values`` broadcast)."""
        self._data[name][: len(self.agents)] = values

    def add(self, agent: Any) -> None:
        """Give ``agent`` a new last row, all zeros but its id; the agent keeps its row."""
        row = len(self.agents)
        capacity = self._data["unique_id"].shape[0]
        if row == capacity:
            for name, old in self._data.items():
                grown = np.zeros((2 * capacity, *old.shape[1:]), dtype=old.dtype)
                grown[:row] = old
                self._data[name] = grown
        for column in self._data.values():
            column[row] = 0  # a removed agent's numbers may be left here
        self._data["unique_id"][row] = agent.unique_id
        self.agents.append(agent)
        self._views.clear()
        agent._table, agent._row = self, row

    def remove(self, agent: Any) -> None:
        """Drop ``agent``'s row; the agent keeps its numbers in a table of its own."""
        row = agent._row
        n = len(self.agents)
        own = type(self)(capacity=1)
        for name, column in self._data.items():
            own._data[name][0] = column[row]
            column[row : n - 1] = column[row + 1 : n]
        own.agents.append(agent)
        agent._table, agent._row = own, 0
        del self.agents[row]
        self._views.clear()
        for later in self.agents[row:]:
            later._row -= 1

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the agents with ids ``ids``, or -1 where no agent here has that id."""
        table_ids = self["unique_id"]
        if not table_ids.size:
            return np.full(np.shape(ids), -1, dtype=np.intp)
        rows = np.minimum(table_ids.searchsorted(ids), table_ids.size - 1)
        return np.where(table_ids[rows] == ids, rows, -1)


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
