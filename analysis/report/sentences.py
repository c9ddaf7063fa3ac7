"""The comparison in words: sentences generated from the tables, every number taken from them.

:func:`answer` gives the two or three sentences the report opens with; :func:`reading` one
sentence per policy and one per clear shift of activity abroad.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.columns import leading_group_columns
from analysis.effects import EFFECTS
from analysis.report.analyse import SweepAnalysis
from analysis.report.numbers import format_interval, format_number
from analysis.report.tables import ranked

__all__ = ["answer", "reading"]


def _interval(row: pd.Series, unit: str, level: float) -> str:
    if math.isnan(row["ci_low"]) or math.isnan(row["ci_high"]):
        return "one seed: no interval"
    return f"{level:.0%} interval {format_interval(row['ci_low'], row['ci_high'], unit)}"


def _names(labels: Sequence[str]) -> str:
    """``a``; ``a and b``; ``a, b and c``."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _seeds(rows: pd.DataFrame) -> str:
    low, high = int(rows["n_seeds"].min()), int(rows["n_seeds"].max())
    return f"{low} paired seeds" if low == high else f"{low} to {high} paired seeds"


def answer(comparison: pd.DataFrame) -> list[str]:
    """The answer in two or three sentences, every number taken from the comparison table.

    1. The policy that averted the most cases: the mean over seeds, its interval and its
       share of the reference's cases.
    2. The policy that averted the most net losses, with its interval.
    3. Which policies' intervals lie above zero, and which the seeds cannot tell from the
       reference.

    Args:
        comparison: output of :func:`analysis.effects.compare_policies` (its ``level`` in
            ``attrs``; 0.95 if absent).

    Returns:
        The sentences; none for an empty table (a single scenario: nothing to compare).
    """
    if comparison.empty:
        return []
    level = float(comparison.attrs.get("level", 0.95))
    reference = str(comparison["reference"].iloc[0])
    cases = ranked(comparison, "cases_averted")
    best = cases.iloc[0]
    share = ""
    if not math.isnan(best["relative"]):
        share = f", {format_number(best['relative'], 'share')} of {reference}'s cases"
    amount = f"{format_number(best['mean'], 'cases')} ({_interval(best, 'cases', level)})"
    if best["mean"] > 0:
        lines = [f"Against {reference}, {best['_label']} averted the most cases: {amount}{share}."]
    else:
        best_of = f"the best, {best['_label']}, averted {amount}"
        lines = [f"Against {reference}, no policy averted cases on average: {best_of}."]
    net = ranked(comparison, "losses_averted_net_yuan")
    if not net.empty:
        top = net.iloc[0]
        money = f"{format_number(top['mean'], 'yuan')} yuan ({_interval(top, 'yuan', level)})"
        if top["mean"] <= 0:
            lines.append(f"No policy averted net losses on average (the most: {money}).")
        elif top["_label"] == best["_label"] and best["mean"] > 0:
            lines.append(f"It also averted the most net losses: {money}.")
        else:
            lines.append(f"The most net losses were averted by {top['_label']}: {money}.")
    lines.append(_clarity(cases, reference, level))
    return lines


def _clarity(cases: pd.DataFrame, reference: str, level: float) -> str:
    seeds = _seeds(cases)
    if cases["n_seeds"].max() < 2:
        return "With one seed per scenario there are no intervals: run more seeds."
    fewer = list(cases.loc[cases["ci_low"] > 0, "_label"])
    more = list(cases.loc[cases["ci_high"] < 0, "_label"])
    unclear = [n for n in cases["_label"] if n not in fewer and n not in more]
    n = len(cases)
    if len(fewer) == n and n == 1:
        return f"Its {level:.0%} interval of cases averted lies above zero, over {seeds}."
    if len(fewer) == n:
        whose = f"All {n} policies' {level:.0%} intervals"
        return f"{whose} of cases averted lie above zero, over {seeds}."
    policies = "policy" if n == 1 else "policies"
    parts = [
        f"Over {seeds}, {len(fewer)} of {n} {policies} averted cases with an interval above zero"
    ]
    if more:
        parts.append(f"{_names(more)} had clearly more cases than {reference}")
    if unclear:
        parts.append(f"the seeds cannot tell {_names(unclear)} from {reference}")
    return "; ".join(parts) + "."


def _effect_sentence(row: pd.Series, effect_name: str, reference: str, level: float) -> str:
    effect = EFFECTS[effect_name]
    relative = (
        f", {format_number(row['relative'], 'share')} of {reference}'s"
        if not math.isnan(row["relative"])
        else ""
    )
    amount = format_number(row["mean"], effect.unit)
    return (
        f"{effect.label}: {amount} {effect.unit} ({_interval(row, effect.unit, level)}){relative}"
    )


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
    groups = leading_group_columns(table)
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
                f"{format_number(per_hour['mean'])} cases."
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
