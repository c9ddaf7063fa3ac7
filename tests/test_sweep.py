"""Scenario sweeps: sweep-file validation, expansion, executors, resuming and failures.

The runs are tiny (1 agent = 20,000 people, 20 reported days after 10 days of burn-in, about
0.1 s each), so the time goes into starting worker processes and a local Dask cluster. The
scenarios are the shipped ones whose levers all start before the short run ends.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

from analysis.sweeps import TABLES, load_sweep, load_sweep_manifest
from experiments.cli import main
from experiments.sweep import (
    SweepError,
    SweepSpec,
    execute_sweep,
    load_sweep_spec,
    run_sweep,
)
from experiments.sweep.driver import FAULT_ENV
from experiments.sweep.store import SweepStore
from simulation.errors import FraudsimError, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
TINY_SET = (
    'set = { "run.scale" = 20000.0, "run.start" = 2021-05-01, "run.end" = 2021-05-20, '
    '"run.burn_in_days" = 10 }'
)
N_DAYS = 20


def scenario_list(*names: str) -> str:
    return (
        "scenarios = [" + ", ".join(json.dumps(str(SCENARIOS / f"{n}.toml")) for n in names) + "]"
    )


def write_sweep(directory: Path, body: str, name: str = "sweep.toml") -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


# The sweep every executor runs: 2 scenarios x 2 points x 2 seeds = 8 runs.
SMALL = f"""\
name = "small"
{scenario_list("no_intervention", "broken_card")}
seeds = 2
{TINY_SET}

[grid]
"police.p_dissuade" = [0.2, 0.6]
"""


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [
        c
        for c in ("run_id", "date", "fraud_type", "channel", "dimension", "category")
        if c in frame.columns
    ]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def part_mtimes(out: Path) -> dict[str, int]:
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns
        for table in TABLES
        for p in (out / table).glob("*.parquet")
    }


def leftovers(out: Path) -> list[Path]:
    return list(out.rglob("*.tmp"))


@pytest.fixture(scope="module")
def small_spec(tmp_path_factory) -> SweepSpec:
    return load_sweep_spec(write_sweep(tmp_path_factory.mktemp("spec"), SMALL))


@pytest.fixture(scope="module")
def serial_sweep(small_spec, tmp_path_factory) -> Path:
    """The small sweep run serially in this process: the reference for everything else."""
    out = tmp_path_factory.mktemp("serial") / "out"
    report = execute_sweep(small_spec, out, workers=1)
    assert report.exit_code == 0, f"the reference sweep should finish every run:\n{report.format()}"
    return out


# ================================================================================ validation
def problems_of(tmp_path: Path, body: str) -> list:
    path = write_sweep(tmp_path, body)
    with pytest.raises(SweepError) as info:
        load_sweep_spec(path)
    assert isinstance(info.value, ScenarioError), "a SweepError should be a ScenarioError"
    assert isinstance(info.value, ValueError), "sweep errors should be ValueErrors"
    for problem in info.value.problems:
        assert problem.file, f"every problem should name a file: {problem}"
    return info.value.problems


def test_typo_is_refused_with_a_suggestion(tmp_path):
    problems = problems_of(tmp_path, f"{scenario_list('no_intervention')}\nseed = 3\n")
    typo = [p for p in problems if p.key == "seed"]
    assert typo, f"the unknown key 'seed' should be reported: {problems}"
    assert typo[0].suggestion == "seeds", f"'seed' should suggest 'seeds': {typo[0]}"
    assert typo[0].file.endswith("sweep.toml"), f"the problem should name the file: {typo[0]}"
    assert any(p.key == "seeds" and "missing" in p.message for p in problems), (
        f"the missing 'seeds' should be reported too: {problems}"
    )


@pytest.mark.parametrize(
    ("seeds", "fragment"),
    [
        ("0", "between 1 and"),
        ("-3", "between 1 and"),
        ("[1, 1, 2]", "distinct"),
        ("[0, -1]", "integers >= 0"),
        ("[]", "empty"),
        ('"ten"', "count of seeds"),
        ("true", "count of seeds"),
        ("2.5", "count of seeds"),
    ],
)
def test_bad_seeds_are_refused(tmp_path, seeds, fragment):
    problems = problems_of(tmp_path, f"{scenario_list('no_intervention')}\nseeds = {seeds}\n")
    assert [p.key for p in problems] == ["seeds"], f"one problem at 'seeds' expected: {problems}"
    assert fragment in problems[0].message, f"message should say {fragment!r}: {problems[0]}"


def test_range_with_low_above_high_is_refused(tmp_path):
    body = f"""{scenario_list("no_intervention")}
