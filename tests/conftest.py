"""What many test files share: the command line in-process, small runs, and the test layers.

Markers: ``slow`` marks tests that run the model over long periods or many seeds (see
``pyproject.toml``). For day-to-day work, ``.venv/bin/python -m pytest -q -m "not slow"`` runs
the fast subset; CI runs everything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from simulation.config import ScenarioConfig
from simulation.params import RunParams

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

#: A small, fast run: 282,000 residents and about ten gangs, 20 days of burn-in, 59 reported.
SMALL_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 2, 28), burn_in_days=20, scale=5000.0
)
#: A shorter, coarser run, for tests that run many combinations.
SHORT_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31), burn_in_days=10, scale=10000.0
)
#: Command-line options of a tiny run: a month at 1 agent = 20,000 people.
TINY_ARGS = ("--scale", "20000", "--start", "2021-01-01", "--end", "2021-01-31",
             "--set", "run.burn_in_days=10")  # fmt: skip

CliCall = Callable[[Sequence[str]], tuple[int, str, str]]


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """Run ``fraudsim ARGV`` in this process; return (exit code, stdout, stderr)."""
    from experiments.cli import main  # noqa: PLC0415 - the command line only where it is used

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def call() -> CliCall:
    """``call(argv)`` runs ``fraudsim`` in this process and returns (code, stdout, stderr)."""
    return run_cli


def small_config(
    levers: Sequence[object] = (), run: RunParams = SMALL_RUN, name: str = "small"
) -> ScenarioConfig:
    """Default parameters over a short, coarse period, with ``levers``."""
    return ScenarioConfig(name=name, run=run, levers=list(levers))


@pytest.fixture(scope="session")
def make_config() -> Callable[..., ScenarioConfig]:
    """``make_config(levers=(), run=SMALL_RUN, name="small")``: a small scenario."""
    return small_config


class _HalfWriter:
    """A file that takes half of what is written to it, then reports a full disk."""

    def __init__(self, handle: Any, path: Path) -> None:
        self.handle, self.path = handle, path

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[Path]]:
    """``full_disk(after=N, name=".parquet")``: simulate a disk that fills up.

    Every file written through :func:`simulation.files.write_atomic` whose name contains
    ``name`` is counted; the one after the first ``N`` stops half way with ENOSPC ("No space
    left on device"), as on a full disk, and so do all later ones. Returns the list of the
    (temporary) paths written, which grows as they are. ``monkeypatch.undo()`` frees the disk.
    """
    from simulation import files  # noqa: PLC0415

    def arm(after: int, name: str = ".parquet") -> list[Path]:
        written: list[Path] = []

        def opener(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = open(path, mode, *args, **kwargs)  # noqa: SIM115 - returned open
            if name not in Path(path).name:
                return handle
            written.append(Path(path))
            return _HalfWriter(handle, Path(path)) if len(written) > after else handle

        monkeypatch.setattr(files, "open", opener, raising=False)
        return written

    return arm
