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

Run ``python -m simulation.scenario --help`` for the command-line helpers: write the JSON
Schema (``--write-schema``), check files (``--check``), print a resolved scenario (``--dump``),
and print or refresh the commented defaults of ``scenarios/baseline.toml``
(``--print-defaults``, ``--update-defaults``).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import json
import os
import re
import sys
import textwrap
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from simulation.config import ScenarioConfig
from simulation.errors import Problem, ScenarioError, ScenarioNote
from simulation.files import parse_toml, read_toml, toml_text, write_atomic
from simulation.params import ASSUMPTION, ModelParams, source_of, unit_of
from simulation.validation import (
    KeyPath,
    Shape,
    child_shape,
    field_shape,
    nearest_name,
    problems_from_validation,
    render_key,
    show_value,
)

__all__ = [
    "SCHEMA_PATH",
    "apply_overrides",
    "defaults_toml",
    "dump_scenario",
    "load_scenario",
    "load_scenario_text",
    "main",
    "nearest_name",
    "override_config",
    "resolve_scenario_dict",
    "scenario_json_schema",
    "scenario_to_toml",
    "show_value",
    "split_override",
    "update_defaults",
    "write_schema",
]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "scenario.schema.json"
"""Where the committed JSON Schema of the scenario format lives."""

SET_SOURCE = "--set"
"""Source name used in messages about ``KEY=VALUE`` overrides."""

MAPPING_SOURCE = "overrides"
"""Source name used in messages about overrides passed as a mapping."""

Origins = dict[KeyPath, str]
"""For each key path set by a file or override, the source that set it (for messages)."""

_MISSING = object()


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
) -> ScenarioConfig:
    """Load, merge, override and validate a scenario file.

    Args:
        path: the scenario TOML file.
        overrides: either ``KEY=VALUE`` strings (as given to ``--set`` on the command line;
            ``VALUE`` is read as a TOML value, or as a plain string if it is not one) or a
            mapping from dotted keys to Python values. Keys are dotted paths such as
            ``police.p_dissuade``, ``run.start`` or ``levers.0.intensity`` (``levers[0]`` also
            works). A table value is merged into the table it replaces. Messages name
            string overrides ``--set`` and mapping overrides ``overrides``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: the file cannot be read or parsed, an ``extends`` target is missing or
            forms a cycle, an override names an unknown key, or the result is not a valid
            scenario. The message has one line per problem.
    """
    display = os.fspath(path)
    data, origins = _resolve_file(Path(path), display, [])
    return _finish(data, origins, display, Path(display).stem, overrides)