seeds = 2
[sample]
method = "latin_hypercube"
n = 4
ranges = {{ "police.p_dissuade" = [0.8, 0.2] }}
"""
    problems = problems_of(tmp_path, body)
    assert len(problems) == 1, f"one problem expected: {problems}"
    assert problems[0].key == 'sample.ranges."police.p_dissuade"', f"key path: {problems[0]}"
    assert "low must be below high" in problems[0].message, f"message: {problems[0]}"
    assert problems[0].given == "[0.8, 0.2]", f"the range given should be shown: {problems[0]}"


def test_unknown_sampler_is_refused_with_a_suggestion(tmp_path):
    body = f"""{scenario_list("no_intervention")}
seeds = 2
[sample]
method = "latin_hypercub"
n = 4
ranges = {{ "police.p_dissuade" = [0.2, 0.8] }}
"""
    problems = problems_of(tmp_path, body)
    assert [p.key for p in problems] == ["sample.method"], f"one problem expected: {problems}"
    assert problems[0].allowed == "latin_hypercube, sobol", f"allowed methods: {problems[0]}"
    assert problems[0].suggestion == "latin_hypercube", f"suggestion: {problems[0]}"


def test_sobol_needs_a_power_of_two(tmp_path):
    body = f"""{scenario_list("no_intervention")}
seeds = 2
[sample]
method = "sobol"
n = 12
ranges = {{ "police.p_dissuade" = [0.2, 0.8] }}
"""
    problems = problems_of(tmp_path, body)
    assert [p.key for p in problems] == ["sample.n"], f"one problem at sample.n: {problems}"
    assert "8 or 16" in (problems[0].allowed or ""), f"neighbouring powers: {problems[0]}"


def test_bad_parameter_keys_and_values_are_refused_before_anything_runs(tmp_path):
    body = f"""{scenario_list("no_intervention", "broken_card")}
seeds = 2
[grid]
"police.p_dissuadee" = [0.1, 0.2]
"polic.p_dissuade" = [0.5]
"levers.3.intensity" = [1.0]
"police.p_crack_domestic" = [0.5, 1.5]
"""
    problems = {p.key: p for p in problems_of(tmp_path, body)}
    typo = problems.get('grid."police.p_dissuadee"')
    assert typo is not None, f"the misspelt key should be reported: {list(problems)}"
    assert typo.suggestion == "police.p_dissuade", f"the whole key should be suggested: {typo}"
    assert "in all 2 scenarios" in typo.message, f"reported once for both scenarios: {typo}"
    section = problems.get('grid."polic.p_dissuade"')
    assert section is not None, f"a misspelt section should be reported: {list(problems)}"
    assert section.suggestion == "police.p_dissuade", (
        f"a misspelt section should suggest the whole key: {section}"
    )
    index = problems.get('grid."levers.3.intensity"')
    assert index is not None, f"a lever index out of range should be reported: {list(problems)}"
    assert "index out of range" in index.message, (
        f"a lever index beyond the scenario's levers should be refused: {index}"
    )
    bound = problems.get('grid."police.p_crack_domestic"')
    assert bound is not None, f"a value out of bounds should be reported: {list(problems)}"
    assert bound.given == "1.5", f"the value out of bounds should be shown: {bound}"
    assert "<= 1" in bound.message, f"the bound should be named: {bound}"


def test_set_mistakes_and_missing_scenarios_are_refused(tmp_path):
    body = f"""scenarios = [{json.dumps(str(SCENARIOS / "no_intervention.toml"))}, "nowhere.toml"]
seeds = 2
set = {{ "run.sacle" = 5000.0 }}
"""
    problems = {p.key: p for p in problems_of(tmp_path, body)}
    assert problems['set."run.sacle"'].suggestion == "run.scale", f"set typo: {problems}"
    missing = problems["scenarios[1]"]
    assert "file not found" in missing.message, f"a missing scenario file: {missing}"


def test_grid_and_sample_together_are_refused(tmp_path):
    body = f"""{scenario_list("no_intervention")}
