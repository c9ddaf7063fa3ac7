"""Every scenario file shipped in scenarios/ loads, validates and runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.model import FraudModel
from simulation.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.toml"))
SHORT_RUN = [
    "run.scale=20000",
    "run.start=2021-03-01",
    "run.end=2021-05-31",
    "run.burn_in_days=30",
]


def test_the_shipped_scenarios_are_all_there() -> None:
    names = {path.stem for path in FILES}
    expected = {
        "baseline",
        "no_intervention",
        "warnings",
        "broken_card",
        "repatriation",
        "all_measures",
    }
    assert expected <= names, f"expected the scenarios {sorted(expected)}, found {sorted(names)}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_file_loads_and_runs(path: Path) -> None:
    config = load_scenario(path, SHORT_RUN)
    model = FraudModel(config, rng=7, check_invariants=True)
    model.run()
    daily = model.daily_frame()
    assert len(daily) == 92, f"expected one row per day of Mar-May 2021 for {path.name}"
    assert daily["contacts"].sum() > 0, f"expected gangs to contact residents in {path.name}"
    numeric = daily.drop(columns="date")
    assert (numeric >= 0).all().all(), f"expected no negative output in {path.name}"


def test_baseline_runs_the_measures_of_2020_21() -> None:
    config = load_scenario(SCENARIOS / "baseline.toml")
    types = {lever.type for lever in config.levers}
    expected = {"card_crackdown", "repatriation", "early_warning", "anti_fraud_app", "publicity"}
    assert expected <= types, f"expected the baseline to hold the levers {sorted(expected)}"
    assert not load_scenario(SCENARIOS / "no_intervention.toml").levers, (
        "expected the counterfactual to hold no lever"
    )
