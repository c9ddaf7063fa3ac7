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
import difflib
import json
import math
import os
import re
import sys
import textwrap
import tomllib
import types
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from simulation.config import ScenarioConfig
from simulation.errors import Problem, ScenarioError, ScenarioNote
from simulation.files import parse_toml, read_toml, toml_text, write_atomic
from simulation.levers import LEVER_TYPES
from simulation.params import ModelParams

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

LOADER_KEYS = ("extends", "add_levers")
"""Top-level keys consumed by the loader; they never reach :class:`ScenarioConfig`."""

SET_SOURCE = "--set"
"""Source name used in messages about ``KEY=VALUE`` overrides."""

MAPPING_SOURCE = "overrides"
"""Source name used in messages about overrides passed as a mapping."""

Path_ = tuple[str | int, ...]
"""A key path inside a scenario: field names and list indices."""

Origins = dict[Path_, str]
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
    base: dict[str, Any], child: Mapping[str, Any], source: str, origins: Origins, prefix: Path_
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


def _record_origins(origins: Origins, path: Path_, value: Any, source: str) -> None:
    origins[path] = source
    if isinstance(value, list):
        for i in range(len(value)):
            origins[(*path, i)] = source


def _forget_origins(origins: Origins, path: Path_) -> None:
    n = len(path)
    for key in [k for k in origins if k[:n] == path]:
        del origins[key]


def _sources_under(path: Path_, origins: Origins, default: str) -> list[str]:
    """Every source that set ``path``, its enclosing table or a key below it, in order."""
    sources = [_origin_of(path, origins, default)]
    n = len(path)
    for key, source in origins.items():
        if len(key) > n and key[:n] == path and source not in sources:
            sources.append(source)
    return sources


def _origin_of(path: Path_, origins: Origins, default: str) -> str:
    """The source that set ``path`` or its nearest enclosing table."""
    for n in range(len(path), 0, -1):
        if path[:n] in origins:
            return origins[path[:n]]
    return default


# ---------------------------------------------------------------------------------------------
# The shape of ScenarioConfig, read from the pydantic models
# ---------------------------------------------------------------------------------------------

Kind = tuple[str, Any]
"""("model", cls) | ("list", item_annotation) | ("union", {tag: cls}) | ("scalar", None)."""


def _kind(annotation: Any) -> Kind:
    """Classify a field annotation as a sub-table, a list, a tagged union or a scalar."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    if origin is list:
        args = get_args(annotation)
        return ("list", args[0] if args else Any)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if len(models) == 1 and len(members) == 1:
            return ("model", models[0])
        if models and len(models) == len(members):
            tags: dict[str, type[BaseModel]] = {}
            for m in models:
                ann = m.model_fields["type"].annotation if "type" in m.model_fields else None
                if get_origin(ann) is Literal:
                    tags.update({str(t): m for t in get_args(ann)})
            if tags:
                return ("union", tags)
    return ("scalar", None)


def _child_kind(kind: Kind, part: str | int, node: Any = None) -> Kind:
    """The kind found one step below ``kind`` at ``part`` (``node``: the data there, if known)."""
    if isinstance(part, int):
        if kind[0] != "list":
            return ("scalar", None)
        item = _kind(kind[1])
        if item[0] == "union" and isinstance(node, dict) and _tag(node) in item[1]:
            return ("model", item[1][node["type"]])
        return item
    if kind[0] == "model" and part in kind[1].model_fields:
        return _kind(kind[1].model_fields[part].annotation)
    return ("scalar", None)


def _tag(table: Mapping[str, Any]) -> str | None:
    """A lever table's ``type`` if it is a string (a table or array there is unhashable)."""
    tag = table.get("type")
    return tag if isinstance(tag, str) else None


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    keys = list(model.model_fields)
    if model is ScenarioConfig:
        keys += list(LOADER_KEYS)
    return keys


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
        raise ScenarioError(_problems(err, origins, display)) from None
    return _leave_out_levers_outside_period(config, display) if shortened else config


