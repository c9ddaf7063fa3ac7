"""Writing a validated scenario back out as TOML (for run manifests, sweeps, ``--dump``)."""

from __future__ import annotations

import os

from simulation.config import ScenarioConfig
from simulation.files import toml_text, write_atomic


def scenario_to_toml(config: ScenarioConfig, header: str | None = None) -> str:
    """Write a validated scenario as a TOML document that loads back to an equal scenario.

    Every parameter is written out (not only those differing from the defaults), so the text
    is a complete record of a run's inputs, fit for a manifest.

    Args:
        config: the scenario.
        header: optional comment placed at the top (each line is prefixed with ``# ``).

    Returns:
        The TOML text.
    """
    return toml_text(config.model_dump(mode="python", exclude_none=True), header)


def dump_scenario(
    config: ScenarioConfig, path: str | os.PathLike[str], header: str | None = None
) -> None:
    """Write :func:`scenario_to_toml` of ``config`` to ``path`` (UTF-8).

    Args:
        config: the scenario.
        path: the file to write; its directory must exist.
        header: optional comment placed at the top.
    """
    write_atomic(path, scenario_to_toml(config, header))
