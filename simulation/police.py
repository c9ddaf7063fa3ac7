"""Police units: the ``mesa.Agent`` s that warn, investigate, crack down and work abroad.

Each unit acts in one phase of the day with its standing capacity (from
:class:`simulation.params.PoliceParams`) plus whatever today's levers added
(:class:`simulation.levers.PolicyState`), and books the officer-hours it spent per lever. Units
reach gangs through :class:`simulation.gang_population.GangPopulation`, scams and cases through
:class:`simulation.scams.Scams`, and the card market through
:class:`simulation.market.CardMarket`; :class:`Police` holds the units of a model.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.categories import Role
from simulation.gangs import clear_cards
from simulation.levers import toward_one
from simulation.streams import Stream, stochastic_round
from simulation.unique import unique

if TYPE_CHECKING:
    from simulation.gangs import Gang
    from simulation.model import FraudModel


class PoliceUnit(mesa.Agent):
    """Common base: a unit knows its model and books effort per lever type."""

    model: FraudModel

    def book_effort(self, lever_type: str, actions: float) -> None:
        """Add ``actions`` times the lever's officer-hours per action to today's effort."""
        hours = self.model.policy.officer_hours.get(lever_type)
        if hours is not None and actions > 0:
            self.model.tally.count(f"effort_{lever_type}_hours", actions * hours)


class PublicityOffice(PoliceUnit):
    """Runs publicity campaigns, the anti-fraud app and the publicity of strikes (PUBLICITY).

    The strikes it publicises reach the gangs at the end of the day, as perceived risk (see
    :class:`simulation.levers.StrikeCampaignLever`).
    """

    def act(self) -> None:
        """Raise group awareness by today's campaigns; residents install the app."""
        m = self.model
        state = m.policy
        if state.deterrence_per_day > 0.0:
            self.book_effort("strike_campaign", 1.0)
        if state.awareness_boost_per_day.any():
            m.residents.boost_groups(state.awareness_boost_per_day)
            self.book_effort("publicity", 1.0)
        if state.app_adoption_per_day > 0.0:
            res = m.residents
            rng = m.streams[Stream.APP_ADOPTION]
            non_users = res.n - res.app_users
            installs = int(rng.binomial(non_users, min(1.0, state.app_adoption_per_day)))
            if installs:
                # Draw among free residents and keep those without the app (rare overlap).
                idx = res.sample_free(rng, installs)
                idx = idx[~res.has_app[idx]]
                res.has_app[idx] = True
                res.app_users += idx.size
                res.boost_awareness(idx, m.config.awareness.boost_app, m.day_index)
            self.book_effort("anti_fraud_app", 1.0)


class AntiFraudCentre(PoliceUnit):
    """The national anti-fraud centre and the local units that deliver its warnings.

    It acts in phase EARLY_WARNING.
    Each day it detects ongoing scams in intercepted signals and flags residents who were
    contacted by known fraud numbers; it issues warning instructions up to its capacity,
    ongoing scams first, then flagged contacts. A warned resident is dissuaded with a
    probability (lower for someone already engaged), which ends the scam before the next
    payment and raises their awareness.
    """

    def act(self) -> None:
        """Detect, warn and dissuade."""
        m = self.model
        p = m.config.police
        state = m.policy
        rng = m.streams[Stream.WARNING]
        capacity = stochastic_round(
            rng,
            p.early_warning_capacity_national_per_day / m.scale + state.warning_capacity_per_day,
        )
        p_detect = toward_one(p.p_detect_engagement_per_day, state.p_detect_gain)
        p_dissuade = toward_one(p.p_dissuade, state.p_dissuade_gain)
        scams = m.scams.scams
        n_scams = len(scams)
        warned_total = 0
        if n_scams and capacity > 0:
            detected = scams["detected"]
            detected |= rng.random(n_scams) < p_detect
            candidates = (detected & ~scams["ended"]).nonzero()[0]
            if candidates.size:
                # Most urgent first: the scam whose next payment comes soonest.
                order = scams["next_pay_hour"][candidates].argsort(kind="stable")
                warned = candidates[order[:capacity]]
                warned_total += warned.size
                accept = rng.random(warned.size) < p_dissuade * p.dissuade_engaged_factor
                stopped = warned[accept]
                victims = scams["victim"][warned]
                m.residents.boost_awareness(
                    unique(victims), m.config.awareness.boost_warned, m.day_index
                )
                m.scams.end(stopped, dissuaded=True)
        remaining = capacity - warned_total
        flagged = 0
        delivered = m.contacts.delivered_today
        if remaining > 0 and delivered > 0:
            p_flag = toward_one(p.p_flag_contact, state.p_detect_gain)
            flagged = min(remaining, int(rng.binomial(delivered, p_flag)))
        if flagged:
            idx = m.residents.sample_free(rng, flagged)
            accept = rng.random(idx.size) < p_dissuade
            m.residents.boost_awareness(idx[accept], m.config.awareness.boost_warned, m.day_index)
            m.tally.count("dissuaded", int(accept.sum()))
            warned_total += idx.size
        m.tally.count("early_warnings", warned_total)
        self.book_effort("early_warning", warned_total)


