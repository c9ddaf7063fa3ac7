"""The policy-comparison report of a finished sweep: figures, tables and one HTML page.

:func:`analyse` turns the tidy tables of a sweep into every summary the report shows;
:func:`standard_figures` draws the standard figures from that; :func:`write_report` writes
them to a directory::

    DIR/report.html         self-contained page: the answer first, curves, tables, provenance
    DIR/comparison.csv      effects against the reference with intervals (national equivalents)
    DIR/displacement.csv    shifts in fraud-type, channel and overseas shares
    DIR/effort.csv          extra police effort per lever
    DIR/seeds_enough.csv    interval width of each effect by number of seeds
    DIR/figures/*.png       the figures
    DIR/sweep.json          a copy of the sweep manifest

:func:`report_sweep` does all three for a sweep directory on disk. The modules:
:mod:`~analysis.report.analyse` (what the report shows), :mod:`~analysis.report.figures`
(drawn, described, rendered), :mod:`~analysis.report.sentences` (the answer in words),
:mod:`~analysis.report.tables` and :mod:`~analysis.report.numbers` (tables for people),
:mod:`~analysis.report.page` (the page, from ``templates/report.html.j2``) and
:mod:`~analysis.report.writing`. Like the rest of :mod:`analysis`, the report reads result
tables and never builds a model.
"""

from analysis.report.analyse import (
    DEFAULT_REFERENCE,
    SweepAnalysis,
    analyse,
    analyse_sweep,
    find_sweep_dir,
)
from analysis.report.figures import render_png, standard_figures, write_figures
from analysis.report.page import render_html
from analysis.report.sentences import answer, reading
from analysis.report.writing import report_sweep, write_report

__all__ = [
    "DEFAULT_REFERENCE",
    "SweepAnalysis",
    "analyse",
    "analyse_sweep",
    "answer",
    "find_sweep_dir",
    "reading",
    "render_html",
    "render_png",
    "report_sweep",
    "standard_figures",
    "write_figures",
    "write_report",
]
