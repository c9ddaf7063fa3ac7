"""Every bad scenario in the corpus is refused by the command line, clearly and without a trace.

The corpus is ``tests/data/bad/*.toml`` (scenario files) and ``tests/data/bad/sweeps/*.toml``
(sweep files); ``tests/data/bad/expected.toml`` says, for each file, which file, key path and
phrases the message must contain. Each scenario file goes through ``fraudsim validate`` and
``fraudsim run --quiet``, each sweep file through ``fraudsim sweep --out DIR``, in-process
through :func:`experiments.cli.main` (and a few through a real subprocess), and must give exit
code 2, the expected message on stderr, no traceback, and no output directory.

``fraudsim run`` gets no ``--scale``/``--start``/``--end``: those are overrides and would mask
the problems in ``[run]`` the corpus is about. Instead the model class is replaced by one that
fails the test if it is ever built, so a file that wrongly loads fails fast rather than running
the full 18 months; likewise for sweeps, the sweep driver is replaced.

Inputs that cannot live in a repository as files (a missing path, a directory, a device, a
FIFO, a symlink loop, a 17 MB file) are made in a temporary directory by the tests below, and
malformed ``--set`` overrides are checked too. Finally, overlapping levers are *not* bad input:
the last test documents how every overlap is honoured, which is why the corpus has no
"levers that overlap in a way the model cannot honour".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from experiments import runs as runner
from simulation.levers import PolicyState
from simulation.scenario import load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST = BAD / "expected.toml"
EXPECTED: dict[str, dict] = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
CORPUS = sorted(p.name for p in BAD.glob("*.toml") if p != MANIFEST)
SWEEP_CORPUS = sorted(f"sweeps/{p.name}" for p in (BAD / "sweeps").glob("*.toml"))


@pytest.fixture
def no_model(monkeypatch):
    """Make building the model fail the test: a refused file must never get that far."""

    def must_not_run(*args, **kwargs):
        raise AssertionError("a bad scenario reached the model: it should have been refused")

    monkeypatch.setattr(runner, "FraudModel", must_not_run)


@pytest.fixture
def no_sweep(monkeypatch):
    """Make starting a sweep fail the test: a refused sweep file must never get that far."""
    from experiments.sweep import driver  # noqa: PLC0415

    def must_not_run(*args, **kwargs):
        raise AssertionError("a bad sweep file reached the driver: it should have been refused")

    monkeypatch.setattr(driver, "execute_sweep", must_not_run)


def check_refusal(code: int, stdout: str, stderr: str, *, must_say: list[str], what: str) -> None:
    """Exit code 2, a message naming everything in ``must_say``, no traceback, no stdout."""
    assert "Traceback" not in stderr, (
        f"{what}: a user mistake must not print a traceback:\n{stderr}"
    )
    assert code == 2, f"{what}: expected exit code 2 (user mistake), got {code}; stderr:\n{stderr}"
    assert stdout == "", f"{what}: a refused file should print nothing on stdout: {stdout!r}"
    for phrase in must_say:
        assert phrase in stderr, f"{what}: the message should contain {phrase!r}; got:\n{stderr}"


def expected_phrases(name: str) -> list[str]:
    entry = EXPECTED[name]
    return [str(BAD / entry.get("names", name)), *entry["says"]]


def check_key(name: str, stderr: str, what: str) -> None:
    """The message names the entry's key path (or a key below it), if the entry has one."""
    key = EXPECTED[name].get("key")
    if key is not None:
        assert re.search(re.escape(key) + r"(: |[.\[])", stderr), (
            f"{what}: the message should name the key path {key!r}; got:\n{stderr}"
        )


def corpus_params(names: list[str]) -> list:
    params = []
    for name in names:
        pending = EXPECTED.get(name, {}).get("pending")
        marks = [pytest.mark.xfail(reason=pending, strict=True)] if pending else []
        params.append(pytest.param(name, marks=marks, id=name.removesuffix(".toml")))
    return params


