"""``fraudsim targets`` and ``fraudsim calibrate``, added to the command line by :mod:`experiments.cli`.

Each ``add_*`` function adds one subparser and sets its ``handler``; the model, pandas work
and Optuna are imported only when a handler runs, so ``fraudsim --help`` stays quick.

Usage::

    fraudsim targets SCENARIO [--seeds N] [--workers N] [--set K=V ...] [--scale K]
                     [--targets FILE] [--out DIR] [--quiet]
    fraudsim calibrate SCENARIO --params SPEC [--trials N] [--seeds-per-trial K]
                       [--storage FILE] [--study NAME] [--out FILE] [--set K=V ...]
                       [--scale K] [--targets FILE] [--workers N] [--sampler-seed N]

Errors in the input (a bad scenario, spec or targets file, an unwritable output) are
:class:`simulation.errors.FraudsimError` and become a message and exit code 2 in
:func:`experiments.cli.main`. ``targets`` exits 0 whether or not the targets are met: the
table is the answer.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.numbers import format_number
from experiments.cli_types import (
    Subparsers,
    add_overrides,
    add_quiet,
    add_workers,
    non_negative_int,
    overrides_with_shorthands,
    positive_int,
    safe_dir_name,
)
from simulation.errors import FraudsimError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_calibrate", "add_targets", "format_targets_table"]


# --- options -----------------------------------------------------------------------------------


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    add_overrides(
        parser,
        "override one scenario value, e.g. --set run.scale=5000 (repeatable; TOML values)",
        period=False,
    )
    parser.add_argument(
        "--targets",
        type=Path,
        metavar="FILE",
        help="targets file (default scenarios/targets/mps_2021_06.toml)",
    )
    add_workers(parser)


# --- formatting --------------------------------------------------------------------------------


def _number(value: float, statistic: str) -> str:
    if statistic == "change" and math.isfinite(value):
        return f"{value:+.1%}"
    return format_number(value)


def _error_text(value: float, statistic: str) -> str:
    if not math.isfinite(value):
        return "n/a"
    if statistic == "change":
        return f"{value * 100:+.1f} pp"
    return f"{value:+.1%}"


def format_targets_table(table: pd.DataFrame) -> str:
    """Render the targets table of :func:`~analysis.targets.evaluate` as text.

    Args:
        table: the targets table.

    Returns:
        Aligned lines: target (``*`` if required), published, model median, 10-90 % range,
        error of the median, and whether it is within tolerance (``yes``, ``NO``, or ``-``
        for report-only targets).
    """
    import pandas as pd  # noqa: PLC0415 - `fraudsim --help` imports this module

    header = ("target", "published", "model median", "10-90 % range", "error", "within")
    rows = [header]
    for row in table.itertuples(index=False):
        stat = row.statistic
        within = row.within_tolerance
        ok = "-" if pd.isna(within) else ("yes" if bool(within) else "NO")
        tol = f" (±{_error_text(row.tolerance, stat).lstrip('+')})" if row.tolerance > 0 else ""
        rows.append(
            (
                f"{row.key}{' *' if row.required else ''}",
                _number(row.published, stat),
                _number(row.median, stat),
                f"{_number(row.p10, stat)} - {_number(row.p90, stat)}",
                _error_text(row.error, stat),
                f"{ok}{tol}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for r in rows:
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(r[1:5], widths[1:5])]
        cells.append(r[5])
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


# --- targets -----------------------------------------------------------------------------------


def _cmd_targets(args: argparse.Namespace) -> int:
    from analysis.plots.targets import plot_targets  # noqa: PLC0415
    from analysis.targets import (  # noqa: PLC0415
        DEFAULT_TARGETS,
        evaluate,
        load_targets,
    )
    from experiments.calibration.run import run_seeds  # noqa: PLC0415
    from experiments.executors import default_workers  # noqa: PLC0415
    from experiments.runs import check_out_dir  # noqa: PLC0415
    from simulation.errors import OutputError  # noqa: PLC0415
    from simulation.progress import progress_bar  # noqa: PLC0415 - keep --help light
    from simulation.scenario import load_scenario  # noqa: PLC0415

    targets = load_targets(args.targets)
    config = load_scenario(args.scenario, overrides_with_shorthands(args))
    out = args.out if args.out is not None else Path("results/targets") / safe_dir_name(config.name)
    check_out_dir(out)  # fail before the runs, not after
    workers = args.workers or default_workers()
    with progress_bar(
        enabled=not args.quiet, total=args.seeds, unit="seed", desc=f"{config.name}: runs"
    ) as bar:
        frames = run_seeds(
            config, args.seeds, workers=workers, progress=lambda _seed: bar.update(1)
        )
    table = evaluate(frames, config.run.scale, targets)
    csv_path, png_path = Path(out) / "targets.csv", Path(out) / "targets.png"
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        table.to_csv(csv_path, index=False)
        plot_targets(
            table,
            png_path,
            title=f"{config.name} against {Path(args.targets or DEFAULT_TARGETS).name}",
        )
    except OSError as exc:
        raise OutputError(f"cannot write to '{out}': {exc.strerror or exc}", str(out)) from exc

    print(
        f"{config.name}: {args.seeds} seeds, {config.run.start.isoformat()} to "
        f"{config.run.end.isoformat()}, 1 agent = {config.run.scale:,.0f} people; "
        "national equivalents"
    )
    print()
    print(format_targets_table(table))
    judged = table[table["tolerance"] > 0]
    required = judged[judged["required"]]
    met = int(required["within_tolerance"].fillna(False).sum())
    print()
    print(
        f"required targets within tolerance: {met} of {len(required)}; "
        f"all judged targets: {int(judged['within_tolerance'].fillna(False).sum())} of "
        f"{len(judged)} (* required; '-' reported only)"
    )
    print(f"wrote {csv_path} and {png_path}")
    return 0


def add_targets(subparsers: Subparsers) -> None:
    """Add ``fraudsim targets``.

    Args:
        subparsers: the ``fraudsim`` subparsers.
    """
    parser = subparsers.add_parser(
        "targets",
        help="compare a scenario over seeds with the published figures",
        description="Run SCENARIO with seeds 0..N-1 and compare each target of the targets "
        "file with the model: published value, model median and 10-90 % range over seeds, "
        "error of the median, within tolerance. Writes DIR/targets.csv and DIR/targets.png. "
        "Exits 0 whether or not targets are met.",
    )
    _add_common(parser)
    parser.add_argument(
        "--seeds", type=positive_int, default=10, metavar="N", help="seeds 0..N-1 (default 10)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="directory for targets.csv and targets.png (default results/targets/<scenario>)",
    )
    add_quiet(parser)
    parser.set_defaults(handler=_cmd_targets)


# --- calibrate ---------------------------------------------------------------------------------


def _cmd_calibrate(args: argparse.Namespace) -> int:
    try:
        import optuna  # noqa: PLC0415
    except ImportError:
        raise FraudsimError(
            "fraudsim calibrate needs optuna: pip install -e '.[calibrate]'"
        ) from None
    from analysis.targets import load_targets  # noqa: PLC0415
    from experiments.calibration.optimise import TrialReport, calibrate  # noqa: PLC0415
    from experiments.executors import default_workers  # noqa: PLC0415

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    targets = load_targets(args.targets)
    workers = args.workers or default_workers()

    def report(r: TrialReport) -> None:
        print(
            f"trial {r.number:>4}  ({r.done}/{r.total})  loss {r.loss:10.4g}   "
            f"best {r.best_loss:.4g} (trial {r.best_number})",
            flush=True,
        )

    print(
        f"calibrating {args.scenario} with {args.params}: {args.trials} trials in all, "
        f"{args.seeds_per_trial} seeds each, {workers} workers",
        flush=True,
    )
    result = calibrate(
        args.scenario,
        args.params,
        targets,
        trials=args.trials,
        seeds_per_trial=args.seeds_per_trial,
        storage_path=args.storage,
        study_name=args.study,
        overrides=overrides_with_shorthands(args),
        workers=workers,
        out_path=args.out,
        sampler_seed=args.sampler_seed,
        progress=report,
    )
    print()
    print(
        f"study {result.study_name!r}: {result.n_trials} finished trials "
        f"({result.n_new} new); best trial {result.best_trial}, loss {result.best_loss:.4g}"
    )
    print()
    width = max(len(k) for k in result.best_params)
    print(f"{'parameter'.ljust(width)}  {'start':>12}  {'fitted':>12}")
    for key, value in result.best_params.items():
        print(f"{key.ljust(width)}  {result.start_params[key]:>12.4g}  {value:>12.4g}")
    print()
    by_key = targets.by_key()
    width = max(len(k) for k in result.targets)
    print(f"{'target'.ljust(width)}  {'published':>12}  {'best median':>12}")
    for key in result.targets:
        target = by_key[key]
        median = result.best_medians.get(key, math.nan)
        print(
            f"{key.ljust(width)}  {_number(target.published, target.statistic):>12}  "
            f"{_number(median, target.statistic):>12}"
        )
    print()
    print(f"fitted scenario: {result.scenario_path}")
    print(
        f"study: {result.storage_path} (optuna.load_study(study_name={result.study_name!r}, "
        f"storage={result.storage_url!r}))"
    )
    print(f"check it: fraudsim targets {result.scenario_path}")
    return 0


def add_calibrate(subparsers: Subparsers) -> None:
    """Add ``fraudsim calibrate``.

    Args:
        subparsers: the ``fraudsim`` subparsers.
    """
    parser = subparsers.add_parser(
        "calibrate",
        help="fit uncertain parameters to the published figures (Optuna)",
        description="Fit the parameters of a params spec to the targets with Optuna's TPE "
        "sampler. The loss sums squared log-ratios (model median / published; squared "
        "differences for changes) over the chosen targets. The study is kept in a SQLite "
        "file and resumes when run again; the best values are written as a scenario that "
        "extends SCENARIO.",
    )
    _add_common(parser)
    parser.add_argument(
        "--params",
        required=True,
        type=Path,
        metavar="SPEC",
        help="params spec (TOML), e.g. scenarios/calibration/params.toml",
    )
    parser.add_argument(
        "--trials",
        type=non_negative_int,
        default=50,
        metavar="N",
        help="finished trials the study should have (a resumed study runs the rest; default 50)",
    )
    parser.add_argument(
        "--seeds-per-trial",
        type=positive_int,
        default=3,
        metavar="K",
        help="seeds 0..K-1 per trial; the loss reads their median (default 3)",
    )
    parser.add_argument(
        "--storage",
        type=Path,
        metavar="FILE",
        help="SQLite file of the study (default results/calibration/<study>.sqlite3)",
    )
    parser.add_argument(
        "--study", metavar="NAME", help="study name (default <scenario stem>-<spec stem>)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="fitted scenario to write (default: the storage file with .toml)",
    )
    parser.add_argument(
        "--sampler-seed",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="seed of the TPE sampler (default 0)",
    )
    parser.set_defaults(handler=_cmd_calibrate)
