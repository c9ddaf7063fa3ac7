"""Two models stepped side by side: the scenario as set on the dashboard, and its reference.

:class:`PairedModel` is the model the dashboard drives. It builds two
:class:`simulation.model.FraudModel` runs with the same seed, the scenario with the levers and
parameters chosen on the dashboard (the *policy* run) and a reference (by default the same
without any lever; or another scenario over the same period, scale and parameters), runs their
burn-in, and steps both one day per :meth:`PairedModel.step`. Because both runs share every
random stream a lever does not touch (:mod:`simulation.streams`), the gap between their curves
is the effect of the measures, not noise: with every lever at intensity 0 the two runs are the
same draw for draw.

It reads the runs' collected days (``datacollector``) and a few public attributes of the
model (brokers' and gangs' card stocks, which the daily table does not hold), and never changes
the model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import mesa
import pandas as pd

from analysis.manifests import lever_starts
from analysis.pairs import run_totals
from analysis.summaries import add_net_loss, monthly
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError
from simulation.model import FraudModel
from simulation.outputs import to_national

__all__ = ["NO_MEASURES", "STOCK_COLUMNS", "PairedModel", "RunningTotals", "to_override_value"]

NO_MEASURES = "the same without measures"
"""The reference choice that removes every lever of the scenario (the default)."""

STOCK_COLUMNS: dict[str, str] = {
    "broker_phone_cards": "phone cards in brokers' stock",
    "broker_bank_cards": "bank card sets in brokers' stock",
    "gang_phone_cards": "phone cards held by gangs",
    "gang_mule_accounts": "mule accounts held by gangs",
}
"""Card stocks read at the end of each reported day (model units), with what each counts."""

_DATE_KEYS = ("start", "end")  # lever fields whose values are dates


def to_override_value(key: str, value: Any) -> Any:
    """A dashboard input as a scenario value.

    ``YYYY-MM-DD`` text becomes a date for a lever's ``start`` or ``end``: a select box gives
    text, and a scenario wants a date. Other values pass unchanged.
    """
    if isinstance(value, str) and key.rsplit(".", 1)[-1] in _DATE_KEYS:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise FraudsimError(
                f"dashboard: {key} must be a date YYYY-MM-DD; given: {value!r}"
            ) from None
    return value


@dataclasses.dataclass(frozen=True)
class RunningTotals:
    """What the measures averted so far: reference minus policy, national equivalents.

    Attributes:
        days: reported days simulated so far.
        cases_averted: completed frauds averted (cases).
        net_losses_averted_yuan: net losses (gross minus recovered) averted, yuan.
        reference_cases: the reference run's cases so far (cases).
        reference_net_loss_yuan: the reference run's net losses so far, yuan.
        effort_hours: the policy run's extra police effort so far, officer-hours.
    """

    days: int
    cases_averted: float
    net_losses_averted_yuan: float
    reference_cases: float
    reference_net_loss_yuan: float
    effort_hours: float

    @property
    def cases_averted_share(self) -> float:
        """Cases averted as a share of the reference's cases (NaN before any case)."""
        return self.cases_averted / self.reference_cases if self.reference_cases else float("nan")


