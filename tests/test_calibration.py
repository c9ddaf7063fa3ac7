"""Calibration machinery (issue 3): targets file, statistics, loss, Optuna fit, CLI.

The fit is checked on a case with a known answer: in a tiny model (1 agent = 40,000 people,
20 days) with many flagged contacts, the early warnings issued per day are bound by the
anti-fraud centre's capacity, so the mean of ``early_warnings`` recovers
``police.early_warning_capacity_national_per_day``. A target made from a run at a known
capacity must bring the fit back to it from a range a hundred times wider.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from analysis.targets import (
    DEFAULT_TARGETS,
    TABLE_COLUMNS,
    Target,
    TargetSet,
    evaluate,
    load_targets,
    per_seed_values,
)
from experiments.calibration.optimise import MISSING_PENALTY, calibrate, loss, target_loss
from experiments.calibration.params import (
    apply_params,
    check_params,
    load_params_spec,
    write_calibrated_scenario,
)
from experiments.calibration.run import run_seeds
from experiments.executors import make_executor
from simulation.errors import FraudsimError, ScenarioError
from simulation.outputs import DAILY_COLUMNS
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "scenarios" / "calibration" / "params.toml"
BASELINE = ROOT / "scenarios" / "baseline.toml"
KEY = "police.early_warning_capacity_national_per_day"
X_TRUE = 200_000.0

TINY = """\
name = "tiny"
description = "A tiny run in which early warnings are bound by capacity."

[run]
start = 2021-01-01
end = 2021-01-20
burn_in_days = 5
scale = 40000.0

[gangs]
n_gangs_national = 400_000              # ten gangs at this scale: contacts every day
contacts_per_phone_card = 1_000_000.0   # cards never run out

[police]
p_flag_contact = 0.5                    # far more flagged contacts than warnings
early_warning_capacity_national_per_day = 1_000_000.0
"""

TINY_SPEC = f"""\
[params."{KEY}"]
low = 20_000.0
high = 2_000_000.0
log = true
"""


def warnings_target(published: float = 1.0, tolerance: float = 0.1) -> Target:
    return Target(
        key="warnings_per_day",
        quantity="early warnings per day",
        published=published,
        period=[dt.date(2021, 1, 1), dt.date(2021, 1, 20)],
        columns=["early_warnings"],
        statistic="mean",
        tolerance=tolerance,
        required=True,
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("calibration")
    (directory / "spec.toml").write_text(TINY_SPEC, encoding="utf-8")
    path = directory / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


# --- the targets file ------------------------------------------------------------------------


def test_targets_file_loads_and_every_column_is_in_the_contract():
    targets = load_targets()
    keys = [t.key for t in targets.targets]
    assert len(keys) == len(set(keys)), f"duplicate target keys: {keys}"
    assert {"cases_cracked", "cases_may_vs_april", "early_warnings_per_day"} <= set(keys), (
        f"the issue 3 targets are missing from {DEFAULT_TARGETS}: {keys}"
    )
    for target in targets.targets:
        for column in target.columns:
            assert column in DAILY_COLUMNS, f"{target.key}: {column!r} is not in the contract"
            assert column != "date", f"{target.key}: the date is not a value column"
        if target.required:
            assert target.tolerance > 0, f"required target {target.key} has no tolerance"
    assert targets.omitted, "the [[omitted]] entries should load too"


def test_bad_targets_file_names_file_key_and_nearest_name(tmp_path):
    path = tmp_path / "bad_targets.toml"
    path.write_text(
        """\
[[targets]]
key = "cracked"
quantity = "cases cracked"
published = 114_000
period = [2021-01-01, 2021-05-31]
columns = ["cases_crackd"]
statistic = "summ"
tolerence = 0.15
required = true

