"""The data collector of a run: Mesa's, collecting a day's values without copying them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mesa


class DailyCollector(mesa.DataCollector):
    """``mesa.DataCollector`` for model reporters that return immutable values, and tables.

    Mesa deep-copies every reporter's value on every collection, so that a reporter returning
    a mutable object does not change earlier rows. The model's reporters return numbers and
    timestamps, which cannot change, so this collector appends the values as they are. Everything else (``model_vars``, the tables,
    ``get_model_vars_dataframe``, what ``mesa.batch_run`` reads) is Mesa's.
    """

    def __init__(self, **kwargs: Any) -> None:
        """As ``mesa.DataCollector``, with model reporters and tables only.

        Raises:
            ValueError: agent reporters were given (this collector records none).
        """
        if kwargs.get("agent_reporters") or kwargs.get("agenttype_reporters"):
            raise ValueError("DailyCollector takes model reporters and tables, not agent reporters")
        super().__init__(**kwargs)

    def collect(self, model: mesa.Model) -> None:
        """Record one row of every model reporter."""
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))

    def collect_row(self, model: mesa.Model, row: Mapping[str, Any]) -> None:
        """Record one row given as values by reporter name.

        The same as :meth:`collect` when each model reporter would return ``row[name]``: a
        model whose reporters all read one dict of the day's values hands over the dict, and
        the collector does not call one reporter per column.
        """
        self._collection_steps.append(model.time)
        for name, column in self.model_vars.items():
            column.append(row[name])

    def extend_table(self, name: str, *columns: Sequence[Any]) -> None:
        """Append rows to table ``name``: one sequence of values per column.

        The columns come in the order the table declared them, all of one length. The same as
        one ``add_table_row`` per row, without a dict per row.

        Raises:
            ValueError: not one sequence per column of the table.
        """
        lists = list(self.tables[name].values())
        if len(columns) != len(lists):
            raise ValueError(f"table {name!r} has {len(lists)} columns, got {len(columns)}")
        for column, values in zip(lists, columns, strict=True):
            column.extend(values)
