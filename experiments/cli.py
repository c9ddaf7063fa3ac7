"""The ``fraudsim`` command line: one parser that registers every subcommand itself.

Subcommands::

    fraudsim run SCENARIO [--seed N] [--out DIR] [--start DATE] [--end DATE] [--scale K]
                 [--set KEY=VALUE ...] [--check-invariants] [--quiet]
    fraudsim validate FILE... [--dump] [--set KEY=VALUE ...]
    fraudsim schema [--write [PATH] | --check [PATH]]
    fraudsim defaults [--update FILE]
    fraudsim sweep SPEC --out DIR [--workers N | --scheduler ADDRESS] [--set KEY=VALUE ...]
    fraudsim compare SCENARIO... [options]          (experiments.compare)
    fraudsim plot DIR [--reference NAME]
    fraudsim targets SCENARIO [options]             (experiments.calibration.commands)
    fraudsim calibrate SCENARIO --params SPEC [options]
    fraudsim dashboard [SCENARIO] [options]         (experiments.dashboard.command)

Exit codes: 0 success; 2 a user mistake (bad arguments, invalid scenario, unreadable file,
unwritable output), reported as a message on stderr without a traceback; 1 anything else, which
is a bug and keeps its traceback (a broken model invariant: 1 with a message); 130 interrupted.
``sweep`` and ``compare`` also exit 1 when some runs failed or are missing.

Each subcommand is a function that adds its parser and sets a ``handler`` default (the parsed
arguments in, the exit code out). Handlers import the model, pandas and the sweep machinery
only when they run, so that ``--help``, ``validate`` and ``schema`` stay quick.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from experiments.calibration.commands import add_calibrate, add_targets
from experiments.cli_types import (
    Subparsers,
    add_overrides,
    add_quiet,
    add_workers,
    assignment,
    non_negative_int,
    overrides_with_shorthands,
    safe_dir_name,
)
from experiments.compare import add_compare
from experiments.dashboard.command import add_dashboard
from experiments.provenance import package_version
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

__all__ = ["build_parser", "main"]

PROG = "fraudsim"


# --- run -----------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    # Imported here so that `validate`, `schema` and `--help` neither pay for importing the
    # model (mesa and all) nor fail with it.
    from experiments.runs import run_scenario  # noqa: PLC0415

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


def _add_run(subparsers: Subparsers) -> None:
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
    add_overrides(
        parser,
        "override one scenario value, e.g. --set police.p_dissuade=0.5 (repeatable; values "
        "are TOML)",
    )
    parser.add_argument(
        "--check-invariants",
        action="store_true",
        help="check the model's invariants every day (slower; stops at the first broken one)",
    )
    add_quiet(parser)
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


def _add_validate(subparsers: Subparsers) -> None:
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


def _add_schema(subparsers: Subparsers) -> None:
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


def _add_defaults(subparsers: Subparsers) -> None:
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


# --- sweep ---------------------------------------------------------------------------------


def _cmd_sweep(args: argparse.Namespace) -> int:
    from experiments.sweep.driver import execute_sweep  # noqa: PLC0415
    from experiments.sweep.spec import load_sweep_spec  # noqa: PLC0415

    spec = load_sweep_spec(args.spec, args.set or None)
    try:
        report = execute_sweep(
            spec, args.out, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet
        )
    except KeyboardInterrupt:
        print(
            f"{spec.name}: interrupted; finished runs are kept in {args.out}: run the same "
            "command again to resume",
            file=sys.stderr,
        )
        raise
    print(report.format())
    return report.exit_code


def _add_sweep(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="run many scenarios x parameter points x seeds (resumable, local or on a cluster)",
        description="Run every scenario of the sweep file SPEC with every parameter point and "
        "seed, writing each run's tables to --out as it finishes. Running the same command "
        "again resumes: finished runs are skipped, failed and missing ones are redone. Exit "
        "code 0 if every run finished, 1 if some failed or are missing, 2 for a mistake in the "
        "sweep file or options. See docs/sweeps.md.",
    )
    parser.add_argument("spec", metavar="SPEC", help="sweep file (TOML)")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="output directory; give the same one again to resume",
    )
    add_workers(parser, scheduler=True)
    parser.add_argument(
        "--set",
        type=assignment,
        action="append",
        metavar="KEY=VALUE",
        help="add to the sweep's `set` values, e.g. --set run.scale=20000 (repeatable; values "
        "are TOML; changes the runs, so use a new --out)",
    )
    add_quiet(parser)
    parser.set_defaults(handler=_cmd_sweep)


# --- plot ----------------------------------------------------------------------------------


def _cmd_plot(args: argparse.Namespace) -> int:
    from analysis.report import (  # noqa: PLC0415
        analyse_sweep,
        find_sweep_dir,
        standard_figures,
        write_figures,
    )

    directory: Path = args.directory
    if not directory.is_dir():
        raise FraudsimError(f"'{directory}' is not a directory (give a sweep's output directory)")
    sweep_dir = find_sweep_dir(directory)
    result = analyse_sweep(sweep_dir, reference=args.reference)
    paths = write_figures(standard_figures(result), directory / "figures")
    for path in paths:
        print(path)
    return 0


def _add_plot(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw the standard figures of a finished sweep",
        description="Draw the standard figures of the sweep in DIR (the --out of `fraudsim "
        "sweep`, or of `fraudsim compare`, whose sweep is in DIR/sweep) into DIR/figures as "
        "PNG: monthly outcome curves with bands over seeds and lever starts, effects against "
        "the reference, card prices and the overseas share, the fraud-type mix, and how many "
        "seeds are enough.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="sweep output directory")
    parser.add_argument(
        "--reference",
        metavar="NAME",
        help="scenario to compare with (default: no_intervention if present, else the first)",
    )
    parser.set_defaults(handler=_cmd_plot)


# --- entry point ---------------------------------------------------------------------------


_SUBCOMMANDS = (
    _add_run,
    _add_validate,
    _add_schema,
    _add_defaults,
    _add_sweep,
    add_compare,
    _add_plot,
    add_targets,
    add_calibrate,
    add_dashboard,
)
"""Each adds one subcommand; they appear in ``--help`` in this order."""


def build_parser() -> argparse.ArgumentParser:
    """The ``fraudsim`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Agent-based model of telecom fraud campaigns in China, 2020-21, and of "
        "the warnings, card crackdowns and repatriations against them.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    """Print fraudsim's own warnings as messages for people; others as Python would.

    A :class:`ScenarioNote` is a ``note:`` line; another warning of fraudsim's (a sweep's
    failed runs, say) a ``warning:`` line without the source location, which would mean
    nothing to a user; a library's warning keeps Python's format.
    """
    if issubclass(category, ScenarioNote):
        print(f"{PROG}: note: {message}", file=sys.stderr)
    elif category.__module__.partition(".")[0] in _OWN_PACKAGES:
        print(f"{PROG}: warning: {message}", file=sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)  # type: ignore[arg-type]


_OWN_PACKAGES = ("simulation", "analysis", "experiments")


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
        warnings.showwarning = _show_warning
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
