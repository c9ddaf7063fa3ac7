"""The columns of a tidy result frame: which say what, which add up, and in which unit.

A *tidy* frame is the shape :func:`analysis.sweeps.load_sweep` returns: one row per run and
date (and category, for the long tables), with the columns

- ``run_id``, ``scenario``, ``seed``: which run the row belongs to;
- one column per varied sweep parameter, named by its dotted key (``police.p_dissuade``);
- ``date``, then the category columns of a long table (``fraud_type``, ``channel``, or
  ``dimension`` and ``category``);
- the value columns of the column contract (:mod:`simulation.outputs`), in model units.

A *group* is one scenario at one setting of the varied parameters; its runs differ only in
their seed, so spreads over a group are spreads over seeds. Which value columns are flows
(summed over a period) and which are states (averaged over a period) comes from the contract's
documented order of the daily table: flows, then police effort, then states.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import pandas as pd

from simulation.errors import FraudsimError
from simulation.outputs import DAILY_COLUMNS, LONG_TABLES

__all__ = [
    "CATEGORY_COLUMNS",
    "DERIVED_COLUMNS",
    "ID_COLUMNS",
    "category_columns",
    "column_kind",
    "column_unit",
    "effort_columns",
    "group_columns",
    "leading_group_columns",
    "lever_of",
    "parameter_columns",
    "require_columns",
    "value_columns",
]

ID_COLUMNS: tuple[str, ...] = ("run_id", "scenario", "seed")
"""Columns that say which run a row belongs to."""

CATEGORY_COLUMNS: tuple[str, ...] = ("fraud_type", "channel", "dimension", "category")
"""Category key columns of the long tables (:data:`simulation.outputs.LONG_TABLES`)."""

DERIVED_COLUMNS: dict[str, str] = {
    "n_days": "days",
    "net_loss_yuan": "yuan",
    "effort_hours": "officer-hours",
    "case_rate_per_100k": "cases per 100,000 residents",
}
"""Columns :mod:`analysis.summaries` adds, with their units: ``n_days`` (reported days in a
month), ``net_loss_yuan`` (gross loss minus money recovered for victims, a flow),
``effort_hours`` (police effort summed over levers, a flow) and ``case_rate_per_100k`` (cases
per 100,000 residents over the row's period)."""

_EFFORT_PREFIX, _EFFORT_SUFFIX = "effort_", "_hours"

_CONTRACT: dict[str, str] = {c.name: c.unit for c in DAILY_COLUMNS.values()} | {
    c.name: c.unit for cols in LONG_TABLES.values() for c in cols
}


def _state_columns() -> frozenset[str]:
    # The contract documents the daily table's order as flows, police effort per lever, then
    # states: everything after the last effort column is a state (a level, not a flow).
    names = list(DAILY_COLUMNS)
    last_effort = max(
        i
        for i, n in enumerate(names)
        if n.startswith(_EFFORT_PREFIX) and n.endswith(_EFFORT_SUFFIX)
    )
    return frozenset(names[last_effort + 1 :])


_STATES = _state_columns()


def column_kind(name: str) -> Literal["flow", "state"]:
    """Whether a value column is a flow (an amount over the day) or a state (an end-of-day level).

    Flows add up over time (cases in a month are the sum of daily cases); states do not (the
    card price of a month is the mean of its daily prices).

    Args:
        name: a contract column name, or ``net_loss_yuan`` / ``case_rate_per_100k``.

    Returns:
        ``"flow"`` or ``"state"``.

    Raises:
        KeyError: if ``name`` is neither in the column contract nor a derived column.
    """
    if name in _STATES:
        return "state"
    if name in _CONTRACT or name in ("net_loss_yuan", "effort_hours"):
        return "flow"
    if name == "case_rate_per_100k":
        # A rate over the row's period is averaged, never summed, when periods are pooled.
        return "state"
    raise KeyError(f"{name!r} is not a column of the output contract (simulation.outputs)")


def column_unit(name: str) -> str:
    """Unit of a contract or derived column (``"count"``, ``"yuan"``, ``"share (0-1)"``...)."""
    if name in _CONTRACT:
        return _CONTRACT[name]
    return DERIVED_COLUMNS.get(name, "")


def _non_parameter(name: str) -> bool:
    return (
        name in ID_COLUMNS
        or name in _CONTRACT
        or name in CATEGORY_COLUMNS
        or name in DERIVED_COLUMNS
    )


def parameter_columns(frame: pd.DataFrame) -> list[str]:
    """The varied-parameter columns of a tidy frame (dotted keys such as ``police.p_dissuade``).

    Args:
        frame: a tidy result frame.

    Returns:
        Every column that is not a run id, a date, a category, a contract value or a derived
        column, in frame order.
    """
    return [str(c) for c in frame.columns if not _non_parameter(str(c))]


def value_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric value columns of a tidy frame: contract columns and derived ones.

    Args:
        frame: a tidy result frame.

    Returns:
        Contract and derived value columns present in ``frame``, in frame order (``date``,
        categories and ``n_days`` excluded).
    """
    skip = {"date", "n_days", *CATEGORY_COLUMNS}
    return [
        str(c)
        for c in frame.columns
        if (c in _CONTRACT or c in DERIVED_COLUMNS)
        and c not in skip
        and pd.api.types.is_numeric_dtype(frame[c])
    ]


def group_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that identify a group of runs differing only by seed: scenario and parameters."""
    return ["scenario", *parameter_columns(frame)]


def leading_group_columns(frame: pd.DataFrame) -> list[str]:
    """The group columns of a table this package derives: the columns before its first key.

    Derived tables (paired runs, effects, effort, displacement, bands) put the scenario and
    the varied parameters first and end them before ``seed``, ``date``, ``reference``,
    ``effect``, ``lever`` or a category column. Reading them by position keeps derived value
    columns from being mistaken for parameters.

    Args:
        frame: a derived table.

    Returns:
        The leading columns, ``scenario`` first.
    """
    stops = {"seed", "date", "reference", "effect", "lever", *CATEGORY_COLUMNS}
    columns = [str(c) for c in frame.columns]
    end = next((i for i, c in enumerate(columns) if c in stops), len(columns))
    return columns[:end]


def effort_columns(frame: pd.DataFrame) -> list[str]:
    """The police-effort columns per lever, ``effort_<lever>_hours`` (not their total)."""
    return [
        str(c)
        for c in frame.columns
        if str(c).startswith(_EFFORT_PREFIX)
        and str(c).endswith(_EFFORT_SUFFIX)
        and str(c) != "effort_hours"
    ]


def lever_of(effort_column: str) -> str:
    """The lever type of an effort column: ``effort_card_crackdown_hours`` -> ``card_crackdown``."""
    return effort_column[len(_EFFORT_PREFIX) : -len(_EFFORT_SUFFIX)]


def category_columns(frame: pd.DataFrame) -> list[str]:
    """The category key columns present in ``frame`` (none in the daily table)."""
    return [c for c in CATEGORY_COLUMNS if c in frame.columns]


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Refuse a frame that lacks columns of the tidy contract.

    Args:
        frame: the frame given.
        columns: the columns it needs.
        what: the function that needs them, for the message.

    Raises:
        FraudsimError: naming the missing columns and the columns the frame has.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FraudsimError(
            f"The {what} frame must have the columns {missing} of the tidy sweep contract "
            "(run_id, scenario, seed, parameters, date, values). "
            f"Got {list(frame.columns)} instead."
        )
