"""Scenario files are data: nothing in them is executed, imported or unpickled, and a scenario
cannot make ``fraudsim run`` write outside the directory the user pointed it at.

- Payloads that would act if anything evaluated them (Python, shell, pickles) sit in a name, a
  description, a key, an ``extends`` and a ``--set`` value; loading and running them leaves no
  trace, and while they load, ``eval``, ``exec``, the unpicklers and dynamic imports are
  replaced by functions that fail the test if called.
- The modules on the loading path neither call ``eval``/``exec``/``compile``/``__import__`` nor
  import ``pickle``, ``marshal``, ``shelve``, ``yaml``, ``importlib`` or ``runpy``: TOML is read
  with ``tomllib`` only.
- The default output directory, ``results/<scenario name>``, is one plain path component under
  ``results/`` whatever the name: ``../``, absolute paths, ``~``, dots, separators of other
  systems, control characters and names too long for a file system all stay inside.
"""

from __future__ import annotations

import ast
import builtins
import codecs
import contextlib
import importlib
import json
import os
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.cli_types import safe_dir_name
from simulation.errors import ScenarioError
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--quiet", "--scale", "100000", "--start", "2021-01-01", "--end", "2021-01-03",
        "--set", "run.burn_in_days=0"]  # fmt: skip


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def payloads(marker: Path) -> dict[str, str]:
    """Strings that would create ``marker`` if anything ran them."""
    return {
        "python": f"__import__('os').system('touch {marker}')",
        "python_open": f'open(r"{marker}", "w").write("x")',
        "shell": f"$(touch {marker})",
        "backticks": f"`touch {marker}`",
        "format": "{0.__class__.__mro__[1].__subclasses__}",
        "yaml_tag": f'!!python/object/apply:os.system ["touch {marker}"]',
        "jinja": '{{ cycler.__init__.__globals__.os.popen("id") }}',
    }


@contextlib.contextmanager
def no_dynamic_code():
    """Within the block, evaluating, unpickling or importing by name raises AssertionError.

    A context manager, not a fixture: pytest itself compiles and imports when it reports.
    Modules the loader imports lazily (the UTF-8-with-BOM codec) are imported first, as any
    earlier load would have: an import runs its module with ``exec``.
    """
    codecs.lookup("utf-8-sig")

    def forbidden(name):
        def fail(*args, **kwargs):
            raise AssertionError(f"{name} was called while loading a scenario")

        return fail

    targets = [(builtins, "eval"), (builtins, "exec"), (pickle, "loads"), (pickle, "load"),
               (importlib, "import_module")]  # fmt: skip
    saved = [(module, attr, getattr(module, attr)) for module, attr in targets]
    try:
        for module, attr in targets:
            setattr(module, attr, forbidden(f"{module.__name__}.{attr}"))
        yield
    finally:
        for module, attr, original in saved:
            setattr(module, attr, original)


def test_payloads_in_values_are_plain_strings(tmp_path):
    marker = tmp_path / "PWNED"
    strings = payloads(marker)
    for label, text in strings.items():
        path = tmp_path / f"{label}.toml"
        path.write_text(
            f"name = {toml_string(text)}\ndescription = {toml_string(text)}\n"
            f'[[levers]]\ntype = "publicity"\nname = {toml_string(text)}\n'
            "start = 2021-01-01\n",
            encoding="utf-8",
        )
        with no_dynamic_code():
            config = load_scenario(path)
        assert config.name == text, f"{label}: the name should be the text as written"
        assert config.description == text, f"{label}: the description should be kept verbatim"
        assert config.levers[0].name == text, f"{label}: a lever name should be kept verbatim"
    assert not marker.exists(), f"loading payloads must not run them, but {marker} appeared"


def test_payloads_in_keys_extends_and_overrides_are_refused(tmp_path):
    marker = tmp_path / "PWNED"
    for label, text in payloads(marker).items():
        cases = {
            "key": f"[police]\n{toml_string(text)} = 1\n",
            "extends": f"extends = {toml_string(text)}\n",
            "table": f"[{toml_string(text)}]\nx = 1\n",
        }
        for where, body in cases.items():
            path = tmp_path / f"{label}_{where}.toml"
            path.write_text(body, encoding="utf-8")
            with pytest.raises(ScenarioError) as caught, no_dynamic_code():
                load_scenario(path)
            assert str(path) in str(caught.value), f"{label} in {where}: name the file"
        good = tmp_path / "good.toml"
        good.write_text('name = "good"\n', encoding="utf-8")
        with no_dynamic_code():
            as_string = load_scenario(good, [f"description={text}"])
        assert as_string.description == text, f"{label}: a --set value is data, kept verbatim"
        with pytest.raises(ScenarioError), no_dynamic_code():
            load_scenario(good, [f"police.p_dissuade={text}"])
        with pytest.raises(ScenarioError), no_dynamic_code():
            load_scenario(good, [f"{text}=1"])
    assert not marker.exists(), f"refusing payloads must not run them, but {marker} appeared"


def test_a_scenario_full_of_payloads_runs_without_side_effects(tmp_path, monkeypatch, call):
    marker = tmp_path / "PWNED"
    text = payloads(marker)["python"]
    scenario = tmp_path / "payload.toml"
    scenario.write_text(
        f"name = {toml_string(text)}\ndescription = {toml_string(payloads(marker)['shell'])}\n",
        encoding="utf-8",
    )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, _, stderr = call(["run", str(scenario), *TINY])
    assert code == 0, f"a scenario whose name looks like code is still a scenario: {stderr}"
    assert not marker.exists(), f"running must not execute the name, but {marker} appeared"
    written = [p.relative_to(work) for p in work.rglob("*") if p.is_file()]
    assert written, "the run should have written its results"
    assert all(p.parts[0] == "results" for p in written), (
        f"everything should be written under results/, got {written}"
    )