class InvestigationUnit(PoliceUnit):
    """Criminal investigation (phase INVESTIGATION): works reported cases first in, first out.

    A cracked case against a domestic gang leads to arrests of members and may identify the
    leader; an identified leader at home means a raid that dismantles the gang and its dens.
    A case against an overseas gang raises that gang's pressure but arrests no one abroad.

    Attributes:
        queue: ids of reported cases waiting for an investigator, oldest first.
    """

    def __init__(self, model: mesa.Model) -> None:
        """A unit with no reported case waiting."""
        super().__init__(model)
        self.queue: deque[int] = deque()

    def act(self) -> None:
        """Investigate up to today's capacity."""
        m = self.model
        p = m.config.police
        state = m.policy
        rng = m.streams[Stream.INVESTIGATION]
        capacity = stochastic_round(
            rng,
            p.investigation_capacity_national_per_day / m.scale
            + state.investigation_capacity_per_day,
        )
        queue = self.queue
        n = min(capacity, len(queue))
        if n == 0:
            return
        cases = np.array([queue.popleft() for _ in range(n)], dtype=np.int64)
        m.tally.count("cases_investigated", n)
        self.book_effort("investigation", n)
        book = m.scams.cases
        for case in cases:
            gang = m.gangs.get(int(book["gang"][case]))
            overseas = bool(book["overseas"][case])
            base = p.p_crack_overseas if overseas else p.p_crack_domestic
            if rng.random() >= toward_one(base, state.p_crack_gain):
                continue
            book["cracked"][case] = True
            m.tally.count("cases_cracked")
            m.tally.count_type("cases_cracked", int(book["ftype"][case]))
            if book["loss_yuan"][case] >= 1_000_000:
                m.tally.count("cases_cracked_over_1m")
            if gang is None:
                continue  # the gang is gone already; the case is solved on file
            if gang.overseas:
                gang.risk_events += 1.0
                gang.leader_identified |= bool(rng.random() < p.p_leader_identified)
                continue
            self._arrest_members(gang, rng)

    def _arrest_members(self, gang: Gang, rng: np.random.Generator) -> None:
        m = self.model
        p = m.config.police
        mean = p.arrests_per_crack_mean + m.policy.arrests_per_crack_gain
        foot_soldiers = [i for role in Role if role is not Role.LEADER for i in gang.members[role]]
        k = min(len(foot_soldiers), int(rng.poisson(mean)))
        if k:
            taken = rng.choice(np.asarray(foot_soldiers), size=k, replace=False)
            m.gangs.imprison(gang, taken.tolist(), "arrests_investigation")
        if rng.random() < p.p_leader_identified:
            gang.leader_identified = True
        if gang.leader_identified and gang.has_leader:
            # Raid: the leader and most members present are taken; the gang and dens are gone.
            present = gang.all_members()
            caught = [
                i
                for i in present
                if i in gang.members[Role.LEADER] or rng.random() < p.p_raid_arrest
            ]
            m.gangs.imprison(gang, caught, "arrests_investigation")
            m.tally.count("dens_destroyed", gang.n_dens)
            m.gangs.remove(gang, destroyed=True)


class CardCrackdownUnit(PoliceUnit):
    """The "broken card" unit (phase CARD_MARKET).

    Seizes brokers' and gangs' card stocks, destroys brokers, and has telecoms and banks clear cards
    in gangs' hands.

    Punishing sellers happens at the moment of sale (see :meth:`CardMarket.sell`).
    """

    def act(self) -> None:
        """Seize, destroy and clear with today's intensities."""
        m = self.model
        s = m.policy
        if not (
            s.p_seize_broker_stock_per_day
            or s.p_destroy_broker_per_day
            or s.p_seize_gang_stock_per_day
            or s.phone_card_clearing_per_day
            or s.bank_account_clearing_per_day
        ):
            return
        rng = m.streams[Stream.MARKET_CRACKDOWN]
        actions = 0
        market = m.market
        brokers = market.brokers
        u = rng.random((len(brokers), 2))  # per broker: destroyed?, else stock seized?
        destroyed = u[:, 0] < s.p_destroy_broker_per_day
        phone, bank = brokers["phone_cards"], brokers["bank_cards"]
        seized = (
            ~destroyed & (u[:, 1] < s.p_seize_broker_stock_per_day) & ((phone > 0) | (bank > 0))
        )
        if seized.any():
            market.seize_cards(int(phone[seized].sum()), int(bank[seized].sum()))
            phone[seized] = 0
            bank[seized] = 0
            actions += int(seized.sum())
        for broker in [brokers.agents[i] for i in destroyed.nonzero()[0].tolist()]:
            market.seize_cards(broker.phone_cards, broker.bank_cards)
            m.money.seized_yuan += broker.cash_yuan
            broker.cash_yuan = 0.0
            broker.phone_cards = broker.bank_cards = 0
            market.remove_broker(broker)
            m.tally.count("brokers_destroyed")
            actions += 1
        gangs = m.gangs.table
        phone = gangs["phone_cards"].copy()
        bank = gangs["mule_accounts"].copy()
        seized = (rng.random(len(gangs)) < s.p_seize_gang_stock_per_day) & (
            (phone > 0) | (bank > 0)
        )
        for i in seized.nonzero()[0].tolist():
            gang = gangs.agents[i]
            market.seize_cards(gang.phone_cards, gang.mule_accounts)
            gang.risk_events += 1.0
            gang.lose_cards(gang.phone_cards, gang.mule_accounts)
            actions += 1
        # Telecoms and banks clear a share of the cards still in gangs' hands.
        phone_cleared = rng.binomial(np.where(seized, 0, phone), s.phone_card_clearing_per_day)
        bank_cleared = rng.binomial(np.where(seized, 0, bank), s.bank_account_clearing_per_day)
        clear_cards(gangs, phone_cleared, bank_cleared)
        m.tally.count("phone_cards_cleared", int(phone_cleared.sum()))
        m.tally.count("bank_accounts_cleared", int(bank_cleared.sum()))
        self.book_effort("card_crackdown", actions)


