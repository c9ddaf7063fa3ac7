"""Deep merge of scenario tables, and the record of which file or override set each key.

A scenario is merged from its ``extends`` chain, then changed by overrides. :data:`Origins`
remembers, for each key path set along the way, the source that set it, so that a message about
a key names the file (or ``--set``) the user has to edit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from simulation.validation import KeyPath

Origins = dict[KeyPath, str]
"""For each key path set by a file or override, the source that set it (for messages)."""


def merge_into(
    base: dict[str, Any], child: Mapping[str, Any], source: str, origins: Origins, prefix: KeyPath
) -> None:
    """Deep-merge ``child`` into ``base``: tables merge, anything else replaces."""
    for key, value in child.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge_into(base[key], value, source, origins, path)
        else:
            base[key] = copy.deepcopy(value)
            forget_origins(origins, path)
            record_origins(origins, path, value, source)


def record_origins(origins: Origins, path: KeyPath, value: Any, source: str) -> None:
    """Note that ``source`` set ``path`` (and each item, if ``value`` is an array)."""
    origins[path] = source
    if isinstance(value, list):
        for i in range(len(value)):
            origins[(*path, i)] = source


def forget_origins(origins: Origins, path: KeyPath) -> None:
    """Drop what is known of ``path`` and the keys below it (they are about to be replaced)."""
    n = len(path)
    for key in [k for k in origins if k[:n] == path]:
        del origins[key]
