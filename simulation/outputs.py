"""The output column contract: what each result column means, its unit, and whether it scales.

The daily table has one row per reported day: ``date``, then flows (counts and money over
that day), police effort per lever, then states (levels at the end of the day). The long
tables split some flows by fraud type, channel or victim category (:data:`LONG_TABLES`).

A run reports in *model units*: one resident agent stands for ``run.scale`` real people, so a
count of 3 cases at scale 1,000 is 3,000 cases nationally. :func:`to_national` turns a result
table into national equivalents by multiplying the columns that are counts of people, events or
things, or sums of money, by the scale. Prices, shares, means and probabilities describe a
typical unit, not a total, and are left as they are.

This module is the contract between :mod:`simulation` and :mod:`analysis`: analysis code may
import it, and reads only the columns listed here (:data:`DAILY_COLUMNS`, :data:`LONG_TABLES`).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re

import pandas as pd

from simulation.levers import LEVER_TYPES

__all__ = [
    "DAILY_COLUMNS",
    "FLOW_COLUMNS",
    "LONG_TABLES",
    "LONG_TABLE_COUNTERS",
    "LONG_TABLE_KEYS",
    "STATE_COLUMNS",
    "SUMMARY_ROWS",
    "Column",
    "column_scales",
    "contract_frame",
    "format_summary",
    "summary_table",
    "to_national",
]


@dataclasses.dataclass(frozen=True)
class Column:
    """One documented output column.

    Attributes:
        name: column name in the result tables.
        unit: unit of one value in model units (``"count"``, ``"yuan"``, ``"share"``...).
        meaning: what the value counts or measures, and over what period.
        scales: whether multiplying by ``run.scale`` gives the national equivalent (true for
            counts and money totals; false for prices, shares, means and probabilities).
    """

    name: str
    unit: str
    meaning: str
    scales: bool


_DATE = Column("date", "date", "Calendar day (one row per reported day, in order).", False)


def _c(name: str, unit: str, meaning: str, scales: bool = True) -> Column:
    return Column(name, unit, meaning, scales)


# Flows (counts and money over the day), in the order of the daily table.
_FLOWS: tuple[Column, ...] = (
    _c("contacts", "count", "Fraud contacts attempted by gangs, all channels."),
    _c("contacts_blocked", "count", "Contacts blocked by operators before reaching anyone."),
    _c("calls_intercepted", "count", "Fraud calls blocked (part of contacts_blocked)."),
    _c("sms_intercepted", "count", "Fraud SMS blocked (part of contacts_blocked)."),
    _c("websites_blocked", "count", "Fraud website contacts blocked (part of contacts_blocked)."),
    _c("app_warnings", "count", "Delivered contacts the anti-fraud app flagged to its user."),
    _c("engagements", "count", "Residents who started a scam (engaged with a script)."),
    _c("cases", "count", "Completed frauds: scams whose victim made a first payment."),
    _c("loss_yuan", "yuan", "Gross money paid by victims (before any stop or recovery)."),
    _c("stopped_yuan", "yuan", "Money frozen in mule accounts on a victim's stop request."),
    _c("screened_yuan", "yuan", "Money frozen by banks' own screening of mule accounts."),
    _c("recovered_yuan", "yuan", "Frozen money returned to victims."),
    _c(
        "averted_yuan",
        "yuan",
        "Money kept from gangs: planned but unpaid by dissuaded "
        "victims, plus stopped_yuan and screened_yuan.",
    ),
    _c("cashed_out_yuan", "yuan", "Money gangs took out of mule accounts (cash or crypto)."),
    _c("crypto_yuan", "yuan", "Part of cashed_out_yuan laundered through crypto."),
    _c(
        "early_warnings",
        "count",
        "Early warnings acted on by police (engaged victims "
        "contacted, plus flagged contacts followed up).",
    ),
    _c(
        "dissuaded",
        "count",
        "Residents dissuaded by police (ongoing scams stopped, plus flagged residents persuaded).",
    ),
    _c("scams_dissuaded", "count", "Ongoing scams ended by dissuasion (part of dissuaded)."),
    _c("scams_abandoned", "count", "Scams abandoned before any payment."),
    _c(
        "payments_lost_no_account",
        "count",
        "Scams that ended because the gang had no mule account when the victim was ready to pay.",
    ),
    _c("reports", "count", "Cases reported to the police."),
    _c(
        "stop_requests",
        "count",
        "Reports made while some of the victim's money was still in a mule account: each sends "
        "a stop request, which may come too late to freeze anything (see stopped_yuan).",
    ),
    _c("cases_investigated", "count", "Reported cases taken up by investigators."),
    _c("cases_cracked", "count", "Cases solved by investigation."),
    _c("cases_cracked_over_1m", "count", "Cracked cases with a loss of 1 M yuan or more."),
    _c("arrests_investigation", "count", "Suspects arrested through investigation."),
    _c(
        "arrests_repatriation",
        "count",
        "Overseas suspects repatriated through international cooperation.",
    ),
    _c("arrests_returnee", "count", "Members returning from abroad arrested at the border."),
    _c("surrenders", "count", "Overseas members who surrendered."),
    _c("exit_stops", "count", "Recruits stopped at the border on their way to a den abroad."),
    _c("recruits", "count", "Residents recruited into gangs."),
    _c("gangs_founded", "count", "New gangs."),
    _c("gangs_destroyed", "count", "Gangs dismantled by police (leaders taken)."),
    _c("gangs_broken_up", "count", "Gangs that broke up by themselves."),
    _c("gangs_moved_abroad", "count", "Domestic gangs that moved their dens abroad."),
    _c("dens_destroyed", "count", "Dens (operating sites) of dismantled gangs."),
    _c("card_sales", "count", "Sales of cards by residents to brokers."),
    _c("phone_cards_seized", "count", "Phone cards seized from sellers, brokers and gangs."),
    _c("bank_cards_seized", "count", "Bank cards seized from sellers, brokers and gangs."),
    _c("phone_cards_cleared", "count", "Gangs' phone cards cleared by operators (MIIT)."),
    _c("bank_accounts_cleared", "count", "Gangs' mule accounts cleared by banks (PBoC)."),
    _c("sellers_punished", "count", "Residents punished for selling or renting cards."),
    _c("brokers_destroyed", "count", "Card brokers ('two-card' gangs) destroyed."),
)

# Police effort: actions times the lever's officer-hours per action.
_EFFORT = tuple(
    _c(f"effort_{lever_type}_hours", "officer-hours", f"Police effort on the {lever_type!r} lever.")
    for lever_type in LEVER_TYPES
)

# States: levels read at the end of the day.
_STATES: tuple[Column, ...] = (
    _c("gangs_active", "count", "Active fraud gangs."),
    _c("gangs_overseas", "count", "Active gangs with dens abroad."),
    _c("gang_members", "count", "Members of active gangs."),
    _c("brokers_active", "count", "Active card brokers."),
    _c("card_price_yuan", "yuan per card", "Black-market price of a bank card.", False),
    _c("phone_card_price_yuan", "yuan per card", "Black-market price of a phone card.", False),
    _c(
        "overseas_share",
        "share (0-1)",
        "Share of the day's contacts made by gangs abroad "
        "(share of gangs abroad on a day without contacts).",
        False,
    ),
    _c("mean_awareness", "level (0-1)", "Mean fraud awareness of residents.", False),
    _c("app_users", "count", "Residents with the anti-fraud app."),
    _c("active_scams", "count", "Scams under way (engaged residents)."),
    _c("mule_balance_yuan", "yuan", "Money sitting in mule accounts."),
)

DAILY_COLUMNS: dict[str, Column] = {c.name: c for c in (_DATE, *_FLOWS, *_EFFORT, *_STATES)}
"""The daily table's columns by name, in the order of the daily table."""

