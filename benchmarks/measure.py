"""The measurements of the benchmarks, each run in a fresh Python process (``run_child``).

``run_benchmarks.py`` starts ``python benchmarks/measure.py SPEC`` once per measurement, with
one BLAS/OpenMP thread; the child imports the model, measures one thing (a model run timed
phase by phase, the naive reference, a small sweep) and prints one JSON line. ``os.wait4`` in
the parent gives that child's own resource usage, so peak memory is the run's own and no
import, cache or allocator state carries over from one measurement to the next.
"""

from __future__ import annotations

import cProfile
import importlib.util
import json
import operator
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# Children run on one thread: the targets are for one core.
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


def run_child(spec: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return what it reported.

    The child is ``python benchmarks/measure.py SPEC``; it prints one JSON object on its last
    line of standard output. ``os.wait4`` gives this child's own resource usage, so ``peak_rss_bytes``
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
    cmd = [sys.executable, str(Path(__file__).resolve()), json.dumps(spec)]
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
    gangs_at_start = len(model.gangs)
    phase_s: dict[str, float] = {}
    if spec.get("phases"):
        # Every call FraudModel.step() makes, as ODD section 3 lists them (docs/odd_tables.py).
        for name in _odd_tables().step_calls():
            owner_path, _, method = name.rpartition(".")
            owner = operator.attrgetter(owner_path)(model) if owner_path else model
            setattr(owner, method, _timed(getattr(owner, method), name, phase_s))
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


def _odd_tables() -> Any:
    """docs/odd_tables.py as a module (it reads the calls of ``FraudModel.step()``)."""
    spec = importlib.util.spec_from_file_location("odd_tables", ROOT / "docs" / "odd_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def child_sweep(spec: dict[str, Any]) -> dict[str, Any]:
    """In a child: a small sweep, through ``experiments.sweep`` or a bare process pool.

    ``pool`` runs the same runs on the same executor (:mod:`experiments.executors`) without a
    sweep's bookkeeping and files, so the difference between the two is what they cost.
    """
    # The model and the sweep machinery are imported before the clock starts, as they would
    # be in any program that runs a sweep; worker processes started by a pool import them
    # again, and that is counted (it is part of what a pool costs).
    import simulation.model  # noqa: F401, PLC0415
    from experiments.calibration.run import run_seeds  # noqa: PLC0415
    from experiments.sweep import run_sweep  # noqa: PLC0415
    from simulation.scenario import load_scenario  # noqa: PLC0415

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
            config = load_scenario(spec["scenario"], overrides=_overrides(spec))
            frames = run_seeds(config, runs, workers=workers)
            finished = sum(1 for daily in frames.values() if len(daily))
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
    """Entry point of a child process: measure and print one JSON line (see :func:`run_child`)."""
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


if __name__ == "__main__":  # required: `spawn` workers re-import this file as __mp_main__
    sys.exit(child_main(sys.argv[1]))
