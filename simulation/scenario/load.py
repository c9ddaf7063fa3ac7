"""Loading scenario files: reading, the ``extends`` chain, defaults, overrides, validation.

See :mod:`simulation.scenario` for the format and the merge rules. :func:`finish` is the one
path every scenario takes to a :class:`simulation.config.ScenarioConfig`, whether it comes from
a file, from text or from a validated scenario changed by overrides.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from simulation.config import ScenarioConfig
from simulation.errors import ScenarioError, ScenarioNote
from simulation.files import parse_toml, read_toml
from simulation.scenario.merge import Origins, forget_origins, merge_into, record_origins
from simulation.scenario.overrides import MAPPING_SOURCE, SET_SOURCE, apply_overrides
from simulation.validation import (
    KeyPath,
    child_shape,
    field_shape,
    problems_from_validation,
    show_value,
)

_MISSING = object()


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
) -> ScenarioConfig:
    """Load, merge, override and validate a scenario file.

    Args:
        path: the scenario TOML file.
        overrides: either ``KEY=VALUE`` strings (as given to ``--set`` on the command line;
            ``VALUE`` is read as a TOML value, or as a plain string if it is not one) or a
            mapping from dotted keys to Python values. Keys are dotted paths such as
            ``police.p_dissuade``, ``run.start`` or ``levers.0.intensity`` (``levers[0]`` also
            works). A table value is merged into the table it replaces. Messages name
            string overrides ``--set`` and mapping overrides ``overrides``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: the file cannot be read or parsed, an ``extends`` target is missing or
            forms a cycle, an override names an unknown key, or the result is not a valid
            scenario. The message has one line per problem.
    """
    display = os.fspath(path)
    data, origins = _resolve_file(Path(path), display, [])
    return finish(data, origins, display, Path(display).stem, overrides)


def load_scenario_text(
    text: str,
    source: str = "<string>",
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> ScenarioConfig:
    """Load a scenario from TOML text (for tests, notebooks and run manifests).

    Args:
        text: the TOML document.
        source: name used for the text in messages (and, if it ends in ``.toml``, as the
            default scenario name).
        overrides: as for :func:`load_scenario`.
        base_dir: directory against which ``extends`` is resolved (default: the current one).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: as for :func:`load_scenario`.
    """
    raw = _parse_text(text, source)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    # A pseudo-path inside base_dir, so that `extends` resolves relative to it.
    data, origins = _resolve_raw(raw, base / "<string>", source, [])
    default_name = Path(source).stem if source.endswith(".toml") else None
    return finish(data, origins, source, default_name, overrides)


def override_config(
    config: ScenarioConfig,
    overrides: Sequence[str] | Mapping[str, Any],
    source: str = MAPPING_SOURCE,
) -> ScenarioConfig:
    """``config`` with values replaced by overrides, validated as a scenario file is.

    The scenario is changed as data (its dict), never written out and parsed again; the
    result equals loading the scenario's file with the same overrides.

    Args:
        config: a validated scenario.
        overrides: as for :func:`load_scenario`: ``KEY=VALUE`` strings or dotted keys to values.
        source: name of the scenario in messages.

    Raises:
        ScenarioError: an override names an unknown key or makes the scenario invalid.
    """
    data = config.model_dump(mode="python", exclude_none=True)
    return finish(data, {}, source, None, overrides)


def resolve_scenario_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The merged content of a scenario file and its ``extends`` chain, before validation.

    Defaults are not filled in and no override is applied: the result is what the files say.
    ``extends`` and ``add_levers`` are resolved and absent.

    Args:
        path: the scenario TOML file.

    Returns:
        A fresh dict of plain TOML values.

    Raises:
        ScenarioError: the file or one of its parents cannot be read, parsed or resolved.
    """
    display = os.fspath(path)
    data, _ = _resolve_file(Path(path), display, [])
    return data


