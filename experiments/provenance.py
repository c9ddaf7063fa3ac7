"""Provenance: what produced a result, recorded the same way by every kind of experiment.

:func:`provenance` is the one record a run manifest (:mod:`experiments.runs`), a sweep's
``sweep.json`` (:mod:`experiments.sweep.driver`) and the benchmarks embed::

    created_utc   when the record was made, ISO 8601 UTC ("2021-06-17T09:30:00Z")
    versions      fraudsim, Python and the libraries results depend on (None: not installed)
    platform      operating system and machine (``platform.platform()``)
    git           commit and dirtiness of the checkout (Nones outside one)
    code_sha256   digest of the model's source (every ``simulation/**/*.py``)

The commit says which code ran only when the checkout is clean; the digest says it always, so
two records with the same digest come from the same model code even with uncommitted changes.

Everything but the time is read once per process: a process runs the code it imported, so
reading the files again later would describe files, not the code that ran (and reading
package metadata and asking git cost tens of milliseconds, a lot beside a short run).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["VERSIONED", "code_sha256", "git_state", "package_version", "provenance", "utc_now"]

VERSIONED = (
    "mesa",
    "numpy",
    "pandas",
    "pydantic",
    "pyarrow",
    "scipy",
    "tqdm",
    "networkx",
    "dask",
    "distributed",
    "optuna",
)
"""Libraries whose versions are recorded beside fraudsim's and Python's."""

_ROOT = Path(__file__).resolve().parent.parent
_MODEL_PACKAGE = _ROOT / "simulation"


def utc_now(moment: dt.datetime | None = None) -> str:
    """``moment`` (default: now) as ISO 8601 UTC to the second, ``Z``-suffixed."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def package_version() -> str:
    """The installed version of fraudsim, or ``"0+unknown"`` when it is run uninstalled."""
    try:
        return importlib.metadata.version("fraudsim")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


@functools.cache
def _versions() -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = [
        ("fraudsim", package_version()),
        ("python", platform.python_version()),
    ]
    for name in VERSIONED:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def _git(*args: str) -> str | None:
    """Output of ``git args`` in the checkout, or None if that fails in any way."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(_ROOT), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.cache
def _git_state() -> tuple[str | None, bool | None]:
    top = _git("rev-parse", "--show-toplevel")
    # An installed copy in site-packages may sit inside some unrelated repository: the
    # checkout counts only if its top level is the project's own root.
    if top is None or Path(top).resolve() != _ROOT:
        return None, None
    commit = _git("rev-parse", "HEAD")
    if commit is None:  # a checkout without commits yet: nothing to point at
        return None, None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return commit, None if status is None else bool(status)


def git_state() -> dict[str, Any]:
    """``{"commit": ..., "dirty": ...}`` of the checkout fraudsim runs from; Nones outside one."""
    commit, dirty = _git_state()
    return {"commit": commit, "dirty": dirty}


@functools.cache
def code_sha256() -> str:
    """SHA-256 of the model's source: every ``.py`` file under ``simulation/``, by path.

    It changes exactly when the code that computes results changes, committed or not.
    """
    digest = hashlib.sha256()
    for path in sorted(_MODEL_PACKAGE.rglob("*.py")):
        name = path.relative_to(_MODEL_PACKAGE).as_posix()
        digest.update(name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def provenance(created: dt.datetime | None = None) -> dict[str, Any]:
    """The provenance record (see the module docstring), JSON-ready.

    Args:
        created: the time to record (default: now).

    Returns:
        ``created_utc``, ``versions``, ``platform``, ``git`` and ``code_sha256``.
    """
    return {
        "created_utc": utc_now(created),
        "versions": dict(_versions()),
        "platform": platform.platform(),
        "git": git_state(),
        "code_sha256": code_sha256(),
    }
