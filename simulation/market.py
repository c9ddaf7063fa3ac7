"""The "two-card" black market: brokers buy phone and bank cards from residents, sell to gangs.

Brokers (the "two-card" gangs of the seed) are ``mesa.Agent`` s with stocks and cash. Prices
are the market's: each day they move toward the level that clears the market, rising when gangs
ask for more cards than brokers hold (after seizures, clearing and punished sellers) and falling
back when supply is plentiful. Sellers respond to price and to the risk of punishment.

:class:`CardMarket` is the card-market phase of the day: residents sell to brokers, the
broken-card unit acts (:class:`simulation.police.CardCrackdownUnit`), gangs buy, prices move and
new brokers enter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from simulation.categories import ResidentStatus
from simulation.gangs import card_needs
from simulation.params import MarketParams
from simulation.streams import Stream, choice_without_replacement
from simulation.tables import AgentTable, Stored
from simulation.unique import unique

if TYPE_CHECKING:
    from simulation.model import FraudModel

BROKER_MARKUP = 1.5  # brokers resell cards at this multiple of what they pay sellers (assumption)


class BrokerTable(AgentTable):
    """The numbers of every live broker (:mod:`simulation.tables`), rows in id order."""

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


class CardMarket:
    """The card market of a model: its brokers, its prices, and the day's trade.

    Args:
        model: the model (residents, gangs, policy, streams, tally, police).

    Attributes:
        brokers: the live brokers' numbers, one row per broker in id order.
        prices: today's card prices.
    """

    def __init__(self, model: FraudModel) -> None:
        """A market with no brokers yet, at the base prices."""
        self.model = model
        self.params = model.config.market
        self.brokers = BrokerTable()
        self.prices = CardPrices(self.params)
        self._punished_recent = 0.0  # sellers punished, decaying with the punishment memory

    def found_broker(self) -> None:
        """A broker enters with start-up cash from outside the model's economy."""
        cash = self.params.broker_initial_cash_yuan
        self.model.money.injected_yuan += cash
        CardBroker(self.model, cash_yuan=cash, table=self.brokers)

    def remove_broker(self, broker: CardBroker) -> None:
        """A broker leaves the market (its stock and cash are dealt with by the caller).

        It trades no more; its row goes at the end of the day (:meth:`drop_removed`).
        """
        self.brokers.request_removal(broker)

    def drop_removed(self) -> None:
        """The brokers gone today leave the table and the model."""
        for broker in self.brokers.drop_removed():
            broker.remove()

    def seize_cards(self, phone: int, bank: int) -> None:
        """Count cards seized by police."""
        tally = self.model.tally
        tally.count("phone_cards_seized", phone)
        tally.count("bank_cards_seized", bank)

    def sell(self) -> None:
        """Willing residents sell cards to brokers; some sales are traced and punished."""
        m = self.model
        p = self.params
        res = m.residents
        rng = m.streams[Stream.MARKET_SELL]
        brokers = self.brokers
        active = int(np.count_nonzero(res.seller_active))
        memory = np.exp(-1.0 / p.punishment_memory_days)
        self._punished_recent *= memory
        if not len(brokers) or active == 0:
            return
        deterrence = 1.0 / (1.0 + p.risk_premium_per_punishment * self._punished_recent / active)
        p_offer = min(1.0, p.p_offer_per_day * self.prices.supply_factor() * deterrence)
        n_offers = int(rng.binomial(active, p_offer))
        if n_offers == 0:
            return
        slots = unique(rng.integers(0, res.seller_pool.size, size=n_offers))
        slots = slots[res.seller_active[slots]]
        sellers = res.seller_pool[slots]
        free = res.status[sellers] == ResidentStatus.FREE
        slots, sellers = slots[free], sellers[free]
        cap = m.policy.max_cards_per_person
        phone_factor, bank_factor = self.prices.quantity_factors()
        phone = np.minimum(
            rng.poisson(p.phone_cards_per_sale * phone_factor, size=sellers.size), cap
        )
        bank = np.minimum(rng.poisson(p.bank_cards_per_sale * bank_factor, size=sellers.size), cap)
        phone, bank = phone.astype(np.int64), bank.astype(np.int64)
        punished = rng.random(sellers.size) < m.policy.p_punish_seller
        if punished.any():
            res.seller_active[slots[punished]] = False
            self.seize_cards(int(phone[punished].sum()), int(bank[punished].sum()))
            m.tally.count("sellers_punished", int(punished.sum()))
            self._punished_recent += float(punished.sum())
            m.police.card_unit.book_effort("card_crackdown", float(punished.sum()))
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
        m.tally.count("card_sales", sales)

    def buy(self) -> None:
        """Gangs top up their card stocks from brokers at today's prices; prices then move.

        The market is pooled: when brokers hold less than gangs ask for, every gang gets the
        same share of what it asks (rounded at random), and which brokers' stock is sold is
        drawn at random in proportion to their stocks.
        """
        m = self.model
        g = m.config.gangs
        rng = m.streams[Stream.MARKET_BUY]
        brokers = self.brokers
        gangs = m.gangs.table
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
            got_bank = _ration(rng, want_bank, int(bank_stock.sum()))
            cash = cash - got_bank * bank_price
            want_phone = np.minimum(need_phone, np.floor(cash / phone_price)).astype(np.int64)
            got_phone = _ration(rng, want_phone, int(phone_stock.sum()))
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

    def enter(self) -> None:
        """New brokers enter, more of them the higher the price of a bank card."""
        m = self.model
        rng = m.streams[Stream.MARKET_ENTRY]
        attractiveness = self.prices.bank_yuan / self.params.bank_card_price_yuan
        entry_rate = self.params.broker_entry_national_per_day / m.scale * attractiveness
        for _ in range(int(rng.poisson(entry_rate))):
            self.found_broker()


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