[[targets]]
key = "cracked"
quantity = "growth"
published = 0.6
period = [2021-01-01, 2021-05-31]
columns = ["cases_cracked"]
statistic = "change"
tolerance = 0.0
required = false
""",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_targets(path)
    problems = {p.key: p for p in info.value.problems}
    assert all(p.file == str(path) for p in problems.values()), f"file not named: {problems}"
    suggestions = {key: p.suggestion for key, p in problems.items()}
    assert suggestions.get("targets[0].columns[0]") == "cases_cracked", (
        f"a misspelt column should suggest the contract's name: {info.value}"
    )
    assert suggestions.get("targets[0].tolerence") == "tolerance", f"unknown key: {info.value}"
    assert suggestions.get("targets[0].statistic") == "sum", f"bad statistic: {info.value}"
    assert "targets[1].key" in problems, f"a duplicate key should be refused: {info.value}"
    assert any("reference" in p.message for p in info.value.problems), (
        f"a change without a reference period should be refused: {info.value}"
    )
    broken = tmp_path / "broken.toml"
    broken.write_text("[[targets]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="invalid TOML"):
        load_targets(broken)


# --- statistics on synthetic tables -----------------------------------------------------------


def synthetic_daily(april: float, may: float) -> pd.DataFrame:
    """March to May 2021: `cases` is `april` a day in April and `may` a day in May."""
    dates = pd.date_range("2021-03-01", "2021-05-31", freq="D")
    month = dates.month
    frame = pd.DataFrame({"date": dates})
    frame["cases"] = np.select([month == 4, month == 5], [april, may], 0.0)
    frame["arrests_investigation"] = 1.0
    frame["arrests_returnee"] = 2.0
    frame["card_price_yuan"] = 300.0
    frame["app_users"] = np.arange(len(dates), dtype=float)
    return frame.sample(frac=1.0, random_state=1)  # row order must not matter


def make_target(key: str, statistic: str, columns: list[str], period, **extra) -> Target:
    fields = {"quantity": key, "published": 1.0, "tolerance": 0.1, "required": False}
    fields.update(extra)
    return Target(
        key=key,
        statistic=statistic,
        columns=columns,
        period=[dt.date.fromisoformat(d) for d in period],
        **fields,
    )


def test_evaluate_gives_exact_sums_means_lasts_and_changes_with_scaling():
    scale = 1000.0
    april, may = [1.0, 2.0, 3.0], [2.0, 2.0, 6.0]
    frames = {seed: synthetic_daily(a, m) for seed, (a, m) in enumerate(zip(april, may))}
    targets = [
        make_target("may_sum", "sum", ["cases"], ["2021-05-01", "2021-05-31"],
                    published=62_000.0, tolerance=0.15),
        make_target("april_mean", "mean", ["cases"], ["2021-04-01", "2021-04-30"],
                    published=2_500.0, tolerance=0.1),
        make_target("arrests", "sum", ["arrests_investigation", "arrests_returnee"],
                    ["2021-04-01", "2021-04-10"], published=30_000.0, tolerance=0.0),
        make_target("users", "last", ["app_users"], ["2021-04-01", "2021-04-30"],
                    published=60_000.0, tolerance=0.1),
        make_target("price", "mean", ["card_price_yuan"], ["2021-05-01", "2021-05-31"],
                    published=300.0, tolerance=0.1),
        make_target("may_vs_april", "change", ["cases"], ["2021-05-01", "2021-05-31"],
                    reference=[dt.date(2021, 4, 1), dt.date(2021, 4, 30)],
                    published=-0.1, tolerance=0.5),
        make_target("june", "sum", ["cases"], ["2021-06-01", "2021-06-30"],
                    published=1.0, tolerance=0.2),
    ]  # fmt: skip
    table = evaluate(frames, scale, targets).set_index("key")
    assert list(table.reset_index().columns) == list(TABLE_COLUMNS), "table columns"
    assert table.attrs["n_seeds"] == 3, "the number of seeds is recorded"

    per_seed = per_seed_values(frames, scale, targets)
    assert per_seed["may_sum"].tolist() == [31 * m * scale for m in may], "sum, scaled"
    assert per_seed["april_mean"].tolist() == [a * scale for a in april], "mean, scaled"
    assert per_seed["arrests"].tolist() == [10 * 3 * scale] * 3, "columns summed row by row"
    last_april = (dt.date(2021, 4, 30) - dt.date(2021, 3, 1)).days
    assert per_seed["users"].tolist() == [last_april * scale] * 3, "last day of the period"
    assert per_seed["price"].tolist() == [300.0] * 3, "a price does not scale"
    changes = [31 * m / (30 * a) - 1 for a, m in zip(april, may)]
    assert per_seed["may_vs_april"].tolist() == pytest.approx(changes, rel=1e-12), (
        "a change is a ratio of sums, unscaled"
    )

    may_sum = table.loc["may_sum"]
    assert may_sum["median"] == 62_000.0, "median over seeds"
    assert may_sum["p10"] == pytest.approx(62_000.0), "10th percentile, linear interpolation"
    assert may_sum["p90"] == pytest.approx(62_000.0 + 0.8 * 124_000.0), "90th percentile"
    assert may_sum["error"] == 0.0, "no error"
    assert may_sum["within_tolerance"], "exact is within tolerance"
    april_mean = table.loc["april_mean"]
    assert april_mean["error"] == pytest.approx(2_000.0 / 2_500.0 - 1), "relative error"
    assert not april_mean["within_tolerance"], "20 % off with a 10 % tolerance is outside"
    assert pd.isna(table.loc["arrests", "within_tolerance"]), "tolerance 0 means report only"
    change = table.loc["may_vs_april"]
    assert change["median"] == pytest.approx(float(np.median(changes))), "median change"
    assert change["error"] == pytest.approx(change["median"] + 0.1), "a change's error: absolute"
    june = table.loc["june"]
    assert math.isnan(june["median"]), "a period the runs do not cover has no value"
    assert not june["within_tolerance"], "... and is not within tolerance"
    assert "do not cover" in june["note"], f"the gap should be explained: {june['note']!r}"


def test_loss_terms():
    level = make_target("x", "sum", ["cases"], ["2021-01-01", "2021-01-02"], published=100.0)
    change = make_target("c", "change", ["cases"], ["2021-01-02", "2021-01-02"],
                         reference=[dt.date(2021, 1, 1), dt.date(2021, 1, 1)],
                         published=-0.2)  # fmt: skip
    assert target_loss(level, 100.0) == 0.0, "a perfect fit costs nothing"
    assert target_loss(level, 200.0) == pytest.approx(math.log(2) ** 2), "squared log-ratio"
    assert target_loss(level, 50.0) == pytest.approx(math.log(2) ** 2), "symmetric in log"
    assert target_loss(level, 0.0) == pytest.approx(MISSING_PENALTY), "zero is floored"
    assert target_loss(level, math.nan) == MISSING_PENALTY, "a missing value is penalised"
    assert target_loss(change, 0.1) == pytest.approx(0.09), "a change: squared difference"
    total = loss({"x": 200.0, "c": 0.1}, [level, change])
    assert total == pytest.approx(math.log(2) ** 2 + 0.09), "the loss is the sum of terms"


# --- the params spec --------------------------------------------------------------------------


def test_default_params_spec_is_valid_for_the_baseline():
    spec = load_params_spec(SPEC)
    params = check_params(spec, load_scenario(BASELINE), str(SPEC))
    assert len(params) == len(spec.params) >= 8, "every parameter of the spec checks out"
    for p in params:
        assert p.low < p.high, f"{p.key}: empty range"


def test_params_spec_typos_and_ranges_are_refused_clearly(tmp_path):
    base = load_scenario(BASELINE)
    path = tmp_path / "spec.toml"
    path.write_text(
        """\
