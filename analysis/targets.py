"""Calibration targets: load the targets file and compare model runs with it.

A targets file (``scenarios/targets/mps_2021_06.toml``; its header comment is the format's
reference) lists published figures as ``[[targets]]`` tables, each with the daily columns it
maps to, the period it reads, a statistic (``sum``, ``mean``, ``last`` or ``change``) and a
tolerance, plus ``[[omitted]]`` tables for figures the model cannot speak to.

:func:`load_targets` reads and validates such a file (strict types, no unknown keys, every
column in the daily column contract of :mod:`simulation.outputs`); every refusal is a
:class:`simulation.errors.ScenarioError` whose problems name the file, the key path
(``targets[3].columns[0]``), what is allowed, what was given and the nearest valid name.

:func:`evaluate` computes each target's statistic on the daily table of every seed, in national
equivalents (:func:`simulation.outputs.to_national`; a ``change`` is a ratio and is not
scaled), and summarises them over seeds: median, 10th and 90th percentiles, the error of the
median and whether it lies within the tolerance.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.errors import FraudsimError, Problem, ScenarioError
from simulation.files import read_toml
from simulation.outputs import DAILY_COLUMNS, column_scales
from simulation.validation import nearest_name, problems_from_validation

__all__ = [
    "DEFAULT_TARGETS",
    "STATISTICS",
    "TABLE_COLUMNS",
    "Omitted",
    "Target",
    "TargetSet",
    "covers",
    "evaluate",
    "load_targets",
    "per_seed_values",
    "summarise",
    "target_value",
]

DEFAULT_TARGETS = Path(__file__).resolve().parents[1] / "scenarios" / "targets" / "mps_2021_06.toml"
"""The published figures of the MPS press conference of 17 June 2021 (the issue 3 targets)."""

STATISTICS = ("sum", "mean", "last", "change")
"""The statistics a target may use (see :func:`target_value`)."""

TABLE_COLUMNS = (
    "key",
    "quantity",
    "statistic",
    "published",
    "median",
    "p10",
    "p90",
    "error",
    "tolerance",
    "within_tolerance",
    "required",
    "note",
)
"""Columns of the table :func:`evaluate` returns, in order."""

_VALUE_COLUMNS = tuple(name for name in DAILY_COLUMNS if name != "date")

Finite = Annotated[float, Field(allow_inf_nan=False)]
Period = Annotated[list[dt.date], Field(min_length=2, max_length=2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Target(_Strict):
    """One published figure and how the model's daily table maps onto it.

    Attributes:
        key: short identifier used in tables and plots (lower case, digits, underscores).
        quantity: what the source says, in its words.
        published: the published value (national; a ratio minus one for ``change``).
        period: first and last model day the statistic reads, inclusive.
        columns: daily columns summed row by row before the statistic.
        statistic: ``sum`` (total over the period), ``mean`` (per day), ``last`` (value on
            the period's last day) or ``change`` (sum over ``period`` against the sum over
            ``reference``, minus one; unscaled).
        reference: the comparison period of a ``change`` (and only of one).
        tolerance: accepted error: ``|median / published - 1|`` (for ``change``,
            ``|median - published|``); 0 means the target is reported, not judged.
        required: whether issue 3 requires the target within tolerance.
        note: how the model quantity is defined, where it is not obvious.
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    quantity: str = Field(min_length=1, max_length=500)
    published: Finite
    period: Period
    columns: Annotated[list[str], Field(min_length=1, max_length=50)]
    statistic: Literal["sum", "mean", "last", "change"]
    reference: Period | None = None
    tolerance: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    required: bool
    note: str = Field("", max_length=5000)

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.period[0] > self.period[1]:
            raise ValueError("period: the first day is after the last day")
        if self.statistic == "change":
            if self.reference is None:
                raise ValueError("a `change` target needs a `reference` period")
            if self.reference[0] > self.reference[1]:
                raise ValueError("reference: the first day is after the last day")
        else:
            if self.reference is not None:
                raise ValueError("only a `change` target has a `reference` period")
            if self.published <= 0:
                raise ValueError(
                    f"published must be > 0 for a `{self.statistic}` target (errors are ratios)"
                )
        return self

    @property
    def first_day(self) -> dt.date:
        """The earliest model day the target reads (``reference`` included)."""
        return min(self.period[0], *(self.reference or [self.period[0]]))

    @property
    def last_day(self) -> dt.date:
        """The latest model day the target reads (``reference`` included)."""
        return max(self.period[1], *(self.reference or [self.period[1]]))