def _read_file(path: Path, display: str) -> dict[str, Any]:
    """Read and parse one scenario file, turning every failure into a ScenarioError."""
    return _not_empty(read_toml(path, what="scenario file"), display)


def _parse_text(text: str, display: str) -> dict[str, Any]:
    """Parse scenario TOML text; refuse broken or empty documents."""
    return _not_empty(parse_toml(text, display, what="scenario file"), display)


def _not_empty(raw: dict[str, Any], display: str) -> dict[str, Any]:
    if not raw:
        raise ScenarioError.single(
            display,
            None,
            'scenario file is empty (no keys); write at least `extends = "baseline.toml"` '
            "or a `name`",
        )
    return raw


def _resolve_file(path: Path, display: str, chain: list[tuple[Path, str]]) -> tuple[dict, Origins]:
    """Read ``path`` and resolve its ``extends`` chain; return merged data and origins."""
    raw = _read_file(path, display)
    return _resolve_raw(raw, path, display, chain)


def _resolve_raw(
    raw: dict[str, Any], path: Path, display: str, chain: list[tuple[Path, str]]
) -> tuple[dict[str, Any], Origins]:
    """Resolve ``extends`` and ``add_levers`` of an already parsed file."""
    chain = [*chain, (_identity(path), display)]
    extends = raw.pop("extends", _MISSING)
    add_levers = raw.pop("add_levers", _MISSING)
    levers = raw.pop("levers", _MISSING)

    if extends is _MISSING:
        data: dict[str, Any] = {}
        origins: Origins = {}
    else:
        if not isinstance(extends, str) or not extends.strip() or "\x00" in extends:
            raise ScenarioError.single(
                display,
                "extends",
                "must be a file name (a string)",
                allowed='a path relative to this file, e.g. "baseline.toml"',
                given=show_value(extends, with_type=True),
            )
        target = path.parent / extends
        target_display = os.path.normpath(os.path.join(os.path.dirname(display), extends))
        ident = _identity(target)
        seen = [p for p, _ in chain]
        if ident in seen:
            cycle = [d for _, d in chain[seen.index(ident) :]] + [target_display]
            raise ScenarioError.single(
                display, "extends", "extends cycle: " + " -> ".join(cycle), given=repr(extends)
            )
        try:
            found = target.is_file()
        except OSError as err:  # e.g. a name too long for the file system
            raise ScenarioError.single(
                display, "extends", f"cannot read {target_display}: {err.strerror or err}"
            ) from None
        if not found:
            what = "is a directory, not a scenario file" if target.is_dir() else "file not found"
            raise ScenarioError.single(
                display,
                "extends",
                f"{what}: {target_display} (paths are relative to the extending file)",
                given=repr(extends),
            )
        data, origins = _resolve_file(target, target_display, chain)
        # name and description describe the file that sets them, never its children.
        for key in ("name", "description"):
            data.pop(key, None)
            forget_origins(origins, (key,))

    merge_into(data, raw, display, origins, ())
    if levers is not _MISSING:
        data["levers"] = copy.deepcopy(levers)
        forget_origins(origins, ("levers",))
        record_origins(origins, ("levers",), levers, display)
    if add_levers is not _MISSING:
        if not isinstance(add_levers, list) or not all(isinstance(x, dict) for x in add_levers):
            raise ScenarioError.single(
                display,
                "add_levers",
                "must be an array of lever tables ([[add_levers]])",
                given=show_value(add_levers, with_type=True),
            )
        inherited = data.setdefault("levers", [])
        if not isinstance(inherited, list):
            raise ScenarioError.single(
                display,
                "add_levers",
                "cannot append: the inherited `levers` is not an array",
                given=show_value(inherited, with_type=True),
            )
        for lever in add_levers:
            origins[("levers", len(inherited))] = display
            inherited.append(copy.deepcopy(lever))
    return data, origins