def load_scenario_text(
    text: str,
    source: str = "<string>",
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> ScenarioConfig:
    """Load a scenario from TOML text (for tests, notebooks and run manifests).

    Args:
        text: the TOML document.
        source: name used for the text in messages (and, if it ends in ``.toml``, as the
            default scenario name).
        overrides: as for :func:`load_scenario`.
        base_dir: directory against which ``extends`` is resolved (default: the current one).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: as for :func:`load_scenario`.
    """
    raw = _parse_text(text, source)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    # A pseudo-path inside base_dir, so that `extends` resolves relative to it.
    data, origins = _resolve_raw(raw, base / "<string>", source, [])
    default_name = Path(source).stem if source.endswith(".toml") else None
    return _finish(data, origins, source, default_name, overrides)


def override_config(
    config: ScenarioConfig,
    overrides: Sequence[str] | Mapping[str, Any],
    source: str = MAPPING_SOURCE,
) -> ScenarioConfig:
    """``config`` with values replaced by overrides, validated as a scenario file is.

    The scenario is changed as data (its dict), never written out and parsed again; the
    result equals loading the scenario's file with the same overrides.

    Args:
        config: a validated scenario.
        overrides: as for :func:`load_scenario`: ``KEY=VALUE`` strings or dotted keys to values.
        source: name of the scenario in messages.

    Raises:
        ScenarioError: an override names an unknown key or makes the scenario invalid.
    """
    data = config.model_dump(mode="python", exclude_none=True)
    return _finish(data, {}, source, None, overrides)


def resolve_scenario_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The merged content of a scenario file and its ``extends`` chain, before validation.

    Defaults are not filled in and no override is applied: the result is what the files say.
    ``extends`` and ``add_levers`` are resolved and absent.

    Args:
        path: the scenario TOML file.

    Returns:
        A fresh dict of plain TOML values.

    Raises:
        ScenarioError: the file or one of its parents cannot be read, parsed or resolved.
    """
    display = os.fspath(path)
    data, _ = _resolve_file(Path(path), display, [])
    return data


def apply_overrides(
    data: dict[str, Any],
    overrides: Sequence[str] | Mapping[str, Any],
    origins: Origins | None = None,
) -> dict[str, Any]:
    """Apply overrides to a raw scenario dict in place (see :func:`load_scenario`).

    Args:
        data: a raw scenario dict (e.g. from :func:`resolve_scenario_dict`).
        overrides: ``KEY=VALUE`` strings or a mapping of dotted keys to values.
        origins: if given, updated with the source of each overridden key.

    Returns:
        ``data``, for chaining.

    Raises:
        ScenarioError: an override is malformed or names a key the scenario format lacks.
    """
    if origins is None:
        origins = {}
    if isinstance(overrides, Mapping):
        items = [(str(k), v, MAPPING_SOURCE) for k, v in overrides.items()]
    elif isinstance(overrides, str):
        # A lone string is almost certainly one override, not a sequence of characters.
        items = [(*split_override(overrides), SET_SOURCE)]
    else:
        items = [(*split_override(item), SET_SOURCE) for item in overrides]
    problems: list[Problem] = []
    for key_text, value, source in items:
        try:
            path = _parse_key(key_text, source)
            _set_path(data, path, value, source)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        _forget_origins(origins, path)
        origins[path] = source
    if problems:
        raise ScenarioError(problems)
    return data


def scenario_to_toml(config: ScenarioConfig, header: str | None = None) -> str:
    """Write a validated scenario as a TOML document that loads back to an equal scenario.

    Every parameter is written out (not only those differing from the defaults), so the text
    is a complete record of a run's inputs, fit for a manifest.

    Args:
        config: the scenario.
        header: optional comment placed at the top (each line is prefixed with ``# ``).

    Returns:
        The TOML text.
    """
    return toml_text(config.model_dump(mode="python", exclude_none=True), header)


def dump_scenario(
    config: ScenarioConfig, path: str | os.PathLike[str], header: str | None = None
) -> None:
    """Write :func:`scenario_to_toml` of ``config`` to ``path`` (UTF-8).

    Args:
        config: the scenario.
        path: the file to write; its directory must exist.
        header: optional comment placed at the top.
    """
    write_atomic(path, scenario_to_toml(config, header))


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


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def _read_file(path: Path, display: str) -> dict[str, Any]:
    """Read and parse one scenario file, turning every failure into a ScenarioError."""
    return _not_empty(read_toml(path, what="scenario file"), display)


def _parse_text(text: str, display: str) -> dict[str, Any]:
    """Parse scenario TOML text; refuse broken or empty documents."""
    return _not_empty(parse_toml(text, display, what="scenario file"), display)


def _not_empty(raw: dict[str, Any], display: str) -> dict[str, Any]:
    if not raw:
        raise ScenarioError.single(
            display,
            None,
            'scenario file is empty (no keys); write at least `extends = "baseline.toml"` '
            "or a `name`",
        )
    return raw


# ---------------------------------------------------------------------------------------------
# extends / add_levers resolution and merging
# ---------------------------------------------------------------------------------------------


def _resolve_file(path: Path, display: str, chain: list[tuple[Path, str]]) -> tuple[dict, Origins]:
    """Read ``path`` and resolve its ``extends`` chain; return merged data and origins."""
    raw = _read_file(path, display)
    return _resolve_raw(raw, path, display, chain)


def _resolve_raw(
    raw: dict[str, Any], path: Path, display: str, chain: list[tuple[Path, str]]
) -> tuple[dict[str, Any], Origins]:
    """Resolve ``extends`` and ``add_levers`` of an already parsed file."""
    chain = [*chain, (_identity(path), display)]
    extends = raw.pop("extends", _MISSING)
    add_levers = raw.pop("add_levers", _MISSING)
    levers = raw.pop("levers", _MISSING)

    if extends is _MISSING:
        data: dict[str, Any] = {}
        origins: Origins = {}
    else:
        if not isinstance(extends, str) or not extends.strip() or "\x00" in extends:
            raise ScenarioError.single(
                display,
                "extends",
                "must be a file name (a string)",
                allowed='a path relative to this file, e.g. "baseline.toml"',
                given=show_value(extends, with_type=True),
            )
        target = path.parent / extends
        target_display = os.path.normpath(os.path.join(os.path.dirname(display), extends))
        ident = _identity(target)
        seen = [p for p, _ in chain]
        if ident in seen:
            cycle = [d for _, d in chain[seen.index(ident) :]] + [target_display]
            raise ScenarioError.single(
                display, "extends", "extends cycle: " + " -> ".join(cycle), given=repr(extends)
            )
        try:
            found = target.is_file()
        except OSError as err:  # e.g. a name too long for the file system
            raise ScenarioError.single(
                display, "extends", f"cannot read {target_display}: {err.strerror or err}"
            ) from None
        if not found:
            what = "is a directory, not a scenario file" if target.is_dir() else "file not found"
            raise ScenarioError.single(
                display,
                "extends",
                f"{what}: {target_display} (paths are relative to the extending file)",
                given=repr(extends),
            )
        data, origins = _resolve_file(target, target_display, chain)
        # name and description describe the file that sets them, never its children.
        for key in ("name", "description"):
            data.pop(key, None)
            _forget_origins(origins, (key,))

    _merge_into(data, raw, display, origins, ())
    if levers is not _MISSING:
        data["levers"] = copy.deepcopy(levers)
        _forget_origins(origins, ("levers",))
        _record_origins(origins, ("levers",), levers, display)
    if add_levers is not _MISSING:
        if not isinstance(add_levers, list) or not all(isinstance(x, dict) for x in add_levers):
            raise ScenarioError.single(
                display,
                "add_levers",
                "must be an array of lever tables ([[add_levers]])",
                given=show_value(add_levers, with_type=True),
            )
        inherited = data.setdefault("levers", [])
        if not isinstance(inherited, list):
            raise ScenarioError.single(
                display,
                "add_levers",
                "cannot append: the inherited `levers` is not an array",
                given=show_value(inherited, with_type=True),
            )
        for lever in add_levers:
            origins[("levers", len(inherited))] = display
            inherited.append(copy.deepcopy(lever))
    return data, origins


def _identity(path: Path) -> Path:
    """A path's identity for cycle detection (symlinks and ``..`` resolved)."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _merge_into(
    base: dict[str, Any], child: Mapping[str, Any], source: str, origins: Origins, prefix: KeyPath
) -> None:
    """Deep-merge ``child`` into ``base``: tables merge, anything else replaces."""
    for key, value in child.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_into(base[key], value, source, origins, path)
        else:
            base[key] = copy.deepcopy(value)
            _forget_origins(origins, path)
            _record_origins(origins, path, value, source)


def _record_origins(origins: Origins, path: KeyPath, value: Any, source: str) -> None:
    origins[path] = source
    if isinstance(value, list):
        for i in range(len(value)):
            origins[(*path, i)] = source


def _forget_origins(origins: Origins, path: KeyPath) -> None:
    n = len(path)
    for key in [k for k in origins if k[:n] == path]:
        del origins[key]


# ---------------------------------------------------------------------------------------------
# Defaults, overrides, validation
# ---------------------------------------------------------------------------------------------


def _finish(
    data: dict[str, Any],
    origins: Origins,
    display: str,
    default_name: str | None,
    overrides: Sequence[str] | Mapping[str, Any] | None,
) -> ScenarioConfig:
    """Name, fill defaults, override and validate a merged scenario dict."""
    if "name" not in data and default_name:
        data["name"] = default_name
    _fill_defaults(ScenarioConfig, data)
    if overrides:
        apply_overrides(data, overrides, origins)
        _fill_defaults(ScenarioConfig, data)  # tables created by overrides
    shortened = bool(overrides) and _period_overridden(origins)
    try:
        config = ScenarioConfig.model_validate(
            data, context={"levers_outside_run": "leave out" if shortened else "refuse"}
        )
    except ValidationError as err:
        raise ScenarioError(
            problems_from_validation(err, ScenarioConfig, display, origins)
        ) from None
    return _leave_out_levers_outside_period(config, display) if shortened else config


PERIOD_KEYS: tuple[KeyPath, ...] = (("run", "start"), ("run", "end"), ("run", "burn_in_days"))


def _period_overridden(origins: Origins) -> bool:
    """Whether overrides (not files) set the run's period."""
    return any(origins.get(key) in (SET_SOURCE, MAPPING_SOURCE) for key in PERIOD_KEYS)


def _leave_out_levers_outside_period(config: ScenarioConfig, display: str) -> ScenarioConfig:
    """``config`` without the levers its period does not reach, with a note for each.

    In a file, a lever that can never act is a mistake and the validator refuses it. When the
    user shortens a run by overrides (``--end 2020-12-31`` on the baseline, whose app starts
    in April 2021), the levers that start later simply have nothing to do: refusing would make
    every shortened run of the baseline an error. They are removed from the resolved scenario
    (so a manifest shows what acted), after validation, so that messages about the levers
    still use the indices the user wrote.
    """
    first_day = config.run.start - dt.timedelta(days=config.run.burn_in_days)
    kept = []
    for i, lever in enumerate(config.levers):
        if lever.start > config.run.end:
            when = f"starts on {lever.start.isoformat()}, after the run ends on {config.run.end}"
        elif lever.end is not None and lever.end < first_day:
            when = (
                f"ends on {lever.end.isoformat()}, before the first simulated day "
                f"{first_day.isoformat()} (run.start less run.burn_in_days)"
            )
        else:
            kept.append(lever)
            continue
        label = lever.name or lever.type
        warnings.warn(
            f"{display}: levers[{i}] ({label}) {when}; it is left out of this run",
            ScenarioNote,
            stacklevel=3,
        )
    if len(kept) == len(config.levers):
        return config
    return config.model_copy(update={"levers": kept})


def _fill_defaults(model: type[BaseModel], data: dict[str, Any]) -> None:
    """Complete partial sub-tables of ``data`` from the defaults of ``model``, in place.

    Pydantic fills a *missing* table with its default, but a *partial* table only gets the
    field defaults of its class, which differ from the table's default at that place (the
    channel mix of online loans is not the ChannelWeights class default). Merging the
    place's default under the partial table makes a scenario a delta on the defaults.
    """
    for name, field in model.model_fields.items():
        value = data.get(name)
        shape = field_shape(model, name)
        if shape.kind == "model" and name not in data:
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                # Write missing tables out too, so overrides can reach every default value.
                data[name] = value = default.model_dump(mode="python")
        if shape.kind == "model" and isinstance(value, dict):
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                merged = default.model_dump(mode="python")
                _merge_into(merged, value, "", {}, ())
                data[name] = value = merged
            _fill_defaults(shape.of, value)
        elif shape.kind == "list" and isinstance(value, list):
            for i, entry in enumerate(value):
                item = child_shape(shape, i, entry)
                if isinstance(entry, dict) and item.kind == "model":
                    _fill_defaults(item.of, entry)


def split_override(item: Any) -> tuple[str, Any]:
    """Split ``KEY=VALUE``; read VALUE as TOML, else keep it as a plain string."""
    if not isinstance(item, str) or "=" not in item:
        raise ScenarioError.single(
            SET_SOURCE,
            None,
            "an override must look like KEY=VALUE",
            allowed="e.g. police.p_dissuade=0.6, run.start=2020-06-01, levers.0.intensity=2",
            given=show_value(item),
        )
    key, _, text = item.partition("=")
    text = text.strip()
    try:
        tomllib.loads("v = " + text)
    except tomllib.TOMLDecodeError:
        return key.strip(), text
    except RecursionError:
        pass  # too deep: parse_toml says so
    try:
        parsed = parse_toml("v = " + text, SET_SOURCE, what="value")
    except ScenarioError as err:
        raise ScenarioError(
            dataclasses.replace(p, key=key.strip() or None) for p in err.problems
        ) from None
    # Only a single value counts; "1\nx = 2" must not smuggle in a second key.
    if list(parsed) != ["v"]:
        return key.strip(), text
    return key.strip(), parsed["v"]


_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_-]*)?(?P<idx>(?:\[\d+\])*)$")