class Omitted(_Strict):
    """A published figure the model does not speak to, with the reason.

    Attributes:
        quantity: the figure, in the source's words.
        reason: why the model cannot be compared with it.
    """

    quantity: str = Field(min_length=1, max_length=2000)
    reason: str = Field(min_length=1, max_length=5000)


class TargetSet(_Strict):
    """The content of a targets file.

    Attributes:
        targets: the targets, in file order (keys are unique).
        omitted: figures left out, with reasons.
    """

    targets: Annotated[list[Target], Field(min_length=1, max_length=1000)]
    omitted: list[Omitted] = Field(default_factory=list, max_length=1000)

    def by_key(self) -> dict[str, Target]:
        """The targets by key, in file order."""
        return {t.key: t for t in self.targets}

    def select(self, keys: Iterable[str]) -> TargetSet:
        """A target set with only the named targets, in the order given.

        Args:
            keys: target keys.

        Returns:
            A new set (``omitted`` kept).

        Raises:
            FraudsimError: if a key is not a target, naming the nearest one.
        """
        known = self.by_key()
        chosen = []
        for key in keys:
            if key not in known:
                near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                raise FraudsimError(f"no target {key!r}{hint}; targets: {', '.join(known)}")
            chosen.append(known[key])
        return TargetSet(targets=chosen, omitted=list(self.omitted))


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_targets(path: str | os.PathLike[str] | None = None) -> TargetSet:
    """Read and validate a targets file.

    Args:
        path: the TOML file; ``None`` reads :data:`DEFAULT_TARGETS`.

    Returns:
        The validated targets.

    Raises:
        ScenarioError: the file cannot be read or parsed, has unknown or missing keys, wrong
            types, a column outside the daily column contract, a duplicate key, or an
            inconsistent period. One problem per thing wrong, each naming file and key.
    """
    file = Path(DEFAULT_TARGETS if path is None else path)
    display = os.fspath(file)
    raw = _read_toml(file, display)
    problems: list[Problem] = []
    try:
        targets = TargetSet.model_validate(raw)
    except ValidationError as err:
        targets = None
        problems.extend(problems_from_validation(err, TargetSet, display))
    problems.extend(_column_problems(raw, display))
    problems.extend(_duplicate_problems(raw, display))
    if problems or targets is None:
        raise ScenarioError(_unique(problems))
    return targets


def _read_toml(file: Path, display: str) -> dict[str, Any]:
    raw = read_toml(file, what="targets file")
    if not raw:
        raise ScenarioError.single(
            display, None, "targets file is empty: it needs [[targets]] tables"
        )
    return raw


def _column_problems(raw: Mapping[str, Any], display: str) -> list[Problem]:
    """Columns outside the daily contract, with the nearest contract column."""
    problems = []
    entries = raw.get("targets")
    if not isinstance(entries, list):
        return problems
    for i, entry in enumerate(entries):
        columns = entry.get("columns") if isinstance(entry, dict) else None
        if not isinstance(columns, list):
            continue
        for j, column in enumerate(columns):
            if not isinstance(column, str) or column in _VALUE_COLUMNS:
                continue
            problems.append(
                Problem(
                    display,
                    f"targets[{i}].columns[{j}]",
                    "not a column of the daily table (simulation.outputs.DAILY_COLUMNS)",
                    None,
                    repr(column),
                    nearest_name(column, _VALUE_COLUMNS),
                )
            )
    return problems


