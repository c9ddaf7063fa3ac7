"""Invariants: money is conserved and counts never go negative, whatever the parameters.

The baseline scenario runs with ``check_invariants=True`` (every day checked); Hypothesis draws
valid parameter sets around it and runs them the same way; and a deliberately broken state must
be caught, naming the invariant and the day.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.categories import FRAUD_TYPES
from simulation.config import ScenarioConfig
from simulation.errors import InvariantError
from simulation.levers import LEVER_TYPES
from simulation.model import FraudModel
from simulation.params import RunParams
from simulation.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
BURN_IN_DAYS = 20
SCALE = 20000.0  # 70,500 residents


@functools.cache
def latest_lever_start() -> dt.date:
    """The last start date among the baseline's levers.

    A period shortened by overrides leaves out the levers that start after it ends, so every
    short period used here ends on or after this date, with all the baseline's levers in force
    (the app and propaganda-manual levers start in April and May 2021).
    """
    levers = load_scenario(BASELINE).levers
    return max((lever.start for lever in levers), default=dt.date(2021, 1, 1))


def small_period(n_days: int = 31, end_offset_days: int = 0) -> tuple[dt.date, dt.date]:
    end = max(dt.date(2021, 5, 31), latest_lever_start()) + dt.timedelta(days=end_offset_days)
    return end - dt.timedelta(days=n_days - 1), end


def small_overrides(**extra) -> dict:
    start, end = small_period()
    return {
        "run.scale": SCALE,
        "run.start": start,
        "run.end": end,
        "run.burn_in_days": BURN_IN_DAYS,
        **extra,
    }


def negative_cells(model: FraudModel) -> dict[str, str]:
    """Every numeric column of the daily frame and the long tables with a value below zero."""
    frames = {"daily": model.daily_frame(), **model.table_frames()}
    bad = {}
    for table, frame in frames.items():
        for column in frame.select_dtypes("number").columns:
            values = frame[column]
            if values.isna().any():
                bad[f"{table}.{column}"] = "NaN"
            elif (values < 0).any():
                first = int(np.flatnonzero(values.to_numpy() < 0)[0])
                bad[f"{table}.{column}"] = (
                    f"{values.iloc[first]} on {pd.Timestamp(frame['date'].iloc[first]).date()}"
                )
    return bad


def money_gap(model: FraudModel) -> tuple[float, float]:
    """Money in the model now, and what it should be (initial money plus money brought in)."""
    return model.money_total_yuan(), model.initial_money_yuan + model.money.injected_yuan


# ================================================================================ baseline
@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def baseline_run(request) -> FraudModel:
    config = load_scenario(BASELINE, overrides=small_overrides())
    model = FraudModel(config, rng=request.param, check_invariants=True)
    model.run()  # any broken invariant raises InvariantError here, on its day
    return model


def test_baseline_runs_with_invariants_checked(baseline_run):
    daily = baseline_run.daily_frame()
    start, end = small_period()
    assert len(daily) == (end - start).days + 1, "every reported day should have a row"
    assert baseline_run.check_invariants, "the run should have checked invariants every day"
    assert daily["contacts"].sum() > 0, "the baseline test run should have fraud activity"
    assert len(baseline_run.config.levers) > 0, "the baseline's levers should be in force"


def test_baseline_counts_never_negative(baseline_run):
    bad = negative_cells(baseline_run)
    assert not bad, f"every count and amount should be >= 0 (and not NaN); found {bad}"


def test_baseline_money_identity_holds_at_end(baseline_run):
    total, expected = money_gap(baseline_run)
    assert total == pytest.approx(expected, rel=1e-9), (
        f"money in the model ({total:.2f} yuan) should equal the initial money plus the start-up "
        f"cash brought in ({expected:.2f} yuan)"
    )
    assert baseline_run.money.injected_yuan > 0, "gangs and brokers bring start-up cash in"


def test_banks_account_for_every_yuan_frozen():
    config = load_scenario(
        BASELINE, overrides=small_overrides(**{"run.burn_in_days": 0, "run.scale": 1000.0})
    )
    model = FraudModel(config, rng=3)
    model.run()
    daily = model.daily_frame()
    frozen = daily["stopped_yuan"].sum() + daily["screened_yuan"].sum()
    assert frozen > 0, "the test run should freeze some money"
    by_banks = sum(bank.frozen_yuan for bank in model.laundering.banks)
    assert by_banks == pytest.approx(frozen, rel=1e-9), (
        f"the banks' frozen_yuan ({by_banks:.2f}) should add up to the money stopped and "
        f"screened in the daily table ({frozen:.2f})"
    )


def test_mean_awareness_is_a_share(baseline_run):
    aware = baseline_run.daily_frame()["mean_awareness"]
    assert ((aware >= 0) & (aware <= 1)).all(), (
        f"mean awareness should stay in [0, 1], range was {aware.min()}..{aware.max()}"
    )


# ================================================================================ every lever
@pytest.mark.parametrize("kind", sorted(LEVER_TYPES))
@pytest.mark.parametrize("intensity", [4.0, 100.0], ids=["intensity4", "intensity100"])
def test_each_lever_at_high_intensity_keeps_invariants(kind, intensity):
    # The field's own bound is 100: any value up to it must run.
    config = ScenarioConfig(
        name=f"{kind} x{intensity}",
        run=RunParams(
            start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31), burn_in_days=10, scale=SCALE
        ),
        levers=[LEVER_TYPES[kind](type=kind, start=dt.date(2020, 12, 1), intensity=intensity)],
    )
    model = FraudModel(config, rng=7, check_invariants=True)
    model.run()
    bad = negative_cells(model)
    assert not bad, f"{kind} at intensity {intensity}: counts should be >= 0; found {bad}"
    total, expected = money_gap(model)
    assert total == pytest.approx(expected, rel=1e-9), f"{kind}: money should be conserved"


# ================================================================================ Hypothesis
@st.composite
def parameter_sets(draw) -> dict:
    """Valid overrides of the baseline: lever intensities, behaviour and scale, a short period."""
    baseline = load_scenario(BASELINE)
    overrides = {
        f"levers.{i}.intensity": draw(st.floats(0.0, 3.0), label=f"levers[{i}].intensity")
        for i in range(len(baseline.levers))
    }
    overrides["police.p_dissuade"] = draw(st.floats(0.0, 1.0), label="p_dissuade")
    engage = draw(st.floats(0.0, 5.0), label="p_engage multiplier")
    for ftype in FRAUD_TYPES:
        base = getattr(baseline.fraud_types, ftype.value).p_engage
        overrides[f"fraud_types.{ftype.value}.p_engage"] = min(1.0, base * engage)
    overrides["gangs.contacts_per_operator_per_day"] = draw(
        st.floats(0.0, 200.0), label="contacts_per_operator_per_day"
    )
    overrides["gangs.n_gangs_national"] = draw(st.integers(0, 400_000), label="n_gangs_national")
    overrides["market.p_offer_per_day"] = draw(st.floats(0.0, 0.05), label="p_offer_per_day")
    overrides["run.scale"] = draw(st.floats(20_000.0, 60_000.0), label="scale")
    n_days = draw(st.integers(30, 60), label="days")
    start, end = small_period(n_days, draw(st.integers(0, 30), label="end offset"))
    overrides["run.start"] = start
    overrides["run.end"] = end
    overrides["run.burn_in_days"] = draw(st.integers(0, 30), label="burn_in_days")
    return overrides


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples on every run: no unseeded randomness in the suite
    suppress_health_check=[HealthCheck.too_slow],
)
@given(overrides=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_random_valid_parameters_keep_invariants(overrides, seed):
    config = load_scenario(BASELINE, overrides=overrides)
    model = FraudModel(config, rng=seed, check_invariants=True)
    model.run()  # raises InvariantError on the first day an invariant breaks
    bad = negative_cells(model)
    assert not bad, f"every count should be >= 0 for {overrides} (seed {seed}); found {bad}"
    total, expected = money_gap(model)
    assert total == pytest.approx(expected, rel=1e-9), (
        f"money should be conserved for {overrides} (seed {seed}): {total:.2f} vs {expected:.2f}"
    )


# ================================================================================ broken state
def _model_into_reported_period(check: bool) -> FraudModel:
    config = load_scenario(BASELINE, overrides=small_overrides())
    model = FraudModel(config, rng=3, check_invariants=check)
    for _ in range(BURN_IN_DAYS + 5):
        model.step()
    return model


@pytest.mark.parametrize("amount", [1_000.0, -100.0], ids=["money-added", "money-removed"])
def test_verify_invariants_catches_money_created_mid_run(amount):
    model = _model_into_reported_period(check=False)
    model.verify_invariants()  # intact so far
    rich = int(np.argmax(model.residents.savings_yuan))
    model.residents.savings_yuan[rich] += amount
    with pytest.raises(InvariantError) as caught:
        model.verify_invariants()
    err = caught.value
    day = model.today.isoformat()
    assert err.invariant == "money conserved", (
        f"changing a resident's savings should break 'money conserved', broke {err.invariant!r}"
    )
    assert str(err.day) == day, f"the error should name today, {day}, not {err.day}"
    assert "money conserved" in str(err), f"the message should name the invariant: {err}"
    assert day in str(err), f"the message should name the day {day}: {err}"


def test_checked_step_raises_on_the_day_of_the_break():
    model = _model_into_reported_period(check=True)  # 25 checked days pass
    day = model.today
    model.residents.savings_yuan[0] += 250.0
    with pytest.raises(InvariantError, match="money conserved") as caught:
        model.step()
    assert str(caught.value.day) == day.isoformat(), (
        f"a step with check_invariants=True should report the day it ran, {day}, "
        f"not {caught.value.day}"
    )
