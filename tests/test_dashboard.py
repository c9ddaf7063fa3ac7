"""The dashboard without a browser: the paired runs, the inputs, the charts and the page's
component tree as Solara renders it, and the command's messages.

The browser test (tests/test_browser.py) opens the served page in Chromium; these check the
parts one by one, quickly, and the path SolaraViz takes on *Reset* (it builds the model again
with the inputs' values and a ``scenario`` of Mesa's own).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ipyvuetify as v
import pandas as pd
import pytest
import solara
from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

from experiments.dashboard import app, charts, command, server
from experiments.dashboard.controls import (
    UNCERTAIN_PARAMETERS,
    DashboardSetup,
    initial_kwargs,
    model_params,
)
from experiments.dashboard.paired import NO_MEASURES, PairedModel, to_override_value
from simulation.errors import FraudsimError, ScenarioNote
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "data" / "dashboard" / "interception.toml"
COARSE = 5000  # people per agent: the pair builds and runs a fortnight in about a second
#: The scenario's own scale: about thirty gangs, enough for interception's effect to show
#: within a fortnight whatever the seed (at COARSE a handful of gangs make it a coin toss).
EFFECT_SCALE = 2000


@pytest.fixture(scope="module")
def config():
    return load_scenario(SCENARIO)


def stepped(config, days: int = 14, **kwargs) -> PairedModel:
    model = PairedModel(config, rng=kwargs.pop("rng", 0), run__scale=COARSE, **kwargs)
    for _ in range(days):
        model.step()
    return model


# --- the paired runs ------------------------------------------------------------------------


def test_with_every_lever_at_zero_the_two_runs_are_the_same_draw_for_draw(config):
    model = stepped(config, levers__0__intensity=0.0)
    daily = model.daily().drop(columns="scenario")
    policy = daily.iloc[: model.days].reset_index(drop=True)
    reference = daily.iloc[model.days :].reset_index(drop=True)
    pd.testing.assert_frame_equal(policy, reference, obj="policy run against reference run")
    totals = model.totals()
    assert totals.cases_averted == 0.0, "nothing averted without a lever"
    assert totals.days == 14, "fourteen reported days"
    assert totals.reference_cases > 0, "the reference has cases to avert"


def test_the_burn_in_is_run_before_the_first_step(config):
    model = PairedModel(config, rng=0, run__scale=COARSE)
    assert model.days == 0, "no reported day yet"
    assert model.today is None
    assert model.policy.day_index == 0 == model.reference.day_index, "both runs at run.start"
    assert model.daily().empty, "nothing collected during the burn-in"
    model.step()
    assert model.today == config.run.start, "the first step is the first reported day"


def test_the_reference_has_no_levers_by_default_and_the_policy_the_chosen_ones(config):
    model = PairedModel(config, rng=3, run__scale=COARSE, levers__0__intensity=2.5)
    assert model.reference.config.levers == [], "the reference is the same without measures"
    assert model.policy.config.levers[0].intensity == 2.5
    assert model.seed == 3 == model.policy.seed == model.reference.seed, "paired: one seed"
    assert model.scale == COARSE == model.reference.scale


def test_a_reference_scenario_runs_over_the_policy_period_scale_and_parameters(config):
    other = load_scenario(ROOT / "scenarios" / "warnings.toml")
    with pytest.warns(ScenarioNote, match="after the run ends on 2021-03-31; it is left out"):
        model = PairedModel(
            config,
            rng=0,
            reference="warnings",
            references={"warnings": other},
            run__scale=COARSE,
            police__p_crack_domestic=0.5,
        )
    assert model.reference.config.run == model.policy.config.run, "same period and scale"
    assert model.reference.config.police.p_crack_domestic == 0.5, "same parameter values"
    within = [lv.type for lv in other.levers if lv.start <= config.run.end]
    assert [lv.type for lv in model.reference.config.levers] == within, (
        "the reference keeps its own levers (those the period reaches)"
    )
    assert model.labels == ("interception_only", "warnings")


def test_an_unknown_reference_is_refused_with_the_choices(config):
    with pytest.raises(FraudsimError, match="the reference must be one of") as caught:
        PairedModel(config, rng=0, reference="nope", run__scale=COARSE)
    assert NO_MEASURES in str(caught.value), "the message lists what is allowed"


def test_a_lever_start_given_as_text_becomes_a_date(config):
    assert to_override_value("levers.0.start", "2021-02-01").isoformat() == "2021-02-01"
    assert to_override_value("levers.0.intensity", 2.0) == 2.0, "other values pass unchanged"
    with pytest.raises(FraudsimError, match=r"levers.0.start must be a date YYYY-MM-DD"):
        to_override_value("levers.0.start", "1st of February")
    model = PairedModel(config, rng=0, run__scale=COARSE, levers__0__start="2021-02-01")
    assert str(model.policy.config.levers[0].start) == "2021-02-01"


def test_the_model_accepts_what_solaraviz_reset_passes(config):
    params = model_params(DashboardSetup(config, scale=COARSE))
    model = PairedModel(**initial_kwargs(params))
    _check_model_params(model, params)  # raises for an argument the model would refuse
    # Reset builds the model again from the inputs' values, adding a `scenario` of Mesa's.
    kwargs = _build_model_init_kwargs(
        model,
        initial_kwargs(params) | {"levers__0__intensity": 0.5},
        add_scenario_when_empty=True,
        require_model_accepts_scenario=True,
    )
    assert "scenario" in kwargs, "Mesa 3.5's reset passes a scenario"
    again = type(model)(**kwargs)
    assert again.policy.config.levers[0].intensity == 0.5, "the new value is used"


# --- the inputs -----------------------------------------------------------------------------


def test_every_lever_has_an_intensity_slider_and_a_start_date(config):
    params = model_params(DashboardSetup(config, scale=COARSE))
    for i, lever in enumerate(config.levers):
        slider = params[f"levers__{i}__intensity"]
        assert slider["type"] == "SliderFloat", slider
        assert slider["min"] == 0.0, "zero is exactly no lever"
        assert slider["max"] >= 2 * lever.intensity, "room to double the lever"
        start = params[f"levers__{i}__start"]
        assert start["type"] == "Select", start
        assert start["value"] == lever.start.isoformat(), start
        assert "2021-03-01" in start["values"], "first days of the months of the period"
    assert params["run__scale"]["value"] == COARSE, "the scale chosen at start"
    assert params["rng"]["type"] == "SliderInt", "the seed"
    assert params["reference"]["values"][0] == NO_MEASURES


def test_the_main_uncertain_parameters_have_sliders_around_their_values(config):
    params = model_params(DashboardSetup(config))
    for key in UNCERTAIN_PARAMETERS:
        slider = params[key.replace(".", "__")]
        assert slider["min"] < slider["value"] <= slider["max"], (key, slider)
        assert len(slider["label"]) <= 24, f"a short label beside the slider: {slider['label']}"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"parameters": ("police.no_such_thing",)}, "'police.no_such_thing' is not a parameter"),
        ({"parameters": ("name",)}, "'name' is not a numeric parameter"),
        ({"seed": 100}, "seed must be 0 to 99; given: 100"),
        ({"reference": "elsewhere"}, "the reference must be one of"),
    ],
)
def test_bad_starting_choices_are_refused(config, setup, message):
    with pytest.raises(FraudsimError, match=re.escape(message)):
        model_params(DashboardSetup(config, **setup))


# --- the charts -----------------------------------------------------------------------------

DRAWINGS = [
    charts.outcomes_figure,
    charts.averted_figure,
    charts.mix_figure,
    charts.gangs_figure,
    charts.market_figure,
    charts.effort_figure,
]


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda f: f.__name__)
def test_charts_wait_for_the_first_day(config, draw):
    fig = draw(PairedModel(config, rng=0, run__scale=COARSE))
    texts = [t.get_text() for t in fig.texts]
    assert any("No day simulated yet" in t for t in texts), texts


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda f: f.__name__)
def test_charts_span_the_whole_period_as_the_days_pass(config, draw):
    model = stepped(config, days=40, levers__0__intensity=2.0)  # a month is over
    fig = draw(model)
    if draw is charts.mix_figure:  # bars of totals so far, not a time axis
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert "rebate" in labels or len(labels) >= 5, labels
        return
    first, last = model.period
    for ax in fig.axes:
        low, high = ax.get_xlim()
        assert matplotlib.dates.num2date(low).date() == first.date(), "from the first day"
        assert matplotlib.dates.num2date(high).date() == last.date(), "to the last day"


def test_outcome_curves_show_both_runs_in_national_equivalents(config):
    model = stepped(config, days=20, levers__0__intensity=2.0)
    fig = charts.outcomes_figure(model, "day")
    cases = fig.axes[0]
    lines = {line.get_label(): line for line in cases.get_lines() if not line.get_gid()}
    assert set(lines) == set(model.labels), f"one line per run: {list(lines)}"
    policy = model.daily().query("scenario == @model.policy_label")["cases"]
    drawn = lines[model.policy_label].get_ydata()
    assert list(drawn) == list(policy * COARSE), "cases times the scale"


def test_monthly_curves_draw_a_month_once_it_is_over(config):
    def months_drawn(model) -> list[str]:
        fig = charts.outcomes_figure(model, "month")
        if not fig.axes[0].get_lines():
            return []
        line = next(ln for ln in fig.axes[0].get_lines() if ln.get_label() == model.policy_label)
        return [f"{matplotlib.dates.num2date(x):%Y-%m}" for x in line.get_xdata(orig=False)]

    model = stepped(config, days=20)
    assert months_drawn(model) == [], "January is not over: a part-month would look like a fall"
    for _ in range(11):
        model.step()
    assert months_drawn(model) == ["2021-01"], "January is over, February has just begun"
    while model.running:
        model.step()
    assert months_drawn(model) == ["2021-01", "2021-02", "2021-03"], "the period's months"


# --- the page -------------------------------------------------------------------------------


def test_the_page_steps_resets_and_shows_what_was_averted(config):
    server.configure(DashboardSetup(config, scale=EFFECT_SCALE))
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)

    def text(cls: str) -> str:
        return rc.find(v.Html, class_=cls).widget.children[0]

    def wait_for(cls: str, pattern: str) -> str:
        deadline = time.monotonic() + 30
        while not re.search(pattern, text(cls)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return text(cls)

    assert text("fraudsim-day").startswith("Ready at 01 January 2021"), text("fraudsim-day")
    intensity = rc.find(v.Slider, label="intensity").widget
    intensity.v_model = 0.0  # as a user dragging the slider to zero
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert wait_for("fraudsim-day", r"^Day 31 of 90") == "Day 31 of 90: 31 January 2021", (
        "a step is a month"
    )
    assert text("fraudsim-cases-averted").startswith("Cases averted: 0 "), (
        "no lever, nothing averted"
    )
    intensity.v_model = 3.0
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert wait_for("fraudsim-day", "^Ready").startswith("Ready"), "Reset starts again"
    rc.find(v.Btn, children=["Step"]).widget.click()
    wait_for("fraudsim-day", r"^Day 31 ")
    averted = text("fraudsim-cases-averted")
    number = float(re.match(r"Cases averted: (-?[\d,]+)", averted).group(1).replace(",", ""))
    assert number > 0, f"interception at three times its strength averts cases: {averted}"
    rc.close()


# --- the command ----------------------------------------------------------------------------


def test_dashboard_refuses_a_missing_scenario(call, tmp_path):
    code, _, stderr = call(["dashboard", str(tmp_path / "nope.toml")])
    assert code == 2, stderr
    assert "scenario file not found" in stderr, stderr
    assert "nope.toml" in stderr, stderr
    assert "Traceback" not in stderr


def test_dashboard_refuses_a_parameter_the_scenario_does_not_have(call):
    code, _, stderr = call(["dashboard", str(SCENARIO), "--param", "police.p_nothing"])
    assert code == 2, stderr
    assert "'police.p_nothing' is not a parameter of the scenario" in stderr, stderr


def test_dashboard_says_how_to_install_what_it_needs(call, monkeypatch):
    monkeypatch.setattr(command, "_missing_packages", lambda: ["solara"])
    code, _, stderr = call(["dashboard", str(SCENARIO)])
    assert code == 2, stderr
    assert "pip install -e '.[dashboard]'" in stderr, stderr


def test_the_model_layer_does_not_know_the_dashboard():
    sources = (ROOT / "simulation").rglob("*.py")
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "dashboard" not in text, f"{source} knows the dashboard"
        assert "solara" not in text, f"{source} knows Solara"
