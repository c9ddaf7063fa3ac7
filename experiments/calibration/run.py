"""Run one scenario over several seeds, in parallel, and keep the daily tables.

Seeds are ``0..N-1``: every calibration trial and every targets table uses the same seeds, so
differences between parameter values are not differences between random draws (common random
numbers).

Parallel runs use a process pool with an explicit ``spawn`` context (never the global start
method, which belongs to the caller): each worker imports the model afresh, so nothing of the
parent's state leaks into a run. One worker (or one seed) runs in this process, without a pool.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any

import pandas as pd

from experiments.runs import run_scenario
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError
from simulation.scenario import load_scenario

__all__ = [
    "default_workers",
    "make_executor",
    "run_daily",
    "run_seeds",
    "scenario_frames",
    "submit_seeds",
]

Progress = Callable[[int], None]
"""Called with a seed each time that seed's run has finished."""


def default_workers(n_runs: int | None = None) -> int:
    """Worker processes to use: the CPUs this process may use, at most ``n_runs``.

    Args:
        n_runs: runs to be made, if known.

    Returns:
        At least 1.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_runs)) if n_runs else max(1, cpus)


def _check_workers(workers: int) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise FraudsimError(f"The 'workers' parameter must be an integer >= 1. Got {workers!r}.")
    return workers


def make_executor(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes started with the ``spawn`` method.

    Args:
        workers: number of processes (>= 1).

    Returns:
        The pool; the caller shuts it down (use it as a context manager).
    """
    return ProcessPoolExecutor(
        max_workers=_check_workers(workers), mp_context=multiprocessing.get_context("spawn")
    )


def run_daily(config: ScenarioConfig, seed: int) -> pd.DataFrame:
    """Run ``config`` with ``seed`` and return its daily table (model units).

    A module-level function so that worker processes can unpickle it.

    Args:
        config: the resolved scenario.
        seed: the seed (integer >= 0).

    Returns:
        The daily table.
    """
    return run_scenario(config, seed).daily


def submit_seeds(
    executor: Executor, config: ScenarioConfig, seeds: Iterable[int]
) -> dict[Future[pd.DataFrame], int]:
    """Submit one run per seed to ``executor``.

    Args:
        executor: where to run (a pool from :func:`make_executor`).
        config: the resolved scenario.
        seeds: the seeds.

    Returns:
        The futures, mapped to their seeds.
    """
    return {executor.submit(run_daily, config, seed): seed for seed in seeds}


def run_seeds(
    config: ScenarioConfig,
    seeds: Sequence[int] | int,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> dict[int, pd.DataFrame]:
    """Run ``config`` once per seed and return the daily tables.

    Args:
        config: the resolved scenario.
        seeds: the seeds, or a count ``N`` for seeds ``0..N-1``.
        workers: processes to use when no ``executor`` is given; 1 runs in this process.
        executor: an existing pool to run in (it stays open), e.g. across calibration trials.
        progress: called with each seed as its run finishes.

    Returns:
        The daily tables (model units) by seed, in seed order.

    Raises:
        FraudsimError: no seeds, or a bad ``workers`` count; errors of a run (an
            :class:`~simulation.errors.InvariantError`, say) propagate from the workers.
    """
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    if not seed_list:
        raise FraudsimError("No seeds to run: give at least one.")
    _check_workers(workers)
    frames: dict[int, pd.DataFrame] = {}
    if executor is None and (workers == 1 or len(seed_list) == 1):
        for seed in seed_list:
            frames[seed] = run_daily(config, seed)
            if progress is not None:
                progress(seed)
        return dict(sorted(frames.items()))
    if executor is None:
        with make_executor(min(workers, len(seed_list))) as pool:
            return run_seeds(config, seed_list, executor=pool, progress=progress)
    futures = submit_seeds(executor, config, seed_list)
    try:
        for future in as_completed(futures):
            frames[futures[future]] = future.result()
            if progress is not None:
                progress(futures[future])
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return dict(sorted(frames.items()))


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