[params."police.p_crack_domstic"]
low = 0.1
high = 0.9

[params."police.p_leader_identified"]
low = 0.1
high = 1.5

[params."levers.0.intensity"]
low = 0.5
high = 2.0
lever_type = "early_warning"
""",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        check_params(load_params_spec(path), base, str(path))
    problems = {p.key: p for p in info.value.problems}
    typo = problems.get('params."police.p_crack_domstic"')
    assert typo is not None, f"a typo should be refused: {info.value}"
    assert typo.suggestion == "police.p_crack_domestic", f"nearest key: {info.value}"
    high = problems.get('params."police.p_leader_identified".high')
    assert high is not None, f"out of range should be refused: {info.value}"
    assert "<= 1" in high.message, f"the bound is named: {info.value}"
    assert 'params."levers.0.intensity".lever_type' in problems, (
        f"a lever of another type should be refused: {info.value}"
    )
    assert all(p.file == str(path) for p in info.value.problems), "the spec file is named"

    inverted = tmp_path / "inverted.toml"
    inverted.write_text('[params."police.p_dissuade"]\nlow = 0.9\nhigh = 0.1\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="must be below high"):
        load_params_spec(inverted)


# --- writing the fitted scenario --------------------------------------------------------------


def test_written_scenario_extends_the_start_and_rewrites_inherited_levers(tmp_path):
    parent = tmp_path / "parent.toml"
    parent.write_text(
        """\