def _parse_key(key: str, source: str) -> KeyPath:
    """``levers.0.start`` or ``levers[0].start`` -> ``("levers", 0, "start")``."""
    path: list[str | int] = []
    for raw_segment in key.split("."):
        segment = raw_segment.strip()
        if segment.isdigit():
            path.append(int(segment))
            continue
        m = _SEGMENT.match(segment)
        if not segment or m is None or (m["name"] is None and not m["idx"]):
            raise ScenarioError.single(
                source,
                key or None,
                "malformed key",
                allowed="dotted names with list indices, e.g. police.p_dissuade or "
                "levers.0.intensity",
                given=repr(key),
            )
        if m["name"]:
            path.append(m["name"])
        path.extend(int(i) for i in re.findall(r"\[(\d+)\]", m["idx"]))
    return tuple(path)


def _set_path(data: dict[str, Any], path: KeyPath, value: Any, source: str) -> None:
    """Set ``value`` at ``path`` after checking every step against the scenario's shape."""
    node: Any = data
    shape = Shape("model", ScenarioConfig)
    for i, part in enumerate(path):
        last = i == len(path) - 1
        here = render_key(path[: i + 1])
        if isinstance(part, str):
            if isinstance(node, list):
                parent = render_key(path[:i])
                raise ScenarioError.single(
                    source,
                    here,
                    f"{parent} is an array: use an index",
                    allowed=f"{parent}.0, {parent}.1, ...",
                )
            if not isinstance(node, dict):
                raise ScenarioError.single(
                    source, here, f"{render_key(path[:i])} is not a table", given=show_value(node)
                )
            if shape.kind == "model" and part not in shape.of.model_fields:
                allowed = list(shape.of.model_fields)
                raise ScenarioError.single(
                    source,
                    here,
                    "unknown key",
                    allowed=", ".join(allowed),
                    suggestion=nearest_name(part, allowed),
                )
            if last:
                _assign(node, part, value)
                return
            child = node.get(part)
            if child is None:
                if isinstance(path[i + 1], int):
                    raise ScenarioError.single(
                        source,
                        render_key(path[: i + 2]),
                        "index out of range",
                        allowed=f"none: {here} is not set",
                    )
                child = node[part] = {}
        else:
            if not isinstance(node, list):
                raise ScenarioError.single(
                    source,
                    here,
                    f"{render_key(path[:i])} is not an array",
                    given=show_value(node),
                )
            if not 0 <= part < len(node):
                allowed = f"0 to {len(node) - 1}" if node else "none: the array is empty"
                raise ScenarioError.single(
                    source, here, "index out of range", allowed=allowed, given=str(part)
                )
            if last:
                _assign(node, part, value)
                return
            child = node[part]
        shape = child_shape(shape, part, child)
        node = child


