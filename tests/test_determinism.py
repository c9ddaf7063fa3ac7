"""Determinism: one seed gives one result, however and wherever the run is executed.

Same seed, same frames; different seeds, different frames; stepping by hand equals ``run()``;
a lever at zero intensity is exactly no lever (common random numbers); separate processes
reproduce the in-process run; and ``mesa.batch_run`` drives the model with dotted overrides.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from simulation.config import ScenarioConfig
from simulation.levers import LEVER_TYPES
from simulation.model import FraudModel
from simulation.params import RunParams

ROOT = Path(__file__).resolve().parents[1]
LEVER_NAMES = sorted(LEVER_TYPES)

# Small, fast runs: 282,000 residents and ~10 gangs, 20 days of burn-in and 59 reported days.
RUN = RunParams(start=dt.date(2021, 1, 1), end=dt.date(2021, 2, 28), burn_in_days=20, scale=5000.0)
# A shorter, coarser run for the many-lever combinations.
SHORT_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31), burn_in_days=10, scale=10000.0
)
LEVER_START = dt.date(2020, 12, 1)  # before the burn-in: the lever is in force every day
SEED = 11


def small_config(levers=(), run: RunParams = RUN) -> ScenarioConfig:
    return ScenarioConfig(name="determinism", run=run, levers=list(levers))


def make_lever(kind: str, intensity: float):
    return LEVER_TYPES[kind](type=kind, start=LEVER_START, intensity=intensity)


def run_frames(config: ScenarioConfig, seed: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Run a model and return its daily frame and long tables (also used in worker processes)."""
    model = FraudModel(config, rng=seed)
    model.run()
    return model.daily_frame(), model.table_frames()


def assert_same_run(a, b, what: str) -> None:
    """Daily frames and every long table must be identical, value for value."""
    daily_a, tables_a = a
    daily_b, tables_b = b
    assert_frame_equal(daily_a, daily_b, check_exact=True, obj=f"{what}: daily frame")
    assert set(tables_a) == set(tables_b), f"{what}: both runs should have the same tables"
    for name in tables_a:
        assert_frame_equal(
            tables_a[name], tables_b[name], check_exact=True, obj=f"{what}: table {name}"
        )


def frames_differ(a, b) -> bool:
    daily_a, tables_a = a
    daily_b, tables_b = b
    return not daily_a.equals(daily_b) or any(not tables_a[n].equals(tables_b[n]) for n in tables_a)


@pytest.fixture(scope="module")
def baseline_frames():
    """The run without levers at seed SEED, shared by the tests that compare against it."""
    return run_frames(small_config(), SEED)


# ================================================================================ same seed
def test_run_is_not_empty(baseline_frames):
    daily, tables = baseline_frames
    assert len(daily) == (RUN.end - RUN.start).days + 1, "one row per reported day expected"
    assert daily["date"].iloc[0] == pd.Timestamp(RUN.start), "first row should be run.start"
    assert daily["date"].iloc[-1] == pd.Timestamp(RUN.end), "last row should be run.end"
    assert daily["contacts"].sum() > 0, "the test run should have some fraud activity"
    assert daily["cases"].sum() > 0, "the test run should have some cases to compare"
    assert set(tables) == {"by_type", "by_channel", "by_victim"}, "three long tables expected"


def test_same_seed_gives_identical_frames(baseline_frames):
    assert_same_run(run_frames(small_config(), SEED), baseline_frames, f"seed {SEED} twice")


def test_same_seed_with_levers_gives_identical_frames():
    levers = [make_lever(kind, 1.0) for kind in LEVER_NAMES]
    first = run_frames(small_config(levers), 5)
    second = run_frames(small_config(levers), 5)
    assert_same_run(first, second, "all levers, seed 5, twice")


