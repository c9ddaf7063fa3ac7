"""Executors: who runs a sweep's runs, and where. The model never knows which one it is.

Every executor calls the same plain function, :func:`execute_run` (scenario text, overrides and
seed in; tables out), and yields one :class:`RunOutcome` per run as it finishes, in whatever
order runs finish. The driver writes the outcomes; executors never touch the output directory,
so workers on a cluster need no shared filesystem, only fraudsim installed.

- :class:`SerialExecutor` runs in this process, one run after another (``--workers 1``).
- :class:`PoolExecutor` runs on a local pool of processes started with ``spawn`` (an explicit
  context, never the global start method). At most one run per worker is in flight, so a
  crashed worker costs only the runs it and its siblings held; those are retried one at a time,
  which finds the run that kills its worker and records it as failed.
- :class:`DaskExecutor` sends runs to a Dask distributed scheduler (``--scheduler ADDRESS``).
  The scheduler retries a run whose worker died; a run that kills several workers comes back as
  ``KilledWorker`` and is recorded as failed; a run lost with the connection stays missing and
  is redone when the sweep is resumed.

A run that raises is not an executor failure: :func:`execute_run` catches the exception and
returns it as data (type, message, traceback), so it crosses process boundaries intact.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import signal
import socket
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

import pandas as pd

from experiments.sweep.spec import RunSpec, SweepError

__all__ = [
    "FAULT_ENV",
    "DaskExecutor",
    "Executor",
    "PoolExecutor",
    "RunOutcome",
    "SerialExecutor",
    "execute_run",
    "make_executor",
]

FAULT_ENV = "FRAUDSIM_SWEEP_FAULT"
"""Testing hook: ``raise:<run_id>`` makes that run raise, ``exit:<run_id>`` makes the process
running it exit at once (``os._exit(1)``), as a crashed or killed worker would; several entries
are separated by commas. Read in the process that runs the run. Never set it otherwise."""


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    """What one run produced.

    Attributes:
        run_id: the run.
        frames: the tables by name (``daily``, ``by_type``, ``by_channel``, ``by_victim``),
            with identifying columns first; ``None`` if the run failed.
        error: ``type``, ``message`` and ``traceback`` of the failure, or ``None``.
        seconds: wall time of the run, in seconds.
        worker: ``host:pid`` of the process that ran it.
    """

    run_id: str
    frames: dict[str, pd.DataFrame] | None
    error: dict[str, str] | None
    seconds: float
    worker: str

    @property
    def ok(self) -> bool:
        """Whether the run finished and produced its tables."""
        return self.error is None


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _inject_fault(run_id: str) -> None:
    for entry in os.environ.get(FAULT_ENV, "").split(","):
        kind, _, target = entry.strip().partition(":")
        if target != run_id:
            continue
        if kind == "exit":
            os._exit(1)
        if kind == "raise":
            raise RuntimeError(f"injected failure ({FAULT_ENV}={entry.strip()})")


def execute_run(run: RunSpec, scenario_toml: str) -> RunOutcome:
    """Run one sweep run and return its tables; never raises for a failing run.

    Loads the resolved scenario with the run's parameter values, runs
    ``FraudModel(config, rng=seed)`` and collects the daily and long tables, each with the
    identifying columns ``run_id``, ``scenario``, ``seed`` and one column per varied parameter
    (named by its dotted key) put first.

    Args:
        run: the run.
        scenario_toml: the run's resolved scenario as TOML (with the sweep's ``set`` values).

    Returns:
        The outcome: tables, or the error that stopped the run.
    """
    started = time.perf_counter()
    try:
        _inject_fault(run.run_id)
        # Imported here: the driver process of a pool or cluster sweep never builds a model.
        from simulation.model import FraudModel  # noqa: PLC0415
        from simulation.scenario import load_scenario_text  # noqa: PLC0415

        config = load_scenario_text(
            scenario_toml, source=f"{run.scenario} (run {run.run_id})", overrides=run.params
        )
        model = FraudModel(config, rng=run.seed)
        model.run()
        frames = {"daily": model.daily_frame(), **model.table_frames()}
        ids: dict[str, Any] = {"run_id": run.run_id, "scenario": run.scenario, "seed": run.seed}
        ids.update(run.params)
        for frame in frames.values():
            for position, (column, value) in enumerate(ids.items()):
                frame.insert(position, column, value)
            frame["seed"] = frame["seed"].astype("int64")
    except Exception as exc:  # any failure of one run is recorded, never fatal
        return RunOutcome(
            run.run_id,
            None,
            {
                "type": type(exc).__qualname__,
                "message": str(exc),
                "traceback": traceback.format_exc(),
            },
            time.perf_counter() - started,
            _worker_name(),
        )
    return RunOutcome(run.run_id, frames, None, time.perf_counter() - started, _worker_name())


def _lost_worker_outcome(run: RunSpec, kind: str, message: str) -> RunOutcome:
    return RunOutcome(
        run.run_id, None, {"type": kind, "message": message, "traceback": ""}, 0.0, "?"
    )


class Executor(Protocol):
    """Runs a sweep's runs and yields their outcomes as they finish.

    Executors are context managers: entering acquires what they need (a cluster connection),
    so that a wrong address is reported before the sweep writes anything.
    """

    description: str

    def __enter__(self) -> Executor:
        """Acquire what the executor needs."""
        ...

    def __exit__(self, *exc_info: object) -> None:
        """Release it."""
        ...

    def run(self, runs: Sequence[RunSpec], tomls: Sequence[str]) -> Iterator[RunOutcome]:
        """Yield one outcome per run that finishes or fails (lost runs yield nothing).

        Args:
            runs: the runs to do.
            tomls: resolved scenario TOML by ``RunSpec.scenario_index``.
        """
        ...


class _NoSetup:
    """Executors that need no connection are context managers all the same."""

    def __enter__(self) -> _NoSetup:
        """Nothing to set up."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Nothing to tear down."""


