"""Directional science over paired seeds: each policy lever should do what it is meant to do.

Every scenario is run with the same seeds (common random numbers), so differences between
scenarios show the policy, not noise. The runs are at 1 agent = 2,000 people: small enough for
CI, large enough that a gang population of a few dozen gives a stable signal over four seeds.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simulation.model import FraudModel
from simulation.scenario import load_scenario

# Long runs (many seeds or whole periods): left out of the fast subset, -m "not slow".
pytestmark = pytest.mark.slow

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SEEDS = (0, 1, 2, 3)
SCALE = "run.scale=2000"
# From the start of the broken-card operation (10 October 2020) to the end of the run.
WINDOW_START = "2020-10-01"
POLICIES = ("baseline", "warnings", "broken_card", "repatriation", "all_measures")


def _run(args: tuple[str, int]) -> dict[str, float]:
    name, seed = args
    config = load_scenario(SCENARIOS / f"{name}.toml", [SCALE])
    model = FraudModel(config, rng=seed)
    model.run()
    daily = model.daily_frame().set_index("date").loc[WINDOW_START:]
    return {
        "scenario": name,
        "seed": seed,
        "cases": float(daily["cases"].sum()),
        "loss_yuan": float(daily["loss_yuan"].sum()),
        "dissuaded": float(daily["dissuaded"].sum()),
        "cards_seized": float(daily["phone_cards_seized"].sum() + daily["bank_cards_seized"].sum()),
        "card_price_yuan": float(daily["card_price_yuan"].mean()),
        "overseas_arrests": float(
            daily[["arrests_repatriation", "arrests_returnee", "surrenders"]].sum().sum()
        ),
    }


def _outcomes_table(run: Callable[[Any], dict[str, float]], jobs: list) -> pd.DataFrame:
    """``run`` over ``jobs`` in a pool of two spawned workers: a row per scenario and seed."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        rows = list(pool.map(run, jobs))
    return pd.DataFrame(rows).set_index(["scenario", "seed"])


@pytest.fixture(scope="module")
def outcomes() -> pd.DataFrame:
    """One row per scenario and seed, from a pool of two worker processes."""
    jobs = [(name, seed) for name in ("no_intervention", *POLICIES) for seed in SEEDS]
    return _outcomes_table(_run, jobs)


def _paired(outcomes: pd.DataFrame, name: str, column: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "policy": outcomes.loc[name, column],
            "reference": outcomes.loc["no_intervention", column],
        }
    )


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("column", ["cases", "loss_yuan"])
def test_each_policy_lowers_cases_and_losses(
    outcomes: pd.DataFrame, policy: str, column: str
) -> None:
    pairs = _paired(outcomes, policy, column)
    mean_policy, mean_reference = pairs["policy"].mean(), pairs["reference"].mean()
    assert mean_policy < mean_reference, (
        f"expected {policy} to have fewer {column} than no_intervention over seeds {SEEDS}; "
        f"means {mean_policy:.1f} vs {mean_reference:.1f}, pairs:\n{pairs}"
    )
    lower = int((pairs["policy"] < pairs["reference"]).sum())
    assert lower >= len(SEEDS) // 2, (
        f"expected {policy} to lower {column} in at least half the paired seeds, "
        f"it did in {lower} of {len(SEEDS)}:\n{pairs}"
    )


def test_warnings_dissuade_more_people(outcomes: pd.DataFrame) -> None:
    pairs = _paired(outcomes, "warnings", "dissuaded")
    assert (pairs["policy"] > pairs["reference"]).all(), (
        f"expected early warnings to dissuade more people in every seed:\n{pairs}"
    )