FLOW_COLUMNS: tuple[str, ...] = tuple(c.name for c in (*_FLOWS, *_EFFORT))
"""The daily table's flows (summed over the day as it happens), after ``date``, in order."""

STATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in _STATES)
"""The daily table's states (read at the end of the day), after the flows, in order."""

_KEYS: dict[str, Column] = {
    "fraud_type": _c(
        "fraud_type", "category", "Fraud type (simulation.categories.FraudType value).", False
    ),
    "channel": _c("channel", "category", "Contact channel (Channel value).", False),
    "dimension": _c("dimension", "category", "Victim dimension: group, region or age_band.", False),
    "category": _c("category", "category", "Victim group, region or age band (enum value).", False),
}


def _pick(*names: str) -> tuple[Column, ...]:
    return tuple(DAILY_COLUMNS[n] for n in names)


LONG_TABLES: dict[str, tuple[Column, ...]] = {
    "by_type": (
        _DATE,
        _KEYS["fraud_type"],
        *_pick(
            "contacts",
            "engagements",
            "cases",
            "loss_yuan",
            "scams_dissuaded",
            "reports",
            "cases_cracked",
        ),
    ),
    "by_channel": (
        _DATE,
        _KEYS["channel"],
        *_pick("contacts"),
        _c("blocked", "count", "Contacts blocked by operators (contacts_blocked by channel)."),
        *_pick("engagements", "cases"),
    ),
    "by_victim": (
        _DATE,
        _KEYS["dimension"],
        _KEYS["category"],
        *_pick("cases", "loss_yuan"),
    ),
}
"""The long tables' columns, in order: one row per date and category. Their values have the
same meaning as the daily columns of the same name, split by the category."""

