"""The shipped baseline still reproduces the published 2021 figures (issue 3), at a low cost.

``docs/calibration.md`` gives the real check: 20 seeds at 1 agent = 100 people, each required
target within its tolerance of the targets file. This test runs the shipped baseline at
1 agent = 500 people (five times cheaper) over a few seeds and asks less, so that a model
change that breaks the calibration fails CI while seed noise does not:

* the median over seeds of every required target is within ``LOOSE_FACTOR`` times its
  tolerance (a change target: within that many times its tolerance in points);
* the two small counts (repatriations, about 5 model arrests at this scale, and cracked cases
  over 1 M yuan, about 2 model cases) move in steps of 500, so their *mean* over seeds is
  checked instead, against ``SMALL_COUNT_TOLERANCE``.

The seeds are fixed, so the test is deterministic: it fails only when the model changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.targets import evaluate, load_targets, per_seed_values
from experiments.calibration.run import run_seeds
from simulation.scenario import load_scenario

# Long runs (many seeds or whole periods): left out of the fast subset, -m "not slow".
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
SCALE = 500.0
SEEDS = 8
LOOSE_FACTOR = 2.0  # times each target's tolerance
SMALL_COUNTS = ("repatriated", "cracked_over_1m")
SMALL_COUNT_TOLERANCE = 0.5  # relative error of the mean over seeds


@pytest.fixture(scope="module")
def baseline_targets():
    targets = load_targets(None)
    config = load_scenario(BASELINE, [f"run.scale={SCALE}"])
    frames = run_seeds(config, SEEDS, workers=2)
    table = evaluate(frames, SCALE, targets).set_index("key")
    per_seed = per_seed_values(frames, SCALE, targets)
    return table, per_seed


def test_required_targets_stay_near_the_published_figures(baseline_targets):
    table, _ = baseline_targets
    required = table[table["required"] & ~table.index.isin(SMALL_COUNTS)]
    assert len(required) == 11, (
        f"expected 11 required targets besides the small counts, got {required.index.tolist()}"
    )
    for key, row in required.iterrows():
        limit = LOOSE_FACTOR * row["tolerance"]
        assert abs(row["error"]) <= limit, (
            f"{key}: median {row['median']:,.4g} against published {row['published']:,.4g} "
            f"(error {row['error']:+.3f}); expected |error| <= {limit:.3f} "
            f"({LOOSE_FACTOR:g} x the tolerance {row['tolerance']:.3f})"
        )


@pytest.mark.parametrize("key", SMALL_COUNTS)
def test_small_counts_stay_near_the_published_figures(baseline_targets, key):
    table, per_seed = baseline_targets
    published = table.loc[key, "published"]
    mean = float(np.mean(per_seed[key]))
    error = mean / published - 1.0
    assert abs(error) <= SMALL_COUNT_TOLERANCE, (
        f"{key}: mean over {SEEDS} seeds {mean:,.0f} against published {published:,.0f} "
        f"(error {error:+.2f}); expected |error| <= {SMALL_COUNT_TOLERANCE}"
    )


def test_may_has_fewer_cases_than_april(baseline_targets):
    # Twice the tolerance of the May/April change would let May rise above April; the issue
    # asks for a fall, so the sign is checked on its own.
    table, per_seed = baseline_targets
    median = table.loc["cases_may_vs_april", "median"]
    falls = int((np.asarray(per_seed["cases_may_vs_april"]) < 0.0).sum())
    assert median < 0.0, f"expected the median May/April change below 0, got {median:+.3f}"
    assert falls >= SEEDS - 2, (
        f"expected May below April in at least {SEEDS - 2} of {SEEDS} seeds, "
        f"got {falls}: {per_seed['cases_may_vs_april']}"
    )
