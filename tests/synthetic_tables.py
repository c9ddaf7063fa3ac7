"""Small synthetic result tables with known answers, for the analysis tests.

The frames follow the tidy sweep contract (``run_id, scenario, seed``, parameters, ``date``,
contract columns in model units), so every expected number can be worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.outputs import DAILY_COLUMNS

START = pd.Timestamp("2021-01-01")


def daily_frame(
    values: dict[str, dict[int, dict[str, np.ndarray | float]]],
    *,
    n_days: int = 20,
    start: pd.Timestamp = START,
    params: dict[str, object] | None = None,
) -> pd.DataFrame:
    """A tidy daily frame: ``values[scenario][seed][column]`` is a per-day array or a constant.

    Columns not given are zero (prices 10 yuan, shares 0), so the frame is a full daily table.
    """
    dates = pd.date_range(start, periods=n_days, freq="D")
    frames = []
    for scenario, by_seed in values.items():
        for seed, given in by_seed.items():
            frame = pd.DataFrame({"date": dates})
            for name in DAILY_COLUMNS:
                if name == "date":
                    continue
                frame[name] = 10.0 if name.endswith("price_yuan") else 0.0
            for name, value in given.items():
                frame[name] = np.broadcast_to(np.asarray(value, dtype=float), n_days).copy()
            frame.insert(0, "seed", seed)
            for position, (key, value) in enumerate((params or {}).items()):
                frame.insert(1 + position, key, value)
            frame.insert(0, "scenario", scenario)
            frame.insert(0, "run_id", f"{scenario}-{seed}")
            frames.append(frame)
    return pd.DataFrame(pd.concat(frames, ignore_index=True))


def long_frame(
    shares: dict[str, dict[int, tuple[dict[str, float], dict[str, float]]]],
    category: str,
    *,
    split: pd.Timestamp,
    n_days: int = 20,
    total: float = 100.0,
) -> pd.DataFrame:
    """A tidy long table: per scenario and seed, category shares before and after ``split``."""
    dates = pd.date_range(START, periods=n_days, freq="D")
    rows = []
    for scenario, by_seed in shares.items():
        for seed, (before, after) in by_seed.items():
            for date in dates:
                mix = before if date < split else after
                for name, share in mix.items():
                    rows.append(
                        {
                            "run_id": f"{scenario}-{seed}",
                            "scenario": scenario,
                            "seed": seed,
                            "date": date,
                            category: name,
                            "contacts": share * total,
                            "cases": share * total,
                        }
                    )
    return pd.DataFrame(rows)


def manifest_for(levers: dict[str, list[dict]], *, scale: float = 1000.0) -> dict:
    """A sweep manifest as ``sweep.json`` writes it (resolved scenarios as TOML text)."""
    scenarios = []
    for name, lever_list in levers.items():
        toml = [f'name = "{name}"', "", "[run]", f"scale = {scale}"]
        toml += ["population_national = 1_410_000_000", ""]
        for lever in lever_list:
            toml += ["[[levers]]", f'type = "{lever["type"]}"', f"start = {lever['start']}"]
            toml += [f"intensity = {lever.get('intensity', 1.0)}"]
            if "name" in lever:
                toml += [f'name = "{lever["name"]}"']
        scenarios.append(
            {
                "name": name,
                "scale": scale,
                "population_national": 1_410_000_000,
                "n_residents": round(1_410_000_000 / scale),
                "toml": "\n".join(toml) + "\n",
            }
        )
    return {"name": "synthetic", "scenarios": scenarios, "seeds": [0, 1, 2]}


def paired_frame(averted_per_day: dict[int, float], *, effort_per_day: float = 5.0):
    """Reference with seed-specific case levels; the policy has ``averted`` fewer cases a day."""
    ref = {s: {"cases": 10.0 + s, "loss_yuan": 1000.0} for s in averted_per_day}
    pol = {
        s: {
            "cases": 10.0 + s - d,
            "loss_yuan": 800.0,
            "recovered_yuan": 50.0,
            "effort_card_crackdown_hours": effort_per_day,
        }
        for s, d in averted_per_day.items()
    }
    return daily_frame({"ref": ref, "pol": pol}, n_days=20)
