"""Fuzzing: mutated scenario files load or are refused with a ScenarioError, never a crash.

Hypothesis takes the valid scenarios of ``scenarios/`` (and one small hand-written scenario)
and breaks them the ways files break: a key deleted, renamed or misspelt, a value of another
type (a random number, string, date, list or table), a lever or a table duplicated, the text cut
off at a random point, random bytes flipped, junk lines inserted. Loading the result must either
succeed or raise :class:`simulation.errors.ScenarioError`; any other exception is a bug in the
loader's error handling. A mutant that loads must also run: five reported days after two days
of burn-in, at a few thousand residents, with the invariants checked every day.

The examples are derandomized and the example database is off, so CI sees the same examples
on every run; ``pytest --hypothesis-show-statistics`` shows how many mutants loaded and how
many were refused.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from simulation.errors import FraudsimError, ScenarioError
from simulation.files import toml_text
from simulation.model import FraudModel
from simulation.scenario import load_scenario_text

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

SMALL = """\
name = "small"
description = "A small valid scenario to mutate."
[run]
start = 2021-01-01
end = 2021-03-31
burn_in_days = 30
scale = 20000.0
[police]
p_dissuade = 0.4
[fraud_types.online_loan.channels]
call = 0.5
[[levers]]
type = "early_warning"
start = 2021-01-10
intensity = 0.5
[[levers]]
type = "card_crackdown"
start = 2021-02-01
end = 2021-03-01
max_cards_per_person = 3.0
"""

SEEDS = {path.name: path.read_text(encoding="utf-8") for path in sorted(SCENARIOS.glob("*.toml"))}
SEEDS["small.toml"] = SMALL

LOAD_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RUN_SETTINGS = settings(LOAD_SETTINGS, max_examples=10)


def load(text: str, name: str = "mutant.toml"):
    """Load scenario text as if it were a file in ``scenarios/`` (so ``extends`` resolves)."""
    return load_scenario_text(text, source=name, base_dir=SCENARIOS)


def load_or_refuse(text: str):
    """The loaded scenario, or None if it was refused with the project's own error.

    Any exception other than ScenarioError fails the test (with its traceback).
    """
    try:
        config = load(text)
    except ScenarioError as err:
        check_refusal(err)
        return None
    event("loaded")
    return config


def check_refusal(err: ScenarioError) -> None:
    """A refusal carries problems, each rendering as one line, and no traceback."""
    assert err.problems, "a ScenarioError should carry at least one problem"
    assert all(str(p) for p in err.problems), "every problem should render as a line"
    assert "Traceback" not in str(err), f"a message should not hold a traceback: {err}"
    event("refused")


# ---------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a parsed TOML document (keys and list indices)."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        out.append((*prefix, key))
        if isinstance(value, dict | list):
            out.extend(paths(value, (*prefix, key)))
    return out


def parent_of(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


any_value = st.recursive(
    st.one_of(
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.booleans(),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.sampled_from([0, 1, -1, 0.5, 1.5, -0.0, 1e308, 10**18, "", "early_warning"]),
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)


def typo(word: str, draw) -> str:
    if not word:
        return "x"
    i = draw(st.integers(0, len(word) - 1), label="typo position")
    kind = draw(st.sampled_from(["drop", "double", "swap", "case", "random"]), label="typo")
    if kind == "drop":
        return word[:i] + word[i + 1 :] or "x"
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and len(word) > 1:
        j = min(i + 1, len(word) - 1)
        chars = list(word)
        chars[i], chars[j] = chars[j], chars[i]
        return "".join(chars)
    if kind == "case":
        return word.upper()
    return draw(st.text(min_size=1, max_size=12), label="new key")


@st.composite
def structured_mutants(draw) -> str:
    """Parse a valid scenario, change its data, write it back as TOML."""
    import tomllib  # noqa: PLC0415

    name = draw(st.sampled_from(sorted(SEEDS)), label="seed file")
    data = tomllib.loads(SEEDS[name])
    for _ in range(draw(st.integers(1, 3), label="mutations")):
        where = paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where), label="path")
        parent, last = parent_of(data, path), path[-1]
        op = draw(
            st.sampled_from(["delete", "rename", "value", "duplicate", "wrap"]), label="operation"
        )
        event(f"mutation: {op}")
        if op == "delete":
            del parent[last]
        elif op == "rename" and isinstance(parent, dict):
            parent[typo(last, draw)] = parent.pop(last)
        elif op == "value":
            parent[last] = draw(any_value, label="new value")
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(parent[last])  # e.g. the same lever twice: valid, must run
        elif op == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {"value": parent[last]}
    return toml_text(data)


JUNK = [b"[police", b"x = ", b"[[levers]]", b"= 1", b"\x00", b"\xff", b"a.b.c.d.e.f = 1",
        b"[run]\nscale = 1"]  # fmt: skip


@st.composite
def textual_mutants(draw) -> bytes:
    """Break a valid scenario's text: cut it, flip bytes, insert junk, repeat a table."""
    name = draw(st.sampled_from(sorted(SEEDS)), label="seed file")
    blob = bytearray(SEEDS[name].encode("utf-8"))
    op = draw(st.sampled_from(["truncate", "flip", "junk", "duplicate_table"]), label="operation")
    event(f"mutation: {op}")
    if op == "truncate":
        blob = blob[: draw(st.integers(0, len(blob)), label="cut at")]
    elif op == "flip":
        for _ in range(draw(st.integers(1, 8), label="flips")):
            i = draw(st.integers(0, len(blob) - 1), label="byte")
            blob[i] ^= draw(st.integers(1, 255), label="mask")
    elif op == "junk":
        lines = bytes(blob).split(b"\n")
        at = draw(st.integers(0, len(lines)), label="line")
        junk = draw(
            st.one_of(
                st.binary(max_size=40),
                st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass")),
                st.sampled_from(JUNK),
            ),
            label="junk",
        )
        lines.insert(at, junk)
        blob = bytearray(b"\n".join(lines))
    else:
        headers = re.findall(rb"^\[[^\[\]\n]+\]$", bytes(blob), flags=re.MULTILINE)
        assume(headers)
        header = draw(st.sampled_from(headers), label="table")
        blob += b"\n" + header + b"\nx = 1\n"
    return bytes(blob)


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------


