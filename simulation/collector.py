"""The data collector of a run: Mesa's, collecting a day's values without copying them."""

from __future__ import annotations

import mesa


class DailyCollector(mesa.DataCollector):
    """``mesa.DataCollector`` for reporters that return immutable values.

    Mesa deep-copies every reporter's value on every collection, so that a reporter returning
    a mutable object does not change earlier rows. The model's reporters return numbers and
    timestamps, which cannot change, and the copies were a third of a small run's day; this
    collector appends the values as they are. Everything else (``model_vars``, the tables,
    ``get_model_vars_dataframe``, what ``mesa.batch_run`` reads) is Mesa's.
    """

    def collect(self, model: mesa.Model) -> None:
        """Record one row of every model reporter (agent reporters are not used)."""
        if self.agent_reporters or self.agenttype_reporters:
            raise NotImplementedError("DailyCollector collects model reporters only")
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))
