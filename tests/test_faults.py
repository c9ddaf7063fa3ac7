"""Faults: broken invariants, failing runs, killed processes, broken files, full and read-only
disks. Nothing is lost, nothing is half-written, and every failure says what happened.

- ``fraudsim run --check-invariants`` checks every simulated day; a state corrupted on one day
  stops the run with exit code 1 (a model bug, not a user mistake) and a message naming the
  invariant, the day and the numbers, and leaves earlier results in ``--out`` untouched.
- ``fraudsim run`` on a full disk (ENOSPC while writing), on a read-only directory (a refused
  rename) or under a regular file exits 2 with a clear message and leaves earlier results
  intact. Tests run as root, where ``chmod`` does not stop writes, so full and read-only disks
  are simulated by making the write or the rename fail.
- ``fraudsim sweep``: runs raise (the sweep's ``FRAUDSIM_SWEEP_FAULT`` hook), the sweep
  process is killed with SIGKILL mid-way, part files are truncated or emptied and temporary
  files left behind; running it again completes the sweep with every run present exactly once.
  A full or read-only disk during a sweep stops it with a clear message, keeps the runs stored
  before, and a rerun completes it.

The runs are tiny (1 agent = 100,000 people, 10 reported days after 5 days of burn-in).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analysis.sweeps import TABLES, load_sweep, load_sweep_manifest
from experiments import runs as runner
from experiments.sweep import load_sweep_spec
from experiments.sweep.driver import FAULT_ENV
from experiments.sweep.store import SweepStore
from simulation.model import FraudModel

N_DAYS = 10
BURN_IN = 5
SCENARIO = f"""\
name = "faulty"
[run]
start = 2021-01-01
end = 2021-01-{N_DAYS:02d}
burn_in_days = {BURN_IN}
scale = 100000.0
[[levers]]
type = "early_warning"
start = 2021-01-03
"""


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, f"no traceback expected on stderr:\n{stderr}"


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "faulty.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture
def earlier(tmp_path, scenario, call) -> tuple[Path, dict[str, bytes]]:
    """An output directory holding the results of an earlier, successful run."""
    out = tmp_path / "results" / "faulty"
    code, _, stderr = call(["run", str(scenario), "--quiet", "--seed", "1", "--out", str(out)])
    assert code == 0, f"the earlier run should succeed: {stderr}"
    return out, snapshot(out)


def assert_intact(out: Path, before: dict[str, bytes], what: str) -> None:
    assert snapshot(out) == before, f"{what}: the earlier results in {out} should be unchanged"
    stray = sorted(p.name for p in out.parent.iterdir() if p != out)
    assert not stray, f"{what}: no staging or temporary directory should remain: {stray}"


# ---------------------------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------------------------


def test_check_invariants_checks_every_simulated_day(tmp_path, scenario, monkeypatch, call):
    calls: list[str] = []
    real = FraudModel.verify_invariants

    def counting(self):
        calls.append(self.today.isoformat())
        real(self)

    monkeypatch.setattr(FraudModel, "verify_invariants", counting)
    out = tmp_path / "checked"
    code, _, stderr = call(["run", str(scenario), "--quiet", "--check-invariants", "--out",
                            str(out)])  # fmt: skip
    assert code == 0, f"a sound run with --check-invariants should succeed: {stderr}"
    assert len(calls) == BURN_IN + N_DAYS, (
        f"every simulated day ({BURN_IN} burn-in + {N_DAYS} reported) should be checked, "
        f"got {len(calls)}: {calls}"
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["check_invariants"] is True, "the manifest should record the check"
    calls.clear()
    code, _, _ = call(["run", str(scenario), "--quiet", "--out", str(tmp_path / "unchecked")])
    assert code == 0, "the run without the flag should succeed too"
    assert calls == [], f"without --check-invariants nothing is checked, got {calls}"


def test_broken_invariant_stops_the_run_and_writes_nothing(earlier, scenario, monkeypatch, call):
    out, before = earlier
    broken_on = "2021-01-04"
    real = FraudModel.verify_invariants

    def corrupt_then_check(self):
        if self.today.isoformat() == broken_on:
            self.residents.savings_yuan[0] += 1234.0  # money out of nowhere
        real(self)

    monkeypatch.setattr(FraudModel, "verify_invariants", corrupt_then_check)
    code, stdout, stderr = call(["run", str(scenario), "--quiet", "--check-invariants",
                                 "--out", str(out)])  # fmt: skip
    assert code == 1, f"a broken invariant is a model bug: exit code 1, got {code}: {stderr}"
    assert f"invariant 'money conserved' broken on day {broken_on}" in stderr, (
        f"the message should name the invariant and the day: {stderr}"
    )
    numbers = re.search(r"total ([\d.]+) yuan, expected ([\d.]+)", stderr)
    assert numbers, f"the message should give the numbers: {stderr}"
    gap = float(numbers.group(1)) - float(numbers.group(2))
    assert gap == pytest.approx(1234.0, abs=0.01), f"the numbers should differ by 1234: {stderr}"
    assert "bug in the model" in stderr, f"the message should say whose fault it is: {stderr}"
    assert stdout == "", f"no summary should be printed for a broken run: {stdout!r}"
    assert_no_traceback(stderr)
    assert_intact(out, before, "a broken invariant")


def test_broken_invariant_goes_unnoticed_without_the_flag(tmp_path, scenario, monkeypatch, call):
    """The check is what stops the run: the same corruption without it runs to the end."""

    def corrupt(self):
        self.residents.savings_yuan[0] += 1234.0

    monkeypatch.setattr(FraudModel, "verify_invariants", corrupt)
    code, _, stderr = call(["run", str(scenario), "--quiet", "--out", str(tmp_path / "o")])
    assert code == 0, f"without --check-invariants the run should not check: {stderr}"


# ---------------------------------------------------------------------------------------------
# fraudsim run: full disk, read-only directory, a file in the way
# ---------------------------------------------------------------------------------------------


def test_run_on_a_full_disk(earlier, scenario, full_disk, call):
    out, before = earlier
    full_disk(after=1)  # the second file hits a full disk half way through
    code, stdout, stderr = call(["run", str(scenario), "--quiet", "--out", str(out)])
    assert code == 2, f"a full disk is an output problem: exit code 2, got {code}: {stderr}"
    assert "No space left on device" in stderr, f"the message should say why: {stderr}"
    assert str(out) in stderr, f"the message should name the directory: {stderr}"
    assert "earlier results there are unchanged" in stderr, f"and what became of it: {stderr}"
    assert stdout == "", f"nothing should be reported as written: {stdout!r}"
    assert_no_traceback(stderr)
    assert_intact(out, before, "a full disk")


def test_run_on_a_read_only_directory(earlier, scenario, monkeypatch, call):
    out, before = earlier
    real = os.replace

    def read_only(src, dst, *args, **kwargs):
        # Renaming into or out of a read-only directory both need write permission on it.
        if out.resolve() in (Path(src).parent, Path(dst).parent):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", read_only)
    code, stdout, stderr = call(["run", str(scenario), "--quiet", "--out", str(out)])
    assert code == 2, f"a read-only directory is an output problem: exit 2, got {code}: {stderr}"
    assert "Permission denied" in stderr, f"the message should say why: {stderr}"
    assert "earlier results there are unchanged" in stderr, f"and what became of it: {stderr}"
    assert stdout == "", f"nothing should be reported as written: {stdout!r}"
    assert_no_traceback(stderr)
    assert_intact(out, before, "a read-only directory")


def test_run_failing_while_moving_files_in_puts_the_earlier_results_back(
    earlier, scenario, monkeypatch, call
):
    """A failure between the renames is undone: the earlier run's files are all back."""
    out, before = earlier
    real = os.replace
    moved: list[str] = []

    def fail_third_once(src, dst, *args, **kwargs):
        if Path(dst).parent == out.resolve() and Path(src).parent.name != "previous":
            moved.append(Path(dst).name)
            if len(moved) == 3:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", fail_third_once)
    code, _, stderr = call(["run", str(scenario), "--quiet", "--out", str(out)])
    assert code == 2, f"exit code 2 expected, got {code}: {stderr}"
    assert len(moved) >= 3, f"the third move should have been attempted: {moved}"
    assert "earlier results there are unchanged" in stderr, f"the message should say so: {stderr}"
    assert_intact(out, before, "a failure between the renames")
    leftovers = sorted(p.name for p in out.parent.iterdir() if p != out)
    assert not leftovers, f"no staging directory should remain: {leftovers}"


