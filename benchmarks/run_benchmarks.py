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
    (``--sweep-backend sweep``, the default) or the same runs on the same executor without a
    sweep's files (``pool``; ``both`` measures both).
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
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from measure import SINGLE_THREAD_ENV, run_child
from report import GIB, MIB, TARGETS, TENTH_SCALE, fit_exponents, print_summary, render_markdown

from experiments.provenance import provenance

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "baseline.toml"
PARTS = ("headline", "doubling", "fixed_events", "sweep", "naive", "phases", "profile")
DEFAULT_PARTS = ("headline", "doubling", "fixed_events", "sweep", "naive", "phases")
TENTH_MIN_AVAILABLE_BYTES = 20 * GIB
# A rough upper bound on what a run needs, to skip runs that cannot fit rather than swap: peak
# RSS per resident (arrays and their temporaries while residents are drawn; about twice the
# 42 bytes measured at 1.41 M residents) plus the interpreter and libraries.
EST_BYTES_PER_RESIDENT = 80
EST_BYTES_FIXED = 1 * GIB
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


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory and load: what the provenance record does not say about a machine."""
    mem = _meminfo()
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {
        "cpu_model": _cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": usable,
        "ram_total_gib": round(mem.get("MemTotal", 0) / GIB, 2),
        "ram_available_gib": round(mem.get("MemAvailable", 0) / GIB, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python_implementation": platform.python_implementation(),
    }


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
        self.results["doubling"] = {"rows": rows, "fit": fit_exponents(rows)}

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
            "fit": fit_exponents(rows),
        }

    def sweep(self) -> None:
        """Runs per minute of a small sweep with each number of workers."""
        a = self.args
        backends = {"auto": ["sweep"], "both": ["sweep", "pool"]}.get(
            a.sweep_backend, [a.sweep_backend]
        )
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
        help="experiments.sweep.run_sweep, the same runs on the executor alone (pool), or "
        "both (default auto: sweep)",
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


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts, print a summary, write ``PREFIX.json`` and ``PREFIX.md``."""
    args = resolve(build_parser().parse_args(argv))
    machine = machine_info()
    record = provenance()  # versions, git commit, platform, code digest: as every result has
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
    settings = vars(args) | {
        "population_national": bench.population,
        "child_env": SINGLE_THREAD_ENV,
    }
    report = {
        "machine": machine,
        "provenance": record,
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
