"""The sweep driver: plan what is left to do, hand it to an executor, store results as they come.

:func:`execute_sweep` is what ``fraudsim sweep`` calls; :func:`run_sweep` is the same for
Python, returning the tidy daily table. Both:

1. check the options and the output directory, take its lock (one sweep per directory), and
   refuse a directory that holds a different sweep;
2. remove leftover temporary files, find the runs already finished (all four parts readable)
   and remove unreadable parts;
3. write ``sweep.json`` (status ``running``) before any run starts;
4. give the remaining runs to the executor (:mod:`experiments.executors`), each a call of
   :func:`execute_run`, and write each outcome the moment it arrives: the run's four parts,
   or ``failures/<run_id>.json``;
5. whatever happens (all done, failures, Ctrl-C, a crash of the driver's own code), update
   ``sweep.json`` with the status and counts.

Running the same command again resumes: finished runs are skipped, failed and missing ones are
run again. A sweep may also be extended (more seeds, scenarios or points) into the same
directory: runs are identified by their inputs, so the finished ones are kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import socket
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.sweeps import FAILURES_DIR, SWEEP_FORMAT, TABLES, load_sweep
from experiments.executors import WorkerLost, make_executor
from experiments.provenance import provenance, utc_now
from experiments.sweep.design import RunSpec
from experiments.sweep.spec import SweepError, SweepSpec, load_sweep_spec
from experiments.sweep.store import SweepStore
from simulation.config import ScenarioConfig
from simulation.progress import progress_bar

__all__ = [
    "FAULT_ENV",
    "RunEvent",
    "RunOutcome",
    "SweepReport",
    "SweepWarning",
    "execute_run",
    "execute_sweep",
    "run_sweep",
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


def execute_run(run: RunSpec, scenario: ScenarioConfig) -> RunOutcome:
    """Run one run of a sweep and return its tables; never raises for a failing run.

    This is what executors call, in whatever process runs the run. It applies the run's
    parameter values to its scenario (:meth:`ScenarioConfig.with_overrides`), runs it with
    :func:`experiments.runs.run_scenario`, and puts the identifying columns ``run_id``,
    ``scenario``, ``seed`` and one column per varied parameter (named by its dotted key) first
    in every table. An exception becomes data (type, message, traceback), so that it crosses
    process boundaries intact and one failing run never stops the others.

    Args:
        run: the run.
        scenario: the run's resolved scenario with the sweep's ``set`` values.

    Returns:
        The outcome: tables, or the error that stopped the run.
    """
    started = time.perf_counter()
    try:
        _inject_fault(run.run_id)
        # Imported here: the driver process of a pool or cluster sweep never builds a model.
        from experiments.runs import run_scenario  # noqa: PLC0415

        config = scenario
        if run.params:
            config = scenario.with_overrides(run.params, f"{run.scenario} (run {run.run_id})")
        result = run_scenario(config, run.seed)
        frames = {"daily": result.daily, **result.tables}
        ids: dict[str, Any] = {"run_id": run.run_id, "scenario": run.scenario, "seed": run.seed}
        ids.update(run.params)
        for frame in frames.values():
            for position, (column, value) in enumerate(ids.items()):
                frame.insert(position, column, value)
            frame["seed"] = frame["seed"].astype("int64")
    except Exception as exc:  # any failure of one run is recorded, never fatal
        error = {
            "type": type(exc).__qualname__,
            "message": str(exc),
            "traceback": traceback.format_exc(),
        }
        return RunOutcome(run.run_id, None, error, time.perf_counter() - started, _worker_name())
    return RunOutcome(run.run_id, frames, None, time.perf_counter() - started, _worker_name())


def _lost(run: RunSpec, lost: WorkerLost) -> RunOutcome:
    message = lost.message
    if lost.kind == "WorkerDied":
        message += "; it is retried when the sweep is run again"
    return RunOutcome(
        run.run_id, None, {"type": lost.kind, "message": message, "traceback": ""}, 0.0, "?"
    )


class SweepWarning(UserWarning):
    """Something about a sweep worth knowing that does not stop it (failed runs, new code)."""


@dataclasses.dataclass(frozen=True)
class RunEvent:
    """Told to ``on_result`` after each run is stored.

    Attributes:
        run: the run.
        ok: whether it finished (its parts are written) or failed (its failure is recorded).
        error_type: the failure's exception type, or ``None``.
        seconds: the run's wall time, in seconds.
        n_finished: finished runs of the sweep so far, this one included.
        n_runs: runs in the sweep.
    """

    run: RunSpec
    ok: bool
    error_type: str | None
    seconds: float
    n_finished: int
    n_runs: int


@dataclasses.dataclass(frozen=True)
class SweepReport:
    """What a sweep session did.

    Attributes:
        name: the sweep's name.
        out_dir: the output directory.
        plan: ``scenarios x points x seeds = runs``.
        n_runs: runs in the sweep.
        n_finished_before: runs already finished when the session started.
        n_finished: runs finished now (all sessions).
        failures: this session's failed runs: ``run_id``, ``scenario``, ``seed``, ``type``,
            ``message``.
        n_missing: runs neither finished nor failed (lost with a worker or the connection).
        executor: which executor ran the session.
        status: ``complete`` or ``incomplete``.
        wall_time_seconds: the session's duration.
        n_cleaned: leftover temporary files and unreadable parts removed at the start.
    """

    name: str
    out_dir: str
    plan: str
    n_runs: int
    n_finished_before: int
    n_finished: int
    failures: tuple[dict[str, Any], ...]
    n_missing: int
    executor: str
    status: str
    wall_time_seconds: float
    n_cleaned: int

    @property
    def exit_code(self) -> int:
        """0 if every run of the sweep has finished, else 1."""
        return 0 if self.n_finished == self.n_runs else 1

    def format(self) -> str:
        """A summary for the terminal."""
        ran = self.n_finished - self.n_finished_before
        lines = [
            f"{self.name}: {self.plan}; {self.executor}; {self.wall_time_seconds:.1f} s",
            (
                f"finished: {self.n_finished:,} of {self.n_runs:,} "
                f"({ran:,} in this session, {self.n_finished_before:,} before)"
            ),
        ]
        if self.n_cleaned:
            lines.append(f"cleaned: {self.n_cleaned} leftover temporary or unreadable files")
        if self.failures:
            lines.append(
                f"failed: {len(self.failures):,} (records in "
                f"{os.path.join(self.out_dir, FAILURES_DIR)}/)"
            )
            for failure in self.failures[:5]:
                message = failure["message"].splitlines()[0] if failure["message"] else ""
                lines.append(
                    f"  {failure['run_id']} ({failure['scenario']}, seed {failure['seed']}): "
                    f"{failure['type']}: {message[:150]}"
                )
            if len(self.failures) > 5:
                lines.append(f"  ... and {len(self.failures) - 5} more")
        if self.n_missing:
            lines.append(f"missing: {self.n_missing:,} (their worker or the connection was lost)")
        lines.append(f"results: {self.out_dir} (read them with analysis.sweeps.load_sweep)")
        if self.exit_code:
            lines.append(
                "not every run succeeded (exit status 1): run the same command again to retry "
                "the failed and missing runs; finished runs are kept"
            )
        return "\n".join(lines)


def _manifest(
    spec: SweepSpec, previous: dict[str, Any] | None, session: dict[str, Any]
) -> dict[str, Any]:
    runs = []
    for run in spec.runs:
        scale, population, residents = spec.run_scale(run)
        runs.append(
            {
                "run_id": run.run_id,
                "scenario": run.scenario,
                "seed": run.seed,
                "point": run.point_index,
                "params": run.params,
                "scale": scale,
                "population_national": population,
                "n_residents": residents,
            }
        )
    return {
        "format": SWEEP_FORMAT,
        "name": spec.name,
        "description": spec.description,
        "status": "running",
        "created_utc": previous["created_utc"] if previous else session["started_utc"],
        "updated_utc": session["started_utc"],
        "spec": {
            "file": spec.source,
            "text": spec.text,
            "data": spec.data,
            "overrides": spec.overrides,
        },
        "plan": spec.describe(),
        "layout": {
            "tables": {table: f"{table}/run_id=<run_id>.parquet" for table in TABLES},
            "failures": f"{FAILURES_DIR}/<run_id>.json",
        },
        "units": "model (multiply counts and money by a run's scale for national equivalents; "
        "per 100,000 residents: value / n_residents * 100000)",
        "seeds": list(spec.seeds),
        "set": spec.set,
        "parameters": list(spec.parameters),
        "points": list(spec.points),
        "sample": spec.sample,
        "scenarios": [
            {
                "name": entry.name,
                "file": entry.file,
                "scale": entry.scale,
                "population_national": entry.population_national,
                "n_residents": entry.n_residents,
                "sha256": entry.sha256,
                "toml": entry.toml,
            }
            for entry in spec.scenarios
        ],
        "runs": runs,
        "counts": {},
        "versions": session["versions"],
        "platform": session["platform"],
        "git": session["git"],
        "sessions": [*(previous or {}).get("sessions", []), session],
    }


def _check_same_sweep(previous: dict[str, Any], spec: SweepSpec, out: str) -> bool:
    """Refuse a directory holding another sweep; return whether this one extends it."""
    before = {r["run_id"] for r in previous.get("runs", [])}
    now = {r.run_id for r in spec.runs}
    if before <= now:
        return len(now) > len(before)
    stray = len(before - now)
    raise SweepError.single(
        out,
        None,
        f"holds another sweep ({previous.get('name')!r}; {stray:,} of its {len(before):,} runs "
        "are not in this one): the sweep file, a scenario it names or the model's defaults "
        "changed since it started",
        allowed="the same sweep (to resume) or one with more runs (to extend it); otherwise "
        "use another --out directory, or delete this one to start over",
    )


def _warn_if_code_changed(previous: dict[str, Any] | None, session: dict[str, Any]) -> None:
    if not previous or not previous.get("sessions"):
        return
    last = previous["sessions"][-1]
    if last.get("code_sha256") == session["code_sha256"]:
        return
    old = (last.get("versions") or {}).get("fraudsim"), (last.get("git") or {}).get("commit")
    new = session["versions"].get("fraudsim"), session["git"].get("commit")
    warnings.warn(
        f"the model's code changed since this sweep's last session (fraudsim {old[0]}, commit "
        f"{old[1]}; now fraudsim {new[0]}, commit {new[1]}"
        f"{' with uncommitted changes' if session['git'].get('dirty') else ''}): runs finished "
        "before and runs finished now may differ for that reason alone; use a new --out to "
        "recompute everything with this code",
        SweepWarning,
        stacklevel=3,
    )


def execute_sweep(
    spec: SweepSpec,
    out_dir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    on_result: Callable[[RunEvent], None] | None = None,
) -> SweepReport:
    """Run (or resume) a sweep into ``out_dir`` and report what happened.

    Args:
        spec: the sweep (see :func:`experiments.sweep.load_sweep_spec`).
        out_dir: the output directory; created if missing. Running again with the same
            directory resumes.
        workers: local worker processes; ``None`` uses every CPU; 1 runs serially in this
            process. Not with ``scheduler``.
        scheduler: address of a Dask distributed scheduler to send the runs to.
        progress: show a progress bar (runs, failures, ETA) on stderr.
        on_result: called after each run is stored (for notebooks and tests; an exception
            raised there stops the sweep like Ctrl-C would, losing no stored run).

    Returns:
        The session's report; ``report.exit_code`` is 0 only if every run has finished.

    Raises:
        FraudsimError: bad executor options, or no Dask scheduler at ``scheduler``.
        SweepError: a directory holding another sweep or in use by another sweep.
        OutputError: if ``out_dir`` cannot be written.
        KeyboardInterrupt: when interrupted; ``sweep.json`` then says ``interrupted`` and
            every run stored so far is kept.
    """
    executor = make_executor(workers, scheduler)  # option mistakes before touching the disk
    store = SweepStore(out_dir)
    started = time.perf_counter()
    # The executor first: a wrong scheduler address should leave no directory behind.
    with executor, store.locked():
        previous = store.read_manifest()
        extended = _check_same_sweep(previous, spec, store.display) if previous else False
        cleaned = store.clean_temporary()
        done, removed = store.scan(r.run_id for r in spec.runs)
        cleaned += removed
        store.drop_failures(done)
        n_before = len(done)
        todo = [run for run in spec.runs if run.run_id not in done]
        record = provenance()
        session: dict[str, Any] = {
            "started_utc": record.pop("created_utc"),
            "finished_utc": None,
            "executor": executor.description,
            "host": platform.node(),
            "pid": os.getpid(),
            **record,
            "extended": extended,
            "runs_to_do": len(todo),
            "status": "running",
        }
        _warn_if_code_changed(previous, session)
        manifest = _manifest(spec, previous, session)
        manifest["counts"] = _counts(spec, done, set(), n_before)
        store.write_manifest(manifest)

        # Each run's scenario travels as the validated config itself; a run's parameter values
        # are applied where it runs.
        calls = [(run, spec.scenarios[run.scenario_index].config) for run in todo]
        failures: list[dict[str, Any]] = []
        failed_ids: set[str] = set()
        status = "interrupted"
        bar = progress_bar(
            enabled=progress, total=spec.n_runs, initial=n_before, desc=spec.name, unit="run"
        )
        bar.set_postfix(failed=0, refresh=False)
        finished_normally = False
        try:
            with contextlib.closing(executor.map_unordered(execute_run, calls)) as outcomes:
                for index, result in outcomes:
                    run = todo[index]
                    outcome = _lost(run, result) if isinstance(result, WorkerLost) else result
                    _store_outcome(store, spec, run, outcome, failures)
                    if outcome.ok:
                        done.add(run.run_id)
                    else:
                        failed_ids.add(run.run_id)
                    bar.update(1)
                    bar.set_postfix(failed=len(failures))
                    if on_result is not None:
                        on_result(
                            RunEvent(
                                run=run,
                                ok=outcome.ok,
                                error_type=outcome.error["type"] if outcome.error else None,
                                seconds=outcome.seconds,
                                n_finished=len(done),
                                n_runs=spec.n_runs,
                            )
                        )
            status = "complete" if len(done) == spec.n_runs else "incomplete"
            finished_normally = True
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except BaseException:
            status = "stopped by an error in the driver"
            raise
        finally:
            bar.close()
            session.update(finished_utc=utc_now(), status=status)
            manifest.update(
                status=status,
                updated_utc=session["finished_utc"],
                counts=_counts(spec, done, failed_ids, n_before),
            )
            manifest["sessions"][-1] = session
            try:
                store.write_manifest(manifest)
            except Exception:
                if finished_normally:
                    raise
                # Another exception is already on its way out; do not hide it behind this one.
    return SweepReport(
        name=spec.name,
        out_dir=store.display,
        plan=spec.describe(),
        n_runs=spec.n_runs,
        n_finished_before=n_before,
        n_finished=len(done),
        failures=tuple(failures),
        n_missing=spec.n_runs - len(done) - len(failed_ids),
        executor=executor.description,
        status=status,
        wall_time_seconds=time.perf_counter() - started,
        n_cleaned=cleaned,
    )


def _counts(spec: SweepSpec, done: set[str], failed: set[str], before: int) -> dict[str, int]:
    return {
        "runs": spec.n_runs,
        "finished": len(done),
        "finished_before_this_session": before,
        "failed_this_session": len(failed),
        "missing": spec.n_runs - len(done) - len(failed),
    }


def _store_outcome(
    store: SweepStore,
    spec: SweepSpec,
    run: RunSpec,
    outcome: RunOutcome,
    failures: list[dict[str, Any]],
) -> None:
    scale, population, residents = spec.run_scale(run)
    identity = {
        "sweep": spec.name,
        "scenario": run.scenario,
        "seed": run.seed,
        "params": run.params,
        "scale": scale,
        "population_national": population,
        "n_residents": residents,
        "seconds": round(outcome.seconds, 3),
        "worker": outcome.worker,
        "created_utc": utc_now(),
    }
    if outcome.ok:
        assert outcome.frames is not None  # ok means frames, by construction
        store.write_run(run.run_id, outcome.frames, identity)
        return
    error = outcome.error or {}
    store.write_failure(run.run_id, {**identity, "error": error})
    failures.append(
        {
            "run_id": run.run_id,
            "scenario": run.scenario,
            "seed": run.seed,
            "type": error.get("type", "?"),
            "message": error.get("message", ""),
        }
    )


def run_sweep(
    spec_or_path: SweepSpec | str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    on_result: Callable[[RunEvent], None] | None = None,
) -> pd.DataFrame:
    """Run (or resume) a sweep and return its daily table as one tidy frame.

    Args:
        spec_or_path: a :class:`SweepSpec` or the path of a sweep file.
        out_dir: the output directory (see :func:`execute_sweep`).
        workers: local worker processes (``None``: every CPU; 1: serially in this process).
        scheduler: address of a Dask distributed scheduler, instead of local workers.
        progress: show a progress bar on stderr.
        on_result: called after each run is stored.

    Returns:
        ``load_sweep(out_dir, "daily")``: one row per finished run and date, with ``run_id``,
        ``scenario``, ``seed`` and one column per varied parameter first. If some runs failed
        or are missing a :class:`SweepWarning` says so and they are absent from the frame.

    Raises:
        SweepError: an invalid sweep file or options (see :func:`execute_sweep`).
        OutputError: if ``out_dir`` cannot be written.
    """
    spec = spec_or_path if isinstance(spec_or_path, SweepSpec) else load_sweep_spec(spec_or_path)
    report = execute_sweep(
        spec,
        out_dir,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        on_result=on_result,
    )
    if report.exit_code:
        warnings.warn(
            f"sweep {report.name!r}: {report.n_finished:,} of {report.n_runs:,} runs finished, "
            f"{len(report.failures):,} failed, {report.n_missing:,} missing; run it again to "
            f"retry them (failures are recorded in {os.path.join(report.out_dir, FAILURES_DIR)})",
            SweepWarning,
            stacklevel=2,
        )
    return load_sweep(out_dir, "daily")
