"""The report's figures: which are drawn, what each shows in words, and their PNG data.

:func:`standard_figures` draws the figures of an analysis by file stem, in reading order;
:func:`describe_figure` says what one shows (the page's caption and the image's alt text,
with the numbers a reader of the image would take from it); :func:`render_png` and
:func:`write_figures` render them.
"""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.effects import EFFECTS
from analysis.plots import (
    plot_averted,
    plot_comparison,
    plot_market_and_abroad,
    plot_outcome_curves,
    plot_seeds_enough,
    plot_type_mix,
)
from analysis.plots.labels import series_labels
from analysis.report.analyse import DAILY_QUANTITIES, SweepAnalysis
from analysis.report.numbers import format_interval, format_number
from analysis.report.tables import ranked
from simulation.errors import OutputError

__all__ = [
    "HEADLINE",
    "FigureText",
    "describe_figure",
    "png_data",
    "render_png",
    "standard_figures",
    "write_figures",
]

HEADLINE = "headline"
"""File stem of the headline figure: cases and net losses averted per policy, ranked."""

CURVES: dict[str, str] = {
    "cases": "completed frauds (cases) per month",
    "case_rate_per_100k": "case rate per 100,000 residents per month",
    "loss_yuan": "gross losses per month",
    "net_loss_yuan": "net losses (gross minus recovered) per month",
}
"""The monthly outcome curves the report draws, with their titles."""


def standard_figures(result: SweepAnalysis) -> dict[str, Figure]:
    """The report's figures, by file stem, in reading order.

    The headline (cases and net losses averted per policy, ranked); monthly outcome curves
    (cases, case rate per 100,000, gross and net losses) with bands over seeds and lever
    starts; forest plots of cases and net losses averted and of cases averted per 1,000
    officer-hours; card prices and the overseas share; the fraud-type mix of each scenario;
    the seeds-enough curve.

    Args:
        result: the analysis.

    Returns:
        File stem to figure.
    """
    figures: dict[str, Figure] = {}
    order = result.scenarios
    if not result.comparison.empty:
        figures[HEADLINE] = plot_averted(result.comparison, scenarios=order)
    available = set(result.monthly_bands["quantity"])
    for quantity, title in CURVES.items():
        if quantity in available:
            figures[f"curve_{quantity}"] = plot_outcome_curves(
                result.monthly_bands,
                quantity,
                scenarios=order,
                lever_starts=result.lever_starts,
                title=title,
            )
    table = result.comparison
    if not table.empty:
        for effect in ("cases_averted", "losses_averted_net_yuan"):
            figures[f"comparison_{effect}"] = plot_comparison(table, effect, scenarios=order)
    per_hour = "cases_averted_per_1000_officer_hours"
    # Scenarios without extra police effort have no effect per officer-hour: leave them out.
    defined = table[(table["effect"] == per_hour) & table["mean"].notna()] if len(table) else table
    if not defined.empty:
        figures["comparison_per_officer_hour"] = plot_comparison(defined, per_hour, scenarios=order)
    if set(DAILY_QUANTITIES) <= set(result.daily_bands["quantity"]):
        figures["market_and_abroad"] = plot_market_and_abroad(
            result.daily_bands, scenarios=order, lever_starts=result.lever_starts
        )
    if result.by_type is not None:
        for scenario in order:
            figures[f"type_mix_{_file_stem(scenario)}"] = plot_type_mix(
                result.by_type, scenario=scenario, lever_starts=result.lever_starts
            )
    enough = result.seeds_enough
    if not enough.empty and enough["ci_width"].notna().any():
        figures["seeds_enough_cases_averted"] = plot_seeds_enough(
            enough, "cases_averted", scenarios=order
        )
    return figures