LONG_TABLE_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(c.name for c in columns if c.name == "date" or c.name in _KEYS)
    for name, columns in LONG_TABLES.items()
}
"""Each long table's key columns (the date and the category), in order."""

LONG_TABLE_COUNTERS: dict[str, tuple[str, ...]] = {
    name: tuple(c.name for c in columns if c.name not in LONG_TABLE_KEYS[name])
    for name, columns in LONG_TABLES.items()
}
"""Each long table's counters (the columns after its keys), in order."""

_ALL_COLUMNS: dict[str, Column] = {
    c.name: c for cols in (DAILY_COLUMNS.values(), *LONG_TABLES.values()) for c in cols
}

# Names the model may add later follow the naming rules of the house style; these patterns say
# which of them are not totals, so that an undocumented column is still scaled correctly.
_UNSCALED_PATTERNS = (
    re.compile(r"^(mean|median|p|share|frac)_"),
    re.compile(r"_(share|price_yuan|rate|per_100k|probability)$"),
    re.compile(r"(^|_)awareness($|_)"),
)


IDENTITY_COLUMNS = frozenset({"run_id", "scenario", "seed", "point"})
"""Columns of sweep tables that identify a run; never scaled."""


def column_scales(name: str) -> bool:
    """Whether column ``name`` is a count or money total that scales to national equivalents.

    Documented columns answer from the contract; run identifiers of sweep tables (``seed``,
    ``run_id``, dotted parameter names) never scale; others answer from their name (``mean_*``,
    ``p_*``, ``*_share``, ``*_price_yuan``, ``*_rate`` and ``*_per_100k`` don't scale).

    Args:
        name: a result column name.

    Returns:
        True if the column's national equivalent is the value times ``run.scale``.
    """
    if name in _ALL_COLUMNS:
        return _ALL_COLUMNS[name].scales
    # Sweep tables carry which run a row came from: the seed, ids, and one column per varied
    # parameter named by its dotted scenario key. Those identify a run; they are not totals.
    if name in IDENTITY_COLUMNS or "." in name:
        return False
    return not any(p.search(name) for p in _UNSCALED_PATTERNS)


def contract_frame(table: str = "daily") -> pd.DataFrame:
    """The column contract of one result table as a frame (for docs and notebooks).

    Args:
        table: ``"daily"`` or a name in :data:`LONG_TABLES`.

    Returns:
        One row per column, in table order: ``name``, ``unit``, ``meaning``, ``scales``.

    Raises:
        KeyError: if ``table`` is not a result table.
    """
    if table == "daily":
        columns = tuple(DAILY_COLUMNS.values())
    elif table in LONG_TABLES:
        columns = LONG_TABLES[table]
    else:
        raise KeyError(f"no result table {table!r}; tables: daily, {', '.join(LONG_TABLES)}")
    return pd.DataFrame([dataclasses.asdict(c) for c in columns])


def _check_scale(scale: float) -> float:
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not math.isfinite(scale):
        raise ValueError(f"The 'scale' parameter must be a finite number. Got {scale!r} instead.")
    if scale <= 0:
        raise ValueError(f"The 'scale' parameter must be > 0 (people per agent). Got {scale!r}.")
    return float(scale)