def test_run_failing_to_put_files_back_says_what_was_replaced(earlier, scenario, monkeypatch, call):
    """If even the undo fails, the message says how far the move got."""
    out, _ = earlier
    real = os.replace
    moved: list[str] = []

    def fail_from_third(src, dst, *args, **kwargs):
        if Path(dst).parent == out.resolve():
            if len(moved) >= 2:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
            moved.append(Path(dst).name)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", fail_from_third)
    code, _, stderr = call(["run", str(scenario), "--quiet", "--out", str(out)])
    assert code == 2, f"exit code 2 expected, got {code}: {stderr}"
    assert "2 of 5 files were replaced" in stderr, f"the message should say how many: {stderr}"
    assert "run_id" in stderr, f"and how to tell which files belong together: {stderr}"
    kept = [p for p in out.parent.iterdir() if p != out]
    assert len(kept) == 1, f"the staging directory with the earlier files should be kept: {kept}"
    earlier_files = sorted(p.name for p in (kept[0] / "previous").iterdir())
    # daily and by_type were replaced; by_channel was moved aside before its move failed.
    assert earlier_files == ["by_channel.parquet", "by_type.parquet", "daily.parquet"], (
        f"the three earlier files moved aside should be kept there: {earlier_files}"
    )
    assert str(kept[0] / "previous") in stderr, f"the message should say where: {stderr}"


