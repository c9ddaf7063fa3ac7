"""The exceptions of fraudsim: one family, derived from ``ValueError``.

Every error the package raises on purpose is a :class:`FraudsimError`, so callers can catch the
whole family with one ``except`` clause, and code that already expects ``ValueError`` for bad
input (argument parsers, sweep drivers) keeps working.

- :class:`ScenarioError`: a scenario file, or an override of it, is not a valid scenario. It
  carries one :class:`Problem` per thing wrong, each naming the file, the key path, what is
  allowed, what was given and, for a typo, the nearest valid name.
- :class:`OutputError`: results cannot be written (directory missing, not writable, ...).
- :class:`InvariantError`: the model broke one of its own invariants during a run (money not
  conserved, a negative count): a bug in the model, never bad input.

All three survive pickling, so errors raised in worker processes of a parallel sweep reach
the parent intact. :func:`simulation.validation.problems_from_validation` turns pydantic's
validation errors into :class:`Problem` records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any


class FraudsimError(ValueError):
    """Base of every error fraudsim raises on purpose."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes:
        file: file the problem is in (``"--set"`` for a command-line override), or ``None``
            when no file is involved.
        key: dotted key path, with list indices in brackets (``police.p_dissuade``,
            ``levers[2].start``), or ``None`` when the problem is with the file as a whole.
        message: what is wrong, as a short phrase (``"unknown key"``, ``"must be <= 1"``).
        allowed: what would have been accepted (valid key names, lever types, a range), if
            that can be said briefly.
        given: a short rendering of the value found, if any.
        suggestion: the nearest valid name for a probable typo.
    """

    file: str | None
    key: str | None
    message: str
    allowed: str | None = None
    given: str | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        """One line: ``file: key: message; allowed: ...; given: ... (did you mean 'x'?)``."""
        parts = [p for p in (self.file, self.key) if p]
        text = ": ".join([*parts, self.message])
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        if self.given is not None:
            text += f"; given: {self.given}"
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ScenarioError(FraudsimError):
    """A scenario (file, chain of ``extends``, or override) is invalid.

    ``str(err)`` has one line per problem. The problems are also available as records, so that
    tools (a notebook, a sweep report) can show them their own way.

    Args:
        problems: the problems found, at least one.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Store the problems and render them, one line each, as the message."""
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise ValueError("ScenarioError needs at least one Problem")
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls,
        file: str | None,
        key: str | None,
        message: str,
        *,
        allowed: str | None = None,
        given: str | None = None,
        suggestion: str | None = None,
    ) -> ScenarioError:
        """Build an error with one problem (the common case outside validation)."""
        return cls([Problem(file, key, message, allowed, given, suggestion)])

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the problem records (the default would pass the rendered message)."""
        return (type(self), (self.problems,))


class OutputError(FraudsimError):
    """Results cannot be written where they were asked to go.

    Args:
        message: what went wrong, naming the path.
        path: the offending path, if there is one.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        """Store the path beside the message."""
        self.path = path
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the path, which the default reduction would drop."""
        return (type(self), (self.args[0], self.path))


class InvariantError(FraudsimError):
    """The model broke one of its invariants (a bug in the model, not in the input).

    Args:
        invariant: short name of the invariant (e.g. ``"money_conserved"``).
        day: the simulated day (date or step number) on which it was found broken.
        details: what was observed, with the numbers involved.
    """

    def __init__(self, invariant: str, day: object, details: str = "") -> None:
        """Store the parts and build the one-line message."""
        self.invariant = invariant
        self.day = day
        self.details = details
        day_text = day.isoformat() if hasattr(day, "isoformat") else str(day)
        message = f"invariant '{invariant}' broken on day {day_text}"
        if details:
            message += f": {details}"
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the constructor arguments, so the attributes survive."""
        return (type(self), (self.invariant, self.day, self.details))


class ScenarioNote(UserWarning):
    """Something the loader did on the user's behalf that they should know about.

    The command line prints these as ``note:`` lines; in Python they are ordinary warnings.
    """
