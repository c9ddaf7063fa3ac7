"""The packages are layers: simulation < analysis < experiments.

The model (``simulation``) never imports the code that reads its results (``analysis``) or runs
it (``experiments``); analysis reads result files and never imports the code that runs models.
Every import statement counts, at the top of a module or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "simulation": {"analysis", "experiments"},
    "analysis": {"experiments"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """``(line, top-level package)`` of every absolute import in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.partition(".")[0]))
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(package):
    assert modules(package), f"{package}/ should hold modules"
    breaches = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for line, name in imported_packages(path)
        if name in FORBIDDEN[package]
    ]
    assert not breaches, f"{package} must not import {sorted(FORBIDDEN[package])}: {breaches}"


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from experiments.runs import run_scenario\n", encoding="utf-8")
    assert imported_packages(module) == [(2, "experiments")], "imports in functions count too"
