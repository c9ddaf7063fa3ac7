"""Analysis on small synthetic tables with known answers, the figures' content, and the
``compare`` and ``plot`` commands end to end at a tiny scale.

The synthetic frames follow the tidy sweep contract (``run_id, scenario, seed``, parameters,
``date``, contract columns in model units), so every expected number can be worked out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from analysis import compare, plots, report, summaries
from experiments.cli import build_parser
from simulation.errors import FraudsimError

ROOT = Path(__file__).resolve().parents[1]
START = pd.Timestamp("2021-01-01")


# --- synthetic tables -------------------------------------------------------------------------


def daily_frame(
    values: dict[str, dict[int, dict[str, np.ndarray | float]]],
    *,
    n_days: int = 20,
    start: pd.Timestamp = START,
    params: dict[str, object] | None = None,
) -> pd.DataFrame:
    """A tidy daily frame: ``values[scenario][seed][column]`` is a per-day array or a constant.

    Columns not given are zero (prices 10 yuan, shares 0), so the frame is a full daily table.
    """
    dates = pd.date_range(start, periods=n_days, freq="D")
    frames = []
    for scenario, by_seed in values.items():
        for seed, columns in by_seed.items():
            frame = pd.DataFrame({"date": dates})
            for name in summaries.DAILY_COLUMNS:
                if name == "date":
                    continue
                frame[name] = 10.0 if name.endswith("price_yuan") else 0.0
            for name, value in columns.items():
                frame[name] = np.broadcast_to(np.asarray(value, dtype=float), n_days).copy()
            frame.insert(0, "seed", seed)
            for position, (key, value) in enumerate((params or {}).items()):
                frame.insert(1 + position, key, value)
            frame.insert(0, "scenario", scenario)
            frame.insert(0, "run_id", f"{scenario}-{seed}")
            frames.append(frame)
    return pd.DataFrame(pd.concat(frames, ignore_index=True))


def long_frame(
    shares: dict[str, dict[int, tuple[dict[str, float], dict[str, float]]]],
    category: str,
    *,
    split: pd.Timestamp,
    n_days: int = 20,
    total: float = 100.0,
) -> pd.DataFrame:
    """A tidy long table: per scenario and seed, category shares before and after ``split``."""
    dates = pd.date_range(START, periods=n_days, freq="D")
    rows = []
    for scenario, by_seed in shares.items():
        for seed, (before, after) in by_seed.items():
            for date in dates:
                mix = before if date < split else after
                for name, share in mix.items():
                    rows.append(
                        {
                            "run_id": f"{scenario}-{seed}",
                            "scenario": scenario,
                            "seed": seed,
                            "date": date,
                            category: name,
                            "contacts": share * total,
                            "cases": share * total,
                        }
                    )
    return pd.DataFrame(rows)


def manifest_for(levers: dict[str, list[dict]], *, scale: float = 1000.0) -> dict:
    """A sweep manifest as ``sweep.json`` writes it (resolved scenarios as TOML text)."""
    scenarios = []
    for name, lever_list in levers.items():
        toml = [f'name = "{name}"', "", "[run]", f"scale = {scale}"]
        toml += ["population_national = 1_410_000_000", ""]
        for lever in lever_list:
            toml += ["[[levers]]", f'type = "{lever["type"]}"', f"start = {lever['start']}"]
            toml += [f"intensity = {lever.get('intensity', 1.0)}"]
            if "name" in lever:
                toml += [f'name = "{lever["name"]}"']
        scenarios.append(
            {
                "name": name,
                "scale": scale,
                "population_national": 1_410_000_000,
                "n_residents": round(1_410_000_000 / scale),
                "toml": "\n".join(toml) + "\n",
            }
        )
    return {"name": "synthetic", "scenarios": scenarios, "seeds": [0, 1, 2]}


# --- summaries ----------------------------------------------------------------------------------


def test_column_kinds_follow_the_contract():
    assert summaries.column_kind("cases") == "flow"
    assert summaries.column_kind("effort_card_crackdown_hours") == "flow"
    for state in ("card_price_yuan", "overseas_share", "gangs_active", "mean_awareness"):
        assert summaries.column_kind(state) == "state", f"{state} is an end-of-day level"
    with pytest.raises(KeyError):
        summaries.column_kind("not_a_column")


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
    assert summaries.parameter_columns(frame) == ["police.p"]
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
    assert summaries.residents_by_scenario(manifest) == {"a": 282_000, "b": 282_000}
    assert summaries.scales_by_scenario(manifest) == {"a": 5000.0, "b": 5000.0}
    manifest["runs"] = [{"run_id": "r1", "scale": 2000.0, "population_national": 1_000_000}]
    assert summaries.scales_by_run(manifest) == {"r1": 2000.0}
    assert summaries.residents_by_run(manifest) == {"r1": 500}


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
    starts = summaries.lever_starts(manifest)
    assert starts["ref"] == []
    assert starts["pol"] == [
        ("card_crackdown", pd.Timestamp("2021-01-10")),
        ("campaign", pd.Timestamp("2021-02-01")),
    ]
    assert summaries.policy_starts(manifest) == {"ref": None, "pol": pd.Timestamp("2021-01-10")}


# --- comparison ---------------------------------------------------------------------------------


def paired_frame(averted_per_day: dict[int, float], *, effort_per_day: float = 5.0):
    """Reference with seed-specific case levels; the policy has ``averted`` fewer cases a day."""
    ref = {s: {"cases": 10.0 + s, "loss_yuan": 1000.0} for s in averted_per_day}
    pol = {
        s: {
            "cases": 10.0 + s - d,
            "loss_yuan": 800.0,
            "recovered_yuan": 50.0,
            "effort_card_crackdown_hours": effort_per_day,
        }
        for s, d in averted_per_day.items()
    }
    return daily_frame({"ref": ref, "pol": pol}, n_days=20)


def test_a_paired_difference_of_known_size_is_recovered_exactly():
    frame = paired_frame(dict.fromkeys(range(5), 2.0))
    table = compare.compare_policies(frame, "ref", seed=1).set_index("effect")
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
    effort = table.loc["extra_effort_hours"]
    assert effort["mean"] == pytest.approx(100.0)
    per_hour = table.loc["cases_averted_per_1000_officer_hours"]
    assert per_hour["mean"] == pytest.approx(1000.0 * 40.0 / 100.0)


def test_bootstrap_interval_contains_the_mean_and_is_reproducible():
    frame = paired_frame({0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0})  # averted 20, 40, 60, 80
    first = compare.compare_policies(frame, "ref", seed=7).set_index("effect")
    again = compare.compare_policies(frame, "ref", seed=7).set_index("effect")
    cases = first.loc["cases_averted"]
    assert cases["mean"] == pytest.approx(50.0)
    assert 20.0 <= cases["ci_low"] < 50.0 < cases["ci_high"] <= 80.0, cases.to_dict()
    pd.testing.assert_frame_equal(first, again)
    mean, low, high = compare.bootstrap_ci([20.0, 40.0, 60.0, 80.0], seed=3)
    assert mean == 50.0
    assert 20.0 <= low < 50.0 < high <= 80.0
    assert np.isnan(compare.bootstrap_ci([5.0], seed=0)[1]), "one seed gives no interval"
    with pytest.raises(FraudsimError, match="level"):
        compare.bootstrap_ci([1.0, 2.0], seed=0, level=1.5)


def test_pairs_are_matched_by_seed_not_by_order():
    frame = paired_frame({0: 1.0, 1: 1.0, 2: 1.0})
    shuffled = frame.sample(frac=1.0, random_state=np.random.RandomState(0))
    pairs = compare.paired_runs(shuffled, "ref")
    assert pairs["cases_averted"].tolist() == [20.0, 20.0, 20.0]


def test_no_extra_effort_is_said_clearly():
    frame = paired_frame(dict.fromkeys(range(3), 1.0), effort_per_day=0.0)
    table = compare.compare_policies(frame, "ref").set_index("effect")
    row = table.loc["cases_averted_per_1000_officer_hours"]
    assert np.isnan(row["mean"])
    assert "no extra police effort" in row["note"], row["note"]


def test_compare_refuses_an_unknown_reference():
    frame = paired_frame({0: 1.0, 1: 1.0})
    with pytest.raises(FraudsimError, match="'reference'"):
        compare.compare_policies(frame, "nope")


def test_seeds_enough_table_has_one_row_per_number_of_seeds():
    frame = paired_frame({0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0})
    table = compare.seeds_enough(frame, "ref", effects=["cases_averted"], seed=0)
    assert table["n_seeds"].tolist() == [1, 2, 3, 4]
    assert np.isnan(table["ci_width"].iloc[0]), "one seed: no interval"
    assert (table["ci_width"].iloc[1:] >= 0).all()
    assert table["mean"].tolist() == pytest.approx([20.0, 30.0, 40.0, 50.0])


def test_effort_by_lever_is_the_extra_over_the_reference():
    frame = paired_frame({0: 1.0, 1: 1.0}, effort_per_day=3.0)
    effort = compare.effort_by_lever(frame, "ref")
    assert effort["lever"].tolist() == ["card_crackdown"]
    assert effort["extra_hours"].tolist() == [60.0]


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
    table = compare.displacement("ref", {"pol": split}, by_type=by_type, seed=0)
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
    row = compare.displacement("ref", {"pol": split}, daily=daily).iloc[0]
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
    table = compare.displacement("ref", START, by_type=by_type).set_index("category")
    assert table.loc["x", "displacement"] == pytest.approx(0.2), "level difference over the period"
    assert "first reported day" in table.loc["x", "note"]


# --- plots --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bands():
    values = {
        name: {s: {"cases": base + s, "card_price_yuan": 20.0 + s} for s in range(3)}
        for name, base in (("ref", 10.0), ("pol", 5.0))
    }
    frame = summaries.national(daily_frame(values, n_days=40), 1000.0)
    return summaries.seed_bands(frame, ["cases", "card_price_yuan", "overseas_share"])


def lever_lines(ax):
    return [line for line in ax.get_lines() if line.get_gid() == "lever-start"]


def test_outcome_curves_show_bands_legend_units_and_lever_starts(bands):
    starts = {
        "pol": [
            ("card crackdown", pd.Timestamp("2021-01-15")),
            ("before the period", pd.Timestamp("2020-06-01")),
        ],
        "ref": [],
    }
    fig = plots.plot_outcome_curves(bands, "cases", lever_starts=starts)
    ax = fig.axes[0]
    curves = [line for line in ax.get_lines() if line.get_gid() != "lever-start"]
    assert len(curves) == 2, "one median line per scenario"
    bands_drawn = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands_drawn) == 2, "one shaded band per scenario"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ref", "pol"]
    assert ax.get_ylabel() == "cases per day (national equivalent)"
    assert ax.get_xlabel() == "date"
    vlines = lever_lines(ax)
    assert len(vlines) == 1, "levers started before the period are not drawn"
    where = mdates.date2num(vlines[0].get_xdata()[0])
    assert where == pytest.approx(mdates.date2num(pd.Timestamp("2021-01-15")))
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "lever-label"]
    assert labels == ["card crackdown (2021-01-15)"]
    styles = {(line.get_color(), str(line.get_linestyle())) for line in curves}
    assert len(styles) == 2, "scenarios differ in colour and line style (greyscale)"


def test_outcome_curves_refuse_an_unknown_quantity(bands):
    with pytest.raises(FraudsimError, match="quantity"):
        plots.plot_outcome_curves(bands, "nope")


def test_outcome_curves_draw_on_a_given_axes(bands):
    fig = plots.Figure()
    ax = fig.add_subplot()
    assert plots.plot_outcome_curves(bands, "card_price_yuan", ax=ax) is fig
    assert ax.get_ylabel() == "card price (yuan per card)"


def test_quantities_of_one_scenario_share_an_axis_in_their_unit():
    values = {"a": {s: {"stopped_yuan": 1.0 + s, "crypto_yuan": 2.0 + s} for s in range(3)}}
    month = summaries.national(summaries.monthly(daily_frame(values, n_days=60)), 100.0)
    month_bands = summaries.seed_bands(month, ["stopped_yuan", "crypto_yuan"])
    ax = plots.plot_quantities(
        month_bands, ["stopped_yuan", "crypto_yuan"], scenario="a", labels={"crypto_yuan": "crypto"}
    ).axes[0]
    assert len(ax.get_lines()) == 2
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["stopped", "crypto"]
    assert ax.get_ylabel() == "yuan per month (national equivalent)"
    assert ax.get_xlabel() == "month"


def test_forest_plot_sorts_by_effect_and_labels_units():
    frame = daily_frame(
        {
            "ref": {s: {"cases": 10.0} for s in range(3)},
            "small": {s: {"cases": 9.0 - 0.1 * s} for s in range(3)},
            "large": {s: {"cases": 5.0 - 0.1 * s} for s in range(3)},
        },
        n_days=10,
    )
    table = compare.compare_policies(frame, "ref")
    fig = plots.plot_comparison(table, "cases_averted")
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["small", "large"], "sorted by effect, largest at the top"
    assert "cases averted" in ax.get_xlabel()
    assert "(cases" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["large", "small"]
    zero = [line for line in ax.get_lines() if list(line.get_xdata()) == [0.0, 0.0]]
    assert zero, "a vertical line marks zero effect"


def test_type_mix_is_stacked_shares_of_every_type():
    split = START + pd.Timedelta(days=40)
    by_type = long_frame(
        {"a": {0: ({"x": 0.2, "y": 0.3, "z": 0.5}, {"x": 0.6, "y": 0.2, "z": 0.2})}},
        "fraud_type",
        split=split,
        n_days=120,
    )
    fig = plots.plot_type_mix(by_type, scenario="a")
    ax = fig.axes[0]
    assert len(ax.collections) == 3, "one area per fraud type"
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["x", "y", "z"]
    assert ax.get_ylim() == (0.0, 1.0)
    assert "share of cases" in ax.get_ylabel()
    hatches = {c.get_hatch() for c in ax.collections}
    assert len(hatches) == 3, "areas differ by hatch too (greyscale)"


def test_market_and_abroad_panels(bands):
    fig = plots.plot_market_and_abroad(
        bands.assign(quantity=bands["quantity"].replace({"cases": "phone_card_price_yuan"}))
    )
    assert len(fig.axes) == 3
    assert fig.axes[0].get_legend() is not None, "one legend, on the top panel"
    assert fig.axes[1].get_legend() is None
    assert fig.axes[2].get_ylabel().startswith("overseas share")


def test_seeds_enough_plot_has_one_line_per_scenario():
    frame = paired_frame({0: 1.0, 1: 2.0, 2: 3.0})
    table = compare.seeds_enough(frame, "ref", effects=["cases_averted"])
    ax = plots.plot_seeds_enough(table, "cases_averted").axes[0]
    assert len(ax.get_lines()) == 1
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert ax.get_xlabel().startswith("seeds")
    assert "cases" in ax.get_ylabel()


def test_calibration_plot_shows_model_bands_and_published_points():
    targets = pd.DataFrame(
        {
            "quantity": ["cases May 2021", "dissuaded Jan-May 2021"],
            "published": [84_600.0, 7_710_000.0],
            "model median": [70_000.0, 5_000_000.0],
            "p10": [60_000.0, 4_000_000.0],
            "p90": [90_000.0, 6_000_000.0],
        }
    )
    ax = plots.plot_calibration(targets).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(targets["quantity"])
    legend = sorted(t.get_text() for t in ax.get_legend().get_texts())
    assert legend == ["model: median, 10-90 % over seeds", "published"]
    assert ax.get_xscale() == "log", "values spanning two decades get a log axis"
    with pytest.raises(FraudsimError, match="published"):
        plots.plot_calibration(targets.drop(columns="published"))


# --- report -------------------------------------------------------------------------------------


def test_report_from_synthetic_tables(tmp_path):
    frame = paired_frame({0: 1.0, 1: 2.0, 2: 3.0})
    manifest = manifest_for(
        {"ref": [], "pol": [{"type": "card_crackdown", "start": "2021-01-05"}]}, scale=1000.0
    )
    split = pd.Timestamp("2021-01-05")
    by_type = long_frame(
        {
            "ref": {s: ({"x": 0.5, "y": 0.5}, {"x": 0.5, "y": 0.5}) for s in range(3)},
            "pol": {s: ({"x": 0.5, "y": 0.5}, {"x": 0.9, "y": 0.1}) for s in range(3)},
        },
        "fraud_type",
        split=split,
    )
    result = report.analyse(frame, manifest, by_type=by_type, reference="ref", n_boot=200)
    cases = result.comparison.set_index("effect").loc["cases_averted"]
    assert cases["mean"] == pytest.approx(1000.0 * 40.0), "national: 40 cases times scale 1000"
    path = report.write_report(result, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "data:image/png;base64," in text, "figures are embedded"
    assert "cases_averted" in text
    assert "pol (3 seeds) shows clearly fewer cases than ref" in text
    written = pd.read_csv(tmp_path / "comparison.csv")
    assert written.loc[written["effect"] == "cases_averted", "mean"].item() == pytest.approx(
        40_000.0
    )
    assert json.loads((tmp_path / "sweep.json").read_text())["name"] == "synthetic"
    figures = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert "curve_cases.png" in figures
    assert "comparison_cases_averted.png" in figures
    assert "type_mix_pol.png" in figures


def test_analysis_of_a_single_scenario_has_curves_but_no_comparison():
    frame = daily_frame({"only": {s: {"cases": 1.0 + s} for s in range(2)}}, n_days=40)
    result = report.analyse(frame, manifest_for({"only": []}), n_boot=50)
    assert result.comparison.empty
    assert report.reading(result) == []
    names = set(report.standard_figures(result))
    assert "curve_cases" in names
    assert not any(n.startswith("comparison") for n in names)


# --- the commands -------------------------------------------------------------------------------


def test_compare_and_plot_are_registered():
    help_text = build_parser().format_help()
    assert "compare" in help_text, help_text
    assert "plot" in help_text, help_text


TINY_POLICY = """\
extends = "{base}"
name = "tiny_crackdown"
description = "The broken card lever from the second week of a three-week run."

