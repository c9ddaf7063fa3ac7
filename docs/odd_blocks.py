"""The tables of ``docs/ODD.md``, made from the code (``docs/odd_tables.py`` writes them in).

Each function returns one generated block as Markdown: parameter tables from the pydantic
models of ``simulation/params/`` and ``simulation/levers.py`` (defaults, and the meaning, unit
and source every parameter declares), the levers of ``scenarios/baseline.toml``, the search
ranges of ``scenarios/calibration/params.toml``, the published figures of
``scenarios/targets/mps_2021_06.toml``, the random streams of :class:`simulation.streams.Stream`
and where each is drawn, and the output contract of ``simulation.outputs``. :func:`blocks` gives
them all by block name.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulation.files import read_toml
from simulation.levers import LEVER_TYPES, Lever
from simulation.outputs import DAILY_COLUMNS, LONG_TABLES, STATE_COLUMNS
from simulation.params import ModelParams, source_of, unit_of
from simulation.scenario import load_scenario
from simulation.streams import Stream

ROOT = Path(__file__).resolve().parent.parent
BASELINE_PATH = ROOT / "scenarios" / "baseline.toml"
CALIBRATION_PATH = ROOT / "scenarios" / "calibration" / "params.toml"
TARGETS_PATH = ROOT / "scenarios" / "targets" / "mps_2021_06.toml"

# ---------------------------------------------------------------------------------------------
# What the code cannot say: sources of parameters and what each random stream decides.
# Keys are dotted scenario keys (``section.field``; ``fraud_types.*.field`` and
# ``population.groups.*.field`` for a field of every type or group; ``levers.TYPE.field``).
# ---------------------------------------------------------------------------------------------

LEVER_SOURCES: dict[str, str] = {
    "card_crackdown": "\"Since October 2020 ... jointly launched a 'broken card' operation\" [seed]",
    "repatriation": '"Since 2020 ... repatriated 2,620 suspects" [seed]',
    "early_warning": '"Since 2021 ... an average of 52,000 early warning instructions per day" '
    "[seed]",
    "interception": '"Since 2021, 610 million fraudulent calls have been intercepted" [seed]',
    "stop_payment": '"265.4 billion yuan ... urgently stopped" [seed]',
    "investigation": 'cluster crackdowns, "more than 20 centralized network collection '
    'operations" [seed]',
    "anti_fraud_app": '"On April 26 this year, the Ministry of Public Security launched the '
    'National Anti-Fraud Center APP" [seed]',
    "publicity": '"3.07 billion public welfare text messages" [seed]; the propaganda manual of '
    '12 May, "tailored ... for vulnerable groups" [seed]',
    "strike_campaign": '"quickly set off a new round of strikes ... forming a powerful deterrent" '
    "[seed], after the instructions announced at the national teleconference of 8 April 2021 "
    "(Xinhua, 9 April 2021)",
}
"""What the seed says about each lever type (for the levers of ``scenarios/baseline.toml``)."""

LEVER_LABELS = ("type", "name")
"""Fields that name a lever rather than set what it does: they have no unit or source."""

# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def fmt(value: Any) -> str:
    """A default value as the ODD writes it (``1,410,000``, ``0.000526``, ``2020-01-01``)."""
    if value is None:
        return "none"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not np.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        text = np.format_float_positional(value, trim="-")
        whole, _, frac = text.partition(".")
        return f"{int(whole):,}.{frac}" if abs(value) >= 1000 else text
    if isinstance(value, BaseModel):
        return ", ".join(f"{k} {fmt(v)}" for k, v in dict(value).items())
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _description(field: FieldInfo) -> str:
    text = " ".join((field.description or "").split())
    return text if not text or text.endswith(".") else text + "."


def _unit(field: FieldInfo) -> str:
    return unit_of(field) or ""


def _is_flat(model: BaseModel) -> bool:
    """A table with no sub-tables (a keyed table of weights, or one group or type)."""
    return not any(isinstance(v, BaseModel) for v in dict(model).values())


def _has_table(value: Any) -> bool:
    """A table holding more than numbers (lists or sub-tables): not a keyed table of weights."""
    return isinstance(value, BaseModel) and any(
        isinstance(v, list | BaseModel) for v in dict(value).values()
    )


def _is_collection(model: BaseModel) -> bool:
    """A table of same-typed sub-tables (the resident groups, the fraud types)."""
    values = list(dict(model).values())
    return bool(values) and all(type(v) is type(values[0]) and _has_table(v) for v in values)


# ---------------------------------------------------------------------------------------------
# Calibration ranges and sources
# ---------------------------------------------------------------------------------------------


def calibration_ranges(path: Path = CALIBRATION_PATH) -> dict[str, str]:
    """``fraudsim calibrate``'s search range per dotted key, as text (``60 to 250, log``)."""
    if not path.is_file():
        return {}
    spec = read_toml(path, what="params spec").get("params", {})
    return {
        key: f"{fmt(float(r['low']))} to {fmt(float(r['high']))}"
        + (", log" if r.get("log") else "")
        for key, r in spec.items()
    }


