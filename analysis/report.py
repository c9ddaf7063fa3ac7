"""The policy-comparison report of a finished sweep: figures, tables and one HTML page.

:func:`analyse` turns the tidy tables of a sweep into every summary the report shows (bands
over seeds, monthly national equivalents, the comparison against the reference, displacement,
police effort, and how many seeds are enough); :func:`standard_figures` draws the standard
figures from that; :func:`write_report` writes them to a directory::

    DIR/report.html         self-contained page: manifest summary, reading, tables, figures
    DIR/comparison.csv      effects against the reference with intervals (national equivalents)
    DIR/displacement.csv    shifts in fraud-type, channel and overseas shares
    DIR/effort.csv          extra police effort per lever
    DIR/seeds_enough.csv    interval width of each effect by number of seeds
    DIR/figures/*.png       the figures
    DIR/sweep.json          a copy of the sweep manifest

:func:`report_sweep` does all three for a sweep directory on disk. Like the rest of
:mod:`analysis`, this module reads result tables and never builds a model.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import html
import io
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.displacement import displacement
from analysis.effects import EFFECTS, compare_policies, seeds_enough
from analysis.effort import effort_by_lever
from analysis.manifests import (
    lever_starts,
    policy_starts,
    residents_by_run,
    residents_by_scenario,
    scales_by_run,
    scales_by_scenario,
    scenario_entries,
)
from analysis.plots import (
    plot_comparison,
    plot_market_and_abroad,
    plot_outcome_curves,
    plot_seeds_enough,
    plot_type_mix,
)
from analysis.summaries import add_case_rate, add_net_loss, monthly, national, seed_bands
from simulation.errors import FraudsimError, OutputError

__all__ = [
    "DEFAULT_REFERENCE",
    "SweepAnalysis",
    "analyse",
    "analyse_sweep",
    "find_sweep_dir",
    "reading",
    "render_html",
    "render_png",
    "report_sweep",
    "standard_figures",
    "write_figures",
    "write_report",
]

DEFAULT_REFERENCE = "no_intervention"
SWEEP_MANIFEST = "sweep.json"
_MONTHLY_QUANTITIES = ("cases", "case_rate_per_100k", "loss_yuan", "net_loss_yuan", "dissuaded")
_DAILY_QUANTITIES = ("card_price_yuan", "phone_card_price_yuan", "overseas_share")


@dataclasses.dataclass(frozen=True)
class SweepAnalysis:
    """Everything the report shows, computed from a sweep's tables.

    Attributes:
        manifest: the sweep manifest (``sweep.json``) as parsed.
        reference: the scenario every other one is compared with.
        scenarios: scenario names in sweep order (which fixes their colours in figures).
        monthly_bands: median and 10-90 % bands over seeds of monthly national equivalents
            (flows summed, states averaged), with ``case_rate_per_100k`` (cases per 100,000
            residents per month) and ``net_loss_yuan``.
        daily_bands: daily bands of card prices and the overseas share (not scaled).
        comparison: :func:`analysis.effects.compare_policies` in national equivalents.
        displacement: :func:`analysis.displacement.displacement` (shares, 0-1).
        effort: :func:`analysis.effort.effort_by_lever` in national officer-hours.
        seeds_enough: :func:`analysis.effects.seeds_enough` in national equivalents.
        lever_starts: scenario to ``[(lever label, start date), ...]``.
        by_type: the tidy ``by_type`` table (model units), for the fraud-type mix.
        by_channel: the tidy ``by_channel`` table (model units), or ``None``.
    """

    manifest: dict[str, Any]
    reference: str
    scenarios: list[str]
    monthly_bands: pd.DataFrame
    daily_bands: pd.DataFrame
    comparison: pd.DataFrame
    displacement: pd.DataFrame
    effort: pd.DataFrame
    seeds_enough: pd.DataFrame
    lever_starts: dict[str, list[tuple[str, pd.Timestamp]]]
    by_type: pd.DataFrame | None
    by_channel: pd.DataFrame | None


def find_sweep_dir(directory: str | os.PathLike[str]) -> Path:
    """The sweep directory of ``directory``: its ``sweep/`` (a ``compare`` output), or itself.

    ``sweep/`` is tried first: a compare directory also holds a *copy* of the manifest.

    Raises:
        OutputError: if neither holds a ``sweep.json``.
    """
    root = Path(directory)
    for candidate in (root / "sweep", root):
        if (candidate / SWEEP_MANIFEST).is_file():
            return candidate
    raise OutputError(
        f"'{root}' holds no {SWEEP_MANIFEST} (nor does '{root / 'sweep'}'): give the output "
        "directory of `fraudsim sweep` or `fraudsim compare`",
        str(root),
    )


def _sweep_readers() -> tuple[Any, Any]:
    """``load_sweep`` and ``load_sweep_manifest`` (:mod:`analysis.sweeps`).

    Imported on use: reading a sweep needs pyarrow and the sweep store; drawing figures from
    frames already in memory does not.
    """
    from analysis.sweeps import load_sweep, load_sweep_manifest  # noqa: PLC0415

    return load_sweep, load_sweep_manifest


def _choose_reference(scenarios: Sequence[str], reference: str | None) -> str:
    if reference is None:
        return DEFAULT_REFERENCE if DEFAULT_REFERENCE in scenarios else scenarios[0]
    if reference not in scenarios:
        raise FraudsimError(
            f"The reference scenario must be one of the sweep's scenarios {list(scenarios)}. "
            f"Got {reference!r} instead."
        )
    return reference


def analyse(
    daily: pd.DataFrame,
    manifest: Mapping[str, Any],
    *,
    by_type: pd.DataFrame | None = None,
    by_channel: pd.DataFrame | None = None,
    reference: str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> SweepAnalysis:
    """Compute every summary of the report from a sweep's tidy tables.

    Args:
        daily: tidy daily table of the sweep (model units).
        manifest: the sweep manifest, for each scenario's scale, national population and
            levers.
        by_type: tidy ``by_type`` table (for the fraud-type mix and its displacement).
        by_channel: tidy ``by_channel`` table (for channel displacement).
        reference: the reference scenario (default ``no_intervention`` if the sweep has it,
            else its first scenario).
        seed: bootstrap seed (integer >= 0).
        n_boot: bootstrap resamples.
        level: confidence level of the intervals (0 to 1).

    Returns:
        The analysis.

    Raises:
        FraudsimError: if the reference is unknown, a scenario lacks its scale, or the sweep
            has a single scenario.
    """
    if daily.empty:
        raise FraudsimError("the sweep has no finished run yet: nothing to analyse")
    scenarios = [str(s) for s in daily["scenario"].unique()]
    reference = _choose_reference(scenarios, reference)
    # A sweep records each run's scale (a sweep may vary run.scale); a hand-made manifest may
    # give only each scenario's.
    if manifest.get("runs") and "run_id" in daily.columns:
        by, scales, residents = "run_id", scales_by_run(manifest), residents_by_run(manifest)
    else:
        by, scales = "scenario", scales_by_scenario(manifest)
        residents = residents_by_scenario(manifest)
    starts = lever_starts(manifest)
    month = add_net_loss(add_case_rate(monthly(daily), residents, by=by))
    monthly_national = national(month, scales, by=by)
    keep = [q for q in _MONTHLY_QUANTITIES if q in monthly_national.columns]
    monthly_bands = seed_bands(monthly_national, keep)
    daily_bands = seed_bands(daily, [q for q in _DAILY_QUANTITIES if q in daily.columns])
    national_daily = national(daily, scales, by=by)
    if len(scenarios) < 2:
        # One scenario: curves and mixes only; there is nothing to compare it with.
        comparison = moved = effort = enough = pd.DataFrame()
    else:
        comparison = compare_policies(
            national_daily, reference, seed=seed, n_boot=n_boot, level=level
        )
        starts_by_scenario = policy_starts(manifest)
        moved = displacement(
            reference,
            {s: starts_by_scenario.get(s) for s in scenarios if s != reference},
            by_type=by_type,
            by_channel=by_channel,
            daily=daily,
            seed=seed,
            n_boot=n_boot,
            level=level,
        )
        effort = effort_by_lever(national_daily, reference)
        enough = seeds_enough(national_daily, reference, seed=seed, n_boot=n_boot, level=level)
    return SweepAnalysis(
        manifest=dict(manifest),
        reference=reference,
        scenarios=scenarios,
        monthly_bands=monthly_bands,
        daily_bands=daily_bands,
        comparison=comparison,
        displacement=moved,
        effort=effort,
        seeds_enough=enough,
        lever_starts={s: starts.get(s, []) for s in scenarios},
        by_type=by_type,
        by_channel=by_channel,
    )


def analyse_sweep(
    sweep_dir: str | os.PathLike[str],
    *,
    reference: str | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
) -> SweepAnalysis:
    """Read a finished sweep from disk and :func:`analyse` it.

    Args:
        sweep_dir: the sweep's output directory (with ``sweep.json``), or a ``fraudsim
            compare`` output directory holding it under ``sweep/``.
        reference: the reference scenario (see :func:`analyse`).
        seed: bootstrap seed.
        n_boot: bootstrap resamples.
        level: confidence level.

    Returns:
        The analysis.
    """
    load_sweep, load_sweep_manifest = _sweep_readers()
    root = find_sweep_dir(sweep_dir)
    manifest = load_sweep_manifest(root)
    return analyse(
        load_sweep(root, table="daily"),
        manifest,
        by_type=load_sweep(root, table="by_type"),
        by_channel=load_sweep(root, table="by_channel"),
        reference=reference,
        seed=seed,
        n_boot=n_boot,
        level=level,
    )


# --- figures ----------------------------------------------------------------------------------


def standard_figures(result: SweepAnalysis) -> dict[str, Figure]:
    """The report's figures, by file stem, in reading order.

    Monthly outcome curves (cases, case rate per 100,000, gross and net losses) with bands
    over seeds and lever starts; forest plots of cases and net losses averted and of cases
    averted per 1,000 officer-hours; card prices and the overseas share; the fraud-type mix
    of each scenario; the seeds-enough curve.

    Args:
        result: the analysis.

    Returns:
        File stem to figure.
    """
    figures: dict[str, Figure] = {}
    order = result.scenarios
    curves = {
        "cases": "completed frauds (cases) per month",
        "case_rate_per_100k": "case rate per 100,000 residents per month",
        "loss_yuan": "gross losses per month",
        "net_loss_yuan": "net losses (gross minus recovered) per month",
    }
    available = set(result.monthly_bands["quantity"])
    for quantity, title in curves.items():
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
    if set(_DAILY_QUANTITIES) <= set(result.daily_bands["quantity"]):
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
    images = {}
    for stem, figure in figures.items():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        images[stem] = buffer.getvalue()
    return images


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
            data = (
                figure if isinstance(figure, bytes) else render_png({stem: figure}, dpi=dpi)[stem]
            )
            path = root / f"{stem}.png"
            path.write_bytes(data)
            paths.append(path)
    except OSError as exc:
        raise OutputError(
            f"cannot write figures to '{root}': {exc.strerror or exc}", str(root)
        ) from exc
    return paths


# --- the HTML page ----------------------------------------------------------------------------


def _number(value: Any, unit: str = "") -> str:
    """A value as people read it in a report: 12,345; 1.23 M; 4.5 bn; 12.3 %; n/a."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    x = float(value)
    if unit.startswith("share") or unit == "%":
        return f"{100 * x:.1f} %"
    size = abs(x)
    if size >= 1e9:
        return f"{x / 1e9:,.2f} bn"
    if size >= 1e6:
        return f"{x / 1e6:,.2f} M"
    if size >= 100 or unit in ("cases", "officer-hours", "count"):
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _table_html(frame: pd.DataFrame, *, formats: Mapping[str, str] | None = None) -> str:
    """A frame as an HTML table, values formatted by :func:`_number` with the row's unit."""
    formats = dict(formats or {})
    shown = frame.copy()
    for column in shown.columns:
        if column in formats or pd.api.types.is_float_dtype(shown[column]):
            unit_of = formats.get(column)
            if unit_of == "row-unit" and "unit" in shown.columns:
                shown[column] = [_number(v, u) for v, u in zip(frame[column], frame["unit"])]
            else:
                shown[column] = [_number(v, unit_of or "") for v in frame[column]]
        elif pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    return shown.to_html(index=False, escape=True, border=0, classes="table", na_rep="n/a")


