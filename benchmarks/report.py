"""The benchmarks' report: scaling fits, Markdown tables of every part, a terminal summary.

Reads the report dictionary ``run_benchmarks.py`` builds (``machine``, ``provenance``,
``settings``, ``results``) and writes nothing itself.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

GIB = 1024**3
MIB = 1024**2
TENTH_SCALE = 10.0

#: The issue's targets (issue 6).
TARGETS = {
    "scale_1000_seconds": 5.0,  # 1.41 M residents, 2 years, one core
    "scale_100_seconds": 60.0,  # 14.1 M residents, 2 years
    "scale_100_bytes_per_resident": 100.0,
    "scale_10_peak_bytes": 24 * GIB,  # 141 M residents fit in 24 GiB and run
    "naive_ratio": 1000.0,
}


def fit_exponents(rows: list[dict[str, Any]]) -> dict[str, Any]:
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
    record = report["provenance"]
    versions = record["versions"]
    lines = [f"# fraudsim benchmarks, {record['created_utc']}", ""]
    lines += ["## Machine", ""]
    lines += _table(
        ["field", "value"],
        [[k, str(m[k])] for k in m]
        + [["load_average_at_end", str(report.get("load_average_at_end"))]]
        + [["os", record["platform"]]]
        + [[k, str(versions.get(k))] for k in ("python", "numpy", "mesa", "pandas", "fraudsim")]
        + [[f"git_{k}", str(v)] for k, v in record["git"].items()]
        + [["code_sha256", record["code_sha256"]]],
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


def print_summary(report: dict[str, Any]) -> None:
    """The headline table and the targets on stdout."""
    res = report["results"]
    m = report["machine"]
    versions = report["provenance"]["versions"]
    print(
        f"\n{m['cpu_model']}, {m['cores_logical']} cores, {m['ram_total_gib']} GiB; Python "
        f"{versions['python']}, numpy {versions['numpy']}, mesa {versions['mesa']}; load "
        f"{m['load_average']} -> {report.get('load_average_at_end')}"
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