def _assign(node: Any, key: str | int, value: Any) -> None:
    """Set a value; a table merges into an existing table, as in ``extends``."""
    value = copy.deepcopy(value)
    current = node[key] if isinstance(node, list) else node.get(key)
    if isinstance(value, dict) and isinstance(current, dict):
        _merge_into(current, value, "", {}, ())
    else:
        node[key] = value


# ---------------------------------------------------------------------------------------------
# Commented defaults (the parameter half of scenarios/baseline.toml)
# ---------------------------------------------------------------------------------------------

_RULE = "# " + "=" * 96
_WRAP = 98

DEFAULTS_BEGIN = (
    "# >>> generated parameters: refresh with "
    "python -m simulation.scenario --update-defaults scenarios/baseline.toml"
)
"""First line of the generated parameter block in a scenario file."""

DEFAULTS_END = "# <<< end of generated parameters"
"""Last line of the generated parameter block in a scenario file."""


def update_defaults(path: str | os.PathLike[str]) -> bool:
    """Replace the generated parameter block of a scenario file with :func:`defaults_toml`.

    Only the lines between :data:`DEFAULTS_BEGIN` and :data:`DEFAULTS_END` change; the header,
    name, description and levers written by hand are kept.

    Args:
        path: the scenario file (normally ``scenarios/baseline.toml``).

    Returns:
        Whether the file changed.

    Raises:
        ScenarioError: the file lacks the two marker lines.
    """
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    begin, end = text.find(DEFAULTS_BEGIN), text.find(DEFAULTS_END)
    if begin < 0 or end < begin:
        raise ScenarioError.single(
            os.fspath(path),
            None,
            "no generated parameter block: the file needs the lines "
            f"{DEFAULTS_BEGIN!r} and {DEFAULTS_END!r}",
        )
    new = text[:begin] + DEFAULTS_BEGIN + "\n" + defaults_toml() + text[end:]
    if new == text:
        return False
    write_atomic(file, new)
    return True


