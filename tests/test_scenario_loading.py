"""Scenario files: every shipped file loads; extends, add_levers and overrides work as
documented; resolved scenarios round-trip through TOML; the committed JSON Schema is current.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.config import ScenarioConfig
from simulation.errors import ScenarioError, ScenarioNote
from simulation.params import ModelParams
from simulation.scenario import (
    SCHEMA_PATH,
    defaults_toml,
    dump_scenario,
    load_scenario,
    load_scenario_text,
    resolve_scenario_dict,
    scenario_json_schema,
    scenario_to_toml,
    update_defaults,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _params(config: ScenarioConfig) -> ModelParams:
    """The model parameters of a scenario, without name, description and levers."""
    return ModelParams.model_validate(
        {name: getattr(config, name) for name in ModelParams.model_fields}
    )


# ---------------------------------------------------------------------------------------------
# The shipped scenario files
# ---------------------------------------------------------------------------------------------


def test_scenario_directory_has_the_documented_files():
    names = {p.name for p in SCENARIO_FILES}
    expected = {
        "baseline.toml",
        "no_intervention.toml",
        "warnings.toml",
        "broken_card.toml",
        "repatriation.toml",
        "all_measures.toml",
    }
    assert expected <= names, f"scenarios/ should hold {sorted(expected)}, found {sorted(names)}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_file_loads(path):
    config = load_scenario(path)
    assert isinstance(config, ScenarioConfig), f"{path.name} should load to a ScenarioConfig"
    assert config.name == path.stem, (
        f"{path.name} should be named after its file ({path.stem!r}), got {config.name!r}"
    )
    assert config.description, f"{path.name} should have a description"
    for i, lever in enumerate(config.levers):
        assert lever.name, f"{path.name}: levers[{i}] ({lever.type}) should have a name"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_file_starts_with_a_comment(path):
    first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert first.startswith("#"), f"{path.name} should open with a comment saying what it is for"


def _flatten(table: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_baseline_spells_out_every_default():
    raw = resolve_scenario_dict(SCENARIOS / "baseline.toml")
    written = _flatten({k: v for k, v in raw.items() if k in ModelParams.model_fields})
    defaults = _flatten(ModelParams().model_dump(mode="python"))
    missing = sorted(set(defaults) - set(written))
    extra = sorted(set(written) - set(defaults))
    differing = sorted(k for k in set(written) & set(defaults) if written[k] != defaults[k])
    refresh = "fraudsim defaults --update scenarios/baseline.toml"
    assert not missing, f"baseline.toml lacks parameters {missing}; refresh with: {refresh}"
    assert not extra, f"baseline.toml has keys that are no parameters {extra}; refresh: {refresh}"
    assert not differing, (
        f"baseline.toml differs from the defaults at {differing}; refresh: {refresh}"
    )


def test_update_defaults_keeps_the_hand_written_parts(tmp_path):
    copy = tmp_path / "baseline.toml"
    original = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    copy.write_text(original.replace("p_dissuade = ", "p_dissuade = 0.01 #"), encoding="utf-8")
    assert update_defaults(copy) is True, "a changed parameter block should be rewritten"
    assert copy.read_text(encoding="utf-8") == original, (
        "update_defaults should restore the generated block and keep everything else"
    )


def test_baseline_parameters_match_the_generated_defaults_text():
    # The generator is what keeps baseline.toml readable when defaults change: it must load
    # back to the defaults itself.
    assert ModelParams.model_validate(tomllib.loads(defaults_toml())) == ModelParams(), (
        "defaults_toml() should load back to ModelParams()"
    )


def test_baseline_levers_follow_the_seed():
    config = load_scenario(SCENARIOS / "baseline.toml")
    starts = sorted((lever.type, lever.start) for lever in config.levers)
    expected = sorted(
        [
            ("card_crackdown", dt.date(2020, 10, 10)),
            ("repatriation", dt.date(2020, 1, 1)),
            ("early_warning", dt.date(2021, 1, 1)),
            ("interception", dt.date(2021, 1, 1)),
            ("stop_payment", dt.date(2021, 1, 1)),
            ("investigation", dt.date(2021, 1, 1)),
            ("anti_fraud_app", dt.date(2021, 4, 26)),
            ("publicity", dt.date(2021, 1, 1)),
            ("publicity", dt.date(2021, 5, 12)),
            # the new round of strikes after the national teleconference of 8 April 2021
            ("strike_campaign", dt.date(2021, 4, 8)),
        ]
    )
    assert starts == expected, f"baseline levers and start dates should be {expected}, got {starts}"
    targeted = [lv for lv in config.levers if lv.type == "publicity" and lv.start.month == 5]
    reach = targeted[0].target_groups
    for group in ("student", "online_shopper", "finance_staff"):
        assert getattr(reach, group) > 0, f"the targeted publicity lever should reach {group}"
    assert reach.working_adult == 0, "the targeted publicity lever should not reach everyone"


def test_no_intervention_keeps_baseline_parameters_and_drops_every_lever():
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    counterfactual = load_scenario(SCENARIOS / "no_intervention.toml")
    assert counterfactual.levers == [], "no_intervention should have no levers"
    assert _params(counterfactual) == _params(baseline), (
        "no_intervention should have exactly the baseline's parameters"
    )


@pytest.mark.parametrize(
    ("file", "types"),
    [
        ("warnings.toml", ["early_warning", "publicity", "publicity", "anti_fraud_app"]),
        ("broken_card.toml", ["card_crackdown"]),
        ("repatriation.toml", ["repatriation"]),
        (
            "all_measures.toml",
            ["early_warning", "publicity", "publicity", "anti_fraud_app", "card_crackdown",
             "repatriation"],
        ),
    ],
)  # fmt: skip
def test_single_measure_scenarios_copy_the_baseline_levers(file, types):
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    config = load_scenario(SCENARIOS / file)
    assert sorted(lv.type for lv in config.levers) == sorted(types), (
        f"{file} should hold levers {sorted(types)}, got {sorted(lv.type for lv in config.levers)}"
    )
    for lever in config.levers:
        assert lever in baseline.levers, (
            f"{file}: lever {lever.name!r} should be the baseline's lever, same dates and settings"
        )
    assert _params(config) == _params(baseline), f"{file} should keep the baseline's parameters"


# ---------------------------------------------------------------------------------------------
# extends and add_levers
# ---------------------------------------------------------------------------------------------

PARENT = """\
name = "parent"
description = "the parent"
[police]
p_dissuade = 0.7
p_crack_domestic = 0.4
[population.groups.student]
age_band_shares = [0.8, 0.2, 0.0, 0.0]
[[levers]]
type = "early_warning"
name = "warn"
start = 2021-01-01
[[levers]]
type = "publicity"
name = "publicise"
start = 2021-02-01
"""


def test_child_tables_deep_merge_and_scalars_replace(tmp_path):
    _write(tmp_path / "parent.toml", PARENT)
    child = _write(
        tmp_path / "child.toml",
        'extends = "parent.toml"\n[police]\np_dissuade = 0.2\n'
        "[population.groups.student]\nage_band_shares = [0.6, 0.4, 0.0, 0.0]\n",
    )
    config = load_scenario(child)
    assert config.police.p_dissuade == 0.2, "the child's value should win"
    assert config.police.p_crack_domestic == 0.4, "the parent's other keys should survive"
    assert config.population.groups.student.age_band_shares == [0.6, 0.4, 0.0, 0.0], (
        "an array in the child should replace the parent's array whole"
    )
    assert [lv.name for lv in config.levers] == ["warn", "publicise"], (
        "a child without levers should inherit the parent's levers"
    )


def test_child_levers_replace_and_add_levers_append(tmp_path):
    _write(tmp_path / "parent.toml", PARENT)
    replacing = _write(
        tmp_path / "replacing.toml",
        'extends = "parent.toml"\n[[levers]]\ntype = "repatriation"\nname = "home"\n'
        "start = 2020-06-01\n",
    )
    adding = _write(
        tmp_path / "adding.toml",
        'extends = "parent.toml"\n[[add_levers]]\ntype = "repatriation"\nname = "home"\n'
        "start = 2020-06-01\n",
    )
    assert [lv.name for lv in load_scenario(replacing).levers] == ["home"], (
        "a child's `levers` should replace the parent's list"
    )
    assert [lv.name for lv in load_scenario(adding).levers] == ["warn", "publicise", "home"], (
        "a child's `add_levers` should be appended to the inherited list"
    )


def test_levers_and_add_levers_in_one_file(tmp_path):
    _write(tmp_path / "parent.toml", PARENT)
    both = _write(
        tmp_path / "both.toml",
        'extends = "parent.toml"\n'
        '[[levers]]\ntype = "interception"\nname = "block"\nstart = 2021-01-01\n'
        '[[add_levers]]\ntype = "stop_payment"\nname = "stop"\nstart = 2021-01-01\n',
    )
    assert [lv.name for lv in load_scenario(both).levers] == ["block", "stop"], (
        "`levers` should replace the inherited list first, then `add_levers` append to it"
    )


def test_extends_chain_resolves_relative_to_each_file(tmp_path):
    _write(tmp_path / "base" / "parent.toml", PARENT)
    _write(
        tmp_path / "base" / "middle.toml",
        'extends = "parent.toml"\n[police]\np_crack_domestic = 0.5\n',
    )
    leaf = _write(
        tmp_path / "studies" / "leaf.toml",
        'extends = "../base/middle.toml"\n[police]\np_dissuade = 0.1\n'
        '[[add_levers]]\ntype = "investigation"\nname = "crack"\nstart = 2021-01-01\n',
    )
    config = load_scenario(leaf)
    assert (config.police.p_dissuade, config.police.p_crack_domestic) == (0.1, 0.5), (
        "each file in the chain should contribute its keys, the nearest file winning"
    )
    assert [lv.name for lv in config.levers] == ["warn", "publicise", "crack"], (
        "levers should come down the whole chain, with add_levers appended"
    )


def test_name_and_description_are_not_inherited(tmp_path):
    _write(tmp_path / "parent.toml", PARENT)
    child = _write(tmp_path / "my_study.toml", 'extends = "parent.toml"\n')
    config = load_scenario(child)
    assert config.name == "my_study", "a file without `name` should be named after its stem"
    assert config.description == "", "a child should not inherit its parent's description"


def test_loader_keys_never_reach_the_resolved_dict(tmp_path):
    _write(tmp_path / "parent.toml", PARENT)
    child = _write(
        tmp_path / "child.toml",
        'extends = "parent.toml"\n[[add_levers]]\ntype = "repatriation"\nstart = 2020-06-01\n',
    )
    raw = resolve_scenario_dict(child)
    for key in ("extends", "add_levers"):
        assert key not in raw, f"{key} should be consumed by the loader, got keys {sorted(raw)}"
    assert len(raw["levers"]) == 3, "resolve_scenario_dict should show the merged lever list"


def test_partial_table_keeps_the_defaults_of_its_place():
    config = load_scenario_text("[fraud_types.online_loan.channels]\ncall = 0.9\n")
    default = ModelParams().fraud_types.online_loan.channels
    channels = config.fraud_types.online_loan.channels
    assert channels.call == 0.9, "the key set should change"
    assert (channels.sms, channels.website) == (default.sms, default.website), (
        "the other keys of a partial table should keep the defaults of that place "
        f"(online_loan's channel mix {default}), got {channels}"
    )


def test_partial_group_table_is_enough():
    config = load_scenario_text("[population.groups.student]\nshare = 0.1\n")
    student = config.population.groups.student
    assert student.share == 0.1, "the share should change"
    default = ModelParams().population.groups.student
    assert student.savings_median_yuan == default.savings_median_yuan, (
        "a partial group table should keep the group's other defaults"
    )


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


def test_string_overrides_read_toml_values():
    config = load_scenario(
        SCENARIOS / "baseline.toml",
        [
            "police.p_dissuade=0.25",
            "run.start=2020-06-01",
            "run.scale=5000",
            "name=sweep point 3",
            "levers.0.intensity=2",
            "levers[1].end=2021-03-31",
        ],
    )
    assert config.police.p_dissuade == 0.25, "a number should be read as a number"
    assert config.run.start == dt.date(2020, 6, 1), "an ISO date should be read as a date"
    assert config.run.scale == 5000.0, "an integer should be accepted for a float field"
    assert config.name == "sweep point 3", "text that is no TOML value should be a string"
    assert config.levers[0].intensity == 2.0, "levers.0.intensity should reach the first lever"
    assert config.levers[1].end == dt.date(2021, 3, 31), "levers[1].end should work too"


def test_mapping_overrides_take_python_values():
    config = load_scenario(
        SCENARIOS / "baseline.toml",
        {"police.p_dissuade": 0.3, "run.end": dt.date(2021, 5, 31), "levers.2.intensity": 0.0},
    )
    assert config.police.p_dissuade == 0.3, "a mapping override should set the value"
    assert config.run.end == dt.date(2021, 5, 31), "a date object should be accepted"
    assert config.levers[2].intensity == 0.0, "a lever index should work in a mapping"


def test_table_override_merges_into_the_table():
    config = load_scenario_text(
        "name = 'x'\n", overrides=["fraud_types.rebate.channels={ sms = 0.9 }"]
    )
    channels = config.fraud_types.rebate.channels
    default = ModelParams().fraud_types.rebate.channels
    assert channels.sms == 0.9, "the overridden key should change"
    assert channels.social_app == default.social_app, (
        "an inline-table override should merge into the table, keeping its other keys"
    )


def test_override_applies_after_extends():
    config = load_scenario(SCENARIOS / "warnings.toml", ["levers.0.intensity=0.5"])
    assert config.levers[0].type == "early_warning", "warnings.toml's first lever is early_warning"
    assert config.levers[0].intensity == 0.5, "overrides should apply to the merged scenario"


def test_override_single_string_is_one_override():
    config = load_scenario(SCENARIOS / "baseline.toml", "police.p_dissuade=0.4")
    assert config.police.p_dissuade == 0.4, "a lone string should be taken as one KEY=VALUE"


# ---------------------------------------------------------------------------------------------
# Round trip through TOML
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_to_toml_round_trips(path):
    config = load_scenario(path)
    text = scenario_to_toml(config, header=f"resolved from {path.name}")
    again = load_scenario_text(text, source="resolved.toml")
    assert again == config, f"{path.name}: scenario_to_toml should load back to an equal scenario"


def test_dump_scenario_writes_a_loadable_file(tmp_path):
    config = load_scenario(SCENARIOS / "all_measures.toml", ["levers.0.end=2021-02-28"])
    out = tmp_path / "resolved.toml"
    dump_scenario(config, out)
    assert load_scenario(out) == config, "a dumped scenario should load back equal"


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # TOML cannot hold lone surrogates
    max_size=80,
)


@settings(max_examples=60, deadline=None)
@given(
    name=_TEXT.filter(lambda s: len(s) <= 200),
    description=_TEXT,
    p=st.floats(min_value=0.0, max_value=1.0),
    scale=st.floats(min_value=1.0, max_value=1e7),
)
def test_round_trip_keeps_any_text_and_float(name, description, p, scale):
    base = load_scenario_text("name = 'x'\n")
    config = base.model_copy(
        update={
            "name": name,
            "description": description,
            "police": base.police.model_copy(update={"p_dissuade": p}),
            "run": base.run.model_copy(update={"scale": scale}),
        }
    )
    again = load_scenario_text(scenario_to_toml(config))
    assert again == config, (
        f"round trip should keep name={name!r}, description={description!r}, p={p!r}, "
        f"scale={scale!r} exactly"
    )


# ---------------------------------------------------------------------------------------------
# JSON Schema
# ---------------------------------------------------------------------------------------------


def test_committed_schema_is_up_to_date():
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    current = scenario_json_schema()
    stale = sorted(
        name
        for name in set(committed.get("$defs", {})) | set(current["$defs"])
        if committed.get("$defs", {}).get(name) != current["$defs"].get(name)
    )
    assert committed == current, (
        f"{SCHEMA_PATH.relative_to(ROOT)} is out of date with ScenarioConfig (differs in "
        f"{stale or 'the top level'}); regenerate with: fraudsim schema --write"
    )


def test_schema_describes_loader_keys():
    props = scenario_json_schema()["properties"]
    assert props["extends"]["type"] == "string", "the schema should describe `extends`"
    assert props["add_levers"]["items"] == props["levers"]["items"], (
        "`add_levers` items should have the same shape as `levers` items"
    )


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def test_validate_dump_prints_the_resolved_overridden_scenario(call):
    code, stdout, stderr = call(
        ["validate", "--dump", str(SCENARIOS / "warnings.toml"), "--set", "run.scale=2000"]
    )
    assert code == 0, f"validate --dump should succeed: {stderr}"
    config = load_scenario_text(stdout)
    assert config.run.scale == 2000.0, "--dump should print the resolved, overridden scenario"
    assert config.levers == load_scenario(SCENARIOS / "warnings.toml").levers, (
        "--dump should print the levers in order"
    )


def test_schema_write_and_check(tmp_path, call):
    out = tmp_path / "schema.json"
    code, _, stderr = call(["schema", "--write", str(out)])
    assert code == 0, f"schema --write should succeed: {stderr}"
    assert json.loads(out.read_text(encoding="utf-8")) == scenario_json_schema(), (
        "schema --write should write scenario_json_schema()"
    )
    assert call(["schema", "--check", str(out)])[0] == 0, "a fresh copy should check ok"
    out.write_text("{}\n", encoding="utf-8")
    code, _, stderr = call(["schema", "--check", str(out)])
    assert code == 2, f"a stale copy should give exit status 2, got {code}"
    assert "fraudsim schema --write" in stderr, f"the message should say how to refresh: {stderr}"
    assert call(["schema", "--check"])[0] == 0, f"{SCHEMA_PATH.name} should be up to date"


def test_defaults_prints_and_updates(tmp_path, call):
    code, stdout, _ = call(["defaults"])
    assert code == 0, "defaults should succeed"
    assert stdout == defaults_toml(), "defaults should print defaults_toml()"
    copy = tmp_path / "baseline.toml"
    original = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    copy.write_text(original.replace("p_dissuade = ", "p_dissuade = 0.01 #"), encoding="utf-8")
    code, stdout, _ = call(["defaults", "--update", str(copy)])
    assert (code, stdout) == (0, f"{copy}: updated\n"), f"the block should be rewritten: {stdout}"
    assert copy.read_text(encoding="utf-8") == original, "and the file restored"
    unmarked = tmp_path / "plain.toml"
    unmarked.write_text('name = "plain"\n', encoding="utf-8")
    code, _, stderr = call(["defaults", "--update", str(unmarked)])
    assert code == 2, f"a file without the marker lines is a user mistake, got {code}: {stderr}"
    assert "no generated parameter block" in stderr, stderr


def test_loading_never_executes_anything(tmp_path):
    # Strings that would do something if evaluated must stay plain strings.
    config = load_scenario_text(
        "name = \"__import__('os').system('exit 1')\"\n",
        overrides=["description=__import__('os').getcwd()"],
    )
    assert config.name == "__import__('os').system('exit 1')", "names are data, never code"
    assert config.description == "__import__('os').getcwd()", "overrides are data, never code"


def test_error_for_text_source_names_the_source():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text("[police]\np_dissuade = 3\n", source="inline.toml")
    assert str(info.value).startswith("inline.toml: police.p_dissuade:"), (
        f"messages about text should name its source, got {info.value}"
    )


# ---------------------------------------------------------------------------------------------
# Shortening a run by overrides
# ---------------------------------------------------------------------------------------------

LATE_AND_EARLY = """\
[run]
start = 2020-06-01
end = 2021-06-30
burn_in_days = 10

