"""Fraud gangs and their dens: the ``mesa.Agent`` s that run scams.

A gang is one criminal organisation of real size (the model is a 1/scale miniature of the
country: there are 1/scale as many gangs, each with a realistic number of members). Its members
are residents (indices into :class:`simulation.residents.Residents`) by role. It holds stocks of
phone cards and first-level mule accounts bought on the black market, cash, a portfolio over the
ten fraud types, and a perceived risk that rises with arrests and seizures and decays.

A gang's numbers live in a row of the model's :class:`GangTable` (one column per attribute,
one row per live gang, :mod:`simulation.tables`), and the gang reads and writes them through its
attributes; the phases of the day that ask every gang the same question read the columns
instead. The gangs' lives (founding, arrests, break-ups, adaptation) are
:mod:`simulation.gang_population`'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from simulation.categories import FRAUD_TYPES, Role
from simulation.tables import AgentTable, Stored

if TYPE_CHECKING:
    from simulation.params import GangParams


class GangTable(AgentTable):
    """The numbers of every live gang (:mod:`simulation.tables`), rows in id order."""

    COLUMNS: ClassVar[dict[str, tuple[type, int]]] = {
        "unique_id": (np.int64, 0),
        "overseas": (np.bool_, 0),
        "region": (np.int64, 0),
        "country": (np.int64, 0),
        "n_dens": (np.int64, 0),
        "n_members": (np.int64, 0),
        "n_leaders": (np.int64, 0),
        "n_operators": (np.int64, 0),
        "n_recruiters": (np.int64, 0),
        "phone_cards": (np.int64, 0),
        "card_wear": (np.float64, 0),
        "mule_accounts": (np.int64, 0),
        "account_wear": (np.float64, 0),
        "cash_yuan": (np.float64, 0),
        "portfolio": (np.float64, len(FRAUD_TYPES)),
        "base_portfolio": (np.float64, len(FRAUD_TYPES)),
        "revenue_yuan": (np.float64, len(FRAUD_TYPES)),
        "payment_rate": (np.float64, 0),
        "spend_rate": (np.float64, 0),
        "spend_today": (np.float64, 0),
        "revenue_today": (np.float64, len(FRAUD_TYPES)),
        "payments_today": (np.int64, 0),
        "payments_waiting": (np.int64, 0),
        "days_without_cards": (np.int64, 0),
        "founding_size": (np.int64, 0),
        "risk": (np.float64, 0),
        "risk_events": (np.float64, 0),
        "leader_identified": (np.bool_, 0),
    }


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

    Every attribute but ``members`` is stored in the gang's row of a :class:`GangTable`.
    """

    overseas = Stored()
    region = Stored()
    country = Stored()
    n_dens = Stored()
    n_members = Stored()  # kept with the member lists: every role
    n_operators = Stored()  # members who talk to victims
    n_recruiters = Stored()
    n_leaders = Stored()
    phone_cards = Stored()
    card_wear = Stored()
    mule_accounts = Stored()
    account_wear = Stored()
    cash_yuan = Stored()
    portfolio = Stored()
    base_portfolio = Stored()  # the mix the gang knows best
    revenue_yuan = Stored()
    payment_rate = Stored()  # smoothed victim payments per day
    spend_rate = Stored()  # smoothed spending on cards, yuan per day
    spend_today = Stored()  # spent on cards today, yuan
    revenue_today = Stored()  # victims' payments today by fraud type, yuan
    payments_today = Stored()  # victim payments taken today
    payments_waiting = Stored()  # payments that found no account today
    days_without_cards = Stored()  # consecutive days with no phone card to work with
    founding_size = Stored()  # members when founded; recruitment stops at a multiple of it
    risk = Stored()
    risk_events = Stored()  # members taken and stocks seized today
    leader_identified = Stored()

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
        table: GangTable | None = None,
    ) -> None:
        """Create a gang with no members yet (the model recruits them).

        Its numbers go in a new row of ``table`` (the model's; default: a table of its own).
        """
        super().__init__(model)
        (GangTable(capacity=1) if table is None else table).add(self)
        self.overseas = overseas
        self.region = region
        self.country = country
        self.members: dict[Role, list[int]] = {role: [] for role in Role}
        self.n_dens = n_dens
        self.cash_yuan = cash_yuan
        self.portfolio = portfolio / portfolio.sum()
        self.base_portfolio = self.portfolio

    # ---------------------------------------------------------------------------- membership
    @property
    def has_leader(self) -> bool:
        """Whether the funder/leader is still at large."""
        return self.n_leaders > 0

    def all_members(self) -> list[int]:
        """Resident indices of every member."""
        return [i for members in self.members.values() for i in members]

    def add_members(self, role: Role, residents: list[int]) -> None:
        """Residents join in ``role``."""
        self.members[role].extend(residents)
        self._count_members()

    def remove_members(self, residents: list[int]) -> None:
        """Drop residents from every role list."""
        gone = set(residents)
        for role, members in self.members.items():
            if any(i in gone for i in members):
                self.members[role] = [i for i in members if i not in gone]
        self._count_members()

    def _count_members(self) -> None:
        m = self.members
        self.n_members = sum(len(x) for x in m.values())
        self.n_leaders = len(m[Role.LEADER])
        self.n_operators = len(m[Role.OPERATOR])
        self.n_recruiters = len(m[Role.RECRUITER])

    def columns(self) -> dict[str, np.ndarray]:
        """This gang's row as one-row column views, for the functions below."""
        row = self._row
        return {name: column[row : row + 1] for name, column in self._table._data.items()}

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
        phone, bank = card_needs(self.columns(), params)
        return int(phone[0]), int(bank[0])