def _effect_sentence(row: pd.Series, effect_name: str, reference: str, level: float) -> str:
    effect = EFFECTS[effect_name]
    ci = (
        f" ({level:.0%} interval {_number(row['ci_low'], effect.unit)} to "
        f"{_number(row['ci_high'], effect.unit)})"
        if not math.isnan(row["ci_low"])
        else " (one seed: no interval)"
    )
    relative = (
        f", {_number(row['relative'], 'share')} of {reference}'s"
        if not math.isnan(row["relative"])
        else ""
    )
    return f"{effect.label}: {_number(row['mean'], effect.unit)} {effect.unit}{ci}{relative}"


def reading(result: SweepAnalysis) -> list[str]:
    """A short reading of the comparison in words, every number taken from the tables.

    Args:
        result: the analysis.

    Returns:
        One sentence per policy scenario (and parameter setting), largest effect on cases
        first, then one per scenario whose shift of contacts abroad has an interval that
        excludes zero.
    """
    table = result.comparison
    if table.empty:
        return []
    level = float(table.attrs.get("level", 0.95))
    groups = list(table.columns[: table.columns.get_loc("reference")])
    lines = []
    order = table[table["effect"] == "cases_averted"].sort_values("mean", ascending=False)
    for _, first in order.iterrows():
        mask = np.logical_and.reduce([(table[g] == first[g]).to_numpy() for g in groups])
        rows = table[mask].set_index("effect")
        cases = rows.loc["cases_averted"]
        name = ", ".join(f"{g}={first[g]}" if g != "scenario" else str(first[g]) for g in groups)
        certain = (
            "clearly fewer cases than"
            if cases["ci_low"] > 0
            else "clearly more cases than"
            if cases["ci_high"] < 0
            else "no difference in cases distinguishable, over these seeds, from"
        )
        per_hour = rows.loc["cases_averted_per_1000_officer_hours"]
        if not math.isnan(per_hour["mean"]):
            effort = (
                f" Per 1,000 officer-hours of extra police effort it averted "
                f"{_number(per_hour['mean'])} cases."
            )
        elif per_hour["note"]:
            effort = f" {per_hour['note'][0].upper()}{per_hour['note'][1:]}."
        else:
            effort = ""
        net = rows.loc["losses_averted_net_yuan"]
        lines.append(
            f"{name} ({int(cases['n_seeds'])} seeds) shows {certain} {result.reference}: "
            f"{_effect_sentence(cases, 'cases_averted', result.reference, level)}; "
            f"{_effect_sentence(net, 'losses_averted_net_yuan', result.reference, level)}."
            f"{effort}"
        )
    moved = result.displacement
    if not moved.empty:
        abroad = moved[(moved["dimension"] == "overseas") & moved["ci_low"].notna()]
        for _, row in abroad.iterrows():
            if row["ci_low"] > 0 or row["ci_high"] < 0:
                direction = "raised" if row["displacement"] > 0 else "lowered"
                lines.append(
                    f"{row['scenario']} {direction} the share of contacts made from abroad by "
                    f"{abs(row['displacement']) * 100:.1f} percentage points relative to "
                    f"{result.reference} ({level:.0%} interval {row['ci_low'] * 100:.1f} to "
                    f"{row['ci_high'] * 100:.1f})."
                )
    return lines


