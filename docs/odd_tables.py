"""Generate the tables of ``docs/ODD.md`` from the code, so that they cannot go stale.

The ODD's parameter tables, lever tables, list of named random streams, output columns and
calibration targets are written between marker comments::

    <!-- BEGIN GENERATED: params.run -->
    ...
    <!-- END GENERATED: params.run -->

and this script fills them from their sources of truth: the pydantic models of
``simulation/params/`` and ``simulation/levers.py`` (defaults, and the meaning, unit and
source every parameter declares with ``simulation.params.param``), the scenario
``scenarios/baseline.toml`` (its levers), ``scenarios/calibration/params.toml`` (the ranges
``fraudsim calibrate`` searches), ``scenarios/targets/mps_2021_06.toml`` (the published figures),
the ``streams["..."]`` draws in ``simulation/*.py`` and the output contract of
``simulation.outputs``. It also checks that the numbered phase list of ODD section 3 follows the
order of the calls in ``FraudModel.step()``.

Usage::

    python docs/odd_tables.py            # rewrite the generated blocks of docs/ODD.md
    python docs/odd_tables.py --check    # exit 1, saying what differs, if anything is stale

Text outside the markers is written by hand and never touched. What the code cannot say is kept
here, next to the generator, and checked against the code: what the seed says about each lever
of the baseline (:data:`LEVER_SOURCES`); what each random stream decides is declared with the
stream (:class:`simulation.streams.Stream`). ``--check`` also reports a parameter that declares
no unit or source.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import difflib
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulation.files import read_toml, write_atomic
from simulation.levers import LEVER_TYPES, Lever, Phase
from simulation.outputs import DAILY_COLUMNS, LONG_TABLES, STATE_COLUMNS
from simulation.params import ModelParams, source_of, unit_of
from simulation.scenario import load_scenario
from simulation.streams import Stream

ROOT = Path(__file__).resolve().parent.parent
ODD_PATH = ROOT / "docs" / "ODD.md"
MODEL_PATH = ROOT / "simulation" / "model.py"
BASELINE_PATH = ROOT / "scenarios" / "baseline.toml"
CALIBRATION_PATH = ROOT / "scenarios" / "calibration" / "params.toml"
TARGETS_PATH = ROOT / "scenarios" / "targets" / "mps_2021_06.toml"
REGENERATE = "python docs/odd_tables.py"

BEGIN = "<!-- BEGIN GENERATED: {name} -->"
END = "<!-- END GENERATED: {name} -->"
_MARKER = re.compile(r"<!-- (BEGIN|END) GENERATED: ([\w.]+) -->")

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


# ---------------------------------------------------------------------------------------------
# Writing and checking
# ---------------------------------------------------------------------------------------------


class Block(NamedTuple):
    """One generated block found in the ODD: its name and the span of its content."""

    name: str
    start: int  # index just after the BEGIN marker
    end: int  # index of the END marker


def find_blocks(text: str) -> tuple[list[Block], list[str]]:
    """The generated blocks of ``text`` and any problems with their markers."""
    found: list[Block] = []
    problems: list[str] = []
    open_name: str | None = None
    open_at = 0
    for match in _MARKER.finditer(text):
        kind, name = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        if kind == "BEGIN":
            if open_name is not None:
                problems.append(f"line {line}: BEGIN {name} inside the open block {open_name}")
            open_name, open_at = name, match.end()
        elif open_name != name:
            problems.append(f"line {line}: END {name} without a matching BEGIN")
        else:
            found.append(Block(name, open_at, match.start()))
            open_name = None
    if open_name is not None:
        problems.append(f"block {open_name}: BEGIN without END")
    names = [b.name for b in found]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"block {name} appears {names.count(name)} times")
    return found, problems


def render(text: str, generated: dict[str, str]) -> tuple[str, list[str]]:
    """``text`` with every generated block replaced, and any problems with the markers."""
    found, problems = find_blocks(text)
    names = {b.name for b in found}
    for name in generated:
        if name not in names:
            problems.append(
                f"block {name} is missing: add the lines {BEGIN.format(name=name)} and "
                f"{END.format(name=name)} where it belongs"
            )
    for name in sorted(names - set(generated)):
        problems.append(f"block {name} is not one the generator knows ({', '.join(generated)})")
    out = []
    pos = 0
    for block in found:
        if block.name in generated:
            out.append(text[pos : block.start])
            out.append("\n\n" + generated[block.name].strip("\n") + "\n\n")
            pos = block.end
    out.append(text[pos:])
    return "".join(out), problems


def _dotted(node: ast.expr) -> str | None:
    """``self.police.card_unit.act`` -> ``police.card_unit.act`` (None if not on ``self``)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "self" and parts:
        return ".".join(reversed(parts))
    return None