# The functions below act for many gangs at once, on the columns of a GangTable (or of one
# gang, Gang.columns). Each gang decides for itself; the arithmetic is done on arrays because a
# day asks each of its gangs the same few questions, and numpy answers them for all gangs in
# about the time Python takes for one.

Columns = Mapping[str, np.ndarray]


def card_needs(gangs: Columns, params: GangParams) -> tuple[np.ndarray, np.ndarray]:
    """Phone cards and mule accounts each gang buys to hold ``card_stock_days`` of use.

    Returns:
        Two integer arrays over the gangs: phone cards and mule accounts wanted.
    """
    phone_target = (
        contact_effort(gangs, params) * params.card_stock_days / params.contacts_per_phone_card
    )
    # Hold at least one account: a gang cannot take its first payment without one.
    # Victims waiting to pay for lack of an account add to the need.
    expected = gangs["payment_rate"] + gangs["payments_waiting"]
    bank_target = np.maximum(
        1.0, expected * params.card_stock_days / params.payments_per_mule_account
    )
    return (
        np.maximum(0, np.ceil(phone_target).astype(np.int64) - gangs["phone_cards"]),
        np.maximum(0, np.ceil(bank_target).astype(np.int64) - gangs["mule_accounts"]),
    )


def contact_effort(gangs: Columns, params: GangParams) -> np.ndarray:
    """Contacts per day each gang means to make: its operators' rate, cut by perceived risk.

    A gang under risk lies low: its operators make ``contacts_per_operator_per_day / (1 +
    lie_low_per_risk * risk)`` contacts a day, and it buys cards for that many.
    """
    operators = gangs["n_operators"].astype(np.float64)
    return (
        operators
        * params.contacts_per_operator_per_day
        / (1.0 + params.lie_low_per_risk * gangs["risk"])
    )


def contact_capacity(gangs: Columns, params: GangParams) -> np.ndarray:
    """Contacts the phone cards in stock can still carry, per gang."""
    phone_cards = gangs["phone_cards"].astype(np.float64)
    return np.maximum(0.0, phone_cards * params.contacts_per_phone_card - gangs["card_wear"])


