"""The pinned outputs: exact digests of a few coarse runs, refreshed only on purpose.

``tests/test_pinned_outputs.py`` reruns the runs listed in :data:`PINNED_RUNS` and compares
every column of every output table with the digests in ``tests/data/pinned/outputs.json``. A
change of structure (moving code, renaming, new modules) must leave them all equal; only a
deliberate change of behaviour may refresh the file, in a commit of its own that says why::

    .venv/bin/python tests/pinned_outputs.py --refresh "why the outputs change"

Each column is digested on its own, so a failing comparison names the tables and columns that
moved, not just "something differs".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PINNED_FILE = ROOT / "tests" / "data" / "pinned" / "outputs.json"

#: (scenario file, seed, people per agent): the baseline with every lever type, three seeds,
#: and the counterfactual without levers, at a coarse scale (a few seconds each).
PINNED_RUNS: tuple[tuple[str, int, float], ...] = (
    ("scenarios/baseline.toml", 0, 1000.0),
    ("scenarios/baseline.toml", 1, 1000.0),
    ("scenarios/baseline.toml", 2, 1000.0),
    ("scenarios/no_intervention.toml", 0, 1000.0),
)


def column_digest(values: pd.Series) -> str:
    """SHA-256 of a column's exact values (bytes of numbers, text of labels), with its dtype."""
    if pd.api.types.is_datetime64_any_dtype(values):
        payload = values.to_numpy(dtype="datetime64[ns]").view(np.int64).tobytes()
    elif values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype | pd.StringDtype):
        payload = "\x1f".join(map(str, values.tolist())).encode("utf-8")
    else:
        payload = np.ascontiguousarray(values.to_numpy()).tobytes()
    digest = hashlib.sha256(str(values.dtype).encode("utf-8") + b"\x00" + payload)
    return digest.hexdigest()


def table_digests(frame: pd.DataFrame) -> dict[str, Any]:
    """Row count and one digest per column, in the frame's column order."""
    return {
        "rows": len(frame),
        "columns": {str(name): column_digest(frame[name]) for name in frame.columns},
    }


def run_digests(scenario: str, seed: int, scale: float) -> dict[str, Any]:
    """Run ``scenario`` with ``seed`` at ``scale`` and digest every output table."""
    from experiments.runs import run_scenario  # noqa: PLC0415 - the model only when asked
    from simulation.scenario import load_scenario  # noqa: PLC0415

    config = load_scenario(ROOT / scenario, {"run.scale": scale})
    result = run_scenario(config, seed)
    tables = {"daily": result.daily, **result.tables}
    return {
        "scenario": scenario,
        "seed": seed,
        "scale": scale,
        "tables": {name: table_digests(frame) for name, frame in tables.items()},
    }


def current() -> list[dict[str, Any]]:
    """Digests of every pinned run, computed now."""
    return [run_digests(*run) for run in PINNED_RUNS]


def differences(pinned: list[dict[str, Any]], now: list[dict[str, Any]]) -> list[str]:
    """Every table and column whose digest or row count differs, one line each."""
    lines: list[str] = []
    for old, new in zip(pinned, now, strict=True):
        label = f"{old['scenario']} seed {old['seed']} scale {old['scale']:g}"
        for name, table in old["tables"].items():
            other = new["tables"].get(name)
            if other is None:
                lines.append(f"{label}: table {name} is missing")
                continue
            if table["rows"] != other["rows"]:
                lines.append(f"{label}: {name} has {other['rows']} rows, pinned {table['rows']}")
            moved = [c for c, d in table["columns"].items() if other["columns"].get(c) != d]
            added = [c for c in other["columns"] if c not in table["columns"]]
            if moved:
                lines.append(f"{label}: {name} columns differ: {', '.join(moved)}")
            if added:
                lines.append(f"{label}: {name} has new columns: {', '.join(added)}")
        for name in new["tables"].keys() - old["tables"].keys():
            lines.append(f"{label}: new table {name}")
    return lines


def load_pinned() -> dict[str, Any]:
    """The pinned file: ``{"reason": ..., "runs": [...]}``."""
    return json.loads(PINNED_FILE.read_text(encoding="utf-8"))


def refresh(reason: str) -> Path:
    """Recompute every pinned run and write the file, with ``reason`` for the change."""
    PINNED_FILE.parent.mkdir(parents=True, exist_ok=True)
    data = {"reason": reason, "runs": current()}
    PINNED_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return PINNED_FILE


def main(argv: list[str] | None = None) -> int:
    """``--refresh REASON`` rewrites the pinned file; without it, compare and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", metavar="REASON", help="rewrite the pinned digests")
    args = parser.parse_args(argv)
    if args.refresh:
        print(f"wrote {refresh(args.refresh)}")
        return 0
    lines = differences(load_pinned()["runs"], current())
    print("\n".join(lines) if lines else "pinned outputs unchanged")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