def to_national(frame: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Return a copy of a result table in national equivalents.

    Numeric columns that :func:`column_scales` says are totals are multiplied by ``scale``
    (and become floats); dates, categories, prices, shares and means are copied unchanged.
    Works on the daily table and on the long tables (``by_type``, ``by_channel``,
    ``by_victim``), whose category columns are left alone.

    Args:
        frame: a result table in model units.
        scale: real people per resident agent (``run.scale`` of the run, > 0).

    Returns:
        A new frame, with ``attrs["units"] = "national"``.

    Raises:
        ValueError: if ``scale`` is not a positive finite number, or if ``frame`` is already
            marked as national (scaling twice is always a mistake).
    """
    factor = _check_scale(scale)
    if frame.attrs.get("units") == "national":
        raise ValueError("The 'frame' is already in national equivalents; not scaling twice.")
    out = frame.copy()
    for name in out.columns:
        series = out[name]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric and column_scales(str(name)):
            out[name] = series.astype("float64") * factor
    out.attrs["units"] = "national"
    return out


@dataclasses.dataclass(frozen=True)
class SummaryRow:
    """One line of the run summary.

    Attributes:
        label: what the line shows, for people.
        column: daily column it is computed from.
        how: ``"sum"`` (total over the reported days) or ``"last"`` (value on the last day).
        unit: unit of the national-equivalent value.
    """

    label: str
    column: str
    how: str
    unit: str


SUMMARY_ROWS: tuple[SummaryRow, ...] = (
    SummaryRow("cases", "cases", "sum", "cases"),
    SummaryRow("losses (gross)", "loss_yuan", "sum", "yuan"),
    SummaryRow("stopped on victims' requests", "stopped_yuan", "sum", "yuan"),
    SummaryRow("frozen by bank screening", "screened_yuan", "sum", "yuan"),
    SummaryRow("recovered", "recovered_yuan", "sum", "yuan"),
    SummaryRow("dissuaded", "dissuaded", "sum", "people"),
    SummaryRow("cases cracked", "cases_cracked", "sum", "cases"),
    SummaryRow("arrests: investigation", "arrests_investigation", "sum", "people"),
    SummaryRow("arrests: repatriation", "arrests_repatriation", "sum", "people"),
    SummaryRow("arrests: returnees at border", "arrests_returnee", "sum", "people"),
    SummaryRow("arrests: surrenders", "surrenders", "sum", "people"),
    SummaryRow("gangs destroyed", "gangs_destroyed", "sum", "gangs"),
    SummaryRow("phone cards seized", "phone_cards_seized", "sum", "cards"),
    SummaryRow("bank cards seized", "bank_cards_seized", "sum", "cards"),
    SummaryRow("bank card price, last day", "card_price_yuan", "last", "yuan per card"),
    SummaryRow("overseas share, last day", "overseas_share", "last", "share (0-1)"),
)
"""What ``fraudsim run`` prints after a run, in this order."""


def summary_table(daily: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Totals over a run in national equivalents: the table ``fraudsim run`` prints.

    Args:
        daily: the daily table of one run, in model units, one row per reported day in order.
        scale: real people per resident agent of that run.

    Returns:
        One row per :data:`SUMMARY_ROWS` entry with columns ``quantity``, ``column``,
        ``value`` (national equivalent, or the unscaled last-day value) and ``unit``.

    Raises:
        KeyError: if ``daily`` lacks a column the summary needs (a broken contract).
        ValueError: if ``daily`` has no rows, or ``scale`` is not a positive finite number.
    """
    missing = [row.column for row in SUMMARY_ROWS if row.column not in daily.columns]
    if missing:
        raise KeyError(f"daily table lacks the summary columns {missing}")
    if daily.empty:
        raise ValueError("The 'daily' table has no rows: nothing to summarise.")
    national = to_national(daily, scale)
    rows = []
    for row in SUMMARY_ROWS:
        series = national[row.column]
        value = float(series.sum()) if row.how == "sum" else float(series.iloc[-1])
        rows.append({"quantity": row.label, "column": row.column, "value": value, "unit": row.unit})
    return pd.DataFrame(rows, columns=["quantity", "column", "value", "unit"])


def _format_value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit.startswith("share"):
        return f"{value:.1%}"
    if unit.startswith("yuan per"):
        return f"{value:,.1f}"
    # National equivalents of model counts are estimates: whole numbers are all they can claim.
    return f"{value:,.0f}"


def format_summary(table: pd.DataFrame) -> str:
    """Render :func:`summary_table` output as aligned text for a terminal.

    Args:
        table: the frame :func:`summary_table` returned.

    Returns:
        Lines ``quantity  value  unit``, with a header, joined by newlines.
    """
    values = [_format_value(v, u) for v, u in zip(table["value"], table["unit"])]
    width_q = max(len("quantity (national equivalent)"), *(len(q) for q in table["quantity"]))
    width_v = max(len("value"), *(len(v) for v in values))
    lines = [f"{'quantity (national equivalent)':<{width_q}}  {'value':>{width_v}}  unit"]
    for quantity, value, unit in zip(table["quantity"], values, table["unit"]):
        lines.append(f"{quantity:<{width_q}}  {value:>{width_v}}  {unit}")
    return "\n".join(lines)
