"""Bad scenario input is refused with messages that name the file, the key path, what is
allowed, what was given and, for a typo, the nearest valid name.

Each case is a small file in ``tests/data/bad/`` named for what is wrong with it.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from simulation.errors import (
    FraudsimError,
    InvariantError,
    OutputError,
    Problem,
    ScenarioError,
)
from simulation.levers import LEVER_TYPES
from simulation.scenario import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "data" / "bad"
BASELINE = ROOT / "scenarios" / "baseline.toml"


def refuse(path: Path, overrides=None) -> ScenarioError:
    """Load ``path`` expecting a ScenarioError, and return it."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value


def only_problem(err: ScenarioError) -> Problem:
    assert len(err.problems) == 1, f"expected exactly one problem, got:\n{err}"
    return err.problems[0]


# ---------------------------------------------------------------------------------------------
# Unknown keys
# ---------------------------------------------------------------------------------------------


def test_unknown_key_suggests_the_nearest_name():
    path = BAD / "unknown_key_typo.toml"
    err = refuse(path)
    problem = only_problem(err)
    assert problem.file == str(path), f"the problem should name the file, got {problem.file!r}"
    assert problem.key == "police.p_dissuad", f"key path should be police.p_dissuad: {err}"
    assert problem.message == "unknown key", f"message should say 'unknown key': {err}"
    for key in ("p_dissuade", "p_crack_domestic"):
        assert key in problem.allowed, f"allowed should list the [police] key {key}: {err}"
    assert str(err) == (
        f"{path}: police.p_dissuad: unknown key; allowed: {problem.allowed}; given: 0.5 "
        "(did you mean 'p_dissuade'?)"
    ), f"one line: file: key: message; allowed; given (suggestion), got {err}"


def test_unknown_nested_key():
    err = refuse(BAD / "unknown_nested_key.toml")
    problem = only_problem(err)
    assert problem.key == "population.groups.student.sharee", (
        f"the full dotted path should be named: {err}"
    )
    assert problem.suggestion == "share", f"should suggest 'share': {err}"
    assert "savings_median_yuan" in problem.allowed, (
        f"allowed should be the keys of a group table: {err}"
    )
    assert "unknown_nested_key.toml" in str(err), f"the file should be named: {err}"


def test_unknown_key_in_a_lever_drops_the_union_tag():
    err = refuse(BAD / "lever_unknown_key.toml")
    problem = only_problem(err)
    assert problem.key == "levers[0].capacity_national_per_dya", (
        f"lever keys should read levers[0].key (no pydantic tag in the path): {err}"
    )
    assert problem.suggestion == "capacity_national_per_day", f"should suggest the key: {err}"
    assert "p_detect_gain" in problem.allowed, f"allowed should be early_warning's keys: {err}"


def test_unknown_key_in_a_child_names_the_child_file():
    path = BAD / "child_with_typo.toml"
    err = refuse(path)
    problem = only_problem(err)
    assert problem.file == str(path), (
        f"the file that holds the typo (not its parent) should be named: {err}"
    )
    assert problem.key == "market.phone_card_price_yaun", f"key path: {err}"
    assert problem.suggestion == "phone_card_price_yuan", f"suggestion: {err}"


def test_unknown_top_level_key_lists_loader_keys_too():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text('extend = "baseline.toml"\n', source="top.toml")
    problem = only_problem(info.value)
    assert problem.suggestion == "extends", f"should suggest 'extends': {info.value}"
    assert "add_levers" in problem.allowed, f"allowed should include loader keys: {info.value}"


# ---------------------------------------------------------------------------------------------
# Types and ranges
# ---------------------------------------------------------------------------------------------


def test_string_for_a_number():
    err = refuse(BAD / "wrong_type_string_for_number.toml")
    problem = only_problem(err)
    assert problem.key == "police.p_dissuade", f"key path: {err}"
    assert "must be a number" in problem.message, f"should say a number is needed: {err}"
    assert "without quotes" in problem.message, f"should hint at the quotes: {err}"
    assert problem.given == '"0.5" (string)', f"should show the string given: {err}"


def test_string_for_a_date():
    err = refuse(BAD / "date_as_string.toml")
    problem = only_problem(err)
    assert problem.key == "run.start", f"key path: {err}"
    assert "must be a date" in problem.message, f"should say a date is needed: {err}"
    assert problem.given == '"2020-06-01" (string)', f"should show the string given: {err}"


