"""Reading and writing fraudsim's files: one safe TOML reader, one TOML writer, one atomic writer.

Every TOML input (scenario, sweep, targets and calibration files) is read by :func:`read_toml`,
which turns every way a file can be unusable (missing, a directory, a device, too large, binary,
not UTF-8, not TOML, nested absurdly deep) into a :class:`simulation.errors.ScenarioError` whose
message names the file and says what is wrong. Nothing in a file is evaluated: TOML is parsed by
``tomllib`` and is data.

Every TOML output (resolved scenarios in run manifests, fitted scenarios, the generated half of
``scenarios/baseline.toml``) is written by :func:`toml_text`, and every result file that must
never be seen half-written goes through :func:`write_atomic`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import os
import tomllib
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from simulation.errors import ScenarioError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "fsync_dir",
    "parse_toml",
    "read_toml",
    "toml_text",
    "write_atomic",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Larger files are refused before parsing: no input file is that big, and a wrong path to a
data file should fail fast with a clear message."""

MAX_NESTING = 32
"""Deeper nesting of tables and arrays is refused: fraudsim's formats need at most 6 levels, and
parsing, merging and copying deeper junk would exhaust Python's recursion limit."""


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_toml(
    path: str | os.PathLike[str], *, what: str, error: type[ScenarioError] = ScenarioError
) -> dict[str, Any]:
    """Read and parse one TOML file, turning every failure into ``error``.

    Args:
        path: the file; messages name it as given.
        what: the kind of file, for messages (``"scenario file"``, ``"sweep file"``).
        error: the :class:`ScenarioError` subclass to raise.

    Returns:
        The parsed document (possibly empty: whether that is allowed is the caller's rule).

    Raises:
        ScenarioError: (``error``) the name holds a NUL character; the path is missing, a
            directory, not a regular file, unreadable or larger than :data:`MAX_FILE_BYTES`;
            the content holds NUL bytes, is not UTF-8 (a byte-order mark is accepted), is not
            TOML, or nests deeper than :data:`MAX_NESTING`.
    """
    display = os.fspath(path)
    file = Path(path)
    if "\x00" in display:  # os.stat would raise ValueError, not OSError
        raise error.single(display, None, "not a file name (contains a NUL character)")
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise error.single(display, None, f"is a directory, not a {what}")
        if not file.is_file():  # a device or pipe could be endless
            raise error.single(display, None, "not a regular file")
        if size > MAX_FILE_BYTES:
            raise error.single(
                display,
                None,
                f"file too large for a {what} ({size:,} bytes; at most {MAX_FILE_BYTES:,})",
            )
        blob = file.read_bytes()
    except FileNotFoundError:
        raise error.single(display, None, "file not found") from None
    except PermissionError:
        raise error.single(display, None, "permission denied") from None
    except OSError as err:
        raise error.single(display, None, f"cannot read file: {err.strerror}") from None
    if b"\x00" in blob:
        # NUL never occurs in TOML text; it is the surest sign of a binary file.
        raise _binary(display, what, error)
    try:
        # utf-8-sig: accept (and drop) a byte-order mark some Windows editors add.
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = blob[: err.start].count(b"\n") + 1
        raise error.single(
            display,
            None,
            f"not UTF-8 text (byte 0x{blob[err.start]:02x} at line {line}); save the file as UTF-8",
        ) from None
    return parse_toml(text, display, what=what, error=error)


def parse_toml(
    text: str, display: str, *, what: str, error: type[ScenarioError] = ScenarioError
) -> dict[str, Any]:
    """Parse TOML text, turning every failure into ``error``.

    Args:
        text: the document.
        display: its name in messages (a file name, ``"--set"``, ``"<string>"``).
        what: the kind of document, for messages.
        error: the :class:`ScenarioError` subclass to raise.

    Returns:
        The parsed document.

    Raises:
        ScenarioError: (``error``) the text holds NUL characters, is not TOML, or nests deeper
            than :data:`MAX_NESTING`.
    """
    if "\x00" in text:
        raise _binary(display, what, error)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise error.single(display, None, f"invalid TOML: {err}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise _too_deep(display, error) from None
    if _nesting_depth(data) > MAX_NESTING:  # merging and copying recurse too
        raise _too_deep(display, error)
    return data


def _binary(display: str, what: str, error: type[ScenarioError]) -> ScenarioError:
    return error.single(
        display, None, f"not a text file (contains NUL bytes); expected a TOML {what}"
    )


def _too_deep(display: str, error: type[ScenarioError]) -> ScenarioError:
    return error.single(
        display, None, f"tables and arrays nested too deeply (more than {MAX_NESTING} levels)"
    )


def _nesting_depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (0 for a scalar), without recursing."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in node)
    return deepest


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def toml_text(data: Mapping[str, Any], header: str | None = None) -> str:
    """``data`` as a TOML document that ``tomllib`` reads back to equal values.

    Written by tomli-w: a table's plain keys first, then its sub-tables, then its arrays of
    tables. Dates, times, ``inf`` and ``nan`` are written as TOML has them; ``None`` (which TOML
    cannot hold) is left out, in tables and arrays alike; an :class:`enum.Enum` is written as
    its value and a tuple as an array.

    Args:
        data: the document; keys must be strings.
        header: a comment for the top of the document (each line is prefixed with ``# ``).

    Returns:
        The TOML text, ending with one newline.

    Raises:
        TypeError: a value TOML cannot hold (an object that is none of the above).
    """
    body = tomli_w.dumps(_plain(data))
    lines = [f"# {line}".rstrip() for line in (header or "").splitlines()]
    if lines:
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "") + body.strip("\n") + "\n"


def _plain(value: Any) -> Any:
    """``value`` with ``None`` left out, enums as their values and tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value if v is not None]
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, bool | int | float | str | dt.date | dt.time):
        return value
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write a file all or nothing: a reader sees the old content or the new, never half.

    The content goes to a temporary file in the same directory, is flushed to disk (fsync)
    and renamed over ``path`` (``os.replace``); then the directory is synced, so that the
    rename survives a power cut too.

    Args:
        path: the final file; its directory must exist.
        content: text (written as UTF-8) or bytes.

    Raises:
        OSError: writing failed; the temporary file is removed and ``path`` is unchanged.
    """
    final = Path(path)
    blob = content.encode("utf-8") if isinstance(content, str) else content
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)
    except BaseException:
        # Also on KeyboardInterrupt: an interrupted write leaves no temporary file behind.
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(final.parent)


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a directory's entries to disk, so that renames into it are durable (POSIX).

    Platforms and filesystems that cannot open or sync a directory are silently skipped.

    Args:
        path: the directory.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)
