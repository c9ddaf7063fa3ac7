"""Fraud gangs and their dens: the ``mesa.Agent`` s that run scams.

A gang is one criminal organisation of real size (the model is a 1/scale miniature of the
country: there are 1/scale as many gangs, each with a realistic number of members). Its members
are residents (indices into :class:`simulation.residents.Residents`) by role. It holds stocks of
phone cards and first-level mule accounts bought on the black market, cash, a portfolio over the
ten fraud types, and a perceived risk that rises with arrests and seizures and decays.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.categories import FRAUD_TYPES, Role

if TYPE_CHECKING:
    from simulation.params import GangParams


class Gang(mesa.Agent):
    """A fraud gang, domestic (by region) or overseas (by host country).

    Attributes:
        overseas: whether the dens are abroad.
        region: home region index (domestic gangs) or -1.
        country: host country index (overseas gangs) or -1.
        members: resident indices by :class:`Role`.
        n_dens: number of dens (work sites).
        phone_cards: phone cards in stock; ``card_wear`` contacts already made on the next one.
        mule_accounts: first-level mule accounts in stock; ``account_wear`` payments taken.
        cash_yuan: cash, yuan.
        portfolio: share of operator effort per fraud type (sums to 1).
        revenue_yuan: smoothed daily revenue per fraud type, yuan/day.
        risk: perceived risk (arrests and seizures per member, decaying).
        leader_identified: whether police know who the leader is.
    """

    def __init__(
        self,
        model: mesa.Model,
        *,
        overseas: bool,
        region: int,
        country: int,
        portfolio: np.ndarray,
        n_dens: int,
        cash_yuan: float,
    ) -> None:
        """Create a gang with no members yet (the model recruits them)."""
        super().__init__(model)
        self.overseas = overseas
        self.region = region
        self.country = country
        self.members: dict[Role, list[int]] = {role: [] for role in Role}
        self._n_members = 0  # kept with the lists: it is read many times a day
        self.n_dens = n_dens
        self.phone_cards = 0
        self.card_wear = 0.0
        self.mule_accounts = 0
        self.account_wear = 0.0
        self.cash_yuan = cash_yuan
        self.portfolio = portfolio / portfolio.sum()
        self.base_portfolio = self.portfolio.copy()  # the mix the gang knows best
        self.revenue_yuan = np.zeros(len(FRAUD_TYPES))
        self.payment_rate = 0.0  # smoothed victim payments per day
        self.spend_rate = 0.0  # smoothed spending on cards, yuan per day
        self.spend_today = 0.0
        self.payments_waiting = 0  # payments that found no account today
        self.days_without_cards = 0  # consecutive days with no phone card to work with
        self.founding_size = 0  # members when founded; recruitment stops at a multiple of it
        self.risk = 0.0
        self.risk_events = 0.0  # members taken and stocks seized today
        self.leader_identified = False

    # ---------------------------------------------------------------------------- membership
    @property
    def n_members(self) -> int:
        """Members of every role."""
        return self._n_members

    @property
    def n_operators(self) -> int:
        """Members who talk to victims."""
        return len(self.members[Role.OPERATOR])

    @property
    def has_leader(self) -> bool:
        """Whether the funder/leader is still at large."""
        return bool(self.members[Role.LEADER])

    def all_members(self) -> list[int]:
        """Resident indices of every member."""
        return [i for members in self.members.values() for i in members]

    def add_members(self, role: Role, residents: list[int]) -> None:
        """Residents join in ``role``."""
        self.members[role].extend(residents)
        self._n_members += len(residents)

    def remove_members(self, residents: list[int]) -> None:
        """Drop residents from every role list."""
        gone = set(residents)
        for role, members in self.members.items():
            if any(i in gone for i in members):
                self.members[role] = [i for i in members if i not in gone]
        self._n_members = sum(len(m) for m in self.members.values())

    # ---------------------------------------------------------------------------- card stocks
    def lose_cards(self, phone: int, bank: int) -> None:
        """Cards seized or cleared."""
        self.phone_cards -= phone
        self.mule_accounts -= bank
        if self.phone_cards == 0:
            self.card_wear = 0.0
        if self.mule_accounts == 0:
            self.account_wear = 0.0

    def card_needs(self, params: GangParams) -> tuple[int, int]:
        """Phone cards and mule accounts to buy to hold ``card_stock_days`` of use."""
        phone, bank = card_needs([self], params)
        return int(phone[0]), int(bank[0])


# The functions below act for many gangs at once. Each gang decides for itself; the arithmetic
# is done on arrays because a day asks each of its gangs the same few questions, and numpy
# answers them for all gangs in about the time Python takes for one.


def card_needs(gangs: list[Gang], params: GangParams) -> tuple[np.ndarray, np.ndarray]:
    """Phone cards and mule accounts each gang buys to hold ``card_stock_days`` of use.

    Returns:
        Two integer arrays over ``gangs``: phone cards and mule accounts wanted.
    """
    phone_cards = np.array([g.phone_cards for g in gangs], dtype=np.int64)
    accounts = np.array([g.mule_accounts for g in gangs], dtype=np.int64)
    phone_target = (
        contact_effort(gangs, params) * params.card_stock_days / params.contacts_per_phone_card
    )
    # Hold at least one account: a gang cannot take its first payment without one.
    # Victims waiting to pay for lack of an account add to the need.
    expected = np.array([g.payment_rate + g.payments_waiting for g in gangs], dtype=np.float64)
    bank_target = np.maximum(
        1.0, expected * params.card_stock_days / params.payments_per_mule_account
    )
    return (
        np.maximum(0, np.ceil(phone_target).astype(np.int64) - phone_cards),
        np.maximum(0, np.ceil(bank_target).astype(np.int64) - accounts),
    )


def contact_effort(gangs: list[Gang], params: GangParams) -> np.ndarray:
    """Contacts per day each gang means to make: its operators' rate, cut by perceived risk.

    A gang under risk lies low: its operators make ``contacts_per_operator_per_day / (1 +
    lie_low_per_risk * risk)`` contacts a day, and it buys cards for that many.
    """
    operators = np.array([g.n_operators for g in gangs], dtype=np.float64)
    risk = np.array([g.risk for g in gangs], dtype=np.float64)
    return operators * params.contacts_per_operator_per_day / (1.0 + params.lie_low_per_risk * risk)


def contact_capacity(gangs: list[Gang], params: GangParams) -> np.ndarray:
    """Contacts the phone cards in stock can still carry, per gang."""
    phone_cards = np.array([g.phone_cards for g in gangs], dtype=np.float64)
    wear = np.array([g.card_wear for g in gangs])
    return np.maximum(0.0, phone_cards * params.contacts_per_phone_card - wear)


def wear_phone_cards(gangs: list[Gang], n_contacts: np.ndarray, params: GangParams) -> None:
    """Wear out each gang's phone cards by its ``n_contacts`` (burnt cards are dropped)."""
    per_card = params.contacts_per_phone_card
    phone_cards = np.array([g.phone_cards for g in gangs], dtype=np.int64)
    worn = np.array([g.card_wear for g in gangs]) + n_contacts
    burnt = np.minimum(phone_cards, (worn // per_card).astype(np.int64))
    phone_cards -= burnt
    wear = np.where(phone_cards == 0, 0.0, worn - burnt * per_card)
    for i in np.flatnonzero(n_contacts).tolist():
        gangs[i].phone_cards = int(phone_cards[i])
        gangs[i].card_wear = float(wear[i])


def payments_per_account(params: GangParams) -> int:
    """Payments a mule account takes before it is dropped (a whole number)."""
    return math.ceil(params.payments_per_mule_account)


def account_capacity(gang: Gang, params: GangParams) -> int:
    """Victim payments the gang's mule accounts can still take."""
    if gang.mule_accounts <= 0:
        return 0
    return gang.mule_accounts * payments_per_account(params) - int(gang.account_wear)


def use_accounts(gang: Gang, n_payments: int, params: GangParams) -> None:
    """Take ``n_payments`` victim payments (at most :func:`account_capacity`) into accounts."""
    per_account = payments_per_account(params)
    worn = int(gang.account_wear) + n_payments
    gang.mule_accounts -= worn // per_account
    gang.account_wear = float(worn % per_account)


def learn(
    gangs: list[Gang],
    revenue_today: np.ndarray,
    payments_today: np.ndarray,
    params: GangParams,
    rng: np.random.Generator,
) -> None:
    """Each gang updates its memory of revenue and shifts effort toward what pays.

    A gang compares revenue per unit of effort across fraud types and moves a share of its
    effort toward the best one (this is how displacement between types arises).

    The gangs decide independently; the arithmetic is done for all of them at once because a
    day has one such decision per gang and numpy is cheaper on one matrix than on many rows.

    Args:
        gangs: the gangs, in a stable order.
        revenue_today: yuan received today, gangs x fraud types.
        payments_today: victim payments taken today, per gang.
        params: gang parameters (memory, switching rate).
        rng: the stream for the gangs' noisy judgement of returns.
    """
    if not gangs:
        return
    memory = np.exp(-1.0 / params.risk_memory_days)
    revenue = np.array([g.revenue_yuan for g in gangs])
    portfolio = np.array([g.portfolio for g in gangs])
    revenue = memory * revenue + (1.0 - memory) * revenue_today
    rates = np.array([g.payment_rate for g in gangs])
    spend = np.array([g.spend_today for g in gangs])
    spend = memory * np.array([g.spend_rate for g in gangs]) + (1.0 - memory) * spend
    rates = memory * rates + (1.0 - memory) * payments_today
    # Gangs do not know returns exactly: a small jitter also breaks ties.
    jitter = rng.uniform(0.9, 1.1, size=revenue.shape)
    learning = (revenue.sum(axis=1) > 0.0) & (params.p_switch_type > 0.0)
    if learning.any():
        # Returns per unit of effort, relative to the gang's average return. Gangs tilt their
        # founding mix toward what pays (they know some scripts better than others and do not
        # bet everything on one), so a measure that hits one type displaces effort to others.
        per_effort = revenue / np.maximum(portfolio, 1e-3) * jitter
        mean_return = np.maximum(per_effort.mean(axis=1, keepdims=True), 1e-12)
        tilt = np.power(per_effort / mean_return + 0.1, params.return_sensitivity)
        base = np.array([g.base_portfolio for g in gangs])
        target = base * tilt
        target /= target.sum(axis=1, keepdims=True)
        shifted = (1.0 - params.p_switch_type) * portfolio + params.p_switch_type * target
        portfolio = np.where(learning[:, None], shifted, portfolio)
    for i, gang in enumerate(gangs):
        gang.revenue_yuan = revenue[i]
        gang.portfolio = portfolio[i]
        gang.payment_rate = float(rates[i])
        gang.spend_rate = float(spend[i])
        gang.spend_today = 0.0