def _source(field: FieldInfo, key: str, ranges: dict[str, str]) -> str:
    """The source column: the field's source (or "assumption"), plus any calibration range."""
    text = source_of(field) or ""
    if key in ranges:
        text += f"; calibration range {ranges[key]}"
    return text


def parameter_problems() -> list[str]:
    """Parameters and lever fields that do not declare a unit and a source."""
    problems = []

    def check(where: str, field: FieldInfo) -> None:
        if not (unit_of(field) and source_of(field)):
            problems.append(
                f"{where} declares no unit or no source: declare it with simulation.params.param"
            )

    def walk(prefix: str, model: BaseModel) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if _has_table(value):
                walk(f"{prefix}.{name}", value)
            else:
                check(f"{prefix}.{name}", field)

    for section in ModelParams.model_fields:
        walk(section, getattr(ModelParams(), section))
    for lever_type, cls in LEVER_TYPES.items():
        for name, field in cls.model_fields.items():
            if name not in LEVER_LABELS:
                check(f"levers.{lever_type}.{name}", field)
    return problems


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


def _param_rows(
    prefix: str, model: BaseModel, ranges: dict[str, str]
) -> tuple[list[list[str]], list[tuple[str, BaseModel]]]:
    rows: list[list[str]] = []
    collections: list[tuple[str, BaseModel]] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}.{name}"
        if isinstance(value, BaseModel) and not _is_flat(value):
            collections.append((key, value))
            continue
        rows.append(
            [
                f"`{name}`",
                fmt(value),
                _unit(field),
                _description(field),
                _source(field, key, ranges),
            ]
        )
    return rows, collections


def _collection_tables(prefix: str, collection: BaseModel, ranges: dict[str, str]) -> list[str]:
    """Wide tables for a table of same-typed sub-tables: a legend, values, keyed sub-tables."""
    items = dict(collection)
    first = next(iter(items.values()))
    label = "group" if prefix.endswith("groups") else "type"
    scalar_fields = [n for n, v in dict(first).items() if not isinstance(v, BaseModel)]
    keyed_fields = [n for n, v in dict(first).items() if isinstance(v, BaseModel)]
    legend = [
        [
            f"`{name}`",
            _unit(field),
            _description(field),
            _source(field, f"{prefix}.*.{name}", ranges),
        ]
        for name, field in type(first).model_fields.items()
    ]
    out = [
        f"Fields of each `[{prefix}.*]` table:",
        table(["field", "unit", "meaning", "source"], legend),
        f"Defaults by {label}:",
        table(
            [label] + [f"`{n}`" for n in scalar_fields],
            [[k] + [fmt(getattr(v, n)) for n in scalar_fields] for k, v in items.items()],
        ),
    ]
    for name in keyed_fields:
        keys = list(dict(getattr(first, name)))
        out.append(f"`{name}` by {label}:")
        out.append(
            table(
                [label, *keys],
                [[k] + [fmt(x) for x in dict(getattr(v, name)).values()] for k, v in items.items()],
            )
        )
    return out