class CrossBorderUnit(PoliceUnit):
    """Cross-border work (phase CROSS_BORDER) on members of overseas dens.

    Each day every overseas member may be repatriated (by the host country's cooperation),
    may return home (more often under pressure) and then be arrested at the border, or may
    surrender. A gang whose leader is taken this way is destroyed; one whose leader goes home
    free breaks up.
    """

    def act(self) -> None:
        """Repatriate, catch returnees, take surrenders.

        Every overseas member draws once; only gangs where something happened are then
        visited, so a quiet day costs one vectorised draw.
        """
        m = self.model
        p = m.config
        s = m.policy
        rng = m.streams[Stream.CROSS_BORDER]
        p_returnee_arrest = toward_one(p.police.p_returnee_arrest, s.p_returnee_arrest_gain)
        table = m.gangs.table
        abroad = (table["overseas"] & (table["n_members"] > 0) & ~table["removed"]).nonzero()[0]
        if not abroad.size:
            return
        gangs = [table.agents[i] for i in abroad.tolist()]
        sizes = table["n_members"][abroad]
        pressure = 1.0 + table["risk"][abroad]
        p_repat = s.repatriation_per_day[table["country"][abroad]]
        p_surrender = np.minimum(
            1.0, (p.police.surrender_rate_per_day + s.surrender_gain_per_day) * pressure
        )
        p_return = np.minimum(1.0, p.gangs.p_member_leave_per_day * pressure)
        # Cumulative thresholds per member: repatriated < surrendered < returning < stays.
        member_gang = np.arange(len(gangs)).repeat(sizes)  # index into gangs, per member
        t1 = p_repat[member_gang]
        t2 = t1 + p_surrender[member_gang]
        t3 = t2 + p_return[member_gang]
        u = rng.random(member_gang.size)
        eventful = unique(member_gang[u < t3])
        ends = sizes.cumsum()
        starts = ends - sizes
        actions = 0
        for gi in eventful.tolist():
            gang = gangs[gi]
            members = np.asarray(gang.all_members(), dtype=np.int64)
            first = starts[gi]
            draw = u[first : ends[gi]]
            repatriated = members[draw < t1[first]]
            surrendered = members[(draw >= t1[first]) & (draw < t2[first])]
            returning = members[(draw >= t2[first]) & (draw < t3[first])]
            arrested = rng.random(returning.size) < p_returnee_arrest
            caught, free = returning[arrested], returning[~arrested]
            leaders = set(gang.members[Role.LEADER])
            m.gangs.imprison(gang, repatriated.tolist(), "arrests_repatriation")
            m.gangs.imprison(gang, surrendered.tolist(), "surrenders")
            m.gangs.imprison(gang, caught.tolist(), "arrests_returnee")
            if free.size:
                m.gangs.release(gang, free.tolist())
            actions += repatriated.size + surrendered.size + caught.size
            if leaders and not gang.has_leader:
                # Taken by police: the gang is destroyed; gone home free: it breaks up.
                taken = set(repatriated.tolist()) | set(surrendered.tolist()) | set(caught.tolist())
                m.gangs.remove(gang, destroyed=bool(leaders & taken))
        self.book_effort("repatriation", actions)


class Police:
    """The police units of a model, created in this order (their agent ids follow it)."""

    def __init__(self, model: mesa.Model) -> None:
        """Create every unit."""
        self.publicity_office = PublicityOffice(model)
        self.anti_fraud_centre = AntiFraudCentre(model)
        self.card_unit = CardCrackdownUnit(model)
        self.investigation = InvestigationUnit(model)
        self.cross_border = CrossBorderUnit(model)
