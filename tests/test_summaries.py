"""Summaries over seeds, the tidy frame's columns and what a manifest says, on synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_tables import daily_frame, long_frame, manifest_for

from analysis import columns, manifests, summaries
from simulation.errors import FraudsimError


def test_column_kinds_follow_the_contract():
    assert columns.column_kind("cases") == "flow"
    assert columns.column_kind("effort_card_crackdown_hours") == "flow"
    for state in ("card_price_yuan", "overseas_share", "gangs_active", "mean_awareness"):
        assert columns.column_kind(state) == "state", f"{state} is an end-of-day level"
    with pytest.raises(KeyError):
        columns.column_kind("not_a_column")


def test_seed_bands_have_the_known_median_and_width():
    # 11 seeds with cases 0, 1, ..., 10 every day: median 5, p10 = 1, p90 = 9 (width 8).
    frame = daily_frame({"a": {s: {"cases": float(s)} for s in range(11)}}, n_days=3)
    bands = summaries.seed_bands(frame, ["cases"])
    assert len(bands) == 3, f"one row per date expected, got {len(bands)}"
    assert bands["n_seeds"].eq(11).all()
    assert np.allclose(bands["median"], 5.0), bands["median"].tolist()
    assert np.allclose(bands["p10"], 1.0), bands["p10"].tolist()
    assert np.allclose(bands["p90"], 9.0), bands["p90"].tolist()
    assert np.allclose(bands["p90"] - bands["p10"], 8.0)


def test_seed_bands_keep_parameters_as_groups_and_refuse_bad_quantiles():
    frame = daily_frame({"a": {0: {"cases": 1.0}, 1: {"cases": 3.0}}}, params={"police.p": 0.5})
    bands = summaries.seed_bands(frame, ["cases"])
    assert "police.p" in bands.columns
    assert bands["police.p"].eq(0.5).all()
    assert columns.parameter_columns(frame) == ["police.p"]
    with pytest.raises(FraudsimError, match="low"):
        summaries.seed_bands(frame, ["cases"], low=0.9, high=0.1)
    with pytest.raises(FraudsimError, match="value columns"):
        summaries.seed_bands(frame, ["police.p"])


def test_monthly_sums_flows_averages_states_and_counts_days():
    # 30 Jan to 2 Feb: two days in January, two in February.
    frame = daily_frame(
        {"a": {0: {"cases": 1.0, "card_price_yuan": [10.0, 20.0, 30.0, 50.0]}}},
        n_days=4,
        start=pd.Timestamp("2021-01-30"),
    )
    month = summaries.monthly(frame)
    assert list(month["date"]) == [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-01")]
    assert month["n_days"].tolist() == [2, 2]
    assert month["cases"].tolist() == [2.0, 2.0], "flows are summed over the month's days"
    assert month["card_price_yuan"].tolist() == [15.0, 40.0], "states are averaged"
    assert month.attrs["freq"] == "month"


def test_monthly_counts_days_once_in_long_tables():
    split = pd.Timestamp("2099-01-01")
    table = long_frame(
        {"a": {0: ({"x": 0.25, "y": 0.75}, {"x": 0.25, "y": 0.75})}}, "fraud_type", split=split
    )
    month = summaries.monthly(table)
    assert month["n_days"].eq(20).all(), "two categories per day must not double the days"
    assert month.set_index("fraud_type")["cases"].to_dict() == {"x": 500.0, "y": 1500.0}


def test_case_rate_per_100k_residents():
    frame = daily_frame({"a": {0: {"cases": 1.0}}, "b": {0: {"cases": 2.0}}}, n_days=10)
    month = summaries.add_case_rate(summaries.monthly(frame), {"a": 1000, "b": 4000})
    rates = month.set_index("scenario")["case_rate_per_100k"]
    assert rates["a"] == pytest.approx(10 / 1000 * 1e5), "10 cases in 1,000 residents"
    assert rates["b"] == pytest.approx(20 / 4000 * 1e5)
    with pytest.raises(FraudsimError, match="every scenario"):
        summaries.add_case_rate(month, {"a": 1000})


def test_residents_and_scales_from_a_sweep_manifest():
    manifest = manifest_for({"a": [], "b": []}, scale=5000.0)
    assert manifests.residents_by_scenario(manifest) == {"a": 282_000, "b": 282_000}
    assert manifests.scales_by_scenario(manifest) == {"a": 5000.0, "b": 5000.0}
    manifest["runs"] = [{"run_id": "r1", "scale": 2000.0, "population_national": 1_000_000}]
    assert manifests.scales_by_run(manifest) == {"r1": 2000.0}
    assert manifests.residents_by_run(manifest) == {"r1": 500}


def test_national_scales_counts_only_and_per_scenario():
    frame = daily_frame(
        {"a": {0: {"cases": 2.0, "overseas_share": 0.4}}, "b": {3: {"cases": 2.0}}},
        n_days=2,
        params={"police.p_dissuade": 0.5},
    )
    out = summaries.national(frame, {"a": 10.0, "b": 100.0})
    by = out.set_index("scenario")
    assert by.loc["a", "cases"].tolist() == [20.0, 20.0]
    assert by.loc["b", "cases"].tolist() == [200.0, 200.0]
    assert by.loc["a", "overseas_share"].tolist() == [0.4, 0.4], "shares do not scale"
    assert by.loc["a", "card_price_yuan"].tolist() == [10.0, 10.0], "prices do not scale"
    assert out["seed"].tolist() == frame["seed"].tolist(), "seeds are not multiplied"
    assert out["police.p_dissuade"].eq(0.5).all(), "parameter values are not multiplied"
    assert out.attrs["units"] == "national"
    with pytest.raises(ValueError, match="already"):
        summaries.national(out, 10.0)


def test_lever_starts_skip_zero_intensity_levers():
    manifest = manifest_for(
        {
            "ref": [],
            "pol": [
                {"type": "publicity", "start": "2021-02-01", "name": "campaign"},
                {"type": "card_crackdown", "start": "2021-01-10"},
                {"type": "repatriation", "start": "2020-06-01", "intensity": 0.0},
            ],
        }
    )
    starts = manifests.lever_starts(manifest)
    assert starts["ref"] == []
    assert starts["pol"] == [
        ("card_crackdown", pd.Timestamp("2021-01-10")),
        ("campaign", pd.Timestamp("2021-02-01")),
    ]
    assert manifests.policy_starts(manifest) == {"ref": None, "pol": pd.Timestamp("2021-01-10")}
