"""Progress bars on stderr that suit both a terminal and a log file."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

#: Seconds between redraws when stderr is not a terminal (a log file, CI, a pipe): every
#: redraw there is another line of text, so a bar that a terminal redraws ten times a second
#: would fill a log with thousands.
LOG_INTERVAL_S = 10.0


def progress_bar(*, enabled: bool, **kwargs: Any) -> tqdm:
    """A ``tqdm`` bar on stderr; redrawn at most every :data:`LOG_INTERVAL_S` off a terminal.

    Args:
        enabled: False gives a bar that prints nothing (``--quiet``).
        **kwargs: passed to ``tqdm`` (``total``, ``desc``, ``unit``, ``initial``...).
    """
    interactive = sys.stderr.isatty()
    return tqdm(
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=interactive,
        mininterval=0.1 if interactive else LOG_INTERVAL_S,
        **kwargs,
    )