def defaults_toml() -> str:
    """Every parameter of :class:`ModelParams` at its default, as commented TOML.

    Each section starts with a sentence on what it is; each parameter has a comment with its
    meaning, unit and source (or "Assumption." when the description names none). This is the
    parameter half of ``scenarios/baseline.toml``, between the :data:`DEFAULTS_BEGIN` and
    :data:`DEFAULTS_END` lines; refresh it there with
    ``python -m simulation.scenario --update-defaults scenarios/baseline.toml`` when the
    defaults change (or print it with ``--print-defaults``).

    Returns:
        TOML text that loads to ``ModelParams()``.
    """
    params = ModelParams()
    lines: list[str] = []
    seen: set[type[BaseModel]] = set()
    for name, field in ModelParams.model_fields.items():
        section = getattr(params, name)
        lines.extend(["", _RULE])
        lines.extend(_comment(f"[{name}] {_docstring_text(type(section))}"))
        lines.append(_RULE)
        _write_commented(lines, (name,), section, seen)
        del field
    return "\n".join(lines).strip("\n") + "\n"


def _write_commented(
    lines: list[str], path: tuple[str, ...], model: BaseModel, seen: set[type[BaseModel]]
) -> None:
    """Write one table: its keys with comments, then its sub-tables.

    The text of keys, values and table headers is :func:`toml_text`'s; only comments are
    added here. A table of the same class as one written before (the second resident group,
    the second fraud type) gets the unit of each key as a trailing comment instead of the
    whole description.
    """
    cls = type(model)
    first = cls not in seen
    seen.add(cls)
    keys: dict[str, Any] = {}
    subtables: list[tuple[str, BaseModel]] = []
    for name in cls.model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            subtables.append((name, value))
        else:
            keys[name] = value
    comments = {name: _field_text(cls.model_fields[name]) for name in keys}
    # A table holding only sub-tables gets no header of its own (toml_text leaves it out).
    for line in toml_text(_nested(path, keys)).splitlines() if keys else []:
        name = line.partition(" = ")[0]
        if name not in keys:  # a table header or the rest of a multi-line array
            lines.append(line)
        elif first:
            lines.extend([*_comment(comments[name]), line])
        else:
            lines.append(f"{line}  # {unit_of(cls.model_fields[name])}")
    for name, value in keys.items():
        if value is None:
            lines.extend(_comment(f"{name}: not set by default. {comments[name]}"))
    for name, value in subtables:
        if not lines[-1].startswith("#"):  # keep a comment block together with what follows
            lines.append("")
        field = cls.model_fields[name]
        if _is_flat(value):  # a keyed table of numbers (one per group, channel, ...)
            block = toml_text(_nested((*path, name), value.model_dump())).splitlines()
            if first:
                lines.extend(_comment(f"{name}: {_field_text(field)}"))
            else:
                block[0] += f"  # {unit_of(field)}"
            lines.extend(block)
            continue
        if type(value) in seen:
            text = f"{name}: as {'.'.join(path)}.{_first_of(cls, type(value))} above."
        else:
            text = field.description or _docstring_text(type(value))
        lines.extend(_comment(text))
        _write_commented(lines, (*path, name), value, seen)


