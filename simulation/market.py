"""The "two-card" black market: brokers buy phone and bank cards from residents, sell to gangs.

Brokers (the "two-card" gangs of the seed) are ``mesa.Agent`` s with stocks and cash. Prices
are the market's: each day they move toward the level that clears the market, rising when gangs
ask for more cards than brokers hold (after seizures, clearing and punished sellers) and falling
back when supply is plentiful. Sellers respond to price and to the risk of punishment.
"""

from __future__ import annotations

from typing import ClassVar

import mesa
import numpy as np

from simulation.agent_table import AgentTable, Stored
from simulation.params import MarketParams


class BrokerTable(AgentTable):
    """The numbers of every live broker (:mod:`simulation.agent_table`), rows in id order."""

    COLUMNS: ClassVar[dict[str, tuple[type, int]]] = {
        "unique_id": (np.int64, 0),
        "phone_cards": (np.int64, 0),
        "bank_cards": (np.int64, 0),
        "cash_yuan": (np.float64, 0),
    }


class CardBroker(mesa.Agent):
    """A card broker ("two-card" gang).

    Attributes:
        phone_cards: phone cards in stock.
        bank_cards: bank card sets in stock.
        cash_yuan: cash, yuan.

    The attributes are stored in the broker's row of a :class:`BrokerTable`.
    """

    phone_cards = Stored()
    bank_cards = Stored()
    cash_yuan = Stored()

    def __init__(
        self, model: mesa.Model, cash_yuan: float, table: BrokerTable | None = None
    ) -> None:
        """Create a broker with empty stock, in a new row of ``table`` (default: its own)."""
        super().__init__(model)
        (BrokerTable(capacity=1) if table is None else table).add(self)
        self.cash_yuan = cash_yuan


class CardPrices:
    """Prices of a phone card and a bank-card set, yuan, and their market-clearing update.

    Args:
        params: market parameters (base prices are the pre-crackdown prices).
    """

    def __init__(self, params: MarketParams) -> None:
        """Start at the base prices."""
        self.params = params
        self.phone_yuan = params.phone_card_price_yuan
        self.bank_yuan = params.bank_card_price_yuan

    def supply_factor(self) -> float:
        """How much more willing sellers are at today's prices than at the base prices.

        Sellers look at what a typical sale (phone cards and bank cards together) pays.
        """
        p = self.params
        base = (
            p.phone_cards_per_sale * p.phone_card_price_yuan
            + p.bank_cards_per_sale * p.bank_card_price_yuan
        )
        now = p.phone_cards_per_sale * self.phone_yuan + p.bank_cards_per_sale * self.bank_yuan
        return float((now / base) ** p.price_elasticity)

    def quantity_factors(self) -> tuple[float, float]:
        """How many more phone cards and bank cards a seller brings than at base prices."""
        p = self.params
        return (
            float((self.phone_yuan / p.phone_card_price_yuan) ** p.price_elasticity),
            float((self.bank_yuan / p.bank_card_price_yuan) ** p.price_elasticity),
        )

    def update(self, phone: tuple[int, int, int], bank: tuple[int, int, int]) -> None:
        """Move each price by today's excess demand.

        Args:
            phone: for phone cards, (asked for by gangs, bought, stock brokers held before).
            bank: the same for bank cards.

        Unmet demand pushes a price up; stock left on brokers' shelves beyond one day's
        demand pushes it down. The step is ``price_adjust_per_day`` times the excess as a share
        of demand, at most that share either way, so prices move a few percent a day at most.
        """
        step = self.params.price_adjust_per_day
        self.phone_yuan *= float(np.exp(step * _excess_demand(*phone)))
        self.bank_yuan *= float(np.exp(step * _excess_demand(*bank)))
        # A floor (a hundredth of the base price) keeps prices positive.
        self.phone_yuan = max(self.phone_yuan, 0.01 * self.params.phone_card_price_yuan)
        self.bank_yuan = max(self.bank_yuan, 0.01 * self.params.bank_card_price_yuan)


def _excess_demand(asked: int, bought: int, stock: int) -> float:
    """Excess demand in [-1, 1]: unmet demand minus surplus stock, relative to demand."""
    unmet = asked - bought
    surplus = max(0, stock - bought - asked)
    return min(max((unmet - surplus) / (asked + 1), -1.0), 1.0)
