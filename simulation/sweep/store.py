"""Sweep results on disk: one Parquet file per run and table, written atomically.

Layout of an output directory ``OUT``::

    OUT/sweep.json                          the sweep: spec, resolved scenarios, runs, status
    OUT/daily/run_id=<run_id>.parquet       one part per run and table
    OUT/by_type/run_id=<run_id>.parquet
    OUT/by_channel/run_id=<run_id>.parquet
    OUT/by_victim/run_id=<run_id>.parquet
    OUT/failures/<run_id>.json              a run that raised: error type, message, traceback
    OUT/.lock                               held while a sweep writes here

One file per run (rather than one growing file per table) is what makes the directory safe to
stop at any moment: a run is written once, by a rename, and never touched again. Each table
directory is a Parquet dataset that ``pyarrow.dataset`` or DuckDB can read as a whole (names
starting with ``.`` are skipped by both); every part also carries its run's identifying
columns, so nothing depends on the file names.

Every file is written to a temporary name in its final directory, flushed to disk (fsync), then
renamed over the final name (``os.replace``), and the directory is synced: a reader sees the old
state or the new, never half a file, even after a power cut. A run counts as finished when all
four of its parts are there and their Parquet footers read back with the run's id in their
metadata; anything else (a part missing, truncated or foreign) means the run is redone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.errors import FraudsimError, OutputError
from simulation.files import write_atomic
from simulation.outputs import column_scales, contract_frame
from simulation.sweep.spec import SweepError

try:  # POSIX: one sweep at a time per directory. Elsewhere the lock is skipped.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FAILURES_DIR",
    "ID_COLUMNS",
    "MANIFEST_FILE",
    "METADATA_KEY",
    "SWEEP_FORMAT",
    "TABLES",
    "SweepStore",
    "load_sweep",
    "load_sweep_manifest",
]

TABLES = ("daily", "by_type", "by_channel", "by_victim")
"""The result tables of every run, one directory each."""

MANIFEST_FILE = "sweep.json"
FAILURES_DIR = "failures"
LOCK_FILE = ".lock"
SWEEP_FORMAT = "fraudsim-sweep/1"
METADATA_KEY = b"fraudsim_sweep"
"""Key of the run's identity (JSON) in each part's Parquet metadata."""

_TMP_SUFFIX = ".tmp"
"""How the temporary files of :func:`simulation.files.write_atomic` end (``.NAME.XXXXXXXX.tmp``)."""


def _json_text(data: Any) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, dt.date | dt.time):
            return value.isoformat()
        raise TypeError(f"not JSON-serialisable: {type(value).__name__}")

    return json.dumps(data, indent=2, ensure_ascii=False, default=default) + "\n"


class SweepStore:
    """The output directory of one sweep.

    Args:
        out_dir: the directory (see :meth:`prepare` to create it).
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        """Point at the directory; nothing is created until :meth:`prepare`."""
        self.display = os.fspath(out_dir)
        self.root = Path(out_dir)

    def prepare(self) -> None:
        """Create the directory tree if needed and check that it can be written.

        Raises:
            OutputError: if the directory cannot be created or written.
        """
        try:
            if self.root.exists() and not self.root.is_dir():
                raise OutputError(
                    f"cannot write a sweep to '{self.display}': it exists and is not a directory",
                    self.display,
                )
            for name in (*TABLES, FAILURES_DIR):
                (self.root / name).mkdir(parents=True, exist_ok=True)
            # A real file creation is the only honest test (permissions, read-only mounts).
            fd, probe = tempfile.mkstemp(prefix=".probe-", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise OutputError(
                f"cannot write a sweep to '{self.display}': {exc.strerror or exc}", self.display
            ) from exc

    # --- paths ----------------------------------------------------------------------------
    def part_path(self, table: str, run_id: str) -> Path:
        """Where one run's part of one table lives."""
        return self.root / table / f"run_id={run_id}.parquet"

    def failure_path(self, run_id: str) -> Path:
        """Where a failed run's error record lives."""
        return self.root / FAILURES_DIR / f"{run_id}.json"

    @property
    def manifest_path(self) -> Path:
        """``OUT/sweep.json``."""
        return self.root / MANIFEST_FILE

    # --- locking --------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Prepare the directory (:meth:`prepare`) and hold its lock while writing to it.

        A second sweep writing to the same directory would remove the first one's temporary
        files and race it for the same parts.

        Raises:
            OutputError: if the directory cannot be created or written.
            SweepError: if another process holds the lock.
        """
        self.prepare()
        path = self.root / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                    raise SweepError.single(
                        self.display,
                        None,
                        f"another sweep is writing to this directory (process {holder}); "
                        "wait for it to finish or stop it first",
                    ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            yield
        finally:
            os.close(fd)  # closing releases the flock; a killed process releases it too

    # --- reading --------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        """The content of ``sweep.json``, or ``None`` if there is none.

        Raises:
            SweepError: if it exists but is not a sweep manifest.
        """
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OutputError(
                f"cannot read '{self.manifest_path}': {exc.strerror or exc}", self.display
            ) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SweepError.single(
                str(self.manifest_path), None, f"not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(data, dict) or data.get("format") != SWEEP_FORMAT:
            raise SweepError.single(
                str(self.manifest_path),
                "format",
                "not a fraudsim sweep manifest",
                allowed=SWEEP_FORMAT,
                given=repr(data.get("format") if isinstance(data, dict) else None),
            )
        return data

    def part_ok(self, table: str, run_id: str) -> bool:
        """Whether a part exists, its Parquet footer reads, and it belongs to ``run_id``."""
        try:
            meta = pq.read_metadata(self.part_path(table, run_id))
        except (OSError, pa.ArrowException):  # missing, truncated, not Parquet
            return False
        try:
            identity = json.loads((meta.metadata or {}).get(METADATA_KEY, b"{}"))
        except (ValueError, TypeError):
            return False
        return isinstance(identity, dict) and identity.get("run_id") == run_id

    def finished(self, run_id: str) -> bool:
        """Whether every table part of ``run_id`` is present and readable."""
        return all(self.part_ok(table, run_id) for table in TABLES)

    def scan(self, run_ids: Iterable[str]) -> tuple[set[str], int]:
        """Finished runs among ``run_ids``; unreadable parts of the others are removed.

        Returns:
            The finished run ids, and how many unreadable part files were removed.
        """
        done: set[str] = set()
        removed = 0
        for run_id in run_ids:
            states = {table: self.part_ok(table, run_id) for table in TABLES}
            if all(states.values()):
                done.add(run_id)
                continue
            for table, ok in states.items():
                path = self.part_path(table, run_id)
                if not ok and path.exists():
                    # Truncated or foreign: it would be replaced anyway; remove it now so that
                    # nothing reads it if the redo fails.
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
        return done, removed

    def clean_temporary(self) -> int:
        """Remove temporary files left by an interrupted write; return how many."""
        removed = 0
        for directory in (self.root, *(self.root / d for d in (*TABLES, FAILURES_DIR))):
            for path in directory.glob(f".*{_TMP_SUFFIX}"):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed

    def failed_ids(self) -> set[str]:
        """Run ids with a failure record."""
        return {p.stem for p in (self.root / FAILURES_DIR).glob("*.json")}

    def read_part(self, table: str, run_id: str) -> pa.Table:
        """One run's part of one table, as an Arrow table."""
        return pq.read_table(self.part_path(table, run_id))

    # --- writing --------------------------------------------------------------------------
    def write_manifest(self, data: dict[str, Any]) -> None:
        """Write ``sweep.json`` atomically."""
        self._write(self.manifest_path, _json_text(data))

    def write_run(
        self, run_id: str, frames: dict[str, pd.DataFrame], identity: dict[str, Any]
    ) -> None:
        """Write one run's four parts (each atomically) and drop any earlier failure record.

        Args:
            run_id: the run.
            frames: one frame per name in :data:`TABLES`.
            identity: JSON-ready facts about the run, stored in each part's metadata.
        """
        missing = [t for t in TABLES if t not in frames]
        if missing:
            raise ValueError(f"run {run_id} lacks the tables {missing}")
        blob = _json_text({"run_id": run_id, **identity}).encode("utf-8")
        for table in TABLES:
            arrow = pa.Table.from_pandas(frames[table], preserve_index=False)
            metadata = {**(arrow.schema.metadata or {}), METADATA_KEY: blob}
            arrow = arrow.replace_schema_metadata(metadata)
            sink = pa.BufferOutputStream()
            pq.write_table(arrow, sink)
            self._write(self.part_path(table, run_id), sink.getvalue().to_pybytes())
        with contextlib.suppress(FileNotFoundError):
            self.failure_path(run_id).unlink()

    def write_failure(self, run_id: str, record: dict[str, Any]) -> None:
        """Write ``failures/<run_id>.json`` atomically."""
        self._write(self.failure_path(run_id), _json_text({"run_id": run_id, **record}))

    def drop_failures(self, run_ids: Iterable[str]) -> None:
        """Remove failure records of runs that have since finished."""
        for run_id in run_ids:
            with contextlib.suppress(FileNotFoundError):
                self.failure_path(run_id).unlink()

    def _write(self, path: Path, content: str | bytes) -> None:
        try:
            write_atomic(path, content)
        except OSError as exc:
            raise OutputError(
                f"cannot write '{path}': {exc.strerror or exc}", self.display
            ) from exc


# ---------------------------------------------------------------------------------------------
# Reading a sweep back
# ---------------------------------------------------------------------------------------------

ID_COLUMNS = ("run_id", "scenario", "seed")
"""Identifying columns every part starts with; the varied parameters follow them."""


def load_sweep_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The content of a sweep's ``sweep.json``.

    It holds the spec as given, the resolved scenarios (with ``scale``, ``population_national``
    and ``n_residents``, for rates per 100,000 residents), every run with its parameters, the
    versions and git commit, the sessions and the status.

    Args:
        out_dir: the sweep's output directory.

    Returns:
        The manifest as a dict.

    Raises:
        SweepError: if ``out_dir`` holds no sweep.
    """
    store = SweepStore(out_dir)
    manifest = store.read_manifest() if store.root.is_dir() else None
    if manifest is None:
        raise SweepError.single(
            store.display,
            None,
            f"no sweep here (no {MANIFEST_FILE}); give the --out directory of a sweep",
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
        SweepError: if ``out_dir`` holds no sweep.
    """
    if table not in TABLES:
        raise FraudsimError(
            f"The 'table' parameter must be one of {', '.join(TABLES)}. Got {table!r} instead."
        )
    manifest = load_sweep_manifest(out_dir)
    store = SweepStore(out_dir)
    runs = [r for r in manifest.get("runs", []) if store.finished(r["run_id"])]
    parameters = list(manifest.get("parameters", []))
    if not runs:
        columns = [*ID_COLUMNS, *parameters]
        columns += list(contract_frame(table)["name"])
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    else:
        parts = [store.read_part(table, r["run_id"]) for r in runs]
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