def _file_stem(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    return cleaned or "unnamed"


def render_png(figures: Mapping[str, Figure], *, dpi: int = 150) -> dict[str, bytes]:
    """PNG data of each figure (rendering is the slow part: do it once, write and embed it).

    Args:
        figures: file stem to figure.
        dpi: resolution, dots per inch (150 prints well at page width).

    Returns:
        File stem to PNG bytes.
    """
    return {stem: png_data(figure, dpi=dpi) for stem, figure in figures.items()}


def png_data(figure: Figure | bytes, *, dpi: int = 150) -> bytes:
    """A figure's PNG data: rendered now, or as already rendered by :func:`render_png`."""
    if isinstance(figure, bytes):
        return figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def write_figures(
    figures: Mapping[str, Figure] | Mapping[str, bytes],
    directory: str | os.PathLike[str],
    *,
    dpi: int = 150,
) -> list[Path]:
    """Save figures as PNG files named by their keys.

    Args:
        figures: file stem to figure, or to PNG data already rendered (:func:`render_png`).
        directory: where to write (created if missing).
        dpi: resolution of figures still to render, dots per inch.

    Returns:
        The paths written, in order.

    Raises:
        OutputError: if the directory cannot be written.
    """
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
        paths = []
        for stem, figure in figures.items():
            path = root / f"{stem}.png"
            path.write_bytes(png_data(figure, dpi=dpi))
            paths.append(path)
    except OSError as exc:
        raise OutputError(
            f"cannot write figures to '{root}': {exc.strerror or exc}", str(root)
        ) from exc
    return paths


# --- what each figure shows, in words ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FigureText:
    """What a figure shows, for the page.

    Attributes:
        section: the page section it belongs to: ``"answer"``, ``"curves"``, ``"effects"``,
            ``"effort"``, ``"displacement"``, ``"seeds"`` or ``"other"``.
        caption: a sentence under the figure.
        alt: the image's alternative text: what the figure shows and the numbers a reader
            would take from it.
    """

    section: str
    caption: str
    alt: str


def _level(result: SweepAnalysis) -> str:
    return f"{float(result.comparison.attrs.get('level', 0.95)):.0%}"


def _listed(parts: list[str]) -> str:
    return "; ".join(parts) + "." if parts else ""


def _amount(row: pd.Series, unit: str, noun: str = "") -> str:
    """``mean noun (low to high)`` in the unit's form."""
    interval = format_interval(row["ci_low"], row["ci_high"], unit)
    return f"{format_number(row['mean'], unit)}{' ' if noun else ''}{noun} ({interval})"


def _headline_text(result: SweepAnalysis) -> FigureText:
    level = _level(result)
    net = ranked(result.comparison, "losses_averted_net_yuan").set_index("_label")
    pairs = [
        f"{row['_label']}: {_amount(row, 'cases', 'cases')} and "
        f"{_amount(net.loc[row['_label']], 'yuan', 'yuan of net losses')}"
        for _, row in ranked(result.comparison, "cases_averted").iterrows()
    ]
    return FigureText(
        "answer",
        f"Cases and net losses averted against {result.reference}, policies ranked by cases "
        f"averted: mean over paired seeds with {level} bootstrap intervals (national "
        "equivalents).",
        f"Chart ranking the policies by what they averted against {result.reference}, largest "
        f"first, each with its {level} interval: " + _listed(pairs),
    )


def _curve_text(result: SweepAnalysis, quantity: str) -> FigureText:
    bands = result.monthly_bands[result.monthly_bands["quantity"] == quantity]
    bands = bands.assign(_label=series_labels(bands))
    first, last = pd.Timestamp(bands["date"].min()), pd.Timestamp(bands["date"].max())
    unit = "" if quantity == "case_rate_per_100k" else " (national equivalent)"
    values = []
    for label, part in bands.sort_values("date", kind="stable").groupby("_label", sort=False):
        start, end = part["median"].iloc[0], part["median"].iloc[-1]
        values.append(f"{label} from {format_number(start)} to {format_number(end)}")
    title = CURVES[quantity]
    return FigureText(
        "curves",
        f"{title.capitalize()}{unit}: median over seeds with a band between the 10th and 90th "
        "percentiles; dashed vertical lines mark lever starts.",
        f"Line chart of {title}{unit}, {first:%B %Y} to {last:%B %Y}, one line per scenario "
        f"(median over seeds, with a shaded band), dashed lines at lever starts. Medians in the "
        f"first and last month: " + _listed(values),
    )


def _last_medians(bands: pd.DataFrame, quantity: str, unit: str) -> list[str]:
    rows = bands[bands["quantity"] == quantity]
    rows = rows.assign(_label=series_labels(rows))
    last = rows.sort_values("date").groupby("_label", sort=False).tail(1)
    return [f"{row['_label']} {format_number(row['median'], unit)}" for _, row in last.iterrows()]


def _market_text(result: SweepAnalysis) -> FigureText:
    bands = result.daily_bands
    cards = _last_medians(bands, "card_price_yuan", "yuan")
    abroad = _last_medians(bands, "overseas_share", "share")
    return FigureText(
        "displacement",
        "Black-market prices of bank cards and phone cards, and the share of contacts made by "
        "gangs abroad: median over seeds with bands; dashed vertical lines mark lever starts.",
        "Three line charts over time, one line per scenario: the price of a bank card and of a "
        "phone card on the black market (yuan per card), and the share of contacts made by "
        "gangs abroad (0-1). On the last day, the bank card price in yuan: "
        + "; ".join(cards)
        + "; the share abroad: "
        + _listed(abroad),
    )


def _type_mix_text(result: SweepAnalysis, scenario: str) -> FigureText:
    shares: list[str] = []
    if result.by_type is not None:
        rows = result.by_type[result.by_type["scenario"] == scenario]
        totals = rows.groupby("fraud_type", sort=False)["cases"].sum()
        if totals.sum() > 0:
            top = (totals / totals.sum()).sort_values(ascending=False).head(3)
            shares = [f"{k.replace('_', ' ')} {format_number(v, 'share')}" for k, v in top.items()]
    return FigureText(
        "displacement",
        f"{scenario}: the share of cases by fraud type over time (mean over seeds).",
        f"Stacked area chart of the share of cases by fraud type over time in {scenario}, mean "
        "over seeds, lever starts marked. Largest shares over the whole period: "
        + (_listed(shares) or "no cases."),
    )


def _seeds_text(result: SweepAnalysis) -> FigureText:
    rows = result.seeds_enough[result.seeds_enough["effect"] == "cases_averted"].dropna(
        subset=["ci_width"]
    )
    rows = rows.assign(_label=series_labels(rows))
    values = []
    for label, part in rows.sort_values("n_seeds", kind="stable").groupby("_label", sort=False):
        low, high = part.iloc[0], part.iloc[-1]
        values.append(
            f"{label} from {format_number(low['ci_width'], 'cases')} with "
            f"{int(low['n_seeds'])} seeds to {format_number(high['ci_width'], 'cases')} with "
            f"{int(high['n_seeds'])}"
        )
    level = _level(result)
    return FigureText(
        "seeds",
        f"Width of the {level} interval of cases averted as seeds are added: where the lines "
        "flatten, more seeds add little.",
        f"Line chart of the width of the {level} interval of cases averted (cases) against the "
        "number of seeds, one line per policy: " + _listed(values),
    )


def describe_figure(stem: str, result: SweepAnalysis) -> FigureText:
    """What the figure of ``stem`` (a key of :func:`standard_figures`) shows, for the page.

    Args:
        stem: the figure's file stem.
        result: the analysis it was drawn from, for the numbers the text quotes.

    Returns:
        The figure's section, caption and alt text; a figure this module does not draw gets
        a plain caption in the ``"other"`` section.
    """
    if stem == HEADLINE:
        return _headline_text(result)
    if stem.startswith("curve_") and stem[len("curve_") :] in CURVES:
        return _curve_text(result, stem[len("curve_") :])
    per_hour = "cases_averted_per_1000_officer_hours"
    effects = {"comparison_per_officer_hour": per_hour} | {
        f"comparison_{e}": e for e in ("cases_averted", "losses_averted_net_yuan")
    }
    if stem in effects:
        effect = EFFECTS[effects[stem]]
        rows = ranked(result.comparison.dropna(subset=["mean"]), effect.name)
        values = [f"{row['_label']} {_amount(row, effect.unit)}" for _, row in rows.iterrows()]
        return FigureText(
            "effort" if effect.name == per_hour else "effects",
            f"{effect.label.capitalize()} against {result.reference}, per policy ({effect.unit}):"
            f" mean over seeds with its {_level(result)} bootstrap interval.",
            f"Forest plot of {effect.label} ({effect.unit}) against {result.reference}, one row "
            "per policy, largest at the top, each with its interval: " + _listed(values),
        )
    if stem == "market_and_abroad":
        return _market_text(result)
    for scenario in result.scenarios:
        if stem == f"type_mix_{_file_stem(scenario)}":
            return _type_mix_text(result, scenario)
    if stem == "seeds_enough_cases_averted":
        return _seeds_text(result)
    return FigureText("other", f"Figure {stem}.", f"Figure {stem}.")
