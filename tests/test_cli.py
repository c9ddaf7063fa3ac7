"""The ``fraudsim`` command line: exit codes, messages, and a real run end to end.

The end-to-end run uses the real model at a tiny setting (1 agent = 20,000 people, 31 days,
10 days of burn-in), so it takes a few seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.results import load_run
from experiments import runs as runner
from experiments.cli import main
from simulation.errors import InvariantError
from simulation.outputs import DAILY_COLUMNS, LONG_TABLES, SUMMARY_ROWS
from simulation.scenario import load_scenario, load_scenario_text

TINY = ["--scale", "20000", "--start", "2021-01-01", "--end", "2021-01-31",
        "--set", "run.burn_in_days=10"]  # fmt: skip

SCENARIO = """\
name = "tiny"
description = "A small scenario for command-line tests."

[[levers]]
type = "early_warning"
start = 2021-01-10
intensity = 0.5
"""


def write_scenario(directory: Path, text: str = SCENARIO, name: str = "tiny.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, f"a user mistake must not print a traceback:\n{stderr}"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, call):
    """One real run through the command line, with the progress bar on."""
    root = tmp_path_factory.mktemp("cli")
    scenario = write_scenario(root)
    out = root / "results" / "tiny"
    code, stdout, stderr = call(["run", str(scenario), "--seed", "7", "--out", str(out), *TINY])
    return {"code": code, "stdout": stdout, "stderr": stderr, "out": out, "scenario": scenario}


# --- help and usage ------------------------------------------------------------------------


def test_help_lists_subcommands(call):
    code, stdout, _ = call(["--help"])
    assert code == 0, "--help should exit 0"
    for command in ("run", "validate", "schema"):
        assert command in stdout, f"--help should list {command!r}"


def test_run_help_lists_options(call):
    code, stdout, _ = call(["run", "--help"])
    assert code == 0
    for option in ("--seed", "--out", "--start", "--end", "--scale", "--set", "--quiet",
                   "--check-invariants"):  # fmt: skip
        assert option in stdout, f"run --help should mention {option}"


def test_version(call):
    code, stdout, _ = call(["--version"])
    assert code == 0
    assert stdout.startswith("fraudsim "), f"unexpected version text {stdout!r}"


def test_no_subcommand_is_a_usage_error(call):
    code, _, stderr = call([])
    assert code == 2, "no subcommand should exit 2"
    assert "usage" in stderr


def test_unknown_subcommand_is_a_usage_error(call):
    code, _, stderr = call(["simulate"])
    assert code == 2
    assert "invalid choice" in stderr
    assert_no_traceback(stderr)


def test_python_m_experiments_works():
    done = subprocess.run(
        [sys.executable, "-m", "experiments", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"python -m experiments --help failed: {done.stderr}"
    assert "validate" in done.stdout


# --- validate and schema -------------------------------------------------------------------


def test_validate_ok(tmp_path, call):
    a = write_scenario(tmp_path, name="a.toml")
    b = write_scenario(tmp_path, 'extends = "a.toml"\nname = "b"\n', name="b.toml")
    code, stdout, stderr = call(["validate", str(a), str(b)])
    assert code == 0, f"valid files should exit 0; stderr: {stderr}"
    assert stdout.splitlines() == [f"ok: {a}", f"ok: {b}"]
    assert stderr == ""


def test_validate_reports_each_problem_on_its_own_line(tmp_path, call):
    good = write_scenario(tmp_path, name="good.toml")
    bad = write_scenario(
        tmp_path, "[police]\np_disuade = 0.5\n\n[run]\nscale = -3.0\n", name="bad.toml"
    )
    code, stdout, stderr = call(["validate", str(good), str(bad)])
    assert code == 2, "an invalid file should exit 2"
    assert stdout.splitlines() == [f"ok: {good}"], "the valid file is still reported ok"
    lines = stderr.splitlines()
    assert len(lines) == 2, f"expected one line per problem, got {lines}"
    assert all(str(bad) in line for line in lines), f"every line should name the file: {lines}"
    typo = next(line for line in lines if "p_disuade" in line)
    assert "p_dissuade" in typo, f"the typo should get a suggestion: {typo}"
    assert any("run.scale" in line for line in lines), f"the range problem is missing: {lines}"
    assert_no_traceback(stderr)


def test_validate_missing_file(tmp_path, call):
    missing = tmp_path / "nope.toml"
    code, stdout, stderr = call(["validate", str(missing)])
    assert code == 2
    assert stdout == ""
    assert str(missing) in stderr
    assert "not found" in stderr
    assert_no_traceback(stderr)


def test_validate_needs_a_file(call):
    code, _, stderr = call(["validate"])
    assert code == 2
    assert "FILE" in stderr


def test_schema_prints_json_schema(call):
    code, stdout, _ = call(["schema"])
    assert code == 0
    schema = json.loads(stdout)
    for key in ("run", "police", "levers", "extends", "add_levers"):
        assert key in schema["properties"], f"schema should describe {key!r}"


# --- run, end to end -----------------------------------------------------------------------


def test_run_succeeds_and_prints_summary(tiny_run):
    assert tiny_run["code"] == 0, f"run failed: {tiny_run['stderr']}"
    stdout = tiny_run["stdout"]
    assert "tiny: seed 7, 2021-01-01 to 2021-01-31 (31 days)" in stdout, stdout
    for row in SUMMARY_ROWS:
        assert row.label in stdout, f"summary should show {row.label!r}"
    assert "31/31" in tiny_run["stderr"], "the progress bar should reach 31/31 days on stderr"


def test_run_writes_all_files(tiny_run):
    names = sorted(p.name for p in tiny_run["out"].iterdir())
    expected = ["by_channel.parquet", "by_type.parquet", "by_victim.parquet", "daily.parquet",
                "manifest.json"]  # fmt: skip
    assert names == expected, f"expected {expected}, got {names}"
    siblings = sorted(p.name for p in tiny_run["out"].parent.iterdir())
    assert siblings == ["tiny"], f"no temporary directories should remain: {siblings}"


def test_run_tables_follow_the_contract(tiny_run):
    run = load_run(tiny_run["out"])
    assert list(run.daily.columns) == list(DAILY_COLUMNS), (
        "daily columns should be exactly the documented contract, in order"
    )
    assert len(run.daily) == 31, "one row per reported day"
    assert run.daily["date"].iloc[0] == pd.Timestamp("2021-01-01")
    assert run.daily["date"].iloc[-1] == pd.Timestamp("2021-01-31")
    for name, columns in LONG_TABLES.items():
        assert list(run.tables[name].columns) == [c.name for c in columns], (
            f"{name} columns should follow the contract"
        )


def test_run_manifest_records_provenance(tiny_run):
    manifest = json.loads((tiny_run["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    assert manifest["scale"] == 20000.0
    assert manifest["scenario_name"] == "tiny"
    assert manifest["period"] == {"start": "2021-01-01", "end": "2021-01-31", "n_days": 31,
                                  "burn_in_days": 10}  # fmt: skip
    for package in ("fraudsim", "python", "mesa", "numpy", "pandas", "pydantic", "pyarrow"):
        assert manifest["versions"][package], f"manifest should record the {package} version"
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert manifest["created_utc"].endswith("Z")
    assert manifest["wall_time_seconds"] >= 0
    expected = load_scenario(tiny_run["scenario"], TINY_OVERRIDES)
    assert manifest["scenario"] == expected.model_dump(mode="json"), "resolved scenario as data"
    from_toml = load_scenario_text(manifest["scenario_toml"], "manifest")
    assert from_toml == expected, "the manifest's TOML should load back to the same scenario"
    embedded = pq.read_schema(tiny_run["out"] / "daily.parquet").metadata[b"fraudsim"]
    assert json.loads(embedded) == manifest, "daily.parquet should carry the manifest"


TINY_OVERRIDES = ["run.burn_in_days=10", "run.start=2021-01-01", "run.end=2021-01-31",
                  "run.scale=20000.0"]  # fmt: skip


def test_same_seed_same_tables(tiny_run, tmp_path, call):
    out = tmp_path / "again"
    code, _, stderr = call(
        ["run", str(tiny_run["scenario"]), "--seed", "7", "--out", str(out), "--quiet", *TINY]
    )
    assert code == 0, stderr
    assert stderr == "", "--quiet should print no progress bar"
    first, second = load_run(tiny_run["out"]), load_run(out)
    pd.testing.assert_frame_equal(first.daily, second.daily, obj="daily of a repeated run")
    for name in LONG_TABLES:
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name], obj=name)


def test_run_default_out_dir_is_results_scenario_name(tmp_path, monkeypatch, call):
    scenario = write_scenario(tmp_path, 'name = "default out"\n', name="d.toml")
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = call(
        ["run", str(scenario), "--quiet", "--scale", "100000", "--start", "2021-01-01",
         "--end", "2021-01-03", "--set", "run.burn_in_days=0"]
    )  # fmt: skip
    assert code == 0, stderr
    out = tmp_path / "results" / "default_out"
    assert (out / "manifest.json").is_file(), f"results should go to {out}"
    assert "results: results/default_out" in stdout


# --- run: user mistakes --------------------------------------------------------------------


def test_bad_set_key_exits_2_and_writes_nothing(tmp_path, call):
    scenario = write_scenario(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = call(
        ["run", str(scenario), "--out", str(out), "--set", "police.p_disuade=0.5"]
    )
    assert code == 2, "an unknown --set key should exit 2"
    assert "--set" in stderr
    assert "police.p_disuade" in stderr, f"the message should name the key: {stderr}"
    assert "p_dissuade" in stderr, f"the message should suggest the right key: {stderr}"
    assert not out.exists(), "no output directory should be created"
    assert stdout == ""
    assert_no_traceback(stderr)


def test_bad_set_value_exits_2(tmp_path, call):
    scenario = write_scenario(tmp_path)
    code, _, stderr = call(
        ["run", str(scenario), "--out", str(tmp_path / "o"), "--set", "police.p_dissuade=2"]
    )
    assert code == 2
    assert "police.p_dissuade" in stderr
    assert not (tmp_path / "o").exists()
    assert_no_traceback(stderr)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--start", "2021-02-30"], "--start"),
        (["--end", "yesterday"], "--end"),
        (["--scale", "0"], "--scale"),
        (["--seed", "-1"], "--seed"),
        (["--seed", "1.5"], "--seed"),
        (["--set", "no_equals_sign"], "KEY=VALUE"),
    ],
)
def test_bad_option_values_are_usage_errors(tmp_path, args, expected, call):
    scenario = write_scenario(tmp_path)
    code, _, stderr = call(["run", str(scenario), "--out", str(tmp_path / "o"), *args])
    assert code == 2, f"{args} should exit 2"
    assert expected in stderr, f"the message should mention {expected!r}: {stderr}"
    assert not (tmp_path / "o").exists()
    assert_no_traceback(stderr)


def test_end_before_start_exits_2(tmp_path, call):
    scenario = write_scenario(tmp_path)
    code, _, stderr = call(
        ["run", str(scenario), "--out", str(tmp_path / "o"), "--start", "2021-03-01",
         "--end", "2021-02-01"]
    )  # fmt: skip
    assert code == 2
    assert "run.end" in stderr, stderr
    assert_no_traceback(stderr)


def test_shorthand_and_set_of_the_same_key_conflict(tmp_path, call):
    scenario = write_scenario(tmp_path)
    code, _, stderr = call(
        ["run", str(scenario), "--start", "2021-01-01", "--set", "run.start=2021-02-01"]
    )
    assert code == 2
    assert "--start" in stderr
    assert "run.start" in stderr


def test_missing_scenario_exits_2(tmp_path, call):
    code, _, stderr = call(["run", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "missing.toml" in stderr
    assert "not found" in stderr
    assert_no_traceback(stderr)


def test_unwritable_out_exits_2_before_running(tmp_path, monkeypatch, call):
    scenario = write_scenario(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory", encoding="utf-8")
    out = blocker / "results"

    def must_not_run(*args, **kwargs):
        raise AssertionError("the model must not be built when the output cannot be written")

    monkeypatch.setattr(runner, "FraudModel", must_not_run)
    code, stdout, stderr = call(["run", str(scenario), "--out", str(out), *TINY])
    assert code == 2, "an unwritable --out should exit 2"
    assert str(out) in stderr, f"the message should name the path: {stderr}"
    assert "not a directory" in stderr, f"the message should say why: {stderr}"
    assert stdout == ""
    assert blocker.read_text(encoding="utf-8") == "not a directory"
    assert_no_traceback(stderr)


def test_out_that_is_a_file_exits_2(tmp_path, call):
    scenario = write_scenario(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    code, _, stderr = call(["run", str(scenario), "--out", str(blocker), *TINY])
    assert code == 2
    assert str(blocker) in stderr
    assert_no_traceback(stderr)


# --- run: failures that are not the user's -------------------------------------------------


def test_unexpected_errors_keep_their_traceback(tmp_path, monkeypatch):
    scenario = write_scenario(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "run_scenario", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["run", str(scenario), "--out", str(tmp_path / "o")])


def test_broken_invariant_exits_1_with_a_message(tmp_path, monkeypatch, call):
    scenario = write_scenario(tmp_path)

    def broken(*args, **kwargs):
        raise InvariantError("money conserved", "2021-01-05", "total 1.00 yuan, expected 2.00")

    monkeypatch.setattr(runner, "run_scenario", broken)
    code, _, stderr = call(["run", str(scenario), "--out", str(tmp_path / "o")])
    assert code == 1, "a broken invariant is a bug in the model, not a usage error"
    assert "money conserved" in stderr
    assert_no_traceback(stderr)


def test_progress_bars_redraw_rarely_into_a_log(monkeypatch, capsys):
    from simulation.progress import LOG_INTERVAL_S, progress_bar  # noqa: PLC0415

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with progress_bar(enabled=True, total=1000, unit="day") as bar:
        assert bar.mininterval == LOG_INTERVAL_S, (
            f"off a terminal a bar should redraw at most every {LOG_INTERVAL_S} s"
        )
        for _ in range(1000):
            bar.update(1)
    err = capsys.readouterr().err
    assert err.count("\r") <= 3, f"expected the first and last draws only, got {err!r}"
    assert "1000/1000" in err, f"the last draw should show the total: {err!r}"
