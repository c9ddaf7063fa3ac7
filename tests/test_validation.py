"""simulation.validation: pydantic's errors become Problems read from the models themselves.

The scenario, sweep, targets and params files are covered by their own tests (and the corpus
in ``tests/data/bad``); these check the rules of the one mapping on small models of their own,
so that nothing in it depends on the scenario format.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.validation import problems_from_validation, render_key, show_value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Fruit(Strict):
    kind: str
    weight_kg: float = Field(1.0, ge=0.0, le=10.0)


class Apple(Fruit):
    kind: Literal["apple"]
    variety: str = "cox"


class Pear(Fruit):
    kind: Literal["pear"]


class Basket(Strict):
    loader_keys: ClassVar[tuple[str, ...]] = ("include",)

    owner: str
    picked: dt.date = dt.date(2021, 1, 1)
    size: Literal["small", "large"] = "small"
    fruit: list[Annotated[Apple | Pear, Field(discriminator="kind")]] = Field(default_factory=list)
    ranges: dict[
        str,
        Annotated[
            list[float],
            Field(min_length=2, max_length=2, json_schema_extra={"allowed": "[low, high]"}),
        ],
    ] = Field(default_factory=dict)
    seats: int = Field(0, json_schema_extra={"allowed": "a whole number of seats"})

    @model_validator(mode="after")
    def _not_too_heavy(self) -> Basket:
        if sum(f.weight_kg for f in self.fruit) > 12:
            raise ValueError("fruit[0].weight_kg: the basket holds at most 12 kg")
        return self


def problems(data: dict[str, Any], origins=None):
    with pytest.raises(ValidationError) as info:
        Basket.model_validate(data)
    return problems_from_validation(info.value, Basket, "basket.toml", origins)


def only(data: dict[str, Any], origins=None):
    found = problems(data, origins)
    assert len(found) == 1, f"expected one problem, got {found}"
    return found[0]


def test_unknown_key_lists_fields_and_loader_keys_and_suggests():
    p = only({"owner": "x", "includ": "other.toml"})
    assert (p.file, p.key, p.message) == ("basket.toml", "includ", "unknown key"), p
    assert p.allowed.endswith("seats, include"), f"loader keys follow the fields: {p}"
    assert p.suggestion == "include", p


def test_tagged_union_names_its_members_and_tags():
    p = only({"owner": "x", "fruit": [{"kind": "aple"}]})
    assert (p.key, p.message, p.allowed) == (
        "fruit[0].kind",
        "unknown fruit kind",
        "apple, pear",
    ), p
    assert (p.given, p.suggestion) == ('"aple"', "apple"), p
    missing = only({"owner": "x", "fruit": [{"weight_kg": 2.0}]})
    assert missing.message == "missing fruit `kind`: every fruit table needs one", missing


def test_a_key_inside_a_union_member_drops_pydantics_tag():
    p = only({"owner": "x", "fruit": [{"kind": "apple", "varety": "gala"}]})
    assert (p.key, p.suggestion) == ("fruit[0].varety", "variety"), p


def test_bounds_give_the_declared_range():
    p = only({"owner": "x", "fruit": [{"kind": "pear", "weight_kg": 11.0}]})
    assert (p.key, p.message, p.allowed, p.given) == (
        "fruit[0].weight_kg",
        "must be <= 10",
        "0 <= value <= 10",
        "11.0",
    ), p


def test_literal_choices_are_allowed_values():
    p = only({"owner": "x", "size": "larg"})
    assert (p.message, p.allowed, p.suggestion) == ("unknown size", "small, large", "large"), p


def test_declared_hints_say_what_is_allowed():
    p = only({})
    assert (p.key, p.message) == ("owner", "required key missing"), p
    seats = only({"owner": "x", "seats": "3"})
    assert seats.allowed == "a whole number of seats", seats
    assert seats.message == "must be a whole number (write it without quotes)", seats
    pair = only({"owner": "x", "ranges": {"a.b": [1.0, 2.0, 3.0]}})
    assert pair.key == 'ranges."a.b"', f"dotted keys are quoted: {pair}"
    assert (pair.message, pair.allowed) == ("must have at most 2 items", "[low, high]"), pair
    assert pair.given == "[1.0, 2.0, 3.0] (3 items)", pair


def test_a_check_naming_a_key_is_reported_at_that_key():
    heavy = [{"kind": "pear", "weight_kg": 7.0}, {"kind": "pear", "weight_kg": 7.0}]
    p = only({"owner": "x", "fruit": heavy}, origins={("fruit",): "parent.toml"})
    assert (p.key, p.message) == ("fruit[0].weight_kg", "the basket holds at most 12 kg"), p
    assert p.file == "parent.toml", f"the source that set the key is named: {p}"


def test_origins_name_the_file_that_set_a_key():
    p = only({"owner": "x", "size": "huge"}, origins={("size",): "--set"})
    assert p.file == "--set", p


@pytest.mark.parametrize(
    ("path", "text"),
    [(("levers", 2, "start"), "levers[2].start"), (("grid", "a.b", 0), 'grid."a.b"[0]'), ((), "")],
)
def test_render_key(path, text):
    assert render_key(path) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0.5", '"0.5" (string)'),
        (True, "true (boolean)"),
        (dt.date(2021, 1, 1), "2021-01-01 (date)"),
        (10**30, "100000... (31 digits) (integer)"),
        ([dt.date(2021, 1, 1), {"a": 1}], "[2021-01-01, a table {a}] (array)"),
    ],
)
def test_show_value(value, text):
    assert show_value(value, with_type=True) == text
