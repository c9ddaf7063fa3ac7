"""Run one scenario with one seed, and write its result tables with their provenance.

:func:`run_scenario` is the one function that runs a scenario: the command line, sweeps,
calibration, ``fraudsim targets``, benchmarks and notebooks all call it. It builds a
:class:`~simulation.model.FraudModel`, runs it, and returns the tables in model units with a
manifest that says exactly what produced them: the scenario (as data and as TOML), seed, scale,
period and the provenance record of :mod:`experiments.provenance`. With ``out_dir`` it also
writes them, in the layout :mod:`analysis.results` reads (``daily.parquet``, the long tables,
``manifest.json``; every parquet file carries the manifest in its metadata).

Writing is all or nothing: files are written into a temporary directory beside ``DIR`` and
moved into place only when all of them are complete, ``manifest.json`` last; earlier results
in ``DIR`` stay untouched when anything fails before that.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.results import MANIFEST_FILE, MANIFEST_FORMAT, PARQUET_METADATA_KEY
from experiments.provenance import provenance
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError, OutputError
from simulation.files import fsync_dir, write_atomic
from simulation.model import FraudModel
from simulation.progress import progress_bar
from simulation.scenario import scenario_to_toml

__all__ = [
    "MANIFEST_FILE",
    "MANIFEST_FORMAT",
    "PARQUET_METADATA_KEY",
    "RunResult",
    "check_out_dir",
    "run_scenario",
    "write_run",
]


@dataclasses.dataclass(frozen=True)
class RunResult:
    """The outcome of one run, in model units.

    Attributes:
        config: the resolved scenario the run used.
        seed: the run's seed.
        daily: one row per reported day; ``date`` first, then the columns of
            :data:`simulation.outputs.DAILY_COLUMNS`.
        tables: the long tables by name (``by_type``, ``by_channel``, ``by_victim``).
        manifest: provenance (see :func:`run_scenario`), JSON-serialisable.
    """

    config: ScenarioConfig
    seed: int
    daily: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any]

    @property
    def scale(self) -> float:
        """Real people per resident agent of this run."""
        return float(self.config.run.scale)


def _table_info(frame: pd.DataFrame) -> dict[str, Any]:
    return {"rows": len(frame), "columns": [str(c) for c in frame.columns]}


def _manifest(
    config: ScenarioConfig,
    seed: int,
    n_days: int,
    daily: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    *,
    created: dt.datetime,
    wall_time_s: float,
    check_invariants: bool,
) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        # Ties the files of one run together: a reader can tell a mixed directory.
        "run_id": uuid.uuid4().hex,
        "scenario_name": config.name,
        "seed": seed,
        "scale": float(config.run.scale),
        "units": "model (multiply counts and money by scale for national equivalents)",
        "period": {
            "start": config.run.start.isoformat(),
            "end": config.run.end.isoformat(),
            "n_days": n_days,
            "burn_in_days": config.run.burn_in_days,
        },
        "check_invariants": check_invariants,
        **provenance(created),
        "wall_time_seconds": round(wall_time_s, 3),
        "tables": {"daily": _table_info(daily)} | {k: _table_info(v) for k, v in tables.items()},
        "scenario": config.model_dump(mode="json"),
        "scenario_toml": scenario_to_toml(config),
    }


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise FraudsimError(f"The 'seed' parameter must be an integer >= 0. Got {seed!r} instead.")
    return seed


def run_scenario(
    config: ScenarioConfig,
    seed: int,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
    check_invariants: bool = False,
) -> RunResult:
    """Run ``config`` with ``seed`` and return (and optionally write) its results.

    Args:
        config: the resolved scenario (see :func:`simulation.scenario.load_scenario`).
        seed: the run's one seed (integer >= 0); every random stream derives from it.
        out_dir: directory to write the tables and manifest to; ``None`` writes nothing.
            It is checked before the run starts, so an unwritable place fails fast.
        progress: show a progress bar over reported days on stderr.
        check_invariants: have the model check its invariants every day (slower).

    Returns:
        The tables in model units and the manifest: scenario name, resolved scenario (dict
        and TOML text), seed, scale, period, the provenance record
        (:func:`experiments.provenance.provenance`: UTC creation time, versions of fraudsim,
        Python and the main libraries, platform, git commit, code digest) and wall time (s).

    Raises:
        FraudsimError: if ``seed`` is not a non-negative integer.
        OutputError: if ``out_dir`` cannot be written; earlier results there stay intact.
        InvariantError: if ``check_invariants`` is on and the model breaks one.
    """
    seed = _check_seed(seed)
    if out_dir is not None:
        check_out_dir(out_dir)
    created = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    model = FraudModel(config, rng=seed, check_invariants=check_invariants)
    with progress_bar(enabled=progress, total=model.n_days, unit="day", desc=config.name) as bar:
        model.run(progress=bar.update if progress else None)
    daily = model.daily_frame()
    tables = dict(model.table_frames())
    manifest = _manifest(
        config,
        seed,
        model.n_days,
        daily,
        tables,
        created=created,
        wall_time_s=time.perf_counter() - started,
        check_invariants=check_invariants,
    )
    result = RunResult(config=config, seed=seed, daily=daily, tables=tables, manifest=manifest)
    if out_dir is not None:
        write_run(result, out_dir)
    return result


def _describe(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason} ({exc.filename})" if exc.filename else reason


def check_out_dir(out_dir: str | os.PathLike[str]) -> Path:
    """Make sure results can be written to ``out_dir``, creating its parents if needed.

    Args:
        out_dir: the directory a run will write to (it need not exist yet).

    Returns:
        ``out_dir`` as an absolute path with symlinks resolved.

    Raises:
        OutputError: naming the path and the reason, if it cannot be written.
    """
    target = Path(out_dir).resolve()
    try:
        # The nearest existing ancestor decides: a file there means no directory can be made.
        existing = next(p for p in (target, *target.parents) if p.exists())
        if not existing.is_dir():
            where = "it" if existing == target else f"'{existing}'"
            raise OutputError(
                f"cannot write results to '{out_dir}': {where} exists and is not a directory",
                str(out_dir),
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        # A real file creation is the only honest test (permissions, read-only mounts, quotas).
        probe = tempfile.mkdtemp(prefix=f".{target.name}.probe-", dir=target.parent)
        os.rmdir(probe)
        if target.is_dir():
            fd, name = tempfile.mkstemp(prefix=".probe-", dir=target)
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        raise OutputError(
            f"cannot write results to '{out_dir}': {_describe(exc)}", str(out_dir)
        ) from exc
    return target


def _parquet_bytes(frame: pd.DataFrame, manifest_json: bytes) -> bytes:
    """A table as a Parquet file, with the run's manifest in its metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[PARQUET_METADATA_KEY] = manifest_json
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(metadata), sink)
    return sink.getvalue().to_pybytes()


