"""Calibration of the model against published figures (GitHub issue 3).

- :mod:`analysis.targets`: the targets file (published figures, the model columns
  they map to, tolerances) and :func:`~analysis.targets.evaluate`, which compares
  the daily tables of a set of seeds with them.
- :mod:`experiments.calibration.run`: run one scenario over seeds ``0..N-1`` in parallel.
- :mod:`experiments.calibration.optimise`: fit uncertain parameters with Optuna, resumable from a
  SQLite file, and write the best values as a scenario that ``extends`` the starting one.
- :mod:`analysis.targets_plot`: the targets figure (model bands against published points).
- :mod:`experiments.calibration.commands`: ``fraudsim targets`` and ``fraudsim calibrate``.

Unlike the rest of :mod:`analysis`, calibration has to run the model; it does so only through
public entry points (:func:`experiments.runs.run_scenario` and the scenario loader), and its
statistics read the daily result tables through the column contract
(:mod:`simulation.outputs`), exactly as they would read tables loaded from disk.
"""
