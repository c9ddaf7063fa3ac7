"""A sweep's scenarios, resolved with its ``set`` values and checked against every value it varies.

Each scenario file is loaded with the sweep's ``set`` values (and ``--set`` overrides), then
with each parameter value on its own (grid values, both ends of each sample range), so that a
bad key or value is reported before anything runs. A problem the scenario loader finds is
pointed at the sweep-file key that caused it (``grid."police.p_dissuade"``), and the same bad
key in several scenarios is reported once, naming them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any

from experiments.sweep.keys import normalize_key, sweep_key
from simulation.config import ScenarioConfig
from simulation.errors import Problem, ScenarioError
from simulation.scenario import (
    MAPPING_SOURCE,
    SET_SOURCE,
    load_scenario,
    scenario_to_toml,
    show_value,
)

__all__ = ["ScenarioEntry", "resolve_scenarios"]


@dataclasses.dataclass(frozen=True)
class ScenarioEntry:
    """One scenario of a sweep, resolved with the sweep's ``set`` values.

    Attributes:
        index: position in the sweep file's ``scenarios``.
        name: the scenario's name (the ``scenario`` column of the results).
        file: the scenario file, as a path relative to the current directory when possible.
        config: the resolved scenario; each run applies its parameter values to it.
        toml: the resolved scenario (every parameter) as TOML, the record in ``sweep.json``.
        sha256: digest of ``toml``, part of every run id.
        scale: real people per resident agent (``run.scale``).
        population_national: people represented (``run.population_national``).
        n_residents: resident agents, ``max(1, round(population_national / scale))``.
    """

    index: int
    name: str
    file: str
    config: ScenarioConfig
    toml: str
    sha256: str
    scale: float
    population_national: int
    n_residents: int


def resolve_scenarios(
    entries: list[str],
    display: str,
    base_dir: Path,
    set_values: dict[str, Any],
    override_values: dict[str, Any],
    probes: dict[str, list[Any]],
    sections: dict[str, str],
) -> tuple[tuple[ScenarioEntry, ...], list[Problem]]:
    """Load each scenario with ``set``, then with each probe value; collect every problem.

    Args:
        entries: the sweep file's ``scenarios`` (paths relative to the sweep file).
        display: the sweep file, as named in messages.
        base_dir: the sweep file's directory.
        set_values: the file's ``set`` values by normalised key.
        override_values: ``--set`` overrides by normalised key.
        probes: values each varied key must load with, by key.
        sections: where each varied key is given (``grid`` or ``sample.ranges``).

    Returns:
        The resolved scenarios, and one problem per thing wrong (none if all is well).
    """
    problems: list[tuple[Problem, str | None]] = []
    resolved: list[ScenarioEntry] = []
    files_seen: dict[Path, int] = {}
    for i, entry in enumerate(entries):
        where = sweep_key("scenarios", i)
        file = os.path.normpath(os.path.join(os.path.dirname(display), entry))
        path = base_dir / entry
        if not entry.strip() or not path.is_file():
            problems.append(
                (
                    Problem(
                        display,
                        where,
                        f"file not found: {file} (paths are relative to the sweep file)",
                        given=show_value(entry),
                    ),
                    None,
                )
            )
            continue
        ident = path.resolve()
        if ident in files_seen:
            problems.append(
                (
                    Problem(
                        display,
                        where,
                        f"the same file as scenarios[{files_seen[ident]}]",
                        given=show_value(entry),
                    ),
                    None,
                )
            )
            continue
        files_seen[ident] = i
        everything = {**set_values, **override_values}
        try:
            config = load_scenario(file, everything or None)
        except ScenarioError:
            # Only now find out who is to blame (a costlier path than the good one).
            blame = _blame_set(file, display, set_values, override_values)
            if blame is None:  # nothing alone: the keys together (a lever after the end)
                try:
                    load_scenario(file, everything)
                except ScenarioError as err:
                    blame = _rehome(err, display, "set", None, Path(file).stem)
            problems.extend(blame)
            continue
        toml = scenario_to_toml(config)
        for key, values in probes.items():
            for value in values:
                try:
                    config.with_overrides({key: value}, source=file)
                except ScenarioError as err:
                    where_key = sweep_key(*sections[key].split("."), key)
                    problems.extend(_rehome(err, display, where_key, key, config.name))
        run = config.run
        resolved.append(
            ScenarioEntry(
                index=i,
                name=config.name,
                file=file,
                config=config,
                toml=toml,
                sha256=hashlib.sha256(toml.encode("utf-8")).hexdigest(),
                scale=float(run.scale),
                population_national=int(run.population_national),
                n_residents=max(1, round(run.population_national / run.scale)),
            )
        )
    names: dict[str, int] = {}
    for entry in resolved:
        if entry.name in names:
            problems.append(
                (
                    Problem(
                        display,
                        sweep_key("scenarios", entry.index),
                        f"two scenarios named {entry.name!r} (scenarios[{names[entry.name]}] "
                        "too): results could not tell them apart",
                        allowed="scenarios with distinct `name`s",
                    ),
                    None,
                )
            )
        names.setdefault(entry.name, entry.index)
    return tuple(resolved), _merge_scenarios(problems, len(entries))


def _blame_set(
    file: str, display: str, set_values: dict[str, Any], override_values: dict[str, Any]
) -> list[tuple[Problem, str | None]] | None:
    """The problems of a scenario that does not load with ``set``: its own, or one key's."""
    try:
        load_scenario(file)
    except ScenarioError as err:
        return [(p, None) for p in err.problems]  # they name the scenario file itself
    label = Path(file).stem
    problems: list[tuple[Problem, str | None]] = []
    for source, values, section in (
        (display, set_values, "set"),
        (SET_SOURCE, override_values, None),
    ):
        for key, value in values.items():
            try:
                load_scenario(file, {key: value})
            except ScenarioError as err:
                where = sweep_key(section, key) if section else key
                problems.extend(_rehome(err, source, where, key, label))
    return problems or None


