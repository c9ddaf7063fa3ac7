"""Make the README's screenshots: the dashboard, and the first screen of a comparison report.

From the repository root, with the development tools installed (``bash .ci/run`` or
``pip install -e '.[dev]'``) and Debian's Chromium (``apt-get install -y chromium``)::

    .venv/bin/python docs/screenshots.py            # about two minutes on two cores

It writes ``docs/images/dashboard.png`` (``fraudsim dashboard`` on the baseline, a year and a
quarter into the period) and ``docs/images/report.png`` (the first screen, 1280 x 800 pixels,
of the report of ``fraudsim compare`` on the five policy scenarios, three seeds, 1 agent =
2,000 people). ``--compare-dir DIR`` reuses a comparison already made there (its
``report.html``) instead of running one.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POLICIES = ("no_intervention", "warnings", "broken_card", "repatriation", "all_measures")
DASHBOARD_STEPS = 15  # months stepped before the dashboard's screenshot
RENDER_INTERVAL_DAYS = 31  # experiments.dashboard.app: a Step is a month


def compare(out: Path, seeds: int, scale: float) -> Path:
    """Run ``fraudsim compare`` on the policy scenarios into ``out``; the report's path."""
    from experiments.cli import main  # noqa: PLC0415

    scenarios = [str(ROOT / "scenarios" / f"{name}.toml") for name in POLICIES]
    argv = ["compare", *scenarios, "--seeds", str(seeds), "--scale", str(scale)]
    code = main([*argv, "--out", str(out), "--quiet"])
    if code != 0:
        raise SystemExit(f"fraudsim compare failed with exit code {code}")
    return out / "report.html"


def report_screen(page, report: Path, path: Path) -> None:
    """The report's first screen at 1280 x 800."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(report.resolve().as_uri())
    page.screenshot(path=str(path))


def dashboard_screen(page, url: str, path: Path) -> None:
    """The dashboard of the baseline, stepped :data:`DASHBOARD_STEPS` months."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(120_000)
    page.goto(url)
    page.locator(".fraudsim-day").filter(has_text="Ready at").wait_for()
    for step in range(1, DASHBOARD_STEPS + 1):
        page.get_by_role("button", name="Step").click()
        shown = re.compile(rf"^Day {RENDER_INTERVAL_DAYS * step} of")
        page.locator(".fraudsim-day").filter(has_text=shown).wait_for()
    page.wait_for_timeout(1500)  # the last charts' images
    page.screenshot(path=str(path))


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--compare-dir", type=Path, help="a finished `fraudsim compare` --out")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=2000.0)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from experiments.dashboard.browser import launch_chromium, running_dashboard  # noqa: PLC0415

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fraudsim-screenshots-") as scratch:
        work = Path(scratch)
        if args.compare_dir is not None:
            report = args.compare_dir / "report.html"
        else:
            report = compare(work / "compare", args.seeds, args.scale)
        baseline = str(ROOT / "scenarios" / "baseline.toml")
        with (
            running_dashboard([baseline], work / "server.log") as served,
            sync_playwright() as playwright,
        ):
            browser = launch_chromium(playwright)
            page = browser.new_page()
            report_screen(page, report, args.out / "report.png")
            dashboard_screen(page, served.url, args.out / "dashboard.png")
            browser.close()
    for name in ("dashboard.png", "report.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
