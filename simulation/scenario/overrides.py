"""Overrides: ``KEY=VALUE`` strings or dotted keys, applied to a scenario's data.

A key is a dotted path such as ``police.p_dissuade``, ``run.start`` or ``levers.0.intensity``
(``levers[0]`` also works). Each step is checked against the shape of
:class:`simulation.config.ScenarioConfig` before anything is set, so a typo is refused with the
valid names and the nearest one; a table value merges into the table it replaces, as
``extends`` does. ``VALUE`` in ``KEY=VALUE`` is read as a TOML value, or kept as a plain string
if it is not one.
"""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from simulation.config import ScenarioConfig
from simulation.errors import Problem, ScenarioError
from simulation.files import parse_toml
from simulation.scenario.merge import Origins, forget_origins, merge_into
from simulation.validation import (
    KeyPath,
    Shape,
    child_shape,
    nearest_name,
    parse_key,
    render_key,
    show_value,
)

SET_SOURCE = "--set"
"""Source name used in messages about ``KEY=VALUE`` overrides."""

MAPPING_SOURCE = "overrides"
"""Source name used in messages about overrides passed as a mapping."""


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
            path = parse_key(key_text, source)
            set_path(data, path, value, source)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        forget_origins(origins, path)
        origins[path] = source
    if problems:
        raise ScenarioError(problems)
    return data


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


def set_path(data: dict[str, Any], path: KeyPath, value: Any, source: str) -> None:
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
        merge_into(current, value, "", {}, ())
    else:
        node[key] = value
