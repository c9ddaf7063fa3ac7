"""Sweep files: their schema, their validation, and their expansion into runs.

A sweep file is TOML. It names scenario files (paths relative to the sweep file), the seeds every
scenario is run with, values set on every run, and optionally parameter variations::

    name = "lever_intensity"                # default: the file's stem
    description = "..."
    scenarios = ["../baseline.toml"]
    seeds = 10                              # 0..9; or a list such as [0, 1, 7]
    set = { "run.scale" = 5000 }            # dotted scenario keys, applied to every run

    [grid]                                  # every combination of these values ...
    "levers.2.intensity" = [0.0, 0.5, 1.0]
    "levers.0.intensity" = [0.0, 1.0]

    [sample]                                # ... or n points drawn in a box (not both)
    method = "latin_hypercube"              # or "sobol" (n a power of 2)
    n = 32
    seed = 0
    ranges = { "police.p_dissuade" = [0.2, 0.8] }

Every scenario runs with every parameter point and every seed (the same seeds for every
scenario and point, so comparisons are paired). A parameter key is any key ``fraudsim run
--set`` accepts; the file is refused before anything runs if a key or value does not fit one of
the scenarios, with messages in the form of scenario-file errors: file, key path, what is
allowed, what was given and, for a typo, the nearest valid key.

Each run gets a stable ``run_id``: a SHA-256 digest of the scenario's name, its resolved content
(the scenario file with its ``extends`` chain, the model's defaults and ``set``), the run's
parameter values and its seed. Equal inputs give equal ids on any machine, so a sweep can be
resumed, and a scenario edited between two sessions can never pass its old results off as new.

Runs are ordered seed by seed (all scenarios and points with seed 0 first, then seed 1, ...), so
a sweep stopped half way has paired results for its first seeds rather than all seeds of its
first scenarios.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from experiments.sweep.design import (
    RunSpec,
    check_grid_values,
    check_sample,
    expand,
    json_default,
    sample_points,
    uniform_numbers,
)
from experiments.sweep.keys import KEY, flatten, normalize_key
from experiments.sweep.keys import sweep_key as _sweep_key
from experiments.sweep.scenarios import ScenarioEntry, resolve_scenarios
from simulation.errors import Problem, ScenarioError
from simulation.files import read_toml

# The scenario loader's message helpers, so that sweep messages read exactly like scenario ones.
from simulation.scenario import (
    SET_SOURCE,
    show_value,
    split_override,
)
from simulation.validation import problems_from_validation

__all__ = [
    "MAX_RUNS",
    "SampleTable",
    "SweepError",
    "SweepFile",
    "SweepSpec",
    "load_sweep_spec",
]

MAX_RUNS = 1_000_000
"""Most runs one sweep may have: beyond that a typo (``seeds = 10000000``) is likelier than a
plan, and the run list alone would fill memory."""


class SweepError(ScenarioError):
    """A sweep file, its overrides, or the output directory given for a sweep is unusable.

    The same records as :class:`simulation.errors.ScenarioError` (one :class:`Problem` per thing
    wrong), so the command line reports it the same way and exits with code 2.
    """


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A grid value: a number, string, boolean or date (what a scenario key can hold)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("must be a number, string, boolean or date (YYYY-MM-DD)")


def _number(value: Any) -> int | float:
    """A range bound: a finite int or float (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _seeds(value: Any) -> tuple[int, ...]:
    """``seeds = N`` (0..N-1) or a list of distinct integers >= 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_RUNS:
            raise ValueError(f"a count of seeds must be between 1 and {MAX_RUNS:,}")
        return tuple(range(value))
    if isinstance(value, list):
        if not value:
            raise ValueError("the list of seeds is empty")
        bad = [v for v in value if isinstance(v, bool) or not isinstance(v, int) or v < 0]
        if bad:
            raise ValueError(
                f"seeds must be integers >= 0; not {show_value(bad[0], with_type=True)}"
            )
        dupes = sorted({v for v in value if value.count(v) > 1})
        if dupes:
            raise ValueError(f"seeds must be distinct; repeated: {', '.join(map(str, dupes))}")
        return tuple(value)
    raise ValueError("must be a count of seeds (20 means 0..19) or a list of seeds")


Scalar = Annotated[Any, PlainValidator(_scalar)]
Number = Annotated[Any, PlainValidator(_number)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SampleTable(_Table):
    """``[sample]``: parameter points drawn from a box with a quasi-random design."""

    method: Literal["latin_hypercube", "sobol"] = Field(
        description="Design: 'latin_hypercube' (scipy.stats.qmc.LatinHypercube) or 'sobol' "
        "(scrambled scipy.stats.qmc.Sobol; n must be a power of 2)."
    )
    n: int = Field(ge=1, le=MAX_RUNS, description="Number of points.")
    seed: int = Field(0, ge=0, description="Seed of the design (not of the runs).")
    ranges: dict[
        str,
        Annotated[
            list[Number],
            Field(min_length=2, max_length=2, json_schema_extra={"allowed": "[low, high]"}),
        ],
    ] = Field(
        min_length=1,
        description="Dotted scenario key -> [low, high]. Integer bounds draw integers from "
        "low..high inclusive; otherwise values are uniform in [low, high).",
    )


class SweepFile(_Table):
    """The keys of a sweep file, as written (see the module docstring)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    scenarios: list[str] = Field(min_length=1, max_length=1000)
    seeds: Annotated[Any, PlainValidator(_seeds)] = Field(
        json_schema_extra={"allowed": "a count (seeds = 20 means 0..19) or a list of seeds"}
    )
    set: dict[str, Any] = Field(default_factory=dict)
    grid: dict[str, Annotated[list[Scalar], Field(min_length=1)]] | None = None
    sample: SampleTable | None = None


# ---------------------------------------------------------------------------------------------
# The expanded sweep
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep, expanded into its runs. Build it with :func:`load_sweep_spec`.

    Attributes:
        name: the sweep's name.
        description: free text from the file.
        source: the sweep file as given (``None`` if built otherwise).
        text: the sweep file's text.
        data: the sweep file's content as parsed (before any defaults).
        overrides: ``KEY=VALUE`` overrides given with the file (``--set``), by dotted key.
        scenarios: the scenarios, resolved with ``set`` (and ``overrides``).
        seeds: the seeds, the same for every scenario and point.
        set: values applied to every run, by dotted key (the file's ``set`` plus overrides).
        parameters: the varied keys (one result column each), in file order.
        points: the parameter points, each a dict over :attr:`parameters`; ``[{}]`` if none.
        sample: ``method``, ``n`` and ``seed`` of the design, or ``None``.
        runs: every run, in run order.
    """

    name: str
    description: str
    source: str | None
    text: str | None
    data: dict[str, Any]
    overrides: dict[str, Any]
    scenarios: tuple[ScenarioEntry, ...]
    seeds: tuple[int, ...]
    set: dict[str, Any]
    parameters: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    sample: dict[str, Any] | None
    runs: tuple[RunSpec, ...]

    @property
    def n_runs(self) -> int:
        """Number of runs: scenarios x points x seeds."""
        return len(self.runs)

    def describe(self) -> str:
        """``6 scenarios x 1 point x 20 seeds = 120 runs``."""

        def plural(n: int, word: str) -> str:
            return f"{n:,} {word}{'' if n == 1 else 's'}"

        return (
            f"{plural(len(self.scenarios), 'scenario')} x {plural(len(self.points), 'point')} "
            f"x {plural(len(self.seeds), 'seed')} = {plural(self.n_runs, 'run')}"
        )

    def run_scale(self, run: RunSpec) -> tuple[float, int, int]:
        """``(scale, population_national, n_residents)`` of one run.

        The scenario's values, unless the run's parameters vary ``run.scale`` or
        ``run.population_national``.
        """
        entry = self.scenarios[run.scenario_index]
        scale = float(run.params.get("run.scale", entry.scale))
        population = int(run.params.get("run.population_national", entry.population_national))
        return scale, population, max(1, round(population / scale))


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_sweep_spec(
    path: str | os.PathLike[str],
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
) -> SweepSpec:
    """Read, validate and expand a sweep file.

    Every scenario is loaded with the sweep's ``set`` values, and with each parameter value on
    its own (grid values, and both ends of each sample range), so that a bad key or value is
    reported now rather than by a run hours later.

    Args:
        path: the sweep file (TOML).
        overrides: extra values for ``set``, as ``KEY=VALUE`` strings (``--set`` on the command
            line; values are TOML) or a mapping of dotted keys to values. They win over the
            file's ``set``; a key the file varies cannot be overridden.

    Returns:
        The expanded sweep.

    Raises:
        SweepError: the file cannot be read, is not valid, or one of its scenarios, keys or
            values does not load. The message has one line per problem.
    """
    display = os.fspath(path)
    raw = read_toml(path, what="sweep file", error=SweepError)
    if not raw:
        raise SweepError.single(
            display, None, "sweep file is empty; it needs at least `scenarios` and `seeds`"
        )
    # The file as written, comments included, for the sweep's manifest (read_toml has just
    # checked that it is readable UTF-8).
    text = Path(path).read_bytes().decode("utf-8-sig")
    return _build(raw, text, display, Path(path).parent, _parse_overrides(overrides))


def _parse_overrides(overrides: Sequence[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    if not overrides:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    if isinstance(overrides, str):  # one override, not a sequence of characters
        overrides = [overrides]
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for item in overrides:
        try:
            key, value = split_override(item)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        parsed[key] = value
    if problems:
        raise SweepError(problems)
    return parsed


def _build(
    raw: dict[str, Any], text: str | None, display: str, base_dir: Path, overrides: dict
) -> SweepSpec:
    """Validate the parsed file, resolve its scenarios and expand it into runs."""
    data = json.loads(json.dumps(raw, default=json_default))  # the file as given, JSON-ready
    shaped = dict(raw)
    for key in ("set", "grid"):
        if isinstance(shaped.get(key), dict):
            shaped[key] = flatten(shaped[key])
    sample = shaped.get("sample")
    if isinstance(sample, dict) and isinstance(sample.get("ranges"), dict):
        shaped["sample"] = {**sample, "ranges": flatten(sample["ranges"])}
    try:
        spec = SweepFile.model_validate(shaped)
    except ValidationError as err:
        raise SweepError(problems_from_validation(err, SweepFile, display)) from None

    problems: list[Problem] = []
    set_values = _normalized(spec.set, "set", display, problems)
    override_values = _normalized(overrides, None, SET_SOURCE, problems)
    grid = _normalized(spec.grid or {}, "grid", display, problems)
    ranges = _normalized(
        spec.sample.ranges if spec.sample else {}, "sample.ranges", display, problems
    )
    if spec.grid is not None and spec.sample is not None:
        problems.append(
            Problem(
                display,
                None,
                "give either [grid] or [sample], not both",
                allowed="one table of parameter variations",
            )
        )
    varied = {**grid, **ranges}
    for key in set_values.keys() & varied.keys():
        problems.append(
            Problem(display, _sweep_key("set", key), "this key is also varied; set it in one place")
        )
    for key in override_values.keys() & varied.keys():
        problems.append(
            Problem(
                SET_SOURCE,
                key,
                "cannot override a key the sweep varies",
                allowed=", ".join(k for k in set_values if k not in varied) or None,
            )
        )
    for key, values in grid.items():
        problems.extend(check_grid_values(display, key, values))
    if spec.sample is not None:
        problems.extend(check_sample(display, spec.sample, ranges))
    if problems:
        raise SweepError(problems)

    all_set = {**set_values, **override_values}
    n_points = spec.sample.n if spec.sample else math.prod(len(v) for v in grid.values())
    n_runs = len(spec.scenarios) * n_points * len(spec.seeds)
    if n_runs > MAX_RUNS:  # checked before the points are built: they could fill memory
        raise SweepError.single(
            display,
            None,
            f"too many runs: {n_runs:,} (at most {MAX_RUNS:,})",
            given=f"{len(spec.scenarios)} scenarios x {n_points:,} points x "
            f"{len(spec.seeds):,} seeds",
        )
    if spec.sample is not None:
        parameters, points = sample_points(spec.sample, ranges)
    else:
        grid = {key: uniform_numbers(values) for key, values in grid.items()}
        parameters = tuple(grid)
        points = tuple(dict(zip(parameters, combo)) for combo in itertools.product(*grid.values()))

    # Values each key must load with: every grid value, both ends of every range.
    probes = {key: list(values) for key, values in grid.items()}
    probes.update({key: list(bounds) for key, bounds in ranges.items()})
    sections = dict.fromkeys(grid, "grid") | dict.fromkeys(ranges, "sample.ranges")
    scenarios, problems = resolve_scenarios(
        spec.scenarios, display, base_dir, set_values, override_values, probes, sections
    )
    if problems:
        raise SweepError(problems)
    runs = expand(scenarios, points, spec.seeds)
    return SweepSpec(
        name=spec.name or Path(display).stem,
        description=spec.description,
        source=display,
        text=text,
        data=data,
        overrides={
            k: json_default(v) if isinstance(v, dt.date) else v for k, v in override_values.items()
        },
        scenarios=scenarios,
        seeds=spec.seeds,
        set=all_set,
        parameters=parameters,
        points=points,
        sample=None
        if spec.sample is None
        else {
            "method": spec.sample.method,
            "n": spec.sample.n,
            "seed": spec.sample.seed,
        },
        runs=runs,
    )


def _normalized(
    table: Mapping[str, Any], section: str | None, file: str, problems: list[Problem]
) -> dict[str, Any]:
    """Keys in one spelling; malformed or repeated keys become problems."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        where = _sweep_key(*section.split("."), key) if section else key
        norm = normalize_key(key)
        if not KEY.match(norm):
            problems.append(
                Problem(
                    file,
                    where,
                    "malformed key",
                    allowed="a dotted scenario key such as police.p_dissuade or levers.0.intensity",
                    given=repr(key),
                )
            )
        elif norm in out:
            problems.append(Problem(file, where, f"the same key as {norm!r}, given twice"))
        else:
            out[norm] = value
    return out
