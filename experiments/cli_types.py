"""Argument types and options shared by the ``fraudsim`` subcommands.

Each type is an ``argparse`` ``type=``: it turns the text of one argument into a value or
raises ``argparse.ArgumentTypeError`` with a message saying what was expected, which argparse
reports as a usage error (exit code 2, no traceback). The ``add_*`` functions add an option
that several subcommands share, so that it is spelled and explained the same everywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re

from simulation.errors import FraudsimError

type Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
"""What ``add_subparsers`` returns; each subcommand's function adds its parser to it."""


def non_negative_int(text: str) -> int:
    """An integer >= 0 (a seed, a count)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1 (a number of seeds, workers or trials)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def people_per_agent(text: str) -> float:
    """A positive, finite number of real people per resident agent (``run.scale``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of people per agent, got {text!r}"
        )
    return value


def assignment(text: str) -> str:
    """A ``KEY=VALUE`` override, checked for shape only (the scenario loader checks the rest)."""
    key, sep, _ = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. run.scale=5000), got {text!r}")
    return text


def iso_date(text: str) -> dt.date:
    """A calendar date written ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a calendar date YYYY-MM-DD, got {text!r}"
        ) from None


def safe_dir_name(name: str) -> str:
    """A scenario name made into one plain path component, for default output directories.

    A name is free text; as a directory it must not climb out (``../``) or be absolute, and it
    is cut to 120 UTF-8 bytes because file systems allow 255 and staging directories add a
    prefix and a suffix.
    """
    cleaned = re.sub(r"[^\w.-]+", "_", name).strip("._")
    cleaned = cleaned.encode("utf-8")[:120].decode("utf-8", errors="ignore").strip("._")
    return cleaned or "unnamed"


def overrides_with_shorthands(args: argparse.Namespace) -> list[str]:
    """The ``--set`` list plus whichever of ``--start/--end/--scale`` the command has.

    Raises:
        FraudsimError: a shorthand and ``--set`` give the same key (exit code 2).
    """
    overrides = list(getattr(args, "set", None) or [])
    explicit = {item.partition("=")[0].strip() for item in overrides}
    for key, flag in (("run.start", "start"), ("run.end", "end"), ("run.scale", "scale")):
        value = getattr(args, flag, None)
        if value is None:
            continue
        if key in explicit:
            raise FraudsimError(f"--{flag} and --set {key}=... both given; use one")
        rendered = value.isoformat() if isinstance(value, dt.date) else repr(float(value))
        overrides.append(f"{key}={rendered}")
    return overrides


def add_overrides(parser: argparse.ArgumentParser, set_help: str, *, period: bool = True) -> None:
    """Add ``--set KEY=VALUE`` (repeatable), ``--scale K``, ``--start`` and ``--end``.

    :func:`overrides_with_shorthands` turns them into one list of overrides.

    Args:
        parser: the subcommand's parser.
        set_help: what ``--set`` does for this subcommand.
        period: also add ``--start DATE`` and ``--end DATE``.
    """
    parser.add_argument(
        "--set", type=assignment, action="append", metavar="KEY=VALUE", help=set_help
    )
    parser.add_argument(
        "--scale",
        type=people_per_agent,
        metavar="K",
        help="real people per agent (--set run.scale)",
    )
    if period:
        parser.add_argument(
            "--start", type=iso_date, metavar="DATE", help="first reported day (--set run.start)"
        )
        parser.add_argument(
            "--end", type=iso_date, metavar="DATE", help="last reported day (--set run.end)"
        )


def add_workers(parser: argparse.ArgumentParser, *, scheduler: bool = False) -> None:
    """Add ``--workers N`` and, with ``scheduler``, ``--scheduler ADDRESS`` (one or the other).

    They choose the executor (:func:`experiments.executors.make_executor`).
    """
    where = parser.add_mutually_exclusive_group() if scheduler else parser
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="local worker processes (default: one per CPU; 1 runs serially in this process)",
    )
    if scheduler:
        where.add_argument(
            "--scheduler",
            metavar="ADDRESS",
            help="send the runs to a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786 "
            "(needs fraudsim[sweep] here and on the workers)",
        )


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """Add ``--quiet``: no progress bar (results and summaries are still printed)."""
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (the summary is still printed)"
    )