def test_probability_out_of_range():
    err = refuse(BAD / "probability_out_of_range.toml")
    problem = only_problem(err)
    assert problem.key == "police.p_dissuade", f"key path: {err}"
    assert problem.message == "must be <= 1", f"message should give the bound: {err}"
    assert problem.allowed == "0 <= value <= 1", f"allowed should give the range: {err}"
    assert problem.given == "1.5", f"given should be 1.5: {err}"
    assert "police.p_dissuade: must be <= 1" in str(err), f"line format: {err}"


def test_negative_count():
    err = refuse(BAD / "negative_count.toml")
    problem = only_problem(err)
    assert problem.key == "gangs.n_gangs_national", f"key path: {err}"
    assert problem.message == "must be >= 0", f"message should give the lower bound: {err}"
    assert problem.given == "-5", f"given should be -5: {err}"


def test_lever_value_out_of_range():
    err = refuse(BAD / "lever_out_of_range.toml")
    problem = only_problem(err)
    assert problem.key == "levers[0].capacity_national_per_day", f"key path: {err}"
    assert problem.message == "must be >= 0", f"bound: {err}"


def test_huge_number():
    err = refuse(BAD / "huge_number.toml")
    problem = only_problem(err)
    assert problem.key == "police.investigation_capacity_national_per_day", f"key path: {err}"
    assert problem.message == "must be <= 1e+15", f"should give the upper bound: {err}"
    assert problem.given == "1e+300", f"should show the number given: {err}"


def test_nan():
    err = refuse(BAD / "nan_number.toml")
    problem = only_problem(err)
    assert "not nan" in problem.message, f"should say nan is not a number here: {err}"


def test_age_band_shares_not_summing_to_one():
    err = refuse(BAD / "age_band_shares_not_summing.toml")
    problem = only_problem(err)
    assert problem.key == "population.groups.student", f"should name the group table: {err}"
    assert "age_band_shares must sum to 1" in problem.message, f"should say why: {err}"
    assert "0.6" in problem.message, f"should give the actual sum: {err}"


def test_several_problems_each_get_a_line():
    err = refuse(BAD / "several_problems.toml")
    keys = sorted(p.key for p in err.problems)
    assert keys == ["gangs.n_gangs_national", "police.p_crack_domestic", "police.p_dissuad"], (
        f"all three problems should be reported at once: {err}"
    )
    assert len(str(err).splitlines()) == 3, f"one line per problem: {err}"


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


def test_run_end_before_start():
    err = refuse(BAD / "run_end_before_start.toml")
    problem = only_problem(err)
    assert problem.key == "run", f"should name the run table: {err}"
    assert "must not be before" in problem.message, f"should say why: {err}"
    for date in ("2020-06-30", "2021-01-01"):
        assert date in problem.message, f"should give both dates, missing {date}: {err}"


def test_lever_end_before_start():
    err = refuse(BAD / "lever_end_before_start.toml")
    problem = only_problem(err)
    assert problem.key == "levers[0]", f"should name the lever: {err}"
    assert "end (2021-02-01) must not be before start (2021-03-01)" in problem.message, (
        f"should give both dates: {err}"
    )


def test_lever_starting_after_the_run_ends():
    path = BAD / "lever_starts_after_run_end.toml"
    err = refuse(path)
    problem = only_problem(err)
    assert problem.file == str(path), f"should name the file: {err}"
    assert problem.key == "levers[0].start", f"should point at the lever's start: {err}"
    assert "repatriation" in problem.message, f"should name the lever type: {err}"
    assert "after the run ends on 2021-06-30" in problem.message, f"should say why: {err}"


# ---------------------------------------------------------------------------------------------
# Lever types
# ---------------------------------------------------------------------------------------------


def test_unknown_lever_type_lists_the_allowed_types():
    err = refuse(BAD / "unknown_lever_type.toml")
    problem = only_problem(err)
    assert problem.key == "levers[0].type", f"key path: {err}"
    assert problem.message == "unknown lever type", f"message: {err}"
    for lever_type in LEVER_TYPES:
        assert lever_type in problem.allowed, f"allowed should list {lever_type!r}: {err}"
    assert problem.given == '"early_warnings"', f"should show the type given: {err}"
    assert problem.suggestion == "early_warning", f"should suggest early_warning: {err}"


