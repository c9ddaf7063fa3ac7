"""Generate the tables of ``docs/ODD.md`` from the code, so that they cannot go stale.

The ODD's parameter tables, lever tables, list of named random streams, output columns and
calibration targets are written between marker comments::

    <!-- BEGIN GENERATED: params.run -->
    ...
    <!-- END GENERATED: params.run -->

and this script fills them (with the tables ``docs/odd_blocks.py`` makes) from their sources
of truth: the pydantic models of
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
import difflib
import re
import sys
from pathlib import Path
from typing import NamedTuple

from simulation.files import write_atomic
from simulation.levers import LEVER_TYPES, Phase
from simulation.streams import Stream

# The tables themselves are made in odd_blocks.py, beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from odd_blocks import LEVER_SOURCES, blocks, parameter_problems, stream_uses

ROOT = Path(__file__).resolve().parent.parent
ODD_PATH = ROOT / "docs" / "ODD.md"
MODEL_PATH = ROOT / "simulation" / "model.py"
REGENERATE = "python docs/odd_tables.py"

BEGIN = "<!-- BEGIN GENERATED: {name} -->"
END = "<!-- END GENERATED: {name} -->"
_MARKER = re.compile(r"<!-- (BEGIN|END) GENERATED: ([\w.]+) -->")

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
