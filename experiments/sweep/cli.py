"""``fraudsim sweep``: run or resume a sweep file (registered with :func:`experiments.cli.subcommand`).

Exit codes as for every fraudsim command, plus one: 0 when every run of the sweep has
finished, 1 when some failed or are missing (the summary says which; run the same command
again to retry them), 2 for a user mistake (an invalid sweep file, a bad option, an output
directory holding another sweep), 130 when interrupted (finished runs are kept).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from experiments.cli import subcommand
from experiments.cli_types import assignment

__all__: list[str] = []


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes >= 1, got {text!r}")
    return value


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # A warning on the command line is a message for people, not a source location.
    print(f"fraudsim: warning: {message}", file=sys.stderr)


def _cmd_sweep(args: argparse.Namespace) -> int:
    # Imported here so that `fraudsim --help` does not import pandas, pyarrow and the model.
    from experiments.sweep.driver import execute_sweep  # noqa: PLC0415
    from experiments.sweep.spec import load_sweep_spec  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        spec = load_sweep_spec(args.spec, args.set or None)
        try:
            report = execute_sweep(
                spec,
                args.out,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=not args.quiet,
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


@subcommand
def _add_sweep(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="local worker processes (default: one per CPU; 1 runs serially in this process)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="send the runs to a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786 "
        "(needs fraudsim[sweep] here and on the workers)",
    )
    parser.add_argument(
        "--set",
        type=assignment,
        action="append",
        metavar="KEY=VALUE",
        help="add to the sweep's `set` values, e.g. --set run.scale=20000 (repeatable; values "
        "are TOML; changes the runs, so use a new --out)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (the summary is still printed)"
    )
    parser.set_defaults(handler=_cmd_sweep)
