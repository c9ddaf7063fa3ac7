"""Unit tests of the model's building blocks, each on its own and without running the model.

Covers the named random streams, the growable column table, the resident arrays (awareness and
sampling), the laundering ledger, the card-price update and the policy levers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from simulation.banks import MuleLedger
from simulation.categories import ResidentStatus
from simulation.gangs import card_needs, contact_effort
from simulation.levers import LEVER_TYPES, Lever, Phase, PolicyState, toward_one
from simulation.market import CardPrices
from simulation.model import FraudModel
from simulation.params import AwarenessParams, BankParams, MarketParams, PopulationParams
from simulation.residents import Residents
from simulation.scenario import load_scenario
from simulation.streams import RandomStreams, stable_hash, stochastic_round
from simulation.tables import Table

LEVER_NAMES = sorted(LEVER_TYPES)


# ============================================================================== random streams
class TestStreams:
    def test_same_seed_and_name_give_same_draws(self):
        a = RandomStreams(42)["contact"].random(20)
        b = RandomStreams(42)["contact"].random(20)
        assert np.array_equal(a, b), (
            "two families with seed 42 should draw the same 'contact' values"
        )

    def test_stream_is_created_once_and_continues(self):
        streams = RandomStreams(5)
        first = streams["payment"].random(3)
        second = streams["payment"].random(3)
        fresh = RandomStreams(5)["payment"].random(6)
        assert np.array_equal(np.concatenate([first, second]), fresh), (
            "repeated look-ups of a stream should continue one generator, not restart it"
        )
        assert streams.names() == ["payment"], "names() should list the streams used, sorted"

    def test_different_seeds_give_different_draws(self):
        a = RandomStreams(1)["contact"].random(20)
        b = RandomStreams(2)["contact"].random(20)
        assert not np.array_equal(a, b), "seeds 1 and 2 should give different 'contact' draws"

    def test_different_names_give_different_draws(self):
        streams = RandomStreams(42)
        a = streams["contact"].random(20)
        b = streams["engage"].random(20)
        assert not np.array_equal(a, b), "streams 'contact' and 'engage' should not coincide"

    def test_using_one_stream_leaves_another_untouched(self):
        busy = RandomStreams(9)
        busy["contact"].random(10_000)  # a lever switched on uses 'contact' a lot
        quiet = RandomStreams(9)
        assert np.array_equal(busy["engage"].random(50), quiet["engage"].random(50)), (
            "draws from 'engage' should not depend on how much 'contact' was used"
        )

    def test_different_names_are_uncorrelated(self):
        streams = RandomStreams(3)
        a = streams["market.sell"].random(20_000)
        b = streams["market.buy"].random(20_000)
        corr = float(np.corrcoef(a, b)[0, 1])
        # Under independence the correlation is ~N(0, 1/sqrt(n)) = N(0, 0.0071): 5 sigma.
        assert abs(corr) < 0.035, f"streams should be independent, correlation was {corr:.4f}"

    def test_stable_hash_is_pinned(self):
        # BLAKE2b-64, little-endian: the same on every machine, process and Python version.
        assert stable_hash("contact") == 11016698597248076228, (
            "stable_hash('contact') changed: every run's random streams would change with it"
        )
        assert stable_hash("") == 13020603013274838756, "stable_hash('') changed"

    def test_stable_hash_is_64_bit_and_discriminates(self):
        values = {stable_hash(f"stream{i}") for i in range(200)}
        assert len(values) == 200, "200 different names should hash to 200 different values"
        assert all(0 <= v < 2**64 for v in values), "stable_hash should be an unsigned 64-bit int"

    def test_negative_seed_is_refused(self):
        with pytest.raises(ValueError, match="non-negative"):
            RandomStreams(-1)

    @pytest.mark.parametrize("value", [0.0, 0.3, 2.5, 7.9, 12.0], ids=lambda v: f"value={v}")
    def test_stochastic_round_mean(self, value):
        rng = np.random.default_rng(2024)
        n = 40_000
        draws = np.array([stochastic_round(rng, value) for _ in range(n)])
        lo, hi = math.floor(value), math.ceil(value)
        assert set(np.unique(draws)) <= {lo, hi}, (
            f"stochastic_round({value}) should give only {lo} or {hi}, got {np.unique(draws)}"
        )
        frac = value - lo
        sigma = math.sqrt(frac * (1.0 - frac) / n)
        assert abs(draws.mean() - value) <= 5.0 * sigma + 1e-12, (
            f"mean of stochastic_round({value}) should be {value} within 5 sigma "
            f"({5 * sigma:.4f}), got {draws.mean():.4f}"
        )

    def test_stochastic_round_of_whole_number_is_exact(self):
        rng = np.random.default_rng(0)
        assert all(stochastic_round(rng, 4.0) == 4 for _ in range(100)), (
            "a whole number should round to itself every time"
        )


# ================================================================================ column table
def _table() -> Table:
    return Table({"a": np.int64, "b": np.float64, "flag": bool})


class TestTable:
    def test_append_returns_row_indices_and_stores_values(self):
        t = _table()
        rows = t.append(a=np.array([1, 2, 3]), b=np.array([0.5, 1.5, 2.5]), flag=np.ones(3, bool))
        assert np.array_equal(rows, [0, 1, 2]), f"first rows should be 0..2, got {rows}"
        more = t.append(a=np.array([4]), b=np.array([3.5]), flag=np.zeros(1, bool))
        assert np.array_equal(more, [3]), f"the next row should be 3, got {more}"
        assert len(t) == 4, f"table should hold 4 rows, holds {len(t)}"
        assert np.array_equal(t["a"], [1, 2, 3, 4]), f"column a should be 1..4, is {t['a']}"
        assert t["b"].dtype == np.float64, "column b should keep its float64 dtype"

    def test_growth_keeps_earlier_rows(self):
        t = _table()
        expected = []
        for batch in range(12):  # 12 batches of 7 rows: well past the initial capacity of 16
            values = np.arange(batch * 7, batch * 7 + 7)
            t.append(a=values, b=values * 0.5, flag=values % 2 == 0)
            expected.extend(values.tolist())
        assert len(t) == 84, f"table should hold 84 rows after growing, holds {len(t)}"
        assert np.array_equal(t["a"], expected), "rows appended before a growth should survive it"
        assert np.array_equal(t["b"], np.asarray(expected) * 0.5), "every column should grow"
        assert np.array_equal(t["flag"], np.asarray(expected) % 2 == 0), "bool column intact"

    def test_keep_removes_rows_in_order(self):
        t = _table()
        t.append(a=np.arange(10), b=np.arange(10) * 1.0, flag=np.zeros(10, bool))
        t.keep(t["a"] % 3 == 0)
        assert np.array_equal(t["a"], [0, 3, 6, 9]), (
            f"keep should retain 0,3,6,9 in order: {t['a']}"
        )
        assert np.array_equal(t["b"], [0.0, 3.0, 6.0, 9.0]), "keep should act on every column"
        rows = t.append(a=np.array([99]), b=np.array([9.9]), flag=np.ones(1, bool))
        assert np.array_equal(rows, [4]), f"append after keep should continue at row 4, got {rows}"

    def test_keep_nothing_and_everything(self):
        t = _table()
        t.append(a=np.arange(5), b=np.zeros(5), flag=np.zeros(5, bool))
        t.keep(np.ones(5, bool))
        assert len(t) == 5, "keeping every row should keep 5 rows"
        t.keep(np.zeros(5, bool))
        assert len(t) == 0, "keeping no row should empty the table"

    def test_views_are_writable(self):
        t = _table()
        t.append(a=np.arange(3), b=np.zeros(3), flag=np.zeros(3, bool))
        t["b"][1] = 7.0
        assert t["b"][1] == 7.0, "a column view should write through to the table"

    def test_bad_appends_and_masks_are_refused(self):
        t = _table()
        with pytest.raises(KeyError, match="mismatch"):
            t.append(a=np.arange(2), b=np.zeros(2))
        with pytest.raises(ValueError, match="unequal length"):
            t.append(a=np.arange(2), b=np.zeros(3), flag=np.zeros(2, bool))
        t.append(a=np.arange(2), b=np.zeros(2), flag=np.zeros(2, bool))
        with pytest.raises(ValueError, match="mask has"):
            t.keep(np.ones(3, bool))


# ================================================================================ residents
AWARENESS = AwarenessParams()


@pytest.fixture
def residents() -> Residents:
    return Residents(20_000, PopulationParams(), AWARENESS, np.random.default_rng(11))


class TestResidents:
    def test_population_is_drawn_from_parameters(self, residents):
        assert residents.n == 20_000, "Residents should hold the number asked for"
        for name in ("group", "age_band", "region", "savings_yuan", "status", "has_app"):
            assert getattr(residents, name).shape == (20_000,), f"{name} should be one per resident"
        assert (residents.savings_yuan > 0).all(), "lognormal savings should be positive"
        assert (residents.status == ResidentStatus.FREE).all(), "everyone starts free"

    def test_awareness_boost_closes_share_of_gap(self, residents):
        idx = np.arange(0, 2000, 3)
        others = np.arange(1, 2000, 3)
        before = residents.awareness(idx, 0)
        before_others = residents.awareness(others, 0)
        residents.boost_awareness(idx, 0.3, 0)
        after = residents.awareness(idx, 0)
        np.testing.assert_allclose(
            after,
            before + 0.3 * (1.0 - before),
            atol=1e-6,
            rtol=0,
            err_msg="a boost of 0.3 should close 30 % of each resident's gap to 1",
        )
        residents.boost_awareness(idx, 0.5, 0)
        again = residents.awareness(idx, 0)
        np.testing.assert_allclose(
            again,
            after + 0.5 * (1.0 - after),
            atol=1e-6,
            rtol=0,
            err_msg="a second boost should close 50 % of the remaining gap",
        )
        assert np.array_equal(residents.awareness(others, 0), before_others), (
            "residents not boosted should keep their awareness exactly"
        )

    def test_boost_of_zero_share_changes_nothing(self, residents):
        idx = np.arange(100)
        before = residents.awareness(idx, 0)
        mean_before = residents.mean_awareness()
        residents.boost_awareness(idx, 0.0, 0)
        assert np.array_equal(residents.awareness(idx, 0), before), "share 0 should be no boost"
        assert residents.mean_awareness() == mean_before, "share 0 should not move the mean"

    @pytest.mark.parametrize("k", [1, 7, 30, 365], ids=lambda k: f"{k}d")
    def test_lazy_decay_equals_explicit_decay(self, residents, k):
        idx = np.arange(50, 550)
        level = residents.group_level[residents.group[idx]].copy()
        residents.boost_awareness(idx, 0.4, 0)
        excess0 = residents.awareness(idx, 0) - level
        factor = 1.0
        per_day = math.exp(-1.0 / AWARENESS.decay_days)
        for _ in range(k):
            residents.decay_awareness()
            factor *= per_day
        lazy = residents.awareness(idx, k)
        explicit = level + excess0 * factor
        np.testing.assert_allclose(
            lazy,
            explicit,
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"awareness read lazily after {k} days should equal {k} explicit daily decays",
        )
        np.testing.assert_allclose(
            lazy,
            level + excess0 * math.exp(-k / AWARENESS.decay_days),
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"the excess should decay as exp(-{k} / decay_days)",
        )

    def test_group_level_relaxes_to_floor(self, residents):
        floor = residents.group_level.copy()
        boost = np.linspace(0.05, 0.35, floor.size)
        residents.boost_groups(boost)
        raised = floor + boost * (1.0 - floor)
        np.testing.assert_allclose(
            residents.group_level,
            raised,
            rtol=0,
            atol=1e-15,
            err_msg="publicity should close its share of each group's gap to 1",
        )
        for _ in range(10):
            residents.decay_awareness()
        expected = floor + (raised - floor) * math.exp(-10.0 / AWARENESS.decay_days)
        np.testing.assert_allclose(
            residents.group_level,
            expected,
            rtol=1e-12,
            atol=1e-15,
            err_msg="group levels should relax toward their floor by the daily decay",
        )

    def test_mean_awareness_matches_explicit_mean(self, residents):
        rng = np.random.default_rng(5)
        everyone = np.arange(residents.n)

        def check(day: int, when: str) -> None:
            explicit = residents.awareness(everyone, day)
            assert explicit.max() < 1.0, f"{when}: setup should cap nobody at 1"
            assert abs(residents.mean_awareness() - explicit.mean()) < 1e-9, (
                f"{when}: running mean {residents.mean_awareness():.12f} should equal the "
                f"explicit mean {explicit.mean():.12f} within 1e-9"
            )

        check(0, "at the start")
        day = 0
        for share in (0.3, 0.5, 0.2, 0.4):
            idx = rng.choice(residents.n, size=3000, replace=False)
            residents.boost_awareness(idx, share, day)
            check(day, f"after a boost on day {day}")
            for _ in range(5):
                residents.decay_awareness()
                day += 1
            check(day, f"after decay to day {day}")
        residents.boost_groups(np.full(residents.group_level.size, 0.1))
        check(day, "after a group boost")
        for _ in range(40):
            residents.decay_awareness()
            day += 1
        check(day, f"after decay to day {day}")

    def test_sample_free_draws_distinct_free_residents_from_pool(self, residents):
        pool = np.arange(0, 4000, 2)
        residents.status[pool[:600]] = ResidentStatus.GANG_MEMBER
        residents.status[pool[600:800]] = ResidentStatus.IMPRISONED
        rng = np.random.default_rng(8)
        got = residents.sample_free(rng, 500, pool)
        assert got.size == 500, f"a pool with 1200 free residents should give 500, gave {got.size}"
        assert np.unique(got).size == got.size, "sampled residents should be distinct"
        assert np.isin(got, pool).all(), "sampled residents should come from the pool"
        assert (residents.status[got] == ResidentStatus.FREE).all(), "sampled residents are FREE"

    def test_sample_free_without_pool_draws_from_everyone(self, residents):
        residents.status[:10_000] = ResidentStatus.IMPRISONED
        got = residents.sample_free(np.random.default_rng(1), 300)
        assert got.size == 300, f"should find 300 free residents, found {got.size}"
        assert np.unique(got).size == 300, "sampled residents should be distinct"
        assert (got >= 10_000).all(), "only the free half of the population may be drawn"

    def test_sample_free_returns_what_a_small_pool_has(self, residents):
        pool = np.arange(100, 150)
        residents.status[pool[:40]] = ResidentStatus.GANG_MEMBER
        got = residents.sample_free(np.random.default_rng(2), 30, pool)
        assert got.size <= 10, f"only 10 pool members are free, got {got.size}"
        assert np.unique(got).size == got.size, "sampled residents should be distinct"
        assert np.isin(got, pool[40:]).all(), "only free pool members may be drawn"
        empty = residents.sample_free(np.random.default_rng(2), 0, pool)
        assert empty.size == 0, "asking for 0 residents should give none"


# ============================================================================== mule ledger
BANKS = BankParams()


def _deposit(ledger, rng, cases, amounts, hours, victims=None, gangs=None):
    cases = np.asarray(cases, dtype=np.int64)
    ledger.deposit(
        rng,
        case=cases,
        victim=cases + 1000 if victims is None else np.asarray(victims, dtype=np.int64),
        gang=np.zeros(cases.size, dtype=np.int64) if gangs is None else np.asarray(gangs),
        bank=rng.integers(0, BANKS.n_banks, size=cases.size),
        amount_yuan=np.asarray(amounts, dtype=np.float64),
        hour=np.asarray(hours, dtype=np.float64),
    )


class TestMuleLedger:
    @pytest.mark.parametrize("p_screen", [0.0, 0.05], ids=["no-screening", "screening"])
    def test_far_future_cashes_out_everything_but_screened(self, p_screen):
        rng = np.random.default_rng(4)
        ledger = MuleLedger(BANKS)
        amounts = rng.lognormal(9.0, 1.0, size=200)
        _deposit(ledger, rng, np.arange(200), amounts, rng.uniform(0, 24, 200))
        assert ledger.total_yuan() == pytest.approx(amounts.sum(), rel=1e-12), (
            "deposited money should sit in the ledger"
        )
        day = ledger.advance(rng, 1e9, np.full(BANKS.n_banks, p_screen))
        cashed = float(day.cashed_out_yuan.sum())
        assert cashed + day.screened_yuan == pytest.approx(amounts.sum(), rel=1e-9), (
            f"cashed out ({cashed:.2f}) plus screened ({day.screened_yuan:.2f}) should equal "
            f"the deposits ({amounts.sum():.2f})"
        )
        assert day.stopped_yuan == 0.0, "without stop requests nothing should be stopped"
        assert len(ledger.parcels) == 0, "no parcel should be left after the last hop"
        assert ledger.total_yuan() == 0.0, "the ledger should be empty in the far future"
        if p_screen == 0.0:
            assert day.screened_yuan == 0.0, "no screening should freeze nothing"
        else:
            assert day.screened_yuan > 0.0, "5 % screening per hop should freeze something"
            assert float(day.stopped_amount.sum()) == pytest.approx(day.screened_yuan), (
                "every screened yuan should be listed as a freeze for return to its victim"
            )

    def test_stop_before_first_hop_freezes_whole_parcel(self):
        rng = np.random.default_rng(6)
        ledger = MuleLedger(BANKS)
        _deposit(ledger, rng, [7, 8], [1234.5, 500.0], [5.0, 5.0], victims=[70, 80])
        reached = ledger.request_stop(
            np.array([7]), np.array([5.0]), np.zeros(BANKS.n_banks)
        )  # reported the moment it was paid, frozen at once: before any hop
        assert reached == 1, f"the stop should reach case 7's one parcel, reached {reached}"
        day = ledger.advance(rng, 1e9, np.zeros(BANKS.n_banks))
        assert day.stopped_yuan == 1234.5, (
            f"the whole parcel of 1234.5 yuan should be frozen, froze {day.stopped_yuan}"
        )
        assert day.stopped_by_victim.tolist() == [70], "the freeze should go back to victim 70"
        assert day.stopped_amount.tolist() == [1234.5], "one freeze of the whole parcel"
        assert float(day.cashed_out_yuan.sum()) == pytest.approx(500.0), (
            "the parcel without a stop request should cash out whole"
        )

    def test_stop_request_for_unknown_case_reaches_nothing(self):
        rng = np.random.default_rng(6)
        ledger = MuleLedger(BANKS)
        _deposit(ledger, rng, [1, 2], [10.0, 20.0], [1.0, 1.0])
        reached = ledger.request_stop(np.array([99]), np.array([1.0]), np.zeros(BANKS.n_banks))
        assert reached == 0, "a stop for a case with no parcel should reach nothing"

    def test_money_is_conserved_day_by_day(self):
        rng = np.random.default_rng(12)
        ledger = MuleLedger(BANKS)
        p_screen = np.full(BANKS.n_banks, 0.02)
        delay = np.full(BANKS.n_banks, BANKS.stop_delay_hours)
        deposited = cashed = stopped = screened = 0.0
        next_case = 0
        for d in range(15):
            k = int(rng.integers(5, 40))
            cases = np.arange(next_case, next_case + k)
            next_case += k
            amounts = rng.lognormal(8.0, 1.5, size=k)
            hours = d * 24.0 + rng.uniform(0.0, 24.0, size=k)
            _deposit(ledger, rng, cases, amounts, hours)
            deposited += float(amounts.sum())
            report = rng.random(k) < 0.4
            ledger.request_stop(
                cases[report], hours[report] + rng.exponential(2.0, report.sum()), delay
            )
            day = ledger.advance(rng, (d + 1) * 24.0, p_screen)
            cashed += float(day.cashed_out_yuan.sum())
            stopped += day.stopped_yuan
            screened += day.screened_yuan
            assert float(day.stopped_amount.sum()) == pytest.approx(
                day.stopped_yuan + day.screened_yuan, rel=1e-12, abs=1e-9
            ), f"day {d}: freezes listed should add up to stopped plus screened"
            accounted = cashed + stopped + screened + ledger.total_yuan()
            assert accounted == pytest.approx(deposited, rel=1e-9), (
                f"day {d}: deposits ({deposited:.2f}) should equal cashed out + stopped + "
                f"screened + remaining ({accounted:.2f})"
            )
            assert (ledger.parcels["remaining_yuan"] > 0).all(), "empty parcels are dropped"
        assert stopped > 0.0, "some stop requests should have frozen money (test setup)"
        assert cashed > 0.0, "some money should have been cashed out (test setup)"


# ============================================================================== card prices
MARKET = MarketParams()


class TestCardPrices:
    def test_starts_at_base_prices(self):
        prices = CardPrices(MARKET)
        assert prices.phone_yuan == MARKET.phone_card_price_yuan, "phone price starts at base"
        assert prices.bank_yuan == MARKET.bank_card_price_yuan, "bank price starts at base"
        assert prices.supply_factor() == pytest.approx(1.0), "supply factor is 1 at base prices"
        assert prices.quantity_factors() == pytest.approx((1.0, 1.0)), "quantities 1 at base"

    def test_excess_demand_raises_price(self):
        prices = CardPrices(MARKET)
        prices.update(phone=(100, 40, 40), bank=(20, 5, 5))  # gangs asked for more than sold
        assert prices.phone_yuan > MARKET.phone_card_price_yuan, "unmet demand raises phone price"
        assert prices.bank_yuan > MARKET.bank_card_price_yuan, "unmet demand raises bank price"
        assert prices.supply_factor() > 1.0, "higher prices should draw more sellers"

    def test_surplus_lowers_price(self):
        prices = CardPrices(MARKET)
        prices.update(phone=(10, 10, 500), bank=(2, 2, 100))  # shelves full beyond demand
        assert prices.phone_yuan < MARKET.phone_card_price_yuan, "surplus lowers phone price"
        assert prices.bank_yuan < MARKET.bank_card_price_yuan, "surplus lowers bank price"

    def test_cleared_market_keeps_price(self):
        prices = CardPrices(MARKET)
        prices.update(phone=(10, 10, 20), bank=(3, 3, 6))  # all served, no surplus beyond demand
        assert prices.phone_yuan == MARKET.phone_card_price_yuan, "a cleared market keeps price"
        assert prices.bank_yuan == MARKET.bank_card_price_yuan, "a cleared market keeps price"

    def test_daily_move_is_bounded(self):
        prices = CardPrices(MARKET)
        prices.update(phone=(10**6, 0, 0), bank=(0, 0, 10**6))
        step = MARKET.price_adjust_per_day
        assert prices.phone_yuan <= MARKET.phone_card_price_yuan * math.exp(step) * (1 + 1e-12), (
            "a price should rise by at most exp(price_adjust_per_day) a day"
        )
        assert prices.bank_yuan >= MARKET.bank_card_price_yuan * math.exp(-step) * (1 - 1e-12), (
            "a price should fall by at most exp(-price_adjust_per_day) a day"
        )

    def test_price_stays_positive(self):
        prices = CardPrices(MARKET)
        for _ in range(5000):
            prices.update(phone=(0, 0, 10**6), bank=(0, 0, 10**6))
        assert prices.phone_yuan > 0, "the phone card price should stay positive"
        assert prices.bank_yuan > 0, "the bank card price should stay positive"
        assert prices.phone_yuan >= 0.01 * MARKET.phone_card_price_yuan, "phone floor is 1 %"
        assert prices.bank_yuan >= 0.01 * MARKET.bank_card_price_yuan, "bank floor is 1 %"
        assert math.isfinite(prices.supply_factor()), "supply factor stays finite at the floor"


# ================================================================================== levers
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
START = dt.date(2021, 3, 1)
END = dt.date(2021, 3, 31)

#: PolicyState fields that are chances or shares per day: they must stay in [0, 1].
SHARE_FIELDS = {
    f.name
    for f in dataclasses.fields(PolicyState)
    if f.name.startswith("p_")
    or f.name
    in {
        "awareness_boost_per_day",
        "app_adoption_per_day",
        "phone_card_clearing_per_day",
        "bank_account_clearing_per_day",
        "stop_delay_cut",
        "repatriation_per_day",
        "surrender_gain_per_day",
    }
}


def make_lever(kind: str, intensity: float = 1.0, start=START, end=END) -> Lever:
    return LEVER_TYPES[kind](type=kind, start=start, end=end, intensity=intensity)


def differing_fields(a: PolicyState, b: PolicyState) -> list[str]:
    """Names of the fields where two policy states differ (arrays compared element-wise)."""
    out = []
    for f in dataclasses.fields(PolicyState):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            same = np.array_equal(np.asarray(x), np.asarray(y))
        else:
            same = x == y
        if not same:
            out.append(f.name)
    return out


def test_lever_types_cover_every_lever_class():
    assert len(LEVER_NAMES) == 9, f"nine lever types expected, found {LEVER_NAMES}"
    for kind, cls in LEVER_TYPES.items():
        assert issubclass(cls, Lever), f"{kind} should map to a Lever subclass"
        assert isinstance(cls.phase, Phase), f"{kind} should act in a named Phase"


def test_toward_one():
    assert toward_one(0.3, 0.0) == 0.3, "gain 0 should return the base exactly"
    assert toward_one(0.3, 1.0) == 1.0, "gain 1 should reach 1"
    assert toward_one(0.2, 0.5) == pytest.approx(0.6), "gain 0.5 closes half the gap"


@pytest.mark.parametrize("kind", LEVER_NAMES)
class TestLever:
    def test_is_active_on_boundaries(self, kind):
        lever = make_lever(kind)
        one = dt.timedelta(days=1)
        assert not lever.is_active(START - one), f"{kind} should be off the day before start"
        assert lever.is_active(START), f"{kind} should act on its start date"
        assert lever.is_active(START + 10 * one), f"{kind} should act between start and end"
        assert lever.is_active(END), f"{kind} should act on its end date (inclusive)"
        assert not lever.is_active(END + one), f"{kind} should be off the day after end"

    def test_without_end_is_active_forever(self, kind):
        lever = make_lever(kind, end=None)
        assert not lever.is_active(START - dt.timedelta(days=1)), f"{kind} off before start"
        assert lever.is_active(dt.date(2099, 12, 31)), f"{kind} without end should never stop"

    def test_single_day_lever(self, kind):
        lever = make_lever(kind, start=START, end=START)
        assert lever.is_active(START), f"{kind} with end == start should act on that one day"
        assert not lever.is_active(START + dt.timedelta(days=1)), f"{kind} one day only"

    def test_zero_intensity_leaves_state_untouched(self, kind):
        state = PolicyState()
        make_lever(kind, intensity=0.0).act(state, 1000.0)
        changed = differing_fields(state, PolicyState())
        assert changed == [], f"{kind} at intensity 0 should change nothing, changed {changed}"

    def test_full_intensity_changes_state(self, kind):
        state = PolicyState()
        make_lever(kind, intensity=1.0).act(state, 1000.0)
        changed = [f for f in differing_fields(state, PolicyState()) if f != "officer_hours"]
        assert changed, f"{kind} at intensity 1 should change at least one policy setting"
        assert kind in state.officer_hours, f"{kind} should book its officer-hours per action"

    @pytest.mark.parametrize("copies", [1, 2], ids=["alone", "overlapping"])
    def test_probabilities_stay_in_unit_interval_at_max_intensity(self, kind, copies):
        state = PolicyState()
        for _ in range(copies):
            make_lever(kind, intensity=100.0).act(state, 1000.0)
        values = {name: np.asarray(getattr(state, name)) for name in sorted(SHARE_FIELDS)}
        bad = {name: v for name, v in values.items() if not ((v >= 0.0) & (v <= 1.0)).all()}
        assert not bad, (
            f"{copies} {kind} lever(s) at the maximum intensity 100 should keep every chance "
            f"and share in [0, 1]; out of range: {bad}"
        )

    def test_end_before_start_is_refused(self, kind):
        with pytest.raises(ValidationError, match="must not be before start"):
            make_lever(kind, start=END, end=START)

    def test_negative_intensity_is_refused(self, kind):
        with pytest.raises(ValidationError, match="intensity"):
            make_lever(kind, intensity=-0.1)

    def test_round_trips_as_dict(self, kind):
        lever = make_lever(kind, intensity=0.7)
        again = LEVER_TYPES[kind].model_validate(lever.model_dump())
        assert again == lever, f"{kind} should rebuild equal from its own dict"


class TestLyingLow:
    """Gangs cut their contacts (and the cards they buy for them) under perceived risk."""

    @pytest.fixture
    def model(self):
        config = load_scenario(SCENARIOS / "baseline.toml", ["run.scale=20000"])
        return FraudModel(config, rng=3)

    def test_effort_falls_as_one_over_one_plus_k_risk(self, model):
        gangs = model.gangs.table
        params = model.config.gangs
        assert len(gangs), "the test needs at least one gang at 1 agent = 20,000 people"
        gangs["risk"] = np.linspace(0.0, 2.0, len(gangs))
        effort = contact_effort(gangs, params)
        expected = (
            gangs["n_operators"]
            * params.contacts_per_operator_per_day
            / (1.0 + params.lie_low_per_risk * gangs["risk"])
        )
        np.testing.assert_allclose(
            effort, expected, err_msg="effort should be operators x rate / (1 + k x risk)"
        )

    def test_no_lying_low_ignores_risk(self, model):
        gangs = model.gangs.table
        params = model.config.gangs.model_copy(update={"lie_low_per_risk": 0.0})
        before = contact_effort(gangs, params).copy()
        gangs["risk"] = 5.0
        after = contact_effort(gangs, params)
        np.testing.assert_array_equal(
            after, before, err_msg="with lie_low_per_risk = 0 risk should not change effort"
        )

    def test_risk_lowers_the_cards_a_gang_wants(self, model):
        gangs = model.gangs.table
        params = model.config.gangs
        gangs["phone_cards"] = 0
        gangs["risk"] = 0.0
        calm, _ = card_needs(gangs, params)
        gangs["risk"] = 1.0
        wary, _ = card_needs(gangs, params)
        assert (wary <= calm).all(), f"no gang should want more cards at risk 1: {wary} vs {calm}"
        assert wary.sum() < calm.sum(), (
            f"gangs at risk 1 should want fewer phone cards than at risk 0: {wary} vs {calm}"
        )
