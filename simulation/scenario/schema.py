"""The JSON Schema of scenario files, generated from :class:`simulation.config.ScenarioConfig`.

The committed copy is ``scenarios/scenario.schema.json`` (:data:`SCHEMA_PATH`); editors use it
to check and complete scenario files. ``fraudsim schema --write`` refreshes it and ``fraudsim
schema --check`` says whether it is current.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from simulation.config import ScenarioConfig
from simulation.files import write_atomic

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "scenario.schema.json"
"""Where the committed JSON Schema of the scenario format lives."""


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of the scenario file format, generated from :class:`ScenarioConfig`.

    The loader-only keys ``extends`` and ``add_levers`` are added, so editors can validate and
    complete scenario files.

    Returns:
        The schema as a JSON-ready dict.
    """
    schema = ScenarioConfig.model_json_schema()
    props = schema["properties"]
    props["extends"] = {
        "type": "string",
        "title": "Extends",
        "description": "Scenario file to start from, relative to this file. Tables deep-merge "
        "(this file wins), scalars and arrays replace, `levers` replaces the inherited list; "
        "`name` and `description` are not inherited.",
    }
    add = copy.deepcopy(props["levers"])
    add.pop("default", None)
    add["title"] = "Add Levers"
    add["description"] = "Lever tables appended to the inherited `levers` list."
    props["add_levers"] = add
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def write_schema(path: str | os.PathLike[str] = SCHEMA_PATH) -> Path:
    """Write :func:`scenario_json_schema` to ``path`` (the committed file by default).

    Args:
        path: where to write.

    Returns:
        The path written.
    """
    out = Path(path)
    write_atomic(out, schema_text())
    return out


def schema_text() -> str:
    """The exact text :func:`write_schema` writes (indented JSON with a final newline)."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