class SerialExecutor(_NoSetup):
    """One run after another, in this process."""

    description = "serial, in this process"

    def run(self, runs: Sequence[RunSpec], tomls: Sequence[str]) -> Iterator[RunOutcome]:
        """See :meth:`Executor.run`."""
        for run in runs:
            yield execute_run(run, tomls[run.scenario_index])


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group: let only the driver react (it stops the
    # workers), rather than every worker printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PoolExecutor(_NoSetup):
    """A local pool of ``workers`` processes, started with ``spawn``.

    Args:
        workers: number of worker processes (>= 2; one means :class:`SerialExecutor`).
    """

    def __init__(self, workers: int) -> None:
        """Remember the pool size; processes start when runs are given."""
        self.workers = workers
        self.description = f"local process pool, {workers} workers"

    def _new_pool(self, size: int) -> ProcessPoolExecutor:
        # spawn: a fresh interpreter per worker, identical on Linux, macOS and Windows, and
        # safe with the driver's threads (fork is not). Chosen per pool, never globally.
        return ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )

    def run(self, runs: Sequence[RunSpec], tomls: Sequence[str]) -> Iterator[RunOutcome]:
        """See :meth:`Executor.run`."""
        queue = deque(runs)
        suspects: deque[RunSpec] = deque()  # in flight when a worker died: retried alone
        in_flight: dict[Future[RunOutcome], RunSpec] = {}
        size = max(1, min(self.workers, len(runs)))
        pool: ProcessPoolExecutor | None = None
        try:
            while queue or suspects or in_flight:
                # At most one run per worker in flight: few runs are lost with a dead worker,
                # and after a death the suspects run one at a time to find the culprit.
                limit = 1 if suspects else size
                while len(in_flight) < limit and (suspects or queue):
                    if pool is None:  # made when needed: no pool after the last crash
                        pool = self._new_pool(size)
                    run = (suspects or queue).popleft()
                    in_flight[pool.submit(execute_run, run, tomls[run.scenario_index])] = run
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    run = in_flight.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        in_flight[future] = run  # handled with the others below
                        broken = True
                        continue
                    yield outcome
                if not broken:
                    continue
                lost = []
                for future, run in list(in_flight.items()):
                    if future.done() and not future.cancelled() and future.exception() is None:
                        del in_flight[future]
                        yield future.result()  # finished just before the pool broke
                    else:
                        lost.append(run)
                if pool is not None:
                    _stop_pool(pool)
                    pool = None
                in_flight.clear()
                if len(lost) == 1:
                    # It ran alone (or was the only one left): it is the one that died.
                    yield _lost_worker_outcome(
                        lost[0],
                        "WorkerDied",
                        "the worker process running this run died (crashed, killed, or out "
                        "of memory); it is retried when the sweep is run again",
                    )
                else:
                    suspects.extend(sorted(lost, key=lambda r: r.index))
        finally:
            if pool is not None:
                if in_flight:  # stopped early (Ctrl-C, or the driver failed): kill the runs
                    _stop_pool(pool)
                else:
                    pool.shutdown(wait=True)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, killing runs in flight (they are redone later, never half-written)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        with contextlib.suppress(Exception):
            terminate()
    else:
        # Before 3.14 there is no public way: without this, shutdown (and the interpreter's
        # exit) would wait for the runs in flight to finish, minutes after a Ctrl-C.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Runs on a Dask distributed cluster.

    Use it as a context manager: entering connects (so a wrong address is reported before
    anything is written), leaving disconnects.

    Args:
        address: the scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
        timeout: seconds to wait for the scheduler when connecting.
    """

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        """Remember the address; the connection is made on entering."""
        self.address = address
        self.timeout = timeout
        self.description = f"Dask cluster at {address}"
        self._client: Any = None

    def __enter__(self) -> DaskExecutor:
        """Connect to the scheduler.

        Raises:
            SweepError: if Dask distributed is not installed or the scheduler cannot be
                reached.
        """
        try:
            from distributed import Client  # noqa: PLC0415  (an optional dependency)
        except ImportError:
            raise SweepError.single(
                None,
                None,
                "--scheduler needs Dask distributed, which is not installed",
                allowed="pip install 'fraudsim[sweep]'",
            ) from None
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError.single(
                None, None, f"cannot reach the Dask scheduler at {self.address}: {exc}"
            ) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Disconnect (runs still queued for this client are cancelled by the scheduler)."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def run(self, runs: Sequence[RunSpec], tomls: Sequence[str]) -> Iterator[RunOutcome]:
        """See :meth:`Executor.run`."""
        from distributed import as_completed  # noqa: PLC0415
        from distributed.scheduler import KilledWorker  # noqa: PLC0415

        client = self._client
        if client is None:
            raise RuntimeError("DaskExecutor.run needs `with executor:` around it")
        futures = []
        try:
            # Each scenario's text goes to the cluster once, not once per run, as the result of
            # a task rather than scattered data: the scheduler can recompute a task's result
            # when the worker holding it dies, but scattered data would be lost, and with it
            # every run that needs it.
            texts = [
                client.submit(_scenario_text, text, key=f"fraudsim-scenario-{i}-{_digest(text)}")
                for i, text in enumerate(tomls)
            ]
            by_key = {}
            for run in runs:
                future = client.submit(
                    execute_run,
                    run,
                    texts[run.scenario_index],
                    key=f"fraudsim-run-{run.run_id}",
                    pure=False,
                )
                futures.append(future)
                by_key[future.key] = run
            for future in as_completed(futures, loop=client.loop):
                run = by_key[future.key]
                try:
                    outcome = future.result()
                except KilledWorker as exc:
                    outcome = _lost_worker_outcome(run, "KilledWorker", str(exc))
                except (CancelledError, OSError):
                    continue  # lost with the connection: missing, redone on resume
                except Exception as exc:  # e.g. the run cannot be unpickled there
                    outcome = _lost_worker_outcome(run, type(exc).__qualname__, str(exc))
                finally:
                    future.release()
                yield outcome
        finally:
            with contextlib.suppress(Exception):
                client.cancel([f for f in futures if not f.done()])


def _scenario_text(text: str) -> str:
    """A task returning its argument: a scenario's text held on the cluster (see above)."""
    return text


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def default_workers() -> int:
    """CPUs this process may use (affinity-aware where the platform tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for the given options.

    Args:
        workers: local worker processes; ``None`` uses every CPU; 1 runs serially here.
        scheduler: a Dask scheduler address; then ``workers`` must be ``None``.

    Returns:
        The executor.

    Raises:
        SweepError: for a bad combination or value.
    """
    if scheduler is not None:
        if workers is not None:
            raise SweepError.single(
                None,
                None,
                "--workers and --scheduler both given: with a scheduler the cluster's workers "
                "run the sweep",
            )
        if not scheduler.strip():
            raise SweepError.single(None, None, "--scheduler needs an address",
                                    allowed="e.g. tcp://127.0.0.1:8786")  # fmt: skip
        return DaskExecutor(scheduler.strip())
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SweepError.single(
            None, None, "The 'workers' parameter must be an integer >= 1.", given=repr(workers)
        )
    return SerialExecutor() if workers == 1 else PoolExecutor(workers)
