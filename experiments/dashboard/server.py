"""Serving the dashboard: Solara's server on this machine, offline, with telemetry off.

:func:`load_setup` reads the scenario (and the reference scenarios beside it) before anything
is served, so that a mistake is a message, not a broken page; :func:`serve` runs Solara's
Starlette app under uvicorn in this process. Everything the page needs is installed with the
``dashboard`` extra: Solara's own assets (the ``solara-assets`` package puts the files Solara
would otherwise fetch from a CDN into its cache, which Solara's asset proxy serves) and the
widgets' JavaScript (ipyvue and ipyvuetify). Nothing is fetched from the network at run time,
and Solara's usage statistics (Mixpanel) and its version check are off.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from experiments.dashboard.controls import (
    DEFAULT_SCALE,
    UNCERTAIN_PARAMETERS,
    DashboardSetup,
    model_params,
)
from experiments.dashboard.paired import NO_MEASURES
from simulation.config import ScenarioConfig
from simulation.errors import FraudsimError
from simulation.scenario import load_scenario

__all__ = [
    "APP",
    "OFFLINE_ENVIRONMENT",
    "configure",
    "free_port",
    "load_setup",
    "offline_environment",
    "serve",
    "setup",
]

APP = "experiments.dashboard.app"
"""The module Solara serves (its ``Page`` component)."""

OFFLINE_ENVIRONMENT: dict[str, str] = {
    # No usage statistics sent to Mixpanel, no check for a newer Solara.
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # Production mode: no auto-restart, no "solara check" frame loading a page from solara.dev.
    "SOLARA_MODE": "production",
    # The asset proxy serves the CDN files installed by solara-assets from its cache.
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "fraudsim dashboard",
}
"""Solara settings that keep the dashboard off the network (set before Solara is imported)."""

_SETUP: DashboardSetup | None = None


def configure(value: DashboardSetup) -> None:
    """Set the scenario and starting choices every new page starts from."""
    global _SETUP  # noqa: PLW0603 - one setup per server process, read by each page
    _SETUP = value


def setup() -> DashboardSetup:
    """What a new page starts from: as configured, else the defaults of :func:`load_setup`."""
    if _SETUP is None:
        configure(load_setup(Path("scenarios") / "baseline.toml"))
    assert _SETUP is not None
    return _SETUP


def _references(
    scenario: Path, extra: Path | None, overrides: Sequence[str]
) -> tuple[dict[str, ScenarioConfig], str | None, list[str]]:
    """Scenario files offered as the reference run: those beside ``scenario``, and ``extra``.

    Returns:
        The scenarios by name, the name of ``extra`` (if given), and a note for each file
        beside ``scenario`` that does not load.
    """
    found: dict[str, ScenarioConfig] = {}
    notes = []
    for path in sorted(scenario.parent.glob("*.toml")):
        try:
            config = load_scenario(path, overrides)
        except (FraudsimError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            notes.append(f"{path} is not offered as a reference: {first}")
            continue
        found.setdefault(config.name, config)
    name = None
    if extra is not None:
        config = load_scenario(extra, overrides)
        name = config.name
        found[name] = config
    return found, name, notes


def load_setup(
    scenario: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    seed: int = 0,
    scale: float = DEFAULT_SCALE,
    parameters: Sequence[str] = tuple(UNCERTAIN_PARAMETERS),
    overrides: Sequence[str] = (),
) -> DashboardSetup:
    """Load the scenario and the reference scenarios, and check the starting choices.

    Args:
        scenario: the scenario file.
        reference: a scenario file for the reference run (default: the same scenario
            without its measures); the scenario files beside ``scenario`` are offered too.
        seed: the seed at start (0-99).
        scale: people per agent at start.
        parameters: dotted keys of the parameters to offer sliders for.
        overrides: ``KEY=VALUE`` changes to the scenario, as ``--set`` gives them; those
            outside ``levers`` apply to the reference scenarios too.

    Returns:
        The setup. Notes on scenario files beside ``scenario`` that do not load are printed
        to stderr.

    Raises:
        FraudsimError: a file that does not load, a bad seed, or a key that is not a numeric
            parameter of the scenario, with a message naming it.
    """
    path = Path(scenario)
    config = load_scenario(path, list(overrides))
    shared = [o for o in overrides if not o.strip().startswith("levers")]
    references, chosen, notes = _references(
        path, Path(reference) if reference is not None else None, shared
    )
    for note in notes:
        print(f"fraudsim: note: {note}", file=sys.stderr)
    result = DashboardSetup(
        config=config,
        references=references,
        reference=chosen or NO_MEASURES,
        seed=seed,
        scale=scale,
        parameters=tuple(parameters),
    )
    # Build the inputs once now: a parameter key that is not in the scenario is refused here.
    model_params(result)
    return result


def offline_environment() -> None:
    """Put :data:`OFFLINE_ENVIRONMENT` in ``os.environ`` (values already set there win)."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now (the system picks one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def serve(value: DashboardSetup, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the dashboard until interrupted.

    Args:
        value: the scenario and starting choices (:func:`load_setup`).
        host: the address to listen on; 127.0.0.1 (the default) serves this machine only.
        port: the TCP port; 0 picks a free one.
    """
    configure(value)
    offline_environment()
    if port == 0:
        port = free_port(host)
    # Solara reads its app and address from the environment when its server modules load.
    os.environ["SOLARA_APP"] = APP
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import solara.server.settings  # noqa: PLC0415
    import uvicorn  # noqa: PLC0415 - the dashboard extra, loaded only to serve

    solara.server.settings.telemetry.mixpanel_enable = False
    solara.server.settings.main.mode = "production"
    print(f"fraudsim dashboard: http://{host}:{port} (Ctrl+C stops it)", flush=True)
    config = uvicorn.Config(
        "solara.server.starlette:app", host=host, port=port, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run()
