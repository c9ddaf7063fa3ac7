"""Outcome summaries over seeds: bands, monthly aggregates, case rates and national equivalents.

Every function here takes *tidy* result frames (:mod:`analysis.columns` describes their
columns): one row per run and date (and category, for the long tables), in model units.
Spreads are taken over the runs of a *group* (one scenario at one setting of the varied
parameters), which differ only in their seed. The scales and resident counts that
:func:`national` and :func:`add_case_rate` need come from the manifest
(:mod:`analysis.manifests`).

Nothing here builds or imports the model: the functions work on any frame with these columns,
including synthetic ones in tests.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.columns import (
    ID_COLUMNS,
    category_columns,
    column_kind,
    group_columns,
    parameter_columns,
    require_columns,
    value_columns,
)
from simulation.errors import FraudsimError
from simulation.outputs import to_national

__all__ = [
    "add_case_rate",
    "add_net_loss",
    "monthly",
    "national",
    "seed_bands",
]


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
    require_columns(frame, ["scenario", "seed", "date"], "seed_bands")
    available = value_columns(frame)
    columns = list(available if columns is None else columns)
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise FraudsimError(
            f"The 'columns' parameter of seed_bands must name value columns of the frame. "
            f"Got {unknown} instead; available: {available}."
        )
    keys = [*group_columns(frame), "date", *category_columns(frame)]
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
    require_columns(frame, ["scenario", "seed", "date"], "monthly")
    ids = [c for c in ID_COLUMNS if c in frame.columns]
    keys = [*ids, *parameter_columns(frame)]
    cats = category_columns(frame)
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
    require_columns(frame, ["loss_yuan", "recovered_yuan"], "add_net_loss")
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
            (:func:`analysis.manifests.residents_by_scenario` or ``residents_by_run``).
        by: the column the mapping is keyed by (``"scenario"`` or ``"run_id"``).

    Returns:
        A copy with the column added.

    Raises:
        FraudsimError: if the frame is in national units, or a key has no resident count or
            a count <= 0.
    """
    require_columns(frame, [by, "cases"], "add_case_rate")
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
            column ``by`` to scales (:func:`analysis.manifests.scales_by_scenario`;
            :func:`analysis.manifests.scales_by_run` when a sweep varies ``run.scale``).
        by: the column the mapping is keyed by (``"scenario"`` or ``"run_id"``).

    Returns:
        A copy with counts and money multiplied by the scale (prices, shares, means and rates
        unchanged) and ``attrs["units"] = "national"``.

    Raises:
        FraudsimError: if a scenario or run has no scale.
        ValueError: if a scale is not positive and finite, or the frame is already national.
    """
    require_columns(frame, [by], "national")
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