# ---------------------------------------------------------------------------------------------
# The manifest and the corpus agree
# ---------------------------------------------------------------------------------------------


def test_corpus_is_large_and_every_file_has_an_entry():
    assert len(CORPUS) >= 40, f"the corpus should hold at least 40 bad files, has {len(CORPUS)}"
    assert len(SWEEP_CORPUS) >= 20, f"expected at least 20 bad sweep files: {len(SWEEP_CORPUS)}"
    everything = set(CORPUS) | set(SWEEP_CORPUS)
    missing = sorted(everything - set(EXPECTED))
    assert not missing, f"corpus files without an entry in {MANIFEST.name}: {missing}"
    stale = sorted(set(EXPECTED) - everything)
    assert not stale, f"entries in {MANIFEST.name} without a file: {stale}"
    for name, entry in EXPECTED.items():
        unknown = set(entry) - {"key", "says", "names", "pending"}
        assert not unknown, f"{name}: unknown fields {sorted(unknown)} in {MANIFEST.name}"
        assert entry.get("says"), f"{name}: every entry needs at least one phrase in `says`"


# ---------------------------------------------------------------------------------------------
# Every corpus file, through the command line
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", corpus_params(CORPUS))
def test_validate_refuses(name, call):
    path = BAD / name
    code, stdout, stderr = call(["validate", str(path)])
    check_refusal(code, stdout, stderr, must_say=expected_phrases(name), what=f"validate {name}")
    check_key(name, stderr, f"validate {name}")


@pytest.mark.parametrize("name", corpus_params(CORPUS))
def test_run_refuses_and_writes_nothing(name, tmp_path, monkeypatch, no_model, call):
    path = BAD / name
    out = tmp_path / "out"
    code, stdout, stderr = call(["run", str(path), "--quiet", "--out", str(out)])
    check_refusal(code, stdout, stderr, must_say=expected_phrases(name), what=f"run {name}")
    check_key(name, stderr, f"run {name}")
    assert not out.exists(), f"run {name}: no output directory should be created at {out}"
    # And with the default output directory (results/<name>) under a fresh working directory.
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    code, stdout, stderr = call(["run", str(path), "--quiet"])
    check_refusal(code, stdout, stderr, must_say=expected_phrases(name), what=f"run {name}")
    check_key(name, stderr, f"run {name}")
    left = sorted(p.name for p in cwd.iterdir())
    assert not left, f"run {name} without --out should write nothing, but left {left} in {cwd}"


@pytest.mark.parametrize("name", corpus_params(SWEEP_CORPUS))
def test_sweep_refuses_and_writes_nothing(name, tmp_path, no_sweep, call):
    out = tmp_path / "sweep_out"
    code, stdout, stderr = call(["sweep", str(BAD / name), "--out", str(out), "--workers", "1",
                                 "--quiet"])  # fmt: skip
    check_refusal(code, stdout, stderr, must_say=expected_phrases(name), what=f"sweep {name}")
    check_key(name, stderr, f"sweep {name}")
    assert not out.exists(), f"sweep {name}: the output directory {out} should not be created"


def test_validate_reports_every_file_of_the_corpus_in_one_call(call):
    paths = [str(BAD / name) for name in CORPUS if "pending" not in EXPECTED[name]]
    code, stdout, stderr = call(["validate", *paths])
    assert code == 2, f"a batch of bad files should exit 2, got {code}"
    assert stdout == "", f"no corpus file should be reported ok, got {stdout!r}"
    for name in CORPUS:
        if "pending" not in EXPECTED[name]:
            shown = str(BAD / EXPECTED[name].get("names", name))
            assert shown in stderr, f"the batch should report {name} (naming {shown})"


SUBPROCESS_CASES = ["binary_garbage.toml", "deeply_nested_arrays.toml", "non_utf8.toml",
                    "extends_cycle_three_a.toml", "huge_int_10_pow_30.toml"]  # fmt: skip