seeds = 2
[grid]
"police.p_dissuade" = [0.2]
[sample]
method = "sobol"
n = 4
ranges = {{ "police.p_crack_domestic" = [0.2, 0.8] }}
"""
    problems = problems_of(tmp_path, body)
    assert any("not both" in p.message for p in problems), f"grid + sample: {problems}"


def test_cli_reports_a_bad_sweep_file_with_exit_code_2(tmp_path):
    path = write_sweep(tmp_path, f"{scenario_list('no_intervention')}\nsedes = 3\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2, f"a bad sweep file is a user mistake (exit 2), got {code}"
    assert "sedes: unknown key" in err.getvalue(), f"message on stderr: {err.getvalue()}"
    assert "did you mean 'seeds'" in err.getvalue(), f"suggestion on stderr: {err.getvalue()}"
    assert not (tmp_path / "out").exists(), "nothing should be written for an invalid sweep"


# ================================================================================ expansion
def test_grid_expands_to_every_combination_in_seed_order(tmp_path):
    body = f"""name = "grid"
{scenario_list("repatriation", "broken_card")}
seeds = [3, 7]
{TINY_SET}
[grid]
"police.p_dissuade" = [0.1, 0.2, 0.3]
"levers[0].intensity" = [1, 2]
"""
    spec = load_sweep_spec(write_sweep(tmp_path, body))
    assert spec.parameters == ("police.p_dissuade", "levers.0.intensity"), (
        f"parameters in file order, in dotted form: {spec.parameters}"
    )
    assert len(spec.points) == 6, f"3 x 2 points: {spec.points}"
    assert spec.n_runs == 24, f"6 points x 2 scenarios x 2 seeds: {spec.describe()}"
    assert spec.points[1] == {"police.p_dissuade": 0.1, "levers.0.intensity": 2}, (
        f"points follow itertools.product order: {spec.points}"
    )
    assert [r.seed for r in spec.runs] == [3] * 12 + [7] * 12, "runs should go seed by seed"
    assert len({r.run_id for r in spec.runs}) == 24, "run ids should be unique"
    again = load_sweep_spec(write_sweep(tmp_path, body, "again.toml"))
    assert [r.run_id for r in again.runs] == [r.run_id for r in spec.runs], (
        "run ids should depend on the inputs only, not on the file name or the session"
    )
    other = load_sweep_spec(
        write_sweep(
            tmp_path, body.replace('"run.scale" = 20000.0', '"run.scale" = 25000.0'), "other.toml"
        )
    )
    assert not {r.run_id for r in other.runs} & {r.run_id for r in spec.runs}, (
        "changing a `set` value should change every run id"
    )


@pytest.mark.parametrize("method", ["latin_hypercube", "sobol"])
def test_sample_designs_stay_in_their_ranges_and_are_reproducible(tmp_path, method):
    body = f"""{scenario_list("no_intervention")}