def test_run_with_out_under_a_regular_file(tmp_path, scenario, monkeypatch, call):
    blocker = tmp_path / "a_file"
    blocker.write_text("keep me", encoding="utf-8")

    def must_not_run(*args, **kwargs):
        raise AssertionError("the model must not run when its output cannot be written")

    monkeypatch.setattr(runner, "FraudModel", must_not_run)
    code, _, stderr = call(["run", str(scenario), "--quiet", "--out", str(blocker / "sub")])
    assert code == 2, f"--out under a file should exit 2, got {code}: {stderr}"
    assert "not a directory" in stderr, f"the message should say why: {stderr}"
    assert str(blocker / "sub") in stderr, f"the message should name the path: {stderr}"
    assert blocker.read_text(encoding="utf-8") == "keep me", "the file must be left alone"
    assert_no_traceback(stderr)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod; simulated above")
def test_run_on_a_really_read_only_directory(
    earlier, scenario, call
):  # pragma: no cover - non-root
    out, before = earlier
    out.chmod(0o555)
    out.parent.chmod(0o555)
    try:
        code, _, stderr = call(["run", str(scenario), "--quiet", "--out", str(out)])
    finally:
        out.parent.chmod(0o755)
        out.chmod(0o755)
    assert code == 2, f"a read-only directory should exit 2, got {code}: {stderr}"
    assert_intact(out, before, "a read-only directory")


# ---------------------------------------------------------------------------------------------
# fraudsim sweep
# ---------------------------------------------------------------------------------------------


def write_sweep(directory: Path, scenario: Path, seeds: int, points: int) -> Path:
    values = ", ".join(f"{0.5 * i:.1f}" for i in range(points))
    path = directory / "faults_sweep.toml"
    path.write_text(
        f'name = "faults"\nscenarios = [{json.dumps(str(scenario))}]\nseeds = {seeds}\n'
        f'[grid]\n"levers.0.intensity" = [{values}]\n',
        encoding="utf-8",
    )
    return path