def test_broken_card_seizes_cards_and_raises_prices(outcomes: pd.DataFrame) -> None:
    seized = _paired(outcomes, "broken_card", "cards_seized")
    assert (seized["policy"] > 0).all(), f"expected seizures under the crackdown:\n{seized}"
    assert (seized["reference"] == 0).all(), f"expected no seizure without it:\n{seized}"
    price = _paired(outcomes, "broken_card", "card_price_yuan")
    assert price["policy"].mean() > price["reference"].mean(), (
        f"expected scarcer cards to cost more on average under the crackdown:\n{price}"
    )


# Overseas suspects taken are small counts at 1 agent = 2,000 people (a dozen gangs abroad, a
# handful of people a month), and the lever also shrinks the population it takes from; so this
# comparison runs at 1 agent = 500 people over the whole period, from the lever's start.
OVERSEAS_SCALE = "run.scale=500"


def _run_overseas(args: tuple[str, int]) -> dict[str, float]:
    name, seed = args
    model = FraudModel(load_scenario(SCENARIOS / f"{name}.toml", [OVERSEAS_SCALE]), rng=seed)
    model.run()
    daily = model.daily_frame()
    taken = daily[["arrests_repatriation", "arrests_returnee", "surrenders"]].sum().sum()
    return {"scenario": name, "seed": seed, "overseas_arrests": float(taken)}


@pytest.fixture(scope="module")
def overseas_outcomes() -> pd.DataFrame:
    """Overseas suspects taken, with and without the repatriation lever, per seed."""
    jobs = [(name, seed) for name in ("no_intervention", "repatriation") for seed in SEEDS]
    return _outcomes_table(_run_overseas, jobs)


def test_repatriation_takes_overseas_suspects(overseas_outcomes: pd.DataFrame) -> None:
    taken = _paired(overseas_outcomes, "repatriation", "overseas_arrests")
    assert taken["policy"].mean() > taken["reference"].mean(), (
        "expected more repatriations, returnee arrests and surrenders on average under the "
        f"repatriation lever:\n{taken}"
    )
    higher = int((taken["policy"] >= taken["reference"]).sum())
    assert higher >= len(SEEDS) - 1, (
        f"expected at least as many overseas suspects taken in all but one seed:\n{taken}"
    )


# The strike campaign of April 2021, switched off in the baseline over the same seeds.
CAMPAIGN_OFF = "levers.9.intensity=0"
CAMPAIGN_WINDOW = ("2021-04-08", "2021-06-30")


def _run_campaign(args: tuple[bool, int]) -> dict[str, float]:
    campaign, seed = args
    overrides = [SCALE] if campaign else [SCALE, CAMPAIGN_OFF]
    config = load_scenario(SCENARIOS / "baseline.toml", overrides)
    assert config.levers[9].type == "strike_campaign", "levers[9] of the baseline: the campaign"
    model = FraudModel(config, rng=seed)
    model.run()
    daily = model.daily_frame().set_index("date").loc[slice(*CAMPAIGN_WINDOW)]
    return {
        "scenario": "baseline" if campaign else "no_intervention",
        "seed": seed,
        "contacts": float(daily["contacts"].sum()),
        "cases": float(daily["cases"].sum()),
    }


@pytest.fixture(scope="module")
def campaign_outcomes() -> pd.DataFrame:
    """The baseline with and without its strike campaign (labelled as policy and reference)."""
    jobs = [(campaign, seed) for campaign in (False, True) for seed in SEEDS]
    return _outcomes_table(_run_campaign, jobs)


def test_strike_campaign_makes_gangs_lie_low(campaign_outcomes: pd.DataFrame) -> None:
    contacts = _paired(campaign_outcomes, "baseline", "contacts")
    assert (contacts["policy"] < contacts["reference"]).all(), (
        "expected fewer fraud contacts in every seed once the April 2021 strike campaign "
        f"starts (gangs lie low under the risk they hear of):\n{contacts}"
    )
    cases = _paired(campaign_outcomes, "baseline", "cases")
    assert cases["policy"].mean() < cases["reference"].mean(), (
        f"expected fewer cases on average during the strike campaign:\n{cases}"
    )