def _nested(path: tuple[str, ...], table: dict[str, Any]) -> dict[str, Any]:
    """``table`` placed at ``path`` in an otherwise empty document."""
    for key in reversed(path):
        table = {key: table}
    return table


def _first_of(cls: type[BaseModel], sub: type[BaseModel]) -> str:
    """Name of the first field of ``cls`` whose type is ``sub``."""
    for name in cls.model_fields:
        if field_shape(cls, name)[:2] == ("model", sub):
            return name
    return "?"


def _is_flat(model: BaseModel) -> bool:
    """A keyed table of scalars (one number per group, channel, ...), written inline."""
    return all(
        not isinstance(v, BaseModel | list | dict) for v in model.model_dump(mode="python").values()
    )


def _field_text(field: FieldInfo) -> str:
    """A parameter's comment: its meaning, its unit and its source, as declared on the field."""
    text = " ".join((field.description or "").split())
    if text and not text.endswith("."):
        text += "."
    unit, source = unit_of(field), source_of(field)
    if unit:
        text += f" Unit: {unit}."
    if source == ASSUMPTION:
        text += " Assumption."
    elif source:
        text += f" Source: {source}."
    return text.strip()


def _docstring_text(cls: type) -> str:
    """A class docstring's first paragraph as one line."""
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


