"""Writing a sweep's results: one Parquet file per run and table, each written atomically.

The layout of an output directory, and how to read it, is in :mod:`analysis.sweeps` (its
constants are imported from there, so reader and writer cannot drift apart).

One file per run (rather than one growing file per table) is what makes the directory safe to
stop at any moment: a run is written once, by a rename, and never touched again.

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

from analysis.sweeps import (
    FAILURES_DIR,
    MANIFEST_FILE,
    METADATA_KEY,
    TABLES,
    part_ok,
    part_path,
    read_sweep_manifest,
    run_finished,
)
from experiments.sweep.spec import SweepError
from simulation.errors import OutputError
from simulation.files import write_atomic

try:  # POSIX: one sweep at a time per directory. Elsewhere the lock is skipped.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["TABLES", "SweepStore"]

LOCK_FILE = ".lock"

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
        return part_path(self.root, table, run_id)

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
            OutputError: if it exists but is not a sweep manifest.
        """
        return read_sweep_manifest(self.root)

    def part_ok(self, table: str, run_id: str) -> bool:
        """Whether a part exists, its Parquet footer reads, and it belongs to ``run_id``."""
        return part_ok(self.root, table, run_id)

    def finished(self, run_id: str) -> bool:
        """Whether every table part of ``run_id`` is present and readable."""
        return run_finished(self.root, run_id)

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
