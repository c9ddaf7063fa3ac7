"""The fraud-campaign model: gangs, residents, the card market, banks and police, day by day."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd

from simulation.banks import Laundering
from simulation.collector import DailyCollector
from simulation.config import ScenarioConfig
from simulation.contacts import Contacts
from simulation.gang_population import GangPopulation
from simulation.invariants import MoneyFlows, money_total_yuan, verify
from simulation.levers import Phase, PolicyState
from simulation.market import CardMarket
from simulation.outputs import FLOW_COLUMNS, LONG_TABLE_COUNTERS, LONG_TABLE_KEYS, STATE_COLUMNS
from simulation.police import Police
from simulation.residents import Residents
from simulation.scams import Scams
from simulation.streams import RandomStreams, Stream, stochastic_round
from simulation.tally import DayTally


def _read(name: str, model: FraudModel) -> float:
    return model.tally.values[name]


class FraudModel(mesa.Model):
    """Telecom and online fraud campaigns: gangs against residents, banks and police.

    One step is one day. The model is a 1/``scale`` miniature of the country: every count in
    its outputs times ``scale`` is a national equivalent (:func:`simulation.outputs.to_national`).

    The model builds the parts of the world and runs the day; each phase of the day lives with
    the agents it belongs to, and :meth:`step` lists them in the order they run
    (``docs/ODD.md`` describes each):

    1. **policy** - today's :class:`PolicyState`: the effects of the levers active today.
    2. **publicity** - awareness decays; campaigns raise group awareness; residents install
       the anti-fraud app (:class:`~simulation.police.PublicityOffice`).
    3. **card_market** - residents sell cards to brokers (some punished); the broken-card unit
       seizes, destroys and clears; gangs buy; prices move; brokers enter
       (:class:`~simulation.market.CardMarket`, :class:`~simulation.police.CardCrackdownUnit`).
    4. **contact** - gangs contact residents; operators and the app block some; residents
       engage (:class:`~simulation.contacts.Contacts`).
    5. **early_warning** - detection, warnings up to capacity, dissuasion
       (:class:`~simulation.police.AntiFraudCentre`).
    6. **payment** - victims abandon or pay into mule accounts; first payments make cases;
       last payments may lead to reports (:class:`~simulation.scams.Scams`).
    7. **laundering** - reports arrive and ask for stops; money hops, is frozen or cashed out;
       frozen money goes back (:class:`~simulation.banks.Laundering`).
    8. **investigation** - reported cases are worked, cracked, members arrested, gangs raided
       (:class:`~simulation.police.InvestigationUnit`).
    9. **cross_border** - repatriations, returnees and surrenders
       (:class:`~simulation.police.CrossBorderUnit`).
    10. **gang_adaptation** - gangs learn, feel pressure, move abroad, recruit, break up; new
        gangs are founded (:class:`~simulation.gang_population.GangPopulation`).
    11. **end of day** - the scams, gangs and brokers that ended today are removed (the one
        point where rows leave the tables), invariants are checked if asked, and a reported
        day is collected by ``datacollector``.

    Args:
        config: the resolved scenario (defaults to all default parameters, no levers).
        rng: the run's seed (an integer; ``None`` draws one, recorded in ``self.seed``).
        check_invariants: verify money conservation and non-negative counts every day.
        **overrides: scenario values by dotted key with ``__`` for dots
            (``police__p_dissuade=0.5``), for ``mesa.batch_run``.
    """

    def __init__(
        self,
        config: ScenarioConfig | None = None,
        *,
        rng: int | None = None,
        check_invariants: bool = False,
        **overrides: Any,
    ) -> None:
        """Build residents, gangs, brokers, banks, police units and the data collector."""
        if rng is None:
            rng = int(np.random.SeedSequence().entropy % (2**63))
        if not isinstance(rng, (int, np.integer)) or rng < 0:
            raise ValueError(f"rng must be a non-negative integer seed, got {rng!r}")
        super().__init__(rng=int(rng))
        if overrides:
            # Keyword arguments name dotted keys with `__` for the dots (mesa.batch_run).
            dotted = {key.replace("__", "."): value for key, value in overrides.items()}
            config = (config or ScenarioConfig()).with_overrides(dotted, "keyword arguments")
        self.config = config if config is not None else ScenarioConfig()
        self.seed = int(rng)
        self.check_invariants = check_invariants
        c = self.config
        self.scale = c.run.scale
        self.streams = RandomStreams(self.seed)
        self.n_days = (c.run.end - c.run.start).days + 1
        self._dates = [pd.Timestamp(c.run.start + dt.timedelta(days=i)) for i in range(self.n_days)]
        self.day_index = -c.run.burn_in_days  # day 0 is run.start
        self.levers_by_phase: dict[Phase, list] = {phase: [] for phase in Phase}
        for lever in c.levers:
            self.levers_by_phase[lever.phase].append(lever)
        self.policy = PolicyState()  # no lever acts while the model is built
        # Day indices on which a lever starts or the day after one ends: only there can the
        # day's PolicyState differ from the day before (see _start_day).
        self._lever_changes = sorted(
            {(lever.start - c.run.start).days for lever in c.levers}
            | {(lever.end - c.run.start).days + 1 for lever in c.levers if lever.end is not None}
        )
        self._policy_days = (0, 0)  # the days [first, last + 1) self.policy holds for
        self.tally = DayTally()
        self.money = MoneyFlows()

        # The parts of the world; the agents are created in this order (their ids follow it).
        n_residents = max(1, round(c.run.population_national / self.scale))
        self.residents = Residents(
            n_residents, c.population, c.awareness, self.streams[Stream.INIT_POPULATION]
        )
        self.scams = Scams(self)
        self.gangs = GangPopulation(self)
        self.market = CardMarket(self)
        self.contacts = Contacts(self)
        self.laundering = Laundering(self)
        self.police = Police(self)
        setup = self.streams[Stream.INIT_GANGS]
        for _ in range(stochastic_round(setup, c.market.n_brokers_national / self.scale)):
            self.market.found_broker()
        for _ in range(stochastic_round(setup, c.gangs.n_gangs_national / self.scale)):
            self.gangs.found(setup, overseas=bool(setup.random() < c.gangs.overseas_share))
        self.initial_money_yuan = self.money_total_yuan() - self.money.injected_yuan
        self.datacollector = DailyCollector(
            model_reporters={
                name: partial(_read, name) for name in ("date", *FLOW_COLUMNS, *STATE_COLUMNS)
            },
            tables={
                name: [*LONG_TABLE_KEYS[name], *counters]
                for name, counters in LONG_TABLE_COUNTERS.items()
            },
        )

    @property
    def today(self) -> dt.date:
        """Calendar date of the day being simulated."""
        return self.config.run.start + dt.timedelta(days=self.day_index)

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Simulate the burn-in and every reported day (``run.start`` .. ``run.end``).

        Args:
            progress: called with 1 after each reported day (e.g. a progress bar's update).
        """
        while self.day_index < self.n_days:
            reported = self.day_index >= 0
            self.step()
            if reported and progress is not None:
                progress(1)
        self.running = False

    def step(self) -> None:
        """Simulate one day: the phases of the class docstring, in this order."""
        self._start_day()  # 1. policy
        self.residents.decay_awareness()  # 2. publicity
        self.police.publicity_office.act()
        self.market.sell()  # 3. card market
        self.police.card_unit.act()
        self.market.buy()
        self.market.enter()
        self.contacts.make()  # 4. contact
        self.police.anti_fraud_centre.act()  # 5. early warning
        self.scams.abandon()  # 6. payment
        self.scams.take_payments()
        self.laundering.act()  # 7. laundering
        self.police.investigation.act()  # 8. investigation
        self.police.cross_border.act()  # 9. cross-border
        self.gangs.adapt()  # 10. gang adaptation
        self.gangs.found_new()
        self._end_day()  # 11. end of day

    # ============================================================================ the day
    def _start_day(self) -> None:
        """Today's policy (built only when the set of active levers changes); counts at zero."""
        first, end = self._policy_days
        if not first <= self.day_index < end:
            self.policy = self.policy_on(self.today)
            i = bisect.bisect_right(self._lever_changes, self.day_index)
            self._policy_days = (
                self._lever_changes[i - 1] if i > 0 else -(2**62),
                self._lever_changes[i] if i < len(self._lever_changes) else 2**62,
            )
        self.tally.reset()

    def policy_on(self, day: dt.date) -> PolicyState:
        """The policy settings of ``day``: every lever active that day adds its effect.

        Levers add their effects phase by phase, in the order of :class:`Phase`, and no phase
        reads a setting that a later phase's lever adds, so the state built whole at the start
        of the day is the one each phase saw when its own levers acted just before it. It
        depends only on which levers are active, so it is built again only on the days that
        set changes. Nothing changes a :class:`PolicyState` after it is built.
        """
        state = PolicyState()
        for phase in Phase:
            for lever in self.levers_by_phase[phase]:
                if lever.is_active(day):
                    lever.act(state, self.scale)
        return state

    def _end_day(self) -> None:
        """What ended today goes; invariants are checked if asked; a reported day is collected.

        Scams, gangs and brokers that ended during the day are removed here and nowhere else,
        so every phase works on tables whose rows do not move.
        """
        self.scams.drop_ended()
        self.gangs.drop_removed()
        self.market.drop_removed()
        if self.check_invariants:
            self.verify_invariants()
        if self.day_index >= 0:
            self.tally.collect(
                self.datacollector, self, self._dates[self.day_index], self._states()
            )
        self.day_index += 1
        # Mesa's convention: drivers such as mesa.batch_run stop when `running` turns False.
        self.running = self.day_index < self.n_days

    def _states(self) -> dict[str, Any]:
        """The daily table's states: levels at the end of the day."""
        gangs = self.gangs.table
        contacts = self.tally.values["contacts"]
        gangs_overseas = int(gangs["overseas"].sum())
        return {
            "gangs_active": len(gangs),
            "gangs_overseas": gangs_overseas,
            "gang_members": int(gangs["n_members"].sum()),
            "brokers_active": len(self.market.brokers),
            "card_price_yuan": self.market.prices.bank_yuan,
            "phone_card_price_yuan": self.market.prices.phone_yuan,
            "overseas_share": (
                self.contacts.overseas_today / contacts
                if contacts
                else (gangs_overseas / len(gangs) if gangs else 0.0)
            ),
            "mean_awareness": self.residents.mean_awareness(),
            "app_users": self.residents.app_users,
            "active_scams": len(self.scams),
            "mule_balance_yuan": self.laundering.ledger.total_yuan(),
        }

    # ============================================================================ checks
    def money_total_yuan(self) -> float:
        """All money in the model, yuan (:func:`simulation.invariants.money_total_yuan`)."""
        return money_total_yuan(self)

    def verify_invariants(self) -> None:
        """Raise :class:`InvariantError` naming the first invariant that fails today."""
        verify(self)

    # ============================================================================ results
    def daily_frame(self) -> pd.DataFrame:
        """One row per reported date: ``date`` then every daily column, model units."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def table_frames(self) -> dict[str, pd.DataFrame]:
        """The long tables ``by_type``, ``by_channel`` and ``by_victim`` (model units)."""
        frames = {}
        for name in LONG_TABLE_COUNTERS:
            frame = self.datacollector.get_table_dataframe(name)
            frame["date"] = pd.to_datetime(frame["date"])
            frames[name] = frame
        return frames