[[levers]]
type = "publicity"
name = "early campaign"
start = 2020-01-01
end = 2020-06-30

[[levers]]
type = "early_warning"
name = "warnings"
start = 2021-01-01

[[levers]]
type = "anti_fraud_app"
name = "app"
start = 2021-04-26
"""


def test_a_lever_after_the_end_in_the_file_itself_is_still_refused():
    text = LATE_AND_EARLY.replace("end = 2021-06-30", "end = 2021-03-31")
    with pytest.raises(ScenarioError, match=r"levers\[2\].*after the run ends.*never act"):
        load_scenario_text(text, source="short.toml")


def test_an_end_shortened_by_override_leaves_later_levers_out_with_a_note():
    with pytest.warns(ScenarioNote, match=r"levers\[2\] \(app\) starts on 2021-04-26") as notes:
        config = load_scenario_text(
            LATE_AND_EARLY, source="short.toml", overrides=["run.end=2021-03-31"]
        )
    assert [lever.name for lever in config.levers] == ["early campaign", "warnings"], (
        "only the app, which starts after the new end, should be left out"
    )
    assert len(notes) == 1, f"expected one note, got {[str(n.message) for n in notes]}"


def test_a_start_moved_by_override_leaves_out_levers_that_ended_before_it():
    with pytest.warns(ScenarioNote, match=r"levers\[0\] \(early campaign\) ends on 2020-06-30"):
        config = load_scenario_text(
            LATE_AND_EARLY, source="short.toml", overrides={"run.start": dt.date(2020, 9, 1)}
        )
    assert [lever.name for lever in config.levers] == ["warnings", "app"], (
        "the campaign that ended before the first simulated day should be left out"
    )


def test_messages_about_levers_use_the_indices_the_user_wrote_in_a_shortened_run():
    # The campaign (levers[0]) ends before the new first day; the app is still levers[2].
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(
            LATE_AND_EARLY,
            source="short.toml",
            overrides=["run.start=2020-09-01", "levers.2.intensity=-1"],
        )
    assert "levers[2].intensity" in str(err.value), (
        f"the bad intensity should be named at the index the user wrote: {err.value}"
    )
    assert "--set" in str(err.value), f"the override should be named as the source: {err.value}"


def test_the_baseline_runs_shortened_on_the_command_line(tmp_path, capsys):
    from experiments.cli import main as cli_main  # noqa: PLC0415

    code = cli_main(
        [
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--end",
            "2020-03-31",
            "--scale",
            "50000",
            "--quiet",
            "--out",
            str(tmp_path / "short"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, f"a shortened baseline should run; stderr: {err}"
    assert "note: " in err, f"the levers left out should be reported as notes on stderr: {err}"
    assert "National Anti-Fraud Center app" in err, f"the app should be named as left out: {err}"
    manifest = json.loads((tmp_path / "short" / "manifest.json").read_text(encoding="utf-8"))
    assert "anti_fraud_app" not in manifest["scenario_toml"], (
        "the manifest's resolved scenario should hold only the levers that acted"
    )


# --- overrides as data --------------------------------------------------------------------------


def test_with_overrides_equals_loading_the_file_with_the_same_overrides():
    path = ROOT / "scenarios" / "baseline.toml"
    overrides = {"police.p_dissuade": 0.5, "levers.0.intensity": 2.0, "run.scale": 5000.0}
    from_file = load_scenario(path, overrides)
    as_data = load_scenario(path).with_overrides(overrides)
    assert as_data == from_file, "expected with_overrides to equal loading with the overrides"
    assert as_data.police.p_dissuade == 0.5, "expected the override to be applied"


def test_with_overrides_refuses_an_unknown_key_naming_it():
    config = ScenarioConfig()
    with pytest.raises(ScenarioError, match=r"overrides: police\.p_dissuad: unknown key") as err:
        config.with_overrides({"police.p_dissuad": 0.5})
    assert "p_dissuade" in str(err.value), "expected the nearest valid key to be suggested"
