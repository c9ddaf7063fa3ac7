"""Run scenarios over several seeds on an executor, and keep the daily tables.

Seeds are ``0..N-1``: every calibration trial and every targets table uses the same seeds, so
differences between parameter values are not differences between random draws (common random
numbers). Runs go through :func:`experiments.runs.run_scenario` on an executor of
:mod:`experiments.executors`: one worker (or one run) in this process, more on a pool of
spawned processes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.executors import Executor, gather, make_executor
from experiments.runs import run_scenario
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError
from simulation.scenario import load_scenario

__all__ = ["run_batch", "run_daily", "run_seeds", "scenario_frames"]

Progress = Callable[[int], None]
"""Called with a seed each time that seed's run has finished."""


def run_daily(config: ScenarioConfig, seed: int) -> pd.DataFrame:
    """Run ``config`` with ``seed`` and return its daily table (model units).

    A module-level function so that worker processes can import it; the other tables stay in
    the worker.

    Args:
        config: the resolved scenario.
        seed: the seed (integer >= 0).

    Returns:
        The daily table.
    """
    return run_scenario(config, seed).daily


def _seed_list(seeds: Sequence[int] | int) -> list[int]:
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    if not seed_list:
        raise FraudsimError("No seeds to run: give at least one.")
    return seed_list


def run_batch(
    configs: Sequence[ScenarioConfig],
    seeds: Sequence[int] | int,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> list[dict[int, pd.DataFrame]]:
    """Run every scenario with every seed and return the daily tables.

    Args:
        configs: the resolved scenarios.
        seeds: the seeds, or a count ``N`` for seeds ``0..N-1``.
        workers: processes to use when no ``executor`` is given; 1 runs in this process.
        executor: an entered executor to run on (it stays open), e.g. across calibration
            trials.
        progress: called with the seed of each run as it finishes.

    Returns:
        For each scenario, its daily tables (model units) by seed, in seed order.

    Raises:
        FraudsimError: no seeds, a bad ``workers`` count, or a run lost with its worker;
            errors of a run (an :class:`~simulation.errors.InvariantError`, say) propagate.
    """
    seed_list = _seed_list(seeds)
    calls = [(config, seed) for config in configs for seed in seed_list]
    with contextlib.ExitStack() as stack:
        if executor is None:
            executor = stack.enter_context(make_executor(min(workers, len(calls))))
        on_result = None if progress is None else (lambda i, _: progress(calls[i][1]))
        dailies = gather(executor, run_daily, calls, on_result=on_result)
    n = len(seed_list)
    return [
        dict(zip(seed_list, dailies[i * n : (i + 1) * n], strict=True)) for i in range(len(configs))
    ]


def run_seeds(
    config: ScenarioConfig,
    seeds: Sequence[int] | int,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> dict[int, pd.DataFrame]:
    """Run ``config`` once per seed and return the daily tables (see :func:`run_batch`).

    Returns:
        The daily tables (model units) by seed, in seed order.
    """
    return run_batch([config], seeds, workers=workers, executor=executor, progress=progress)[0]


def scenario_frames(
    scenario_path: str | os.PathLike[str],
    *,
    seeds: int = 10,
    workers: int = 1,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> tuple[ScenarioConfig, dict[int, pd.DataFrame]]:
    """Load a scenario and run it over seeds ``0..seeds-1``.

    Args:
        scenario_path: the scenario file.
        seeds: number of seeds (>= 1).
        workers: processes (1 runs in this process).
        overrides: ``KEY=VALUE`` strings or a mapping, as for
            :func:`simulation.scenario.load_scenario`.
        progress: called with each seed as its run finishes.

    Returns:
        The resolved scenario and the daily tables by seed.

    Raises:
        ScenarioError: the scenario or an override is invalid.
        FraudsimError: ``seeds`` or ``workers`` is not a positive integer.
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise FraudsimError(f"The 'seeds' parameter must be an integer >= 1. Got {seeds!r}.")
    config = load_scenario(scenario_path, overrides)
    return config, run_seeds(config, seeds, workers=workers, progress=progress)