def _duplicate_problems(raw: Mapping[str, Any], display: str) -> list[Problem]:
    entries = raw.get("targets")
    if not isinstance(entries, list):
        return []
    seen: dict[str, int] = {}
    problems = []
    for i, entry in enumerate(entries):
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str):
            continue
        if key in seen:
            problems.append(
                Problem(
                    display,
                    f"targets[{i}].key",
                    f"duplicate key (also targets[{seen[key]}])",
                    "a key used once",
                    repr(key),
                )
            )
        else:
            seen[key] = i
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    out: list[Problem] = []
    for p in problems:
        if p not in out:
            out.append(p)
    return out


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


def _dates(daily: pd.DataFrame) -> pd.Series:
    if "date" not in daily.columns:
        raise FraudsimError("The daily table has no 'date' column (a broken column contract).")
    return pd.to_datetime(daily["date"]).dt.normalize()


def covers(daily: pd.DataFrame, first: dt.date, last: dt.date) -> bool:
    """Whether ``daily`` has a row for every day from ``first`` to ``last``.

    Args:
        daily: a daily table (``date`` column).
        first: first day, inclusive.
        last: last day, inclusive.

    Returns:
        True if every day of the period is there.
    """
    days = _dates(daily)
    wanted = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    return bool(wanted.isin(days).all())


def _series(daily: pd.DataFrame, target: Target, scale: float, scaled: bool) -> pd.Series:
    """The target's columns summed row by row, in national equivalents if ``scaled``."""
    missing = [c for c in target.columns if c not in daily.columns]
    if missing:
        raise FraudsimError(
            f"target {target.key!r}: the daily table lacks the columns {missing} "
            "(a broken column contract)"
        )
    total = pd.Series(0.0, index=daily.index)
    for column in target.columns:
        values = daily[column].astype("float64")
        total = total + (values * scale if scaled and column_scales(column) else values)
    return total


def _window(daily: pd.DataFrame, values: pd.Series, period: Sequence[dt.date]) -> pd.Series | None:
    """The values of the period's days in date order, or None if the table misses a day."""
    first, last = period
    if not covers(daily, first, last):
        return None
    days = _dates(daily)
    mask = (days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))
    order = days[mask].sort_values(kind="stable").index
    return values.loc[order]


def target_value(daily: pd.DataFrame, scale: float, target: Target) -> float:
    """One target's statistic on one run's daily table.

    Args:
        daily: the daily table of one run, in model units.
        scale: real people per resident agent of that run.
        target: the target.

    Returns:
        ``sum``: total over the period; ``mean``: mean per day; ``last``: value on the
        period's last day (all three in national equivalents for columns that scale);
        ``change``: sum over ``period`` / sum over ``reference`` - 1 (unscaled, NaN when
        the reference sum is 0). NaN if the table lacks a day of a period the target reads.

    Raises:
        FraudsimError: the table lacks ``date`` or a column of the target.
    """
    if not (math.isfinite(scale) and scale > 0):
        raise FraudsimError(f"The 'scale' parameter must be a positive number. Got {scale!r}.")
    scaled = target.statistic != "change"
    values = _series(daily, target, scale, scaled)
    window = _window(daily, values, target.period)
    if window is None:
        return math.nan
    if target.statistic == "sum":
        return float(window.sum())
    if target.statistic == "mean":
        return float(window.mean())
    if target.statistic == "last":
        return float(window.iloc[-1])
    assert target.reference is not None, "a change target has a reference (validated on load)"
    reference = _window(daily, values, target.reference)
    if reference is None:
        return math.nan
    base = float(reference.sum())
    return float(window.sum()) / base - 1.0 if base != 0 else math.nan


def _frames(
    daily_frames_by_seed: Mapping[int, pd.DataFrame] | Sequence[pd.DataFrame],
) -> dict[int, pd.DataFrame]:
    if isinstance(daily_frames_by_seed, Mapping):
        frames = dict(daily_frames_by_seed)
    else:
        frames = dict(enumerate(daily_frames_by_seed))
    if not frames:
        raise FraudsimError("No daily tables given: evaluate needs at least one seed.")
    return frames


def _targets(targets: TargetSet | Sequence[Target]) -> list[Target]:
    return list(targets.targets if isinstance(targets, TargetSet) else targets)


