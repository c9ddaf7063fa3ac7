"""The report's tables, ready for the page: headers with units, cells formatted for people.

Each function takes a table of the analysis and returns a :class:`Table` of text that fits a
page: one row per policy (or per policy and category), a value with its interval beneath it,
and the notes that apply to many rows said once below the table. The page template lays it
out. The full tables, in the long form and unformatted, are the CSV files beside the report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.effects import EFFECTS
from analysis.manifests import scenario_entries
from analysis.plots.labels import series_labels
from analysis.report.analyse import SweepAnalysis
from analysis.report.numbers import format_interval, format_number, format_points

__all__ = [
    "Cell",
    "Table",
    "displacement_table",
    "effects_table",
    "effort_table",
    "ranked",
    "scenarios_table",
    "seeds_table",
]


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell: its value and, shown beneath it in smaller type, a detail (an interval)."""

    text: str
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class Table:
    """A table of text for the page.

    Attributes:
        caption: what the table shows, with its units where they are the same for all rows.
        headers: column headers, each with its unit where the column has one.
        numeric: per column, whether it holds numbers (aligned right, never wrapped).
        rows: the cells.
        notes: sentences below the table (notes that apply to some rows, reference totals).
    """

    caption: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list[Cell]]
    notes: list[str] = dataclasses.field(default_factory=list)


def ranked(comparison: pd.DataFrame, effect: str) -> pd.DataFrame:
    """The rows of one effect, labelled by policy (``_label``), largest mean first.

    Args:
        comparison: output of :func:`analysis.effects.compare_policies`.
        effect: the effect's name.

    Returns:
        The rows, with ``_label``: the scenario and the values of parameters that vary.
    """
    rows = comparison[comparison["effect"] == effect]
    return rows.assign(_label=series_labels(rows)).sort_values(
        "mean", ascending=False, kind="stable"
    )


def _grouped_notes(notes: Sequence[tuple[str, str]]) -> list[str]:
    """``(who, note)`` pairs as one sentence per distinct note: ``a, b: the note.``."""
    by_note: dict[str, list[str]] = {}
    for who, note in notes:
        if note:
            by_note.setdefault(note, [])
            if who not in by_note[note]:
                by_note[note].append(who)
    return [f"{', '.join(who)}: {note}." for note, who in by_note.items()]


_EFFECT_COLUMNS = (
    ("cases_averted", "Cases averted"),
    ("losses_averted_net_yuan", "Net losses averted (yuan)"),
    ("extra_effort_hours", "Extra police effort (officer-hours)"),
    ("cases_averted_per_1000_officer_hours", "Cases averted per 1,000 officer-hours"),
)


def effects_table(comparison: pd.DataFrame) -> Table:
    """What each policy averted, one row per policy, ranked by cases averted as in the headline.

    Args:
        comparison: output of :func:`analysis.effects.compare_policies`.

    Returns:
        Per policy: its seeds, then each effect's mean over seeds with its interval beneath
        (gross losses are left to ``comparison.csv``: net losses are what victims lose), and
        the share of the reference's cases averted; the reference's totals and the notes of
        the comparison below the table.
    """
    level = float(comparison.attrs.get("level", 0.95))
    reference = str(comparison["reference"].iloc[0])
    by_effect = {name: ranked(comparison, name).set_index("_label") for name, _ in _EFFECT_COLUMNS}
    cases = by_effect["cases_averted"]
    rows, notes = [], []
    for label, row in cases.iterrows():
        share = Cell(
            format_number(row["relative"], "share"),
            format_interval(row["relative_low"], row["relative_high"], "share"),
        )
        cells = [Cell(str(label)), Cell(str(int(row["n_seeds"])))]
        for name, _ in _EFFECT_COLUMNS:
            effect = by_effect[name].loc[label]
            unit = EFFECTS[name].unit
            cells.append(
                Cell(
                    format_number(effect["mean"], unit),
                    format_interval(effect["ci_low"], effect["ci_high"], unit),
                )
            )
            notes.append((str(label), str(effect["note"] or "")))
        cells.insert(3, share)
        rows.append(cells)
    first = cases.iloc[0]
    totals = (
        f"For scale, {reference}'s totals over the same seeds: "
        f"{format_number(first['reference_mean'], 'cases')} cases, "
        f"{format_number(by_effect['losses_averted_net_yuan'].iloc[0]['reference_mean'])} yuan "
        "of net losses. Gross losses averted are in comparison.csv."
    )
    scale = "national equivalents" if comparison.attrs.get("units") == "national" else "model units"
    headers = ["Policy", "Seeds", "Cases averted", f"Share of {reference}'s cases"]
    headers += [header for _, header in _EFFECT_COLUMNS[1:]]
    return Table(
        caption=(
            f"Averted against {reference} ({scale}): mean over seeds, {level:.0%} interval beneath"
        ),
        headers=headers,
        numeric=[False, *([True] * (len(headers) - 1))],
        rows=rows,
        notes=[totals, *_grouped_notes(notes)],
    )