def test_real_processes_exit_2_without_traceback(tmp_path):
    """The installed entry point, not just ``main``: real stderr, real exit codes."""

    def fraudsim(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "experiments", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
        )

    paths = [str(BAD / name) for name in SUBPROCESS_CASES]
    done = fraudsim("validate", *paths)
    check_refusal(
        done.returncode,
        done.stdout,
        done.stderr,
        must_say=[p for name in SUBPROCESS_CASES for p in expected_phrases(name)],
        what="python -m experiments validate",
    )
    for name in SUBPROCESS_CASES[:1]:
        done = fraudsim("run", str(BAD / name), "--quiet")
        check_refusal(
            done.returncode,
            done.stdout,
            done.stderr,
            must_say=expected_phrases(name),
            what=f"python -m experiments run {name}",
        )
    assert not any(tmp_path.iterdir()), f"nothing should be written to {tmp_path}"


# ---------------------------------------------------------------------------------------------
# Paths that are not scenario files (made on the fly)
# ---------------------------------------------------------------------------------------------


def _missing(tmp: Path) -> Path:
    return tmp / "no_such_scenario.toml"


def _directory(tmp: Path) -> Path:
    (tmp / "a_directory.toml").mkdir()
    return tmp / "a_directory.toml"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.toml")  # reading it would block forever: it must not be opened
    return tmp / "pipe.toml"


def _too_large(tmp: Path) -> Path:
    path = tmp / "huge.toml"
    with path.open("wb") as f:  # sparse: 17 MB on paper, nothing on disk
        f.truncate(17 * 1024 * 1024)
    return path


def _symlink_loop(tmp: Path) -> Path:
    (tmp / "loop_a.toml").symlink_to(tmp / "loop_b.toml")
    (tmp / "loop_b.toml").symlink_to(tmp / "loop_a.toml")
    return tmp / "loop_a.toml"


def _dangling_symlink(tmp: Path) -> Path:
    (tmp / "dangling.toml").symlink_to(tmp / "gone.toml")
    return tmp / "dangling.toml"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "plain_file").write_text("x", encoding="utf-8")
    return tmp / "plain_file" / "scenario.toml"


def _name_too_long(tmp: Path) -> Path:
    return tmp / ("s" * 300 + ".toml")


NOT_A_SCENARIO = {
    "missing file": (_missing, "file not found"),
    "directory": (_directory, "is a directory, not a scenario file"),
    "device": (lambda tmp: Path(os.devnull), "not a regular file"),
    "fifo": (_fifo, "not a regular file"),
    "larger than 16 MB": (_too_large, "file too large for a scenario"),
    "symlink loop": (_symlink_loop, "cannot read file"),
    "dangling symlink": (_dangling_symlink, "file not found"),
    "path through a file": (_under_a_file, "cannot read file"),
    "name too long": (_name_too_long, "cannot read file"),
}


@pytest.mark.parametrize("case", sorted(NOT_A_SCENARIO))
def test_paths_that_are_not_scenario_files(case, tmp_path, monkeypatch, no_model, call):
    make, phrase = NOT_A_SCENARIO[case]
    path = make(tmp_path)
    code, stdout, stderr = call(["validate", str(path)])
    check_refusal(code, stdout, stderr, must_say=[str(path), phrase], what=f"validate {case}")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    code, stdout, stderr = call(["run", str(path), "--quiet"])
    check_refusal(code, stdout, stderr, must_say=[str(path), phrase], what=f"run {case}")
    assert not any(work.iterdir()), f"run {case}: nothing should be written to {work}"


