"""From pydantic's validation errors to :class:`simulation.errors.Problem` records users can act on.

Every file fraudsim reads (scenarios, sweeps, targets, calibration specs) is validated by a
pydantic model, and every refusal is reported the same way, by :func:`problems_from_validation`:
the file, the key path as the user wrote it (``levers[2].start``, ``grid."police.p_dissuade"``),
what is wrong in plain words, what is allowed (valid keys, a declared range, the tags of a
tagged union), what was given, and the nearest valid name for a typo.

Everything is read from the models themselves: field names, bounds (``ge``, ``le``, ...), the
tags of a discriminated union, ``Literal`` choices, and an optional ``allowed`` hint a field
may declare in ``json_schema_extra`` for what it accepts. A model may also declare, as the
class variable ``loader_keys``, keys its files may hold that a loader consumes before
validation (a scenario's ``extends``): they count as valid names in "unknown key" messages.

A model-level check (``model_validator``) reports on its whole table; if its message starts
with a key path of that table and a colon (``"levers[0].start: the lever starts ..."``), the
problem is placed at that key instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import tomllib
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from simulation.errors import Problem, ScenarioError

__all__ = [
    "KeyPath",
    "Shape",
    "child_shape",
    "field_shape",
    "nearest_name",
    "parse_key",
    "problems_from_validation",
    "render_key",
    "shape_of",
    "show_value",
]

KeyPath = tuple[str | int, ...]
"""A key path inside a document: table keys and array indices."""


# ---------------------------------------------------------------------------------------------
# The shape of a model, read from its annotations
# ---------------------------------------------------------------------------------------------


class Shape(NamedTuple):
    """What a validated document holds at one place.

    Attributes:
        kind: ``"model"`` (a table validated by a model), ``"list"``, ``"dict"`` (a table of
            arbitrary keys), ``"union"`` (a table whose model a tag chooses) or ``"value"``.
        of: the model class; the item annotation of a list or dict; ``{tag: model}`` of a
            union; the annotation of a value.
        tag_key: the key holding a union's tag (its discriminator).
        constraints: bounds and hints declared for this place (pydantic metadata).
    """

    kind: Literal["model", "list", "dict", "union", "value"]
    of: Any
    tag_key: str | None = None
    constraints: tuple[Any, ...] = ()


def shape_of(annotation: Any, constraints: tuple[Any, ...] = ()) -> Shape:
    """Classify an annotation: a sub-table, a list, a table of keys, a tagged union or a value.

    Args:
        annotation: a field or item annotation.
        constraints: metadata already known for this place (a field's constraints).

    Returns:
        The shape, with the ``Annotated`` metadata added to ``constraints``.
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *meta = get_args(annotation)
        return shape_of(inner, (*constraints, *meta))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape("model", annotation, None, constraints)
    if origin is list:
        args = get_args(annotation)
        return Shape("list", args[0] if args else Any, None, constraints)
    if origin is dict:
        args = get_args(annotation)
        return Shape("dict", args[1] if len(args) == 2 else Any, None, constraints)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return shape_of(members[0], constraints)
        tag_key = next(
            (
                m.discriminator
                for m in constraints
                if isinstance(getattr(m, "discriminator", None), str)
            ),
            None,
        )
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if tag_key and len(models) == len(members):
            tags: dict[str, type[BaseModel]] = {}
            for model in models:
                field = model.model_fields.get(tag_key)
                if field is not None and get_origin(field.annotation) is Literal:
                    tags.update({str(t): model for t in get_args(field.annotation)})
            return Shape("union", tags, tag_key, constraints)
    return Shape("value", annotation, None, constraints)


def field_shape(model: type[BaseModel], name: str) -> Shape:
    """The shape of one field of ``model``, with its declared constraints."""
    field = model.model_fields[name]
    return shape_of(field.annotation, (*field.metadata, field))


def child_shape(shape: Shape, part: str | int, node: Any = None) -> Shape:
    """The shape one step below ``shape`` at key or index ``part``.

    Args:
        shape: the shape of the enclosing place.
        part: a table key or an array index.
        node: the data at ``part``, if known: it picks the model of a tagged union's item.

    Returns:
        The shape there; a ``"value"`` of ``Any`` where the model says nothing.
    """
    if isinstance(part, int):
        if shape.kind != "list":
            return Shape("value", Any)
        item = shape_of(shape.of)
        if item.kind == "union" and isinstance(node, Mapping):
            tag = node.get(item.tag_key)
            if isinstance(tag, str) and tag in item.of:
                return Shape("model", item.of[tag])
        return item
    if shape.kind == "model" and part in shape.of.model_fields:
        return field_shape(shape.of, part)
    if shape.kind == "dict":
        return shape_of(shape.of)
    return Shape("value", Any)


def _walk(loc: Sequence[str | int], root: type[BaseModel]) -> tuple[KeyPath, Shape, Shape]:
    """Follow pydantic's ``loc`` through the models.

    Drops the tag pydantic inserts after a union's item (``('levers', 0, 'early_warning',
    'x')`` -> ``('levers', 0, 'x')``) and returns the key path, the shape of the place that
    holds the last key, and the shape at the last key.
    """
    shape = parent = Shape("model", root)
    path: list[str | int] = []
    for part in loc:
        if shape.kind == "union" and isinstance(part, str) and part in shape.of:
            shape = Shape("model", shape.of[part])
            continue
        path.append(part)
        parent, shape = shape, child_shape(shape, part)
    return tuple(path), parent, shape


# ---------------------------------------------------------------------------------------------
# The mapping
# ---------------------------------------------------------------------------------------------

_BOUNDS = {
    "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
}

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

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY_FIRST = re.compile(rf"^(?P<key>{_NAME}(?:\[\d+\]|\.{_NAME})*): (?P<rest>.+)$", re.S)


def problems_from_validation(
    err: ValidationError,
    model: type[BaseModel],
    display: str,
    origins: Mapping[KeyPath, str] | None = None,
) -> list[Problem]:
    """One :class:`Problem` per error pydantic found validating a document with ``model``.

    Args:
        err: the error ``model.model_validate`` raised.
        model: the model the whole document was validated with.
        display: the document's name in messages (a file name).
        origins: for documents merged from several files and overrides, the source that set
            each key path; a problem is attributed to the source of its key (or of the nearest
            enclosing table), and a failed check across keys to every source involved.

    Returns:
        The problems, in pydantic's order.
    """
    sources = dict(origins or {})
    return [_problem(e, model, display, sources) for e in err.errors(include_url=False)]


def _problem(
    e: Mapping[str, Any], model: type[BaseModel], display: str, origins: Mapping[KeyPath, str]
) -> Problem:
    path, parent, place = _walk(e["loc"], model)
    key = render_key(path) or None
    value = e.get("input")
    etype = e["type"]
    ctx = e.get("ctx") or {}
    allowed = given = suggestion = None
    message = e["msg"]
    checked = path  # the table a failed check across keys is about

    if etype == "extra_forbidden":
        message, given = "unknown key", show_value(value)
        if parent.kind == "model":
            keys = [*parent.of.model_fields, *getattr(parent.of, "loader_keys", ())]
            allowed, suggestion = ", ".join(keys), nearest_name(str(path[-1]), keys)
    elif etype in ("union_tag_invalid", "union_tag_not_found") and place.kind == "union":
        tag_key, noun = place.tag_key or "type", _noun(list(place.of.values()))
        key = render_key((*path, tag_key))
        allowed = ", ".join(place.of)
        if etype == "union_tag_invalid":
            tag = value.get(tag_key) if isinstance(value, Mapping) else ctx.get("tag")
            message, given = f"unknown {noun} {tag_key}", show_value(tag)
            suggestion = nearest_name(tag, list(place.of)) if isinstance(tag, str) else None
        else:
            message = f"missing {noun} `{tag_key}`: every {noun} table needs one"
    elif etype == "literal_error":
        choices = [str(c) for c in get_args(place.of)] if place.kind == "value" else []
        name = path[-1] if path and isinstance(path[-1], str) else "value"
        message, given = f"unknown {name.replace('_', ' ')}", show_value(value)
        allowed = ", ".join(choices) or ctx.get("expected")
        suggestion = nearest_name(value, choices) if isinstance(value, str) else None
    elif etype in _BOUNDS:
        op, attr = _BOUNDS[etype]
        bound = _num(ctx.get(attr))
        nan = isinstance(value, float) and math.isnan(value)
        message = "must be a number, not nan" if nan else f"must be {op} {bound}"
        allowed, given = _range_text(place.constraints) or f"{op} {bound}", show_value(value)
    elif etype in _TYPE_MESSAGES:
        message = _TYPE_MESSAGES[etype]
        allowed, given = _hint(place.constraints), show_value(value, with_type=True)
        if isinstance(value, str) and _unquoted_would_fit(etype, value):
            message += " (write it without quotes)"
    elif etype == "missing":
        message, allowed = "required key missing", _hint(place.constraints)
    elif etype == "string_too_short":
        want = ctx.get("min_length")
        message = "must not be empty" if want == 1 else f"must be at least {want} characters"
    elif etype == "too_short" and ctx.get("actual_length") == 0 and ctx.get("min_length") == 1:
        message = "must not be empty"
    elif etype in ("too_short", "too_long"):
        want = ctx.get("min_length") if etype == "too_short" else ctx.get("max_length")
        message = f"must have {'at least' if etype == 'too_short' else 'at most'} {want} items"
        allowed = _hint(place.constraints)
        given = f"{show_value(value)} ({ctx.get('actual_length')} items)"
    elif etype == "string_too_long":
        message = f"must be at most {ctx.get('max_length')} characters"
        given = f"{len(value)} characters" if isinstance(value, str) else None
    elif etype == "value_error":
        message = str(ctx.get("error", message))
        given = None if isinstance(value, Mapping) else show_value(value, with_type=True)
        found = _KEY_FIRST.match(message)
        inner = parse_key(found["key"], display) if found else ()
        if inner and place.kind == "model" and inner[0] in place.of.model_fields:
            # A check of the whole table that names the key it is about: report it there.
            checked, path = path + inner[:-1], path + inner
            key, message = render_key(path), found["rest"]
    if etype == "value_error":
        # A check across keys (end before start, shares summing to 1) may involve keys set
        # in several files or overrides: name them all.
        file = " + ".join(_sources_under(checked, origins, display))
    else:
        file = _origin_of(path, origins, display)
    return Problem(file, key, message, allowed, given, suggestion)


def _noun(models: list[type[BaseModel]]) -> str:
    """What the members of a union are, from their nearest common base (``Lever`` -> lever)."""
    for base in models[0].__mro__[1:]:
        if base not in (BaseModel, object) and all(issubclass(m, base) for m in models):
            return re.sub(r"(?<!^)(?=[A-Z])", " ", base.__name__).lower()
    return "table"


def _constraint_values(constraints: Sequence[Any]) -> list[Any]:
    """Every constraint object, looking inside the ``Field(...)`` of an ``Annotated`` type."""
    out: list[Any] = []
    for item in constraints:
        out.append(item)
        if isinstance(item, FieldInfo):
            out.extend(_constraint_values(item.metadata))
    return out


def _range_text(constraints: Sequence[Any]) -> str | None:
    """``"0 <= value <= 1"`` from the bounds declared for a place, if it has any."""
    low = high = None
    for meta in _constraint_values(constraints):
        for attr, op in (("ge", "<="), ("gt", "<")):
            if getattr(meta, attr, None) is not None:
                low = f"{_num(getattr(meta, attr))} {op} "
        for attr, op in (("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                high = f" {op} {_num(getattr(meta, attr))}"
    if low is None and high is None:
        return None
    return f"{low or ''}value{high or ''}"


def _hint(constraints: Sequence[Any]) -> str | None:
    """The ``allowed`` text a field declares in ``json_schema_extra``, if any."""
    for meta in _constraint_values(constraints):
        extra = getattr(meta, "json_schema_extra", None)
        if isinstance(extra, Mapping) and isinstance(extra.get("allowed"), str):
            return extra["allowed"]
    return None


def _unquoted_would_fit(etype: str, text: str) -> bool:
    """Whether a quoted string would have been valid without its quotes."""
    if etype not in ("float_type", "int_type", "date_type", "bool_type"):
        return False
    try:
        value = tomllib.loads("v = " + text.strip())["v"]
    except (tomllib.TOMLDecodeError, KeyError, RecursionError):
        return False
    wanted = {"float_type": (int, float), "int_type": int, "date_type": dt.date,
              "bool_type": bool}[etype]  # fmt: skip
    return isinstance(value, wanted) and not (etype != "bool_type" and isinstance(value, bool))


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _origin_of(path: KeyPath, origins: Mapping[KeyPath, str], default: str) -> str:
    """The source that set ``path`` or its nearest enclosing table."""
    for n in range(len(path), 0, -1):
        if path[:n] in origins:
            return origins[path[:n]]
    return default


def _sources_under(path: KeyPath, origins: Mapping[KeyPath, str], default: str) -> list[str]:
    """Every source that set ``path``, its enclosing table or a key below it, in order."""
    sources = [_origin_of(path, origins, default)]
    n = len(path)
    for key, source in origins.items():
        if len(key) > n and key[:n] == path and source not in sources:
            sources.append(source)
    return sources


# ---------------------------------------------------------------------------------------------
# Words for messages
# ---------------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

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


_SEGMENT = re.compile(rf"^(?P<name>{_NAME})?(?P<idx>(?:\[\d+\])*)$")


def parse_key(key: str, source: str) -> KeyPath:
    """A dotted key as a path: ``levers[0].start`` -> ``("levers", 0, "start")``.

    ``levers.0.start`` is the same key; a segment may hold several indices (``a[0][1]``).

    Args:
        key: the key as written (``--set`` keys, sweep keys, keys named in messages).
        source: where the key was written, for the message.

    Raises:
        ScenarioError: the key is malformed (an empty segment, a character a key cannot hold).
    """
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


def render_key(path: Sequence[str | int]) -> str:
    """A key path as a user writes it: ``levers[2].start``, ``grid."police.p_dissuade"[0]``.

    Keys that are not bare TOML keys (a dotted scenario key used as one key) are quoted.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if _BARE_KEY.match(part) else json.dumps(part, ensure_ascii=False)
        out += f".{text}" if out else text
    return out


def nearest_name(word: str, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to a mistyped ``word`` (for "did you mean"), or None."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def show_value(value: Any, with_type: bool = False, limit: int = 60) -> str:
    """A short TOML-like rendering of a given value for messages.

    Args:
        value: the value found.
        with_type: add its TOML type (``"0.5" (string)``), for type errors.
        limit: longest rendering, in characters; longer ones end in ``...``.
    """
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