def _comment(text: str) -> list[str]:
    # Keep "19 %" and "~40 %" together: a line starting with "%" reads badly.
    text = text.replace(" %", "\u00a0%")
    wrapped = textwrap.wrap(
        text, _WRAP, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False
    )
    return [line.replace("\u00a0", " ") for line in wrapped] or ["#"]


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simulation.scenario``: write the schema, check or print scenarios.

    Args:
        argv: arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 if all went well, 1 if a scenario is invalid, 2 for bad usage.
    """
    parser = argparse.ArgumentParser(
        prog="python -m simulation.scenario",
        description="Scenario file helpers: JSON Schema, validation, resolved dumps.",
    )
    parser.add_argument(
        "--write-schema",
        nargs="?",
        const=str(SCHEMA_PATH),
        metavar="PATH",
        help=f"write the JSON Schema of scenario files (default: {SCHEMA_PATH})",
    )
    parser.add_argument("--check", nargs="+", metavar="FILE", help="validate scenario files")
    parser.add_argument(
        "--print-defaults",
        action="store_true",
        help="print every model parameter at its default, commented (for baseline.toml)",
    )
    parser.add_argument(
        "--update-defaults",
        metavar="FILE",
        help="rewrite the generated parameter block of FILE (e.g. scenarios/baseline.toml)",
    )
    parser.add_argument(
        "--dump", metavar="FILE", help="print the resolved scenario (all parameters) as TOML"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="override a value for --check/--dump, e.g. --set police.p_dissuade=0.6",
    )
    args = parser.parse_args(argv)
    if not (
        args.write_schema or args.check or args.dump or args.print_defaults or args.update_defaults
    ):
        parser.print_usage(sys.stderr)
        return 2
    status = 0
    if args.print_defaults:
        sys.stdout.write(defaults_toml())
    if args.update_defaults:
        try:
            changed = update_defaults(args.update_defaults)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            return 1
        print(f"{args.update_defaults}: {'updated' if changed else 'already up to date'}")
    if args.write_schema:
        print(f"wrote {write_schema(args.write_schema)}")
    for file in args.check or []:
        try:
            config = load_scenario(file, args.overrides)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            status = 1
        else:
            print(f"{file}: ok ({config.name!r}, {len(config.levers)} levers)")
    if args.dump:
        try:
            config = load_scenario(args.dump, args.overrides)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            return 1
        sys.stdout.write(scenario_to_toml(config, header=f"Resolved from {args.dump}"))
    return status


if __name__ == "__main__":
    sys.exit(main())