def test_different_seeds_give_different_frames(baseline_frames):
    other = run_frames(small_config(), SEED + 1)
    daily, _ = baseline_frames
    assert not daily.equals(other[0]), f"seeds {SEED} and {SEED + 1} should differ"
    assert not daily["contacts"].equals(other[0]["contacts"]), (
        "different seeds should give different daily contacts"
    )


# ================================================================================ step vs run
@pytest.mark.parametrize(
    "steps_first", [None, 7, 35], ids=["all-steps", "7-then-run", "35-then-run"]
)
def test_stepping_equals_run(baseline_frames, steps_first):
    model = FraudModel(small_config(), rng=SEED)
    total = RUN.burn_in_days + (RUN.end - RUN.start).days + 1
    if steps_first is None:
        for _ in range(total):
            model.step()
    else:
        for _ in range(steps_first):
            model.step()
        model.run()
    assert model.day_index == total - RUN.burn_in_days, (
        f"after the whole run the day index should be {total - RUN.burn_in_days}, "
        f"is {model.day_index}"
    )
    assert_same_run(
        (model.daily_frame(), model.table_frames()), baseline_frames, f"step() x {steps_first}"
    )


# ================================================================================ levers
@pytest.mark.parametrize("kind", LEVER_NAMES)
def test_zero_intensity_lever_is_no_lever(baseline_frames, kind):
    with_lever = run_frames(small_config([make_lever(kind, 0.0)]), SEED)
    assert_same_run(with_lever, baseline_frames, f"{kind} at intensity 0 vs no lever")


@pytest.mark.parametrize("kind", LEVER_NAMES)
def test_zero_intensity_lever_beside_others_changes_nothing(kind):
    others = [make_lever(k, 1.0) for k in LEVER_NAMES if k != kind]
    without = run_frames(small_config(others, SHORT_RUN), 3)
    with_zero = run_frames(small_config([*others, make_lever(kind, 0.0)], SHORT_RUN), 3)
    assert_same_run(with_zero, without, f"{kind} at intensity 0 added to the other levers")


@pytest.mark.parametrize("kind", LEVER_NAMES)
def test_positive_intensity_lever_changes_output(baseline_frames, kind):
    daily, _ = baseline_frames
    # A strong intensity: in a two-month run of a small population, the calibrated daily
    # chances of some levers (repatriation) may not produce a single event at intensity 1.
    with_lever, _ = run_frames(small_config([make_lever(kind, 20.0)]), SEED)
    outcomes = [c for c in daily.columns if c != "date" and not c.startswith("effort_")]
    changed = [c for c in outcomes if not daily[c].equals(with_lever[c])]
    assert changed, f"{kind} at intensity 20 should change some outcome besides police effort"


# ================================================================================ processes
def test_separate_processes_reproduce_in_process_run(baseline_frames):
    levers = [make_lever("card_crackdown", 1.0), make_lever("early_warning", 1.0)]
    config = small_config(levers)
    local = run_frames(config, 4)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, not a fork
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [
            pool.submit(run_frames, config, 4),
            pool.submit(run_frames, config, 4),
            pool.submit(run_frames, small_config(), SEED),
        ]
        remote = [f.result(timeout=300) for f in futures]
    assert_same_run(remote[0], local, "spawned worker vs in-process run (levers, seed 4)")
    assert_same_run(remote[1], local, "second spawned worker vs in-process run")
    assert_same_run(remote[2], baseline_frames, f"spawned worker vs in-process run (seed {SEED})")


# ================================================================================ batch_run
BATCH_KWARGS = {
    "run__scale": 20000.0,
    "run__start": dt.date(2021, 1, 1),
    "run__end": dt.date(2021, 1, 20),
    "run__burn_in_days": 5,
}
BATCH_SHORT_STEPS = 15  # 5 burn-in days and 10 reported days: stops before run.end
BATCH_LONG_STEPS = 60  # far more steps than the run has: the model should stop at run.end

