"""A served dashboard and a headless browser: for the browser tests, benchmark and screenshots.

:func:`running_dashboard` starts ``fraudsim dashboard`` in a child process on a free loopback
port, as a user would, and stops it afterwards; :func:`launch_chromium` starts Debian's
Chromium (``apt-get install -y chromium``) through Playwright's client with its
``executable_path``: nothing here downloads a browser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from experiments.dashboard.server import free_port
from simulation.errors import FraudsimError

__all__ = [
    "CHROMIUM_FLAGS",
    "Served",
    "chromium_path",
    "cpu_seconds",
    "launch_chromium",
    "running_dashboard",
]

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox",  # as root, in containers
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, no safe-browsing lists
    "--disable-component-update",
    "--no-first-run",
)
"""Command-line flags of the headless Chromium: no GPU, nothing fetched in the background."""

ROOT = Path(__file__).resolve().parents[2]


def chromium_path() -> str | None:
    """Debian's Chromium: ``$FRAUDSIM_CHROMIUM``, ``chromium`` on the PATH, or /usr/bin."""
    for candidate in (os.environ.get("FRAUDSIM_CHROMIUM"), shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def launch_chromium(playwright: Any) -> Any:
    """Headless Chromium from a started ``sync_playwright()``.

    Raises:
        FraudsimError: no Chromium is installed (with how to install it).
    """
    path = chromium_path()
    if path is None:
        raise FraudsimError(
            "Chromium not found: install Debian's package (apt-get install -y chromium) or "
            "set FRAUDSIM_CHROMIUM to its path"
        )
    return playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_FLAGS))


@dataclasses.dataclass(frozen=True)
class Served:
    """A dashboard being served.

    Attributes:
        url: the page's address, ``http://127.0.0.1:PORT/``.
        pid: the server's process id.
    """

    url: str
    pid: int


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_dashboard(
    arguments: Sequence[str], log: Path, *, timeout: float = 120.0
) -> Iterator[Served]:
    """``fraudsim dashboard ARGUMENTS`` on a free loopback port, until the block ends.

    Args:
        arguments: the command's arguments (a scenario, ``--scale``...), without ``--port``.
        log: file for the server's output.
        timeout: seconds to wait for the server to listen (imports take a few seconds).

    Yields:
        The page's address and the server's process id.

    Raises:
        FraudsimError: the server exited or did not listen in time (its output attached).
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "experiments", "dashboard", *arguments, "--port", str(port)],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                raise FraudsimError(
                    f"the dashboard exited ({server.returncode}): {log.read_text()}"
                )
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise FraudsimError(
                    f"the dashboard did not listen in {timeout:g} s: {log.read_text()}"
                )
            time.sleep(0.05)
        yield Served(f"http://127.0.0.1:{port}/", server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