def params_block(section: str, ranges: dict[str, str] | None = None) -> str:
    """The tables of one section of :class:`ModelParams` (``run``, ``gangs``, ...)."""
    ranges = calibration_ranges() if ranges is None else ranges
    model = getattr(ModelParams(), section)
    parts = [f"<!-- from simulation.params.{type(model).__name__}; do not edit by hand -->"]
    if _is_collection(model):
        parts.extend(_collection_tables(section, model, ranges))
        return "\n\n".join(parts)
    rows, collections = _param_rows(section, model, ranges)
    for key, sub in collections:
        parts.extend(_collection_tables(key, sub, ranges))
    if rows:
        if collections:
            parts.append(f"Other keys of `[{section}]`:")
        parts.append(table(["name", "default", "unit", "meaning", "source"], rows))
    return "\n\n".join(parts)


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def levers_block(ranges: dict[str, str] | None = None) -> str:
    """Lever types (phase and fields with defaults), then every field with unit and meaning."""
    ranges = calibration_ranges() if ranges is None else ranges
    hours = "officer_hours_per_action"
    common = set(Lever.model_fields) - {hours}
    summary = []
    fields = []
    for lever_type, cls in LEVER_TYPES.items():
        own = [n for n in cls.model_fields if n not in common]
        summary.append(
            [
                f"`{lever_type}`",
                f"`{cls.phase.value}`",
                "; ".join(f"`{n}` {fmt(cls.model_fields[n].default)}" for n in own),
                _first_paragraph(cls.__doc__),
            ]
        )
        for n in own:
            if n == hours:
                continue
            field = cls.model_fields[n]
            key = f"levers.{lever_type}.{n}"
            fields.append(
                [
                    f"`{lever_type}`",
                    f"`{n}`",
                    fmt(field.default),
                    _unit(field),
                    _description(field),
                    _source(field, key, ranges),
                ]
            )
    common_rows = []
    for n, field in Lever.model_fields.items():
        if n == hours:
            default = "by type (below)"
        else:
            default = "required" if field.is_required() else fmt(field.default)
        common_rows.append([f"`{n}`", default, _description(field) or "The lever's type."])
    return "\n\n".join(
        [
            "<!-- from simulation.levers; do not edit by hand -->",
            "Fields every lever has:",
            table(["field", "default", "meaning"], common_rows),
            "Lever types, in the order of `LEVER_TYPES`:",
            table(["type", "phase", "fields (default)", "what it is"], summary),
            "Fields of each lever type:",
            table(["type", "field", "default", "unit", "meaning", "source"], fields),
        ]
    )


def baseline_levers_block(ranges: dict[str, str] | None = None) -> str:
    """The levers of ``scenarios/baseline.toml``, with what they set apart from the defaults."""
    ranges = calibration_ranges() if ranges is None else ranges
    config = load_scenario(BASELINE_PATH)
    skip = {"type", "name", "start", "end", "intensity"}
    rows = []
    for i, lever in enumerate(config.levers):
        changed = [
            f"`{n}` {fmt(getattr(lever, n))}"
            for n, field in type(lever).model_fields.items()
            if n not in skip and not field.is_required() and getattr(lever, n) != field.default
        ]
        intensity = fmt(lever.intensity)
        if f"levers.{i}.intensity" in ranges:
            intensity += f" (calibration range {ranges[f'levers.{i}.intensity']})"
        rows.append(
            [
                str(i),
                f"`{lever.type}`",
                lever.name,
                fmt(lever.start),
                fmt(lever.end) if lever.end else "run end",
                intensity,
                "; ".join(changed) or "defaults",
                LEVER_SOURCES.get(lever.type, ""),
            ]
        )
    header = ["#", "type", "name", "start", "end", "intensity", "fields set", "source"]
    return "\n\n".join(
        ["<!-- from scenarios/baseline.toml; do not edit by hand -->", table(header, rows)]
    )


