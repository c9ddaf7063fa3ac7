"""Keys in a sweep file: dotted scenario keys in one spelling, and key paths for messages.

A parameter is named by the dotted key ``fraudsim run --set`` takes (``police.p_dissuade``,
``levers.0.intensity``; ``levers[0].intensity`` means the same). Messages name where in the
sweep file a key was given, quoting dotted keys as TOML does (``grid."levers.0.intensity"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["KEY", "flatten", "normalize_key", "sweep_key"]

KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.([A-Za-z_][A-Za-z0-9_-]*|\d+))*$")
"""A well-formed dotted key, once normalised (see :func:`normalize_key`)."""


def normalize_key(key: str) -> str:
    """A dotted scenario key in one spelling: ``levers[0].intensity`` -> ``levers.0.intensity``.

    Args:
        key: a dotted key as written.

    Returns:
        The key with list indices as dotted segments and spaces removed around dots.
    """
    key = re.sub(r"\[(\d+)\]", r".\1", key.strip())
    return ".".join(part.strip() for part in key.split("."))


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"run": {"scale": 5}}`` -> ``{"run.scale": 5}``.

    TOML reads an unquoted dotted key (``run.scale = 5``) as nested tables; quoting it
    (``"run.scale" = 5``) gives one key. Both mean the same scenario key here.
    """
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def sweep_key(*parts: str | int) -> str:
    """A key path in the sweep file, quoting dotted keys: ``grid."levers.0.intensity"[1]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
        out += f".{text}" if out else text
    return out
