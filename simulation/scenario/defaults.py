"""The commented defaults: every parameter at its default, with its meaning, unit and source.

This is the parameter half of ``scenarios/baseline.toml``, between the :data:`DEFAULTS_BEGIN`
and :data:`DEFAULTS_END` lines. The keys, values and table headers are
:func:`simulation.files.toml_text`'s; this module adds the comments, read from the fields'
declarations (:func:`simulation.params.param`). ``fraudsim defaults`` prints it and ``fraudsim
defaults --update scenarios/baseline.toml`` refreshes the file.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulation.errors import ScenarioError
from simulation.files import toml_text, write_atomic
from simulation.params import ASSUMPTION, ModelParams, source_of, unit_of
from simulation.validation import field_shape

_RULE = "# " + "=" * 96
_WRAP = 98  # comment lines end by column 98, as the rest of the file

DEFAULTS_BEGIN = (
    "# >>> generated parameters: refresh with fraudsim defaults --update scenarios/baseline.toml"
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

    Each section starts with a sentence on what it is; each parameter has a comment with the
    meaning, unit and source its field declares ("Assumption." for an assumption). This is the
    parameter half of ``scenarios/baseline.toml``, between the :data:`DEFAULTS_BEGIN` and
    :data:`DEFAULTS_END` lines; refresh it there with
    ``fraudsim defaults --update scenarios/baseline.toml`` when the defaults change (or print
    it with ``fraudsim defaults``).

    Returns:
        TOML text that loads to ``ModelParams()``.
    """
    params = ModelParams()
    lines: list[str] = []
    seen: set[type[BaseModel]] = set()
    for name in ModelParams.model_fields:
        section = getattr(params, name)
        lines.extend(["", _RULE])
        lines.extend(_comment(f"[{name}] {_docstring_text(type(section))}"))
        lines.append(_RULE)
        _write_commented(lines, (name,), section, seen)
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
