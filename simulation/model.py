"""The fraud-campaign model: gangs, residents, the card market, banks and police, day by day."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd

from simulation.banks import Bank, MuleLedger
from simulation.categories import (
    AGE_BANDS,
    CHANNELS,
    COUNTRIES,
    FRAUD_TYPES,
    REGIONS,
    VICTIM_GROUPS,
    Channel,
    ResidentStatus,
    Role,
)
from simulation.collector import DailyCollector
from simulation.columns import ColumnTable
from simulation.config import ScenarioConfig
from simulation.errors import InvariantError
from simulation.gangs import (
    Gang,
    GangTable,
    account_capacity,
    card_needs,
    contact_capacity,
    contact_effort,
    learn,
    use_accounts,
    wear_phone_cards,
)
from simulation.interception import TelecomOperator
from simulation.levers import LEVER_TYPES, Phase, PolicyState, toward_one
from simulation.market import BrokerTable, CardBroker, CardPrices
from simulation.police import (
    AntiFraudCentre,
    CardCrackdownUnit,
    CrossBorderUnit,
    InvestigationUnit,
    PublicityOffice,
)
from simulation.residents import Residents
from simulation.streams import RandomStreams, choice_without_replacement, stochastic_round
from simulation.unique import runs, unique, unique_first, unique_inverse

HOURS_PER_DAY = 24.0
BROKER_MARKUP = 1.5  # brokers resell cards at this multiple of what they pay sellers (assumption)
STRANDED_DAYS = 14  # days without phone cards after which a gang's funder gives up (assumption)

#: Daily output columns after ``date``, in model units (see ``simulation.outputs``).
DAILY_COUNTERS: tuple[str, ...] = (
    "contacts",
    "contacts_blocked",
    "calls_intercepted",
    "sms_intercepted",
    "websites_blocked",
    "app_warnings",
    "engagements",
    "cases",
    "loss_yuan",
    "stopped_yuan",
    "screened_yuan",
    "recovered_yuan",
    "averted_yuan",
    "cashed_out_yuan",
    "crypto_yuan",
    "early_warnings",
    "dissuaded",
    "scams_dissuaded",
    "scams_abandoned",
    "payments_lost_no_account",
    "reports",
    "stop_requests",
    "cases_investigated",
    "cases_cracked",
    "cases_cracked_over_1m",
    "arrests_investigation",
    "arrests_repatriation",
    "arrests_returnee",
    "surrenders",
    "exit_stops",
    "recruits",
    "gangs_founded",
    "gangs_destroyed",
    "gangs_broken_up",
    "gangs_moved_abroad",
    "dens_destroyed",
    "card_sales",
    "phone_cards_seized",
    "bank_cards_seized",
    "phone_cards_cleared",
    "bank_accounts_cleared",
    "sellers_punished",
    "brokers_destroyed",
    *(f"effort_{lever}_hours" for lever in LEVER_TYPES),
)

#: Daily state columns (levels, not flows), read at the end of the day.
DAILY_STATES: tuple[str, ...] = (
    "gangs_active",
    "gangs_overseas",
    "gang_members",
    "brokers_active",
    "card_price_yuan",
    "phone_card_price_yuan",
    "overseas_share",
    "mean_awareness",
    "app_users",
    "active_scams",
    "mule_balance_yuan",
)

TYPE_COUNTERS = (
    "contacts",
    "engagements",
    "cases",
    "loss_yuan",
    "scams_dissuaded",
    "reports",
    "cases_cracked",
)
CHANNEL_COUNTERS = ("contacts", "blocked", "engagements", "cases")
VICTIM_COUNTERS = ("cases", "loss_yuan")
VICTIM_DIMENSIONS = (("group", VICTIM_GROUPS), ("region", REGIONS), ("age_band", AGE_BANDS))
# The category columns of the long tables, the same every day.
_TYPE_VALUES = [t.value for t in FRAUD_TYPES]
_CHANNEL_VALUES = [ch.value for ch in CHANNELS]
_VICTIM_DIMS = [dim for dim, cats in VICTIM_DIMENSIONS for _ in cats]
_VICTIM_VALUES = [cat.value for _, cats in VICTIM_DIMENSIONS for cat in cats]


def _normalise_rows(weights: np.ndarray) -> np.ndarray:
    """Rows of ``weights`` scaled to sum to 1 (a row of zeros becomes uniform)."""
    total = weights.sum(axis=1, keepdims=True)
    uniform = np.full_like(weights, 1.0 / weights.shape[1])
    return np.divide(weights, total, out=uniform, where=total > 0.0)


def _read(name: str, model: FraudModel) -> float:
    return model.today_values[name]


class FraudModel(mesa.Model):
    """Telecom and online fraud campaigns: gangs against residents, banks and police.

    One step is one day. The model is a 1/``scale`` miniature of the country: every count in
    its outputs times ``scale`` is a national equivalent (:func:`simulation.outputs.to_national`).

    A day runs these phases, in this order (``docs/ODD.md`` describes each):

    1. **policy** - today's :class:`PolicyState`: the effects of the levers active today, each
       added as if it acted at the start of its own phase (see :meth:`_policy_on`).
    2. **publicity** (:class:`PublicityOffice`) - awareness decays; campaigns raise group
       awareness; residents install the anti-fraud app.
    3. **card_market** - willing residents sell cards to brokers (some sellers punished);
       the broken-card unit seizes stocks, destroys brokers, clears gangs' cards
       (:class:`CardCrackdownUnit`); gangs buy cards; prices move; new brokers enter.
    4. **contact** - gangs contact residents by fraud type and channel, limited by operators
       and phone cards; the operators (:class:`TelecomOperator`) intercept some; the app flags
       some; contacted residents engage by susceptibility and awareness.
    5. **early_warning** (:class:`AntiFraudCentre`) - detection of ongoing scams and flagged
       contacts, warnings up to capacity, dissuasion.
    6. **payment** - engaged residents abandon or pay when their script says so, into a
       gang's mule account; the first payment makes a case; the last may lead to a report.
    7. **laundering** (:class:`Bank`, :class:`MuleLedger`) - reports due today trigger stop
       requests; parcels hop, are screened, frozen or cashed out; frozen money goes back.
    8. **investigation** (:class:`InvestigationUnit`) - reported cases are worked, cracked,
       members arrested, gangs raided.
    9. **cross_border** (:class:`CrossBorderUnit`) - repatriations, returnees and surrenders.
    10. **gang_adaptation** (:class:`Gang`) - gangs learn which types pay, feel pressure,
        move abroad, recruit, break up; new gangs are founded.
    11. **end of day** - requested removals (ended scams) are applied, invariants are checked
        if asked, and a reported day is collected by ``datacollector``.

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
        # The reported days as the collector stores them, made once (a Timestamp a day cost
        # more in the run than in a loop here).
        self._dates = [pd.Timestamp(c.run.start + dt.timedelta(days=i)) for i in range(self.n_days)]
        self.day_index = -c.run.burn_in_days  # day 0 is run.start
        self.levers_by_phase: dict[Phase, list] = {phase: [] for phase in Phase}
        for lever in c.levers:
            self.levers_by_phase[lever.phase].append(lever)
        self.policy = PolicyState()  # no lever acts while the model is built
        # Day indices on which a lever starts or the day after one ends: only there can the
        # day's PolicyState differ from the day before (see _reset_day).
        self._lever_changes = sorted(
            {(lever.start - c.run.start).days for lever in c.levers}
            | {(lever.end - c.run.start).days + 1 for lever in c.levers if lever.end is not None}
        )
        self._policy_days = (0, 0)  # the days [first, last + 1) self.policy holds for
        # Today's counts for the long tables: one array per table, a row per counter and a
        # column per table row (the dicts name views into them), zeroed in place each day
        # rather than made anew. The victim table's columns are the groups, then the regions,
        # then the age bands.
        self._type_tally = np.zeros((len(TYPE_COUNTERS), len(FRAUD_TYPES)))
        self._channel_tally = np.zeros((len(CHANNEL_COUNTERS), len(CHANNELS)))
        self._victim_tally = np.zeros((len(VICTIM_COUNTERS), len(_VICTIM_VALUES)))
        self._by_type = dict(zip(TYPE_COUNTERS, self._type_tally, strict=True))
        self._by_channel = dict(zip(CHANNEL_COUNTERS, self._channel_tally, strict=True))
        self._by_victim = dict(zip(VICTIM_COUNTERS, self._victim_tally, strict=True))
        self._reset_counters()

        self._ftypes = c.fraud_types.in_order()
        self._susceptibility = np.array([t.susceptibility.as_list() for t in self._ftypes])
        p_engage = np.array([t.p_engage for t in self._ftypes])
        self._p_engage = p_engage
        self._p_engage_max = np.minimum(1.0, p_engage * self._susceptibility.max(axis=1))
        # Per-type parameters as arrays indexed by fraud type, read for many scams at once.
        self._type_table = {
            name: np.array([getattr(t, name) for t in self._ftypes])
            for name in (
                "script_days",
                "loss_median_yuan",
                "loss_sigma",
                "n_payments",
                "p_abandon_per_day",
                "payment_interval_days",
                "p_report",
                "report_delay_hours_median",
            )
        }
        self._channel_mix = _normalise_rows(
            np.array([t.channels.as_list() for t in self._ftypes], dtype=np.float64)
        )
        self._contact_chances_for: PolicyState | None = None  # see _contact_chances

        # Residents
        n_residents = max(1, round(c.run.population_national / self.scale))
        self.residents = Residents(
            n_residents, c.population, c.awareness, self.streams["init.population"]
        )
        self.app_users = 0
        self._savings_reference_yuan = float(np.median(self.residents.savings_yuan))

        # Fraud economy state
        self.scams = ColumnTable(
            {
                "victim": np.int64,
                "gang": np.int64,
                "ftype": np.int8,
                "channel": np.int8,
                "next_pay_hour": np.float64,
                "payments_left": np.int16,
                "planned_yuan": np.float64,
                "paid_yuan": np.float64,
                "case": np.int64,
                "detected": bool,
                "ended": bool,
            }
        )
        self.cases = ColumnTable(
            {
                "victim": np.int64,
                "gang": np.int64,
                "ftype": np.int8,
                "overseas": bool,
                "loss_yuan": np.float64,
                "cracked": bool,
            }
        )
        self.pending_reports = ColumnTable({"case": np.int64, "hour": np.float64})
        self.report_queue: deque[int] = deque()
        self.ledger = MuleLedger(c.banks)
        self.frozen = ColumnTable(
            {"victim": np.int64, "amount_yuan": np.float64, "return_day": np.int64}
        )
        self.gang_by_id: dict[int, Gang] = {}
        self.gang_table = GangTable()  # the live gangs' numbers, rows in id order
        self.broker_table = BrokerTable()  # the live brokers' numbers, rows in id order
        self.seized_cash_yuan = 0.0  # cash taken from destroyed gangs and brokers
        self.retired_cash_yuan = 0.0  # cash of gangs that broke up, kept by former members
        self.paid_out_yuan = 0.0  # profits gangs paid out to funders and members
        self.injected_yuan = 0.0  # start-up cash of gangs and brokers, from outside
        self.prices = CardPrices(c.market)
        self._punished_recent = 0.0
        self._revenue_ref: float | None = None
        self.delivered_today = 0

        # Agents other than residents
        self.operator = TelecomOperator(self, c.interception)
        self.banks = [Bank(self, c.banks) for _ in range(c.banks.n_banks)]
        self.publicity_office = PublicityOffice(self)
        self.anti_fraud_centre = AntiFraudCentre(self)
        self.card_unit = CardCrackdownUnit(self)
        self.investigation_unit = InvestigationUnit(self)
        self.cross_border_unit = CrossBorderUnit(self)
        setup = self.streams["init.gangs"]
        for _ in range(stochastic_round(setup, c.market.n_brokers_national / self.scale)):
            self._found_broker()
        for _ in range(stochastic_round(setup, c.gangs.n_gangs_national / self.scale)):
            self._found_gang(setup, overseas=bool(setup.random() < c.gangs.overseas_share))
        self.initial_money_yuan = self.money_total_yuan() - self.injected_yuan
        self.datacollector = DailyCollector(
            model_reporters={
                name: partial(_read, name) for name in ("date", *DAILY_COUNTERS, *DAILY_STATES)
            },
            tables={
                "by_type": ["date", "fraud_type", *TYPE_COUNTERS],
                "by_channel": ["date", "channel", *CHANNEL_COUNTERS],
                "by_victim": ["date", "dimension", "category", *VICTIM_COUNTERS],
            },
        )

    # ================================================================================ running
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
        """Simulate one day; the phases are listed in the class docstring, in this order."""
        self._reset_day()
        self._phase_publicity()
        self._phase_card_market()
        self._phase_contact()
        self._phase_early_warning()
        self._phase_payment()
        self._phase_laundering()
        self._phase_investigation()
        self._phase_cross_border()
        self._phase_gang_adaptation()
        self._end_of_day()

    def _policy_on(self, day: dt.date) -> PolicyState:
        """The policy settings of ``day``: every lever active that day adds its effect.

        Levers add their effects phase by phase, in the order of :class:`Phase`, and no phase
        reads a setting that a later phase's lever adds, so the state built whole at the start
        of the day is the one each phase saw when its own levers acted just before it. It
        depends only on which levers are active, so :meth:`_reset_day` builds it only on the
        days that set changes and keeps it until the next (building it every day cost about
        4 % of a day at 1 agent = 1,000 people). Nothing changes a :class:`PolicyState` after
        it is built.
        """
        state = PolicyState()
        for phase in Phase:
            for lever in self.levers_by_phase[phase]:
                if lever.is_active(day):
                    lever.act(state, self.scale)
        return state

    # ================================================================================ phases
    def _phase_publicity(self) -> None:
        self.residents.decay_awareness()
        self.publicity_office.act()

    def _phase_card_market(self) -> None:
        self._sell_cards()
        self.card_unit.act()
        self._buy_cards()
        self._enter_brokers()

    def _phase_contact(self) -> None:
        self._make_contacts()

    def _phase_early_warning(self) -> None:
        self.anti_fraud_centre.act()

    def _phase_payment(self) -> None:
        self.gang_table["payments_waiting"] = 0  # counted afresh on each day's payments
        self._abandon_scams()
        self._take_payments()

    def _phase_laundering(self) -> None:
        self._launder()

    def _phase_investigation(self) -> None:
        self.investigation_unit.act()

    def _phase_cross_border(self) -> None:
        self.cross_border_unit.act()

    def _phase_gang_adaptation(self) -> None:
        self._adapt_gangs()
        self._found_gangs()

    # ================================================================================ counters
    def _reset_day(self) -> None:
        first, end = self._policy_days
        if not first <= self.day_index < end:
            self.policy = self._policy_on(self.today)
            i = bisect.bisect_right(self._lever_changes, self.day_index)
            self._policy_days = (
                self._lever_changes[i - 1] if i > 0 else -(2**62),
                self._lever_changes[i] if i < len(self._lever_changes) else 2**62,
            )
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.today_values: dict[str, Any] = dict.fromkeys(DAILY_COUNTERS, 0.0)
        for tally in (self._type_tally, self._channel_tally, self._victim_tally):
            tally.fill(0.0)
        # Paid today, by gang: (ids, revenue by fraud type, number of payments), for learning.
        self._paid_today: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.delivered_today = 0
        self._overseas_contacts = 0

    def count(self, name: str, amount: float = 1.0) -> None:
        """Add ``amount`` to today's counter ``name`` (a daily output column)."""
        self.today_values[name] += amount

    def count_type(self, name: str, ftype: int, amount: float = 1.0) -> None:
        """Add ``amount`` to today's per-fraud-type counter ``name``."""
        self._by_type[name][ftype] += amount

    # ================================================================================ gangs
    def gangs_in_order(self) -> list[Gang]:
        """Live gangs sorted by id (the gang table's rows are in founding order, as the ids).

        ``gang_by_id`` holds the same gangs, as an index for looking one up by id.
        """
        return list(self.gang_table.agents)

    def brokers_in_order(self) -> list[CardBroker]:
        """Live brokers sorted by id (the broker table's rows are in founding order)."""
        return list(self.broker_table.agents)

    def _found_broker(self) -> None:
        cash = self.config.market.broker_initial_cash_yuan
        self.injected_yuan += cash
        CardBroker(self, cash_yuan=cash, table=self.broker_table)

    def remove_broker(self, broker: CardBroker) -> None:
        """A broker leaves the market (its stock and cash are dealt with by the caller)."""
        self.broker_table.remove(broker)
        broker.remove()

    def _found_gang(self, rng: np.random.Generator, *, overseas: bool) -> Gang | None:
        """Found a gang from the recruit pool; None when no leader can be found."""
        c = self.config
        g = c.gangs
        res = self.residents
        leader = res.sample_free(rng, 1, res.recruit_pool)
        if leader.size == 0:
            return None
        shares = np.array([t.portfolio_share for t in self._ftypes])
        portfolio = rng.gamma(20.0 * shares / shares.sum() + 1e-9)
        country_w = np.asarray(g.overseas_countries.as_list())
        gang = Gang(
            self,
            overseas=overseas,
            region=-1 if overseas else int(res.region[leader[0]]),
            country=int(rng.choice(len(COUNTRIES), p=country_w / country_w.sum()))
            if overseas
            else -1,
            portfolio=portfolio,
            n_dens=1 + int(rng.poisson(max(g.n_dens_mean - 1.0, 0.0))),
            cash_yuan=g.initial_cash_yuan,
            table=self.gang_table,
        )
        self.injected_yuan += g.initial_cash_yuan
        self.gang_by_id[gang.unique_id] = gang
        self._join(gang, leader, Role.LEADER)
        for role, mean in (
            (Role.OPERATOR, g.n_operators_mean),
            (Role.TECHNICIAN, g.n_technicians_mean),
            (Role.RECRUITER, g.n_recruiters_mean),
            (Role.LAUNDERER, g.n_launderers_mean),
        ):
            k = int(rng.poisson(mean))
            if k:
                self._join(gang, res.sample_free(rng, k, res.recruit_pool), role)
        gang.founding_size = gang.n_members
        # Start-up stock: what the gang would hold after buying, so day 1 is not card-starved.
        phone, bank = gang.card_needs(g)
        gang.phone_cards, gang.mule_accounts = phone, bank
        self.count("gangs_founded")
        return gang

    def _join(self, gang: Gang, residents: np.ndarray, role: Role) -> None:
        """Residents join ``gang`` in ``role`` (exit controls may stop those going abroad)."""
        if residents.size == 0:
            return
        if gang.overseas and self.policy.p_exit_control > 0.0 and role is not Role.LEADER:
            stopped = (
                self.streams["cross_border.exit"].random(residents.size)
                < self.policy.p_exit_control
            )
            self.count("exit_stops", int(stopped.sum()))
            residents = residents[~stopped]
        self.residents.status[residents] = ResidentStatus.GANG_MEMBER
        gang.add_members(role, [int(i) for i in residents])

    def imprison(self, gang: Gang, residents: list[int], route: str) -> None:
        """Members of ``gang`` are taken into custody; ``route`` names the output column."""
        if not residents:
            return
        gang.remove_members(residents)
        self.residents.status[np.asarray(residents, dtype=np.int64)] = ResidentStatus.IMPRISONED
        gang.risk_events += len(residents)
        self.count(route, len(residents))

    def release_members(self, gang: Gang, residents: list[int]) -> None:
        """Members leave ``gang`` and go back to ordinary life."""
        if not residents:
            return
        gang.remove_members(residents)
        self.residents.status[np.asarray(residents, dtype=np.int64)] = ResidentStatus.FREE

    def remove_gang(self, gang: Gang, *, destroyed: bool) -> None:
        """End a gang: its scams stop, free members go home, its cash is seized or kept.

        Args:
            gang: the gang.
            destroyed: True when police dismantled it (counted in ``gangs_destroyed``, cash
                seized), False when it broke up by itself (``gangs_broken_up``).
        """
        if gang.unique_id not in self.gang_by_id:
            return
        self.release_members(gang, gang.all_members())
        if destroyed:
            self.seized_cash_yuan += gang.cash_yuan
            self.count("gangs_destroyed")
        else:
            self.retired_cash_yuan += gang.cash_yuan
            self.count("gangs_broken_up")
        gang.cash_yuan = 0.0
        del self.gang_by_id[gang.unique_id]
        self.gang_table.remove(gang)
        if len(self.scams):
            self.end_scams(np.flatnonzero(self.scams["gang"] == gang.unique_id), dissuaded=False)
        gang.remove()

    # ================================================================================ market
    def seize_cards(self, phone: int, bank: int) -> None:
        """Count cards seized by police."""
        self.count("phone_cards_seized", phone)
        self.count("bank_cards_seized", bank)

    def _sell_cards(self) -> None:
        """Willing residents sell cards to brokers; some sales are traced and punished."""
        m = self.config.market
        res = self.residents
        rng = self.streams["market.sell"]
        brokers = self.broker_table
        active = int(np.count_nonzero(res.seller_active))
        memory = np.exp(-1.0 / m.punishment_memory_days)
        self._punished_recent *= memory
        if not len(brokers) or active == 0:
            return
        deterrence = 1.0 / (1.0 + m.risk_premium_per_punishment * self._punished_recent / active)
        p_offer = min(1.0, m.p_offer_per_day * self.prices.supply_factor() * deterrence)
        n_offers = int(rng.binomial(active, p_offer))
        if n_offers == 0:
            return
        slots = unique(rng.integers(0, res.seller_pool.size, size=n_offers))
        slots = slots[res.seller_active[slots]]
        sellers = res.seller_pool[slots]
        free = res.status[sellers] == ResidentStatus.FREE
        slots, sellers = slots[free], sellers[free]
        cap = self.policy.max_cards_per_person
        phone_factor, bank_factor = self.prices.quantity_factors()
        phone = np.minimum(
            rng.poisson(m.phone_cards_per_sale * phone_factor, size=sellers.size), cap
        )
        bank = np.minimum(rng.poisson(m.bank_cards_per_sale * bank_factor, size=sellers.size), cap)
        phone, bank = phone.astype(np.int64), bank.astype(np.int64)
        punished = rng.random(sellers.size) < self.policy.p_punish_seller
        if punished.any():
            res.seller_active[slots[punished]] = False
            self.seize_cards(int(phone[punished].sum()), int(bank[punished].sum()))
            self.count("sellers_punished", int(punished.sum()))
            self._punished_recent += float(punished.sum())
            self.card_unit.book_effort("card_crackdown", float(punished.sum()))
        buyer = rng.integers(0, len(brokers), size=sellers.size)
        phone_yuan, bank_yuan = self.prices.phone_yuan, self.prices.bank_yuan
        # Sale by sale (a broker pays only while its cash lasts), on the brokers' columns.
        cash = brokers["cash_yuan"].tolist()
        phone_stock = brokers["phone_cards"].tolist()
        bank_stock = brokers["bank_cards"].tolist()
        sales = 0
        sold = ~punished
        for n_phone, n_bank, b, seller in zip(
            phone[sold].tolist(),
            bank[sold].tolist(),
            buyer[sold].tolist(),
            sellers[sold].tolist(),
            strict=True,
        ):
            price = n_phone * phone_yuan + n_bank * bank_yuan
            if price <= 0 or cash[b] < price:
                continue
            cash[b] -= price
            res.savings_yuan[seller] += price
            phone_stock[b] += n_phone
            bank_stock[b] += n_bank
            sales += 1
        brokers["cash_yuan"] = cash
        brokers["phone_cards"] = phone_stock
        brokers["bank_cards"] = bank_stock
        self.count("card_sales", sales)

    def _buy_cards(self) -> None:
        """Gangs top up their card stocks from brokers at today's prices; prices then move.

        The market is pooled: when brokers hold less than gangs ask for, every gang gets the
        same share of what it asks (rounded at random), and which brokers' stock is sold is
        drawn at random in proportion to their stocks.
        """
        g = self.config.gangs
        rng = self.streams["market.buy"]
        brokers = self.broker_table
        gangs = self.gang_table
        phone_stock = brokers["phone_cards"].copy()  # the stocks before today's sales
        bank_stock = brokers["bank_cards"].copy()
        need_phone, need_bank = card_needs(gangs, g)
        phone_demand, bank_demand = int(need_phone.sum()), int(need_bank.sum())
        if len(brokers) and len(gangs):
            phone_price = BROKER_MARKUP * self.prices.phone_yuan
            bank_price = BROKER_MARKUP * self.prices.bank_yuan
            cash = gangs["cash_yuan"]
            # Accounts first: without one a gang cannot take a victim's money at all.
            want_bank = np.minimum(need_bank, np.floor(cash / bank_price)).astype(np.int64)
            got_bank = self._ration(rng, want_bank, int(bank_stock.sum()))
            cash = cash - got_bank * bank_price
            want_phone = np.minimum(need_phone, np.floor(cash / phone_price)).astype(np.int64)
            got_phone = self._ration(rng, want_phone, int(phone_stock.sum()))
            sold_phone = rng.multivariate_hypergeometric(phone_stock, int(got_phone.sum()))
            sold_bank = rng.multivariate_hypergeometric(bank_stock, int(got_bank.sum()))
            cost = got_phone * phone_price + got_bank * bank_price
            gangs["cash_yuan"] -= cost
            gangs["spend_today"] += cost
            gangs["phone_cards"] += got_phone
            gangs["mule_accounts"] += got_bank
            brokers["cash_yuan"] += sold_phone * phone_price + sold_bank * bank_price
            brokers["phone_cards"] -= sold_phone
            brokers["bank_cards"] -= sold_bank
            phone_bought, bank_bought = int(got_phone.sum()), int(got_bank.sum())
        else:
            phone_bought = bank_bought = 0
        self.prices.update(
            (phone_demand, phone_bought, int(phone_stock.sum())),
            (bank_demand, bank_bought, int(bank_stock.sum())),
        )

    @staticmethod
    def _ration(rng: np.random.Generator, wanted: np.ndarray, available: int) -> np.ndarray:
        """Share ``available`` units among buyers wanting ``wanted``, proportionally."""
        total = int(wanted.sum())
        if total <= available:
            return wanted
        exact = wanted * (available / total)
        got = np.floor(exact).astype(np.int64)
        short = available - int(got.sum())
        if short > 0:
            extra = choice_without_replacement(rng, (exact - got) / (exact - got).sum(), short)
            got[extra] += 1
        return got

    def _enter_brokers(self) -> None:
        m = self.config.market
        rng = self.streams["market.entry"]
        attractiveness = self.prices.bank_yuan / m.bank_card_price_yuan
        for _ in range(
            int(rng.poisson(m.broker_entry_national_per_day / self.scale * attractiveness))
        ):
            self._found_broker()

    # ================================================================================ contacts
    def _make_contacts(self) -> None:
        """Gangs' operators contact residents.

        Interception and the app block some; some contacted residents engage (a scam starts).
        """
        gangs = self.gang_table
        if not len(gangs):
            return
        g = self.config.gangs
        rng = self.streams["contact"]
        capacity = contact_capacity(gangs, g)
        planned = rng.poisson(contact_effort(gangs, g))
        n_contacts = np.minimum(planned, np.floor(capacity)).astype(np.int64)
        by_type = rng.multinomial(n_contacts, gangs["portfolio"])  # gangs x types
        wear_phone_cards(gangs, n_contacts, g)
        self._overseas_contacts = int(n_contacts[gangs["overseas"]].sum())
        type_totals = by_type.sum(axis=0)

        # Each contact goes by a channel drawn from its type's mix; the operators block it
        # with the channel's chance; a delivered contact is a candidate for engagement with
        # the type's highest engagement chance (exact thinning: each candidate is accepted
        # below with its own chance over that maximum). Only candidates need a gang and a
        # resident, so they are drawn per gang and type, and the other contacts per type for
        # all gangs together: the cost follows engagements, not contacts.
        n_channels = len(CHANNELS)
        p_candidate, others, cumulative = self._contact_chances()
        engage = self.streams["engage"]
        candidates = engage.binomial(by_type, p_candidate)  # gangs x types
        split = rng.multinomial(type_totals - candidates.sum(axis=0), others)
        blocked, delivered = split[:, :n_channels], split[:, n_channels:]
        cell = np.arange(candidates.size).repeat(candidates.ravel())
        gang_row, ftype = np.unravel_index(cell, candidates.shape)
        channel = np.minimum(
            (engage.random(cell.size)[:, None] >= cumulative[ftype]).sum(axis=1), n_channels - 1
        )
        delivered += np.bincount(ftype * n_channels + channel, minlength=delivered.size).reshape(
            delivered.shape
        )

        blocked_by_channel = blocked.sum(axis=0)
        self.count("contacts", int(n_contacts.sum()))
        self.count("contacts_blocked", int(blocked_by_channel.sum()))
        self.count("calls_intercepted", int(blocked_by_channel[CHANNELS.index(Channel.CALL)]))
        self.count("sms_intercepted", int(blocked_by_channel[CHANNELS.index(Channel.SMS)]))
        self.count("websites_blocked", int(blocked_by_channel[CHANNELS.index(Channel.WEBSITE)]))
        self._by_type["contacts"] += type_totals
        self._by_channel["contacts"] += blocked_by_channel + delivered.sum(axis=0)
        self._by_channel["blocked"] += blocked_by_channel
        self.delivered_today = int(delivered.sum())
        self.anti_fraud_centre.book_effort("interception", float(blocked_by_channel.sum()))

        app_share = self.app_users / self.residents.n
        p_app = app_share * self.policy.p_app_warning
        # The app's decisions have their own stream, so switching it on leaves the engagement
        # draws of everyone else as they were.
        app_rng = self.streams["app.warning"]
        if p_app > 0.0:
            not_candidates = int(delivered.sum()) - cell.size
            self.count("app_warnings", int(app_rng.binomial(not_candidates, p_app)))
        if cell.size == 0:
            return
        res = self.residents
        victim = engage.integers(0, res.n, size=cell.size)
        awareness = res.awareness(victim, self.day_index)
        p_i = (
            self._p_engage[ftype]
            * self._susceptibility[ftype, res.group[victim]]
            * (1.0 - awareness) ** self.config.awareness.effect_exponent
        )
        accept = engage.random(cell.size) * self._p_engage_max[ftype] < p_i
        accept &= (res.status[victim] == ResidentStatus.FREE) & ~res.engaged[victim]
        if p_app > 0.0:
            with_app = res.has_app[victim].nonzero()[0]
            flagged_rows = with_app[app_rng.random(with_app.size) < self.policy.p_app_warning]
            self.count("app_warnings", flagged_rows.size)
            accept[flagged_rows] = False
        idx = accept.nonzero()[0]
        if idx.size == 0:
            return
        if idx.size > 1:
            # A resident contacted twice today engages at most once.
            _, first = unique_first(victim[idx])
            first.sort()
            idx = idx[first]
        self._start_scams(
            victim[idx],
            gangs["unique_id"][gang_row[idx]],
            ftype[idx].astype(np.int8),
            channel[idx].astype(np.int8),
        )

    def _contact_chances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chances of a contact by fraud type, with today's interception.

        Returns:
            The chance a contact is delivered and is a candidate for engagement (types); how
            the other contacts split over blocked and delivered by channel (types x 2
            channels); the cumulative channel mix of delivered contacts (types x channels).

        They change only with the levers, so they are worked out again only when the day's
        :class:`PolicyState` is another object than the day before.
        """
        if self._contact_chances_for is not self.policy:
            p_block = self.operator.block_probabilities(self.policy)
            through = self._channel_mix * (1.0 - p_block)  # types x channels: delivered
            p_through = through.sum(axis=1)
            others = np.concatenate(
                [self._channel_mix * p_block, through * (1.0 - self._p_engage_max)[:, None]],
                axis=1,
            )
            self._contact_chances_today = (
                self._p_engage_max * p_through,
                _normalise_rows(others),
                np.cumsum(_normalise_rows(through), axis=1),
            )
            self._contact_chances_for = self.policy
        return self._contact_chances_today

    def _start_scams(
        self, victim: np.ndarray, gang: np.ndarray, ftype: np.ndarray, channel: np.ndarray
    ) -> None:
        rng = self.streams["scam.script"]
        k = victim.size
        types = self._type_table
        script_days = types["script_days"][ftype]
        median = types["loss_median_yuan"][ftype]
        sigma = types["loss_sigma"][ftype]
        n_payments = types["n_payments"][ftype]
        # Single sessions pay the same day (between 08:00 and 22:00); grooming takes weeks.
        start_hour = self.day_index * HOURS_PER_DAY + rng.uniform(8.0, 22.0, size=k)
        first_pay = start_hour + rng.exponential(1.0, size=k) * script_days * HOURS_PER_DAY
        # Scammers size their ask to the victim's means (grooming finds out what they have),
        # so losses of a million yuan come from the wealthy, as they do in the case files.
        wealth = self.residents.savings_yuan[victim] / self._savings_reference_yuan
        planned = (
            median
            * rng.lognormal(0.0, sigma)
            * np.power(np.maximum(wealth, 1e-6), self.config.gangs.ask_wealth_elasticity)
        )
        self.residents.engaged[victim] = True
        self.scams.append(
            victim=victim,
            gang=gang,
            ftype=ftype,
            channel=channel,
            next_pay_hour=first_pay,
            payments_left=n_payments.astype(np.int16),
            planned_yuan=planned,
            paid_yuan=0.0,
            case=-1,
            detected=False,
            ended=False,
        )
        self.count("engagements", k)
        self._by_type["engagements"] += np.bincount(ftype, minlength=len(FRAUD_TYPES))
        self._by_channel["engagements"] += np.bincount(channel, minlength=len(CHANNELS))

    def end_scams(self, rows: np.ndarray, *, dissuaded: bool) -> None:
        """Request the end of scams ``rows`` (removed at the end of the day).

        A dissuaded scam counts its unpaid planned money as averted; a victim who had paid
        already may report it.
        """
        rows = rows[~self.scams["ended"][rows]]
        if rows.size == 0:
            return
        s = self.scams
        s["ended"][rows] = True
        self.residents.engaged[s["victim"][rows]] = False
        if dissuaded:
            self.count("scams_dissuaded", rows.size)
            self.count("dissuaded", rows.size)
            self._by_type["scams_dissuaded"] += np.bincount(
                s["ftype"][rows], minlength=len(FRAUD_TYPES)
            )
            self.count(
                "averted_yuan",
                float(np.maximum(s["planned_yuan"][rows] - s["paid_yuan"][rows], 0).sum()),
            )
            paid = rows[s["case"][rows] >= 0]
            self._maybe_report(paid, self.day_index * HOURS_PER_DAY + 12.0)

    # ================================================================================ payments
    def _abandon_scams(self) -> None:
        s = self.scams
        if not len(s):
            return
        p = self._type_table["p_abandon_per_day"][s["ftype"]]
        unpaid = (s["case"] < 0) & ~s["ended"]
        quit_ = unpaid & (self.streams["scam.abandon"].random(len(s)) < p)
        rows = quit_.nonzero()[0]
        if rows.size:
            self.count("scams_abandoned", rows.size)
            self.end_scams(rows, dissuaded=False)

    def _take_payments(self) -> None:
        """Scams due today take a payment each; the first payment makes a case."""
        s = self.scams
        if not len(s):
            return
        day_end = (self.day_index + 1) * HOURS_PER_DAY
        due = (~s["ended"] & (s["next_pay_hour"] < day_end)).nonzero()[0]
        if due.size == 0:
            return
        rng = self.streams["payment"]
        g = self.config.gangs
        res = self.residents
        # Every live scam's gang is alive: ending a gang ends its scams (remove_gang).
        # A victim with nothing left to take is done: the scam is over.
        has_money = res.savings_yuan[s["victim"][due]] > 0.0
        broke = due[~has_money]
        due = due[has_money]
        # Each gang's accounts take the payments due in row order until they are used up.
        gang_ids = s["gang"][due]
        order = gang_ids.argsort(kind="stable")
        gids, first, counts = runs(gang_ids[order])
        rank = np.empty(due.size, dtype=np.int64)
        rank[order] = np.arange(due.size) - first.repeat(counts)
        gangs = self.gang_table
        gang_rows = gangs.rows_of(gids)
        room = account_capacity(gangs, gang_rows, g)
        capacity = np.empty(due.size, dtype=np.int64)
        capacity[order] = room.repeat(counts)
        due_gang_row = np.empty(due.size, dtype=np.intp)  # each due scam's row in the table
        due_gang_row[order] = gang_rows.repeat(counts)
        use_accounts(gangs, gang_rows, np.minimum(room, counts), g)
        gangs["payments_waiting"][gang_rows] = np.maximum(0, counts - room)
        with_account = rank < capacity
        paying = due[with_account]
        paying_gang_row = due_gang_row[with_account]
        # No account to take the money: the victim may slip away, else tries tomorrow.
        waiting = due[~with_account]
        slips = rng.random(waiting.size) < g.p_victim_lost_without_account
        lost = waiting[slips]
        s["next_pay_hour"][waiting[~slips]] += HOURS_PER_DAY
        if lost.size:
            self.count("payments_lost_no_account", lost.size)
            self.end_scams(lost, dissuaded=False)
        if broke.size:
            self.end_scams(broke, dissuaded=False)
            paid_before = broke[s["case"][broke] >= 0]
            self._maybe_report(paid_before, s["next_pay_hour"][paid_before])
        if not paying.size:
            return
        rows = paying
        victims = s["victim"][rows]
        left = s["payments_left"][rows].astype(np.float64)
        # Escalating payments: with L payments left, this one is 1 / (2**L - 1) of what is
        # still planned, so small "test" payments come first and the largest last.
        share = 1.0 / (2.0**left - 1.0)
        amount = np.minimum(
            (s["planned_yuan"][rows] - s["paid_yuan"][rows]) * share, res.savings_yuan[victims]
        )
        amount = np.maximum(amount, 0.0)
        ok = amount > 0.0
        rows, victims, amount = rows[ok], victims[ok], amount[ok]
        gang_row = paying_gang_row[ok]
        if rows.size == 0:
            return
        res.savings_yuan[victims] -= amount
        s["paid_yuan"][rows] += amount
        new_case = s["case"][rows] < 0
        if new_case.any():
            self._open_cases(rows[new_case], gang_row[new_case])
        ftype = s["ftype"][rows]
        self.count("loss_yuan", float(amount.sum()))
        np.add.at(self._by_type["loss_yuan"], ftype, amount)
        np.add.at(
            self._by_victim["loss_yuan"],
            self._victim_columns(victims),
            np.concatenate((amount,) * 3),
        )
        # Revenue and payments by gang (table row) and type, for the gangs' learning.
        n_gangs, n_types = len(gangs), len(FRAUD_TYPES)
        revenue = np.bincount(
            gang_row * n_types + ftype, weights=amount, minlength=n_gangs * n_types
        ).reshape(n_gangs, n_types)
        payments = np.bincount(gang_row, minlength=n_gangs)
        self._paid_today = (gangs["unique_id"].copy(), revenue, payments)
        bank = rng.integers(0, len(self.banks), size=rows.size)
        self.ledger.deposit(
            rng,
            case=s["case"][rows],
            victim=victims,
            gang=s["gang"][rows],
            bank=bank,
            amount_yuan=amount,
            hour=s["next_pay_hour"][rows],
        )
        self.cases["loss_yuan"][s["case"][rows]] += amount  # one payment per case today
        s["payments_left"][rows] -= 1
        done = s["payments_left"][rows] <= 0
        finished = rows[done]
        if finished.size:
            res.times_victimised[s["victim"][finished]] = np.minimum(
                res.times_victimised[s["victim"][finished]].astype(np.int64) + 1, 255
            ).astype(np.uint8)
            res.boost_awareness(
                unique(s["victim"][finished]),
                self.config.awareness.boost_victimised,
                self.day_index,
            )
            last_hour = s["next_pay_hour"][finished].copy()
            self.end_scams(finished, dissuaded=False)
            self._maybe_report(finished, last_hour)
        going_on = rows[~done]
        if going_on.size:
            interval = self._type_table["payment_interval_days"][s["ftype"][going_on]]
            s["next_pay_hour"][going_on] += np.maximum(
                rng.exponential(1.0, size=going_on.size) * interval * HOURS_PER_DAY, 0.05
            )

    def _open_cases(self, rows: np.ndarray, gang_row: np.ndarray) -> None:
        """The first payments of scams ``rows`` open cases (``gang_row``: gangs' table rows)."""
        s = self.scams
        victims = s["victim"][rows]
        ids = self.cases.append(
            victim=victims,
            gang=s["gang"][rows],
            ftype=s["ftype"][rows],
            overseas=self.gang_table["overseas"][gang_row],
            loss_yuan=0.0,
            cracked=False,
        )
        s["case"][rows] = ids
        self.count("cases", rows.size)
        self._by_type["cases"] += np.bincount(s["ftype"][rows], minlength=len(FRAUD_TYPES))
        self._by_channel["cases"] += np.bincount(s["channel"][rows], minlength=len(CHANNELS))
        self._by_victim["cases"] += np.bincount(
            self._victim_columns(victims), minlength=len(_VICTIM_VALUES)
        )

    def _victim_columns(self, victims: np.ndarray) -> np.ndarray:
        """The victim tallies' columns of the victims' groups, then regions, then age bands."""
        res = self.residents
        return np.concatenate(
            (
                res.group[victims],
                res.region[victims] + len(VICTIM_GROUPS),
                res.age_band[victims] + (len(VICTIM_GROUPS) + len(REGIONS)),
            )
        )

    def _maybe_report(self, rows: np.ndarray, hour: np.ndarray | float) -> None:
        """Victims of scams ``rows`` decide whether and when to report."""
        if rows.size == 0:
            return
        s = self.scams
        rng = self.streams["report"]
        ftype = s["ftype"][rows]
        p = self._type_table["p_report"][ftype]
        gain = self.policy.p_app_report_gain
        if gain:  # toward_one(p, 0.0) is p
            has_app = self.residents.has_app[s["victim"][rows]]
            p = np.where(has_app, toward_one(p, gain), p)
        report = rng.random(rows.size) < p
        median = self._type_table["report_delay_hours_median"][ftype]
        delay = median * rng.lognormal(0.0, 1.5, size=rows.size)
        when = hour + delay
        self.pending_reports.append(case=s["case"][rows][report], hour=when[report])

    # ================================================================================ laundering
    def _launder(self) -> None:
        day_end = (self.day_index + 1) * HOURS_PER_DAY
        state = self.policy
        reports = self.pending_reports
        if len(reports):
            due = reports["hour"] < day_end
            if due.any():
                cases = reports["case"][due].copy()
                hours = reports["hour"][due].copy()
                reports.keep(~due)
                delay = np.array([b.stop_delay_hours for b in self.banks]) * (
                    1.0 - state.stop_delay_cut
                )
                reached = self.ledger.request_stop(cases, hours, delay)
                self.count("reports", cases.size)
                self.count("stop_requests", reached)
                self.anti_fraud_centre.book_effort("stop_payment", cases.size)
                self._by_type["reports"] += np.bincount(
                    self.cases["ftype"][cases], minlength=len(FRAUD_TYPES)
                )
                self.report_queue.extend(cases.tolist())
        p_screen = np.array(
            [toward_one(b.p_screen_per_hop, state.p_screen_gain) for b in self.banks]
        )
        result = self.ledger.advance(self.streams["laundering"], day_end, p_screen)
        if result.cashed_out_yuan.size:
            # Each gang gets its parcels' cash summed in parcel order, then added at once.
            gangs = self.gang_table
            rows = gangs.rows_of(result.cashed_out_gang)
            alive = rows >= 0
            totals = np.bincount(
                rows[alive], weights=result.cashed_out_yuan[alive], minlength=len(gangs)
            )
            paid = np.bincount(rows[alive], minlength=len(gangs)) > 0
            gangs["cash_yuan"][paid] += totals[paid]
            if not alive.all():  # the network still cashes out for members of gangs gone
                _, inverse = unique_inverse(result.cashed_out_gang[~alive])
                gone = np.bincount(inverse, weights=result.cashed_out_yuan[~alive])
                for total in gone.tolist():
                    self.retired_cash_yuan += total
            self.count("cashed_out_yuan", float(result.cashed_out_yuan.sum()))
            self.count("crypto_yuan", result.crypto_yuan)
        if result.stopped_amount.size:
            self.count("stopped_yuan", result.stopped_yuan)
            self.count("screened_yuan", result.screened_yuan)
            self.count("averted_yuan", result.stopped_yuan + result.screened_yuan)
            by_bank = np.bincount(
                result.stopped_bank, weights=result.stopped_amount, minlength=len(self.banks)
            )
            for bank, amount in zip(self.banks, by_bank.tolist(), strict=True):
                bank.frozen_yuan += amount
            return_day = self.day_index + round(self.config.banks.return_days)
            self.frozen.append(
                victim=result.stopped_by_victim,
                amount_yuan=result.stopped_amount,
                return_day=return_day,
            )
        if len(self.frozen):
            back = self.frozen["return_day"] <= self.day_index
            if back.any():
                np.add.at(
                    self.residents.savings_yuan,
                    self.frozen["victim"][back],
                    self.frozen["amount_yuan"][back],
                )
                self.count("recovered_yuan", float(self.frozen["amount_yuan"][back].sum()))
                self.frozen.keep(~back)

    # ================================================================================ adaptation
    def _adapt_gangs(self) -> None:
        """Each gang learns, feels pressure, may move abroad, recruits, or breaks up."""
        g = self.config.gangs
        rng = self.streams["gang.adapt"]
        recruit_rng = self.streams["gang.recruit"]
        res = self.residents
        gangs = self.gang_table
        gang_list = list(gangs.agents)  # the table's rows move when gangs break up below
        n = len(gang_list)
        if self._paid_today is None:
            revenue_today = np.zeros((n, len(FRAUD_TYPES)))
            payments_today = np.zeros(n)
        else:
            ids, revenue, payments = self._paid_today
            if ids.size == n and (ids == gangs["unique_id"]).all():
                revenue_today, payments_today = revenue, payments.astype(np.float64)
            else:  # gangs paid today have been destroyed since: keep the rows of the others
                rows = gangs.rows_of(ids)
                alive = rows >= 0
                revenue_today = np.zeros((n, len(FRAUD_TYPES)))
                payments_today = np.zeros(n)
                revenue_today[rows[alive]] = revenue[alive]
                payments_today[rows[alive]] = payments[alive]
        learn(gangs, revenue_today, payments_today, g, rng)
        if not n:
            return
        # Profits paid out to funders and members.
        cash = gangs["cash_yuan"]
        payout = np.maximum(0.0, cash - g.cash_reserve_yuan) * g.payout_share_per_day
        self.paid_out_yuan += float(payout.sum())
        # Today's losses (members taken, stocks seized) add to perceived risk, which decays.
        memory = np.exp(-1.0 / g.risk_memory_days)
        members = gangs["n_members"].astype(np.float64)
        # A publicised campaign adds to every gang's risk (general deterrence).
        risk = (
            memory * gangs["risk"]
            + gangs["risk_events"] / np.maximum(1.0, members)
            + self.policy.deterrence_per_day
        )
        gangs["cash_yuan"] = cash - payout
        gangs["risk"] = risk
        gangs["risk_events"] = 0.0
        moving = ~gangs["overseas"] & (
            rng.random(n) < np.minimum(1.0, g.p_move_abroad_per_risk * risk)
        )
        for i in moving.nonzero()[0].tolist():
            self._move_abroad(gang_list[i], rng)
        # Recruiters bring in operators until the gang is a few times its founding size.
        members = gangs["n_members"].astype(np.float64)
        founding = np.maximum(gangs["founding_size"], 1).astype(np.float64)
        room = np.maximum(0.0, 1.0 - members / (g.size_cap_factor * founding))
        recruiters = gangs["n_recruiters"].astype(np.float64)
        rate = recruiters * g.recruits_per_recruiter_per_day + g.recruits_per_gang_per_day
        n_recruits = recruit_rng.poisson(rate * room)
        for i in n_recruits.nonzero()[0].tolist():
            gang = gang_list[i]
            recruits = res.sample_free(recruit_rng, int(n_recruits[i]), res.recruit_pool)
            before = gang.n_members
            self._join(gang, recruits, Role.OPERATOR)
            self.count("recruits", gang.n_members - before)
        # A gang breaks up without its leader, without hands, or when it has been unable to
        # make contacts for a fortnight (no cards; its funder gives up).
        stranded = np.where(gangs["phone_cards"] == 0, gangs["days_without_cards"] + 1, 0)
        gangs["days_without_cards"] = stranded
        ending = (
            (gangs["n_leaders"] == 0)
            | (gangs["n_members"] < g.n_members_min)
            | (gangs["n_operators"] == 0)
            | (stranded > STRANDED_DAYS)
        )
        for i in ending.nonzero()[0].tolist():
            self.remove_gang(gang_list[i], destroyed=False)

    def _move_abroad(self, gang: Gang, rng: np.random.Generator) -> None:
        g = self.config.gangs
        weights = np.asarray(g.overseas_countries.as_list())
        gang.overseas = True
        gang.country = int(rng.choice(len(COUNTRIES), p=weights / weights.sum()))
        gang.region = -1
        if self.policy.p_exit_control > 0.0:
            members = np.asarray(gang.all_members(), dtype=np.int64)
            leaders = set(gang.members[Role.LEADER])
            stopped = members[
                self.streams["cross_border.exit"].random(members.size) < self.policy.p_exit_control
            ]
            stopped = [int(i) for i in stopped if int(i) not in leaders]
            self.count("exit_stops", len(stopped))
            self.release_members(gang, stopped)
        self.count("gangs_moved_abroad")

    def _found_gangs(self) -> None:
        """New gangs are founded at a rate that follows how well gangs are doing."""
        g = self.config.gangs
        rng = self.streams["gang.found"]
        gangs = self.gang_table
        operators = int(gangs["n_operators"].sum())
        # Would-be founders look at what an operator nets: revenue less what cards cost. More
        # gangs bid card prices up, which holds founding back (the market's negative feedback).
        if len(gangs):
            revenue = gangs["revenue_yuan"].sum()
            # Python's sum (compensated), as when the rates were summed gang by gang.
            profit = float(revenue - sum(gangs["spend_rate"].tolist()))
        else:
            profit = 0.0
        profit = profit / operators if operators else 0.0
        if self.day_index == 0 or self._revenue_ref is None:
            # Profit is judged relative to the state at the end of the burn-in.
            if self.day_index >= 0 and profit > 0:
                self._revenue_ref = profit
            attractiveness = 1.0
        else:
            ratio = max(profit, 0.0) / self._revenue_ref
            attractiveness = min(max(ratio**g.founding_elasticity, 0.0), 3.0)
        domestic = gangs["risk"][~gangs["overseas"]]
        pressure = float(domestic.sum() / domestic.size) if domestic.size else 0.0  # mean
        p_abroad = toward_one(g.overseas_share, min(1.0, g.new_gang_abroad_per_risk * pressure))
        n_new = int(rng.poisson(g.founding_rate_national_per_day / self.scale * attractiveness))
        for _ in range(n_new):
            self._found_gang(rng, overseas=bool(rng.random() < p_abroad))

    # ================================================================================ end of day
    def _end_of_day(self) -> None:
        ended = self.scams["ended"]
        if ended.any():
            self.scams.keep(~ended)
        if self.check_invariants:
            self.verify_invariants()
        if self.day_index >= 0:
            self._collect()
        self.day_index += 1
        # Mesa's convention: drivers such as mesa.batch_run stop when `running` turns False.
        self.running = self.day_index < self.n_days

    def _collect(self) -> None:
        v = self.today_values
        gangs = self.gang_table
        v["date"] = self._dates[self.day_index]
        v["gangs_active"] = len(gangs)
        v["gangs_overseas"] = int(gangs["overseas"].sum())
        v["gang_members"] = int(gangs["n_members"].sum())
        v["brokers_active"] = len(self.broker_table)
        v["card_price_yuan"] = self.prices.bank_yuan
        v["phone_card_price_yuan"] = self.prices.phone_yuan
        v["overseas_share"] = (
            self._overseas_contacts / v["contacts"]
            if v["contacts"]
            else (v["gangs_overseas"] / len(gangs) if gangs else 0.0)
        )
        v["mean_awareness"] = self.residents.mean_awareness()
        v["app_users"] = self.app_users
        v["active_scams"] = len(self.scams)
        v["mule_balance_yuan"] = self.ledger.total_yuan()
        # Every model reporter reads today_values: hand the collector the row itself.
        self.datacollector.collect_row(self, v)
        # The long tables' columns in their declared order: date, the category, the counters.
        date = v["date"]
        collector = self.datacollector
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

    # ================================================================================ checks
    def money_total_yuan(self) -> float:
        """All money in the model, yuan.

        Residents' savings, mule accounts, frozen funds, gangs' and brokers' cash, cash seized
        or retired, and profits paid out to funders and members.
        """
        brokers = self.agents_by_type.get(CardBroker, ())
        return float(
            self.residents.savings_yuan.sum()
            + self.ledger.total_yuan()
            + self.frozen["amount_yuan"].sum()
            + sum(self.gang_table["cash_yuan"].tolist())
            + sum(b.cash_yuan for b in brokers)
            + self.seized_cash_yuan
            + self.retired_cash_yuan
            + self.paid_out_yuan
        )

    def verify_invariants(self) -> None:
        """Raise :class:`InvariantError` naming the first invariant that fails today."""
        day = self.today.isoformat()
        expected = self.initial_money_yuan + self.injected_yuan
        total = self.money_total_yuan()
        if abs(total - expected) > 1e-9 * max(1.0, abs(expected)):
            raise InvariantError(
                "money conserved", day, f"total {total:.2f} yuan, expected {expected:.2f}"
            )
        for name, value in self.today_values.items():
            if isinstance(value, float | int) and value < 0:
                raise InvariantError("counts non-negative", day, f"{name} = {value}")
        res = self.residents
        if res.savings_yuan.min() < -1e-6:
            raise InvariantError("savings non-negative", day, f"min {res.savings_yuan.min():.2f}")
        for gang in self.gang_by_id.values():
            if gang.phone_cards < 0 or gang.mule_accounts < 0 or gang.cash_yuan < -1e-6:
                raise InvariantError(
                    "gang stocks non-negative",
                    day,
                    f"gang {gang.unique_id}: phone {gang.phone_cards}, accounts {gang.mule_accounts}, cash {gang.cash_yuan:.2f}",
                )
        for broker in self.agents_by_type.get(CardBroker, ()):
            if broker.phone_cards < 0 or broker.bank_cards < 0 or broker.cash_yuan < -1e-6:
                raise InvariantError(
                    "broker stocks non-negative", day, f"broker {broker.unique_id}"
                )
        live = self.scams["gang"][~self.scams["ended"]]
        dead = [int(x) for x in np.unique(live) if int(x) not in self.gang_by_id]
        if dead:
            raise InvariantError(
                "engaged residents point at live gangs", day, f"gone gangs {dead[:5]}"
            )
        if int(res.engaged.sum()) != int((~self.scams["ended"]).sum()):
            raise InvariantError(
                "one scam per engaged resident",
                day,
                f"{int(res.engaged.sum())} engaged residents, {int((~self.scams['ended']).sum())} live scams",
            )
        if res.savings_yuan.size != res.n:
            raise InvariantError("population constant", day, f"{res.savings_yuan.size} != {res.n}")
        if not (self.prices.bank_yuan > 0 and self.prices.phone_yuan > 0):
            raise InvariantError(
                "card prices positive", day, f"{self.prices.bank_yuan}, {self.prices.phone_yuan}"
            )

    # ================================================================================ results
    def daily_frame(self) -> pd.DataFrame:
        """One row per reported date: ``date`` then every daily column, model units."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def table_frames(self) -> dict[str, pd.DataFrame]:
        """The long tables ``by_type``, ``by_channel`` and ``by_victim`` (model units)."""
        frames = {}
        for name in ("by_type", "by_channel", "by_victim"):
            frame = self.datacollector.get_table_dataframe(name)
            frame["date"] = pd.to_datetime(frame["date"])
            frames[name] = frame
        return frames


def run_model(config: ScenarioConfig, seed: int, **kwargs: Any) -> FraudModel:
    """Build and run a model; a convenience for scripts and tests."""
    model = FraudModel(config, rng=seed, **kwargs)
    model.run()
    return model