# batch_run calls multiprocessing.set_start_method("spawn", force=True): keep it out of the
# test process by running it in a child interpreter, which reads its settings as JSON from
# argv and prints the results as JSON.
BATCH_SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    import json
    import sys

    import mesa

    from simulation.model import FraudModel

    if __name__ == "__main__":
        settings = json.loads(sys.argv[1])
        kwargs = {
            key: dt.date.fromisoformat(value) if key in ("run__start", "run__end") else value
            for key, value in settings["kwargs"].items()
        }
        out = {}
        for label, max_steps in settings["max_steps"].items():
            rows = mesa.batch_run(
                FraudModel,
                parameters={"police__p_dissuade": [0.3, 0.6], **kwargs},
                number_processes=1,
                rng=[1],
                max_steps=max_steps,
                data_collection_period=-1,
                display_progress=False,
            )
            out[label] = [
                {
                    "p_dissuade": row["police__p_dissuade"],
                    "rng": row["rng"],
                    "date": row["date"].isoformat(),
                    "contacts": row["contacts"],
                    "cases": row["cases"],
                    "mean_awareness": row["mean_awareness"],
                }
                for row in rows
            ]
        json.dump(out, sys.stdout)
    """
)
BATCH_SETTINGS = json.dumps(
    {
        "kwargs": {
            k: v.isoformat() if isinstance(v, dt.date) else v for k, v in BATCH_KWARGS.items()
        },
        "max_steps": {"short": BATCH_SHORT_STEPS, "long": BATCH_LONG_STEPS},
    }
)


@pytest.fixture(scope="module")
def batch_results():
    before = multiprocessing.get_start_method(allow_none=True)
    done = subprocess.run(
        [sys.executable, "-c", BATCH_SCRIPT, BATCH_SETTINGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"batch_run should run FraudModel; stderr:\n{done.stderr}"
    assert multiprocessing.get_start_method(allow_none=True) == before, (
        "the test process's start method should be untouched by the batch_run child"
    )
    return json.loads(done.stdout)


def direct_last_row(p_dissuade: float, n_steps: int) -> pd.Series:
    model = FraudModel(rng=1, police__p_dissuade=p_dissuade, **BATCH_KWARGS)
    for _ in range(n_steps):
        if not model.running:
            break
        model.step()
    return model.daily_frame().iloc[-1]


def test_batch_run_drives_fraud_model_with_dotted_overrides(batch_results):
    rows = batch_results["short"]
    assert sorted(r["p_dissuade"] for r in rows) == [0.3, 0.6], (
        f"one row per p_dissuade value expected, got {rows}"
    )
    expected_date = BATCH_KWARGS["run__start"] + dt.timedelta(
        days=BATCH_SHORT_STEPS - BATCH_KWARGS["run__burn_in_days"] - 1
    )
    for row in rows:
        assert row["rng"] == 1, "batch_run should pass the seed through as rng"
        assert row["date"] == pd.Timestamp(expected_date).isoformat(), (
            f"after {BATCH_SHORT_STEPS} steps the last reported day should be {expected_date}, "
            f"got {row['date']}"
        )
        direct = direct_last_row(row["p_dissuade"], BATCH_SHORT_STEPS)
        for column in ("contacts", "cases", "mean_awareness"):
            assert row[column] == direct[column], (
                f"batch_run (p_dissuade={row['p_dissuade']}) should reproduce the direct run's "
                f"{column} on {expected_date}: {row[column]} vs {direct[column]}"
            )


def test_batch_run_stops_at_run_end(batch_results):
    # mesa.batch_run steps while model.running and model.steps < max_steps: a model given
    # more steps than its period must stop itself after run.end.
    for row in batch_results["long"]:
        assert row["date"] == pd.Timestamp(BATCH_KWARGS["run__end"]).isoformat(), (
            f"with max_steps={BATCH_LONG_STEPS} the last reported day should be run.end "
            f"{BATCH_KWARGS['run__end']}, got {row['date']} (the model kept stepping after "
            "its period ended)"
        )
