"""The figures' content: what is drawn, labelled and marked, on synthetic tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from synthetic_tables import START, daily_frame, long_frame, paired_frame

from analysis import effects, plots, summaries
from simulation.errors import FraudsimError


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
    fig = Figure()
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
    table = effects.compare_policies(frame, "ref")
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
    table = effects.seeds_enough(frame, "ref", effects=["cases_averted"])
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