def _manifest_html(result: SweepAnalysis) -> str:
    rows = []
    for name, entry in scenario_entries(result.manifest).items():
        config = entry.get("scenario") or {}
        run = config.get("run", {})
        levers = "; ".join(
            f"{label} from {date:%Y-%m-%d}" for label, date in result.lever_starts.get(name, [])
        )
        rows.append(
            {
                "scenario": name,
                "description": config.get("description", ""),
                "period": f"{run.get('start', '?')} to {run.get('end', '?')}",
                "people per agent": entry.get("scale"),
                "levers": levers or "none",
            }
        )
    scenarios = pd.DataFrame(rows)
    seeds = len(result.manifest.get("seeds") or []) or (
        result.seeds_enough["n_seeds"].max() if not result.seeds_enough.empty else "?"
    )
    facts = {k: v for k, v in result.manifest.items() if isinstance(v, str | int | float | bool)}
    for key in ("versions", "git"):
        if isinstance(result.manifest.get(key), Mapping):
            facts[key] = ", ".join(f"{k} {v}" for k, v in result.manifest[key].items())
    facts_html = "".join(
        f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>" for k, v in facts.items()
    )
    return (
        f"<p>{len(rows)} scenarios, up to {seeds} seeds each (paired: seed <i>k</i> of every "
        f"scenario shares its random streams). Reference: <b>{html.escape(result.reference)}"
        f"</b>.</p>{_table_html(scenarios, formats={'people per agent': ''})}"
        f"<ul class='facts'>{facts_html}</ul>"
    )


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #111;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #999; }
table.table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
table.table th, table.table td { border: 1px solid #bbb; padding: 2px 6px; text-align: right; }
table.table th { background: #eee; }
table.table td:first-child, table.table th:first-child { text-align: left; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #333; } .facts { font-size: 0.85em; color: #333; }
p.note { font-size: 0.9em; color: #333; }
"""


def _displacement_html(moved: pd.DataFrame) -> str:
    if moved.empty:
        return "<p>No displacement table (no scenario with levers, or no long tables).</p>"
    # The full table is in displacement.csv; the page shows the shift abroad and, per scenario
    # and dimension, the three categories whose share moved most.
    moved = moved.assign(_size=moved["displacement"].abs())
    top = (
        moved[moved["dimension"] != "overseas"]
        .sort_values("_size", ascending=False)
        .groupby(["scenario", "dimension"], sort=False)
        .head(3)
    )
    shown = pd.concat([moved[moved["dimension"] == "overseas"], top]).drop(columns="_size")
    columns = [
        "scenario",
        "dimension",
        "category",
        "measure",
        "start",
        "n_seeds",
        "before",
        "after",
        "reference_before",
        "reference_after",
        "displacement",
        "ci_low",
        "ci_high",
        "note",
    ]
    shares = dict.fromkeys(
        [
            "before",
            "after",
            "reference_before",
            "reference_after",
            "displacement",
            "ci_low",
            "ci_high",
        ],
        "share",
    )
    return _table_html(shown[[c for c in columns if c in shown.columns]], formats=shares)


def _seeds_html(enough: pd.DataFrame) -> str:
    rows = enough[enough["effect"] == "cases_averted"] if not enough.empty else enough
    if rows.empty:
        return "<p>No seeds-enough table.</p>"
    wide = rows.pivot_table(
        index="scenario", columns="n_seeds", values="ci_width", dropna=False, sort=False
    )
    wide.columns = [f"{c} seeds" for c in wide.columns]
    return _table_html(wide.reset_index(), formats=dict.fromkeys(wide.columns, "cases"))


def render_html(
    result: SweepAnalysis,
    figures: Mapping[str, Figure] | Mapping[str, bytes],
    *,
    title: str | None = None,
) -> str:
    """The report as one self-contained HTML page (figures embedded as base64 PNG).

    Args:
        result: the analysis.
        figures: file stem to figure or to its PNG data (:func:`render_png`), in the order to
            show them.
        title: page title (default names the scenarios).

    Returns:
        The HTML text.
    """
    title = title or f"fraudsim policy comparison: {', '.join(result.scenarios)}"
    level = float(result.comparison.attrs.get("level", 0.95))
    table = result.comparison
    comparison_cols = [
        "scenario",
        "effect",
        "unit",
        "n_seeds",
        "reference_mean",
        "mean",
        "ci_low",
        "ci_high",
        "relative",
        "relative_low",
        "relative_high",
        "note",
    ]
    formats = {
        "reference_mean": "row-unit",
        "mean": "row-unit",
        "ci_low": "row-unit",
        "ci_high": "row-unit",
        "relative": "share",
        "relative_low": "share",
        "relative_high": "share",
    }
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        (
            f"<p class='note'>Written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Counts "
            "and money are national equivalents (model units times each scenario's people per "
            "agent); prices, shares and rates are unscaled. Effects are paired by seed: "
            "reference minus policy, so a positive effect is fraud averted; intervals are "
            f"{level:.0%} percentile bootstrap intervals over seeds.</p>"
        ),
        "<h2>Sweep</h2>",
        _manifest_html(result),
        "<h2>Reading</h2>",
        "<ul>",
        *(f"<li>{html.escape(line)}</li>" for line in reading(result)),
        "</ul>",
        "<h2>Comparison with the reference</h2>",
        _table_html(table[[c for c in comparison_cols if c in table.columns]], formats=formats)
        if not table.empty
        else "<p>One scenario only: nothing to compare.</p>",
        "<h2>Police effort per lever (officer-hours, national equivalent)</h2>",
        _table_html(result.effort) if not result.effort.empty else "<p>No police effort.</p>",
        "<h2>Displacement</h2>",
        (
            "<p class='note'>Shares before and after each scenario's first lever start, "
            "against the reference split at the same date; displacement is the difference in "
            "differences in share points (0-1 scale shown as %). The full table is in "
            "displacement.csv.</p>"
        ),
        _displacement_html(result.displacement),
        "<h2>How many seeds are enough</h2>",
        (
            f"<p class='note'>Width of the {level:.0%} interval of cases averted when only "
            "the first k seeds are used.</p>"
        ),
        _seeds_html(result.seeds_enough),
        "<h2>Figures</h2>",
    ]
    for stem, figure in figures.items():
        data = figure if isinstance(figure, bytes) else render_png({stem: figure})[stem]
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(
            f"<figure><img alt='{html.escape(stem)}' src='data:image/png;base64,{encoded}'>"
            f"<figcaption>{html.escape(stem)}.png</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


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
    """Analyse a finished sweep and write its report (see the module docstring for the files).

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