def per_seed_values(
    daily_frames_by_seed: Mapping[int, pd.DataFrame] | Sequence[pd.DataFrame],
    scale: float,
    targets: TargetSet | Sequence[Target],
) -> pd.DataFrame:
    """Every target's statistic on every seed's daily table.

    Args:
        daily_frames_by_seed: daily tables in model units, by seed (a sequence is numbered
            from 0).
        scale: real people per resident agent of the runs.
        targets: the targets.

    Returns:
        One row per seed (index ``seed``, sorted), one column per target key.
    """
    frames = _frames(daily_frames_by_seed)
    chosen = _targets(targets)
    rows = {
        seed: {t.key: target_value(frame, scale, t) for t in chosen}
        for seed, frame in sorted(frames.items())
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[t.key for t in chosen])
    table.index.name = "seed"
    return table.astype("float64")


def _error(target: Target, median: float) -> float:
    if math.isnan(median):
        return math.nan
    if target.statistic == "change":
        return median - target.published
    return median / target.published - 1.0


def summarise(values: pd.DataFrame, targets: TargetSet | Sequence[Target]) -> pd.DataFrame:
    """Summarise per-seed statistics (:func:`per_seed_values`) into the targets table.

    Args:
        values: one row per seed, one column per target key.
        targets: the targets, in the order of the table.

    Returns:
        One row per target with :data:`TABLE_COLUMNS`: ``median``, ``p10`` and ``p90`` over
        seeds (NaN seeds ignored; NaN if all are), ``error`` (median / published - 1; for
        ``change`` median - published), ``within_tolerance`` (nullable boolean: NA when the
        tolerance is 0, False when the median is NaN) and the target's own fields;
        ``attrs["n_seeds"]`` is the number of seeds.
    """
    rows = []
    for target in _targets(targets):
        column = values[target.key].to_numpy(dtype="float64")
        finite = column[~np.isnan(column)]
        if finite.size:
            median, p10, p90 = (float(np.quantile(finite, q)) for q in (0.5, 0.1, 0.9))
        else:
            median = p10 = p90 = math.nan
        error = _error(target, median)
        if target.tolerance == 0:
            within: Any = pd.NA
        else:
            # A hair of slack so that a value exactly on the boundary counts as inside.
            within = bool(not math.isnan(error) and abs(error) <= target.tolerance + 1e-12)
        note = " ".join(target.note.split())
        if finite.size == 0:
            gap = "no value: the runs do not cover the period (or the reference sum is 0)"
            note = f"{gap}. {note}".strip() if note else gap
        rows.append(
            {
                "key": target.key,
                "quantity": target.quantity,
                "statistic": target.statistic,
                "published": float(target.published),
                "median": median,
                "p10": p10,
                "p90": p90,
                "error": error,
                "tolerance": float(target.tolerance),
                "within_tolerance": within,
                "required": target.required,
                "note": note,
            }
        )
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    table["within_tolerance"] = table["within_tolerance"].astype("boolean")
    table["required"] = table["required"].astype(bool)
    table.attrs["n_seeds"] = len(values)
    return table


def evaluate(
    daily_frames_by_seed: Mapping[int, pd.DataFrame] | Sequence[pd.DataFrame],
    scale: float,
    targets: TargetSet | Sequence[Target],
) -> pd.DataFrame:
    """Compare the daily tables of several seeds with the targets.

    Args:
        daily_frames_by_seed: daily tables in model units, by seed (a sequence is numbered
            from 0). Each needs ``date`` and the targets' columns.
        scale: real people per resident agent of the runs (all runs share it).
        targets: the targets (a :class:`TargetSet` or a sequence of :class:`Target`).

    Returns:
        One row per target, columns :data:`TABLE_COLUMNS` (see :func:`summarise`); the
        number of seeds is in ``attrs["n_seeds"]``. :func:`per_seed_values` gives the
        values behind the summary.

    Raises:
        FraudsimError: no frames, a bad scale, or a table lacking a target's column.
    """
    return summarise(per_seed_values(daily_frames_by_seed, scale, targets), targets)
