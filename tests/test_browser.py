"""In a real browser: the dashboard served offline, and the report at desktop and phone widths.

Headless Chromium is Debian's (``apt-get install -y chromium``; ``.ci/run`` installs it), driven
by Playwright's Python client through its ``executable_path``: nothing downloads a browser.
Where Chromium is missing and cannot be started, every test here is skipped with a message
saying so. Screenshots are written to ``out/test-artifacts/`` (or ``$FRAUDSIM_TEST_ARTIFACTS``)
for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_report import synthetic_analysis

from analysis import report
from experiments.dashboard.browser import chromium_path, launch_chromium, running_dashboard
from simulation.errors import FraudsimError

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "data" / "dashboard" / "interception.toml"
ARTIFACTS = Path(os.environ.get("FRAUDSIM_TEST_ARTIFACTS", ROOT / "out" / "test-artifacts"))
RENDER_INTERVAL_DAYS = 31  # experiments.dashboard.app: a Step is a month
PAGE_TIMEOUT_MS = 60_000  # a loaded CI machine: generous, the benchmark measures the real time


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright's client is not installed (pip install -e '.[dev]')",
    )
    with sync_api.sync_playwright() as playwright:
        try:
            launched = launch_chromium(playwright)
        except FraudsimError as exc:
            pytest.skip(f"{exc} (.ci/run installs it as root)")
        except sync_api.Error as exc:
            pytest.skip(f"Chromium at {chromium_path()} does not start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


# --- the dashboard --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard_url() -> Iterator[str]:
    """``fraudsim dashboard`` on a free loopback port, as a user starts it."""
    with running_dashboard([str(SCENARIO)], artifact("dashboard-server.log")) as served:
        yield served.url


def local(url: str) -> bool:
    """True for data, and for addresses (blob ones too) on this machine's loopback."""
    parts = urlsplit(url.removeprefix("blob:"))
    return parts.scheme == "data" or parts.hostname in ("127.0.0.1", "localhost")


def cases_averted(page) -> float:
    text = page.locator(".fraudsim-cases-averted").inner_text()
    found = re.match(r"Cases averted: (-?[\d,]+)", text)
    assert found, f"the totals say how many cases were averted: {text!r}"
    return float(found.group(1).replace(",", ""))


def step_month(page) -> None:
    """Click Step once (a month: RENDER_INTERVAL_DAYS) and wait until the day shows it."""
    page.get_by_role("button", name="Step").click()
    page.locator(".fraudsim-day").filter(
        has_text=re.compile(rf"^Day {RENDER_INTERVAL_DAYS} of")
    ).wait_for(timeout=PAGE_TIMEOUT_MS)


def test_dashboard_moves_a_lever_and_the_curves_respond(browser, dashboard_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(dashboard_url)
    page.locator(".fraudsim-day").filter(has_text="Ready at").wait_for()

    # The lever's intensity slider, dragged by keyboard to its ends (0 is exactly no lever).
    slider = page.locator(".v-input").filter(has_text="intensity").first.get_by_role("slider")
    slider.press("Home")
    assert slider.get_attribute("aria-valuenow") == "0", "the slider is at zero"
    page.get_by_role("button", name="Reset").click()
    page.locator(".fraudsim-day").filter(has_text="Ready at").wait_for()
    step_month(page)
    assert cases_averted(page) == 0, "with the lever at zero the two runs are the same"

    slider.press("End")
    assert slider.get_attribute("aria-valuenow") == "3", "the slider at its top, 3"
    page.get_by_role("button", name="Reset").click()
    page.locator(".fraudsim-day").filter(has_text="Ready at").wait_for()
    step_month(page)
    averted = cases_averted(page)
    page.wait_for_timeout(500)  # let the last chart image arrive before the screenshot
    page.screenshot(path=artifact("dashboard-1280.png"))
    assert averted > 0, "interception at three times its strength averts cases"
    assert page.get_by_role("img").count() >= 2, "the outcome charts are drawn"

    outside = sorted({url for url in requests if not local(url)})
    assert outside == [], f"every request stays on this machine: {outside}"
    assert failed == [], f"no request failed: {failed}"
    page.close()


# --- the report -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report")
    return report.write_report(synthetic_analysis(), out).as_uri()


OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_report_fits_the_screen_and_answers_first(browser, report_url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(report_url)
    page.screenshot(path=artifact(f"report-{width}.png"))
    document_width = page.evaluate("document.documentElement.scrollWidth")
    assert document_width <= width, f"no sideways scrolling at {width} px: {document_width}"
    assert page.evaluate(OVERFLOWING) == [], "nothing sticks out of the page (tables scroll)"
    first = page.locator("#answer p").first
    assert first.inner_text().startswith("Against ref, pol averted the most cases")
    assert first.bounding_box()["y"] < height / 2, "the answer opens the page"
    headline = page.locator("#answer img").first
    assert headline.get_attribute("alt").startswith("Chart ranking the policies")
    box = headline.bounding_box()
    if width >= 1000:
        assert box["y"] + box["height"] <= height, "the ranked effects fill the first screen"
    else:
        assert box["y"] < 1.5 * height, "on a phone the ranked effects follow the sentences"
    assert box["width"] <= width, "the headline figure shrinks to the screen"
    page.close()
