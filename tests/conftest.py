"""What many test files share: the command line in-process, small runs, and the test layers.

Markers: ``slow`` marks tests that run the model over long periods or many seeds (see
``pyproject.toml``). For day-to-day work, ``.venv/bin/python -m pytest -q -m "not slow"`` runs
the fast subset; CI runs everything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from simulation.config import ScenarioConfig
from simulation.params import RunParams

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

#: A small, fast run: 282,000 residents and about ten gangs, 20 days of burn-in, 59 reported.
SMALL_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 2, 28), burn_in_days=20, scale=5000.0
)
#: A shorter, coarser run, for tests that run many combinations.
SHORT_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31), burn_in_days=10, scale=10000.0
)
#: Command-line options of a tiny run: a month at 1 agent = 20,000 people.
TINY_ARGS = ("--scale", "20000", "--start", "2021-01-01", "--end", "2021-01-31",
             "--set", "run.burn_in_days=10")  # fmt: skip

CliCall = Callable[[Sequence[str]], tuple[int, str, str]]


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """Run ``fraudsim ARGV`` in this process; return (exit code, stdout, stderr)."""
    from experiments.cli import main  # noqa: PLC0415 - the command line only where it is used

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def call() -> CliCall:
    """``call(argv)`` runs ``fraudsim`` in this process and returns (code, stdout, stderr)."""
    return run_cli


def small_config(
    levers: Sequence[object] = (), run: RunParams = SMALL_RUN, name: str = "small"
) -> ScenarioConfig:
    """Default parameters over a short, coarse period, with ``levers``."""
    return ScenarioConfig(name=name, run=run, levers=list(levers))


@pytest.fixture(scope="session")
def make_config() -> Callable[..., ScenarioConfig]:
    """``make_config(levers=(), run=SMALL_RUN, name="small")``: a small scenario."""
    return small_config
