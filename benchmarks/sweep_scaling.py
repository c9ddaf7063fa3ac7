"""How a sweep scales with local worker processes (a benchmark, not a test).

Runs ``scenarios/sweeps/policy_comparison.toml`` (6 scenarios x 20 seeds = 120 runs) into a
fresh temporary directory once per worker count, and prints the wall times, the speed-up over
one worker and the machine it ran on. By default every run covers the full period (2020-01-01
to 2021-06-30 after 120 days of burn-in) at 1 agent = 20,000 people, so the whole benchmark
takes a few minutes on two cores::

    .venv/bin/python benchmarks/sweep_scaling.py                  # workers 1 and 2
    .venv/bin/python benchmarks/sweep_scaling.py --workers 1,2,4 --scale 5000
    .venv/bin/python benchmarks/sweep_scaling.py --end 2020-06-30  # shorter runs

The figures include everything a user waits for: starting worker processes (``spawn``: each
imports the model), running, and writing each run's Parquet parts. Other jobs on the machine
slow it down; the load averages before and after are printed so that a reader can tell.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "scenarios" / "sweeps" / "policy_comparison.toml"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), or what platform says elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    """One paragraph describing the machine, the software versions and the code."""
    from experiments.provenance import provenance  # noqa: PLC0415

    record = provenance()
    versions = ", ".join(
        f"{name} {record['versions'][name]}"
        for name in ("fraudsim", "python", "numpy", "pandas", "mesa", "pyarrow")
    )
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return (
        f"machine: {cpu_model()}; {os.cpu_count()} logical CPUs ({usable} usable); "
        f"{record['platform']}\n"
        f"software: {versions}; git {record['git']['commit']}, code {record['code_sha256'][:12]}"
    )


def load() -> str:
    """The 1, 5 and 15 minute load averages, where the platform has them."""
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def main(argv: list[str] | None = None) -> int:
    """Time the sweep with each worker count and print the results.

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 if every sweep finished all its runs, else 1.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--scale", type=float, default=20000.0, help="run.scale (people/agent)")
    parser.add_argument("--end", default=None, help="run.end (ISO date; default: the scenarios')")
    parser.add_argument("--seeds", type=int, default=None, help="fewer seeds than the file's 20")
    args = parser.parse_args(argv)

    from experiments.sweep import execute_sweep, load_sweep_spec  # noqa: PLC0415

    overrides = [f"run.scale={args.scale!r}"]
    if args.end:
        overrides.append(f"run.end={args.end}")
    spec = load_sweep_spec(SWEEP, overrides)
    if args.seeds is not None:
        # Fewer seeds: the same scenarios with seeds 0..n-1 (written as a sweep file of its own).
        text = SWEEP.read_text(encoding="utf-8").replace("seeds = 20", f"seeds = {args.seeds}")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / SWEEP.name
            path.write_text(text.replace('"../', f'"{SWEEP.parent.parent}/'), encoding="utf-8")
            spec = load_sweep_spec(path, overrides)
    print(machine())
    print(f"sweep: {SWEEP.relative_to(ROOT)}, {spec.describe()}; --set {' --set '.join(overrides)}")
    period = spec.scenarios[0]
    print(f"runs: 1 agent = {args.scale:,.0f} people ({period.n_residents:,} resident agents)")
    print(f"before: {load()}")
    times: dict[int, float] = {}
    status = 0
    for workers in [int(w) for w in args.workers.split(",")]:
        with tempfile.TemporaryDirectory(prefix="fraudsim-bench-") as tmp:
            started = time.perf_counter()
            report = execute_sweep(spec, Path(tmp) / "out", workers=workers)
            times[workers] = time.perf_counter() - started
        if report.exit_code:
            status = 1
            print(report.format(), file=sys.stderr)
        print(
            f"workers {workers}: {times[workers]:7.1f} s wall, "
            f"{spec.n_runs / times[workers]:.2f} runs/s ({report.executor}), {load()}"
        )
    base = times.get(1)
    if base:
        for workers, seconds in times.items():
            if workers != 1:
                speedup = base / seconds
                print(
                    f"speed-up with {workers} workers: x{speedup:.2f} "
                    f"(efficiency {speedup / workers:.0%}; 1 worker runs serially in-process)"
                )
    return status


if __name__ == "__main__":  # required: `spawn` workers re-import this file as __mp_main__
    sys.exit(main())