name = "parent"
[[levers]]
type = "card_crackdown"
start = 2020-10-10
[[levers]]
type = "publicity"
start = 2020-06-01
target_groups = { student = 1.0, working_adult = 0.0, elderly = 1.0, online_shopper = 0.0, finance_staff = 0.0, migrant_worker = 0.0, jobless_youth = 0.0 }
""",
        encoding="utf-8",
    )
    child = tmp_path / "scenarios" / "child.toml"
    child.parent.mkdir()
    child.write_text(
        """\
extends = "../parent.toml"
[police]
p_dissuade = 0.5
[[add_levers]]
type = "repatriation"
start = 2020-01-01
""",
        encoding="utf-8",
    )
    values = {"levers.2.intensity": 0.5, "levers.1.intensity": 2.0, "police.p_crack_domestic": 0.4}
    out = write_calibrated_scenario(child, values, tmp_path / "fitted" / "best.toml")
    raw = tomllib.loads(out.read_text(encoding="utf-8"))
    assert raw["extends"] == "../scenarios/child.toml", f"relative extends: {raw['extends']}"
    assert raw["police"] == {"p_crack_domestic": 0.4}, "only the fitted keys are written"
    assert [lv["type"] for lv in raw["levers"]] == ["card_crackdown", "publicity", "repatriation"]
    loaded = load_scenario(out).model_dump(exclude={"name", "description"})
    expected = apply_params(load_scenario(child), values).model_dump(
        exclude={"name", "description"}
    )
    assert loaded == expected, "the written file loads to the start with the values applied"
    assert loaded["police"]["p_dissuade"] == 0.5, "inherited values stay inherited"


# --- the fit with a known answer --------------------------------------------------------------


def test_calibration_recovers_a_known_parameter_and_resumes(tiny, tmp_path):
    base = load_scenario(tiny)
    truth = apply_params(base, {KEY: X_TRUE})
    quarter = apply_params(base, {KEY: X_TRUE / 4})
    target = warnings_target()
    at_truth = per_seed_values(run_seeds(truth, 2), 40000.0, [target])["warnings_per_day"]
    at_quarter = per_seed_values(run_seeds(quarter, 1), 40000.0, [target])["warnings_per_day"]
    assert 3.0 < at_truth.iloc[0] / at_quarter.iloc[0] < 5.0, (
        f"the target must scale with the capacity: {at_truth.iloc[0]} vs {at_quarter.iloc[0]}"
    )
    published = float(at_truth.median())
    targets = TargetSet(targets=[warnings_target(published)])
    storage = tmp_path / "study.sqlite3"
    common = {
        "seeds_per_trial": 2,
        "storage_path": storage,
        "study_name": "known",
        "workers": 1,
        "out_path": tmp_path / "out" / "fitted.toml",
        "n_startup_trials": 4,
    }
    first = calibrate(tiny, tiny.parent / "spec.toml", targets, trials=16, **common)
    fitted = first.best_params[KEY]
    assert abs(fitted / X_TRUE - 1) < 0.10, f"fitted {fitted:,.0f}, true {X_TRUE:,.0f}"
    assert first.n_trials == 16, f"16 trials in a new study, not {first.n_trials}"
    assert first.n_new == 16, f"all of them new, not {first.n_new}"
    assert first.start_params[KEY] == 1_000_000.0, "the start value is reported"
    study = optuna.load_study(study_name="known", storage=f"sqlite:///{storage}")
    assert study.trials[0].params[KEY] == 1_000_000.0, "trial 0 is the starting scenario"
    assert "warnings_per_day" in study.best_trial.user_attrs["medians"], "medians recorded"

    text = first.scenario_path.read_text(encoding="utf-8")
    relative = Path(os.path.relpath(tiny, first.scenario_path.parent)).as_posix()
    assert tomllib.loads(text)["extends"] == relative, "extends the start, relatively"
    written = load_scenario(first.scenario_path).model_dump(exclude={"name", "description"})
    expected = apply_params(base, first.best_params).model_dump(exclude={"name", "description"})
    assert written == expected, "the fitted scenario is the start with the fitted value"

    second = calibrate(tiny, tiny.parent / "spec.toml", targets, trials=20, **common)
    assert second.n_trials == 20, f"a second call resumes the study: {second.n_trials}"
    assert second.n_new == 4, f"... running only the missing trials: {second.n_new}"
    study = optuna.load_study(study_name="known", storage=f"sqlite:///{storage}")
    numbers = [t.number for t in study.trials]
    assert numbers == list(range(20)), f"trial numbers continue: {numbers}"
    assert second.best_loss <= first.best_loss, "resuming never loses the best trial"

    with pytest.raises(FraudsimError, match="another seeds_per_trial"):
        calibrate(tiny, tiny.parent / "spec.toml", targets, trials=0, **common | {"seeds_per_trial": 3})  # fmt: skip


def test_targets_outside_the_run_are_refused_before_running(tiny, tmp_path):
    outside = warnings_target().model_copy(
        update={"period": [dt.date(2021, 2, 1), dt.date(2021, 2, 28)]}
    )
    with pytest.raises(FraudsimError, match="does not cover"):
        calibrate(tiny, tiny.parent / "spec.toml", TargetSet(targets=[outside]), trials=1,
                  storage_path=tmp_path / "s.sqlite3")  # fmt: skip


def test_parallel_runs_and_trials_match_runs_in_process(tiny, tmp_path):
    config = load_scenario(tiny)
    serial = run_seeds(config, 2, workers=1)
    with make_executor(2) as pool:  # one spawned pool for both checks: spawning is slow
        parallel = run_seeds(config, 2, executor=pool)
        assert list(parallel) == [0, 1], "seeds 0..N-1 in order"
        for seed in serial:
            pd.testing.assert_frame_equal(serial[seed], parallel[seed], obj=f"seed {seed}")
        targets = TargetSet(targets=[warnings_target(X_TRUE)])
        result = calibrate(tiny, tiny.parent / "spec.toml", targets, trials=2, seeds_per_trial=1,
                           workers=2, executor=pool, storage_path=tmp_path / "p.sqlite3",
                           start_trial=False)  # fmt: skip
    assert result.n_trials == 2, "two trials, asked together and run in parallel"
    study = optuna.load_study(study_name=result.study_name, storage=result.storage_url)
    for trial in study.trials:
        frames = run_seeds(apply_params(config, trial.params), 1)
        medians = per_seed_values(frames, 40000.0, targets).iloc[0].to_dict()
        assert trial.value == loss(medians, targets), f"trial {trial.number}: same loss serially"


# --- the command line -------------------------------------------------------------------------

TARGETS_FILE = """\
[[targets]]
key = "cases"
quantity = "cases"
published = 10_000
period = [2021-01-01, 2021-01-20]
columns = ["cases"]
statistic = "sum"
tolerance = 0.15
required = true

