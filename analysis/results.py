"""Load the results of one run from the directory :func:`experiments.runs.run_scenario` wrote.

A run's directory ``DIR`` holds::

    DIR/daily.parquet       one row per reported day (column contract: simulation.outputs)
    DIR/by_type.parquet     date x fraud type
    DIR/by_channel.parquet  date x contact channel
    DIR/by_victim.parquet   date x victim dimension x category
    DIR/manifest.json       what produced the files: scenario, seed, scale, provenance

Every parquet file also carries the manifest in its schema metadata (key
:data:`PARQUET_METADATA_KEY`), so a file copied away from its directory still says where it
came from, and a reader can tell files of two runs apart (the manifest's ``run_id``).

The loaded run has the tables, seed and manifest of a fresh
:class:`experiments.runs.RunResult`, read from the files alone: loading never builds or
imports the model, and reads runs made by older versions whose parameters have since changed.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

from simulation.config import ScenarioConfig
from simulation.errors import OutputError
from simulation.outputs import to_national

__all__ = [
    "MANIFEST_FILE",
    "MANIFEST_FORMAT",
    "PARQUET_METADATA_KEY",
    "LoadedRun",
    "load_run",
    "today_config",
]

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = "fraudsim-run/1"
PARQUET_METADATA_KEY = b"fraudsim"
"""Key of the run's manifest (JSON) in each parquet file's schema metadata."""


@dataclasses.dataclass(frozen=True)
class LoadedRun:
    """One run read back from disk, in model units.

    Attributes:
        config: the run's scenario validated by today's :class:`ScenarioConfig`, or ``None``
            when it no longer validates: a parameter renamed or removed since the run, or a
            new one without a default. ``scenario`` always holds what the run used.
        seed: the run's seed.
        daily: one row per reported day, ``date`` first.
        tables: the long tables by name (``by_type``, ``by_channel``, ``by_victim``).
        manifest: the run's provenance as written.
        path: the directory it was read from.
        scenario: the resolved scenario as the run recorded it (the manifest's ``scenario``:
            plain JSON values, dates as ``YYYY-MM-DD`` strings), whatever today's parameters.
    """

    config: ScenarioConfig | None
    seed: int
    daily: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any]
    path: Path
    scenario: dict[str, Any]

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.manifest.get("scenario_name") or self.scenario.get("name", ""))

    @property
    def scale(self) -> float:
        """Real people per resident agent of this run."""
        return float(self.manifest["scale"])

    def national(self, table: str = "daily") -> pd.DataFrame:
        """A table in national equivalents (see :func:`simulation.outputs.to_national`).

        Args:
            table: ``"daily"`` or the name of a long table.

        Returns:
            A new frame with counts and money multiplied by the run's scale.
        """
        frame = self.daily if table == "daily" else self.tables[table]
        return to_national(frame, self.scale)


def today_config(scenario: Any) -> ScenarioConfig | None:
    """A recorded scenario (JSON values) validated by today's :class:`ScenarioConfig`.

    Args:
        scenario: a manifest's ``scenario``.

    Returns:
        The config, or ``None`` if the scenario does not validate today (its parameters have
        changed since it was recorded).
    """
    try:
        # JSON keeps dates as strings; only JSON-mode validation turns them back into dates.
        return ScenarioConfig.model_validate_json(json.dumps(scenario))
    except (ValidationError, TypeError, ValueError):
        return None


def _read_table(path: Path, run_id: str) -> pd.DataFrame:
    table = pq.read_table(path)
    embedded = (table.schema.metadata or {}).get(PARQUET_METADATA_KEY)
    if embedded is None or json.loads(embedded).get("run_id") != run_id:
        # Files of two runs side by side: a write was interrupted or files were copied by hand.
        raise OutputError(f"'{path}' does not belong to the run described by its manifest.json")
    return table.to_pandas()


def load_run(directory: str | os.PathLike[str]) -> LoadedRun:
    """Read the tables and manifest of one run.

    The scenario is kept as the run recorded it (:attr:`LoadedRun.scenario`); it is not
    validated again with today's strict :class:`ScenarioConfig`, so a run made before a
    parameter was renamed still loads. :attr:`LoadedRun.config` is today's validation of it
    where that succeeds, and ``None`` where it does not.

    Args:
        directory: the run's output directory (``fraudsim run --out DIR``).

    Returns:
        The run, with every table listed in its manifest.

    Raises:
        OutputError: if the directory has no readable manifest, a listed table is missing, or
            a table belongs to another run.
    """
    root = Path(directory)
    try:
        manifest = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except OSError as exc:
        raise OutputError(
            f"cannot read '{root / MANIFEST_FILE}': {exc.strerror or exc}", str(root)
        ) from exc
    except json.JSONDecodeError as exc:
        raise OutputError(f"'{root / MANIFEST_FILE}' is not valid JSON: {exc}", str(root)) from exc
    if not isinstance(manifest, dict):
        raise OutputError(f"'{root / MANIFEST_FILE}' is not a run manifest", str(root))
    frames: dict[str, pd.DataFrame] = {}
    for name in manifest.get("tables", {}):
        path = root / f"{name}.parquet"
        try:
            frames[name] = _read_table(path, manifest.get("run_id"))
        except OSError as exc:
            raise OutputError(f"cannot read '{path}': {exc}", str(path)) from exc
    if "daily" not in frames:
        raise OutputError(f"the manifest in '{root}' lists no daily table", str(root))
    scenario = manifest.get("scenario")
    scenario = scenario if isinstance(scenario, dict) else {}
    daily = frames.pop("daily")
    return LoadedRun(
        config=today_config(scenario),
        seed=int(manifest["seed"]),
        daily=daily,
        tables=frames,
        manifest=manifest,
        path=root,
        scenario=scenario,
    )