def test_lever_without_type():
    err = refuse(BAD / "lever_missing_type.toml")
    problem = only_problem(err)
    assert problem.key == "levers[0].type", f"key path: {err}"
    assert "missing" in problem.message, f"should say the type is missing: {err}"
    assert problem.allowed == ", ".join(LEVER_TYPES), f"should list the types: {err}"


# ---------------------------------------------------------------------------------------------
# Files that are not valid TOML
# ---------------------------------------------------------------------------------------------


def test_broken_toml():
    path = BAD / "broken_toml.toml"
    problem = only_problem(refuse(path))
    assert problem.file == str(path), f"should name the file: {problem}"
    assert problem.message.startswith("invalid TOML"), f"should say the TOML is invalid: {problem}"
    assert "line 2" in problem.message, f"should give tomllib's position: {problem}"


@pytest.mark.parametrize("name", ["empty.toml", "only_comments.toml"])
def test_empty_file(name):
    path = BAD / name
    problem = only_problem(refuse(path))
    assert problem.file == str(path), f"should name the file: {problem}"
    assert "empty" in problem.message, f"should say the file is empty: {problem}"


def test_binary_garbage():
    path = BAD / "binary_garbage.toml"
    problem = only_problem(refuse(path))
    assert problem.file == str(path), f"should name the file: {problem}"
    assert "not a text file" in problem.message, f"should say it is binary: {problem}"


def test_non_utf8():
    path = BAD / "non_utf8.toml"
    problem = only_problem(refuse(path))
    assert problem.file == str(path), f"should name the file: {problem}"
    assert "not UTF-8" in problem.message, f"should say the encoding is wrong: {problem}"
    assert "0xe9" in problem.message, f"should show the offending byte: {problem}"
    assert "line 2" in problem.message, f"should show the offending line: {problem}"


def test_missing_file():
    path = BAD / "no_such_scenario.toml"
    problem = only_problem(refuse(path))
    assert (problem.file, problem.message) == (str(path), "file not found"), (
        f"a missing file should be named as not found: {problem}"
    )


def test_directory_instead_of_a_file():
    problem = only_problem(refuse(BAD))
    assert "is a directory" in problem.message, f"should say it is a directory: {problem}"


# ---------------------------------------------------------------------------------------------
# extends
# ---------------------------------------------------------------------------------------------


def test_missing_extends_target():
    path = BAD / "missing_extends_target.toml"
    problem = only_problem(refuse(path))
    assert problem.file == str(path), f"should name the extending file: {problem}"
    assert problem.key == "extends", f"should name the key: {problem}"
    assert "file not found" in problem.message, f"should say what is missing: {problem}"
    assert "does_not_exist.toml" in problem.message, f"should name the target: {problem}"


def test_extends_not_a_string():
    problem = only_problem(refuse(BAD / "extends_not_a_string.toml"))
    assert problem.key == "extends", f"should name the key: {problem}"
    assert problem.given == "3 (integer)", f"should show what was given: {problem}"


def test_add_levers_not_tables():
    problem = only_problem(refuse(BAD / "add_levers_not_tables.toml"))
    assert problem.key == "add_levers", f"should name the key: {problem}"
    assert "array of lever tables" in problem.message, f"should say what is needed: {problem}"


def test_extends_cycle_of_two_files():
    path = BAD / "extends_cycle_a.toml"
    problem = only_problem(refuse(path))
    assert problem.key == "extends", f"should name the key: {problem}"
    a, b = str(path), str(BAD / "extends_cycle_b.toml")
    assert f"extends cycle: {a} -> {b} -> {a}" in problem.message, (
        f"should list the cycle a -> b -> a: {problem}"
    )


def test_extends_itself():
    path = BAD / "extends_self.toml"
    problem = only_problem(refuse(path))
    assert f"extends cycle: {path} -> {path}" in problem.message, (
        f"a self-reference should be reported as a cycle: {problem}"
    )


