"""Figures of outcome curves, policy comparisons, fraud-type mix, the card market and calibration.

Every function takes result tables (never a model), draws on ``ax=`` if one is given or on a
new :class:`matplotlib.figure.Figure` otherwise, and returns the figure. Figures are made
without :mod:`matplotlib.pyplot`, so a report drawing dozens of them holds no global state and
needs no ``plt.close``; in a notebook a returned figure displays as usual.

Figures must read in print: each scenario has a colour *and* a line style and marker (so
curves stay apart in greyscale), stacked areas have hatches, every axis says what it shows and
in which unit, and every figure with more than one series has a legend. Scenario styles come
from :func:`scenario_styles`, so a scenario looks the same in every figure drawn with the same
list of scenarios.

The modules: :mod:`~analysis.plots.curves` (outcomes over time), :mod:`~analysis.plots.comparison`
(effects against the reference), :mod:`~analysis.plots.mix` (fraud-type and channel mix),
:mod:`~analysis.plots.calibration` and :mod:`~analysis.plots.targets` (model against published
figures), and what they share:
:mod:`~analysis.plots.styles`, :mod:`~analysis.plots.labels` and
:mod:`~analysis.plots.lever_marks`.
"""

from analysis.plots.calibration import plot_calibration
from analysis.plots.comparison import plot_averted, plot_comparison, plot_seeds_enough
from analysis.plots.curves import plot_market_and_abroad, plot_outcome_curves, plot_quantities
from analysis.plots.labels import quantity_label
from analysis.plots.mix import plot_mix, plot_type_mix
from analysis.plots.styles import COLOURS, LINESTYLES, MARKERS, scenario_styles

__all__ = [
    "COLOURS",
    "LINESTYLES",
    "MARKERS",
    "plot_averted",
    "plot_calibration",
    "plot_comparison",
    "plot_market_and_abroad",
    "plot_mix",
    "plot_outcome_curves",
    "plot_quantities",
    "plot_seeds_enough",
    "plot_type_mix",
    "quantity_label",
    "scenario_styles",
]
