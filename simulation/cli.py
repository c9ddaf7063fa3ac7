"""The ``fraudsim`` command line.

Subcommands::

    fraudsim run SCENARIO [--seed N] [--out DIR] [--start DATE] [--end DATE] [--scale K]
                 [--set KEY=VALUE ...] [--check-invariants] [--quiet]
    fraudsim validate FILE... [--dump] [--set KEY=VALUE ...]
    fraudsim schema [--write [PATH] | --check [PATH]]
    fraudsim defaults [--update FILE]

Exit codes: 0 success; 2 a user mistake (bad arguments, invalid scenario, unreadable file,
unwritable output), reported as a message on stderr without a traceback; 1 anything else, which
is a bug and keeps its traceback (a broken model invariant: 1 with a message); 130 interrupted.

Subcommands register themselves with :func:`subcommand`, so later ones (``sweep``, ``targets``,
``calibrate``) are one decorated function each; commands defined outside ``simulation``
(``compare``, ``plot``) are entry points in the group ``fraudsim.commands`` (see
``pyproject.toml``), so that ``simulation`` never imports ``analysis``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path

from simulation.cli_types import (
    assignment,
    iso_date,
    non_negative_int,
    overrides_with_shorthands,
    people_per_agent,
    safe_dir_name,
)
from simulation.errors import FraudsimError, InvariantError, ScenarioNote
from simulation.outputs import format_summary, summary_table
from simulation.scenario import (
    SCHEMA_PATH,
    defaults_toml,
    load_scenario,
    scenario_to_toml,
    schema_text,
    update_defaults,
    write_schema,
)

__all__ = ["build_parser", "main", "subcommand"]

PROG = "fraudsim"

# Each registered function adds one subparser and sets its `handler` default:
# handler(args) -> exit code.
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
_SUBCOMMANDS: list[Registrar] = []


def subcommand(register: Registrar) -> Registrar:
    """Register a function that adds one subcommand to the ``fraudsim`` parser.

    The function receives the subparsers object, calls ``add_parser`` once and sets a
    ``handler`` default: a callable taking the parsed ``argparse.Namespace`` and returning the
    exit code. Subcommands appear in ``--help`` in registration order.

    Args:
        register: the function to register.

    Returns:
        ``register`` unchanged, so this works as a decorator.
    """
    _SUBCOMMANDS.append(register)
    return register


# --- argument types: each refusal becomes argparse's own "error: argument ..." (exit 2) -------


# --- run -----------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    # Imported here so that `validate`, `schema` and `--help` neither pay for importing the
    # model (mesa and all) nor fail with it.
    from simulation.runner import run_scenario  # noqa: PLC0415

    config = load_scenario(args.scenario, overrides_with_shorthands(args))
    out_dir = args.out if args.out is not None else Path("results") / safe_dir_name(config.name)
    result = run_scenario(
        config,
        args.seed,
        out_dir=out_dir,
        progress=not args.quiet,
        check_invariants=args.check_invariants,
    )
    period = result.manifest["period"]
    print(
        f"{config.name}: seed {result.seed}, {period['start']} to {period['end']} "
        f"({period['n_days']} days), 1 agent = {result.scale:,.0f} people; "
        f"{result.manifest['wall_time_seconds']:.1f} s"
    )
    print(f"results: {out_dir}")
    print()
    print(format_summary(summary_table(result.daily, result.scale)))
    return 0


@subcommand
def _add_run(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run one scenario with one seed and write its result tables",
        description="Run SCENARIO with one seed, write daily and long tables (parquet) and a "
        "manifest to --out, and print totals in national equivalents.",
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="random seed, integer >= 0 (default 0)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default results/<scenario name>); earlier results there are "
        "replaced only once the new ones are complete",
    )
    parser.add_argument(
        "--start", type=iso_date, metavar="DATE", help="first reported day (--set run.start)"
    )
    parser.add_argument(
        "--end", type=iso_date, metavar="DATE", help="last reported day (--set run.end)"
    )
    parser.add_argument(
        "--scale",
        type=people_per_agent,
        metavar="K",
        help="real people per agent (--set run.scale)",
    )
    parser.add_argument(
        "--set",
        type=assignment,
        action="append",
        metavar="KEY=VALUE",
        help="override one scenario value, e.g. --set police.p_dissuade=0.5 (repeatable; "
        "values are TOML)",
    )
    parser.add_argument(
        "--check-invariants",
        action="store_true",
        help="check the model's invariants every day (slower; stops at the first broken one)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (the summary is still printed)"
    )
    parser.set_defaults(handler=_cmd_run)


# --- validate ------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for file in args.files:
        try:
            config = load_scenario(file, args.set)
        except FraudsimError as exc:
            status = 2
            for line in str(exc).splitlines():
                print(line if file in line else f"{file}: {line}", file=sys.stderr)
        except OSError as exc:
            status = 2
            print(f"{file}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        else:
            if args.dump:
                print(scenario_to_toml(config, header=f"Resolved from {file}"), end="")
            else:
                print(f"ok: {file}")
    return status


@subcommand
def _add_validate(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Load and validate each FILE (with its extends chain). Prints 'ok: FILE' "
        "for each valid file; otherwise one line per problem on stderr and exit code 2.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario file (TOML)")
    parser.add_argument(
        "--dump",
        action="store_true",
        help="print each resolved scenario (every parameter, levers in order) as TOML instead "
        "of 'ok: FILE'",
    )
    parser.add_argument(
        "--set",
        type=assignment,
        action="append",
        metavar="KEY=VALUE",
        help="override one scenario value before validating, as for run (repeatable)",
    )
    parser.set_defaults(handler=_cmd_validate)


# --- schema --------------------------------------------------------------------------------


def _cmd_schema(args: argparse.Namespace) -> int:
    if args.write:
        print(f"wrote {write_schema(args.write)}")
    elif args.check:
        current = Path(args.check).read_text(encoding="utf-8")
        if current != schema_text():
            _error(
                f"{args.check} is out of date with the scenario format; refresh it with "
                f"`{PROG} schema --write {args.check}`"
            )
            return 2
        print(f"{args.check}: up to date")
    else:
        print(schema_text(), end="")
    return 0


@subcommand
def _add_schema(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print, write or check the JSON schema of scenario files",
        description="Print the JSON schema of a resolved scenario (for editors and tools), "
        f"write it, or check that a written copy is current (default {SCHEMA_PATH}).",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--write",
        nargs="?",
        const=SCHEMA_PATH,
        type=Path,
        metavar="PATH",
        help="write the schema to PATH",
    )
    what.add_argument(
        "--check",
        nargs="?",
        const=SCHEMA_PATH,
        type=Path,
        metavar="PATH",
        help="exit 2 if PATH differs from the schema",
    )
    parser.set_defaults(handler=_cmd_schema)


# --- defaults ------------------------------------------------------------------------------


def _cmd_defaults(args: argparse.Namespace) -> int:
    if args.update is None:
        print(defaults_toml(), end="")
    else:
        changed = update_defaults(args.update)
        print(f"{args.update}: {'updated' if changed else 'already up to date'}")
    return 0


@subcommand
def _add_defaults(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "defaults",
        help="print every parameter at its default, with meaning, unit and source",
        description="Print every model parameter at its default as commented TOML, or with "
        "--update rewrite the generated parameter block of a scenario file "
        "(scenarios/baseline.toml) after a default changed.",
    )
    parser.add_argument(
        "--update", type=Path, metavar="FILE", help="rewrite the generated block of FILE"
    )
    parser.set_defaults(handler=_cmd_defaults)


# --- entry point ---------------------------------------------------------------------------


def _version() -> str:
    try:
        return version("fraudsim")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``fraudsim`` argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Agent-based model of telecom fraud campaigns in China, 2020-21, and of "
        "the warnings, card crackdowns and repatriations against them.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in (*_SUBCOMMANDS, *_plugin_subcommands()):
        register(subparsers)
    return parser


def _plugin_subcommands() -> list[Registrar]:
    """Registrars declared as entry points in the group ``fraudsim.commands``.

    Commands that live outside ``simulation`` (``compare`` and ``plot`` in ``analysis``) join
    the command line this way, so ``simulation`` never imports ``analysis``. Each entry point
    names a registrar like the ones :func:`subcommand` takes; they are added in name order.
    """
    registrars = []
    for entry in sorted(entry_points(group="fraudsim.commands"), key=lambda e: e.name):
        try:
            registrars.append(entry.load())
        except (ImportError, AttributeError) as err:
            # A broken or half-installed plugin must not take `fraudsim run` down with it.
            print(f"{PROG}: warning: command {entry.name!r} unavailable: {err}", file=sys.stderr)
    return registrars


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _show_notes(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    """Print a :class:`ScenarioNote` as a ``note:`` line; other warnings as Python would."""
    if issubclass(category, ScenarioNote):
        print(f"{PROG}: note: {message}", file=sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)  # type: ignore[arg-type]


_default_showwarning = warnings.showwarning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Args:
        argv: arguments without the program name; ``None`` reads ``sys.argv``.

    Returns:
        0 on success, 2 on a user mistake (message on stderr), 1 for a broken model
        invariant, 130 when interrupted, 141 when stdout is closed early.
        Unexpected exceptions propagate with their traceback (exit code 1 from Python).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("always", ScenarioNote)
        warnings.showwarning = _show_notes
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command; turn the errors users can cause into messages and exit codes."""
    try:
        return args.handler(args)
    except InvariantError as exc:
        # A broken invariant is the model's fault, not the user's: not a usage error.
        _error(f"{exc} (a bug in the model; please report it with the manifest and seed)")
        return 1
    except FraudsimError as exc:
        for line in str(exc).splitlines():
            _error(line)
        return 2
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        _error(f"cannot read '{exc.filename}': {exc.strerror or exc}")
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`fraudsim ... | head`): not an error worth a traceback. Point
        # stdout at /dev/null so that Python's flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a program killed by a broken pipe


from simulation.sweep import cli as _sweep_cli  # noqa: E402,F401  (registers `sweep`)