def test_longer_extends_cycle(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "sub/c.toml"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.toml").write_text('extends = "../a.toml"\n', encoding="utf-8")
    problem = only_problem(refuse(tmp_path / "a.toml"))
    assert problem.message.count("->") == 3, f"should list all three links: {problem}"
    assert problem.file.endswith("c.toml"), f"should name the file closing the cycle: {problem}"


# ---------------------------------------------------------------------------------------------
# --set overrides
# ---------------------------------------------------------------------------------------------


def test_set_unknown_key():
    err = refuse(BASELINE, ["police.p_dissuad=0.5"])
    problem = only_problem(err)
    assert problem.file == "--set", f"the source should be --set: {err}"
    assert problem.key == "police.p_dissuad", f"key path: {err}"
    assert problem.suggestion == "p_dissuade", f"should suggest p_dissuade: {err}"
    assert str(err).startswith("--set: police.p_dissuad: unknown key; allowed: "), (
        f"line format: {err}"
    )


def test_set_unknown_section():
    problem = only_problem(refuse(BASELINE, ["polise.p_dissuade=0.5"]))
    assert problem.suggestion == "police", f"should suggest the section: {problem}"


def test_set_bad_value():
    err = refuse(BASELINE, ["police.p_dissuade=lots"])
    problem = only_problem(err)
    assert problem.file == "--set", f"a bad value from --set should name --set: {err}"
    assert problem.key == "police.p_dissuade", f"key path: {err}"
    assert "must be a number" in problem.message, f"should say a number is needed: {err}"
    assert problem.given == '"lots" (string)', f"should show the value given: {err}"


def test_set_out_of_range():
    problem = only_problem(refuse(BASELINE, ["police.p_dissuade=2"]))
    assert (problem.file, problem.message, problem.given) == ("--set", "must be <= 1", "2"), (
        f"an out-of-range --set should give source, bound and value: {problem}"
    )


def test_set_without_equals():
    problem = only_problem(refuse(BASELINE, ["police.p_dissuade"]))
    assert problem.file == "--set", f"source: {problem}"
    assert "KEY=VALUE" in problem.message, f"should show the expected form: {problem}"


def test_set_lever_index_out_of_range():
    problem = only_problem(refuse(BASELINE, ["levers.99.intensity=2"]))
    assert problem.key == "levers[99]", f"key path: {problem}"
    assert problem.message == "index out of range", f"message: {problem}"
    assert problem.allowed == "0 to 9", f"allowed should give the valid indices: {problem}"


def test_set_unknown_lever_key():
    problem = only_problem(refuse(BASELINE, ["levers.0.intensty=2"]))
    assert problem.key == "levers[0].intensty", f"key path: {problem}"
    assert problem.suggestion == "intensity", f"should suggest intensity: {problem}"


def test_mapping_override_names_its_source():
    problem = only_problem(refuse(BASELINE, {"police.p_dissuad": 0.5}))
    assert problem.file == "overrides", f"mapping overrides should be named 'overrides': {problem}"


# ---------------------------------------------------------------------------------------------
# The exception family
# ---------------------------------------------------------------------------------------------


def test_errors_are_value_errors():
    err = refuse(BAD / "unknown_key_typo.toml")
    assert isinstance(err, FraudsimError), "ScenarioError should be a FraudsimError"
    assert isinstance(err, ValueError), "the family should derive from ValueError"
    for cls in (OutputError, InvariantError):
        assert issubclass(cls, FraudsimError), f"{cls.__name__} should be a FraudsimError"


def test_errors_survive_pickling():
    err = refuse(BAD / "several_problems.toml")
    again = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own object, round-tripped
    assert again.problems == err.problems, "ScenarioError should keep its problems when pickled"
    assert str(again) == str(err), "ScenarioError should keep its message when pickled"
    inv = pickle.loads(pickle.dumps(InvariantError("money_conserved", 12, "off by 3 yuan")))  # noqa: S301
    assert (inv.invariant, inv.day, inv.details) == ("money_conserved", 12, "off by 3 yuan"), (
        "InvariantError should keep its attributes when pickled"
    )
    out = pickle.loads(pickle.dumps(OutputError("cannot write", path="/x")))  # noqa: S301
    assert (str(out), out.path) == ("cannot write", "/x"), "OutputError should keep its path"


def test_invariant_error_message():
    err = InvariantError("counts_non_negative", "2021-03-01", "cards = -2")
    assert str(err) == "invariant 'counts_non_negative' broken on day 2021-03-01: cards = -2", (
        f"the message should name the invariant, day and details, got {err}"
    )