[[targets]]
key = "warnings_per_day"
quantity = "early warnings per day"
published = 1_000_000
period = [2021-01-01, 2021-01-20]
columns = ["early_warnings"]
statistic = "mean"
tolerance = 0.15
required = true

[[targets]]
key = "contacts_change"
quantity = "contacts, second half against first"
published = 0.0
period = [2021-01-11, 2021-01-20]
reference = [2021-01-01, 2021-01-10]
columns = ["contacts"]
statistic = "change"
tolerance = 0.0
required = false
"""


def test_cli_targets_writes_csv_and_png_and_exits_0(tiny, tmp_path, call):
    targets = tmp_path / "targets.toml"
    targets.write_text(TARGETS_FILE, encoding="utf-8")
    out = tmp_path / "report"
    argv = ["targets", str(tiny), "--seeds", "2", "--workers", "1", "--targets", str(targets),
            "--out", str(out), "--quiet"]  # fmt: skip
    code, stdout, stderr = call(argv)
    assert code == 0, f"exit code {code}\n{stderr}"
    assert "warnings_per_day *" in stdout, f"a row per target, * if required: {stdout}"
    assert "10-90 % range" in stdout, f"the band over seeds is printed: {stdout}"
    table = pd.read_csv(out / "targets.csv")
    assert list(table.columns) == list(TABLE_COLUMNS), "CSV columns"
    assert table["key"].tolist() == ["cases", "warnings_per_day", "contacts_change"], "rows"
    row = table.set_index("key").loc["warnings_per_day"]
    assert row["median"] == pytest.approx(1_000_000.0, rel=0.05), "capacity-bound warnings"
    assert (out / "targets.png").read_bytes()[:4] == b"\x89PNG", "a PNG figure is written"


def test_cli_reports_bad_input_without_traceback(tiny, tmp_path, call):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[targets]]\nkey = "x"\n', encoding="utf-8")
    code, _, stderr = call(["targets", str(tiny), "--targets", str(bad), "--seeds", "1"])
    assert code == 2, f"a bad targets file is a user error: exit {code}: {stderr}"
    assert "required key missing" in stderr, stderr
    assert "Traceback" not in stderr, stderr
    code, _, stderr = call(["calibrate", str(tiny), "--params", str(tmp_path / "none.toml")])
    assert code == 2, f"a missing spec is a user error: exit {code}: {stderr}"
    assert "file not found" in stderr, stderr


def test_cli_calibrate_end_to_end(tiny, tmp_path, call):
    targets = tmp_path / "targets.toml"
    targets.write_text(TARGETS_FILE, encoding="utf-8")
    spec = tmp_path / "spec.toml"
    spec.write_text('targets = ["warnings_per_day"]\n' + TINY_SPEC, encoding="utf-8")
    out = tmp_path / "fitted.toml"
    argv = ["calibrate", str(tiny), "--params", str(spec), "--targets", str(targets),
            "--trials", "3", "--seeds-per-trial", "1", "--workers", "1",
            "--storage", str(tmp_path / "cli.sqlite3"), "--out", str(out)]  # fmt: skip
    code, stdout, stderr = call(argv)
    assert code == 0, f"exit code {code}\n{stderr}"
    assert f"fitted scenario: {out}" in stdout, stdout
    assert stdout.count("trial ") >= 3, f"progress per trial: {stdout}"
    assert KEY in stdout, "the best parameters are printed"
    assert load_scenario(out).name == "fitted", "the written scenario loads"