PERIOD_KEYS: tuple[Path_, ...] = (("run", "start"), ("run", "end"), ("run", "burn_in_days"))


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
        kind = _kind(field.annotation)
        if kind[0] == "model" and name not in data:
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                # Write missing tables out too, so overrides can reach every default value.
                data[name] = value = default.model_dump(mode="python")
        if kind[0] == "model" and isinstance(value, dict):
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                merged = default.model_dump(mode="python")
                _merge_into(merged, value, "", {}, ())
                data[name] = value = merged
            _fill_defaults(kind[1], value)
        elif kind[0] == "list" and isinstance(value, list):
            item = _kind(kind[1])
            for entry in value:
                if not isinstance(entry, dict):
                    continue
                if item[0] == "union" and _tag(entry) in item[1]:
                    _fill_defaults(item[1][entry["type"]], entry)
                elif item[0] == "model":
                    _fill_defaults(item[1], entry)


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


def _parse_key(key: str, source: str) -> Path_:
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


def _set_path(data: dict[str, Any], path: Path_, value: Any, source: str) -> None:
    """Set ``value`` at ``path`` after checking every step against the scenario's shape."""
    node: Any = data
    kind: Kind = ("model", ScenarioConfig)
    for i, part in enumerate(path):
        last = i == len(path) - 1
        here = _render_path(path[: i + 1])
        if isinstance(part, str):
            if isinstance(node, list):
                parent = _render_path(path[:i])
                raise ScenarioError.single(
                    source,
                    here,
                    f"{parent} is an array: use an index",
                    allowed=f"{parent}.0, {parent}.1, ...",
                )
            if not isinstance(node, dict):
                raise ScenarioError.single(
                    source, here, f"{_render_path(path[:i])} is not a table", given=show_value(node)
                )
            if kind[0] == "model" and part not in kind[1].model_fields:
                allowed = list(kind[1].model_fields)
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
                        _render_path(path[: i + 2]),
                        "index out of range",
                        allowed=f"none: {here} is not set",
                    )
                child = node[part] = {}
        else:
            if not isinstance(node, list):
                raise ScenarioError.single(
                    source,
                    here,
                    f"{_render_path(path[:i])} is not an array",
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
        kind = _child_kind(kind, part, child)
        node = child


def _assign(node: Any, key: str | int, value: Any) -> None:
    """Set a value; a table merges into an existing table, as in ``extends``."""
    value = copy.deepcopy(value)
    current = node[key] if isinstance(node, list) else node.get(key)
    if isinstance(value, dict) and isinstance(current, dict):
        _merge_into(current, value, "", {}, ())
    else:
        node[key] = value


def _problems(err: ValidationError, origins: Origins, display: str) -> list[Problem]:
    """Turn pydantic's errors into one Problem each, with key paths a user can find."""
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        path, parent_model, field_name = _walk_loc(e["loc"])
        key = _render_path(path) or None
        value = e.get("input")
        etype = e["type"]
        ctx = e.get("ctx") or {}
        allowed = given = suggestion = None
        message = e["msg"]

        if etype == "extra_forbidden":
            message = "unknown key"
            if parent_model is not None:
                keys = _allowed_keys(parent_model)
                allowed = ", ".join(keys)
                suggestion = nearest_name(str(path[-1]), keys)
            given = show_value(value)
        elif etype in ("union_tag_invalid", "union_tag_not_found"):
            key = _render_path((*path, "type"))
            allowed = ", ".join(LEVER_TYPES)
            if etype == "union_tag_invalid":
                tag = value.get("type") if isinstance(value, dict) else ctx.get("tag")
                message = "unknown lever type"
                given = show_value(tag)
                suggestion = nearest_name(tag, list(LEVER_TYPES)) if isinstance(tag, str) else None
            else:
                message = "missing lever `type`: every lever table needs one"
        elif etype in _BOUND_OPS:
            op, bound = _BOUND_OPS[etype], ctx.get(_BOUND_CTX[etype])
            if isinstance(value, float) and math.isnan(value):
                message = "must be a number, not nan"
            else:
                message = f"must be {op} {_num(bound)}"
            allowed = _range_text(parent_model, field_name) or f"{op} {_num(bound)}"
            given = show_value(value)
        elif etype in _TYPE_MESSAGES:
            message = _TYPE_MESSAGES[etype]
            if etype == "model_type" and ctx.get("class_name"):
                message = "must be a table"
            given = show_value(value, with_type=True)
            if isinstance(value, str) and _unquoted_would_fit(etype, value):
                message += " (write it without quotes)"
        elif etype == "missing":
            message = "required key missing"
        elif etype in ("too_short", "too_long"):
            want = ctx.get("min_length") if etype == "too_short" else ctx.get("max_length")
            message = f"must have {'at least' if etype == 'too_short' else 'at most'} {want} items"
            given = f"{ctx.get('actual_length')} items"
        elif etype == "string_too_long":
            message = f"must be at most {ctx.get('max_length')} characters"
            given = f"{len(value)} characters" if isinstance(value, str) else None
        elif etype == "value_error":
            message = str(ctx.get("error", message))
            if not path:
                # Model-level checks of ScenarioConfig report on the whole scenario; point at
                # the lever they name when they name one.
                m = re.match(r"^levers\[(\d+)\] (?:\((\w+)\) )?", message)
                if m:
                    path = ("levers", int(m.group(1)))
                    key = _render_path((*path, "start"))
                    subject = f"the {m.group(2)} lever " if m.group(2) else "the lever "
                    message = subject + message[m.end() :]
        if etype == "value_error":
            # A check across keys (end before start, shares summing to 1) may involve keys
            # set in several files or overrides: name them all.
            file = " + ".join(_sources_under(path, origins, display))
        else:
            file = _origin_of(path, origins, display)
        problems.append(
            Problem(
                file=file,
                key=key,
                message=message,
                allowed=allowed,
                given=given,
                suggestion=suggestion,
            )
        )
    return problems


_BOUND_OPS = {
    "less_than_equal": "<=",
    "less_than": "<",
    "greater_than_equal": ">=",
    "greater_than": ">",
}
_BOUND_CTX = {"less_than_equal": "le", "less_than": "lt", "greater_than_equal": "ge",
              "greater_than": "gt"}  # fmt: skip

_TYPE_MESSAGES = {
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "date_type": "must be a date (YYYY-MM-DD)",
    "list_type": "must be an array",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
    "finite_number": "must be a finite number",
}


def _walk_loc(loc: tuple[str | int, ...]) -> tuple[Path_, type[BaseModel] | None, str | None]:
    """Follow pydantic's ``loc`` through the models.

    Drops the tag element pydantic inserts for a discriminated union (``('levers', 0,
    'early_warning', 'x')`` -> ``('levers', 0, 'x')``) and returns the model owning the last
    field (for the list of valid keys) and that field's name.
    """
    kind: Kind = ("model", ScenarioConfig)
    path: list[str | int] = []
    parent: type[BaseModel] | None = None
    field_name: str | None = None
    for part in loc:
        if kind[0] == "union" and isinstance(part, str) and part in kind[1]:
            kind = ("model", kind[1][part])
            continue
        path.append(part)
        if isinstance(part, str):
            parent = kind[1] if kind[0] == "model" else None
            field_name = part
        else:
            parent, field_name = None, None
        kind = _child_kind(kind, part)
    return tuple(path), parent, field_name


def _unquoted_would_fit(etype: str, text: str) -> bool:
    """Whether a quoted string would have been valid without its quotes."""
    if etype not in ("float_type", "int_type", "date_type", "bool_type"):
        return False
    try:
        value = tomllib.loads("v = " + text.strip())["v"]
    except (tomllib.TOMLDecodeError, KeyError):
        return False
    wanted = {"float_type": (int, float), "int_type": int, "date_type": dt.date,
              "bool_type": bool}[etype]  # fmt: skip
    return isinstance(value, wanted) and not (etype != "bool_type" and isinstance(value, bool))


def _range_text(model: type[BaseModel] | None, field_name: str | None) -> str | None:
    """``"0 <= value <= 1"`` from a field's declared bounds, if it has any."""
    if model is None or field_name is None or field_name not in model.model_fields:
        return None
    low = high = None
    for meta in model.model_fields[field_name].metadata:
        for attr, op in (("ge", "<="), ("gt", "<")):
            if getattr(meta, attr, None) is not None:
                low = f"{_num(getattr(meta, attr))} {op} "
        for attr, op in (("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                high = f" {op} {_num(getattr(meta, attr))}"
    if low is None and high is None:
        return None
    return f"{low or ''}value{high or ''}"


def _num(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def nearest_name(word: str, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to a mistyped ``word`` (for "did you mean"), or None."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _render_path(path: Path_) -> str:
    """``("levers", 2, "start")`` -> ``levers[2].start``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TOML_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    dt.datetime: "date-time",
    dt.date: "date",
    dt.time: "time",
    dict: "table",
    list: "array",
}


def show_value(value: Any, with_type: bool = False, limit: int = 60) -> str:
    """A short TOML-like rendering of a given value for messages."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, int) and abs(value) >= 10**18:
        text = f"{str(value)[:6]}... ({len(str(abs(value)))} digits)"
    elif isinstance(value, dict):
        text = "a table {" + ", ".join(map(str, value)) + "}" if value else "an empty table"
    elif isinstance(value, list):  # TOML-like items, not Python reprs of dates and dicts
        text = "[" + ", ".join(show_value(v, limit=limit) for v in value[:limit]) + "]"
    elif value is None:
        text = "nothing"
    else:
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    if with_type:
        type_name = next((n for t, n in _TOML_TYPES.items() if isinstance(value, t)), None)
        if type_name and not isinstance(value, dict):
            text += f" ({type_name})"
    return text


# ---------------------------------------------------------------------------------------------
# Commented defaults (the parameter half of scenarios/baseline.toml)
# ---------------------------------------------------------------------------------------------

_RULE = "# " + "=" * 96
_WRAP = 98

# Descriptions for fields that params.py does not (yet) describe; the field's own description
# wins as soon as it has one.
_FALLBACK_DESCRIPTIONS = {
    "n_technicians_mean": "Mean technicians per gang at founding (Poisson).",
    "n_recruiters_mean": "Mean recruiters per gang at founding (Poisson).",
    "n_launderers_mean": "Mean money-laundering crew per gang at founding (Poisson).",
    "phone_cards_per_sale": "Phone cards in one set a seller sells or rents out.",
    "bank_cards_per_sale": "Bank cards in one set a seller sells or rents out.",
    "groups": "The resident groups, one table each.",
    "regions": "Population share per domestic region (normalised by the model).",
}

# Units that the name patterns below would get wrong or cannot guess.
_UNIT_BY_NAME = {
    "scale": "real people per resident agent",
    "population_national": "people",
    "share": "share of residents (0 to 1; the shares are normalised)",
    "portfolio_share": "share of operator effort (0 to 1; normalised)",
    "overseas_share": "share of gangs (0 to 1)",
    "age_band_shares": "share of the group per age band (0 to 1)",
    "effect_exponent": "dimensionless exponent",
    "price_elasticity": "dimensionless",
    "risk_premium_per_punishment": "dimensionless multiplier",
    "new_gang_abroad_per_risk": "dimensionless multiplier",
    "dissuade_engaged_factor": "dimensionless multiplier on p_dissuade",
    "contacts_per_phone_card": "contacts per card",
    "payments_per_mule_account": "payments per account",
    "n_payments": "payments per case",
    "n_members_min": "members",
    "n_banks": "banks (model units, not scaled)",
    "price_adjust_per_day": "largest relative price change per day",
    "p_move_abroad_per_risk": "probability per day per unit of perceived risk",
    "p_switch_type": "share of portfolio weight per day (0 to 1)",
    "p_abandon_per_day": "probability per day (0 to 1)",
    "boost_victimised": "share of the gap to 1 (0 to 1)",
    "boost_warned": "share of the gap to 1 (0 to 1)",
    "boost_app": "share of the gap to 1 (0 to 1)",
    "p_offer_per_day": "probability per day (0 to 1)",
}

_SOURCE_HINT = re.compile(
    r"assum|seed|\b(19|20)\d\d\b|Jan|Zhejiang|Shanghai|MPS|MIIT|PBoC|published|press|"
    r"\d+ ?%|~|about",
    re.IGNORECASE,
)


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
    comments = {
        name: _field_text(name, cls.model_fields[name], value) for name, value in keys.items()
    }
    # A table holding only sub-tables gets no header of its own (toml_text leaves it out).
    for line in toml_text(_nested(path, keys)).splitlines() if keys else []:
        name = line.partition(" = ")[0]
        if name not in keys:  # a table header or the rest of a multi-line array
            lines.append(line)
        elif first:
            lines.extend([*_comment(comments[name]), line])
        else:
            lines.append(f"{line}  # {_unit(name, keys[name])}")
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
                lines.extend(_comment(f"{name}: {_field_text(name, field, value)}"))
            else:
                block[0] += f"  # {_unit(name, value)}"
            lines.extend(block)
            continue
        if type(value) in seen:
            text = f"{name}: as {'.'.join(path)}.{_first_of(cls, type(value))} above."
        else:
            text = (
                field.description
                or _FALLBACK_DESCRIPTIONS.get(name)
                or _docstring_text(type(value))
            )
        lines.extend(_comment(text))
        _write_commented(lines, (*path, name), value, seen)


def _nested(path: tuple[str, ...], table: dict[str, Any]) -> dict[str, Any]:
    """``table`` placed at ``path`` in an otherwise empty document."""
    for key in reversed(path):
        table = {key: table}
    return table


def _first_of(cls: type[BaseModel], sub: type[BaseModel]) -> str:
    """Name of the first field of ``cls`` whose type is ``sub``."""
    for name, field in cls.model_fields.items():
        if _kind(field.annotation) == ("model", sub):
            return name
    return "?"


def _is_flat(model: BaseModel) -> bool:
    """A keyed table of scalars (one number per group, channel, ...), written inline."""
    return all(
        not isinstance(v, BaseModel | list | dict) for v in model.model_dump(mode="python").values()
    )


def _field_text(name: str, field: Any, value: Any = None) -> str:
    description = field.description or _FALLBACK_DESCRIPTIONS.get(name, "")
    text = description.strip()
    if text and not text.endswith("."):
        text += "."
    unit = _unit(name, value)
    if unit and unit.lower() not in description.lower():
        text += f" Unit: {unit}."
    # Dates are the study period, not estimates: they need no source note.
    if not _SOURCE_HINT.search(description) and not isinstance(value, dt.date):
        text += " Assumption."
    return text.strip()


def _unit(name: str, value: Any) -> str:
    """The unit of a parameter, from its name (the house naming rules) and value."""
    if name in _UNIT_BY_NAME:
        return _UNIT_BY_NAME[name]
    if isinstance(value, dt.date):
        return "ISO date"
    if isinstance(value, BaseModel):
        groups = type(value).__name__
        return {
            "GroupWeights": "one value per victim group",
            "ChannelWeights": "relative weight per contact channel (normalised)",
            "ChannelProbabilities": "probability per contact channel (0 to 1)",
            "RegionWeights": "relative weight per region (normalised)",
            "CountryWeights": "relative weight per host country",
        }.get(groups, "table")
    national = ", national (divided by run.scale in the model)" if "national" in name else ""
    if name.endswith("_yuan"):
        return "yuan"
    if (name.startswith("p_") and name.endswith("_per_day")) or name.endswith("_rate_per_day"):
        return "probability per day (0 to 1)"
    if name.startswith("p_"):
        return "probability (0 to 1)"
    if name.endswith("_per_sale"):
        return "cards per sale"
    if "_per_day" in name:
        return f"per day{national}"
    if name.endswith("_days") or "_days_" in name:
        return "days"
    if "_hours" in name:
        return "hours"
    if name.endswith("_mean"):
        return "mean count"
    if name.startswith("n_"):
        return f"count{national}"
    if "sigma" in name:
        return "dimensionless (log scale)"
    if "share" in name:
        return "share (0 to 1)"
    return "dimensionless"


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
