"""Each phase of the day on its own: a freshly built small model, one phase called directly.

The model is built but not run, its state set by hand where a test needs it, and today's policy
set directly (a :class:`PolicyState`), so each test shows what one part of the day does with
the state it finds, through that part's public methods.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from simulation.categories import COUNTRIES, ResidentStatus, Role
from simulation.levers import PolicyState
from simulation.model import FraudModel
from simulation.params import RunParams
from simulation.streams import RandomStreams, Stream
from simulation.tables import AgentTable

# 282,000 residents and about ten gangs: built in a fraction of a second.
TINY_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 10), burn_in_days=0, scale=5_000.0
)


@pytest.fixture
def build(make_config):
    """``build(**overrides)``: a small model, built but not run (``police__p_dissuade=0.5``)."""

    def _build(**overrides) -> FraudModel:
        m = FraudModel(make_config(run=TINY_RUN), rng=4, **overrides)
        m.tally.reset()
        return m

    return _build


@pytest.fixture
def model(build) -> FraudModel:
    return build()


def with_policy(model: FraudModel, **settings) -> None:
    model.policy = dataclasses.replace(PolicyState(), **settings)


# ================================================================================ card market
class TestCardMarket:
    def test_sales_move_money_from_brokers_to_sellers_and_cards_the_other_way(self, build):
        model = build(market__p_offer_per_day=1.0)
        market, res = model.market, model.residents
        assert len(market.brokers), "expected brokers at this scale"
        cash_before = market.brokers["cash_yuan"].sum() + res.savings_yuan.sum()
        stock_before = market.brokers["phone_cards"].sum() + market.brokers["bank_cards"].sum()
        market.sell()
        sales = model.tally.values["card_sales"]
        stock_after = market.brokers["phone_cards"].sum() + market.brokers["bank_cards"].sum()
        assert sales > 0, "expected sales when every seller offers"
        assert stock_after > stock_before, "expected brokers' stock to grow by what they bought"
        cash_after = market.brokers["cash_yuan"].sum() + res.savings_yuan.sum()
        assert cash_after == pytest.approx(cash_before, rel=1e-12), (
            "expected money only to move between brokers and sellers"
        )

    def test_certain_punishment_stops_every_sale(self, build):
        model = build(market__p_offer_per_day=1.0)
        market = model.market
        with_policy(model, p_punish_seller=1.0)
        active_before = int(model.residents.seller_active.sum())
        market.sell()
        values = model.tally.values
        assert values["card_sales"] == 0, "expected no sale when every seller is punished"
        assert values["sellers_punished"] > 0, "expected the offering sellers to be punished"
        assert (
            int(model.residents.seller_active.sum()) == active_before - values["sellers_punished"]
        ), "expected each punished seller to stop selling"

    def test_gangs_buy_what_brokers_hold_when_stock_is_short(self, model):
        market, gangs = model.market, model.gangs.table
        gangs["phone_cards"] = 0
        gangs["cash_yuan"] = 1e9
        market.brokers["phone_cards"] = 1
        stock = int(market.brokers["phone_cards"].sum())
        price_before = market.prices.phone_yuan
        market.buy()
        assert int(gangs["phone_cards"].sum()) == stock, (
            "expected gangs to get exactly the brokers' stock when they ask for more"
        )
        assert int(market.brokers["phone_cards"].sum()) == 0, "expected brokers sold out"
        assert market.prices.phone_yuan > price_before, "expected unmet demand to raise prices"

    def test_no_entry_without_an_entry_rate(self, build):
        market = build(market__broker_entry_national_per_day=0.0).market
        n = len(market.brokers)
        market.enter()
        assert len(market.brokers) == n, "expected no new broker at an entry rate of zero"

    def test_a_removed_broker_stays_until_the_end_of_the_day(self, model):
        market = model.market
        broker = market.brokers.agents[0]
        market.remove_broker(broker)
        assert broker in market.brokers.agents, "expected the row kept during the day"
        assert not market.brokers.is_live(broker), "expected the broker marked as gone"
        market.drop_removed()
        assert broker not in market.brokers.agents, "expected the row gone at the end of day"
        assert broker not in model.agents, "expected the broker gone from the model's agents"


# ================================================================================ contacts
class TestContacts:
    def test_no_gangs_no_contacts(self, model):
        model.gangs.table.keep(np.zeros(len(model.gangs), dtype=bool))
        model.contacts.make()
        assert model.tally.values["contacts"] == 0, "expected no contact without gangs"

    def test_everything_blocked_means_no_engagement(self, model):
        with_policy(model, p_block_gain=np.ones(len(model.contacts.operator.p_block)))
        model.contacts.make()
        values = model.tally.values
        assert values["contacts"] > 0, "expected gangs to make contacts"
        assert values["contacts_blocked"] == values["contacts"], "expected all blocked"
        assert values["engagements"] == 0, "expected no engagement when nothing gets through"
        assert len(model.scams) == 0, "expected no scam when no contact gets through"

    def test_engaged_residents_are_free_and_distinct(self, model):
        contacts = model.contacts
        contacts.p_engage = np.ones_like(contacts.p_engage)  # everyone delivered engages
        contacts.p_engage_max = np.ones_like(contacts.p_engage_max)
        contacts.susceptibility = np.ones_like(contacts.susceptibility)
        model.contacts.make()
        victims = model.scams.scams["victim"]
        assert victims.size > 0, "expected engagements when everyone engages"
        assert np.unique(victims).size == victims.size, "expected one scam per resident"
        assert model.residents.engaged[victims].all(), "expected the victims marked engaged"
        assert (model.residents.status[victims] == ResidentStatus.FREE).all(), (
            "expected only free residents (not gang members or prisoners) to engage"
        )


# ================================================================================ scams
def start_scams(model: FraudModel, n: int = 20) -> np.ndarray:
    """Start ``n`` scams of the first gang against the richest free residents; their rows."""
    res = model.residents
    victims = np.argsort(res.savings_yuan)[-n:]
    victims = victims[res.status[victims] == ResidentStatus.FREE]
    gang = model.gangs.table["unique_id"][0]
    k = victims.size
    model.scams.start(
        victims, np.full(k, gang), np.zeros(k, dtype=np.int8), np.zeros(k, dtype=np.int8)
    )
    return np.arange(len(model.scams) - k, len(model.scams))


class TestScams:
    def test_dissuasion_ends_scams_and_counts_what_was_averted(self, model):
        rows = start_scams(model)
        model.scams.end(rows, dissuaded=True)
        values = model.tally.values
        assert values["dissuaded"] == rows.size, "expected every dissuaded scam counted"
        assert values["averted_yuan"] > 0, "expected the planned money counted as averted"
        victims = model.scams.scams["victim"][rows]
        assert not model.residents.engaged[victims].any(), "expected the victims released"
        model.scams.drop_ended()
        assert len(model.scams) == 0, "expected the ended rows gone at the end of the day"

    def test_a_due_payment_opens_a_case_and_moves_money_into_the_ledger(self, model):
        rows = start_scams(model)
        model.scams.scams["next_pay_hour"][rows] = 0.0  # due now
        gangs = model.gangs.table
        gangs["mule_accounts"] = 100  # room for every payment
        savings_before = model.residents.savings_yuan.sum()
        model.scams.take_payments()
        paid = model.tally.values["loss_yuan"]
        assert model.tally.values["cases"] == rows.size, "expected one case per first payment"
        assert paid > 0, "expected money paid"
        assert model.laundering.ledger.total_yuan() == pytest.approx(paid), (
            "expected every yuan paid to land in a mule account"
        )
        assert model.residents.savings_yuan.sum() == pytest.approx(savings_before - paid)
        assert gangs["revenue_today"][0].sum() == pytest.approx(paid), (
            "expected the gang's revenue of the day to be what its victims paid"
        )

    def test_without_accounts_victims_wait_or_slip_away(self, model):
        rows = start_scams(model)
        model.scams.scams["next_pay_hour"][rows] = 0.0
        model.gangs.table["mule_accounts"] = 0
        model.scams.take_payments()
        values = model.tally.values
        assert values["cases"] == 0, "expected no payment without a mule account"
        assert model.gangs.table["payments_waiting"][0] == rows.size, (
            "expected every due payment to wait for an account"
        )


# ================================================================================ laundering
class TestLaundering:
    def test_a_report_before_the_first_hop_freezes_and_returns_the_money(self, model):
        rows = start_scams(model, n=5)
        model.scams.scams["next_pay_hour"][rows] = 0.0
        model.gangs.table["mule_accounts"] = 100
        model.scams.take_payments()
        paid = model.tally.values["loss_yuan"]
        ledger = model.laundering.ledger
        ledger.parcels["next_hop_hour"] = 1e9  # no hop before the stop
        cases = np.unique(ledger.parcels["case"])
        model.scams.pending_reports.append(case=cases, hour=np.zeros(cases.size))
        model.laundering.act()
        assert model.tally.values["reports"] == cases.size, "expected every report to arrive"
        assert list(model.police.investigation.queue) == cases.tolist(), (
            "expected reported cases queued for investigation"
        )
        assert model.tally.values["stopped_yuan"] == pytest.approx(paid), (
            "expected a stop before any hop to freeze everything"
        )
        savings = model.residents.savings_yuan.sum()
        model.day_index += round(model.config.banks.return_days)
        model.laundering.act()
        assert model.residents.savings_yuan.sum() == pytest.approx(savings + paid), (
            "expected frozen money back with its victims after return_days"
        )


# ================================================================================ gangs
class TestGangPopulation:
    def test_a_founded_gang_holds_its_members(self, model):
        gang = model.gangs.found(model.streams[Stream.GANG_FOUND], overseas=True)
        assert gang is not None, "expected a leader in the recruit pool"
        members = np.asarray(gang.all_members())
        assert gang.n_members == members.size >= 1, "expected members counted"
        assert (model.residents.status[members] == ResidentStatus.GANG_MEMBER).all()
        assert gang.overseas
        assert 0 <= gang.country < len(COUNTRIES)

    def test_custody_takes_members_and_counts_them(self, model):
        gang = model.gangs.table.agents[0]
        taken = gang.members[Role.OPERATOR][:2]
        model.gangs.imprison(gang, taken, "arrests_investigation")
        assert model.tally.values["arrests_investigation"] == len(taken)
        assert (model.residents.status[taken] == ResidentStatus.IMPRISONED).all()
        assert not set(taken) & set(gang.all_members()), "expected them out of the gang"

    def test_a_removed_gang_ends_at_once_and_leaves_at_the_end_of_the_day(self, model):
        gang = model.gangs.table.agents[0]
        members = gang.all_members()
        cash = gang.cash_yuan
        model.gangs.remove(gang, destroyed=True)
        assert model.gangs.get(gang.unique_id) is None, "expected the gang gone for lookups"
        assert gang in model.gangs.table.agents, "expected its row kept during the day"
        assert (model.residents.status[members] == ResidentStatus.FREE).all()
        assert model.money.seized_yuan == pytest.approx(cash), "expected its cash seized"
        model.gangs.remove(gang, destroyed=True)
        assert model.tally.values["gangs_destroyed"] == 1, "expected a second removal ignored"
        model.gangs.drop_removed()
        assert gang not in model.gangs.table.agents
        assert gang not in model.agents

    def test_a_gang_without_its_leader_breaks_up_in_adaptation(self, model):
        gang = model.gangs.table.agents[0]
        model.gangs.imprison(gang, gang.members[Role.LEADER], "arrests_investigation")
        model.gangs.adapt()
        assert model.tally.values["gangs_broken_up"] >= 1, "expected the leaderless gang to end"
        assert model.gangs.get(gang.unique_id) is None

    def test_gangs_ended_today_do_not_recruit_or_move(self, build):
        model = build(gangs__recruits_per_gang_per_day=10.0, gangs__p_move_abroad_per_risk=1.0)
        for gang in list(model.gangs.table.agents):
            model.gangs.remove(gang, destroyed=False)
        model.gangs.table["risk"] = 1.0
        model.gangs.adapt()
        assert model.tally.values["recruits"] == 0, "expected no recruit for a gang gone"
        assert model.tally.values["gangs_moved_abroad"] == 0, "expected no move for a gang gone"


# ================================================================================ police
class TestPolice:
    def test_investigation_works_the_queue_up_to_capacity(self, build):
        model = build(police__investigation_capacity_national_per_day=3 * TINY_RUN.scale)
        unit = model.police.investigation
        rows = start_scams(model, n=10)
        model.scams.scams["next_pay_hour"][rows] = 0.0
        model.gangs.table["mule_accounts"] = 100
        model.scams.take_payments()
        unit.queue.extend(range(len(model.scams.cases)))
        unit.act()
        assert model.tally.values["cases_investigated"] == 3, "expected capacity to bind"
        assert len(unit.queue) == len(model.scams.cases) - 3, "expected the rest still queued"

    def test_certain_repatriation_takes_every_member_abroad(self, model):
        abroad = model.gangs.table["overseas"]
        members = int(model.gangs.table["n_members"][abroad].sum())
        assert members > 0, "expected gangs abroad at this seed"
        with_policy(model, repatriation_per_day=np.ones(len(COUNTRIES)))
        model.police.cross_border.act()
        assert model.tally.values["arrests_repatriation"] == members, (
            "expected every member abroad repatriated"
        )

    def test_warnings_go_to_detected_scams_first_up_to_capacity(self, build):
        model = build(police__early_warning_capacity_national_per_day=4 * TINY_RUN.scale)
        start_scams(model, n=10)
        with_policy(model, p_detect_gain=1.0)
        model.police.anti_fraud_centre.act()
        assert model.tally.values["early_warnings"] == 4, "expected capacity to bind"


# ================================================================================ registries
def test_an_undeclared_stream_is_refused_with_the_nearest_name():
    with pytest.raises(KeyError, match="did you mean 'contact'"):
        RandomStreams(1)["contakt"]
    assert RandomStreams(1)[Stream.CONTACT] is not None, "expected a declared stream"


def test_agent_table_keeps_a_removed_agents_numbers():
    class Numbers(AgentTable):
        COLUMNS = {"unique_id": (np.int64, 0), "x": (np.float64, 0)}

    @dataclasses.dataclass
    class Agent:
        unique_id: int

    table = Numbers()
    agents = [Agent(i) for i in range(3)]
    for agent in agents:
        table.add(agent)
    table["x"] = [1.0, 2.0, 3.0]
    table.request_removal(agents[1])
    assert len(table) == 3, "expected the row kept until drop_removed"
    assert table.drop_removed() == [agents[1]], "expected the marked agent returned"
    assert table["x"].tolist() == [1.0, 3.0]
    assert table.agents == [agents[0], agents[2]]
    assert agents[1]._table._data["x"][0] == 2.0, "expected the removed agent's numbers kept"
    assert agents[2]._row == 1, "expected later agents to follow their rows"
