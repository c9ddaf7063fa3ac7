"""simulation.files: the one TOML reader, the one TOML writer and the one atomic writer."""

from __future__ import annotations

import datetime as dt
import enum
import math
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.errors import ScenarioError
from simulation.files import MAX_NESTING, parse_toml, read_toml, toml_text, write_atomic


class OtherError(ScenarioError):
    """A format's own error class, as sweep files have."""


# --- reading --------------------------------------------------------------------------------


def test_read_toml_names_the_file_and_the_kind_of_file(tmp_path):
    with pytest.raises(OtherError) as info:
        read_toml(tmp_path, what="sweep file", error=OtherError)
    (problem,) = info.value.problems
    assert problem.file == str(tmp_path), f"the file should be named: {problem}"
    assert problem.message == "is a directory, not a sweep file", problem


def test_read_toml_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfname = 'x'\n")
    assert read_toml(path, what="scenario file") == {"name": "x"}


def test_read_toml_gives_the_line_of_a_bad_byte(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"# ok\n\nname = 'caf\xe9'\n")
    with pytest.raises(ScenarioError, match=r"byte 0xe9 at line 3"):
        read_toml(path, what="targets file")


def test_parse_toml_refuses_absurd_nesting():
    text = "x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(ScenarioError, match="nested too deeply"):
        parse_toml(text, "<text>", what="scenario file")


def test_an_empty_document_is_the_callers_business(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("# nothing\n", encoding="utf-8")
    assert read_toml(path, what="scenario file") == {}, "an empty file reads as an empty table"


# --- the TOML writer ------------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


def test_toml_text_writes_dates_special_floats_enums_and_drops_none():
    data = {
        "when": dt.date(2021, 6, 17),
        "at": dt.time(9, 30),
        "big": math.inf,
        "small": -math.inf,
        "colour": Colour.RED,
        "unset": None,
        "pair": (1, None, 2),
        "table": {"a": 1.5, "b": None, "nested": {"c": "x"}},
        "levers": [{"type": "early_warning", "start": dt.date(2021, 1, 1), "end": None}],
    }
    back = tomllib.loads(toml_text(data))
    assert back == {
        "when": dt.date(2021, 6, 17),
        "at": dt.time(9, 30),
        "big": math.inf,
        "small": -math.inf,
        "colour": "red",
        "pair": [1, 2],
        "table": {"a": 1.5, "nested": {"c": "x"}},
        "levers": [{"type": "early_warning", "start": dt.date(2021, 1, 1)}],
    }, "toml_text should load back to the same values, None left out"
    assert math.isnan(tomllib.loads(toml_text({"x": math.nan}))["x"]), "nan should survive"


def test_toml_text_puts_the_header_in_comments():
    text = toml_text({"name": "x"}, header="first line\n\nthird line")
    assert text.startswith("# first line\n#\n# third line\n\nname = "), text
    assert text.endswith('"x"\n'), f"the text should end with one newline: {text!r}"


def test_toml_text_refuses_what_toml_cannot_hold():
    with pytest.raises(TypeError, match="cannot write object"):
        toml_text({"x": object()})


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(
            st.text(max_size=20), st.floats(allow_nan=False), st.integers(-(2**63), 2**63 - 1)
        ),
        max_size=5,
    )
)
def test_toml_text_round_trips_any_key_and_text(table):
    assert tomllib.loads(toml_text({"t": table})) == {"t": table}


# --- the atomic writer ----------------------------------------------------------------------


def test_write_atomic_replaces_the_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "result.json"
    write_atomic(path, "old\n")
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n", "the second write should replace the first"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"], "no temporary file is left"


def test_write_atomic_on_a_full_disk_keeps_the_old_file(tmp_path, full_disk):
    path = tmp_path / "result.json"
    write_atomic(path, "old\n")
    full_disk(after=0, name="result.json")
    with pytest.raises(OSError, match="No space left on device"):
        write_atomic(path, "new and longer\n")
    assert path.read_text(encoding="utf-8") == "old\n", "a failed write must leave the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"], "no temporary file is left"