def step_calls(path: Path = MODEL_PATH) -> list[str]:
    """The calls ``FraudModel.step()`` makes, in order, as dotted names below ``self``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "FraudModel":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "step":
                    return [
                        name
                        for stmt in item.body
                        if isinstance(stmt, ast.Expr)
                        and isinstance(call := stmt.value, ast.Call)
                        and (name := _dotted(call.func)) is not None
                    ]
    raise LookupError(f"no FraudModel.step in {path}")


_SECTION_3 = re.compile(r"^## 3 .*?(?=^## )", re.MULTILINE | re.DOTALL)
_PHASE_ITEM = re.compile(r"^\d+\.\s+\*\*([\w ]+)\*\*\s+\(((?:`[\w.]+`(?:,\s*)?)+)\)", re.MULTILINE)


def odd_phases(text: str) -> list[tuple[str, list[str]]]:
    """The numbered list of ODD section 3: each item's name and the calls it names, in order."""
    section = _SECTION_3.search(text)
    if section is None:
        return []
    return [
        (m.group(1), re.findall(r"`([\w.]+)`", m.group(2)))
        for m in _PHASE_ITEM.finditer(section.group(0))
    ]


def phase_problems(text: str) -> list[str]:
    """Differences between ODD section 3, ``FraudModel.step()`` and the ``Phase`` enum."""
    problems = []
    code = step_calls()
    items = odd_phases(text)
    odd = [call for _, calls in items for call in calls]
    if odd != code:
        diff = "\n".join(difflib.unified_diff(odd, code, "ODD section 3", "step()", lineterm=""))
        problems.append(
            "the numbered phase list of ODD section 3 (items `N. **name** (`call`, ...)`) does "
            "not follow FraudModel.step(); rewrite section 3 by hand:\n" + diff
        )
    enum = [p.value for p in Phase]
    phases = [name for name, _ in items if name in enum]
    if phases != enum:
        problems.append(f"the Phase enum order {enum} differs from ODD section 3's {phases}")
    return problems


def consistency_problems() -> list[str]:
    """Data kept by hand in this module that no longer matches the code."""
    problems = []
    uses = stream_uses()
    for name in sorted(set(Stream) - set(uses)):
        problems.append(f"simulation.streams.Stream declares {name!r}, drawn nowhere")
    problems.extend(parameter_problems())
    for key in sorted(set(LEVER_SOURCES) - set(LEVER_TYPES)):
        problems.append(f"LEVER_SOURCES in docs/odd_tables.py names {key!r}: no such lever type")
    return problems


def check(path: Path = ODD_PATH) -> list[str]:
    """Everything stale in the ODD at ``path``; an empty list when it is up to date."""
    text = path.read_text(encoding="utf-8")
    new, problems = render(text, blocks())
    if new != text:
        old_blocks = {b.name: text[b.start : b.end] for b in find_blocks(text)[0]}
        new_blocks = {b.name: new[b.start : b.end] for b in find_blocks(new)[0]}
        for name, fresh in new_blocks.items():
            if old_blocks.get(name) == fresh:
                continue
            diff = list(
                difflib.unified_diff(
                    old_blocks.get(name, "").splitlines(),
                    fresh.splitlines(),
                    "ODD.md",
                    "code",
                    lineterm="",
                    n=0,
                )
            )
            shown = "\n".join(diff[:30]) + ("\n..." if len(diff) > 30 else "")
            problems.append(f"generated block {name} is out of date:\n{shown}")
    problems.extend(phase_problems(text))
    problems.extend(consistency_problems())
    return problems


def write(path: Path = ODD_PATH) -> tuple[bool, list[str]]:
    """Rewrite the generated blocks of the ODD; whether it changed, and remaining problems."""
    text = path.read_text(encoding="utf-8")
    new, problems = render(text, blocks())
    changed = new != text
    if changed:
        write_atomic(path, new)
    return changed, problems + phase_problems(new) + consistency_problems()


def main(argv: list[str] | None = None) -> int:
    """Command line: rewrite the blocks, or with ``--check`` only report what is stale."""
    parser = argparse.ArgumentParser(
        prog="python docs/odd_tables.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    parser.add_argument("--odd", type=Path, default=ODD_PATH, help="the ODD file")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.odd)
        for problem in problems:
            print(f"{args.odd}: {problem}", file=sys.stderr)
        if problems:
            print(f"Regenerate the tables with `{REGENERATE}`.", file=sys.stderr)
            return 1
        print(f"{args.odd}: generated tables and phase list are up to date")
        return 0
    changed, problems = write(args.odd)
    print(f"{args.odd}: {'updated' if changed else 'already up to date'}")
    for problem in problems:
        print(f"{args.odd}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
