"""Cross-scale agreement: a coarser miniature of the country tells the same story in national terms.

One resident agent stands for ``run.scale`` people, and every national rate is divided by the
scale, so outputs in national equivalents (:func:`simulation.outputs.to_national`) should not
depend on the scale beyond noise. Here the counterfactual without measures runs at 1 agent =
2,000 people (705,000 residents, ~20 gangs) and 1 agent = 1,000 people (1.41 M residents,
~40 gangs), eight seeds each, over the first half of 2020 after a 60-day burn-in; the
difference of the means at the two scales must lie within a few standard errors of that
difference, estimated from the seed-to-seed spread at each scale.

What it catches: a national count or rate that is not divided by the scale (or divided
twice) makes the two scales differ by a factor of two, far outside the spread. What it cannot
catch: a bias smaller than the spread of eight seeds. Known limitation: at 1 agent = 4,000
people or coarser (ten gangs or fewer, a handful of brokers) national cases come out about a
third lower than at 1,000, a small-population effect of the thin card market and of gangs
breaking up when stranded; use 1 agent = 2,000 people or finer for results.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.model import FraudModel
from simulation.outputs import to_national
from simulation.scenario import load_scenario

# Long runs (many seeds or whole periods): left out of the fast subset, -m "not slow".
pytestmark = pytest.mark.slow

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "no_intervention.toml"
SCALES = (2_000.0, 1_000.0)
SEEDS = tuple(range(8))
PERIOD = ("run.start=2020-01-01", "run.end=2020-06-30", "run.burn_in_days=60")
MONTHS = ("2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06")
TOTALS = ("contacts", "engagements", "cases", "loss_yuan")
#: Largest allowed |difference of means| / combined standard error, for one total.
Z_MAX = 3.0
#: The same for each of the six months: six comparisons, so a wider bound keeps the chance of
#: a false alarm somewhere in the profile near that of a single 3-SE comparison.
Z_MAX_MONTHLY = 3.5
#: Floor of the combined standard error, as a share of the mean (no division by zero when
#: every seed gives the same value).
SE_FLOOR_SHARE = 0.01


def _run(scale: float, seed: int) -> dict[str, float]:
    """National totals and monthly cases of one run."""
    config = load_scenario(SCENARIO, [f"run.scale={scale!r}", *PERIOD])
    model = FraudModel(config, rng=seed)
    model.run()
    daily = to_national(model.daily_frame(), scale).set_index("date")
    row = {name: float(daily[name].sum()) for name in TOTALS}
    monthly = daily["cases"].resample("MS").sum()
    for month in MONTHS:
        row[f"cases_{month}"] = float(monthly.get(pd.Timestamp(f"{month}-01"), 0.0))
    return row


@pytest.fixture(scope="module")
def outcomes() -> dict[float, pd.DataFrame]:
    """One row per seed at each scale, national equivalents."""
    return {
        scale: pd.DataFrame([_run(scale, seed) for seed in SEEDS], index=list(SEEDS))
        for scale in SCALES
    }


def _z(outcomes: dict[float, pd.DataFrame], column: str) -> tuple[float, str]:
    """|difference of means| over its standard error, and a description for messages."""
    coarse, fine = (outcomes[s][column] for s in SCALES)
    diff = float(coarse.mean() - fine.mean())
    se = float(np.sqrt(coarse.var(ddof=1) / coarse.size + fine.var(ddof=1) / fine.size))
    se = max(se, SE_FLOOR_SHARE * float(abs(fine.mean()) + abs(coarse.mean())) / 2.0, 1e-12)
    detail = (
        f"{column}: mean {coarse.mean():,.4g} at scale {SCALES[0]:g} (seeds {coarse.tolist()}) "
        f"vs {fine.mean():,.4g} at scale {SCALES[1]:g} (seeds {fine.tolist()}); difference "
        f"{diff:,.4g}, combined standard error {se:,.4g}"
    )
    return abs(diff) / se, detail


def test_outputs_are_not_trivial(outcomes: dict[float, pd.DataFrame]) -> None:
    # Agreement of zeros with zeros would prove nothing.
    for scale, frame in outcomes.items():
        for column in TOTALS:
            mean = frame[column].mean()
            assert mean > 0, (
                f"expected fraud activity at scale {scale:g}, but the mean of {column} over "
                f"seeds {list(SEEDS)} is {mean}"
            )


@pytest.mark.parametrize("column", TOTALS)
def test_totals_agree_across_scales(outcomes: dict[float, pd.DataFrame], column: str) -> None:
    z, detail = _z(outcomes, column)
    assert z <= Z_MAX, (
        f"expected the national {column} over 2020-01..06 to agree between scales within "
        f"{Z_MAX} combined standard errors, got {z:.2f}; {detail}"
    )


def test_monthly_cases_agree_across_scales(outcomes: dict[float, pd.DataFrame]) -> None:
    for month in MONTHS:
        z, detail = _z(outcomes, f"cases_{month}")
        assert z <= Z_MAX_MONTHLY, (
            f"expected national cases in {month} to agree between scales within "
            f"{Z_MAX_MONTHLY} combined standard errors, got {z:.2f}; {detail}"
        )
