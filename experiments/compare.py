"""``fraudsim compare``: run policy scenarios over paired seeds as a sweep, then report.

::

    fraudsim compare SCENARIO... [--reference NAME] [--seeds N] [--out DIR] [--workers N]
                     [--set KEY=VALUE ...] [--scale K] [--start DATE] [--end DATE]
                     [--bootstrap-seed N] [--quiet]

It writes a sweep file ``DIR/compare.toml`` (the scenarios x seeds 0..N-1), runs it with
:func:`experiments.sweep.run_sweep` into ``DIR/sweep`` (a rerun reuses finished runs), and
writes the report to ``DIR`` (:mod:`analysis.report`, which reads the sweep's files).

Exit codes as for every fraudsim command: 0 success, 2 a user mistake (message on stderr),
130 interrupted, and 1 when some runs failed (the report then covers the runs that finished;
running the same command again retries the others).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

from experiments.cli_types import (
    Subparsers,
    add_overrides,
    add_quiet,
    add_workers,
    non_negative_int,
    overrides_with_shorthands,
    positive_int,
)
from simulation.errors import FraudsimError

__all__ = ["add_compare"]

DEFAULT_SEEDS = 5
DEFAULT_OUT = Path("results") / "compare"


def _sweep_file_text(scenarios: list[Path], seeds: int) -> str:
    # JSON strings are valid TOML basic strings (same escapes), so any path survives quoting.
    listed = ",\n".join(f"  {json.dumps(str(path))}" for path in scenarios)
    return (
        "# Written by `fraudsim compare`: every scenario with seeds 0..N-1, the same seeds for\n"
        "# each, so that comparisons are paired. `fraudsim sweep` runs it too.\n"
        'name = "compare"\n'
        'description = "Policy comparison (fraudsim compare)."\n'
        f"scenarios = [\n{listed},\n]\n"
        f"seeds = {seeds}\n"
    )


def _cmd_compare(args: argparse.Namespace) -> int:
    # Imported here so that `fraudsim --help` does not import pandas, pyarrow or matplotlib.
    from analysis.report import answer, report_sweep  # noqa: PLC0415
    from analysis.sweeps import load_sweep_manifest  # noqa: PLC0415
    from experiments.sweep import load_sweep_spec, run_sweep  # noqa: PLC0415

    files = [Path(s) for s in args.scenarios]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FraudsimError(f"scenario file not found: {', '.join(missing)}")
    if len({f.resolve() for f in files}) < 2:
        raise FraudsimError(
            "compare needs at least two different scenario files: the policies and the "
            "reference (e.g. scenarios/no_intervention.toml)"
        )
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise FraudsimError(f"cannot write the comparison to '{out}': it is not a directory")
    spec_text = _sweep_file_text([f.resolve() for f in files], args.seeds)
    # Validate in a scratch file first, so that a mistake leaves no directory behind; the
    # scenario paths are absolute, so the file's location changes nothing but its name.
    with tempfile.TemporaryDirectory(prefix="fraudsim-compare-") as scratch:
        draft = Path(scratch) / "compare.toml"
        draft.write_text(spec_text, encoding="utf-8")
        spec = load_sweep_spec(draft, overrides_with_shorthands(args) or None)
    names = [entry.name for entry in spec.scenarios]
    reference = args.reference
    if reference is None:
        reference = "no_intervention" if "no_intervention" in names else names[0]
    elif reference not in names:
        raise FraudsimError(
            f"--reference must name one of the compared scenarios ({', '.join(names)}); "
            f"got {reference!r}"
        )
    spec_path = out / "compare.toml"
    try:
        out.mkdir(parents=True, exist_ok=True)
        spec_path.write_text(spec_text, encoding="utf-8")
    except OSError as exc:
        raise FraudsimError(f"cannot write '{spec_path}': {exc.strerror or exc}") from exc
    spec = dataclasses.replace(spec, source=str(spec_path))
    if not args.quiet:
        print(f"comparing {', '.join(n for n in names if n != reference)} with {reference}: "
              f"{spec.describe()}", file=sys.stderr)  # fmt: skip
    daily = run_sweep(spec, out / "sweep", workers=args.workers, progress=not args.quiet)
    counts = load_sweep_manifest(out / "sweep").get("counts", {})
    incomplete = counts.get("finished", 0) < counts.get("runs", 0)
    if daily.empty:
        raise FraudsimError(f"no run of the sweep in '{out / 'sweep'}' finished: no report")
    path, result = report_sweep(out / "sweep", out, reference=reference, seed=args.bootstrap_seed)
    # The answer first, as the report opens with it; then where the rest is.
    for sentence in answer(result.comparison):
        print(sentence)
    print()
    print(f"report: {path}")
    print(f"tables: {out / 'comparison.csv'}, {out / 'displacement.csv'}")
    print(f"figures: {out / 'figures'}")
    return 1 if incomplete else 0


def add_compare(subparsers: Subparsers) -> None:
    """Add ``fraudsim compare``.

    Args:
        subparsers: the ``fraudsim`` parser's subparsers object.
    """
    parser = subparsers.add_parser(
        "compare",
        help="compare policy scenarios with a reference over paired seeds; write a report",
        description="Run every SCENARIO with seeds 0..N-1 (a sweep in DIR/sweep; running the "
        "same command again reuses finished runs), compare each with the reference scenario "
        "seed by seed (cases and losses averted with bootstrap intervals, police effort, "
        "displacement, how many seeds are enough) and write DIR/report.html, "
        "DIR/comparison.csv, the figures (DIR/figures) and the sweep manifest.",
        epilog="example: fraudsim compare scenarios/no_intervention.toml "
        "scenarios/warnings.toml scenarios/broken_card.toml scenarios/repatriation.toml "
        "scenarios/all_measures.toml --seeds 20 --scale 2000 --out results/compare",
    )
    parser.add_argument(
        "scenarios", nargs="+", metavar="SCENARIO", help="scenario files (TOML), two or more"
    )
    parser.add_argument(
        "--reference",
        metavar="NAME",
        help="name of the scenario to compare with (default: no_intervention if it is among "
        "the scenarios, else the first)",
    )
    parser.add_argument(
        "--seeds",
        type=positive_int,
        default=DEFAULT_SEEDS,
        metavar="N",
        help=f"seeds per scenario, 0..N-1 (default {DEFAULT_SEEDS}; the report's "
        "seeds-enough table shows whether more are needed)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"output directory (default {DEFAULT_OUT})",
    )
    add_workers(parser)
    add_overrides(
        parser,
        "change one value in every scenario, e.g. --set police.p_dissuade=0.5 (repeatable; "
        "values are TOML)",
    )
    parser.add_argument(
        "--bootstrap-seed",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="seed of the bootstrap behind the intervals (default 0)",
    )
    add_quiet(parser)
    parser.set_defaults(handler=_cmd_compare)
