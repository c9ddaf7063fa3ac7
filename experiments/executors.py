"""Executors: who runs a batch of independent calls, and where. The model never knows which.

An executor takes a module-level function and one tuple of arguments per call, and yields
``(index, result)`` for each call as it finishes, in whatever order calls finish. Sweeps,
calibration and ``fraudsim targets`` all run their model runs through one of these, built by
:func:`make_executor` from the same two options (``--workers``, ``--scheduler``):

- :class:`SerialExecutor` calls in this process, one after another (``--workers 1``).
- :class:`PoolExecutor` runs on a local pool of processes started with ``spawn`` (an explicit
  context, never the global start method). At most one call per worker is in flight, so a
  crashed worker costs only the calls it and its siblings held; those are retried one at a
  time, which finds the call that kills its worker. The pool lives as long as the executor's
  ``with`` block, so a calibration's trials share it.
- :class:`DaskExecutor` sends calls to a Dask distributed scheduler (``--scheduler ADDRESS``).
  The scheduler retries a call whose worker died; one that kills several workers comes back as
  ``KilledWorker``.

What a call raises reaches the caller as it is (an ``InvariantError`` stays one). A call whose
process died, or that the cluster gave up on, yields a :class:`WorkerLost` instead of a result;
a call lost with the connection to a cluster yields nothing. :func:`gather` turns both into an
error for callers that need every result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import signal
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, Self

from simulation.errors import FraudsimError

__all__ = [
    "DaskExecutor",
    "Executor",
    "PoolExecutor",
    "SerialExecutor",
    "WorkerLost",
    "default_workers",
    "gather",
    "make_executor",
]

Call = tuple[Any, ...]
"""The positional arguments of one call."""


@dataclasses.dataclass(frozen=True)
class WorkerLost:
    """Yielded instead of a result when the process running a call was lost.

    Attributes:
        kind: ``"WorkerDied"`` (a local worker crashed, was killed or ran out of memory),
            ``"KilledWorker"`` (the call killed several Dask workers) or the type of the error
            that kept its result from coming back.
        message: what happened, for people.
    """

    kind: str
    message: str


class Executor(Protocol):
    """Runs calls and yields their results as they finish.

    Executors are context managers: entering acquires what they need (a cluster connection),
    so that a wrong address is reported before anything is written; leaving releases it.
    """

    description: str

    def __enter__(self) -> Self:
        """Acquire what the executor needs."""
        ...

    def __exit__(self, *exc_info: object) -> None:
        """Release it."""
        ...

    def map_unordered(
        self, fn: Callable[..., Any], calls: Sequence[Call]
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index into calls, fn(*calls[index]) or WorkerLost)`` as calls finish.

        Args:
            fn: a module-level function (workers import it by name).
            calls: the arguments of each call.

        Raises:
            Exception: whatever a call raised; calls still in flight are stopped.
        """
        ...


def default_workers() -> int:
    """CPUs this process may use (affinity-aware where the platform tells), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for the command-line options ``--workers`` and ``--scheduler``.

    Args:
        workers: local worker processes; ``None`` uses every CPU; 1 runs serially here.
        scheduler: a Dask scheduler address; then ``workers`` must be ``None``.

    Returns:
        The executor (not yet entered).

    Raises:
        FraudsimError: a bad value or combination.
    """
    if scheduler is not None:
        if workers is not None:
            raise FraudsimError(
                "--workers and --scheduler both given: with a scheduler the cluster's workers "
                "do the runs"
            )
        if not scheduler.strip():
            raise FraudsimError("--scheduler needs an address, e.g. tcp://127.0.0.1:8786")
        return DaskExecutor(scheduler.strip())
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise FraudsimError(f"The 'workers' parameter must be an integer >= 1. Got {workers!r}.")
    return SerialExecutor() if workers == 1 else PoolExecutor(workers)