class PairedModel(mesa.Model):
    """The policy run and its reference run, stepped together one day at a time.

    Mesa's SolaraViz builds the model again on *Reset* with the keyword arguments it was
    given plus a ``scenario`` of Mesa's own; every argument below is accepted on that path.

    Args:
        config: the scenario as loaded from its file.
        rng: the seed of both runs (an integer >= 0).
        reference: :data:`NO_MEASURES`, or a key of ``references``.
        references: reference scenarios by name; each runs over the policy run's period,
            scale and parameter values, with its own levers.
        scenario: given by Mesa's SolaraViz on reset; unused (the scenario is ``config``).
        **overrides: scenario values by dotted key with ``__`` for dots, as for
            :class:`~simulation.model.FraudModel` (``levers__0__intensity=2.0``,
            ``run__scale=2000.0``); a lever's ``start`` may be given as ``YYYY-MM-DD`` text.
            Keys outside ``levers`` apply to the reference run too.

    Raises:
        FraudsimError: an unknown reference; ScenarioError (a FraudsimError) for a bad key
            or value, naming it.
    """

    def __init__(
        self,
        config: ScenarioConfig | None = None,
        *,
        rng: int = 0,
        reference: str = NO_MEASURES,
        references: Mapping[str, ScenarioConfig] | None = None,
        scenario: object = None,
        **overrides: Any,
    ) -> None:
        """Build both runs and simulate their burn-in, so the first step is the first day."""
        super().__init__(rng=int(rng))
        del scenario  # Mesa's reset passes one; the scenario here is `config`
        base = config if config is not None else ScenarioConfig()
        dotted = {
            key.replace("__", "."): to_override_value(key.replace("__", "."), value)
            for key, value in overrides.items()
        }
        policy_config = base.with_overrides(dotted, "dashboard") if dotted else base
        self.seed = int(rng)
        self.reference_choice = reference
        self.policy = FraudModel(policy_config, rng=self.seed)
        self.reference = FraudModel(
            self._reference_config(policy_config, dotted, reference, references or {}),
            rng=self.seed,
        )
        self.scale = self.policy.scale
        self.labels = self._labels(policy_config.name, reference)
        self._stocks: dict[str, list[dict[str, float]]] = {label: [] for label in self.labels}
        self._cache: dict[tuple[str, int], pd.DataFrame] = {}
        while self.policy.day_index < 0:  # the burn-in: simulated, not reported
            self.policy.step()
            self.reference.step()
        self.running = self.policy.running

    @staticmethod
    def _reference_config(
        policy: ScenarioConfig,
        dotted: Mapping[str, Any],
        reference: str,
        references: Mapping[str, ScenarioConfig],
    ) -> ScenarioConfig:
        if reference == NO_MEASURES:
            return policy.model_copy(update={"levers": [], "name": f"{policy.name} {NO_MEASURES}"})
        if reference not in references:
            allowed = ", ".join([NO_MEASURES, *references])
            raise FraudsimError(
                f"dashboard: the reference must be one of {allowed}; given: {reference!r}"
            )
        # The same period, scale and parameter values as the policy run; its own levers.
        shared = {key: value for key, value in dotted.items() if not key.startswith("levers.")}
        shared |= {f"run.{key}": value for key, value in policy.run.model_dump().items()}
        return references[reference].with_overrides(shared, f"dashboard reference {reference}")

    def _labels(self, name: str, reference: str) -> tuple[str, str]:
        other = self.reference.config.name if reference != NO_MEASURES else f"{name}, no measures"
        return (name, other if other != name else f"{other} (reference)")

    @property
    def policy_label(self) -> str:
        """The policy run's name in legends."""
        return self.labels[0]

    @property
    def reference_label(self) -> str:
        """The reference run's name in legends."""
        return self.labels[1]

    def step(self) -> None:
        """Simulate one day of both runs."""
        if not self.running:
            return
        for label, model in zip(self.labels, (self.policy, self.reference)):
            model.step()
            self._stocks[label].append(_stocks(model))
        self.running = self.policy.running

    # ------------------------------------------------------------------ what the charts read
    @property
    def days(self) -> int:
        """Reported days simulated so far."""
        return max(0, self.policy.day_index)

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last reported day of the runs: the charts' time axis."""
        run = self.policy.config.run
        return pd.Timestamp(run.start), pd.Timestamp(run.end)

    @property
    def today(self) -> dt.date | None:
        """The last simulated reported day (``None`` before the first)."""
        return self.policy.today - dt.timedelta(days=1) if self.days else None

    def _cached(self, what: str, build: Any) -> pd.DataFrame:
        key = (what, self.days)
        if key not in self._cache:
            if len(self._cache) > 16:
                self._cache.clear()
            self._cache[key] = build()
        return self._cache[key]

    def daily(self) -> pd.DataFrame:
        """Both runs' reported days as one tidy frame (model units).

        Returns:
            ``scenario`` (:attr:`labels`), ``seed``, ``date`` and every daily column of the
            output contract; empty before the first step.
        """

        def build() -> pd.DataFrame:
            parts = [
                model.daily_frame().assign(scenario=label, seed=self.seed)
                for label, model in zip(self.labels, (self.policy, self.reference))
            ]
            out = pd.concat(parts, ignore_index=True)
            first = ["scenario", "seed"]
            return out[[*first, *[c for c in out.columns if c not in first]]]

        return self._cached("daily", build)

    def national(self, period: str = "day") -> pd.DataFrame:
        """:meth:`daily` in national equivalents with ``net_loss_yuan``, per day or month.

        Args:
            period: ``"day"``, or ``"month"`` for calendar-month sums of flows and means of
                states (:func:`analysis.summaries.monthly`; the last month so far is partial).
        """

        def build() -> pd.DataFrame:
            frame = add_net_loss(to_national(self.daily(), self.scale))
            return monthly(frame) if period == "month" else frame

        return self._cached(f"national {period}", build)

    def stocks(self) -> pd.DataFrame:
        """Both runs' card stocks at the end of each reported day.

        Returns:
            ``scenario``, :data:`STOCK_COLUMNS` (model units) and ``date``.
        """

        def build() -> pd.DataFrame:
            parts = []
            for label, model in zip(self.labels, (self.policy, self.reference)):
                frame = pd.DataFrame(self._stocks[label], columns=list(STOCK_COLUMNS))
                dates = model.daily_frame()["date"].iloc[: len(frame)]
                parts.append(frame.assign(scenario=label, date=dates.to_numpy()))
            return pd.concat(parts, ignore_index=True)

        return self._cached("stocks", build)

    def long_table(self, name: str) -> pd.DataFrame:
        """Both runs' long table ``name`` (``by_type`` or ``by_channel``) as one tidy frame."""

        def build() -> pd.DataFrame:
            parts = [
                model.datacollector.get_table_dataframe(name).assign(scenario=label, seed=self.seed)
                for label, model in zip(self.labels, (self.policy, self.reference))
            ]
            return pd.concat(parts, ignore_index=True)

        return self._cached(name, build)

    def totals(self) -> RunningTotals:
        """Running totals of what the measures averted so far (national equivalents)."""
        daily = self.daily()
        if daily.empty:
            return RunningTotals(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        sums = run_totals(daily).set_index("scenario")
        policy, reference = sums.loc[self.policy_label], sums.loc[self.reference_label]
        return RunningTotals(
            days=self.days,
            cases_averted=float(reference["cases"] - policy["cases"]) * self.scale,
            net_losses_averted_yuan=float(reference["net_loss_yuan"] - policy["net_loss_yuan"])
            * self.scale,
            reference_cases=float(reference["cases"]) * self.scale,
            reference_net_loss_yuan=float(reference["net_loss_yuan"]) * self.scale,
            effort_hours=float(policy["effort_hours"] - reference["effort_hours"]) * self.scale,
        )

    def lever_starts(self) -> dict[str, list[tuple[str, pd.Timestamp]]]:
        """Start dates of each run's active levers, by run label, for marking the charts."""
        manifest = {
            "scenarios": {
                label: {"scenario": model.config.model_dump(mode="json")}
                for label, model in zip(self.labels, (self.policy, self.reference))
            }
        }
        return lever_starts(manifest)


def _stocks(model: FraudModel) -> dict[str, float]:
    """Card stocks at the end of the day: brokers' shelves and what gangs hold (model units)."""
    brokers, gangs = model.market.brokers, model.gangs.table
    return {
        "broker_phone_cards": float(brokers["phone_cards"].sum()),
        "broker_bank_cards": float(brokers["bank_cards"].sum()),
        "gang_phone_cards": float(gangs["phone_cards"].sum()),
        "gang_mule_accounts": float(gangs["mule_accounts"].sum()),
    }
