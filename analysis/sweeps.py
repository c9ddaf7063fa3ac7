"""Reading a sweep's results: :func:`load_sweep` (one tidy frame per table) and the manifest.

A sweep's output directory ``OUT`` (written by :mod:`experiments.sweep`) holds::

    OUT/sweep.json                          the sweep: spec, resolved scenarios, runs, status
    OUT/daily/run_id=<run_id>.parquet       one part per run and table
    OUT/by_type/run_id=<run_id>.parquet
    OUT/by_channel/run_id=<run_id>.parquet
    OUT/by_victim/run_id=<run_id>.parquet
    OUT/failures/<run_id>.json              a run that raised: error type, message, traceback
    OUT/.lock                               held while a sweep writes here

Each table directory is a Parquet dataset that ``pyarrow.dataset`` or DuckDB can read as a
whole (names starting with ``.`` are skipped by both); every part also carries its run's
identifying columns, and its run's identity (JSON) in its Parquet metadata under
:data:`METADATA_KEY`. A run counts as finished when all four of its parts are there and their
footers read back with the run's id in their metadata; anything else (a part missing,
truncated or foreign) means the run is not finished.

:func:`load_sweep_manifest` gives ``sweep.json``: scenarios with their ``scale``,
``population_national`` and ``n_residents``, runs with their parameters, the provenance of
each session and the status. Per 100,000 residents, for one run: ``value / n_residents *
100_000`` in model units, with ``n_residents`` from the manifest's run (or scenario) record;
national equivalents: ``load_sweep(out_dir, national=True)``.

Nothing here imports the model or the code that runs sweeps: a sweep's files are read the same
on a laptop that never ran it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.errors import FraudsimError, OutputError
from simulation.outputs import column_scales, contract_frame

__all__ = [
    "FAILURES_DIR",
    "ID_COLUMNS",
    "MANIFEST_FILE",
    "METADATA_KEY",
    "SWEEP_FORMAT",
    "TABLES",
    "load_sweep",
    "load_sweep_manifest",
    "part_ok",
    "part_path",
    "read_sweep_manifest",
    "run_finished",
]

TABLES = ("daily", "by_type", "by_channel", "by_victim")
"""The result tables of every run, one directory each."""

MANIFEST_FILE = "sweep.json"
FAILURES_DIR = "failures"
SWEEP_FORMAT = "fraudsim-sweep/1"
METADATA_KEY = b"fraudsim_sweep"
"""Key of the run's identity (JSON) in each part's Parquet metadata."""

ID_COLUMNS = ("run_id", "scenario", "seed")
"""Identifying columns every part starts with; the varied parameters follow them."""


def part_path(out_dir: str | os.PathLike[str], table: str, run_id: str) -> Path:
    """Where one run's part of one table lives."""
    return Path(out_dir) / table / f"run_id={run_id}.parquet"


def part_ok(out_dir: str | os.PathLike[str], table: str, run_id: str) -> bool:
    """Whether a part exists, its Parquet footer reads, and it belongs to ``run_id``."""
    try:
        meta = pq.read_metadata(part_path(out_dir, table, run_id))
    except (OSError, pa.ArrowException):  # missing, truncated, not Parquet
        return False
    try:
        identity = json.loads((meta.metadata or {}).get(METADATA_KEY, b"{}"))
    except (ValueError, TypeError):
        return False
    return isinstance(identity, dict) and identity.get("run_id") == run_id


def run_finished(out_dir: str | os.PathLike[str], run_id: str) -> bool:
    """Whether every table part of ``run_id`` is present and readable."""
    return all(part_ok(out_dir, table, run_id) for table in TABLES)


def read_sweep_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The content of ``OUT/sweep.json``, or ``None`` if there is none.

    Raises:
        OutputError: it exists but cannot be read or is not a sweep manifest.
    """
    path = Path(out_dir) / MANIFEST_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot read '{path}': {exc.strerror or exc}", str(path)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutputError(
            f"'{path}' is not valid JSON ({exc.msg}, line {exc.lineno})", str(path)
        ) from None
    found = data.get("format") if isinstance(data, dict) else None
    if found != SWEEP_FORMAT:
        raise OutputError(
            f"'{path}' is not a fraudsim sweep manifest (format {found!r}; expected "
            f"{SWEEP_FORMAT!r})",
            str(path),
        )
    return data


def load_sweep_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The content of a sweep's ``sweep.json``.

    It holds the spec as given, the resolved scenarios (with ``scale``, ``population_national``
    and ``n_residents``, for rates per 100,000 residents), every run with its parameters, the
    provenance of each session (versions, git commit, code digest) and the status.

    Args:
        out_dir: the sweep's output directory.

    Returns:
        The manifest as a dict.

    Raises:
        OutputError: if ``out_dir`` holds no sweep, or its manifest cannot be read.
    """
    manifest = read_sweep_manifest(out_dir) if Path(out_dir).is_dir() else None
    if manifest is None:
        raise OutputError(
            f"{os.fspath(out_dir)}: no sweep here (no {MANIFEST_FILE}); give the --out "
            "directory of a sweep",
            os.fspath(out_dir),
        )
    return manifest


def load_sweep(
    out_dir: str | os.PathLike[str], table: str = "daily", *, national: bool = False
) -> pd.DataFrame:
    """Read one result table of a finished or partial sweep as one tidy frame.

    Only finished runs (all four parts present and readable) are included, in the sweep's run
    order, so the four tables always cover the same runs. Runs of a sweep still going on, failed
    or missing are simply absent; ``sweep.json`` says which.

    Args:
        out_dir: the sweep's output directory.
        table: ``"daily"`` (one row per run and date), ``"by_type"``, ``"by_channel"`` or
            ``"by_victim"``.
        national: multiply counts and money by each run's ``run.scale`` (national
            equivalents, see :func:`simulation.outputs.to_national`); identifying and
            parameter columns are left alone. Default: model units.

    Returns:
        The frame: ``run_id``, ``scenario``, ``seed``, one column per varied parameter (named
        by its dotted key), then the table's columns (``simulation.outputs``).

    Raises:
        FraudsimError: if ``table`` is not a result table.
        OutputError: if ``out_dir`` holds no sweep.
    """
    if table not in TABLES:
        raise FraudsimError(
            f"The 'table' parameter must be one of {', '.join(TABLES)}. Got {table!r} instead."
        )
    manifest = load_sweep_manifest(out_dir)
    runs = [r for r in manifest.get("runs", []) if run_finished(out_dir, r["run_id"])]
    parameters = list(manifest.get("parameters", []))
    if not runs:
        columns = [*ID_COLUMNS, *parameters]
        columns += list(contract_frame(table)["name"])
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    else:
        parts = [pq.read_table(part_path(out_dir, table, r["run_id"])) for r in runs]
        pandas_meta = parts[0].schema.metadata or {}
        parts = [p.replace_schema_metadata(None) for p in parts]
        # Parameter columns may be int in one run and float in another: promote.
        merged = pa.concat_tables(parts, promote_options="permissive")
        meta = {k: v for k, v in pandas_meta.items() if k != METADATA_KEY}
        frame = merged.replace_schema_metadata(meta).to_pandas()
    if national and runs:
        scale = frame["run_id"].map({r["run_id"]: float(r["scale"]) for r in runs})
        skip = {*ID_COLUMNS, *parameters}
        for name in frame.columns:
            series = frame[name]
            numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(
                series
            )
            if name not in skip and numeric and column_scales(str(name)):
                frame[name] = series.astype("float64") * scale.to_numpy()
    frame.attrs["units"] = "national" if national else "model"
    return frame
