"""Argument types shared by every ``fraudsim`` subcommand.

Each function is an ``argparse`` ``type=``: it turns the text of one argument into a value or
raises ``argparse.ArgumentTypeError`` with a message saying what was expected, which argparse
reports as a usage error (exit code 2, no traceback).
"""

from __future__ import annotations

import argparse
import math


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