# ---------------------------------------------------------------------------------------------
# The loading path, read statically
# ---------------------------------------------------------------------------------------------


def _package(name: str) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "simulation" / name).glob("*.py"))


#: Every module that reads scenario text, or builds the tables it is validated with.
LOADING_MODULES = [*_package("scenario"), *_package("params"), "simulation/files.py",
                   "simulation/config.py", "simulation/levers.py", "simulation/categories.py",
                   "simulation/errors.py", "simulation/validation.py",
                   "experiments/sweep/spec.py", "experiments/sweep/keys.py",
                   "experiments/sweep/scenarios.py", "experiments/sweep/design.py"]  # fmt: skip
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "yaml", "importlib", "runpy", "dill",
                     "cloudpickle", "jsonpickle"}  # fmt: skip


@pytest.mark.parametrize("module", LOADING_MODULES)
def test_loading_modules_never_evaluate_or_unpickle(module):
    path = ROOT / module
    if not path.exists():
        pytest.skip(f"{module} does not exist (yet)")
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=module)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_CALLS:
                found.append(f"line {node.lineno}: {node.func.id}()")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_MODULES]  # fmt: skip
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] in FORBIDDEN_MODULES
        ):
            found.append(f"line {node.lineno}: from {node.module} import ...")
    assert not found, f"{module} reads scenario data and must not evaluate or unpickle: {found}"


def test_scenario_text_is_parsed_by_tomllib_only():
    modules = [*_package("scenario"), "simulation/files.py"]
    trees = [ast.parse((ROOT / m).read_text(encoding="utf-8"), filename=m) for m in modules]
    parsers = {
        f"{node.func.value.id}.{node.func.attr}"
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.attr in {"loads", "load", "safe_load", "parse"}
    }
    assert parsers == {"tomllib.loads"}, (
        f"scenario text should be parsed with tomllib.loads only, found {sorted(parsers)}"
    )


# ---------------------------------------------------------------------------------------------
# The default output directory stays under results/
# ---------------------------------------------------------------------------------------------

NASTY_NAMES = ["../../escape", "../..", "..", ".", "/etc/cron.d/x", "/", "~", "~root/.ssh",
               "C:\\Windows\\System32", "..\\..\\x", "results/../../x", "a/./b/../../../c",
               "name\x00with nul", "line\nbreak", "\u2025", "\uff0e\uff0e/\uff0e\uff0e",
               "\u8bc8" * 200, "x" * 200, " ", "-rf", ".hidden", "$HOME", "%APPDATA%"]  # fmt: skip


def assert_one_plain_component(name: str, cleaned: str) -> None:
    assert cleaned, f"{name!r}: the directory name should not be empty"
    assert cleaned not in {".", ".."}, f"{name!r}: {cleaned!r} would leave results/"
    for bad in ("/", "\\", os.sep, "\x00"):
        assert bad not in cleaned, f"{name!r}: {cleaned!r} should not contain {bad!r}"
    assert not cleaned.startswith("."), f"{name!r}: {cleaned!r} should not be hidden"
    assert len(cleaned.encode("utf-8")) <= 200, (
        f"{name!r}: {cleaned!r} is too long for a file name ({len(cleaned.encode())} bytes)"
    )
    assert Path("results", cleaned).parent == Path("results"), (
        f"{name!r}: results/{cleaned} should be directly inside results/"
    )


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_default_out_dir_name_is_one_plain_component(name):
    assert_one_plain_component(name, safe_dir_name(name))


@settings(max_examples=200, derandomize=True, database=None)
@given(name=st.text(max_size=200))
def test_any_name_gives_one_plain_component(name):
    assert_one_plain_component(name, safe_dir_name(name))


@pytest.mark.parametrize("name", ["../../escape", "/etc/absolute", "..", "\u8bc8" * 200])
def test_run_with_a_nasty_name_writes_under_results(name, tmp_path, monkeypatch, call):
    work = tmp_path / "a" / "work"
    work.mkdir(parents=True)
    scenario = tmp_path / "nasty.toml"
    scenario.write_text(f"name = {toml_string(name)}\n", encoding="utf-8")
    monkeypatch.chdir(work)
    code, stdout, stderr = call(["run", str(scenario), *TINY])
    assert code == 0, f"a valid scenario named {name[:20]!r} should run: {stderr}"
    everything = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p != scenario)
    outside = [p for p in everything if not p.is_relative_to(work / "results")]
    assert not outside, f"name {name[:20]!r}: files were written outside results/: {outside}"
    dirs = list((work / "results").iterdir())
    assert len(dirs) == 1, f"name {name[:20]!r}: one directory expected in results/: {dirs}"
    assert (dirs[0] / "manifest.json").is_file(), (
        f"name {name[:20]!r}: the result directory {dirs[0]} should be complete"
    )
    assert f"results: {Path('results') / dirs[0].name}" in stdout, (
        f"the run should say where it wrote, got {stdout[:200]!r}"
    )


def test_explicit_out_is_used_as_given(tmp_path, call):
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "../../escape"\n', encoding="utf-8")
    out = tmp_path / "deep" / "er" / "out"
    code, _, stderr = call(["run", str(scenario), "--out", str(out), *TINY])
    assert code == 0, f"the run should succeed: {stderr}"
    assert (out / "manifest.json").is_file(), f"results should be in --out {out}"
    siblings = sorted(p.name for p in out.parent.iterdir())
    assert siblings == ["out"], f"no staging directory should be left beside {out}: {siblings}"
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != scenario]
    assert all(p.is_relative_to(out) for p in files), f"files written outside --out: {files}"
