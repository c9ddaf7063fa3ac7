"""Performance benchmarks of fraudsim, against the naive one-object-per-resident way (issue 6).

Every measurement runs in a fresh Python subprocess, so its peak memory is its own and no
import, cache or allocator state carries over from one measurement to the next. The parent
process imports nothing heavy; it starts each child, waits for it with ``os.wait4`` (whose
resource usage is that child's alone: peak RSS, user and system CPU time) and collects the
JSON line the child prints.

Parts (``--parts``, default ``headline,doubling,fixed_events,sweep,naive,phases``):

``headline``
    The scenario (default ``scenarios/baseline.toml``) over ``--start``..``--end`` (default
    2020-01-01..2021-12-31, two simulated years plus the scenario's burn-in) at each of
    ``--scales`` (default 1000 and 100: 1.41 M and 14.1 M residents; ``--national-tenth`` adds
    scale 10, 141 M residents, if at least 20 GiB of memory is available). Wall time split
    into scenario loading, build and run; CPU time; resident-days per second (residents x
    simulated days *including* the burn-in, over the run time); peak RSS per resident; the
    model's own resident arrays per resident (``model.residents.nbytes()``).
``doubling``
    The same run at ``--doubling-scales`` (default 8000, 4000, 2000, 1000, 500: the
    population doubles at each step): seconds per simulated day and the exponent of a
    least-squares fit of log(time per day) on log(residents). The model is a miniature, so
    gangs, contacts and cases double with the residents: the day's work grows with them.
``fixed_events``
    Residents doubling with the day's events held fixed: ``run.population_national`` times
    ``--fixed-events-factors`` (default 0.25, 0.5, 1, 2, 4) at ``--fixed-events-scale``
    (default 1000); the national numbers of gangs, brokers and police stay, so the residents
    double but the gangs and their contacts do not. This is the test of "a day costs work in
    proportion to what happens that day, not to the population".
``sweep``
    Sweep throughput, runs per minute, with ``--sweep-workers`` (default 1 and 2) for a small
    sweep of ``--sweep-runs`` seeds at ``--sweep-scale``, through ``experiments.sweep.run_sweep``
    when ``experiments/sweep/__init__.py`` exists, else through a ``ProcessPoolExecutor`` with
    the ``spawn`` context over ``FraudModel`` runs (``--sweep-backend`` chooses; ``both``
    measures both).
``naive``
    The naive reference (``benchmarks/naive_mesa.py``): one ``mesa.Agent`` per resident,
    ``shuffle_do("step")`` every day, ``--naive-residents`` residents for ``--naive-days``
    days; resident-days per second, and the ratio of the real model's (at scale 1000, the
    first headline scale otherwise) to it.
``phases``
    Where a day's time goes: the scenario at ``--phases-scale`` (default 1000) for six months
    with every lever of the baseline on (``--phases-start``..``--phases-end``, default
    2021-07-01..2021-12-31, after the scenario's burn-in), with every phase method of the
    model timed.
``profile``
    (not in the default) The same run under ``cProfile``; the top functions by own time.

Results: a table on stdout, and ``PREFIX.json`` and ``PREFIX.md`` (``--out PREFIX``, default
``benchmarks/results/<today>``). ``--quick`` shrinks every size for a smoke check.

Example::

    .venv/bin/python benchmarks/run_benchmarks.py                   # the issue's figures
    .venv/bin/python benchmarks/run_benchmarks.py --national-tenth  # and 141 M residents
    .venv/bin/python benchmarks/run_benchmarks.py --quick --out /tmp/bench
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import itertools
import json
import math
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "baseline.toml"
GIB = 1024**3
MIB = 1024**2
PARTS = ("headline", "doubling", "fixed_events", "sweep", "naive", "phases", "profile")
DEFAULT_PARTS = ("headline", "doubling", "fixed_events", "sweep", "naive", "phases")
TENTH_SCALE = 10.0
TENTH_MIN_AVAILABLE_BYTES = 20 * GIB
# A rough upper bound on what a run needs, to skip runs that cannot fit rather than swap: peak
# RSS per resident (arrays and their temporaries while residents are drawn; about twice the
# 42 bytes measured at 1.41 M residents) plus the interpreter and libraries.
EST_BYTES_PER_RESIDENT = 80
EST_BYTES_FIXED = 1 * GIB
# Children run on one thread: the targets are for one core.
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}

#: The issue's targets (issue 6).
TARGETS = {
    "scale_1000_seconds": 5.0,  # 1.41 M residents, 2 years, one core
    "scale_100_seconds": 60.0,  # 14.1 M residents, 2 years
    "scale_100_bytes_per_resident": 100.0,
    "scale_10_peak_bytes": 24 * GIB,  # 141 M residents fit in 24 GiB and run
    "naive_ratio": 1000.0,
}

QUICK = {
    "scales": [20000.0],
    "doubling_scales": [40000.0, 20000.0, 10000.0],
    "fixed_events_scale": 20000.0,
    "fixed_events_factors": [0.5, 1.0, 2.0],
    "sweep_runs": 2,
    "sweep_scale": 20000.0,
    "naive_residents": 10_000,
    "naive_days": 5,
    "phases_scale": 20000.0,
}
FULL = {
    "scales": [1000.0, 100.0],
    "doubling_scales": [8000.0, 4000.0, 2000.0, 1000.0, 500.0],
    "fixed_events_scale": 1000.0,
    "fixed_events_factors": [0.25, 0.5, 1.0, 2.0, 4.0],
    "sweep_runs": 8,
    "sweep_scale": 5000.0,
    "naive_residents": 100_000,
    "naive_days": 30,
    "phases_scale": 1000.0,
}


# =============================================================================== machine
def _meminfo() -> dict[str, int]:
    """``/proc/meminfo`` in bytes (empty where there is none)."""
    out: dict[str, int] = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                key, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    out[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    except OSError:
        pass
    return out


def available_memory_bytes() -> int | None:
    """Memory available for new processes without swapping (``MemAvailable``), bytes."""
    return _meminfo().get("MemAvailable")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions() -> dict[str, str]:
    """Versions of the libraries the model rests on (read without importing them)."""
    out = {}
    for name in ("fraudsim", "numpy", "mesa", "pandas", "pyarrow", "pydantic"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git(*args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, load, Python and library versions, and the git commit."""
    mem = _meminfo()
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu_model": _cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": usable,
        "ram_total_gib": round(mem.get("MemTotal", 0) / GIB, 2),
        "ram_available_gib": round(mem.get("MemAvailable", 0) / GIB, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        **_versions(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# =============================================================================== children
def run_child(spec: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return what it reported.

    The child is this script with ``--child SPEC``; it prints one JSON object on its last line
    of standard output. ``os.wait4`` gives this child's own resource usage, so ``peak_rss_bytes``
    is the peak of this run alone (``RUSAGE_CHILDREN`` would be the largest over every child so
    far).

    Args:
        spec: what to measure (``kind`` and its settings).
        timeout_s: wall seconds after which the child is killed.

    Returns:
        The child's figures plus ``peak_rss_bytes``, ``user_s``, ``sys_s``, ``process_wall_s``
        and ``load_before``; or ``{"error": ...}`` if it failed or timed out.
    """
    env = {**os.environ, **SINGLE_THREAD_ENV}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
        status, usage, timed_out = 0, None, False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout_s:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    measured = {
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports KiB
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "process_wall_s": wall,
        "load_before": round(load_before, 2),
    }
    if timed_out:
        return {"error": f"timed out after {timeout_s:.0f} s", **measured}
    lines = [x for x in stdout.strip().splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        lines = stderr.strip().splitlines() or ["(no message)"]
        return {
            "error": f"exit code {proc.returncode}: {lines[-1]}",
            "stderr_tail": "\n".join(lines[-20:]),
            **measured,
        }
    return {**json.loads(lines[-1]), **measured}


def _self_peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _overrides(spec: dict[str, Any]) -> list[str]:
    out = [
        f"run.scale={spec['scale']!r}",
        f"run.start={spec['start']}",
        f"run.end={spec['end']}",
    ]
    if spec.get("burn_in_days") is not None:
        out.append(f"run.burn_in_days={int(spec['burn_in_days'])}")
    if spec.get("population_national") is not None:
        out.append(f"run.population_national={int(spec['population_national'])}")
    return out


def child_model(spec: dict[str, Any]) -> dict[str, Any]:
    """In a child: load, build and run the model once; time each step.

    With ``spec["phases"]`` each phase method is timed; with ``spec["profile"]`` the run is
    profiled and the top functions by own time are returned.
    """
    # Imported here, not at the top, so that their import time is measured (and so that the
    # parent process stays light).
    t0 = time.perf_counter()
    import numpy as np  # noqa: PLC0415

    from simulation.model import FraudModel  # noqa: PLC0415
    from simulation.scenario import load_scenario  # noqa: PLC0415

    t1 = time.perf_counter()
    rss_after_import = _self_peak_rss()
    config = load_scenario(spec["scenario"], overrides=_overrides(spec))
    t2 = time.perf_counter()
    c2 = time.process_time()
    model = FraudModel(config, rng=int(spec["seed"]))
    t3 = time.perf_counter()
    c3 = time.process_time()
    rss_after_build = _self_peak_rss()
    gangs_at_start = len(model.gang_by_id)
    phase_s: dict[str, float] = {}
    if spec.get("phases"):
        names = [n for n in dir(FraudModel) if n.startswith("_phase_")]
        for name in [*names, "_reset_day", "_end_of_day"]:
            setattr(model, name, _timed(getattr(model, name), name, phase_s))
    profiler = None
    if spec.get("profile"):
        profiler = cProfile.Profile()
        profiler.enable()
    model.run()
    if profiler is not None:
        profiler.disable()
    t4 = time.perf_counter()
    c4 = time.process_time()
    daily = model.daily_frame()
    n_residents = model.residents.n
    simulated_days = config.run.burn_in_days + model.n_days
    result = {
        "scale": config.run.scale,
        "residents": n_residents,
        "reported_days": model.n_days,
        "burn_in_days": config.run.burn_in_days,
        "simulated_days": simulated_days,
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "build_s": t3 - t2,
        "run_s": t4 - t3,
        "build_cpu_s": c3 - c2,
        "run_cpu_s": c4 - c3,
        "resident_days_per_s": n_residents * simulated_days / (t4 - t3),
        "resident_days_per_cpu_s": n_residents * simulated_days / max(c4 - c3, 1e-9),
        "s_per_day": (t4 - t3) / simulated_days,
        "cpu_s_per_day": (c4 - c3) / simulated_days,
        "residents_array_bytes": model.residents.nbytes(),
        "rss_after_import_bytes": rss_after_import,
        "rss_after_build_bytes": rss_after_build,
        "peak_rss_self_bytes": _self_peak_rss(),
        "gangs_at_start": gangs_at_start,
        "gangs_mean": float(daily["gangs_active"].mean()) if len(daily) else 0.0,
        "contacts_per_day": float(daily["contacts"].mean()) if len(daily) else 0.0,
        "engagements_per_day": float(daily["engagements"].mean()) if len(daily) else 0.0,
        "cases": float(daily["cases"].sum()),
        "loss_yuan": float(daily["loss_yuan"].sum()),
        "numpy": np.__version__,
    }
    if phase_s:
        result["phase_s"] = phase_s
    if profiler is not None:
        result["profile_top"] = _profile_top(profiler, int(spec.get("profile_top", 20)))
    return result


def _timed(method: Any, name: str, totals: dict[str, float]) -> Any:
    """``method`` wrapped so that its wall seconds add up in ``totals[name]``."""
    clock = time.perf_counter

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return method(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + clock() - start

    return wrapper


def _profile_top(profiler: Any, n: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, func), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        where = file
        for marker in ("site-packages" + os.sep, str(ROOT) + os.sep, "lib" + os.sep + "python"):
            if marker in where:
                where = where.split(marker, 1)[1]
                if marker.startswith("lib"):  # the standard library: drop "3.12/"
                    where = where.split(os.sep, 1)[-1]
                break
        rows.append(
            {
                "function": f"{where}:{line}({func})",
                "calls": calls,
                "own_s": own,
                "cumulative_s": cumulative,
            }
        )
    rows.sort(key=lambda r: r["own_s"], reverse=True)
    return rows[:n]


def child_naive(spec: dict[str, Any]) -> dict[str, Any]:
    """In a child: the naive one-object-per-resident model (``benchmarks/naive_mesa.py``)."""
    sys.path.insert(0, str(HERE))
    import naive_mesa  # noqa: PLC0415 (a sibling file, not a package)

    return naive_mesa.measure(
        int(spec["residents"]), int(spec["days"]), int(spec["seed"]), spec["scenario"]
    )


def _pool_run(job: tuple[str, list[str], int]) -> int:
    """One run of a pool sweep (top level, so ``spawn`` workers can import it)."""
    from simulation.model import FraudModel  # noqa: PLC0415
    from simulation.scenario import load_scenario  # noqa: PLC0415

    scenario, overrides, seed = job
    model = FraudModel(load_scenario(scenario, overrides=overrides), rng=seed)
    model.run()
    return len(model.daily_frame())


def child_sweep(spec: dict[str, Any]) -> dict[str, Any]:
    """In a child: a small sweep, through ``experiments.sweep`` or a spawn process pool."""
    # The model and the sweep machinery are imported before the clock starts, as they would
    # be in any program that runs a sweep; worker processes started by a pool import them
    # again, and that is counted (it is part of what a pool costs).
    import simulation.model  # noqa: F401, PLC0415
    from experiments.sweep import run_sweep  # noqa: PLC0415

    backend, workers, runs = spec["backend"], int(spec["workers"]), int(spec["runs"])
    with tempfile.TemporaryDirectory(prefix="fraudsim-bench-") as tmp:
        start = time.perf_counter()
        if backend == "sweep":
            sweep_file = Path(tmp) / "bench.toml"
            burn_in = (
                f', "run.burn_in_days" = {int(spec["burn_in_days"])}'
                if spec.get("burn_in_days") is not None
                else ""
            )
            sweep_file.write_text(
                f'name = "benchmark"\n'
                f"scenarios = [{json.dumps(str(Path(spec['scenario']).resolve()))}]\n"
                f"seeds = {runs}\n"
                f'set = {{ "run.scale" = {float(spec["scale"])!r}, '
                f'"run.start" = {spec["start"]}, "run.end" = {spec["end"]}{burn_in} }}\n',
                encoding="utf-8",
            )
            frame = run_sweep(sweep_file, Path(tmp) / "out", workers=workers)
            finished = int(frame["run_id"].nunique()) if len(frame) else 0
        else:
            jobs = [(spec["scenario"], _overrides(spec), seed) for seed in range(runs)]
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                finished = sum(1 for rows in pool.map(_pool_run, jobs) if rows)
        seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "backend": backend,
        "workers": workers,
        "runs": runs,
        "finished": finished,
        "seconds": seconds,
        "runs_per_minute": 60.0 * finished / seconds,
        "worker_peak_rss_bytes": children.ru_maxrss * 1024,
    }


def child_main(spec_json: str) -> int:
    """Entry point of a child process: measure and print one JSON line."""
    spec = json.loads(spec_json)
    kind = spec["kind"]
    if kind == "model":
        result = child_model(spec)
    elif kind == "naive":
        result = child_naive(spec)
    elif kind == "sweep":
        result = child_sweep(spec)
    else:
        raise ValueError(f"unknown child kind {kind!r}")
    print(json.dumps(result))
    return 0


# =============================================================================== parts
def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _residents(scale: float, population: float) -> int:
    return max(1, round(population / scale))


def _population_national(scenario: str) -> float:
    """``run.population_national`` of the scenario (the parent loads it once)."""
    from simulation.scenario import load_scenario  # noqa: PLC0415

    return float(load_scenario(scenario).run.population_national)


class Bench:
    """One benchmark session: settings, the measurements taken so far and their reports."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Keep the resolved options."""
        self.args = args
        self.population = _population_national(args.scenario)
        self.results: dict[str, Any] = {}
        self._model_cache: dict[tuple, dict[str, Any]] = {}

    # ------------------------------------------------------------------------- model runs
    def model_run(
        self,
        scale: float,
        *,
        label: str,
        guard_gib: float | None = None,
        population: int | None = None,
    ) -> dict:
        """Measure one run over the session's period (cached by scale and population).

        Args:
            scale: ``run.scale``.
            label: the part asking, for the log.
            guard_gib: skip unless at least this much memory is available.
            population: ``run.population_national`` (default: the scenario's).
        """
        a = self.args
        if population == self.population:
            population = None  # the scenario's own: share the cached run
        key = (scale, population, a.start, a.end, a.seed, a.burn_in_days)
        if key in self._model_cache:
            return self._model_cache[key]
        n = _residents(scale, population or self.population)
        available = available_memory_bytes()
        need = EST_BYTES_FIXED + EST_BYTES_PER_RESIDENT * n
        if guard_gib is not None:
            need = max(need, int(guard_gib * GIB))
        if available is not None and available < need:
            why = f"at least {guard_gib:g} GiB" if guard_gib is not None else "about"
            msg = (
                f"not run: {n:,} residents need {why} {need / GIB:.1f} GiB available, "
                f"{available / GIB:.1f} GiB is"
            )
            _log(f"[{label}] scale {scale:g}: {msg}")
            return {"scale": scale, "residents": n, "skipped": msg}
        _log(f"[{label}] scale {scale:g} ({n:,} residents) ...")
        spec = {
            "kind": "model",
            "scenario": a.scenario,
            "scale": scale,
            "start": a.start,
            "end": a.end,
            "burn_in_days": a.burn_in_days,
            "seed": a.seed,
            "population_national": population,
        }
        result = run_child(spec, a.timeout)
        result.setdefault("scale", scale)
        result["population_national"] = population or self.population
        result.setdefault("residents", n)
        if "error" not in result:
            result["bytes_per_resident_peak"] = result["peak_rss_bytes"] / n
            result["bytes_per_resident_net"] = (
                result["peak_rss_bytes"] - result["rss_after_import_bytes"]
            ) / n
            result["array_bytes_per_resident"] = result["residents_array_bytes"] / n
            _log(
                f"    build {result['build_s']:.2f} s, run {result['run_s']:.2f} s "
                f"(cpu {result['run_cpu_s']:.2f} s), peak {result['peak_rss_bytes'] / MIB:,.0f} MiB"
            )
        else:
            _log(f"    failed: {result['error']}")
        self._model_cache[key] = result
        return result

    def headline(self) -> None:
        """Wall time, throughput and memory at each headline scale."""
        rows = [self.model_run(s, label="headline") for s in self.args.scales]
        if self.args.national_tenth:
            rows.append(
                self.model_run(
                    TENTH_SCALE,
                    label="headline",
                    guard_gib=TENTH_MIN_AVAILABLE_BYTES / GIB,
                )
            )
        self.results["headline"] = rows

    def doubling(self) -> None:
        """Time per simulated day as the population doubles by scale, and the fitted exponent.

        The model is a miniature: halving the scale doubles the residents *and* the gangs,
        contacts and cases in model units, so the work of a day grows with it.
        """
        scales = sorted(self.args.doubling_scales, reverse=True)
        rows = [self.model_run(s, label="doubling") for s in scales]
        self.results["doubling"] = {"rows": rows, "fit": _fit(rows)}

    def fixed_events(self) -> None:
        """Time per simulated day as the residents double with the events held fixed.

        ``run.population_national`` is multiplied by each factor at a fixed scale; national
        counts (gangs, brokers, capacities) stay as they are, so the residents double while
        the gangs and their contacts do not: the day's cost should barely move.
        """
        a = self.args
        rows = [
            self.model_run(
                a.fixed_events_scale,
                label="fixed_events",
                population=round(self.population * f),
            )
            for f in sorted(a.fixed_events_factors)
        ]
        self.results["fixed_events"] = {
            "scale": a.fixed_events_scale,
            "factors": sorted(a.fixed_events_factors),
            "rows": rows,
            "fit": _fit(rows),
        }

    def sweep(self) -> None:
        """Runs per minute of a small sweep with each number of workers."""
        a = self.args
        backends = {
            "auto": [
                "sweep" if (ROOT / "experiments" / "sweep" / "__init__.py").exists() else "pool"
            ],
            "both": ["sweep", "pool"],
        }.get(a.sweep_backend, [a.sweep_backend])
        rows = []
        for backend in backends:
            for workers in a.sweep_workers:
                _log(
                    f"[sweep] {backend}, {workers} worker(s), {a.sweep_runs} runs at scale "
                    f"{a.sweep_scale:g} ..."
                )
                spec = {
                    "kind": "sweep",
                    "backend": backend,
                    "workers": workers,
                    "runs": a.sweep_runs,
                    "scale": a.sweep_scale,
                    "scenario": a.scenario,
                    "start": a.start,
                    "end": a.end,
                    "burn_in_days": a.burn_in_days,
                }
                row = run_child(spec, a.timeout)
                row.setdefault("backend", backend)
                row.setdefault("workers", workers)
                if "error" not in row:
                    _log(f"    {row['runs_per_minute']:.2f} runs/min")
                else:
                    _log(f"    failed: {row['error']}")
                rows.append(row)
        self.results["sweep"] = {
            "scale": a.sweep_scale,
            "residents": _residents(a.sweep_scale, self.population),
            "rows": rows,
        }

    def naive(self) -> None:
        """The naive reference and the ratio of the real model's throughput to it."""
        a = self.args
        _log(f"[naive] {a.naive_residents:,} resident agents, {a.naive_days} days ...")
        spec = {
            "kind": "naive",
            "residents": a.naive_residents,
            "days": a.naive_days,
            "seed": a.seed,
            "scenario": a.scenario,
        }
        naive = run_child(spec, a.timeout)
        out: dict[str, Any] = {"naive": naive}
        if "error" in naive:
            _log(f"    failed: {naive['error']}")
        else:
            naive["resident_days_per_cpu_s"] = (
                naive["residents"] * naive["days"] / max(naive["run_cpu_s"], 1e-9)
            )
            _log(f"    {naive['resident_days_per_s']:,.0f} resident-days/s")
            ref_scale = 1000.0 if 1000.0 in a.scales else a.scales[0]
            real = self.model_run(ref_scale, label="naive")
            if "error" not in real and "skipped" not in real:
                out["real_scale"] = ref_scale
                out["ratio_wall"] = real["resident_days_per_s"] / naive["resident_days_per_s"]
                out["ratio_cpu"] = (
                    real["resident_days_per_cpu_s"] / naive["resident_days_per_cpu_s"]
                )
            # The real model's cost follows events, not residents, so its throughput (and the
            # ratio) grows with the population: give the ratio at every headline scale run.
            out["ratio_by_scale"] = [
                {
                    "scale": r["scale"],
                    "residents": r["residents"],
                    "ratio_wall": r["resident_days_per_s"] / naive["resident_days_per_s"],
                    "ratio_cpu": r["resident_days_per_cpu_s"] / naive["resident_days_per_cpu_s"],
                }
                for r in self.results.get("headline", [])
                if "error" not in r and "skipped" not in r
            ]
        self.results["naive"] = out

    def phases(self, *, profile: bool = False) -> None:
        """Seconds per phase of the day (or a cProfile) at the phases scale."""
        a = self.args
        label = "profile" if profile else "phases"
        _log(f"[{label}] scale {a.phases_scale:g}, {a.phases_start}..{a.phases_end} ...")
        spec = {
            "kind": "model",
            "scenario": a.scenario,
            "scale": a.phases_scale,
            "start": a.phases_start,
            "end": a.phases_end,
            "burn_in_days": a.burn_in_days,
            "seed": a.seed,
            "phases": not profile,
            "profile": profile,
        }
        result = run_child(spec, a.timeout)
        if "error" in result:
            _log(f"    failed: {result['error']}")
        self.results[label] = result


def _fit(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Exponents of time per day (and of gangs) on residents, and a linear cost model."""
    ok = [r for r in rows if "error" not in r and "skipped" not in r]
    if len(ok) < 2:
        return {}
    logn = [math.log(float(r["residents"])) for r in ok]
    fit: dict[str, Any] = {
        "exponent_wall": _slope(logn, [math.log(r["s_per_day"]) for r in ok]),
        "exponent_cpu": _slope(logn, [math.log(r["cpu_s_per_day"]) for r in ok]),
        "exponent_gangs": _slope(logn, [math.log(max(r["gangs_mean"], 1e-9)) for r in ok]),
        "exponent_contacts": _slope(logn, [math.log(max(r["contacts_per_day"], 1e-9)) for r in ok]),
    }
    a, b = _line([float(r["residents"]) for r in ok], [r["cpu_s_per_day"] for r in ok])
    fit["fixed_cpu_ms_per_day"] = 1e3 * a
    fit["cpu_ns_per_resident_day"] = 1e9 * b
    fit["local_exponents_cpu"] = [
        math.log(q["cpu_s_per_day"] / p["cpu_s_per_day"])
        / math.log(q["residents"] / p["residents"])
        for p, q in itertools.pairwise(ok)
    ]
    return fit


def _slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of ``y`` on ``x``."""
    return _line(x, y)[1]


def _line(x: list[float], y: list[float]) -> tuple[float, float]:
    """Least-squares intercept and slope of ``y`` on ``x``."""
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((v - mx) ** 2 for v in x)
    sxy = sum((u - mx) * (v - my) for u, v in zip(x, y, strict=True))
    slope = sxy / sxx if sxx else float("nan")
    return my - slope * mx, slope


# =============================================================================== report
def _fmt(value: Any, spec: str = ",.2f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def _target_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per target of the issue that this session measured: target, figure, met."""
    head = {r["scale"]: r for r in results.get("headline", [])}
    rows = []

    def not_measured(target: str, r: dict) -> bool:
        if "skipped" in r:
            rows.append([target, r["skipped"], "not run"])
        elif "error" in r:
            rows.append([target, f"failed: {r['error'].splitlines()[0]}", "no"])
        else:
            return False
        return True

    target = "1.41 M residents, 2 years, one core: build + run < 5 s"
    r = head.get(1000.0)
    if r is not None and not not_measured(target, r):
        t = r["build_s"] + r["run_s"]
        cpu = r["build_cpu_s"] + r["run_cpu_s"]
        met = "yes" if t < TARGETS["scale_1000_seconds"] else "no"
        rows.append([target, f"{t:.2f} s (cpu {cpu:.2f} s)", met])
    target = "14.1 M residents, 2 years: build + run < 60 s, peak RSS < 100 bytes per resident"
    r = head.get(100.0)
    if r is not None and not not_measured(target, r):
        t = r["build_s"] + r["run_s"]
        cpu = r["build_cpu_s"] + r["run_cpu_s"]
        b = r["bytes_per_resident_peak"]
        met = (
            "yes"
            if t < TARGETS["scale_100_seconds"] and b < TARGETS["scale_100_bytes_per_resident"]
            else "no"
        )
        rows.append(
            [
                target,
                (
                    f"{t:.1f} s (cpu {cpu:.1f} s); {b:.0f} B/resident "
                    f"({r['bytes_per_resident_net']:.0f} B net of the interpreter)"
                ),
                met,
            ]
        )
    target = "141 M residents fit in 24 GiB and run"
    r = head.get(TENTH_SCALE)
    if r is not None and not not_measured(target, r):
        peak = r["peak_rss_bytes"]
        met = "yes" if peak < TARGETS["scale_10_peak_bytes"] else "no"
        rows.append(
            [
                target,
                f"peak {peak / GIB:.2f} GiB, build + run {r['build_s'] + r['run_s']:.0f} s",
                met,
            ]
        )
    naive = results.get("naive", {})
    if "ratio_wall" in naive:
        rows.append(
            [
                (
                    f">= 1,000x the naive Mesa reference (resident-days/s, real at scale "
                    f"{naive['real_scale']:g})"
                ),
                f"{naive['ratio_wall']:,.0f}x wall (cpu {naive['ratio_cpu']:,.0f}x)",
                ("yes" if naive["ratio_wall"] >= TARGETS["naive_ratio"] else "no")
                if naive["real_scale"] == 1000.0
                else "n/a (the issue's comparison is at scale 1000)",
            ]
        )
        for r in naive.get("ratio_by_scale", []):
            if r["scale"] == naive["real_scale"]:
                continue
            rows.append(
                [
                    (
                        f">= 1,000x the naive Mesa reference at scale {r['scale']:g} "
                        f"({r['residents'] / 1e6:,.1f} M residents)"
                    ),
                    f"{r['ratio_wall']:,.0f}x wall (cpu {r['ratio_cpu']:,.0f}x)",
                    "yes" if r["ratio_wall"] >= TARGETS["naive_ratio"] else "no",
                ]
            )
    return rows


def _doubling_section(d: dict[str, Any], key: str, title: str) -> list[str]:
    """Markdown for one doubling series and its fit."""
    lines = [f"## {title}", ""]
    if key == "fixed_events":
        lines += [
            f"Scale {d['scale']:g}; `run.population_national` x "
            + ", ".join(f"{x:g}" for x in d["factors"])
            + "; national gang, broker and police numbers unchanged.",
            "",
        ]
    rows = [
        [
            _fmt(r["scale"], "g"),
            _fmt(r["residents"], ",d"),
            _fmt(1e3 * r["s_per_day"], ",.2f") if "s_per_day" in r else "-",
            _fmt(1e3 * r["cpu_s_per_day"], ",.2f") if "cpu_s_per_day" in r else "-",
            _fmt(r.get("gangs_mean"), ",.1f"),
            _fmt(r.get("contacts_per_day"), ",.0f"),
            _fmt(r.get("engagements_per_day"), ",.1f"),
        ]
        for r in d["rows"]
    ]
    lines += _table(
        [
            "scale",
            "residents",
            "ms/day wall",
            "ms/day cpu",
            "gangs (mean)",
            "contacts/day",
            "engagements/day",
        ],
        rows,
    )
    f = d["fit"]
    if f:
        lines += [
            "",
            f"Fitted exponent of time per day on residents: **{f['exponent_cpu']:.2f}** (CPU), "
            f"{f['exponent_wall']:.2f} (wall). Gangs grow with exponent "
            f"{f['exponent_gangs']:.2f}, contacts with {f['exponent_contacts']:.2f}. Local "
            "exponents (CPU, per step): "
            + ", ".join(f"{x:.2f}" for x in f["local_exponents_cpu"])
            + f". Linear fit: {f['fixed_cpu_ms_per_day']:.2f} ms per day fixed + "
            f"{f['cpu_ns_per_resident_day']:.3f} ns per resident-day (CPU).",
        ]
    lines.append("")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: machine, settings, one table per part, the targets."""
    m, s, res = report["machine"], report["settings"], report["results"]
    lines = [f"# fraudsim benchmarks, {m['date_utc']}", ""]
    lines += ["## Machine", ""]
    lines += _table(
        ["field", "value"],
        [
            [k, str(m[k])]
            for k in (
                "cpu_model",
                "cores_logical",
                "cores_usable",
                "ram_total_gib",
                "ram_available_gib",
                "load_average",
                "os",
                "python",
                "numpy",
                "mesa",
                "pandas",
                "fraudsim",
                "git_commit",
                "git_dirty",
            )
        ]
        + [["load_average_at_end", str(report.get("load_average_at_end"))]],
    )
    lines += ["", "## Settings", "", "```json", json.dumps(s, indent=2), "```", ""]
    lines += [
        (
            "Resident-days per second = residents x simulated days (burn-in included) / run "
            "wall seconds (build excluded). Peak RSS is the child process's own (`os.wait4`). "
            "Bytes per resident: peak RSS / residents; *net* subtracts the RSS after importing "
            "numpy, pandas, mesa and the model; *arrays* is `model.residents.nbytes()` / "
            "residents."
        ),
        "",
    ]
    if res.get("headline"):
        lines += ["## Headline runs", ""]
        rows = []
        for r in res["headline"]:
            if "error" in r or "skipped" in r:
                rows.append(
                    [_fmt(r["scale"], "g"), _fmt(r["residents"], ",d")]
                    + [r.get("skipped") or r["error"].splitlines()[0]]
                    + [""] * 10
                )
                continue
            rows.append(
                [
                    _fmt(r["scale"], "g"),
                    _fmt(r["residents"], ",d"),
                    f"{r['simulated_days']} ({r['burn_in_days']})",
                    _fmt(r["load_s"]),
                    _fmt(r["build_s"]),
                    _fmt(r["run_s"]),
                    _fmt(r["run_cpu_s"]),
                    _fmt(r["resident_days_per_s"] / 1e6, ",.1f"),
                    _fmt(r["peak_rss_bytes"] / MIB, ",.0f"),
                    _fmt(r["bytes_per_resident_peak"], ",.0f"),
                    _fmt(r["bytes_per_resident_net"], ",.0f"),
                    _fmt(r["array_bytes_per_resident"], ",.1f"),
                    f"{r['gangs_at_start']} / {r['gangs_mean']:.0f}",
                ]
            )
        lines += _table(
            [
                "scale",
                "residents",
                "sim. days (burn-in)",
                "load s",
                "build s",
                "run s",
                "run cpu s",
                "M resident-days/s",
                "peak RSS MiB",
                "B/resident peak",
                "B/resident net",
                "B/resident arrays",
                "gangs start / mean",
            ],
            rows,
        )
        lines.append("")
    for key, title in (
        ("doubling", "Time per simulated day as the population doubles (scale halves)"),
        ("fixed_events", "Time per simulated day as the residents double at fixed events"),
    ):
        if res.get(key):
            lines += _doubling_section(res[key], key, title)
    if res.get("sweep"):
        sw = res["sweep"]
        lines += [
            f"## Sweep throughput ({sw['residents']:,} residents per run, scale {sw['scale']:g})",
            "",
        ]
        rows = [
            [
                r["backend"],
                str(r["workers"]),
                str(r.get("runs", "-")),
                _fmt(r.get("seconds")),
                _fmt(r.get("runs_per_minute")),
                r.get("error", "").splitlines()[0] if "error" in r else "",
            ]
            for r in sw["rows"]
        ]
        lines += _table(["backend", "workers", "runs", "seconds", "runs/min", "note"], rows)
        lines.append("")
    if res.get("naive"):
        nv = res["naive"]
        n = nv["naive"]
        lines += ["## Naive Mesa reference", ""]
        if "error" in n:
            lines += [f"failed: {n['error']}", ""]
        else:
            lines += [
                (
                    f"{n['residents']:,} `mesa.Agent` residents and {n['n_gangs']} gangs, "
                    f"{n['days']} days, {n['contacts_per_resident_per_day']:.4f} contacts per "
                    f"resident per day: build {n['build_s']:.2f} s, run {n['run_s']:.2f} s "
                    f"(cpu {n['run_cpu_s']:.2f} s), **{n['resident_days_per_s']:,.0f} "
                    f"resident-days/s** ({n['resident_days_per_cpu_s']:,.0f} per CPU second)."
                ),
            ]
            if "ratio_wall" in nv:
                lines += [
                    "",
                    (
                        f"Real model at scale {nv['real_scale']:g} over naive: "
                        f"**{nv['ratio_wall']:,.0f}x** (wall), {nv['ratio_cpu']:,.0f}x (CPU). "
                        "This favours the naive side: it does only the contact and engagement "
                        "step, the real model does every phase of the day."
                    ),
                ]
            if nv.get("ratio_by_scale"):
                lines += [
                    "",
                    (
                        "At every headline scale (the real model's cost follows events, not "
                        "residents, so the ratio grows with the population):"
                    ),
                    "",
                    *_table(
                        ["scale", "residents", "real / naive (wall)", "real / naive (cpu)"],
                        [
                            [
                                _fmt(r["scale"], "g"),
                                _fmt(r["residents"], ",d"),
                                f"{r['ratio_wall']:,.0f}x",
                                f"{r['ratio_cpu']:,.0f}x",
                            ]
                            for r in nv["ratio_by_scale"]
                        ],
                    ),
                ]
            lines.append("")
    for label in ("phases", "profile"):
        p = res.get(label)
        if not p:
            continue
        if "error" in p:
            lines += [f"## {label}", "", f"failed: {p['error']}", ""]
            continue
        if label == "phases":
            total = p["run_s"]
            lines += [
                (
                    f"## Where a day's time goes (scale {p['scale']:g}, "
                    f"{p['simulated_days']} days, run {total:.2f} s)"
                ),
                "",
            ]
            ranked = sorted(p["phase_s"].items(), key=lambda kv: kv[1], reverse=True)
            lines += _table(
                ["phase", "seconds", "share of run"],
                [[k, _fmt(v, ".3f"), _fmt(100 * v / total, ".1f") + " %"] for k, v in ranked],
            )
        else:
            lines += [f"## cProfile, top functions by own time (scale {p['scale']:g})", ""]
            lines += _table(
                ["function", "calls", "own s", "cumulative s"],
                [
                    [
                        f"`{r['function']}`",
                        f"{r['calls']:,}",
                        _fmt(r["own_s"], ".3f"),
                        _fmt(r["cumulative_s"], ".3f"),
                    ]
                    for r in p["profile_top"]
                ],
            )
        lines.append("")
    targets = _target_rows(res)
    if targets:
        lines += ["## Targets of issue 6", ""]
        lines += _table(["target", "measured", "met"], targets)
        lines.append("")
    return "\n".join(lines)


# =============================================================================== command line
def _floats(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, got {text!r}"
        ) from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return values


def _ints(text: str) -> list[int]:
    values = _floats(text)
    if any(v != int(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected whole numbers, got {text!r}")
    return [int(v) for v in values]


def _parts(text: str) -> list[str]:
    parts = [x.strip() for x in text.split(",") if x.strip()]
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(bad) or '(none)'}; choose from {', '.join(PARTS)}"
        )
    return parts


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    p = argparse.ArgumentParser(
        description="fraudsim performance benchmarks (issue 6); each measurement runs in a "
        "fresh subprocess. See benchmarks/README.md.",
    )
    p.add_argument(
        "--parts",
        type=_parts,
        default=list(DEFAULT_PARTS),
        help=f"comma-separated parts to run, from {', '.join(PARTS)} (default: "
        f"{','.join(DEFAULT_PARTS)})",
    )
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke check")
    p.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario file")
    p.add_argument("--start", type=_date, default="2020-01-01", help="first reported day")
    p.add_argument("--end", type=_date, default="2021-12-31", help="last reported day")
    p.add_argument(
        "--burn-in-days",
        type=int,
        default=None,
        help="override run.burn_in_days (default: the scenario's)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every run")
    p.add_argument("--scales", type=_floats, help="headline scales (default 1000,100)")
    p.add_argument(
        "--national-tenth",
        action="store_true",
        help="also run scale 10 (141 M residents; needs >= 20 GiB available and minutes)",
    )
    p.add_argument(
        "--doubling-scales",
        type=_floats,
        help="scales for the doubling series (default 8000,4000,2000,1000,500)",
    )
    p.add_argument(
        "--fixed-events-scale", type=float, help="scale of the fixed-events series (default 1000)"
    )
    p.add_argument(
        "--fixed-events-factors",
        type=_floats,
        help="factors on run.population_national for the fixed-events series (default "
        "0.25,0.5,1,2,4)",
    )
    p.add_argument("--sweep-runs", type=int, help="runs (seeds) in the sweep (default 8)")
    p.add_argument("--sweep-scale", type=float, help="scale of the sweep's runs (default 5000)")
    p.add_argument(
        "--sweep-workers", type=_ints, default=[1, 2], help="worker counts (default 1,2)"
    )
    p.add_argument(
        "--sweep-backend",
        choices=("auto", "sweep", "pool", "both"),
        default="auto",
        help="experiments.sweep.run_sweep, a spawn ProcessPoolExecutor, or both (default auto: "
        "run_sweep when experiments/sweep exists)",
    )
    p.add_argument(
        "--naive-residents", type=int, help="residents of the naive model (default 100000)"
    )
    p.add_argument("--naive-days", type=int, help="days of the naive model (default 30)")
    p.add_argument(
        "--phases-scale", type=float, help="scale of the phases/profile run (default 1000)"
    )
    p.add_argument(
        "--phases-start",
        type=_date,
        default="2021-07-01",
        help="first reported day of the phases/profile run (default 2021-07-01: every lever of "
        "the baseline is on)",
    )
    p.add_argument(
        "--phases-end", type=_date, default="2021-12-31", help="last day of the phases/profile run"
    )
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds per measurement")
    p.add_argument(
        "--out",
        help="output prefix; writes PREFIX.json and PREFIX.md (default benchmarks/results/<date>)",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    return p


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Fill unset sizes from the full or quick preset; check the combination."""
    preset = QUICK if args.quick else FULL
    for key, value in preset.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    for first, last in ((args.start, args.end), (args.phases_start, args.phases_end)):
        if dt.date.fromisoformat(last) < dt.date.fromisoformat(first):
            raise SystemExit(f"error: the period {first}..{last} ends before it starts")
    args.scenario = str(Path(args.scenario).resolve())
    if args.out is None:
        args.out = str(HERE / "results" / dt.datetime.now(dt.UTC).date().isoformat())
    return args


def print_summary(report: dict[str, Any]) -> None:
    """The headline table and the targets on stdout."""
    res = report["results"]
    m = report["machine"]
    print(
        f"\n{m['cpu_model']}, {m['cores_logical']} cores, {m['ram_total_gib']} GiB; Python "
        f"{m['python']}, numpy {m['numpy']}, mesa {m['mesa']}; load {m['load_average']} -> "
        f"{report.get('load_average_at_end')}"
    )
    header = f"{'scale':>7} {'residents':>12} {'build s':>8} {'run s':>8} {'cpu s':>8} {'Mrd/s':>8} {'peak MiB':>9} {'B/res':>6} {'arr B/res':>9}"
    if res.get("headline") or res.get("doubling") or res.get("fixed_events"):
        print(header)
        seen = []
        for r in (
            res.get("headline", [])
            + res.get("doubling", {}).get("rows", [])
            + res.get("fixed_events", {}).get("rows", [])
        ):
            if r in seen:
                continue
            seen.append(r)
            if "error" in r or "skipped" in r:
                note = r.get("skipped") or r["error"].splitlines()[0]
                print(f"{r['scale']:>7g} {r['residents']:>12,} {note}")
                continue
            print(
                f"{r['scale']:>7g} {r['residents']:>12,} {r['build_s']:>8.2f} {r['run_s']:>8.2f} "
                f"{r['run_cpu_s']:>8.2f} {r['resident_days_per_s'] / 1e6:>8.1f} "
                f"{r['peak_rss_bytes'] / MIB:>9,.0f} {r['bytes_per_resident_peak']:>6,.0f} "
                f"{r['array_bytes_per_resident']:>9.1f}"
            )
    for key in ("doubling", "fixed_events"):
        fit = res.get(key, {}).get("fit")
        if fit:
            print(
                f"{key}: time per day ~ residents^{fit['exponent_cpu']:.2f} (cpu), "
                f"^{fit['exponent_wall']:.2f} (wall); gangs ~ residents^"
                f"{fit['exponent_gangs']:.2f}, contacts ~ residents^{fit['exponent_contacts']:.2f}"
            )
    for r in res.get("sweep", {}).get("rows", []):
        if "error" in r:
            print(f"sweep {r['backend']} x{r['workers']}: failed")
        else:
            print(f"sweep {r['backend']} x{r['workers']}: {r['runs_per_minute']:.2f} runs/min")
    nv = res.get("naive", {})
    if "ratio_wall" in nv:
        print(
            f"naive: {nv['naive']['resident_days_per_s']:,.0f} resident-days/s; real/naive "
            f"{nv['ratio_wall']:,.0f}x wall, {nv['ratio_cpu']:,.0f}x cpu"
        )
    for row in _target_rows(res):
        print(f"target: {row[0]}: {row[1]} -> {row[2]}")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts, print a summary, write ``PREFIX.json`` and ``PREFIX.md``."""
    args = build_parser().parse_args(argv)
    if args.child is not None:
        return child_main(args.child)
    args = resolve(args)
    machine = machine_info()
    _log(
        f"load average {machine['load_average']}; {machine['ram_available_gib']} GiB available; "
        f"{machine['cores_usable']} usable cores"
    )
    if machine["load_average"][0] > 0.5 * (machine["cores_usable"] or 1):
        _log("warning: the machine is busy; wall times will be noisy (CPU times less so)")
    bench = Bench(args)
    started = time.perf_counter()
    for part in args.parts:
        if part == "profile":
            bench.phases(profile=True)
        else:
            getattr(bench, part)()
    settings = {k: v for k, v in vars(args).items() if k not in ("child",)} | {
        "population_national": bench.population,
        "child_env": SINGLE_THREAD_ENV,
    }
    report = {
        "machine": machine,
        "settings": settings,
        "results": bench.results,
        "targets": TARGETS,
        "seconds_total": time.perf_counter() - started,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    prefix = Path(args.out)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    json_path = prefix.with_name(prefix.name + ".json")
    md_path = prefix.with_name(prefix.name + ".md")
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    print_summary(report)
    print(f"\nwrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