seeds = 1
[sample]
method = "{method}"
n = 8
seed = 4
ranges = {{ "police.p_dissuade" = [0.2, 0.6], "run.burn_in_days" = [5, 12] }}
"""
    spec = load_sweep_spec(write_sweep(tmp_path, body))
    values = np.array([p["police.p_dissuade"] for p in spec.points])
    days = [p["run.burn_in_days"] for p in spec.points]
    assert spec.n_runs == 8, f"8 points, 1 scenario, 1 seed: {spec.describe()}"
    assert np.all((values >= 0.2) & (values < 0.6)), f"values within [0.2, 0.6): {values}"
    assert all(isinstance(d, int) and 5 <= d <= 12 for d in days), (
        f"integer bounds should give integers within them: {days}"
    )
    if method == "latin_hypercube":
        strata = np.floor((values - 0.2) / 0.4 * 8).astype(int)
        assert sorted(strata) == list(range(8)), f"one point per stratum (LHS): {strata}"
    again = load_sweep_spec(write_sweep(tmp_path, body, "again.toml"))
    assert again.points == spec.points, "the same sampler seed should give the same points"
    other = load_sweep_spec(write_sweep(tmp_path, body.replace("seed = 4", "seed = 5"), "o.toml"))
    assert other.points != spec.points, "another sampler seed should give other points"


def test_shipped_sweep_files_load():
    policy = load_sweep_spec(SCENARIOS / "sweeps" / "policy_comparison.toml")
    names = [s.name for s in policy.scenarios]
    assert names == [
        "no_intervention",
        "baseline",
        "warnings",
        "broken_card",
        "repatriation",
        "all_measures",
    ], f"policy comparison scenarios: {names}"
    assert policy.seeds == tuple(range(20)), f"seeds 0..19: {policy.seeds}"
    assert policy.n_runs == 120, policy.describe()
    levers = load_sweep_spec(SCENARIOS / "sweeps" / "lever_intensity.toml")
    assert levers.parameters == ("levers.2.intensity", "levers.0.intensity"), levers.parameters
    assert levers.n_runs == 250, levers.describe()
    baseline = levers.scenarios[0].toml
    kinds = [line for line in baseline.splitlines() if line.startswith("type = ")]
    message = f"lever_intensity.toml assumes the baseline's lever order: {kinds}"
    assert kinds[0] == 'type = "card_crackdown"', message
    assert kinds[2] == 'type = "early_warning"', message


# ================================================================================ executors
def test_serial_sweep_writes_tidy_tables(serial_sweep, small_spec):
    daily = load_sweep(serial_sweep)
    assert list(daily.columns[:5]) == ["run_id", "scenario", "seed", "police.p_dissuade", "date"], (
        f"identifying and parameter columns first: {list(daily.columns[:6])}"
    )
    counts = daily.groupby("run_id").size()
    assert len(counts) == small_spec.n_runs, f"every run present: {counts.to_dict()}"
    assert set(counts) == {N_DAYS}, f"one row per run and day: {counts.to_dict()}"
    assert daily["seed"].dtype == np.int64, f"seed should be an integer column: {daily.dtypes}"
    for table in TABLES[1:]:
        frame = load_sweep(serial_sweep, table)
        assert frame["run_id"].nunique() == small_spec.n_runs, f"{table}: every run present"
    manifest = load_sweep_manifest(serial_sweep)
    assert manifest["status"] == "complete", f"status after a full sweep: {manifest['status']}"
    scenario = manifest["scenarios"][0]
    assert scenario["n_residents"] == round(scenario["population_national"] / scenario["scale"]), (
        f"n_residents for rates per 100,000: {scenario}"
    )
    assert "[run]" in scenario["toml"], "the resolved scenario should be recorded as TOML"
    national = load_sweep(serial_sweep, national=True)
    assert_frame_equal(
        national[["seed", "police.p_dissuade", "card_price_yuan"]],
        daily[["seed", "police.p_dissuade", "card_price_yuan"]],
        obj="national: identifying columns, parameters and prices are not scaled",
    )
    assert np.allclose(national["contacts"], daily["contacts"] * 20000.0), (
        "national: counts should be multiplied by the run's scale"
    )
    with pytest.raises(FraudsimError, match="'table' parameter"):
        load_sweep(serial_sweep, "by_colour")


def test_process_pool_gives_the_serial_results_even_when_a_worker_dies(
    serial_sweep, small_spec, tmp_path, monkeypatch
):
    out = tmp_path / "pool"
    crasher = small_spec.runs[-1].run_id
    monkeypatch.setenv(FAULT_ENV, f"exit:{crasher}")  # spawned workers inherit the environment
    report = execute_sweep(small_spec, out, workers=2)
    assert "2 workers" in report.executor, f"a pool should have run it: {report.executor}"
    assert report.n_finished == small_spec.n_runs - 1, f"the others finish: {report.format()}"
    assert [f["run_id"] for f in report.failures] == [crasher], (
        f"the run that killed its worker should be found and recorded: {report.format()}"
    )
    assert report.failures[0]["type"] == "WorkerDied", f"failure type: {report.failures}"
    assert report.exit_code == 1, "a lost run means exit code 1"
    assert not leftovers(out), f"no temporary file should remain: {leftovers(out)}"
    before = part_mtimes(out)

    monkeypatch.delenv(FAULT_ENV)
    report = execute_sweep(small_spec, out, workers=1)
    assert report.exit_code == 0, report.format()
    assert report.n_finished_before == small_spec.n_runs - 1, f"resumed: {report.format()}"
    assert {k: v for k, v in part_mtimes(out).items() if k in before} == before, (
        "runs finished before the crash should not be recomputed"
    )
    counts = load_sweep(out).groupby("run_id").size()
    assert set(counts) == {N_DAYS}, f"each run exactly once: {counts.to_dict()}"
    for table in TABLES:
        assert_frame_equal(
            tidy(load_sweep(out, table)),
            tidy(load_sweep(serial_sweep, table)),
            check_exact=True,
            obj=f"pool (with a crash and a resume) vs serial: {table}",
        )


def test_dask_cluster_gives_the_serial_results(serial_sweep, small_spec, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        daily = run_sweep(small_spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert_frame_equal(
        tidy(daily), tidy(load_sweep(serial_sweep)), check_exact=True, obj="dask vs serial: daily"
    )
    for table in TABLES[1:]:
        assert_frame_equal(
            tidy(load_sweep(tmp_path / "dask", table)),
            tidy(load_sweep(serial_sweep, table)),
            check_exact=True,
            obj=f"dask vs serial: {table}",
        )


# ================================================================================ resuming
def test_interrupted_sweep_resumes_without_recomputing(serial_sweep, small_spec, tmp_path):
    out = tmp_path / "resume"

    def stop_after_three(event):
        if event.n_finished == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute_sweep(small_spec, out, workers=1, on_result=stop_after_three)
    manifest = load_sweep_manifest(out)
    assert manifest["status"] == "interrupted", f"status after Ctrl-C: {manifest['status']}"
    assert manifest["counts"]["finished"] == 3, f"three runs kept: {manifest['counts']}"
    partial = load_sweep(out)
    assert partial["run_id"].nunique() == 3, "a partial sweep should load its finished runs"
    before = part_mtimes(out)
    assert len(before) == 3 * len(TABLES), f"four parts per finished run: {sorted(before)}"

    report = execute_sweep(small_spec, out, workers=1)
    assert report.exit_code == 0, report.format()
    assert report.n_finished_before == 3, f"three runs were already done: {report.format()}"
    after = part_mtimes(out)
    assert {k: after[k] for k in before} == before, "finished runs should not be recomputed"
    daily = load_sweep(out)
    assert set(daily.groupby("run_id").size()) == {N_DAYS}, "every run exactly once"
    assert_frame_equal(
        tidy(daily),
        tidy(load_sweep(serial_sweep)),
        check_exact=True,
        obj="resumed vs uninterrupted",
    )
    assert len(load_sweep_manifest(out)["sessions"]) == 2, "both sessions should be recorded"


def test_truncated_part_and_leftover_temp_file_are_redone_and_cleaned(
    serial_sweep, small_spec, tmp_path
):
    out = tmp_path / "corrupt"
    shutil.copytree(serial_sweep, out)
    victim = sorted((out / "by_victim").glob("*.parquet"))[0]
    run_id = victim.stem.removeprefix("run_id=")
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    stray = out / "daily" / ".run_id=0000.parquet.abcd1234.tmp"
    stray.write_bytes(b"half a file")
    others = {k: v for k, v in part_mtimes(out).items() if run_id not in k}

    report = execute_sweep(small_spec, out, workers=1)
    assert report.exit_code == 0, report.format()
    assert report.n_finished_before == report.n_runs - 1, (
        f"only the run with the truncated part should be redone: {report.format()}"
    )
    assert pq.read_metadata(victim).num_rows > 0, "the truncated part should be rewritten whole"
    assert not stray.exists(), "a leftover temporary file should be removed"
    assert not leftovers(out), f"no temporary file should remain: {leftovers(out)}"
    assert {k: v for k, v in part_mtimes(out).items() if run_id not in k} == others, (
        "intact runs should not be touched"
    )
    assert_frame_equal(
        tidy(load_sweep(out, "by_victim")),
        tidy(load_sweep(serial_sweep, "by_victim")),
        check_exact=True,
        obj="redone run vs original",
    )


def test_directory_of_another_sweep_is_refused_and_more_seeds_extend_it(serial_sweep, tmp_path):
    out = tmp_path / "other"
    shutil.copytree(serial_sweep, out)
    spec = load_sweep_spec(write_sweep(tmp_path, SMALL.replace("seeds = 2", "seeds = [9]")))
    with pytest.raises(SweepError, match="holds another sweep"):
        execute_sweep(spec, out, workers=1)
    same = load_sweep_spec(write_sweep(tmp_path, SMALL, "same.toml"))
    more = load_sweep_spec(write_sweep(tmp_path, SMALL.replace("seeds = 2", "seeds = 3"), "m.toml"))
    assert more.n_runs == 12, more.describe()
    assert {r.run_id for r in same.runs} < {r.run_id for r in more.runs}, (
        "more seeds should keep the run ids of the first ones, so a sweep can be extended"
    )


def test_second_sweep_on_the_same_directory_is_refused(small_spec, tmp_path):
    store = SweepStore(tmp_path / "busy")
    store.prepare()
    with store.locked(), pytest.raises(SweepError, match="another sweep is writing"):
        execute_sweep(small_spec, tmp_path / "busy", workers=1)


# ================================================================================ failures
def small_sweep_file(tmp_path: Path, seeds: int = 2) -> Path:
    body = f"""name = "few"
{scenario_list("no_intervention")}
seeds = {seeds}
{TINY_SET}
"""
    return write_sweep(tmp_path, body)


def test_run_that_raises_is_recorded_and_exit_code_is_1(tmp_path, monkeypatch):
    path = small_sweep_file(tmp_path, seeds=3)
    spec = load_sweep_spec(path)
    bad = spec.runs[1].run_id
    out = tmp_path / "out"
    monkeypatch.setenv(FAULT_ENV, f"raise:{bad}")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 1, f"a failed run should give exit code 1, got {code}: {stderr.getvalue()}"
    assert "failed: 1" in stdout.getvalue(), f"the summary should count it: {stdout.getvalue()}"
    assert "exit status 1" in stdout.getvalue(), f"and explain the code: {stdout.getvalue()}"
    record = json.loads((out / "failures" / f"{bad}.json").read_text())
    assert record["error"]["type"] == "RuntimeError", f"error type recorded: {record}"
    assert "injected failure" in record["error"]["message"], f"message recorded: {record}"
    assert "Traceback" in record["error"]["traceback"], "the traceback should be recorded"
    assert load_sweep(out)["run_id"].nunique() == 2, "the other runs should have finished"
    assert load_sweep_manifest(out)["status"] == "incomplete", "status with a failed run"

    monkeypatch.delenv(FAULT_ENV)
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 0, "rerunning should retry the failed run and succeed"
    assert not (out / "failures" / f"{bad}.json").exists(), "the failure record should go"


def test_a_session_with_other_model_code_warns_in_one_line(tmp_path, call):
    path = small_sweep_file(tmp_path, seeds=1)
    out = tmp_path / "out"
    code, _, stderr = call(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 0, stderr
    manifest_path = out / "sweep.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["sessions"][-1]["code_sha256"], "each session records the code's digest"
    manifest["sessions"][-1]["code_sha256"] = "0" * 64  # as if the model had changed since
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    code, _, stderr = call(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 0, stderr
    lines = [line for line in stderr.splitlines() if "code changed" in line]
    assert len(lines) == 1, f"one warning about the changed code: {stderr!r}"
    assert lines[0].startswith("fraudsim: warning: "), f"a message for people: {lines[0]!r}"
    assert ".py:" not in stderr, f"no source location in a user's warning: {stderr!r}"


def test_killed_driver_loses_no_finished_run(tmp_path):
    path = small_sweep_file(tmp_path, seeds=4)
    spec = load_sweep_spec(path)
    out = tmp_path / "out"
    env = {**os.environ, FAULT_ENV: f"exit:{spec.runs[2].run_id}"}
    # workers=1 runs in the driver's own process, so the fault kills the whole sweep mid-way.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments",
            "sweep",
            str(path),
            "--out",
            str(out),
            "--workers",
            "1",
            "--quiet",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, f"the driver should have died: {done.stderr}"
    assert load_sweep_manifest(out)["status"] == "running", "a killed driver never updates it"
    assert load_sweep(out)["run_id"].nunique() == 2, "the two runs before the kill are kept"
    report = execute_sweep(spec, out, workers=1)
    assert report.exit_code == 0, report.format()
    assert report.n_finished_before == 2, f"two runs survived the kill: {report.format()}"
    counts = load_sweep(out).groupby("run_id").size()
    assert len(counts) == 4, f"every run present: {counts.to_dict()}"
    assert set(counts) == {N_DAYS}, f"each run exactly once: {counts.to_dict()}"


def test_analysis_reads_sweeps_without_running_them():
    import analysis.sweeps  # noqa: PLC0415

    assert not hasattr(analysis.sweeps, "run_sweep"), "analysis reads sweeps; it never runs one"
    assert analysis.sweeps.load_sweep is load_sweep, "load_sweep lives in analysis.sweeps"