def _merge_scenarios(problems: list[tuple[Problem, str | None]], n_scenarios: int) -> list[Problem]:
    """One line per problem, naming the scenarios it arose in (the same bad key fails in each)."""
    where: dict[Problem, list[str]] = {}
    for problem, scenario in problems:
        names = where.setdefault(problem, [])
        if scenario is not None and scenario not in names:
            names.append(scenario)
    out = []
    for problem, names in where.items():
        if not names:
            out.append(problem)
            continue
        if len(names) == n_scenarios > 1:
            tag = f"in all {n_scenarios} scenarios"
        else:
            tag = ("scenario " if len(names) == 1 else "scenarios ") + ", ".join(map(repr, names))
        out.append(dataclasses.replace(problem, message=f"{problem.message} ({tag})"))
    return out


def _rehome(
    err: ScenarioError, file: str, where: str, dotted: str | None, scenario: str
) -> list[tuple[Problem, str | None]]:
    """Point a scenario loader's problems at the sweep file key that caused them.

    Returns:
        Each problem with the scenario it arose in, when the problem does not name the scenario
        file itself (so that the same bad key in every scenario can be reported once).
    """
    out: list[tuple[Problem, str | None]] = []
    for p in err.problems:
        if p.file == MAPPING_SOURCE:
            detail = p.message
            suggestion = None
            key = normalize_key(p.key) if p.key else None
            if key and key != dotted:
                detail = f"{p.key}: {detail}"
            if p.suggestion and key and dotted and dotted.startswith(key):
                # The loader suggests one segment; the user needs the whole key.
                head = key.rpartition(".")[0]
                suggestion = f"{head}.{p.suggestion}" if head else p.suggestion
                suggestion += dotted[len(key) :]
            elif p.suggestion:
                suggestion = p.suggestion
            out.append((Problem(file, where, detail, p.allowed, p.given, suggestion), scenario))
        else:
            # A check across keys names every source: the scenario file and "overrides".
            sources = [file if s == MAPPING_SOURCE else s for s in (p.file or "").split(" + ")]
            cause = f"--set {where}" if file == SET_SOURCE else f"{where} in {file}"
            out.append(
                (
                    Problem(
                        " + ".join(s for s in sources if s) or file,
                        p.key or where,
                        f"{p.message} (with {cause})",
                        p.allowed,
                        p.given,
                        p.suggestion,
                    ),
                    None,
                )
            )
    return out
