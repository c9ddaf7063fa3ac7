"""A resolved scenario: the model's parameters plus the policy levers, as one validated table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, model_validator

from simulation.levers import AnyLever
from simulation.params import ModelParams


class ScenarioConfig(ModelParams):
    """Everything one run needs besides its seed.

    A scenario file holds the sections of :class:`simulation.params.ModelParams`, a ``name``,
    a ``description`` and ``[[levers]]`` tables; ``extends`` is resolved by the loader before
    this table is built, so it never appears here.
    """

    loader_keys: ClassVar[tuple[str, ...]] = ("extends", "add_levers")
    """Top-level keys of a scenario file that the loader resolves before validation; messages
    about an unknown key list them beside the fields."""

    name: str = Field("unnamed", max_length=200, description="Scenario name used in outputs.")
    description: str = Field("", max_length=10_000)
    levers: list[AnyLever] = Field(default_factory=list, max_length=1000)

    def with_overrides(
        self, overrides: Sequence[str] | Mapping[str, Any], source: str = "overrides"
    ) -> ScenarioConfig:
        """A copy with values replaced by dotted keys (``{"police.p_dissuade": 0.5}``).

        Validated exactly as a scenario file is (defaults fill partial tables; a shortened
        period leaves out the levers it does not reach, with a note), so a bad key or value
        raises :class:`simulation.errors.ScenarioError` naming ``source``, the key, what is
        allowed and what was given. ``KEY=VALUE`` strings are read as ``--set`` reads them.
        """
        from simulation.scenario import override_config  # noqa: PLC0415 - it imports this module

        return override_config(self, overrides, source)

    @model_validator(mode="after")
    def _levers_inside_run(self, info: ValidationInfo) -> ScenarioConfig:
        # The loader passes "leave out" when overrides shortened the period: it then removes
        # such levers itself, with a note (_leave_out_levers_outside_period in
        # simulation/scenario/load.py).
        if (info.context or {}).get("levers_outside_run") == "leave out":
            return self
        first_day = self.run.start - dt.timedelta(days=self.run.burn_in_days)
        for i, lever in enumerate(self.levers):
            if lever.start > self.run.end:
                raise ValueError(
                    f"levers[{i}].start: the {lever.type} lever starts on "
                    f"{lever.start.isoformat()}, after the run ends on "
                    f"{self.run.end.isoformat()}: it would never act"
                )
            if lever.end is not None and lever.end < first_day:
                raise ValueError(
                    f"levers[{i}].end: the {lever.type} lever ends on {lever.end.isoformat()}, "
                    f"before the first simulated day {first_day.isoformat()} (run.start less "
                    "run.burn_in_days): it would never act"
                )
        return self