def stream_uses(package: Path = ROOT / "simulation") -> dict[str, list[str]]:
    """Every ``streams["name"]`` subscript in ``simulation/*.py``: name -> where it is drawn."""
    uses: dict[str, list[str]] = {}
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        _collect_streams(tree, [], path.stem, uses)
    return uses


def _collect_streams(
    node: ast.AST, scope: list[str], module: str, uses: dict[str, list[str]]
) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            _collect_streams(child, [*scope, child.name], module, uses)
            continue
        if (
            isinstance(child, ast.Subscript)
            and isinstance(child.value, ast.Attribute)
            and child.value.attr == "streams"
            and isinstance(child.slice, ast.Attribute)
            and isinstance(child.slice.value, ast.Name)
            and child.slice.value.id == "Stream"
        ):
            where = f"`{module}.{'.'.join(scope)}`"
            places = uses.setdefault(Stream[child.slice.attr].value, [])
            if where not in places:
                places.append(where)
        _collect_streams(child, scope, module, uses)


def streams_block() -> str:
    """The declared random streams (:class:`simulation.streams.Stream`), where each is drawn."""
    uses = stream_uses()
    rows = [
        [f"`{stream.value}`", stream.decides, ", ".join(uses.get(stream.value, ["*(unused)*"]))]
        for stream in Stream
    ]
    return "\n\n".join(
        [
            (
                "<!-- from simulation.streams.Stream and the draws in simulation/*.py; "
                "do not edit by hand -->"
            ),
            table(["stream", "decisions", "drawn in"], rows),
        ]
    )


def daily_outputs_block() -> str:
    """The daily table's columns from the output contract (``simulation.outputs``)."""
    rows = []
    for name, col in DAILY_COLUMNS.items():
        if name == "date":
            kind = "key"
        elif name in STATE_COLUMNS:
            kind = "state"
        elif name.startswith("effort_"):
            kind = "effort"
        else:
            kind = "flow"
        rows.append([f"`{name}`", kind, col.unit, "yes" if col.scales else "no", col.meaning])
    return "\n\n".join(
        [
            "<!-- from simulation.outputs.DAILY_COLUMNS; do not edit by hand -->",
            table(["column", "kind", "unit", "scales", "meaning"], rows),
        ]
    )


def long_outputs_block() -> str:
    """The long tables' keys and value columns."""
    rows = [
        [
            f"`{name}`",
            ", ".join(f"`{c.name}`" for c in cols if not c.scales),
            ", ".join(f"`{c.name}`" for c in cols if c.scales),
        ]
        for name, cols in LONG_TABLES.items()
    ]
    return "\n\n".join(
        [
            "<!-- from simulation.outputs.LONG_TABLES; do not edit by hand -->",
            table(["table", "keys", "values"], rows),
        ]
    )


def _published(value: float, statistic: str) -> str:
    return f"{value * 100:+.1f} %" if statistic == "change" else fmt(value)


def targets_block(path: Path = TARGETS_PATH) -> str:
    """The published figures and how each maps onto model outputs (the calibration targets)."""
    data = read_toml(path, what="targets file")
    rows = []
    notes = []
    for t in data.get("targets", []):
        period = f"{fmt(t['period'][0])} to {fmt(t['period'][1])}"
        if "reference" in t:
            period += f" vs {fmt(t['reference'][0])} to {fmt(t['reference'][1])}"
        tolerance = t.get("tolerance", 0.0)
        if not tolerance:
            judged = "report only"
        elif t["statistic"] == "change":
            judged = f"± {fmt(tolerance)}"
        else:
            judged = f"± {fmt(round(tolerance * 100, 6))} %"
        rows.append(
            [
                f"`{t['key']}`",
                t["quantity"],
                _published(t["published"], t["statistic"]),
                period,
                " + ".join(f"`{c}`" for c in t["columns"]),
                t["statistic"],
                judged,
                "yes" if t.get("required") else "no",
            ]
        )
        if t.get("note"):
            notes.append(f"- `{t['key']}`: {' '.join(t['note'].split())}")
    omitted = [
        f"- {' '.join(o['quantity'].split())}: {' '.join(o['reason'].split())}"
        for o in data.get("omitted", [])
    ]
    header = [
        "key",
        "figure [seed]",
        "published",
        "period",
        "model columns",
        "statistic",
        "tolerance",
        "required",
    ]
    parts = [
        "<!-- from scenarios/targets/mps_2021_06.toml; do not edit by hand -->",
        table(header, rows),
    ]
    if notes:
        parts.append("Notes of the targets file:\n\n" + "\n".join(notes))
    if omitted:
        parts.append("Figures the model cannot speak to (`[[omitted]]`):\n\n" + "\n".join(omitted))
    return "\n\n".join(parts)


