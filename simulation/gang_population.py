"""The gangs of a run: founding, membership, arrests, break-ups, and the day's adaptation.

:class:`GangPopulation` is the one registry of live gangs (its :class:`GangTable`: a row per
gang, in id order) and the one place their lives change: founding, residents joining, members
taken into custody or going home, a gang removed, and the gang-adaptation phase of the day
(learning, risk, moving abroad, recruiting, breaking up, new gangs). Other phases and the police
reach gangs only through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.categories import COUNTRIES, ResidentStatus, Role
from simulation.gangs import Gang, GangTable, learn
from simulation.levers import toward_one
from simulation.streams import Stream

if TYPE_CHECKING:
    from simulation.model import FraudModel

STRANDED_DAYS = 14  # days without phone cards after which a gang's funder gives up (assumption)


class GangPopulation:
    """Every live gang of a model, and what happens to gangs.

    Args:
        model: the model the gangs live in (residents, policy, streams, tally, scams).

    Attributes:
        table: the live gangs' numbers, one row per gang in id order (its ``agents`` are the
            :class:`Gang` s).
        founding_shares: the portfolio shares new gangs start from, by fraud type.
    """

    def __init__(self, model: FraudModel) -> None:
        """An empty population; gangs are founded by :meth:`found`."""
        self.model = model
        self.params = model.config.gangs
        self.table = GangTable()
        self.founding_shares = np.array(
            [t.portfolio_share for t in model.config.fraud_types.in_order()]
        )
        self._revenue_ref: float | None = None

    def __len__(self) -> int:
        """Number of live gangs."""
        return len(self.table)

    def get(self, gang_id: int) -> Gang | None:
        """The live gang with id ``gang_id``, or None if it is gone."""
        return self.table.agent(gang_id)

    # ---------------------------------------------------------------------------- life cycle
    def found(self, rng: np.random.Generator, *, overseas: bool) -> Gang | None:
        """Found a gang from the recruit pool; None when no leader can be found."""
        m = self.model
        g = self.params
        res = m.residents
        leader = res.sample_free(rng, 1, res.recruit_pool)
        if leader.size == 0:
            return None
        shares = self.founding_shares
        portfolio = rng.gamma(20.0 * shares / shares.sum() + 1e-9)
        country_w = np.asarray(g.overseas_countries.as_list())
        gang = Gang(
            m,
            overseas=overseas,
            region=-1 if overseas else int(res.region[leader[0]]),
            country=int(rng.choice(len(COUNTRIES), p=country_w / country_w.sum()))
            if overseas
            else -1,
            portfolio=portfolio,
            n_dens=1 + int(rng.poisson(max(g.n_dens_mean - 1.0, 0.0))),
            cash_yuan=g.initial_cash_yuan,
            table=self.table,
        )
        m.money.injected_yuan += g.initial_cash_yuan
        self.join(gang, leader, Role.LEADER)
        for role, mean in (
            (Role.OPERATOR, g.n_operators_mean),
            (Role.TECHNICIAN, g.n_technicians_mean),
            (Role.RECRUITER, g.n_recruiters_mean),
            (Role.LAUNDERER, g.n_launderers_mean),
        ):
            k = int(rng.poisson(mean))
            if k:
                self.join(gang, res.sample_free(rng, k, res.recruit_pool), role)
        gang.founding_size = gang.n_members
        # Start-up stock: what the gang would hold after buying, so day 1 is not card-starved.
        phone, bank = gang.card_needs(g)
        gang.phone_cards, gang.mule_accounts = phone, bank
        m.tally.count("gangs_founded")
        return gang

    def join(self, gang: Gang, residents: np.ndarray, role: Role) -> None:
        """Residents join ``gang`` in ``role`` (exit controls may stop those going abroad)."""
        if residents.size == 0:
            return
        m = self.model
        p_exit = m.policy.p_exit_control
        if gang.overseas and p_exit > 0.0 and role is not Role.LEADER:
            stopped = m.streams[Stream.EXIT_CONTROL].random(residents.size) < p_exit
            m.tally.count("exit_stops", int(stopped.sum()))
            residents = residents[~stopped]
        m.residents.status[residents] = ResidentStatus.GANG_MEMBER
        gang.add_members(role, [int(i) for i in residents])

    def imprison(self, gang: Gang, residents: list[int], route: str) -> None:
        """Members of ``gang`` are taken into custody; ``route`` names the output column."""
        if not residents:
            return
        gang.remove_members(residents)
        status = self.model.residents.status
        status[np.asarray(residents, dtype=np.int64)] = ResidentStatus.IMPRISONED
        gang.risk_events += len(residents)
        self.model.tally.count(route, len(residents))

    def release(self, gang: Gang, residents: list[int]) -> None:
        """Members leave ``gang`` and go back to ordinary life."""
        if not residents:
            return
        gang.remove_members(residents)
        self.model.residents.status[np.asarray(residents, dtype=np.int64)] = ResidentStatus.FREE

    def remove(self, gang: Gang, *, destroyed: bool) -> None:
        """End a gang: its scams stop, free members go home, its cash is seized or kept.

        All of that happens now, and the gang does nothing more; its row in the table goes at
        the end of the day (:meth:`drop_removed`), so that no phase sees rows move.

        Args:
            gang: the gang.
            destroyed: True when police dismantled it (counted in ``gangs_destroyed``, cash
                seized), False when it broke up by itself (``gangs_broken_up``).
        """
        if not self.table.is_live(gang):  # gone already
            return
        m = self.model
        self.release(gang, gang.all_members())
        if destroyed:
            m.money.seized_yuan += gang.cash_yuan
            m.tally.count("gangs_destroyed")
        else:
            m.money.retired_yuan += gang.cash_yuan
            m.tally.count("gangs_broken_up")
        gang.cash_yuan = 0.0
        self.table.request_removal(gang)
        m.scams.end_scams_of(gang.unique_id)

    def drop_removed(self) -> None:
        """The gangs ended today leave the table and the model."""
        for gang in self.table.drop_removed():
            gang.remove()

    # ---------------------------------------------------------------------------- adaptation
    def adapt(self) -> None:
        """Each gang learns, feels pressure, may move abroad, recruits, or breaks up."""
        m = self.model
        g = self.params
        rng = m.streams[Stream.GANG_ADAPT]
        recruit_rng = m.streams[Stream.GANG_RECRUIT]
        res = m.residents
        gangs = self.table
        gang_list = gangs.agents
        n = len(gang_list)
        learn(gangs, g, rng)
        if not n:
            return
        # Profits paid out to funders and members.
        cash = gangs["cash_yuan"]
        payout = np.maximum(0.0, cash - g.cash_reserve_yuan) * g.payout_share_per_day
        m.money.paid_out_yuan += float(payout.sum())
        # Today's losses (members taken, stocks seized) add to perceived risk, which decays.
        memory = np.exp(-1.0 / g.risk_memory_days)
        members = gangs["n_members"].astype(np.float64)
        # A publicised campaign adds to every gang's risk (general deterrence).
        risk = (
            memory * gangs["risk"]
            + gangs["risk_events"] / np.maximum(1.0, members)
            + m.policy.deterrence_per_day
        )
        gangs["cash_yuan"] = cash - payout
        gangs["risk"] = risk
        gangs["risk_events"] = 0.0
        live = ~gangs["removed"]  # gangs ended earlier today do nothing more
        moving = (
            live
            & ~gangs["overseas"]
            & (rng.random(n) < np.minimum(1.0, g.p_move_abroad_per_risk * risk))
        )
        for i in moving.nonzero()[0].tolist():
            self._move_abroad(gang_list[i], rng)
        # Recruiters bring in operators until the gang is a few times its founding size.
        members = gangs["n_members"].astype(np.float64)
        founding = np.maximum(gangs["founding_size"], 1).astype(np.float64)
        room = np.where(live, np.maximum(0.0, 1.0 - members / (g.size_cap_factor * founding)), 0.0)
        recruiters = gangs["n_recruiters"].astype(np.float64)
        rate = recruiters * g.recruits_per_recruiter_per_day + g.recruits_per_gang_per_day
        n_recruits = recruit_rng.poisson(rate * room)
        for i in n_recruits.nonzero()[0].tolist():
            gang = gang_list[i]
            recruits = res.sample_free(recruit_rng, int(n_recruits[i]), res.recruit_pool)
            before = gang.n_members
            self.join(gang, recruits, Role.OPERATOR)
            m.tally.count("recruits", gang.n_members - before)
        # A gang breaks up without its leader, without hands, or when it has been unable to
        # make contacts for a fortnight (no cards; its funder gives up).
        stranded = np.where(gangs["phone_cards"] == 0, gangs["days_without_cards"] + 1, 0)
        gangs["days_without_cards"] = stranded
        ending = live & (
            (gangs["n_leaders"] == 0)
            | (gangs["n_members"] < g.n_members_min)
            | (gangs["n_operators"] == 0)
            | (stranded > STRANDED_DAYS)
        )
        for i in ending.nonzero()[0].tolist():
            self.remove(gang_list[i], destroyed=False)

    def _move_abroad(self, gang: Gang, rng: np.random.Generator) -> None:
        m = self.model
        weights = np.asarray(self.params.overseas_countries.as_list())
        gang.overseas = True
        gang.country = int(rng.choice(len(COUNTRIES), p=weights / weights.sum()))
        gang.region = -1
        p_exit = m.policy.p_exit_control
        if p_exit > 0.0:
            members = np.asarray(gang.all_members(), dtype=np.int64)
            leaders = set(gang.members[Role.LEADER])
            stopped = members[m.streams[Stream.EXIT_CONTROL].random(members.size) < p_exit]
            stopped = [int(i) for i in stopped if int(i) not in leaders]
            m.tally.count("exit_stops", len(stopped))
            self.release(gang, stopped)
        m.tally.count("gangs_moved_abroad")

    def found_new(self) -> None:
        """New gangs are founded at a rate that follows how well gangs are doing."""
        m = self.model
        g = self.params
        rng = m.streams[Stream.GANG_FOUND]
        gangs = self.table
        live = ~gangs["removed"]
        operators = int(gangs["n_operators"][live].sum())
        # Would-be founders look at what an operator nets: revenue less what cards cost. More
        # gangs bid card prices up, which holds founding back (the market's negative feedback).
        if live.any():
            revenue = gangs["revenue_yuan"][live].sum()
            # Python's sum adds the rates in gang order, as the founders tally them.
            profit = float(revenue - sum(gangs["spend_rate"][live].tolist()))
        else:
            profit = 0.0
        profit = profit / operators if operators else 0.0
        if m.day_index == 0 or self._revenue_ref is None:
            # Profit is judged relative to the state at the end of the burn-in.
            if m.day_index >= 0 and profit > 0:
                self._revenue_ref = profit
            attractiveness = 1.0
        else:
            ratio = max(profit, 0.0) / self._revenue_ref
            attractiveness = min(max(ratio**g.founding_elasticity, 0.0), 3.0)
        domestic = gangs["risk"][live & ~gangs["overseas"]]
        pressure = float(domestic.sum() / domestic.size) if domestic.size else 0.0  # mean
        p_abroad = toward_one(g.overseas_share, min(1.0, g.new_gang_abroad_per_risk * pressure))
        n_new = int(rng.poisson(g.founding_rate_national_per_day / m.scale * attractiveness))
        for _ in range(n_new):
            self.found(rng, overseas=bool(rng.random() < p_abroad))
