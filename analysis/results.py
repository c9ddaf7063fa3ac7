"""Load the results of one run from the directory :func:`experiments.runs.run_scenario` wrote.

The loaded run has the same attributes as a fresh :class:`experiments.runs.RunResult`
(``config``, ``seed``, ``daily``, ``tables``, ``manifest``), but the scenario comes from the
manifest, so loading never builds or imports the model.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from simulation.config import ScenarioConfig
from simulation.errors import OutputError
from simulation.outputs import to_national

__all__ = ["LoadedRun", "load_run"]

_MANIFEST_FILE = "manifest.json"
_METADATA_KEY = b"fraudsim"


@dataclasses.dataclass(frozen=True)
class LoadedRun:
    """One run read back from disk, in model units.

    Attributes:
        config: the resolved scenario, rebuilt from the manifest.
        seed: the run's seed.
        daily: one row per reported day, ``date`` first.
        tables: the long tables by name (``by_type``, ``by_channel``, ``by_victim``).
        manifest: the run's provenance as written.
        path: the directory it was read from.
    """

    config: ScenarioConfig
    seed: int
    daily: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any]
    path: Path

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


def _read_table(path: Path, run_id: str) -> pd.DataFrame:
    table = pq.read_table(path)
    embedded = (table.schema.metadata or {}).get(_METADATA_KEY)
    if embedded is None or json.loads(embedded).get("run_id") != run_id:
        # Files of two runs side by side: a write was interrupted or files were copied by hand.
        raise OutputError(f"'{path}' does not belong to the run described by its manifest.json")
    return table.to_pandas()


def load_run(directory: str | os.PathLike[str]) -> LoadedRun:
    """Read the tables and manifest of one run.

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
        manifest = json.loads((root / _MANIFEST_FILE).read_text(encoding="utf-8"))
    except OSError as exc:
        raise OutputError(
            f"cannot read '{root / _MANIFEST_FILE}': {exc.strerror or exc}", str(root)
        ) from exc
    except json.JSONDecodeError as exc:
        raise OutputError(f"'{root / _MANIFEST_FILE}' is not valid JSON: {exc}", str(root)) from exc
    frames: dict[str, pd.DataFrame] = {}
    for name in manifest.get("tables", {}):
        path = root / f"{name}.parquet"
        try:
            frames[name] = _read_table(path, manifest["run_id"])
        except OSError as exc:
            raise OutputError(f"cannot read '{path}': {exc}", str(path)) from exc
    if "daily" not in frames:
        raise OutputError(f"the manifest in '{root}' lists no daily table", str(root))
    # JSON keeps dates as strings; only JSON-mode validation turns them back into dates.
    config = ScenarioConfig.model_validate_json(json.dumps(manifest["scenario"]))
    daily = frames.pop("daily")
    return LoadedRun(
        config=config,
        seed=int(manifest["seed"]),
        daily=daily,
        tables=frames,
        manifest=manifest,
        path=root,
    )
