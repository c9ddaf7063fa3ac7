"""What a sweep or run manifest says about its scenarios: scales, residents and lever starts.

A sweep manifest (``sweep.json``) lists its scenarios, each with its resolved scenario as the
TOML its runs load, and its runs with their scale; a run manifest (``manifest.json``)
describes one scenario. The functions here read both, so that tables of either can be scaled
to national equivalents, turned into rates per resident and marked with lever starts.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from simulation.errors import FraudsimError

__all__ = [
    "lever_starts",
    "policy_starts",
    "residents_by_run",
    "residents_by_scenario",
    "scales_by_run",
    "scales_by_scenario",
    "scenario_entries",
]


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


def _n_residents(record: Mapping[str, Any], what: str) -> int:
    # The model sizes its population as round(population_national / scale), at least one.
    if record.get("n_residents") is not None:
        return int(record["n_residents"])
    if record.get("scale") is None or record.get("population_national") is None:
        raise FraudsimError(f"the manifest gives no scale or population_national for {what}")
    return max(1, round(float(record["population_national"]) / float(record["scale"])))


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
    return {
        name: _n_residents(entry, f"scenario {name!r}")
        for name, entry in scenario_entries(manifest).items()
    }


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
        FraudsimError: if the manifest lists no runs, or a run lacks its scale or national
            population.
    """
    return {str(r["run_id"]): _n_residents(r, f"run {r['run_id']!r}") for r in _runs(manifest)}


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
    :func:`analysis.displacement.displacement`.
    """
    return {name: (s[0][1] if s else None) for name, s in lever_starts(manifest).items()}