def write_run(result: RunResult, out_dir: str | os.PathLike[str]) -> Path:
    """Write a run's tables and manifest to ``out_dir``, all or nothing.

    The files are written and synced in a temporary directory created beside ``out_dir``
    (same filesystem, so moves are atomic renames), then moved in: the parquet files first,
    ``manifest.json`` last. Each earlier file of the same name is first moved aside; if a move
    fails, the new files are taken out again and the earlier ones put back. Other files in
    ``out_dir`` are left alone.

    Args:
        result: what to write.
        out_dir: target directory; created (with parents) if missing.

    Returns:
        ``out_dir`` as an absolute path.

    Raises:
        OutputError: naming the path and the reason, if anything cannot be written. Earlier
            results in ``out_dir`` are then unchanged.
    """
    target = check_out_dir(out_dir)
    manifest_text = json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n"
    manifest_bytes = manifest_text.encode("utf-8")
    frames = {"daily": result.daily, **result.tables}
    names = [f"{name}.parquet" for name in frames]
    staging: Path | None = None
    keep_staging = False  # True when earlier files could not be put back: never delete them
    placed: list[str] = []  # new files moved into the target
    saved: list[str] = []  # earlier files moved aside
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
        # Synced before they are moved in, so that a crash right after a move cannot leave a
        # complete name over incomplete data.
        for name, frame in frames.items():
            write_atomic(staging / f"{name}.parquet", _parquet_bytes(frame, manifest_bytes))
        write_atomic(staging / MANIFEST_FILE, manifest_bytes)
        target.mkdir(exist_ok=True)
        aside = staging / "previous"
        aside.mkdir()
        for name in [*names, MANIFEST_FILE]:
            if (target / name).exists():
                os.replace(target / name, aside / name)
                saved.append(name)
            os.replace(staging / name, target / name)
            placed.append(name)
        fsync_dir(target)
    except OSError as exc:
        if staging is None or _put_back(target, staging / "previous", placed, saved):
            state = "earlier results there are unchanged"
        else:
            keep_staging = True
            state = (
                f"{len(placed)} of {len(names) + 1} files were replaced and the earlier ones "
                f"could not all be put back: they are kept in '{staging / 'previous'}'; the "
                "run_id in each file's metadata tells which belong together"
            )
        raise OutputError(
            f"cannot write results to '{out_dir}': {_describe(exc)}; {state}", str(out_dir)
        ) from exc
    finally:
        if staging is not None and not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _put_back(target: Path, aside: Path, placed: list[str], saved: list[str]) -> bool:
    """Undo a partial move into ``target``; True if the earlier files are all back."""
    ok = True
    for name in placed:
        if name not in saved:
            try:
                (target / name).unlink()
            except OSError:
                ok = False
    for name in saved:
        try:
            os.replace(aside / name, target / name)
        except OSError:
            ok = False
    return ok
