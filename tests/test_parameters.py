"""Every parameter declares its meaning, unit and source once, on its field.

The commented defaults of ``scenarios/baseline.toml``, the JSON Schema of scenario files and
the parameter tables of ``docs/ODD.md`` all read these declarations (``simulation.params.param``),
so a parameter without them would leave a hole in all three.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from simulation.levers import LEVER_TYPES
from simulation.params import ASSUMPTION, ModelParams, source_of, unit_of
from simulation.scenario import scenario_json_schema

#: Lever fields that name a lever rather than set what it does.
LABELS = ("type", "name")


def _holds_tables(value: object) -> bool:
    """A table of tables or of lists (a section, a group): its fields are the parameters."""
    return isinstance(value, BaseModel) and any(
        isinstance(v, BaseModel | list) for v in dict(value).values()
    )


def parameters() -> list[tuple[str, object]]:
    """``(dotted key, field)`` of every model parameter and lever field."""
    found = []

    def walk(prefix: str, model: BaseModel) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if _holds_tables(value):
                walk(f"{prefix}.{name}", value)
            else:  # a number, a date, a list, or a keyed table of numbers (one per group, ...)
                found.append((f"{prefix}.{name}", field))

    params = ModelParams()
    for section in ModelParams.model_fields:
        walk(section, getattr(params, section))
    for lever_type, cls in LEVER_TYPES.items():
        found.extend(
            (f"levers.{lever_type}.{name}", field)
            for name, field in cls.model_fields.items()
            if name not in LABELS
        )
    return found


PARAMETERS = parameters()


def test_the_walk_finds_the_parameters():
    keys = {key for key, _ in PARAMETERS}
    for key in ("run.scale", "population.groups.student.share", "awareness.initial",
                "levers.early_warning.officer_hours_per_action", "levers.card_crackdown.start"):  # fmt: skip
        assert key in keys, f"expected {key} among the parameters"
    assert len(keys) > 150, f"expected every parameter, found {len(keys)}"


@pytest.mark.parametrize(("key", "field"), PARAMETERS, ids=[key for key, _ in PARAMETERS])
def test_every_parameter_declares_meaning_unit_and_source(key, field):
    assert field.description, f"{key} should say what it means (description=)"
    assert unit_of(field), f"{key} should declare its unit: use simulation.params.param(unit=)"
    source = source_of(field)
    assert source, f"{key} should declare its source, or {ASSUMPTION!r}: use param(source=)"
    assert "(assumption" not in field.description, (
        f"{key}: an assumption is its source, not part of its meaning: {field.description!r}"
    )


def test_the_schema_carries_unit_and_source():
    police = scenario_json_schema()["$defs"]["PoliceParams"]["properties"]["p_dissuade"]
    assert police["unit"] == "probability (0 to 1)", f"the schema should give the unit: {police}"
    assert "40 %" in police["source"], f"the schema should give the source: {police}"