def effort_table(effort: pd.DataFrame) -> Table:
    """Police effort per lever of each policy beside the reference's (officer-hours).

    Args:
        effort: output of :func:`analysis.effort.effort_by_lever`.
    """
    labels = series_labels(effort)
    rows = [
        [
            Cell(str(label)),
            Cell(str(row["lever"]).replace("_", " ")),
            Cell(format_number(row["effort_hours"], "officer-hours")),
            Cell(format_number(row["reference_hours"], "officer-hours")),
            Cell(format_number(row["extra_hours"], "officer-hours")),
        ]
        for label, (_, row) in zip(labels, effort.iterrows())
    ]
    national = ", national equivalent" if effort.attrs.get("units") == "national" else ""
    return Table(
        caption=f"Police effort per lever over the compared period (officer-hours{national})",
        headers=[
            "Policy",
            "Lever",
            "Effort (officer-hours)",
            "Reference's effort (officer-hours)",
            "Extra effort (officer-hours)",
        ],
        numeric=[False, False, True, True, True],
        rows=rows,
    )


def _largest_shifts(moved: pd.DataFrame, per_dimension: int = 3) -> pd.DataFrame:
    """The shift abroad and, per policy and dimension, the categories whose share moved most.

    Rows are grouped by policy (in table order), the shift abroad first; the full table is
    in ``displacement.csv``.
    """
    order = {name: i for i, name in enumerate(dict.fromkeys(moved["scenario"]))}
    dimensions = {"overseas": 0, "fraud_type": 1, "channel": 2}
    shown = (
        moved.assign(
            _size=moved["displacement"].abs(),
            _policy=moved["scenario"].map(order),
            _dimension=moved["dimension"].map(dimensions).fillna(3),
        )
        .sort_values(["_policy", "_dimension", "_size"], ascending=[True, True, False])
        .groupby(["scenario", "dimension"], sort=False)
        .head(per_dimension)
    )
    return shown.drop(columns=["_size", "_policy", "_dimension"])


_DIMENSIONS = {"overseas": "activity abroad", "fraud_type": "fraud type", "channel": "channel"}


def _shares(before: Any, after: Any) -> str:
    return f"{format_number(before, 'share')} \u2192 {format_number(after, 'share')}"


