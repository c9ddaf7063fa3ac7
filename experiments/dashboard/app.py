"""The dashboard page: Mesa's SolaraViz driving a :class:`PairedModel`, with matplotlib charts.

``fraudsim dashboard`` serves this module with Solara (:mod:`experiments.dashboard.server`),
which renders :data:`Page` once per browser connection: each visitor gets runs of their own.
The scenario and the starting choices come from :func:`experiments.dashboard.server.setup`,
which reads what the command line put in the environment.

The sidebar is SolaraViz's: play, pause, step, reset; how often the charts are drawn; the
inputs of :func:`experiments.dashboard.controls.model_params` (changes take effect on
*Reset*). The main area has three tabs: outcomes and what was averted; fraud types, channels
and police effort; gangs and the card market.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")  # figures are rendered to PNG on the server; no window, no pyplot

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from analysis.report.numbers import format_number
from experiments.dashboard import charts
from experiments.dashboard.controls import DashboardSetup, initial_kwargs, model_params, value_at
from experiments.dashboard.paired import PairedModel

__all__ = ["COMPONENTS", "PLAY_INTERVAL_MS", "RENDER_INTERVAL_DAYS", "Page", "dashboard"]

RENDER_INTERVAL_DAYS = 31
"""Days simulated between two drawings of the charts (SolaraViz's render interval): *Step*
advances a month, and playing draws the charts once a month. (31, not 30: SolaraViz's slider
for it moves in steps of two from 1 and would turn 30 into 31.) Drawing the charts costs more
than simulating a month at the default scale (benchmarks/dashboard.py), so a shorter interval
(the sidebar's slider) plays more smoothly but covers the period more slowly."""

PLAY_INTERVAL_MS = 50
"""Pause between steps while playing, milliseconds."""

_PNG_DPI = 100


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_PNG_DPI)
    return buffer.getvalue()


@solara.component
def Chart(
    model: PairedModel,
    draw: Callable[..., Figure],
    caption: str,
    period: str | None = None,
) -> None:
    """One chart, drawn again only when a day was simulated (or the period changed)."""
    update_counter.get()
    png = solara.use_memo(
        lambda: _png(draw(model) if period is None else draw(model, period)),
        [model, model.days, period],
    )
    with solara.Column(gap="4px", classes=["fraudsim-chart"]):
        solara.Image(png, width="100%")
        solara.Text(caption, style={"font-size": "0.85rem", "color": "#333"})


def settings_lines(model: PairedModel, parameters: Sequence[str]) -> list[str]:
    """The settings of the policy run, one line each: its levers, then ``parameters``."""
    config = model.policy.config
    lines = [
        f"{lever.name or lever.type}: intensity {lever.intensity:g} from {lever.start:%Y-%m-%d}"
        for lever in config.levers
    ]
    lines += [f"{key} = {value_at(config, key):.4g}" for key in parameters]
    return lines


@solara.component
def Status(model: PairedModel) -> None:
    """Where the runs are, and what the measures averted so far (national equivalents)."""
    from experiments.dashboard.server import setup  # noqa: PLC0415 - as the page was set up

    update_counter.get()
    totals = model.totals()
    run = model.policy.config.run
    today = model.today
    where = (
        f"Day {model.days} of {model.policy.n_days}: {today:%d %B %Y}"
        if today is not None
        else f"Ready at {run.start:%d %B %Y} (burn-in of {run.burn_in_days} days done)"
    )
    share = totals.cases_averted_share
    of_reference = (
        f" ({format_number(share, 'share')} of the reference's cases)"
        if totals.reference_cases
        else ""
    )
    small = {"font-size": "0.85rem", "color": "#333"}
    with solara.Card("Averted so far", classes=["fraudsim-totals"]):
        with solara.Column(gap="2px"):
            solara.Text(where, classes=["fraudsim-day"])
            solara.Text(
                f"Cases averted: {format_number(totals.cases_averted, 'cases')}{of_reference}",
                classes=["fraudsim-cases-averted"],
            )
            solara.Text(
                f"Net losses averted: {format_number(totals.net_losses_averted_yuan, 'yuan')} yuan",
                classes=["fraudsim-losses-averted"],
            )
            solara.Text(
                f"Extra police effort: {format_number(totals.effort_hours, 'officer-hours')} "
                "officer-hours",
                classes=["fraudsim-effort"],
            )
            solara.Text(
                f"{model.policy_label} against {model.reference_label}, seed {model.seed}, "
                f"1 agent = {model.scale:,.0f} people. Counts and money are national "
                "equivalents. Sidebar inputs take effect on Reset. Page 1: fraud types, "
                "channels and police effort; page 2: gangs and the card market.",
                style=small,
            )
        with solara.Details("Settings of these runs"), solara.Column(gap="0px"):
            for line in settings_lines(model, setup().parameters):
                solara.Text(line, style=small)


@solara.component
def Outcomes(model: PairedModel) -> None:
    """Cases and net losses per day or month, with a switch between the two."""
    period, set_period = solara.use_state("month")
    solara.ToggleButtonsSingle(value=period, values=["month", "day"], on_value=set_period)
    Chart(
        model,
        charts.outcomes_figure,
        "Cases and net losses (gross minus recovered), policy run (solid) and reference run "
        "(dashed); the shaded gap is what the measures averted; dotted lines mark lever starts.",
        period=period,
    )


def _chart(draw: Callable[..., Figure], caption: str) -> Callable[[PairedModel], object]:
    def component(model: PairedModel) -> object:
        return Chart(model, draw, caption)

    component.__name__ = draw.__name__
    return component


COMPONENTS: list[tuple[Callable[[PairedModel], object], int]] = [
    (Status, 0),
    (Outcomes, 0),
    (
        _chart(
            charts.averted_figure,
            "Running totals of cases and net losses averted: reference minus policy, so far.",
        ),
        0,
    ),
    (
        _chart(
            charts.mix_figure,
            "Cases so far by fraud type and by contact channel: policy run (plain) and "
            "reference run (hatched).",
        ),
        1,
    ),
    (
        _chart(
            charts.effort_figure,
            "Police effort on the measures by lever, officer-hours per month.",
        ),
        1,
    ),
    (
        _chart(
            charts.gangs_figure,
            "Active gangs with their dens at home and abroad, end of each day.",
        ),
        2,
    ),
    (
        _chart(
            charts.market_figure,
            "Black-market card prices, and the cards brokers and gangs hold (a gang's bank "
            "cards are its mule accounts).",
        ),
        2,
    ),
]
"""The charts and their tab (0: outcomes; 1: fraud types, channels, effort; 2: gangs, cards)."""


def dashboard(setup: DashboardSetup) -> solara.Element:
    """The dashboard of one scenario, with its own pair of runs (call it inside a component)."""
    params = model_params(setup)
    model = solara.use_memo(lambda: PairedModel(**initial_kwargs(params)), [])
    return SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        play_interval=PLAY_INTERVAL_MS,
        render_interval=RENDER_INTERVAL_DAYS,
        name=f"fraudsim: {setup.config.name}",
    )


@solara.component
def Page() -> None:
    """The page Solara serves: the dashboard of the scenario given on the command line."""
    from experiments.dashboard.server import setup  # noqa: PLC0415 - read at page load

    dashboard(setup())