def test_unreadable_file(tmp_path, monkeypatch, no_model, call):
    # Tests run as root, where chmod 000 does not stop reading: make the read itself fail.
    path = tmp_path / "secret.toml"
    path.write_text('name = "secret"\n', encoding="utf-8")
    real = Path.read_bytes

    def denied(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, stdout, stderr = call(["run", str(path), "--quiet", "--out", str(tmp_path / "o")])
    check_refusal(code, stdout, stderr, must_say=[str(path), "permission denied"], what="run")
    assert not (tmp_path / "o").exists(), "an unreadable scenario should write nothing"


# ---------------------------------------------------------------------------------------------
# Malformed --set overrides
# ---------------------------------------------------------------------------------------------

BAD_SETS = {
    "deeply nested value": ("police=" + "[" * 3000 + "]" * 3000, ["--set", "nested too deeply"]),
    "index out of range": ("levers.99.intensity=1.0", ["levers[99]", "index out of range"]),
    "not a date": ("run.start=2021-13-01", ["run.start", "must be a date"]),
    "overflowing float": ("police.p_dissuade=1e400", ["police.p_dissuade", "given: inf"]),
    "malformed key": ("police..p_dissuade=0.5", ["malformed key"]),
    "key into a number": ("police.p_dissuade.x=1", ["police.p_dissuade is not a table"]),
    "unknown lever key": ("levers.0.intensty=1", ["levers[0].intensty", "unknown key"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SETS))
def test_bad_overrides(case, tmp_path, no_model, call):
    scenario = tmp_path / "ok.toml"
    scenario.write_text(
        'name = "ok"\n[[levers]]\ntype = "early_warning"\nstart = 2021-01-01\n', encoding="utf-8"
    )
    override, phrases = BAD_SETS[case]
    out = tmp_path / "o"
    code, stdout, stderr = call(["run", str(scenario), "--quiet", "--out", str(out), "--set",
                                 override])  # fmt: skip
    check_refusal(code, stdout, stderr, must_say=phrases, what=f"--set {case}")
    assert not out.exists(), f"--set {case}: no output directory should be created"


# ---------------------------------------------------------------------------------------------
# Overlapping levers are not bad input
# ---------------------------------------------------------------------------------------------


def test_overlapping_levers_are_all_honoured():
    """Every overlap of levers has a defined meaning, so none is refused.

    Each lever adds its effect to the day's policy settings: capacities and rates add,
    probabilities compose toward one (``p + (1 - p) * gain``), and caps (the card crackdown's
    ``max_cards_per_person``) take the smallest. Two levers of one type, or with the same
    ``name`` (a free label for plots), are therefore honoured exactly as written; the loader
    has nothing to refuse, and the corpus holds no "conflicting levers" file.
    """
    config = load_scenario_text(
        """
        name = "overlaps"
        [[levers]]
        type = "card_crackdown"
        name = "broken card"
        start = 2021-01-01
        max_cards_per_person = 5.0
        [[levers]]
        type = "card_crackdown"
        name = "broken card"
        start = 2021-02-01
        max_cards_per_person = 2.0
        [[levers]]
        type = "early_warning"
        start = 2021-01-01
        [[levers]]
        type = "early_warning"
        start = 2021-01-15
        end = 2021-03-01
        """,
        source="overlaps.toml",
    )
    day = dt.date(2021, 2, 10)
    active = [lever for lever in config.levers if lever.is_active(day)]
    assert len(active) == 4, f"all four overlapping levers should be active on {day}"
    state = PolicyState()
    for lever in active:
        lever.act(state, scale=1000.0)
    assert state.max_cards_per_person == 2.0, (
        f"two caps should give the smaller one (2), got {state.max_cards_per_person}"
    )
    one = config.levers[2]
    assert state.warning_capacity_per_day == pytest.approx(
        2 * one.capacity_national_per_day / 1000.0
    ), "the capacities of two early-warning levers should add"
    gain = one.p_detect_gain
    assert state.p_detect_gain == pytest.approx(gain + (1 - gain) * gain), (
        "two detection gains should compose toward one"
    )
    assert np.isfinite(state.p_detect_gain), "composed probabilities stay finite"