[[add_levers]]
type = "card_crackdown"
start = 2021-01-08
intensity = 1.0
"""


def compare_argv(policy: Path, out: Path) -> list[str]:
    """Two scenarios, two seeds, 1 agent = 40,000 people, three weeks: a few seconds."""
    tiny = ["--seeds", "2", "--scale", "40000", "--start", "2021-01-01", "--end", "2021-01-21",
            "--set", "run.burn_in_days=10", "--workers", "1", "--quiet"]  # fmt: skip
    base = str(ROOT / "scenarios" / "no_intervention.toml")
    return ["compare", base, str(policy), *tiny, "--out", str(out)]


@pytest.fixture(scope="module")
def compared(tmp_path_factory, call):
    directory = tmp_path_factory.mktemp("compare")
    policy = directory / "tiny_crackdown.toml"
    base = (ROOT / "scenarios" / "no_intervention.toml").as_posix()
    policy.write_text(TINY_POLICY.format(base=base), encoding="utf-8")
    out = directory / "out"
    return (*call(compare_argv(policy, out)), out)


def test_compare_end_to_end(compared):
    code, stdout, stderr, out = compared
    assert code == 0, f"compare failed:\n{stderr}"
    assert (out / "report.html").is_file()
    assert (out / "sweep" / "sweep.json").is_file()
    assert (out / "sweep.json").is_file(), "a copy of the sweep manifest beside the report"
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"tiny_crackdown"}
    assert set(table["reference"]) == {"no_intervention"}
    assert table["n_seeds"].eq(2).all(), "two seeds, paired"
    assert set(table["effect"]) == set(compare.EFFECTS)
    assert (out / "figures" / "curve_cases.png").is_file()
    assert "tiny_crackdown (2 seeds)" in stdout, stdout


def test_compare_rerun_reuses_finished_runs(compared, call):
    _, _, _, out = compared
    before = {p.name: p.stat().st_mtime_ns for p in (out / "sweep" / "daily").iterdir()}
    code, _, stderr = call(compare_argv(out.parent / "tiny_crackdown.toml", out))
    assert code == 0, stderr
    after = {p.name: p.stat().st_mtime_ns for p in (out / "sweep" / "daily").iterdir()}
    assert before == after, "finished runs are not run again"


def test_plot_draws_the_standard_figures(compared, call):
    _, _, _, out = compared
    code, stdout, stderr = call(["plot", str(out)])
    assert code == 0, stderr
    names = {Path(line).name for line in stdout.split()}
    assert {"curve_cases.png", "comparison_cases_averted.png", "market_and_abroad.png"} <= names


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "scenarios/no_intervention.toml"], "at least two"),
        (["compare", "scenarios/no_intervention.toml", "missing.toml"], "not found"),
        (
            [
                "compare",
                "scenarios/no_intervention.toml",
                "scenarios/warnings.toml",
                "--reference",
                "nope",
            ],
            "--reference",
        ),
        (["compare", "a.toml", "b.toml", "--seeds", "0"], "--seeds"),
        (["plot", "does/not/exist"], "not a directory"),
    ],
)
def test_user_mistakes_exit_2_with_a_message(argv, message, monkeypatch, tmp_path, call):
    monkeypatch.chdir(ROOT)
    code, _, stderr = call(
        [*argv, *(["--out", str(tmp_path / "o")] if argv[0] == "compare" else [])]
    )
    assert code == 2, stderr
    assert message in stderr, stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "o").exists(), "a refused comparison leaves no directory"
