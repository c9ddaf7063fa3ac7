"""``fraudsim dashboard``: serve the interactive dashboard of a scenario on this machine.

::

    fraudsim dashboard [SCENARIO] [--reference FILE] [--seed N] [--scale K] [--param KEY ...]
                       [--set KEY=VALUE ...] [--start DATE] [--end DATE] [--host ADDR] [--port N]

It needs the ``dashboard`` extra (``pip install -e '.[dashboard]'``; ``./fraudsim dashboard``
installs it); without it the command says so and exits with 2.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from experiments.cli_types import Subparsers, add_overrides, non_negative_int
from simulation.errors import FraudsimError

__all__ = ["DEFAULT_PORT", "DEFAULT_SCENARIO", "add_dashboard"]

DEFAULT_SCENARIO = Path("scenarios") / "baseline.toml"
DEFAULT_PORT = 8765
_NEEDS = ("solara", "uvicorn", "ipyvuetify", "mesa.visualization")


def _missing_packages() -> list[str]:
    missing = []
    for name in _NEEDS:
        try:
            found = importlib.util.find_spec(name) is not None
        except ImportError:  # a parent package is missing
            found = False
        if not found:
            missing.append(name)
    return missing


def _cmd_dashboard(args: argparse.Namespace) -> int:
    missing = _missing_packages()
    if missing:
        raise FraudsimError(
            f"the dashboard needs packages that are not installed ({', '.join(missing)}): "
            "install them with `pip install -e '.[dashboard]'` (`./fraudsim dashboard` does it)"
        )
    # Imported here so that other commands do not import the dashboard's model and charts.
    from experiments.cli_types import overrides_with_shorthands  # noqa: PLC0415
    from experiments.dashboard.controls import DEFAULT_SCALE, UNCERTAIN_PARAMETERS  # noqa: PLC0415
    from experiments.dashboard.server import load_setup, serve  # noqa: PLC0415

    scenario: Path = args.scenario
    if not scenario.is_file():
        raise FraudsimError(f"scenario file not found: {scenario}")
    overrides = [o for o in overrides_with_shorthands(args) if not o.startswith("run.scale=")]
    setup = load_setup(
        scenario,
        reference=args.reference,
        seed=args.seed,
        scale=args.scale if args.scale is not None else DEFAULT_SCALE,
        parameters=args.param or tuple(UNCERTAIN_PARAMETERS),
        overrides=overrides,
    )
    serve(setup, host=args.host, port=args.port)
    return 0


def add_dashboard(subparsers: Subparsers) -> None:
    """Add ``fraudsim dashboard``.

    Args:
        subparsers: the ``fraudsim`` parser's subparsers object.
    """
    parser = subparsers.add_parser(
        "dashboard",
        help="move levers and watch the model run in a local web app (the dashboard)",
        description="Serve an interactive dashboard of SCENARIO on this machine: sliders for "
        "each lever's intensity and start date, the main uncertain parameters, the scale and "
        "the seed; play, pause, step and reset; curves of cases and losses, fraud types and "
        "channels, gangs at home and abroad, card prices and stocks and police effort, drawn "
        "as the days pass beside a paired reference run (the same seed without the measures, "
        "or another scenario), with running totals of what the measures averted. Works "
        "without network. Stop it with Ctrl+C.",
        epilog="example: fraudsim dashboard scenarios/baseline.toml, then open "
        f"http://127.0.0.1:{DEFAULT_PORT}",
    )
    parser.add_argument(
        "scenario",
        nargs="?",
        type=Path,
        default=DEFAULT_SCENARIO,
        metavar="SCENARIO",
        help=f"scenario file (TOML; default {DEFAULT_SCENARIO})",
    )
    parser.add_argument(
        "--reference",
        type=Path,
        metavar="FILE",
        help="scenario file of the reference run at start (default: the same scenario without "
        "its measures); the scenario files beside SCENARIO are offered on the page too",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="seed at start, 0-99 (default 0)",
    )
    parser.add_argument(
        "--param",
        action="append",
        metavar="KEY",
        help="offer a slider for this parameter (dotted key, e.g. police.p_dissuade; "
        "repeatable; default: the main uncertain parameters)",
    )
    add_overrides(
        parser,
        "change one scenario value before the dashboard starts, e.g. --set "
        "police.p_dissuade=0.5 (repeatable; values are TOML); --scale sets the starting scale "
        "(default 1000 people per agent: coarse, so a month runs in a fraction of a second)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDR",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 serves every "
        "network this machine is on, with no password: only on a network you trust)",
    )
    parser.add_argument(
        "--port",
        type=non_negative_int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.set_defaults(handler=_cmd_dashboard)
