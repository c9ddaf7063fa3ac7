"""The ``compare`` and ``plot`` commands end to end at a tiny scale, and the files they write.

The analysis itself is tested on synthetic tables in test_summaries.py, test_effects.py,
test_plots.py and test_report.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.effects import EFFECTS
from experiments.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]

CSV_COLUMNS = {
    "comparison.csv": "scenario,reference,effect,unit,n_seeds,reference_mean,mean,ci_low,ci_high,"
    "relative,relative_low,relative_high,note",
    "displacement.csv": "scenario,dimension,category,measure,start,n_seeds,before,after,change,"
    "reference_before,reference_after,reference_change,displacement,ci_low,ci_high,note",
    "effort.csv": "scenario,lever,effort_hours,reference_hours,extra_hours",
    "seeds_enough.csv": "scenario,effect,unit,n_seeds,mean,ci_low,ci_high,ci_width,relative_width",
}
"""The header of each table `compare` writes: readers of these files rely on it."""


def test_compare_and_plot_are_registered():
    help_text = build_parser().format_help()
    assert "compare" in help_text, help_text
    assert "plot" in help_text, help_text


TINY_POLICY = """\
extends = "{base}"
name = "tiny_crackdown"
description = "The broken card lever from the second week of a three-week run."

[[add_levers]]
type = "card_crackdown"
start = 2021-01-08
intensity = 1.0
"""


def compare_argv(policy: Path, out: Path) -> list[str]:
    """Two scenarios, two seeds, 1 agent = 40,000 people, three weeks: a few seconds."""
    tiny = ["--seeds", "2", "--scale", "40000", "--start", "2021-01-01", "--end", "2021-01-21",
            "--set", "run.burn_in_days=10", "--workers", "1", "--quiet"]  # fmt: skip
    base = str(ROOT / "scenarios" / "no_intervention.toml")
    return ["compare", base, str(policy), *tiny, "--out", str(out)]


@pytest.fixture(scope="module")
def compared(tmp_path_factory, call):
    directory = tmp_path_factory.mktemp("compare")
    policy = directory / "tiny_crackdown.toml"
    base = (ROOT / "scenarios" / "no_intervention.toml").as_posix()
    policy.write_text(TINY_POLICY.format(base=base), encoding="utf-8")
    out = directory / "out"
    return (*call(compare_argv(policy, out)), out)


def test_compare_end_to_end(compared):
    code, stdout, stderr, out = compared
    assert code == 0, f"compare failed:\n{stderr}"
    assert (out / "report.html").is_file()
    assert (out / "sweep" / "sweep.json").is_file()
    assert (out / "sweep.json").is_file(), "a copy of the sweep manifest beside the report"
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"tiny_crackdown"}
    assert set(table["reference"]) == {"no_intervention"}
    assert table["n_seeds"].eq(2).all(), "two seeds, paired"
    assert set(table["effect"]) == set(EFFECTS)
    assert (out / "figures" / "curve_cases.png").is_file()
    first = stdout.splitlines()[0]
    assert first.startswith("Against no_intervention, "), f"the answer comes first: {stdout}"
    assert "report: " in stdout.split("\n\n", 1)[1], f"then where the report is: {stdout}"


@pytest.mark.parametrize("name", sorted(CSV_COLUMNS))
def test_compare_tables_keep_their_columns(compared, name):
    *_, out = compared
    header = (out / name).read_text(encoding="utf-8").splitlines()[0]
    assert header == CSV_COLUMNS[name], f"{name} columns changed"


def test_compare_report_answers_first(compared):
    *_, out = compared
    text = (out / "report.html").read_text(encoding="utf-8")
    answer = text[text.index('id="answer"') : text.index("</section>")]
    assert "<p>Against no_intervention, " in answer, answer[:400]
    assert "tiny_crackdown" in answer
    assert "figures/headline.png" in answer
    assert text.rstrip().endswith("</details>\n</main>\n</body>\n</html>"), text[-200:]


def test_compare_rerun_reuses_finished_runs(compared, call):
    _, _, _, out = compared
    before = {p.name: p.stat().st_mtime_ns for p in (out / "sweep" / "daily").iterdir()}
    code, _, stderr = call(compare_argv(out.parent / "tiny_crackdown.toml", out))
    assert code == 0, stderr
    after = {p.name: p.stat().st_mtime_ns for p in (out / "sweep" / "daily").iterdir()}
    assert before == after, "finished runs are not run again"


def test_plot_draws_the_standard_figures(compared, call):
    _, _, _, out = compared
    code, stdout, stderr = call(["plot", str(out)])
    assert code == 0, stderr
    names = {Path(line).name for line in stdout.split()}
    assert {"curve_cases.png", "comparison_cases_averted.png", "market_and_abroad.png"} <= names


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "scenarios/no_intervention.toml"], "at least two"),
        (["compare", "scenarios/no_intervention.toml", "missing.toml"], "not found"),
        (
            [
                "compare",
                "scenarios/no_intervention.toml",
                "scenarios/warnings.toml",
                "--reference",
                "nope",
            ],
            "--reference",
        ),
        (["compare", "a.toml", "b.toml", "--seeds", "0"], "--seeds"),
        (["plot", "does/not/exist"], "not a directory"),
    ],
)
def test_user_mistakes_exit_2_with_a_message(argv, message, monkeypatch, tmp_path, call):
    monkeypatch.chdir(ROOT)
    code, _, stderr = call(
        [*argv, *(["--out", str(tmp_path / "o")] if argv[0] == "compare" else [])]
    )
    assert code == 2, stderr
    assert message in stderr, stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "o").exists(), "a refused comparison leaves no directory"