def displacement_table(moved: pd.DataFrame) -> Table:
    """The shift abroad and the largest shifts in the fraud-type and channel mix.

    Args:
        moved: output of :func:`analysis.displacement.displacement`.

    Returns:
        One row per policy, dimension and category shown: shares before and after the split
        date for the policy and the reference, and the difference in differences in
        percentage points with its interval beneath.
    """
    level = float(moved.attrs.get("level", 0.95))
    shown = _largest_shifts(moved)
    labels = series_labels(shown)
    rows, notes = [], []
    for label, (_, row) in zip(labels, shown.iterrows()):
        interval = "n/a"
        if not (pd.isna(row["ci_low"]) or pd.isna(row["ci_high"])):
            interval = f"{format_points(row['ci_low'])} to {format_points(row['ci_high'])}"
        category = str(row["category"]).replace("_", " ")
        rows.append(
            [
                Cell(str(label)),
                Cell(_DIMENSIONS.get(str(row["dimension"]), str(row["dimension"]))),
                Cell(f"{category} (share of {row['measure']})"),
                Cell("n/a" if pd.isna(row["start"]) else f"{pd.Timestamp(row['start']):%Y-%m-%d}"),
                Cell(_shares(row["before"], row["after"])),
                Cell(_shares(row["reference_before"], row["reference_after"])),
                Cell(format_points(row["displacement"]), interval),
                Cell(str(int(row["n_seeds"]))),
            ]
        )
        notes.append((str(label), str(row["note"] or "")))
    return Table(
        caption=(
            "Shares before and after each policy's first lever start, against the reference "
            f"split at the same date; displacement is the difference in differences ({level:.0%}"
            " interval beneath)"
        ),
        headers=[
            "Policy",
            "Shift",
            "Category",
            "Split date",
            "Policy's share, before \u2192 after",
            "Reference's share, before \u2192 after",
            "Displacement (percentage points)",
            "Seeds",
        ],
        numeric=[False, False, False, True, True, True, True, True],
        rows=rows,
        notes=_grouped_notes(notes),
    )


def _seed_counts(available: Sequence[int], most: int = 7) -> list[int]:
    # One seed has no interval; of the rest, at most `most` counts spread from two to all.
    counts = sorted(k for k in set(available) if k >= 2)
    if len(counts) <= most:
        return counts
    wanted = np.linspace(counts[0], counts[-1], most)
    return sorted({min(counts, key=lambda k, w=w: abs(k - w)) for w in wanted})


def seeds_table(enough: pd.DataFrame, effect: str = "cases_averted") -> Table:
    """The width of each policy's interval for ``effect`` as seeds are added.

    Args:
        enough: output of :func:`analysis.effects.seeds_enough`.
        effect: the effect whose interval widths are shown.
    """
    level = float(enough.attrs.get("level", 0.95))
    rows_of = enough[enough["effect"] == effect]
    unit = EFFECTS[effect].unit
    counts = _seed_counts(rows_of["n_seeds"].astype(int).tolist())
    labelled = rows_of.assign(_label=series_labels(rows_of))
    rows = []
    for label, part in labelled.groupby("_label", sort=False):
        width = dict(zip(part["n_seeds"].astype(int), part["ci_width"]))
        rows.append([Cell(str(label)), *(Cell(format_number(width.get(k), unit)) for k in counts)])
    return Table(
        caption=(
            f"Width of the {level:.0%} interval of {EFFECTS[effect].label} ({unit}) when only "
            "the first k seeds are used"
        ),
        headers=["Policy", *(f"{k} seeds" for k in counts)],
        numeric=[False, *([True] * len(counts))],
        rows=rows,
    )


def scenarios_table(result: SweepAnalysis) -> Table:
    """The compared scenarios: description, period, people per agent and levers."""
    rows = []
    for name, entry in scenario_entries(result.manifest).items():
        config = entry.get("scenario") or {}
        run = config.get("run", {})
        levers = "; ".join(
            f"{label} from {date:%Y-%m-%d}" for label, date in result.lever_starts.get(name, [])
        )
        rows.append(
            [
                Cell(name),
                Cell(str(config.get("description", ""))),
                Cell(f"{run.get('start', '?')} to {run.get('end', '?')}"),
                Cell(format_number(entry.get("scale"), "count")),
                Cell(levers or "none"),
            ]
        )
    return Table(
        caption="The scenarios compared",
        headers=["Scenario", "Description", "Period", "People per agent", "Levers (start)"],
        numeric=[False, False, False, True, False],
        rows=rows,
    )
