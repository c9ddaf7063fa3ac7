"""The comparison report on synthetic tables: its analysis, files, page and sentences.

The page is checked as a reader meets it: the answer first (sentences, then the headline
figure), provenance last and folded, every image with alt text, tables in scroll containers,
and every value from the files escaped. The sentences are checked on a small comparison table
whose numbers are known.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from synthetic_tables import daily_frame, long_frame, manifest_for, paired_frame

from analysis import report
from analysis.plots import plot_averted

ROOT = Path(__file__).resolve().parents[1]
REPORT_PACKAGE = ROOT / "analysis" / "report"


# --- a report of synthetic tables ---------------------------------------------------------------


def synthetic_analysis(manifest: dict | None = None) -> report.SweepAnalysis:
    """Two policies against ``ref`` over three seeds: ``pol`` averts 40 cases a seed on average
    (1, 2, 3 a day over 20 days), ``weak`` 2 (0.1 a day); ``pol`` tilts the fraud-type mix."""
    strong = paired_frame({0: 1.0, 1: 2.0, 2: 3.0})
    weak = paired_frame({0: 0.05, 1: 0.1, 2: 0.15})
    weak = weak[weak["scenario"] == "pol"].assign(
        scenario="weak", run_id=lambda f: "weak-" + f["seed"].astype(str)
    )
    frame = pd.concat([strong, weak], ignore_index=True)
    if manifest is None:
        manifest = manifest_for(
            {
                "ref": [],
                "pol": [{"type": "card_crackdown", "start": "2021-01-05"}],
                "weak": [{"type": "card_crackdown", "start": "2021-01-05"}],
            },
            scale=1000.0,
        )
    split = pd.Timestamp("2021-01-05")
    even = {"x": 0.5, "y": 0.5}
    by_type = long_frame(
        {
            "ref": dict.fromkeys(range(3), (even, even)),
            "pol": {s: (even, {"x": 0.9, "y": 0.1}) for s in range(3)},
            "weak": dict.fromkeys(range(3), (even, even)),
        },
        "fraud_type",
        split=split,
    )
    return report.analyse(frame, manifest, by_type=by_type, reference="ref", n_boot=200)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = synthetic_analysis()
    path = report.write_report(result, out)
    return result, out, path.read_text(encoding="utf-8")


class Elements(HTMLParser):
    """The page's elements in document order: ``(tag, attributes, open ancestors' tags)``."""

    VOID = {"meta", "img", "br", "link", "input", "hr"}

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes, [t for t, _ in self.stack]))
        if tag not in self.VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def children_of_main(self) -> list[tuple[str, dict[str, str | None]]]:
        return [(t, a) for t, a, above in self.elements if above and above[-1] == "main"]


def test_report_writes_its_files_in_national_equivalents(written):
    result, out, _ = written
    cases = result.comparison.set_index(["scenario", "effect"]).loc[("pol", "cases_averted")]
    assert cases["mean"] == pytest.approx(1000.0 * 40.0), "national: 40 cases times scale 1000"
    table = pd.read_csv(out / "comparison.csv")
    rows = table[(table["scenario"] == "pol") & (table["effect"] == "cases_averted")]
    assert rows["mean"].item() == pytest.approx(40_000.0)
    assert json.loads((out / "sweep.json").read_text())["name"] == "synthetic"
    figures = sorted(p.name for p in (out / "figures").iterdir())
    for name in ("headline.png", "curve_cases.png", "comparison_cases_averted.png"):
        assert name in figures, f"{name} is written (figures: {figures})"
    assert "type_mix_pol.png" in figures


def test_page_opens_with_the_answer_and_ends_with_provenance_folded(written):
    _, _, text = written
    page = Elements(text)
    main = page.children_of_main()
    assert [tag for tag, _ in main[:2]] == ["h1", "section"], f"title, then a section: {main}"
    assert main[1][1].get("id") == "answer", "the first section is the answer"
    sections = [a.get("id") for tag, a in main if tag == "section"]
    assert sections[:3] == ["answer", "curves", "effects"], sections
    last_tag, last = main[-1]
    assert (last_tag, last.get("id")) == ("details", "provenance"), "provenance comes last"
    assert "open" not in last, "provenance is folded"
    images = [a for tag, a, _ in page.elements if tag == "img"]
    assert images[0]["alt"].startswith("Chart ranking the policies"), "the headline comes first"
    answer = text[text.index('id="answer"') : text.index("</section>")]
    assert answer.index("<p>") < answer.index("<img"), "the sentences come before the figure"
    assert "Against ref, pol averted the most cases: 40,000" in answer
    assert 'name="viewport"' in text, "the page scales to a phone's width"


def test_every_image_has_alt_text_that_says_what_it_shows(written):
    _, _, text = written
    images = [a for tag, a, _ in Elements(text).elements if tag == "img"]
    assert len(images) >= 5, f"figures are embedded: {len(images)}"
    for image in images:
        assert image["src"].startswith("data:image/png;base64,")
        alt = image.get("alt") or ""
        assert len(alt) > 40, f"alt text says what the figure shows: {alt!r}"
        assert int(image["width"]) > 0, "a width keeps the page from jumping as it loads"
        assert int(image["height"]) > 0
    headline = images[0]["alt"]
    assert "pol: 40,000 cases" in headline, headline
    assert "weak" in headline, "every policy of the headline is in its alt text"


def test_tables_scroll_inside_the_page_with_units_and_thousands_separators(written):
    _, _, text = written
    page = Elements(text)
    tables = [above for tag, _, above in page.elements if tag == "table"]
    assert tables, "the page has tables"
    for above in tables:
        assert above[-1] == "div", "each table sits in its scroll container"
    containers = [a for tag, a, _ in page.elements if tag == "div"]
    assert all(a.get("class") == "table-scroll" for a in containers)
    assert "max-width: 100%" in text, "images and tables never widen the page"
    assert "Net losses averted (yuan)" in text, "headers carry their unit"
    assert "Extra police effort (officer-hours)" in text
    assert ">40,000<" in text, "thousands separators"


def test_values_from_the_files_are_escaped():
    manifest = manifest_for({"ref": [], "pol": [{"type": "card_crackdown", "start": "2021-01-05"}]})
    manifest["description"] = "<script>alert('x')</script> & more"
    frame = paired_frame({0: 1.0, 1: 2.0})
    text = report.render_html(report.analyse(frame, manifest, reference="ref", n_boot=50), {})
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in text


def test_the_report_package_assembles_no_html_in_python():
    sources = sorted(REPORT_PACKAGE.glob("*.py"))
    assert sources, REPORT_PACKAGE
    markup = re.compile(r"<(table|tr|td|th|p|div|img|section|details|h[1-6]|ul|li|figure)\b")
    for source in sources:
        code = source.read_text(encoding="utf-8")
        assert "<table" not in code, f"{source.name} writes HTML tables"
        assert not markup.search(code), f"{source.name} assembles HTML: {markup.search(code)}"
        assert "to_html(" not in code, f"{source.name} renders a frame as HTML"
    assert (REPORT_PACKAGE / "templates" / "report.html.j2").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"analysis.report" = ["templates/*.j2"]' in pyproject, "the template is package data"


def test_a_single_scenario_has_curves_but_no_comparison(tmp_path):
    frame = daily_frame({"only": {s: {"cases": 1.0 + s} for s in range(2)}}, n_days=40)
    result = report.analyse(frame, manifest_for({"only": []}), n_boot=50)
    assert result.comparison.empty
    assert report.reading(result) == []
    assert report.answer(result.comparison) == []
    names = set(report.standard_figures(result))
    assert "curve_cases" in names
    assert not any(n.startswith(("comparison", "headline")) for n in names)
    text = report.write_report(result, tmp_path).read_text(encoding="utf-8")
    assert "One scenario only: nothing to compare." in text
    assert 'id="effects"' not in text


def test_reading_gives_one_sentence_per_policy(written):
    result, _, text = written
    lines = report.reading(result)
    assert lines[0].startswith("pol (3 seeds) shows clearly fewer cases than ref"), lines
    assert any(line.startswith("weak (3 seeds)") for line in lines)
    assert "pol (3 seeds) shows clearly fewer cases than ref" in text


# --- the answer in words -------------------------------------------------------------------------


def comparison_table(rows: dict[str, tuple[float, float, float, float]], *, seeds: int = 5):
    """A comparison table as compare_policies writes it: per policy, cases averted (mean,
    low, high) out of 10,000 reference cases, and net losses averted (the fourth number, with
    an interval of +-10 %), at a 90 % level."""
    records = []
    for scenario, (mean, low, high, net) in rows.items():
        common = {"scenario": scenario, "reference": "ref", "n_seeds": seeds, "note": ""}
        records.append(
            common
            | {
                "effect": "cases_averted",
                "unit": "cases",
                "reference_mean": 10_000.0,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "relative": mean / 10_000.0,
                "relative_low": low / 10_000.0,
                "relative_high": high / 10_000.0,
            }
        )
        records.append(
            common
            | {
                "effect": "losses_averted_net_yuan",
                "unit": "yuan",
                "reference_mean": 1e9,
                "mean": net,
                "ci_low": 0.9 * net,
                "ci_high": 1.1 * net,
                "relative": net / 1e9,
                "relative_low": 0.9 * net / 1e9,
                "relative_high": 1.1 * net / 1e9,
            }
        )
    table = pd.DataFrame(records)
    table.attrs = {"level": 0.9, "units": "national"}
    return table


def test_answer_states_the_largest_effect_and_its_interval():
    table = comparison_table(
        {
            "small": (120.0, -30.0, 260.0, 5e6),
            "large": (4_500.0, 3_100.0, 5_900.0, 2.5e9),
            "medium": (800.0, 200.0, 1_400.0, 8e7),
        }
    )
    first, second, third = report.answer(table)
    assert first == (
        "Against ref, large averted the most cases: 4,500 (90% interval 3,100 to 5,900), "
        "45.0 % of ref's cases."
    )
    assert second == (
        "It also averted the most net losses: 2.50 bn yuan (90% interval 2.25 bn to 2.75 bn)."
    )
    assert third == (
        "Over 5 paired seeds, 2 of 3 policies averted cases with an interval above zero; "
        "the seeds cannot tell small from ref."
    )


def test_answer_names_another_policy_for_net_losses_and_says_when_all_are_clear():
    table = comparison_table(
        {"cards": (900.0, 600.0, 1_200.0, 3e6), "calls": (700.0, 100.0, 1_300.0, 4.2e7)}
    )
    first, second, third = report.answer(table)
    assert first.startswith("Against ref, cards averted the most cases: 900 (90% interval 600")
    assert second == (
        "The most net losses were averted by calls: 42.00 M yuan (90% interval 37.80 M to 46.20 M)."
    )
    assert (
        third
        == "All 2 policies' 90% intervals of cases averted lie above zero, over 5 paired seeds."
    )


def test_answer_when_no_policy_averts_cases_or_seeds_are_too_few():
    worse = comparison_table({"backfire": (-50.0, -80.0, -20.0, -1e6)})
    first, second, third = report.answer(worse)
    assert first == (
        "Against ref, no policy averted cases on average: the best, backfire, averted -50 "
        "(90% interval -80 to -20)."
    )
    assert second.startswith("No policy averted net losses on average")
    assert "backfire had clearly more cases than ref" in third
    single = comparison_table({"once": (10.0, float("nan"), float("nan"), 1e6)}, seeds=1)
    lines = report.answer(single)
    assert "(one seed: no interval)" in lines[0]
    assert lines[-1] == "With one seed per scenario there are no intervals: run more seeds."


def test_headline_figure_ranks_policies_in_every_panel():
    table = comparison_table(
        {"small": (120.0, -30.0, 260.0, 9e9), "large": (4_500.0, 3_100.0, 5_900.0, 1e6)}
    )
    fig = plot_averted(table)
    assert len(fig.axes) == 2, "one panel for cases, one for net losses"
    for ax in fig.axes:
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks == ["small", "large"], "largest cases averted at the top, in both panels"
    assert "cases averted" in fig.axes[0].get_xlabel()
    assert "yuan" in fig.axes[1].get_xlabel()