def sweep_argv(spec: Path, out: Path) -> list[str]:
    return ["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]


def assert_every_run_once(out: Path, spec) -> None:
    """Every run of ``spec`` finished, once, in every table; no temporary file left."""
    store = SweepStore(out)
    ids = {run.run_id for run in spec.runs}
    for table in TABLES:
        parts = sorted(p.name for p in (out / table).iterdir())
        expected = sorted(f"run_id={i}.parquet" for i in ids)
        assert parts == expected, f"{table}: one part per run expected, got {parts}"
    unfinished = sorted(i for i in ids if not store.finished(i))
    assert not unfinished, f"every part should read back with its run id: {unfinished}"
    daily = load_sweep(out)
    per_run = daily.groupby("run_id").size().to_dict()
    assert set(per_run) == ids, f"the daily table should hold every run: {sorted(per_run)}"
    assert set(per_run.values()) == {N_DAYS}, f"each run exactly once ({N_DAYS} days): {per_run}"
    temporary = sorted(str(p.relative_to(out)) for p in out.rglob("*.tmp"))
    assert not temporary, f"no temporary file should remain: {temporary}"
    assert not list((out / "failures").iterdir()), "no failure record should remain"
    manifest = load_sweep_manifest(out)
    assert manifest["status"] == "complete", f"sweep.json should say complete: {manifest}"
    assert manifest["counts"]["finished"] == len(ids), f"counts: {manifest['counts']}"


def stored_runs(out: Path) -> int:
    """Runs whose last part (by_victim) or failure record is in place."""
    parts = len(list((out / "by_victim").glob("run_id=*.parquet"))) if out.exists() else 0
    failed = len(list((out / "failures").glob("*.json"))) if out.exists() else 0
    return parts + failed


def test_sweep_survives_failing_runs_sigkill_and_broken_files(
    tmp_path, scenario, monkeypatch, call
):
    spec_path = write_sweep(tmp_path, scenario, seeds=4, points=3)
    spec = load_sweep_spec(spec_path)
    out = tmp_path / "sweep"
    raising = [spec.runs[1].run_id, spec.runs[7].run_id]

    # Session 1: two runs raise; the sweep is killed with SIGKILL after a few runs are stored.
    env = {**os.environ, FAULT_ENV: ",".join(f"raise:{r}" for r in raising)}
    process = subprocess.Popen(
        [sys.executable, "-m", "experiments", *sweep_argv(spec_path, out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while stored_runs(out) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    still_running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert still_running, "the sweep should still be running when killed (make the runs longer)"
    killed_at = stored_runs(out)
    assert 3 <= killed_at < spec.n_runs, f"killed mid-way: {killed_at} of {spec.n_runs} stored"
    assert load_sweep_manifest(out)["status"] == "running", "a killed sweep never says done"

    # Broken files: a truncated part, an empty part, stray temporary files.
    finished = sorted(p for p in (out / "daily").glob("run_id=*.parquet"))
    assert len(finished) >= 2, f"at least two finished runs to break: {finished}"
    truncated, emptied = finished[0], finished[1]
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    emptied.write_bytes(b"")
    (out / "by_type" / f".{finished[0].name}.deadbeef.tmp").write_bytes(b"half a part")
    (out / ".sweep.json.cafebabe.tmp").write_text("{", encoding="utf-8")

    # Session 2: one of the raising runs still raises; everything else is done or redone.
    monkeypatch.setenv(FAULT_ENV, f"raise:{raising[0]}")
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    monkeypatch.delenv(FAULT_ENV)
    assert code == 1, f"a run still failing gives exit code 1, got {code}: {stderr}\n{stdout}"
    assert "failed: 1" in stdout, f"the summary should count the failure: {stdout}"
    assert re.search(r"cleaned: [1-9]\d* leftover", stdout), f"and the cleaning: {stdout}"
    assert_no_traceback(stderr)
    record = json.loads((out / "failures" / f"{raising[0]}.json").read_text(encoding="utf-8"))
    assert record["error"]["type"] == "RuntimeError", f"the failure is recorded: {record}"
    for part in (truncated, emptied):
        assert pq.read_metadata(part).num_rows == N_DAYS, f"{part.name} should be redone whole"
    assert not list(out.rglob("*.tmp")), "stray temporary files should be removed"

    # Session 3: nothing fails any more; the sweep completes.
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    assert code == 0, f"the sweep should now complete, got {code}: {stderr}\n{stdout}"
    assert f"finished: {spec.n_runs} of {spec.n_runs}" in stdout, f"summary: {stdout}"
    assert_every_run_once(out, spec)
    sessions = load_sweep_manifest(out)["sessions"]
    assert len(sessions) == 3, f"three sessions should be recorded, got {len(sessions)}"


@pytest.fixture
def small_sweep(tmp_path, scenario):
    """A sweep of 4 runs and its spec."""
    spec_path = write_sweep(tmp_path, scenario, seeds=2, points=2)
    return spec_path, load_sweep_spec(spec_path)


def assert_stopped_cleanly(out: Path, spec, stdout: str, stderr: str, code: int, why: str):
    assert code == 2, f"an unwritable sweep directory exits 2, got {code}: {stderr}\n{stdout}"
    assert why in stderr, f"the message should say why ({why!r}): {stderr}"
    assert str(out) in stderr, f"the message should name the directory: {stderr}"
    assert_no_traceback(stderr)
    store = SweepStore(out)
    kept = [run.run_id for run in spec.runs if store.finished(run.run_id)]
    assert len(kept) == 2, f"the two runs stored before the failure should be kept: {kept}"
    assert not list(out.rglob("*.tmp")), "no temporary file should be left"
    status = load_sweep_manifest(out)["status"]
    assert status != "complete", f"sweep.json must not claim completion: {status}"


def test_sweep_on_a_full_disk(tmp_path, small_sweep, monkeypatch, full_disk, call):
    spec_path, spec = small_sweep
    out = tmp_path / "full"
    full_disk(after=2 * len(TABLES))  # the third run's first part hits a full disk
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    assert_stopped_cleanly(out, spec, stdout, stderr, code, "No space left on device")
    monkeypatch.undo()
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    assert code == 0, f"with space again the sweep should complete: {stderr}\n{stdout}"
    assert "finished: 4 of 4 (2 in this session, 2 before)" in stdout, f"summary: {stdout}"
    assert_every_run_once(out, spec)


def test_sweep_on_a_read_only_directory(tmp_path, small_sweep, monkeypatch, call):
    spec_path, spec = small_sweep
    out = tmp_path / "readonly"
    real = os.replace
    renamed: list[str] = []

    def read_only(src, dst, *args, **kwargs):
        target = Path(dst)
        if target.suffix == ".parquet" and target.parent.parent == out:
            renamed.append(target.name)
            if len(renamed) > 2 * len(TABLES):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", read_only)
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    assert_stopped_cleanly(out, spec, stdout, stderr, code, "Permission denied")
    monkeypatch.setattr(os, "replace", real)
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    assert code == 0, f"once writable the sweep should complete: {stderr}\n{stdout}"
    assert_every_run_once(out, spec)


def test_sweep_with_out_under_a_regular_file(tmp_path, small_sweep, call):
    spec_path, _ = small_sweep
    blocker = tmp_path / "a_file"
    blocker.write_text("keep me", encoding="utf-8")
    out = blocker / "sweep"
    code, stdout, stderr = call(sweep_argv(spec_path, out))
    assert code == 2, f"--out under a file should exit 2, got {code}: {stderr}\n{stdout}"
    assert str(out) in stderr, f"the message should name the path: {stderr}"
    assert "Not a directory" in stderr, f"the message should say why: {stderr}"
    assert blocker.read_text(encoding="utf-8") == "keep me", "the file must be left alone"
    assert_no_traceback(stderr)
