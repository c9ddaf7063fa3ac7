"""Scenario files: load, merge, override, validate, dump, and describe them as a JSON Schema.

A scenario file is TOML holding the sections of :class:`simulation.params.ModelParams`
(``[run]``, ``[police]``, ...), a ``name``, a ``description`` and ``[[levers]]`` tables. Two more
keys are resolved by the loader and never reach :class:`simulation.config.ScenarioConfig`:

- ``extends = "other.toml"``: start from another scenario (path relative to this file; chains
  are allowed, cycles are refused).
- ``[[add_levers]]``: lever tables appended to the inherited list, so that a scenario can add one
  measure to its parent without copying the parent's levers.

Merge rules, parent first, then child:

- tables deep-merge, the child's keys winning;
- scalars and arrays replace the parent's value;
- ``levers`` in the child replaces the parent's list; ``add_levers`` is appended after that;
- ``name`` and ``description`` are not inherited: they describe the file that sets them, and a
  file without ``name`` is named after its file stem, so outputs are never labelled with a
  parent's name by accident.

After the chain is merged, a partial table is completed from the model's defaults at that place
(so ``[fraud_types.online_loan.channels] call = 0.5`` changes one channel weight and keeps the
others of *online loans*, rather than zeroing them), overrides are applied, and the result is
validated by ``ScenarioConfig.model_validate``. Every refusal becomes a
:class:`simulation.errors.ScenarioError` whose lines name the file, the key path, what is
allowed, what was given and, for a typo, the nearest valid name.

Scenario files are data: nothing in them is evaluated, imported or unpickled.

One module per job: :mod:`~simulation.scenario.load` (files, the ``extends`` chain, defaults,
validation), :mod:`~simulation.scenario.merge` (deep merge and where each key came from),
:mod:`~simulation.scenario.overrides` (``KEY=VALUE`` and dotted keys),
:mod:`~simulation.scenario.dump` (a resolved scenario as TOML),
:mod:`~simulation.scenario.schema` (the JSON Schema) and :mod:`~simulation.scenario.defaults`
(the commented defaults of ``scenarios/baseline.toml``). On the command line: ``fraudsim
validate [--dump]``, ``fraudsim schema [--write | --check]`` and ``fraudsim defaults
[--update FILE]``.
"""

from __future__ import annotations

from simulation.scenario.defaults import (
    DEFAULTS_BEGIN,
    DEFAULTS_END,
    defaults_toml,
    update_defaults,
)
from simulation.scenario.dump import dump_scenario, scenario_to_toml
from simulation.scenario.load import (
    load_scenario,
    load_scenario_text,
    override_config,
    resolve_scenario_dict,
)
from simulation.scenario.overrides import (
    MAPPING_SOURCE,
    SET_SOURCE,
    apply_overrides,
    split_override,
)
from simulation.scenario.schema import SCHEMA_PATH, scenario_json_schema, schema_text, write_schema
from simulation.validation import nearest_name, show_value

__all__ = [
    "DEFAULTS_BEGIN",
    "DEFAULTS_END",
    "MAPPING_SOURCE",
    "SCHEMA_PATH",
    "SET_SOURCE",
    "apply_overrides",
    "defaults_toml",
    "dump_scenario",
    "load_scenario",
    "load_scenario_text",
    "nearest_name",
    "override_config",
    "resolve_scenario_dict",
    "scenario_json_schema",
    "scenario_to_toml",
    "schema_text",
    "show_value",
    "split_override",
    "update_defaults",
    "write_schema",
]
