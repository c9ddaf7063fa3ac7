"""Outcome summaries over seeds: bands, monthly aggregates, case rates and national equivalents.

Every function here takes *tidy* result frames, the shape :func:`analysis.sweeps.load_sweep`
returns: one row per run and date (and category, for the long tables), with the columns

- ``run_id``, ``scenario``, ``seed``: which run the row belongs to;
- one column per varied sweep parameter, named by its dotted key (``police.p_dissuade``);
- ``date``, then the category columns of a long table (``fraud_type``, ``channel``, or
  ``dimension`` and ``category``);
- the value columns of the column contract (:mod:`simulation.outputs`), in model units.

A *group* is one scenario at one setting of the varied parameters; its runs differ only in
their seed, so spreads over a group are spreads over seeds. Which value columns are flows
(summed over a month) and which are states (averaged over a month) comes from the contract's
documented order of the daily table: flows, then police effort, then states.

Nothing here builds or imports the model: the functions work on any frame with these columns,
including synthetic ones in tests.
"""

from __future__ import annotations

import numbers
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from simulation.errors import FraudsimError
from simulation.outputs import DAILY_COLUMNS, LONG_TABLES, to_national

__all__ = [
    "CATEGORY_COLUMNS",
    "DERIVED_COLUMNS",
    "ID_COLUMNS",
    "add_case_rate",
    "add_net_loss",
    "column_kind",
    "column_unit",
    "group_columns",
    "lever_starts",
    "monthly",
    "national",
    "parameter_columns",
    "policy_starts",
    "residents_by_run",
    "residents_by_scenario",
    "scales_by_run",
    "scales_by_scenario",
    "scenario_entries",
    "seed_bands",
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
"""Columns this module adds, with their units: ``n_days`` (reported days in a month),
``net_loss_yuan`` (gross loss minus money recovered for victims, a flow), ``effort_hours``
(police effort summed over levers, a flow) and ``case_rate_per_100k`` (cases per 100,000 residents over the row's period)."""

_CONTRACT: dict[str, str] = {c.name: c.unit for c in DAILY_COLUMNS.values()} | {
    c.name: c.unit for cols in LONG_TABLES.values() for c in cols
}


def _state_columns() -> frozenset[str]:
    # The contract documents the daily table's order as flows, police effort per lever, then
    # states: everything after the last effort column is a state (a level, not a flow).
    names = list(DAILY_COLUMNS)
    last_effort = max(
        i for i, n in enumerate(names) if n.startswith("effort_") and n.endswith("_hours")
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
        Every column that is not a run id, a date, a category, a contract value or a column
        this module derives, in frame order.
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


def _category_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in CATEGORY_COLUMNS if c in frame.columns]


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FraudsimError(
            f"The {what} frame must have the columns {missing} of the tidy sweep contract "
            f"(run_id, scenario, seed, parameters, date, values). Got {list(frame.columns)} instead."
        )


def _quantile_name(q: float) -> str:
    return "median" if q == 0.5 else f"p{round(q * 100):02d}"


def seed_bands(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    low: float = 0.1,
    high: float = 0.9,
) -> pd.DataFrame:
    """Median and a quantile band over seeds, per group, date (and category).

    Args:
        frame: a tidy frame (daily, monthly or a long table), one row per run and date.
        columns: value columns to summarise; default every value column of ``frame``.
        low: lower quantile of the band (0 to 1; default 0.1, the 10th percentile).
        high: upper quantile of the band (0 to 1, > ``low``; default 0.9).

    Returns:
        A long frame: group columns (``scenario`` and parameters), ``date``, any category
        columns, ``quantity`` (the value column), ``n_seeds`` (runs behind the row), then
        ``median`` and the band as ``pNN`` columns (``p10`` and ``p90`` by default), in the
        frame's units (``attrs["units"]`` and ``attrs["freq"]`` are carried over).

    Raises:
        FraudsimError: if the quantiles are not ``0 <= low < high <= 1`` or a column is not a
            value column of ``frame``.
    """
    if not (0.0 <= low < high <= 1.0):
        raise FraudsimError(
            f"The 'low' and 'high' parameters of seed_bands must satisfy 0 <= low < high <= 1. "
            f"Got low={low!r}, high={high!r} instead."
        )
    _require(frame, ["scenario", "seed", "date"], "seed_bands")
    available = value_columns(frame)
    columns = list(available if columns is None else columns)
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise FraudsimError(
            f"The 'columns' parameter of seed_bands must name value columns of the frame. "
            f"Got {unknown} instead; available: {available}."
        )
    keys = [*group_columns(frame), "date", *_category_columns(frame)]
    long = frame.melt(id_vars=keys, value_vars=columns, var_name="quantity", value_name="value")
    grouped = long.groupby([*keys, "quantity"], sort=False, dropna=False, observed=True)["value"]
    quantiles = grouped.quantile([low, 0.5, high]).unstack()
    quantiles.columns = [_quantile_name(float(q)) for q in quantiles.columns]
    out = quantiles.join(grouped.count().rename("n_seeds")).reset_index()
    out = out[[*keys, "quantity", "n_seeds", "median", _quantile_name(low), _quantile_name(high)]]
    out.attrs = {**frame.attrs, "quantiles": (low, 0.5, high)}
    return out


def monthly(frame: pd.DataFrame) -> pd.DataFrame:
    """Calendar-month aggregates per run: flows summed, states averaged over the days.

    Args:
        frame: a tidy daily frame or long table in model or national units.

    Returns:
        One row per run, month (and category): the id and parameter columns, ``date`` (the
        first day of the month), category columns, ``n_days`` (reported days in that month:
        flows of a partial first or last month cover only these days), then each value column
        summed (flows) or averaged (states). ``attrs["freq"]`` is ``"month"``.
    """
    _require(frame, ["scenario", "seed", "date"], "monthly")
    ids = [c for c in ID_COLUMNS if c in frame.columns]
    keys = [*ids, *parameter_columns(frame)]
    cats = _category_columns(frame)
    values = [c for c in value_columns(frame) if c != "n_days"]
    month = pd.to_datetime(frame["date"]).dt.to_period("M").dt.to_timestamp()
    work = frame.assign(date=month)
    by = [*keys, "date", *cats]
    grouped = work.groupby(by, sort=False, dropna=False, observed=True)
    how = {c: ("mean" if column_kind(c) == "state" else "sum") for c in values}
    out = grouped.agg(how).reset_index() if how else grouped.size().reset_index()[by]
    # Reported days per run and month, counted once per day even in long tables (which have
    # one row per day and category).
    n_days = (
        frame.assign(_month=month)
        .drop_duplicates([*keys, "date"])
        .groupby([*keys, "_month"], sort=False, dropna=False, observed=True)
        .size()
        .rename("n_days")
        .reset_index()
        .rename(columns={"_month": "date"})
    )
    out = out.merge(n_days, on=[*keys, "date"], how="left")
    out = out[[*by, "n_days", *values]]
    out.attrs = {**frame.attrs, "freq": "month"}
    return out


def add_net_loss(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``net_loss_yuan``: gross loss minus money recovered for victims (a flow, yuan).

    Args:
        frame: a tidy daily or monthly frame with ``loss_yuan`` and ``recovered_yuan``.

    Returns:
        A copy with the column added (same units as the inputs).
    """
    _require(frame, ["loss_yuan", "recovered_yuan"], "add_net_loss")
    out = frame.assign(net_loss_yuan=frame["loss_yuan"] - frame["recovered_yuan"])
    out.attrs = dict(frame.attrs)
    return out


def _per_key(
    values: float | Mapping[str, float], keys: pd.Series, what: str, by: str
) -> dict[Any, float]:
    names = list(pd.unique(keys))
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        return dict.fromkeys(names, float(values))
    if not isinstance(values, Mapping):
        raise FraudsimError(
            f"The '{what}' parameter must be a number or a mapping from {by} to number. "
            f"Got {values!r} instead."
        )
    missing = [n for n in names if n not in values]
    if missing:
        raise FraudsimError(
            f"The '{what}' parameter must give a value for every {by} of the frame. "
            f"Missing {missing[:5]}{' ...' if len(missing) > 5 else ''}."
        )
    return {n: float(values[n]) for n in names}


def add_case_rate(
    frame: pd.DataFrame, n_residents: float | Mapping[str, float], *, by: str = "scenario"
) -> pd.DataFrame:
    """Add ``case_rate_per_100k``: cases per 100,000 residents over each row's period.

    On a monthly frame (:func:`monthly`) this is the case rate per 100,000 residents per
    month (over ``n_days`` days for a partial month). The rate is the same in model units and
    nationally, so it is computed from *model* cases and the model's number of residents.

    Args:
        frame: a tidy frame in model units with a ``cases`` column.
        n_residents: resident agents, ``round(population_national / scale)``: one number for
            every row, or a mapping from the values of column ``by`` to numbers
            (:func:`residents_by_scenario`, :func:`residents_by_run`).
        by: the column the mapping is keyed by (``"scenario"`` or ``"run_id"``).

    Returns:
        A copy with the column added.

    Raises:
        FraudsimError: if the frame is in national units, or a key has no resident count or
            a count <= 0.
    """
    _require(frame, [by, "cases"], "add_case_rate")
    if frame.attrs.get("units") == "national":
        raise FraudsimError(
            "add_case_rate needs model-unit cases (cases / resident agents); the frame is in "
            "national equivalents. Compute the rate before calling national()."
        )
    per = _per_key(n_residents, frame[by], "n_residents", by)
    bad = {k: v for k, v in per.items() if not v > 0}
    if bad:
        raise FraudsimError(f"The 'n_residents' parameter must be > 0. Got {bad} instead.")
    residents = frame[by].map(per).astype("float64")
    out = frame.assign(case_rate_per_100k=frame["cases"] / residents * 1e5)
    out.attrs = dict(frame.attrs)
    return out


def national(
    frame: pd.DataFrame, scale: float | Mapping[str, float], *, by: str = "scenario"
) -> pd.DataFrame:
    """A tidy frame in national equivalents, each scenario (or run) scaled by its own scale.

    Applies :func:`simulation.outputs.to_national` to the value columns only, so ids, seeds,
    parameter values, dates and categories are never multiplied.

    Args:
        frame: a tidy frame in model units.
        scale: real people per resident agent: one number, or a mapping from the values of
            column ``by`` to scales (:func:`scales_by_scenario`, :func:`scales_by_run`; by run
            when a sweep varies ``run.scale``).
        by: the column the mapping is keyed by (``"scenario"`` or ``"run_id"``).

    Returns:
        A copy with counts and money multiplied by the scale (prices, shares, means and rates
        unchanged) and ``attrs["units"] = "national"``.

    Raises:
        FraudsimError: if a scenario or run has no scale.
        ValueError: if a scale is not positive and finite, or the frame is already national.
    """
    _require(frame, [by], "national")
    if frame.attrs.get("units") == "national":
        raise ValueError("The 'frame' is already in national equivalents; not scaling twice.")
    per = _per_key(scale, frame[by], "scale", by)
    values = value_columns(frame)
    keys = frame[by].to_numpy()
    # Grouped by scale, not by key: a sweep of many runs usually has one or two scales.
    by_scale: dict[float, list[Any]] = {}
    for key, factor in per.items():
        by_scale.setdefault(factor, []).append(key)
    pieces = [
        to_national(frame.loc[np.isin(keys, members), values], factor)
        for factor, members in by_scale.items()
    ]
    scaled = pd.concat(pieces).reindex(frame.index)
    out = frame.copy()
    out[values] = scaled[values]
    out.attrs = {**frame.attrs, "units": "national"}
    return out


# --- the sweep manifest ------------------------------------------------------------------------


def _resolved(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """The resolved scenario of a manifest record, as data."""
    for key in ("scenario", "resolved", "config"):
        if isinstance(entry.get(key), Mapping):
            return dict(entry[key])
    if isinstance(entry.get("toml"), str):
        # A sweep manifest stores each resolved scenario as the TOML its runs load.
        return tomllib.loads(entry["toml"])
    return None


def scenario_entries(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-scenario records of a sweep manifest (``sweep.json``) or a run manifest.

    A sweep manifest lists its scenarios under ``"scenarios"`` (records with ``name``,
    ``scale``, ``population_national``, ``n_residents`` and the resolved scenario as
    ``toml``); a run manifest (``manifest.json``) describes one scenario.

    Args:
        manifest: the parsed JSON.

    Returns:
        Scenario name to its record, with ``scale``, ``population_national`` and the resolved
        scenario as data under ``"scenario"`` (levers, run period, description).

    Raises:
        FraudsimError: if the manifest describes no scenario.
    """
    raw = manifest.get("scenarios")
    entries: dict[str, dict[str, Any]] = {}
    if isinstance(raw, Mapping):
        entries = {str(k): dict(v) for k, v in raw.items()}
    elif isinstance(raw, list):
        entries = {str(item["name"]): dict(item) for item in raw if "name" in item}
    elif isinstance(manifest.get("scenario"), Mapping):
        name = manifest.get("scenario_name", manifest["scenario"].get("name", "unnamed"))
        entries = {str(name): dict(manifest)}
    if not entries:
        raise FraudsimError("the manifest lists no scenarios (no 'scenarios' or 'scenario' key)")
    for entry in entries.values():
        resolved = _resolved(entry)
        if resolved is not None:
            entry["scenario"] = resolved
            run = resolved.get("run", {})
            entry.setdefault("scale", run.get("scale"))
            entry.setdefault("population_national", run.get("population_national"))
    return entries


def scales_by_scenario(manifest: Mapping[str, Any]) -> dict[str, float]:
    """Real people per resident agent of each scenario, from a sweep or run manifest.

    Raises:
        FraudsimError: if a scenario's record has no scale.
    """
    out = {}
    for name, entry in scenario_entries(manifest).items():
        if entry.get("scale") is None:
            raise FraudsimError(f"the manifest gives no scale for scenario {name!r}")
        out[name] = float(entry["scale"])
    return out


def residents_by_scenario(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Resident agents of each scenario, ``round(population_national / scale)`` (at least 1).

    This is how the model sizes its population, so rates computed with it are exact.

    Raises:
        FraudsimError: if a scenario's record lacks its scale or national population.
    """
    out = {}
    for name, entry in scenario_entries(manifest).items():
        if entry.get("n_residents") is not None:
            out[name] = int(entry["n_residents"])
            continue
        if entry.get("scale") is None or entry.get("population_national") is None:
            raise FraudsimError(
                f"the manifest gives no scale or population_national for scenario {name!r}"
            )
        out[name] = max(1, round(float(entry["population_national"]) / float(entry["scale"])))
    return out


def _runs(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    runs = manifest.get("runs")
    if not isinstance(runs, list) or not runs:
        raise FraudsimError("the manifest lists no runs (a sweep's sweep.json has 'runs')")
    return runs


def scales_by_run(manifest: Mapping[str, Any]) -> dict[str, float]:
    """Real people per resident agent of each run of a sweep, by ``run_id``.

    Differs from :func:`scales_by_scenario` when the sweep varies ``run.scale``.

    Raises:
        FraudsimError: if the manifest lists no runs.
    """
    return {str(r["run_id"]): float(r["scale"]) for r in _runs(manifest)}


def residents_by_run(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Resident agents of each run of a sweep, by ``run_id``.

    Raises:
        FraudsimError: if the manifest lists no runs.
    """
    out = {}
    for r in _runs(manifest):
        if r.get("n_residents") is not None:
            out[str(r["run_id"])] = int(r["n_residents"])
        else:
            out[str(r["run_id"])] = max(
                1, round(float(r["population_national"]) / float(r["scale"]))
            )
    return out


def lever_starts(manifest: Mapping[str, Any]) -> dict[str, list[tuple[str, pd.Timestamp]]]:
    """Start dates of the active levers of each scenario, for marking plots.

    Levers at intensity 0 are left out: they are exactly no lever.

    Args:
        manifest: a sweep or run manifest with resolved scenarios.

    Returns:
        Scenario name to a list of ``(label, start)`` in start order; the label is the
        lever's ``name`` or, if it has none, its ``type``.
    """
    out: dict[str, list[tuple[str, pd.Timestamp]]] = {}
    for name, entry in scenario_entries(manifest).items():
        levers = (entry.get("scenario") or {}).get("levers", [])
        starts = [
            (str(lever.get("name") or lever["type"]), pd.Timestamp(lever["start"]))
            for lever in levers
            if float(lever.get("intensity", 1.0)) > 0.0
        ]
        out[name] = sorted(starts, key=lambda item: item[1])
    return out


def policy_starts(manifest: Mapping[str, Any]) -> dict[str, pd.Timestamp | None]:
    """The first day any lever of each scenario acts (``None`` for a scenario without levers).

    This is the split date for before/after comparisons such as
    :func:`analysis.compare.displacement`.
    """
    return {name: (s[0][1] if s else None) for name, s in lever_starts(manifest).items()}