def test_every_seed_is_valid():
    for name, text in SEEDS.items():
        config = load(text, name)
        assert config.name, f"the seed scenario {name} should load (mutations start from it)"


@LOAD_SETTINGS
@given(text=structured_mutants())
def test_structured_mutants_load_or_are_refused(text):
    load_or_refuse(text)


@LOAD_SETTINGS
@given(blob=textual_mutants())
def test_textual_mutants_load_or_are_refused(blob, tmp_path_factory):
    # Through a real file, so that decoding (UTF-8, NUL bytes) is exercised too.
    from simulation.scenario import load_scenario  # noqa: PLC0415

    path = tmp_path_factory.mktemp("mutant", numbered=True) / "mutant.toml"
    path.write_bytes(blob)
    (path.parent / "no_intervention.toml").write_text(
        SEEDS["no_intervention.toml"], encoding="utf-8"
    )
    (path.parent / "baseline.toml").write_text(SEEDS["baseline.toml"], encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as err:
        check_refusal(err)
    else:
        event("loaded")


def tiny_run_overrides(config) -> dict[str, Any]:
    """Five reported days ending on the scenario's own last day, two days of burn-in, a scale
    giving about 2,000 residents, and the scenario's levers that act in those seven days (the
    loader would leave the others out with a note; passing only these keeps the test quiet)."""
    end = config.run.end
    start = end - dt.timedelta(days=4)
    first_day = start - dt.timedelta(days=2)
    levers = [
        lever.model_dump(mode="python", exclude_none=True)
        for lever in config.levers
        if lever.start <= end and (lever.end is None or lever.end >= first_day)
    ]
    return {
        "run.start": start,
        "run.end": end,
        "run.burn_in_days": 2,
        "run.scale": min(1e7, max(1.0, config.run.population_national / 2000)),
        "levers": levers,
    }


@RUN_SETTINGS
@given(text=structured_mutants())
def test_mutants_that_load_also_run(text):
    config = load_or_refuse(text)
    assume(config is not None)
    # Dates near year 1 make the burn-in overflow (a known gap: tests/data/bad/expected.toml,
    # run_starts_in_year_one.toml); that is bad input the loader should refuse, not a run bug.
    assume(config.run.end - dt.timedelta(days=10) > dt.date(1, 1, 1))
    try:
        tiny = load_scenario_text(
            text, source="mutant.toml", base_dir=SCENARIOS, overrides=tiny_run_overrides(config)
        )
    except FraudsimError as err:  # pragma: no cover - the overrides are valid for any scenario
        pytest.fail(f"shortening a valid scenario to five days should stay valid: {err}")
    model = FraudModel(tiny, rng=0, check_invariants=True)
    model.run()
    daily = model.daily_frame()
    assert len(daily) == 5, f"five reported days expected, got {len(daily)}"
    event("ran")