def _identity(path: Path) -> Path:
    """A path's identity for cycle detection (symlinks and ``..`` resolved)."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def finish(
    data: dict[str, Any],
    origins: Origins,
    display: str,
    default_name: str | None,
    overrides: Sequence[str] | Mapping[str, Any] | None,
) -> ScenarioConfig:
    """Name, fill defaults, override and validate a merged scenario dict."""
    if "name" not in data and default_name:
        data["name"] = default_name
    _fill_defaults(ScenarioConfig, data)
    if overrides:
        apply_overrides(data, overrides, origins)
        _fill_defaults(ScenarioConfig, data)  # tables created by overrides
    shortened = bool(overrides) and _period_overridden(origins)
    try:
        config = ScenarioConfig.model_validate(
            data, context={"levers_outside_run": "leave out" if shortened else "refuse"}
        )
    except ValidationError as err:
        raise ScenarioError(
            problems_from_validation(err, ScenarioConfig, display, origins)
        ) from None
    return _leave_out_levers_outside_period(config, display) if shortened else config


PERIOD_KEYS: tuple[KeyPath, ...] = (("run", "start"), ("run", "end"), ("run", "burn_in_days"))


def _period_overridden(origins: Origins) -> bool:
    """Whether overrides (not files) set the run's period."""
    return any(origins.get(key) in (SET_SOURCE, MAPPING_SOURCE) for key in PERIOD_KEYS)


def _leave_out_levers_outside_period(config: ScenarioConfig, display: str) -> ScenarioConfig:
    """``config`` without the levers its period does not reach, with a note for each.

    In a file, a lever that can never act is a mistake and the validator refuses it. When the
    user shortens a run by overrides (``--end 2020-12-31`` on the baseline, whose app starts
    in April 2021), the levers that start later simply have nothing to do: refusing would make
    every shortened run of the baseline an error. They are removed from the resolved scenario
    (so a manifest shows what acted), after validation, so that messages about the levers
    still use the indices the user wrote.
    """
    first_day = config.run.start - dt.timedelta(days=config.run.burn_in_days)
    kept = []
    for i, lever in enumerate(config.levers):
        if lever.start > config.run.end:
            when = f"starts on {lever.start.isoformat()}, after the run ends on {config.run.end}"
        elif lever.end is not None and lever.end < first_day:
            when = (
                f"ends on {lever.end.isoformat()}, before the first simulated day "
                f"{first_day.isoformat()} (run.start less run.burn_in_days)"
            )
        else:
            kept.append(lever)
            continue
        label = lever.name or lever.type
        warnings.warn(
            f"{display}: levers[{i}] ({label}) {when}; it is left out of this run",
            ScenarioNote,
            stacklevel=3,
        )
    if len(kept) == len(config.levers):
        return config
    return config.model_copy(update={"levers": kept})


def _fill_defaults(model: type[BaseModel], data: dict[str, Any]) -> None:
    """Complete partial sub-tables of ``data`` from the defaults of ``model``, in place.

    Pydantic fills a *missing* table with its default, but a *partial* table only gets the
    field defaults of its class, which differ from the table's default at that place (the
    channel mix of online loans is not the ChannelWeights class default). Merging the
    place's default under the partial table makes a scenario a delta on the defaults.
    """
    for name, field in model.model_fields.items():
        value = data.get(name)
        shape = field_shape(model, name)
        if shape.kind == "model" and name not in data:
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                # Write missing tables out too, so overrides can reach every default value.
                data[name] = value = default.model_dump(mode="python")
        if shape.kind == "model" and isinstance(value, dict):
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                merged = default.model_dump(mode="python")
                merge_into(merged, value, "", {}, ())
                data[name] = value = merged
            _fill_defaults(shape.of, value)
        elif shape.kind == "list" and isinstance(value, list):
            for i, entry in enumerate(value):
                item = child_shape(shape, i, entry)
                if isinstance(entry, dict) and item.kind == "model":
                    _fill_defaults(item.of, entry)