def derived_block() -> str:
    """Quantities implied by the defaults, in model units at the default scale."""
    p = ModelParams()
    scale = p.run.scale
    n = max(1, round(p.run.population_national / scale))
    groups = p.population.groups.in_order()
    total_share = sum(g.share for g in groups)
    recruitable = sum(g.share * g.p_recruitable for g in groups) / total_share
    sellers = sum(g.share * g.p_card_seller for g in groups) / total_share
    g = p.gangs
    members = 1 + g.n_operators_mean + g.n_technicians_mean + g.n_recruiters_mean
    members += g.n_launderers_mean
    ew = LEVER_TYPES["early_warning"].model_fields["capacity_national_per_day"].default
    inv = LEVER_TYPES["investigation"].model_fields["capacity_national_per_day"].default
    coarse = 20_000.0
    lines = [
        (
            "<!-- computed from the defaults of simulation.params and simulation.levers; "
            "do not edit by hand -->"
        ),
        f"- residents: `n` = {n:,} at `scale` = {fmt(scale)};",
        (
            f"- gangs at the start: {fmt(g.n_gangs_national / scale)} expected "
            f"({fmt(g.n_gangs_national / coarse)} at `scale` = {fmt(coarse)}), "
            f"{fmt(round(g.overseas_share * 100, 1))} % of them abroad; card brokers: "
            f"{fmt(p.market.n_brokers_national / scale)};"
        ),
        (
            f"- members of a gang at founding: {fmt(members)} on average (a leader plus the "
            "`n_*_mean` of the roles), so recruitment stops near "
            f"{fmt(round(members * g.size_cap_factor, 2))} (`size_cap_factor`);"
        ),
        (
            f"- recruitable residents: {recruitable * 100:.2f} % ({round(recruitable * n):,}); "
            f"willing card sellers: {sellers * 100:.2f} % ({round(sellers * n):,});"
        ),
        (
            "- new gangs per day at the reference profit: "
            f"{fmt(g.founding_rate_national_per_day / scale)}; new brokers per day at base "
            f"prices: {fmt(p.market.broker_entry_national_per_day / scale)};"
        ),
        (
            "- standing early-warning capacity: "
            f"{fmt(p.police.early_warning_capacity_national_per_day / scale)} warnings a day "
            f"(+ {fmt(ew / scale)} with an `early_warning` lever at intensity 1); standing "
            "investigative capacity: "
            f"{fmt(p.police.investigation_capacity_national_per_day / scale)} cases a day "
            f"(+ {fmt(inv / scale)} with an `investigation` lever)."
        ),
    ]
    return "\n".join(lines)


def blocks() -> dict[str, str]:
    """Every generated block by name, in the order they appear in the ODD."""
    ranges = calibration_ranges()
    out = {"targets": targets_block(), "derived.defaults": derived_block()}
    for section in ModelParams.model_fields:
        out[f"params.{section}"] = params_block(section, ranges)
    out["levers"] = levers_block(ranges)
    out["levers.baseline"] = baseline_levers_block(ranges)
    out["outputs.daily"] = daily_outputs_block()
    out["outputs.long"] = long_outputs_block()
    out["streams"] = streams_block()
    return out