def gather(
    executor: Executor,
    fn: Callable[..., Any],
    calls: Sequence[Call],
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """Every call's result, in the order of ``calls``.

    Args:
        executor: where to run (entered).
        fn: a module-level function.
        calls: the arguments of each call.
        on_result: called with the index and result of each call as it finishes.

    Returns:
        ``fn(*call)`` for each call.

    Raises:
        FraudsimError: a call's worker was lost, or its result never came back.
        Exception: whatever a call raised.
    """
    results: dict[int, Any] = {}
    for index, result in executor.map_unordered(fn, calls):
        if isinstance(result, WorkerLost):
            raise FraudsimError(f"a run was lost ({result.kind}): {result.message}")
        results[index] = result
        if on_result is not None:
            on_result(index, result)
    if len(results) < len(calls):
        raise FraudsimError(
            f"{len(calls) - len(results)} of {len(calls)} runs never came back (the connection "
            "to the cluster was lost)"
        )
    return [results[i] for i in range(len(calls))]


class SerialExecutor:
    """One call after another, in this process."""

    description = "serial, in this process"

    def __enter__(self) -> Self:
        """Nothing to set up."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Nothing to tear down."""

    def map_unordered(
        self, fn: Callable[..., Any], calls: Sequence[Call]
    ) -> Iterator[tuple[int, Any]]:
        """See :meth:`Executor.map_unordered`."""
        for index, call in enumerate(calls):
            yield index, fn(*call)


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group: let only the parent react (it stops the
    # workers), rather than every worker printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PoolExecutor:
    """A local pool of ``workers`` processes, started with ``spawn`` when first needed.

    Args:
        workers: the most worker processes (>= 1).
    """

    def __init__(self, workers: int) -> None:
        """Remember the pool size; processes start when calls are given."""
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise FraudsimError(
                f"The 'workers' parameter must be an integer >= 1. Got {workers!r}."
            )
        self.workers = workers
        self.description = f"local process pool, {workers} workers"
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Self:
        """Nothing to set up: the pool starts with the first call."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Shut the pool down, waiting for its processes to exit."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _submit(self, fn: Callable[..., Any], call: Call) -> Future[Any]:
        if self._pool is None:
            # spawn: a fresh interpreter per worker, identical on Linux, macOS and Windows, and
            # safe with the parent's threads (fork is not). Chosen per pool, never globally.
            # Processes start on demand, so a small batch starts few.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return self._pool.submit(fn, *call)

    def _stop(self) -> None:
        """Stop the pool now, killing calls in flight."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:
            with contextlib.suppress(Exception):
                terminate()
        else:
            # Before 3.14 there is no public way: without this, shutdown (and the interpreter's
            # exit) would wait for the calls in flight to finish, minutes after a Ctrl-C.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def map_unordered(
        self, fn: Callable[..., Any], calls: Sequence[Call]
    ) -> Iterator[tuple[int, Any]]:
        """See :meth:`Executor.map_unordered`."""
        queue = deque(range(len(calls)))
        suspects: deque[int] = deque()  # in flight when a worker died: retried alone
        in_flight: dict[Future[Any], int] = {}
        size = max(1, min(self.workers, len(calls)))
        try:
            while queue or suspects or in_flight:
                # At most one call per worker in flight: few are lost with a dead worker, and
                # after a death the suspects run one at a time to find the culprit.
                limit = 1 if suspects else size
                while len(in_flight) < limit and (suspects or queue):
                    index = (suspects or queue).popleft()
                    in_flight[self._submit(fn, calls[index])] = index
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True  # handled with the others below
                        continue
                    yield in_flight.pop(future), result
                if broken:
                    yield from self._after_a_death(in_flight, suspects)
        finally:
            if in_flight:  # stopped early (an error, Ctrl-C, the caller gave up): kill them
                self._stop()

    def _after_a_death(
        self, in_flight: dict[Future[Any], int], suspects: deque[int]
    ) -> Iterator[tuple[int, Any]]:
        """Sort out the calls in flight when the pool broke; start a new pool later."""
        lost = []
        for future, index in list(in_flight.items()):
            if future.done() and not future.cancelled() and future.exception() is None:
                yield index, future.result()  # finished just before the pool broke
            else:
                lost.append(index)
        in_flight.clear()
        self._stop()
        if len(lost) == 1:
            # It ran alone (or was the only one left): it is the one that died.
            yield (
                lost[0],
                WorkerLost(
                    "WorkerDied",
                    "the worker process running it died (crashed, killed, or out of memory)",
                ),
            )
        else:
            suspects.extend(sorted(lost))


@dataclasses.dataclass(frozen=True)
class _Raised:
    """What a call raised on a Dask worker, brought back as a result."""

    error: BaseException


def _guarded(fn: Callable[..., Any], *args: Any) -> Any:
    # Runs on the worker: the call's own error comes back as data, so that any exception the
    # parent sees from the future is the cluster's (a result that could not come back).
    try:
        return fn(*args)
    except Exception as exc:
        return _Raised(exc)


def _held(value: Any) -> Any:
    """A task returning its argument: a value many calls share, held on the cluster."""
    return value


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

    def __enter__(self) -> Self:
        """Connect to the scheduler.

        Raises:
            FraudsimError: Dask distributed is not installed or the scheduler cannot be
                reached.
        """
        try:
            from distributed import Client  # noqa: PLC0415  (an optional dependency)
        except ImportError:
            raise FraudsimError(
                "--scheduler needs Dask distributed, which is not installed: "
                "pip install 'fraudsim[sweep]'"
            ) from None
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise FraudsimError(
                f"cannot reach the Dask scheduler at {self.address}: {exc}"
            ) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Disconnect (calls still queued for this client are cancelled by the scheduler)."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def map_unordered(
        self, fn: Callable[..., Any], calls: Sequence[Call]
    ) -> Iterator[tuple[int, Any]]:
        """See :meth:`Executor.map_unordered`."""
        from distributed import as_completed  # noqa: PLC0415
        from distributed.scheduler import KilledWorker  # noqa: PLC0415

        client = self._client
        if client is None:
            raise RuntimeError("DaskExecutor.map_unordered needs `with executor:` around it")
        futures = []
        try:
            by_key = {}
            for index, call in enumerate(self._share(client, calls)):
                future = client.submit(
                    _guarded, fn, *call, key=f"{fn.__name__}-{uuid.uuid4().hex}", pure=False
                )
                futures.append(future)
                by_key[future.key] = index
            for future in as_completed(futures, loop=client.loop):
                index = by_key[future.key]
                try:
                    result = future.result()
                except KilledWorker as exc:
                    result = WorkerLost("KilledWorker", str(exc))
                except (CancelledError, OSError):
                    continue  # lost with the connection: nothing to report
                except Exception as exc:  # e.g. the arguments cannot be unpickled there
                    result = WorkerLost(type(exc).__qualname__, str(exc))
                finally:
                    future.release()
                if isinstance(result, _Raised):
                    raise result.error
                yield index, result
        finally:
            with contextlib.suppress(Exception):
                client.cancel([f for f in futures if not f.done()])

    @staticmethod
    def _share(client: Any, calls: Sequence[Call]) -> list[Call]:
        """Calls in which each argument shared by several goes to the cluster once.

        Shared values (a sweep's scenario, used by all its runs) travel as the result of a task
        rather than as scattered data: the scheduler can recompute a task's result when the
        worker holding it dies, but scattered data would be lost, and every call with it.
        """
        uses = Counter(id(arg) for call in calls for arg in call)
        held: dict[int, Any] = {}

        def ship(arg: Any) -> Any:
            if uses[id(arg)] < 2 or isinstance(arg, int | float | str | bool | None):
                return arg
            if id(arg) not in held:
                held[id(arg)] = client.submit(
                    _held, arg, key=f"fraudsim-shared-{uuid.uuid4().hex}", pure=False
                )
            return held[id(arg)]

        out = [tuple(ship(arg) for arg in call) for call in calls]
        return out
