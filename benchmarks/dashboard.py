"""How fast the dashboard is: first page load, and a simulated month, at the default scale.

The dashboard's targets (issue 17): the first page load under 5 s on two cores with the coarse
default scale, and a simulated month under 1 s of wall time at that scale. This script starts
``fraudsim dashboard`` (the baseline at its default scale, 1 agent = 1,000 people) on a free
loopback port, opens it in headless Chromium (Debian's, through Playwright's client, as the
browser test does) and measures:

``server start``
    From starting the command to the port accepting connections (imports included).
``page load``
    From asking for the page to the totals card and both outcome charts being shown: the
    first load after the server started, then the median of ``--loads`` more, each in a new
    page (each builds its own pair of runs and simulates their 120-day burn-in).
``month in the browser``
    One click of *Step* (31 days, the default render interval) until the day shows it: what
    a user waits for a month of the pair of runs, drawing the charts of the first tab and
    sending them to the page included; the first three months, median. Beside it the CPU
    time the server used for it, which a busy machine stretches less than wall time.
``month in the model``
    31 steps of the pair of runs in this process, without the page: the simulation's share,
    measured at the start, the middle and the end of the period (median shown).

Results: a table on stdout and ``--out`` (default ``benchmarks/results/dashboard.json``).
Run it from the repository root on a quiet machine (``uptime``: load well under 2)::

    .venv/bin/python benchmarks/dashboard.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RENDER_INTERVAL_DAYS = 31  # experiments.dashboard.app: a Step is a month


def _load(browser, url: str) -> tuple[object, float]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(120_000)
    started = time.perf_counter()
    page.goto(url)
    page.locator(".fraudsim-day").filter(has_text="Ready at").wait_for()
    page.locator(".fraudsim-chart img").nth(1).wait_for()
    return page, time.perf_counter() - started


def _browser_month(page, day: int) -> float:
    """Seconds from clicking Step at reported day ``day`` to the month shown.

    A Step is a month (the default render interval); shown means the day says so and both
    charts of the first tab are new images.
    """
    charts = page.locator(".fraudsim-chart img")
    before = [charts.nth(i).get_attribute("src") for i in range(2)]
    started = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    pattern = re.compile(rf"^Day {day + RENDER_INTERVAL_DAYS} of")
    page.locator(".fraudsim-day").filter(has_text=pattern).wait_for()
    page.wait_for_function(
        """(before) => [...document.querySelectorAll('.fraudsim-chart img')].slice(0, 2)
            .every((img, i) => img.getAttribute('src') !== before[i])""",
        arg=before,
    )
    return time.perf_counter() - started


def _model_months(scenario: str) -> list[float]:
    from experiments.dashboard.controls import DEFAULT_SCALE  # noqa: PLC0415
    from experiments.dashboard.paired import PairedModel  # noqa: PLC0415
    from simulation.scenario import load_scenario  # noqa: PLC0415

    model = PairedModel(load_scenario(scenario), rng=0, run__scale=DEFAULT_SCALE)
    months = []
    n_days = model.policy.n_days
    for start in (0, n_days // 2 - 31, n_days - 32):
        while model.days < start:
            model.step()
        began = time.perf_counter()
        for _ in range(RENDER_INTERVAL_DAYS):
            model.step()
        months.append(time.perf_counter() - began)
    return months


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    parser.add_argument("--loads", type=int, default=3, help="page loads after the first")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "dashboard.json"
    )
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from experiments.dashboard.browser import (  # noqa: PLC0415
        cpu_seconds,
        launch_chromium,
        running_dashboard,
    )
    from experiments.provenance import provenance  # noqa: PLC0415

    load_before = os.getloadavg()
    log = Path(tempfile.mkdtemp(prefix="fraudsim-dashboard-bench-")) / "server.log"
    started = time.perf_counter()
    with running_dashboard([args.scenario], log) as served, sync_playwright() as playwright:
        start_seconds = time.perf_counter() - started
        url = served.url
        browser = launch_chromium(playwright)
        cpu = cpu_seconds(served.pid)
        page, first_load = _load(browser, url)
        first_load_cpu = cpu_seconds(served.pid) - cpu
        page.close()
        loads = []
        for _ in range(args.loads):
            page, seconds = _load(browser, url)
            loads.append(seconds)
            page.close()
        page, _ = _load(browser, url)
        browser_months, server_cpu = [], []
        for i in range(3):
            cpu = cpu_seconds(served.pid)
            browser_months.append(_browser_month(page, RENDER_INTERVAL_DAYS * i))
            server_cpu.append(cpu_seconds(served.pid) - cpu)
        browser.close()
    model_months = _model_months(args.scenario)
    results = {
        "scenario": args.scenario,
        "scale": "dashboard default (1 agent = 1,000 people)",
        "server_start_seconds": start_seconds,
        "first_page_load_seconds": first_load,
        "first_page_load_server_cpu_seconds": first_load_cpu,
        "page_load_seconds": loads,
        "browser_month_seconds": browser_months,
        "server_cpu_month_seconds": server_cpu,
        "model_month_seconds": model_months,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        "provenance": provenance(),
    }
    rows = [
        ("server start", start_seconds),
        ("first page load", first_load),
        ("  the server's CPU time for it", first_load_cpu),
        (f"page load, median of {len(loads)}", statistics.median(loads) if loads else float("nan")),
        (
            f"a month in the browser (one Step), median of {len(browser_months)}",
            statistics.median(browser_months),
        ),
        ("  the server's CPU time for it, median", statistics.median(server_cpu)),
        ("a month in the model (31 steps of the pair), median", statistics.median(model_months)),
    ]
    print("| measurement | seconds |\n| --- | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    print(
        f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