def wear_phone_cards(gangs: Columns, n_contacts: np.ndarray, params: GangParams) -> None:
    """Wear out each gang's phone cards by its ``n_contacts`` (burnt cards are dropped)."""
    per_card = params.contacts_per_phone_card
    phone_cards = gangs["phone_cards"].copy()
    worn = gangs["card_wear"] + n_contacts
    burnt = np.minimum(phone_cards, (worn // per_card).astype(np.int64))
    phone_cards -= burnt
    wear = np.where(phone_cards == 0, 0.0, worn - burnt * per_card)
    used = n_contacts > 0
    gangs["phone_cards"][used] = phone_cards[used]
    gangs["card_wear"][used] = wear[used]


def clear_cards(gangs: Columns, phone: np.ndarray, bank: np.ndarray) -> None:
    """Each gang loses ``phone`` phone cards and ``bank`` mule accounts (as :meth:`Gang.lose_cards`)."""
    hit = (phone + bank) > 0
    gangs["phone_cards"][:] -= phone
    gangs["mule_accounts"][:] -= bank
    gangs["card_wear"][hit & (gangs["phone_cards"] == 0)] = 0.0
    gangs["account_wear"][hit & (gangs["mule_accounts"] == 0)] = 0.0


def payments_per_account(params: GangParams) -> int:
    """Payments a mule account takes before it is dropped (a whole number)."""
    return math.ceil(params.payments_per_mule_account)


def account_capacity(gangs: Columns, rows: np.ndarray, params: GangParams) -> np.ndarray:
    """Victim payments the mule accounts of the gangs in ``rows`` can still take."""
    accounts = gangs["mule_accounts"][rows]
    room = accounts * payments_per_account(params) - gangs["account_wear"][rows].astype(np.int64)
    return np.where(accounts <= 0, 0, room)


def use_accounts(
    gangs: Columns, rows: np.ndarray, n_payments: np.ndarray, params: GangParams
) -> None:
    """The gangs in ``rows`` (distinct) take ``n_payments`` victim payments into accounts.

    ``n_payments`` is at most :func:`account_capacity`.
    """
    per_account = payments_per_account(params)
    worn = gangs["account_wear"][rows].astype(np.int64) + n_payments
    gangs["mule_accounts"][rows] -= worn // per_account
    gangs["account_wear"][rows] = worn % per_account


def learn(gangs: Columns, params: GangParams, rng: np.random.Generator) -> None:
    """Each gang updates its memory of revenue and shifts effort toward what pays.

    A gang compares revenue per unit of effort across fraud types and moves a share of its
    effort toward the best one (this is how displacement between types arises).

    The gangs decide independently; the arithmetic is done for all of them at once because a
    day has one such decision per gang and numpy is cheaper on one matrix than on many rows.

    Args:
        gangs: the gangs' columns (a :class:`GangTable`), with today's revenue by fraud type
            (``revenue_today``, yuan) and payments (``payments_today``).
        params: gang parameters (memory, switching rate).
        rng: the stream for the gangs' noisy judgement of returns.
    """
    if not len(gangs["unique_id"]):
        return
    memory = np.exp(-1.0 / params.risk_memory_days)
    portfolio = gangs["portfolio"]
    revenue = memory * gangs["revenue_yuan"] + (1.0 - memory) * gangs["revenue_today"]
    spend = memory * gangs["spend_rate"] + (1.0 - memory) * gangs["spend_today"]
    payments_today = gangs["payments_today"].astype(np.float64)
    rates = memory * gangs["payment_rate"] + (1.0 - memory) * payments_today
    # Gangs do not know returns exactly: a small jitter also breaks ties.
    jitter = rng.uniform(0.9, 1.1, size=revenue.shape)
    learning = (revenue.sum(axis=1) > 0.0) & (params.p_switch_type > 0.0)
    if learning.any():
        # Returns per unit of effort, relative to the gang's average return. Gangs tilt their
        # founding mix toward what pays (they know some scripts better than others and do not
        # bet everything on one), so a measure that hits one type displaces effort to others.
        per_effort = revenue / np.maximum(portfolio, 1e-3) * jitter
        n_types = per_effort.shape[1]  # the mean as np.mean takes it, without its overhead
        mean_return = np.maximum(per_effort.sum(axis=1, keepdims=True) / n_types, 1e-12)
        tilt = np.power(per_effort / mean_return + 0.1, params.return_sensitivity)
        target = gangs["base_portfolio"] * tilt
        target /= target.sum(axis=1, keepdims=True)
        shifted = (1.0 - params.p_switch_type) * portfolio + params.p_switch_type * target
        np.copyto(portfolio, shifted, where=learning[:, None])
    gangs["revenue_yuan"][:] = revenue
    gangs["payment_rate"][:] = rates
    gangs["spend_rate"][:] = spend
    gangs["spend_today"][:] = 0.0
