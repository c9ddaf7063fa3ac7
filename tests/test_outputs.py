"""The output column contract, national equivalents, the run summary, and writing results.

These tests use small synthetic tables, so they check the output layer without running the
model (the end-to-end run is in test_cli.py).
"""

from __future__ import annotations

import errno
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.results import load_run
from experiments import runs as runner
from experiments.runs import MANIFEST_FILE, PARQUET_METADATA_KEY, RunResult, write_run
from simulation.config import ScenarioConfig
from simulation.errors import OutputError
from simulation.levers import LEVER_TYPES
from simulation.outputs import (
    DAILY_COLUMNS,
    LONG_TABLES,
    SUMMARY_ROWS,
    column_scales,
    contract_frame,
    format_summary,
    summary_table,
    to_national,
)

UNSCALED = {
    "date",
    "card_price_yuan",
    "phone_card_price_yuan",
    "overseas_share",
    "mean_awareness",
}


def synthetic_daily(n_days: int = 5, seed: int = 0) -> pd.DataFrame:
    """A daily table with every contract column: integer counts, float prices and shares."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {"date": pd.date_range("2021-01-01", periods=n_days, freq="D")}
    for name in DAILY_COLUMNS:
        if name != "date":
            data[name] = rng.integers(0, 1000, n_days)
    data["card_price_yuan"] = rng.uniform(50.0, 150.0, n_days)
    data["phone_card_price_yuan"] = rng.uniform(20.0, 80.0, n_days)
    data["overseas_share"] = rng.uniform(0.0, 1.0, n_days)
    data["mean_awareness"] = rng.uniform(0.0, 1.0, n_days)
    return pd.DataFrame(data)


def synthetic_tables(n_days: int = 5) -> dict[str, pd.DataFrame]:
    dates = pd.date_range("2021-01-01", periods=n_days, freq="D")
    by_type = pd.DataFrame(
        {"date": dates.repeat(2), "fraud_type": ["rebate", "killing_pigs"] * n_days,
         "cases": np.arange(2 * n_days), "loss_yuan": np.arange(2 * n_days) * 10.0}
    )  # fmt: skip
    by_channel = pd.DataFrame(
        {"date": dates, "channel": "call", "contacts": np.arange(n_days), "cases": 1}
    )
    by_victim = pd.DataFrame(
        {"date": dates, "dimension": "group", "category": "elderly", "cases": 2, "loss_yuan": 5.0}
    )
    return {"by_type": by_type, "by_channel": by_channel, "by_victim": by_victim}


def synthetic_result(seed: int = 0, run_id: str = "a") -> RunResult:
    config = ScenarioConfig(name="synthetic")
    manifest = {"run_id": run_id, "seed": seed, "scale": config.run.scale,
                "tables": {"daily": {}, "by_type": {}, "by_channel": {}, "by_victim": {}},
                "scenario": config.model_dump(mode="json")}  # fmt: skip
    return RunResult(
        config=config,
        seed=seed,
        daily=synthetic_daily(seed=seed),
        tables=synthetic_tables(),
        manifest=manifest,
    )


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# --- the contract --------------------------------------------------------------------------


def test_contract_marks_prices_shares_and_means_unscaled():
    unscaled = {name for name, col in DAILY_COLUMNS.items() if not col.scales}
    assert unscaled == UNSCALED, f"unscaled columns should be {UNSCALED}, got {unscaled}"


def test_contract_has_unit_and_meaning_for_every_column():
    for name, col in DAILY_COLUMNS.items():
        assert col.name == name, f"contract key {name!r} holds column {col.name!r}"
        assert col.unit, f"column {name!r} lacks a unit"
        assert col.meaning, f"column {name!r} lacks a meaning"
    money = [n for n in DAILY_COLUMNS if n.endswith("_yuan")]
    assert all(DAILY_COLUMNS[n].unit.startswith("yuan") for n in money), (
        f"every *_yuan column should have a yuan unit: {money}"
    )


def test_contract_lists_effort_for_every_lever_type():
    for lever_type in LEVER_TYPES:
        name = f"effort_{lever_type}_hours"
        assert name in DAILY_COLUMNS, f"{name} missing from the contract"
        assert DAILY_COLUMNS[name].unit == "officer-hours"


def test_long_tables_share_meanings_with_daily_and_keep_categories_unscaled():
    for table, columns in LONG_TABLES.items():
        names = [c.name for c in columns]
        assert names[0] == "date", f"{table} should start with date"
        for col in columns:
            if col.name in DAILY_COLUMNS:
                assert col == DAILY_COLUMNS[col.name], f"{table}.{col.name} differs from daily"
            elif col.unit == "category":
                assert not col.scales, f"{table}.{col.name} is a category: it must not scale"
        frame = contract_frame(table)
        assert list(frame["name"]) == names, f"contract_frame({table!r}) should list {names}"
    assert list(contract_frame()["name"]) == list(DAILY_COLUMNS)
    with pytest.raises(KeyError, match="no result table"):
        contract_frame("by_month")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cases", True),
        ("loss_yuan", True),
        ("card_price_yuan", False),
        ("overseas_share", False),
        ("mean_awareness", False),
        ("crypto_share", False),  # undocumented: judged by its name
        ("mean_loss_yuan", False),
        ("p_report", False),
        ("cases_per_100k", False),
        ("mules_frozen", True),
        ("blocked", True),  # by_channel
        ("fraud_type", False),
    ],
)
def test_column_scales(name, expected):
    assert column_scales(name) is expected, f"column_scales({name!r}) should be {expected}"


# --- to_national ---------------------------------------------------------------------------


def test_to_national_scales_counts_and_money_not_prices_or_shares():
    daily = synthetic_daily()
    before = daily.copy()
    national = to_national(daily, 1000.0)
    pd.testing.assert_frame_equal(daily, before, obj="input frame (must not be changed)")
    for name in DAILY_COLUMNS:
        if name in UNSCALED:
            pd.testing.assert_series_equal(national[name], daily[name], obj=f"unscaled {name}")
        else:
            np.testing.assert_allclose(
                national[name], daily[name] * 1000.0, err_msg=f"{name} should be x1000"
            )
            assert national[name].dtype == np.float64, f"{name} should become float64"
    assert national.attrs["units"] == "national"
    assert list(national.columns) == list(daily.columns), "column order must be kept"


def test_to_national_on_long_tables_leaves_categories():
    tables = synthetic_tables()
    national = to_national(tables["by_victim"], 20.0)
    assert (national["dimension"] == "group").all(), "category columns must be untouched"
    assert (national["category"] == "elderly").all()
    np.testing.assert_allclose(national["cases"], 40.0, err_msg="2 cases x 20 = 40")
    np.testing.assert_allclose(national["loss_yuan"], 100.0, err_msg="5 yuan x 20 = 100")
    pd.testing.assert_series_equal(national["date"], tables["by_victim"]["date"])


@pytest.mark.parametrize("scale", [0, -1.0, math.nan, math.inf, "1000", True, None])
def test_to_national_refuses_bad_scale(scale):
    with pytest.raises(ValueError, match="'scale' parameter"):
        to_national(synthetic_daily(), scale)


def test_to_national_refuses_to_scale_twice():
    once = to_national(synthetic_daily(), 10.0)
    with pytest.raises(ValueError, match="already in national"):
        to_national(once, 10.0)


@settings(max_examples=50, deadline=None)
@given(
    scale=st.floats(min_value=1.0, max_value=1e7, allow_nan=False),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_to_national_is_linear_in_scale(scale, seed):
    daily = synthetic_daily(n_days=3, seed=seed)
    national = to_national(daily, scale)
    for name in DAILY_COLUMNS:
        if name == "date":
            continue
        factor = 1.0 if name in UNSCALED else scale
        np.testing.assert_allclose(
            national[name].to_numpy(dtype=float),
            daily[name].to_numpy(dtype=float) * factor,
            rtol=1e-12,
            err_msg=f"{name} at scale {scale}",
        )


# --- summary -------------------------------------------------------------------------------


def test_summary_totals_are_national_and_last_day_values_unscaled():
    daily = synthetic_daily(n_days=4)
    table = summary_table(daily, 50.0).set_index("column")
    assert table.loc["cases", "value"] == pytest.approx(daily["cases"].sum() * 50.0)
    assert table.loc["loss_yuan", "value"] == pytest.approx(daily["loss_yuan"].sum() * 50.0)
    assert table.loc["card_price_yuan", "value"] == pytest.approx(daily["card_price_yuan"].iloc[-1])
    assert table.loc["overseas_share", "value"] == pytest.approx(daily["overseas_share"].iloc[-1])
    assert len(table) == len(SUMMARY_ROWS), "one line per summary row"
    text = format_summary(summary_table(daily, 50.0))
    for row in SUMMARY_ROWS:
        assert row.label in text, f"summary text lacks {row.label!r}"


def test_summary_names_missing_columns():
    with pytest.raises(KeyError, match="surrenders"):
        summary_table(synthetic_daily().drop(columns=["surrenders"]), 1.0)


# --- writing and reading results -----------------------------------------------------------


def test_write_run_writes_all_files_with_provenance(tmp_path):
    out = tmp_path / "a" / "b" / "run"  # parents are created
    result = synthetic_result()
    write_run(result, out)
    names = sorted(p.name for p in out.iterdir())
    expected = ["by_channel.parquet", "by_type.parquet", "by_victim.parquet", "daily.parquet",
                MANIFEST_FILE]  # fmt: skip
    assert names == expected, f"expected exactly {expected}, got {names}"
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest == result.manifest, "manifest.json should hold the run's manifest"
    embedded = pq.read_schema(out / "daily.parquet").metadata[PARQUET_METADATA_KEY]
    assert json.loads(embedded) == result.manifest, "daily.parquet should carry the manifest"
    leftovers = [p.name for p in out.parent.iterdir() if p.name != "run"]
    assert leftovers == [], f"no temporary directories should remain: {leftovers}"


def test_load_run_round_trips(tmp_path):
    result = synthetic_result()
    write_run(result, tmp_path / "run")
    loaded = load_run(tmp_path / "run")
    pd.testing.assert_frame_equal(loaded.daily, result.daily, obj="daily")
    for name, frame in result.tables.items():
        pd.testing.assert_frame_equal(loaded.tables[name], frame, obj=name)
    assert loaded.config == result.config, "the scenario should come back equal"
    assert loaded.scenario == result.manifest["scenario"], "and as recorded"
    assert loaded.seed == result.seed
    assert loaded.manifest == result.manifest
    np.testing.assert_allclose(loaded.national()["cases"], result.daily["cases"] * loaded.scale)


def test_load_run_reads_a_run_whose_parameters_have_since_changed(tmp_path):
    result = synthetic_result()
    write_run(result, tmp_path / "run")
    path = tmp_path / "run" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    # As if the run predated a rename: p_dissuade was then called p_talk_out.
    police = manifest["scenario"]["police"]
    police["p_talk_out"] = police.pop("p_dissuade")
    path.write_text(json.dumps(manifest), encoding="utf-8")
    loaded = load_run(tmp_path / "run")
    assert loaded.config is None, "a scenario today's parameters refuse has no config"
    assert loaded.scenario["police"]["p_talk_out"] == result.config.police.p_dissuade, (
        "the scenario should come back as the run recorded it"
    )
    assert loaded.name == result.config.name, "the name is read from the manifest"
    pd.testing.assert_frame_equal(loaded.daily, result.daily, obj="daily")
    assert loaded.scale == result.scale, "the scale is read from the manifest"


def test_load_run_refuses_files_of_two_runs(tmp_path):
    write_run(synthetic_result(run_id="first"), tmp_path / "one")
    write_run(synthetic_result(run_id="second"), tmp_path / "two")
    os.replace(tmp_path / "two" / "by_type.parquet", tmp_path / "one" / "by_type.parquet")
    with pytest.raises(OutputError, match="does not belong"):
        load_run(tmp_path / "one")


def test_failed_write_leaves_earlier_results_intact(tmp_path, full_disk):
    out = tmp_path / "run"
    write_run(synthetic_result(run_id="old"), out)
    before = snapshot(out)
    full_disk(after=2)  # the third file: after two complete ones, so cleanup matters
    with pytest.raises(OutputError) as info:
        write_run(synthetic_result(seed=1, run_id="new"), out)
    message = str(info.value)
    assert str(out) in message, f"message should name the directory: {message}"
    assert "No space left on device" in message, f"message should say why: {message}"
    assert "unchanged" in message, f"message should say earlier results are intact: {message}"
    assert snapshot(out) == before, "earlier results must be byte-for-byte unchanged"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "run"]
    assert leftovers == [], f"the partial write must be cleaned up: {leftovers}"
    assert load_run(out).manifest["run_id"] == "old"


def test_failed_move_leaves_earlier_results_intact(tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_run(synthetic_result(run_id="old"), out)
    before = snapshot(out)

    def cross_device(src, dst):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src))

    monkeypatch.setattr(runner.os, "replace", cross_device)
    with pytest.raises(OutputError, match="unchanged"):
        write_run(synthetic_result(run_id="new"), out)
    monkeypatch.undo()
    assert snapshot(out) == before, "earlier results must be unchanged"


def test_write_run_replaces_earlier_results(tmp_path):
    out = tmp_path / "run"
    write_run(synthetic_result(seed=0, run_id="old"), out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    write_run(synthetic_result(seed=1, run_id="new"), out)
    assert load_run(out).manifest["run_id"] == "new", "the new results should be in place"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine", "other files are kept"


def test_write_run_to_a_file_path_is_an_output_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a directory") as info:
        write_run(synthetic_result(), blocker)
    assert info.value.path == str(blocker)
    with pytest.raises(OutputError, match=r"file\.txt' exists and is not a directory"):
        write_run(synthetic_result(), blocker / "sub" / "run")
    assert blocker.read_text(encoding="utf-8") == "x", "the file must be untouched"


def test_analysis_never_imports_the_model():
    code = (
        "import sys, analysis.results; "
        "sys.exit('simulation.model' in sys.modules or 'mesa' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"analysis.results must not import the model: {done.stderr}"


def test_to_national_leaves_sweep_identity_columns_alone():
    frame = pd.DataFrame(
        {
            "run_id": ["a", "b"],
            "scenario": ["x", "x"],
            "seed": [0, 1],
            "police.p_dissuade": [0.3, 0.6],
            "levers.0.intensity": [1.0, 2.0],
            "cases": [2, 3],
        }
    )
    national = to_national(frame, 1000.0)
    assert national["seed"].tolist() == [0, 1], "expected the seed column to stay as it was"
    assert national["police.p_dissuade"].tolist() == [0.3, 0.6], (
        "expected a varied parameter column to stay as it was"
    )
    assert national["levers.0.intensity"].tolist() == [1.0, 2.0], (
        "expected a lever parameter column to stay as it was"
    )
    assert national["cases"].tolist() == [2000.0, 3000.0], "expected cases to scale by 1000"
