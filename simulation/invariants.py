"""What must hold every day of a run: money conserved, counts and stocks never negative.

Money only moves inside the model, except where :class:`MoneyFlows` records it entering (start-up
cash of gangs and brokers) or leaving ordinary circulation (cash seized by police, kept by the
members of gangs gone, or paid out as profit), so the total of every holding plus what left
always equals what was there at the start plus what came in. :func:`verify` checks that and the
other invariants; ``fraudsim run --check-invariants`` calls it at the end of every day.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from simulation.errors import InvariantError

if TYPE_CHECKING:
    from simulation.model import FraudModel


@dataclasses.dataclass
class MoneyFlows:
    """Money that entered the model's economy or left ordinary circulation, yuan.

    Attributes:
        injected_yuan: start-up cash of gangs and brokers, from outside the model.
        seized_yuan: cash taken from destroyed gangs and brokers.
        retired_yuan: cash of gangs that broke up (or ended), kept by former members.
        paid_out_yuan: profits gangs paid out to funders and members.
    """

    injected_yuan: float = 0.0
    seized_yuan: float = 0.0
    retired_yuan: float = 0.0
    paid_out_yuan: float = 0.0


def money_total_yuan(model: FraudModel) -> float:
    """All money in the model, yuan.

    Residents' savings, mule accounts, frozen funds, gangs' and brokers' cash, cash seized
    or retired, and profits paid out to funders and members.
    """
    money = model.money
    return float(
        model.residents.savings_yuan.sum()
        + model.laundering.ledger.total_yuan()
        + model.laundering.frozen["amount_yuan"].sum()
        + sum(model.gangs.table["cash_yuan"].tolist())
        + sum(model.market.brokers["cash_yuan"].tolist())
        + money.seized_yuan
        + money.retired_yuan
        + money.paid_out_yuan
    )


def verify(model: FraudModel) -> None:
    """Raise :class:`InvariantError` naming the first invariant that fails today."""
    day = model.today.isoformat()
    expected = model.initial_money_yuan + model.money.injected_yuan
    total = money_total_yuan(model)
    if abs(total - expected) > 1e-9 * max(1.0, abs(expected)):
        raise InvariantError(
            "money conserved", day, f"total {total:.2f} yuan, expected {expected:.2f}"
        )
    for name, value in model.tally.values.items():
        if isinstance(value, float | int) and value < 0:
            raise InvariantError("counts non-negative", day, f"{name} = {value}")
    res = model.residents
    if res.savings_yuan.min() < -1e-6:
        raise InvariantError("savings non-negative", day, f"min {res.savings_yuan.min():.2f}")
    gangs = model.gangs.table
    bad = (gangs["phone_cards"] < 0) | (gangs["mule_accounts"] < 0) | (gangs["cash_yuan"] < -1e-6)
    if bad.any():
        gang = gangs.agents[int(bad.argmax())]
        raise InvariantError(
            "gang stocks non-negative",
            day,
            f"gang {gang.unique_id}: phone {gang.phone_cards}, accounts {gang.mule_accounts}, "
            f"cash {gang.cash_yuan:.2f}",
        )
    brokers = model.market.brokers
    bad = (
        (brokers["phone_cards"] < 0) | (brokers["bank_cards"] < 0) | (brokers["cash_yuan"] < -1e-6)
    )
    if bad.any():
        broker = brokers.agents[int(bad.argmax())]
        raise InvariantError("broker stocks non-negative", day, f"broker {broker.unique_id}")
    scams = model.scams.scams
    live = scams["gang"][~scams["ended"]]
    dead = [int(x) for x in np.unique(live) if model.gangs.get(int(x)) is None]
    if dead:
        raise InvariantError("engaged residents point at live gangs", day, f"gone gangs {dead[:5]}")
    n_live = int((~scams["ended"]).sum())
    if int(res.engaged.sum()) != n_live:
        raise InvariantError(
            "one scam per engaged resident",
            day,
            f"{int(res.engaged.sum())} engaged residents, {n_live} live scams",
        )
    if res.savings_yuan.size != res.n:
        raise InvariantError("population constant", day, f"{res.savings_yuan.size} != {res.n}")
    prices = model.market.prices
    if not (prices.bank_yuan > 0 and prices.phone_yuan > 0):
        raise InvariantError(
            "card prices positive", day, f"{prices.bank_yuan}, {prices.phone_yuan}"
        )
