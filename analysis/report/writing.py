"""Writing the report: the page, its tables, figures and a copy of the sweep manifest."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from matplotlib.figure import Figure

from analysis.report.analyse import SWEEP_MANIFEST, SweepAnalysis, analyse_sweep
from analysis.report.figures import render_png, standard_figures, write_figures
from analysis.report.page import render_html
from simulation.errors import OutputError

__all__ = ["report_sweep", "write_report"]


def _write_text(path: Path, text: str) -> None:
    # Written beside the target and renamed, so a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(
    result: SweepAnalysis,
    out_dir: str | os.PathLike[str],
    *,
    figures: Mapping[str, Figure] | None = None,
    title: str | None = None,
) -> Path:
    """Write the report, its tables, figures and a copy of the sweep manifest to ``out_dir``.

    Args:
        result: the analysis.
        out_dir: the report directory (created if missing).
        figures: the figures (default :func:`standard_figures`).
        title: page title.

    Returns:
        The path of ``report.html``.

    Raises:
        OutputError: if the directory cannot be written.
    """
    root = Path(out_dir)
    images = render_png(standard_figures(result) if figures is None else figures)
    try:
        root.mkdir(parents=True, exist_ok=True)
        write_figures(images, root / "figures")
        result.comparison.to_csv(root / "comparison.csv", index=False)
        result.displacement.to_csv(root / "displacement.csv", index=False)
        result.effort.to_csv(root / "effort.csv", index=False)
        result.seeds_enough.to_csv(root / "seeds_enough.csv", index=False)
        _write_text(
            root / SWEEP_MANIFEST,
            json.dumps(result.manifest, indent=2, ensure_ascii=False, default=str) + "\n",
        )
        _write_text(root / "report.html", render_html(result, images, title=title))
    except OSError as exc:
        raise OutputError(
            f"cannot write the report to '{root}': {exc.strerror or exc}", str(root)
        ) from exc
    return root / "report.html"


def report_sweep(
    sweep_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    reference: str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> tuple[Path, SweepAnalysis]:
    """Analyse a finished sweep and write its report (see :mod:`analysis.report` for the files).

    Args:
        sweep_dir: the sweep directory (or a compare directory holding ``sweep/``).
        out_dir: where to write the report.
        reference: the reference scenario (default ``no_intervention`` when present).
        seed: bootstrap seed.
        n_boot: bootstrap resamples.
        level: confidence level.

    Returns:
        The path of ``report.html`` and the analysis.
    """
    result = analyse_sweep(sweep_dir, reference=reference, seed=seed, n_boot=n_boot, level=level)
    return write_report(result, out_dir), result
