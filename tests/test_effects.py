"""Paired effects, bootstrap intervals, police effort and displacement on synthetic tables.

Each frame is built so that the expected effect can be worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from synthetic_tables import START, daily_frame, long_frame, paired_frame

from analysis import bootstrap, effects, effort, pairs
from analysis.displacement import displacement
from simulation.errors import FraudsimError


def test_a_paired_difference_of_known_size_is_recovered_exactly():
    frame = paired_frame(dict.fromkeys(range(5), 2.0))
    table = effects.compare_policies(frame, "ref", seed=1).set_index("effect")
    cases = table.loc["cases_averted"]
    assert cases["mean"] == pytest.approx(40.0), "2 cases a day for 20 days, every seed"
    assert cases["ci_low"] <= 40.0 <= cases["ci_high"], "the interval contains the effect"
    assert cases["ci_high"] - cases["ci_low"] == pytest.approx(0.0), "no spread over seeds"
    assert cases["n_seeds"] == 5
    reference_cases = 20 * np.mean([10.0 + s for s in range(5)])
    assert cases["reference_mean"] == pytest.approx(reference_cases)
    assert cases["relative"] == pytest.approx(40.0 / reference_cases)
    gross = table.loc["losses_averted_gross_yuan"]
    assert gross["mean"] == pytest.approx(20 * 200.0)
    net = table.loc["losses_averted_net_yuan"]
    assert net["mean"] == pytest.approx(20 * 250.0), "net of the 50 yuan a day recovered"
    extra = table.loc["extra_effort_hours"]
    assert extra["mean"] == pytest.approx(100.0)
    per_hour = table.loc["cases_averted_per_1000_officer_hours"]
    assert per_hour["mean"] == pytest.approx(1000.0 * 40.0 / 100.0)


def test_bootstrap_interval_contains_the_mean_and_is_reproducible():
    frame = paired_frame({0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0})  # averted 20, 40, 60, 80
    first = effects.compare_policies(frame, "ref", seed=7).set_index("effect")
    again = effects.compare_policies(frame, "ref", seed=7).set_index("effect")
    cases = first.loc["cases_averted"]
    assert cases["mean"] == pytest.approx(50.0)
    assert 20.0 <= cases["ci_low"] < 50.0 < cases["ci_high"] <= 80.0, cases.to_dict()
    pd.testing.assert_frame_equal(first, again)
    mean, low, high = bootstrap.bootstrap_ci([20.0, 40.0, 60.0, 80.0], seed=3)
    assert mean == 50.0
    assert 20.0 <= low < 50.0 < high <= 80.0
    assert np.isnan(bootstrap.bootstrap_ci([5.0], seed=0)[1]), "one seed gives no interval"
    with pytest.raises(FraudsimError, match="level"):
        bootstrap.bootstrap_ci([1.0, 2.0], seed=0, level=1.5)


def test_intervals_are_scipy_percentile_intervals_of_the_same_draws():
    values = np.array([20.0, 40.0, 60.0, 80.0, 10.0])
    _, low, high = bootstrap.bootstrap_ci(values, seed=11, n_boot=500, level=0.9)
    expected = scipy.stats.bootstrap(
        (values,),
        np.mean,
        n_resamples=500,
        confidence_level=0.9,
        method="percentile",
        rng=np.random.default_rng(11),
    ).confidence_interval
    assert (low, high) == (expected.low, expected.high)


def test_ratio_intervals_leave_out_resamples_where_the_ratio_is_undefined():
    samples = np.array([np.nan, 1.0, 2.0, 3.0, np.inf])
    assert bootstrap.percentile_interval(samples, 0.5) == pytest.approx((1.5, 2.5))
    assert np.isnan(bootstrap.percentile_interval(np.array([np.nan]), 0.9)).all()


def test_pairs_are_matched_by_seed_not_by_order():
    frame = paired_frame({0: 1.0, 1: 1.0, 2: 1.0})
    shuffled = frame.sample(frac=1.0, random_state=np.random.RandomState(0))
    table = pairs.paired_runs(shuffled, "ref")
    assert table["cases_averted"].tolist() == [20.0, 20.0, 20.0]


def test_no_extra_effort_is_said_clearly():
    frame = paired_frame(dict.fromkeys(range(3), 1.0), effort_per_day=0.0)
    table = effects.compare_policies(frame, "ref").set_index("effect")
    row = table.loc["cases_averted_per_1000_officer_hours"]
    assert np.isnan(row["mean"])
    assert "no extra police effort" in row["note"], row["note"]


def test_compare_refuses_an_unknown_reference():
    frame = paired_frame({0: 1.0, 1: 1.0})
    with pytest.raises(FraudsimError, match="'reference'"):
        effects.compare_policies(frame, "nope")


def test_seeds_enough_table_has_one_row_per_number_of_seeds():
    frame = paired_frame({0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0})
    table = effects.seeds_enough(frame, "ref", effects=["cases_averted"], seed=0)
    assert table["n_seeds"].tolist() == [1, 2, 3, 4]
    assert np.isnan(table["ci_width"].iloc[0]), "one seed: no interval"
    assert (table["ci_width"].iloc[1:] >= 0).all()
    assert table["mean"].tolist() == pytest.approx([20.0, 30.0, 40.0, 50.0])


def test_effort_by_lever_is_the_extra_over_the_reference():
    frame = paired_frame({0: 1.0, 1: 1.0}, effort_per_day=3.0)
    extra = effort.effort_by_lever(frame, "ref")
    assert extra["lever"].tolist() == ["card_crackdown"]
    assert extra["extra_hours"].tolist() == [60.0]


def test_displacement_of_fraud_type_shares():
    split = START + pd.Timedelta(days=10)
    even = {"x": 0.5, "y": 0.5}
    by_type = long_frame(
        {
            "ref": dict.fromkeys(range(3), (even, even)),
            "pol": {s: (even, {"x": 0.8, "y": 0.2}) for s in range(3)},
        },
        "fraud_type",
        split=split,
    )
    table = displacement("ref", {"pol": split}, by_type=by_type, seed=0)
    rows = table.set_index("category")
    assert rows.loc["x", "before"] == pytest.approx(0.5)
    assert rows.loc["x", "after"] == pytest.approx(0.8)
    assert rows.loc["x", "displacement"] == pytest.approx(0.3)
    assert rows.loc["y", "displacement"] == pytest.approx(-0.3)
    assert rows.loc["x", "ci_low"] == pytest.approx(0.3) == rows.loc["x", "ci_high"]
    assert (rows["dimension"] == "fraud_type").all()
    assert rows["n_seeds"].eq(3).all()


def test_displacement_abroad_weights_days_by_contacts():
    split = START + pd.Timedelta(days=10)
    day = np.arange(20)
    after = day >= 10
    ref = {s: {"contacts": 100.0, "overseas_share": 0.2} for s in range(2)}
    # After the split the policy has 0.5 abroad on days with 300 contacts and 0.0 on days with
    # 100: contact-weighted share 0.375 (a plain mean of days would say 0.25).
    pol = {
        s: {
            "contacts": np.where(after & (day % 2 == 0), 300.0, 100.0),
            "overseas_share": np.where(after, np.where(day % 2 == 0, 0.5, 0.0), 0.2),
        }
        for s in range(2)
    }
    daily = daily_frame({"ref": ref, "pol": pol}, n_days=20)
    row = displacement("ref", {"pol": split}, daily=daily).iloc[0]
    assert row["dimension"] == "overseas"
    assert row["after"] == pytest.approx(0.375)
    assert row["displacement"] == pytest.approx(0.375 - 0.2)


def test_displacement_when_the_policy_acts_from_the_first_day():
    even, tilted = {"x": 0.5, "y": 0.5}, {"x": 0.7, "y": 0.3}
    by_type = long_frame(
        {
            "ref": {0: (even, even), 1: (even, even)},
            "pol": {0: (tilted, tilted), 1: (tilted, tilted)},
        },
        "fraud_type",
        split=START,
    )
    table = displacement("ref", START, by_type=by_type).set_index("category")
    assert table.loc["x", "displacement"] == pytest.approx(0.2), "level difference over the period"
    assert "first reported day" in table.loc["x", "note"]
