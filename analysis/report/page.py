"""The report page: one self-contained HTML file, rendered from a Jinja2 template.

The page answers first: two or three sentences and the headline figure (what each policy
averted, ranked); then the outcome curves; then the tables that matter, each beside its
figures; the sweep's scenarios, metadata and provenance last, folded. The layout is the
template's (``templates/report.html.j2``); this module gathers what it shows. Every value
reaches the HTML through the template's autoescaping, and figures are embedded as base64 PNG
with alt text that says what they show.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import struct
from collections.abc import Mapping
from typing import Any

import jinja2
from matplotlib.figure import Figure

from analysis.report.analyse import SweepAnalysis
from analysis.report.figures import HEADLINE, describe_figure, png_data
from analysis.report.sentences import answer, reading
from analysis.report.tables import (
    displacement_table,
    effects_table,
    effort_table,
    scenarios_table,
    seeds_table,
)

__all__ = ["TEMPLATE", "PageFigure", "render_html"]

TEMPLATE = "report.html.j2"
"""The page template, a data file of this package (``analysis/report/templates``)."""

_SHOWN_BY_HEADLINE = ("comparison_cases_averted", "comparison_losses_averted_net_yuan")
"""Figures the headline already shows: written to ``figures/``, not repeated on the page."""

_PNG_DPI = 150  # the resolution render_png draws at, dots per inch
_CSS_DPI = 96  # CSS pixels per inch: a figure is shown at its drawn size in inches

_SECTIONS = ("answer", "curves", "effects", "effort", "displacement", "seeds", "other")


@dataclasses.dataclass(frozen=True)
class PageFigure:
    """A figure as the page embeds it.

    Attributes:
        stem: its file stem (``figures/<stem>.png`` beside the report).
        png_base64: its PNG data, base64-encoded.
        width: its width on the page, CSS pixels (narrower on narrow screens).
        height: its height on the page, CSS pixels, in proportion.
        caption: a sentence under it.
        alt: what it shows, for a reader who cannot see it.
    """

    stem: str
    png_base64: str
    width: int
    height: int
    caption: str
    alt: str


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("analysis.report", "templates"),
        # Scenario names, descriptions and manifest values are text from files: escape all.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _facts(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The sweep's metadata and provenance as ``(name, value)`` text pairs."""
    facts = [(str(k), str(v)) for k, v in manifest.items() if isinstance(v, str | int | float)]
    if isinstance(manifest.get("seeds"), list):
        facts.append(("seeds", ", ".join(str(s) for s in manifest["seeds"])))
    for key in ("set", "counts", "versions", "git"):
        if isinstance(manifest.get(key), Mapping):
            facts.append((key, ", ".join(f"{k} {v}" for k, v in manifest[key].items())))
    return facts


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of PNG data in pixels, from its header chunk."""
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _figures(
    result: SweepAnalysis, figures: Mapping[str, Figure] | Mapping[str, bytes]
) -> dict[str, list[PageFigure]]:
    placed: dict[str, list[PageFigure]] = {section: [] for section in _SECTIONS}
    for stem, figure in figures.items():
        if HEADLINE in figures and stem in _SHOWN_BY_HEADLINE:
            continue
        text = describe_figure(stem, result)
        data = png_data(figure, dpi=_PNG_DPI)
        width, height = _png_size(data)
        placed[text.section].append(
            PageFigure(
                stem,
                base64.b64encode(data).decode("ascii"),
                round(width * _CSS_DPI / _PNG_DPI),
                round(height * _CSS_DPI / _PNG_DPI),
                text.caption,
                text.alt,
            )
        )
    return placed


def render_html(
    result: SweepAnalysis,
    figures: Mapping[str, Figure] | Mapping[str, bytes],
    *,
    title: str | None = None,
) -> str:
    """The report as one self-contained HTML page (figures embedded as base64 PNG).

    Args:
        result: the analysis.
        figures: file stem to figure or to its PNG data (:func:`analysis.report.render_png`),
            in the order to show them within their sections.
        title: page title (default names the scenarios).

    Returns:
        The HTML text.
    """
    comparison = result.comparison
    compared = not comparison.empty
    enough = result.seeds_enough
    seeds = len(result.manifest.get("seeds") or []) or (
        int(enough["n_seeds"].max()) if not enough.empty else "?"
    )
    context = {
        "title": title or f"fraudsim policy comparison: {', '.join(result.scenarios)}",
        "reference": result.reference,
        "level": f"{float(comparison.attrs.get('level', 0.95)):.0%}",
        "answer": answer(comparison),
        "reading": reading(result),
        "figures": _figures(result, figures),
        "effects": effects_table(comparison) if compared else None,
        "effort": effort_table(result.effort) if not result.effort.empty else None,
        "displacement": (
            displacement_table(result.displacement) if not result.displacement.empty else None
        ),
        "seeds": (
            seeds_table(enough) if not enough.empty and enough["ci_width"].notna().any() else None
        ),
        "scenarios": scenarios_table(result),
        "n_scenarios": len(result.scenarios),
        "n_seeds": seeds,
        "facts": _facts(result.manifest),
        "written": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
    }
    return _environment().get_template(TEMPLATE).render(context)
