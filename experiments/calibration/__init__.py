"""Calibration of the model against published figures (GitHub issue 3).

- :mod:`experiments.calibration.run`: run scenarios over seeds ``0..N-1`` on an executor.
- :mod:`experiments.calibration.params`: the params spec (which parameters to fit, over which
  ranges), checked against the scenario, and the fitted scenario that ``extends`` the start.
- :mod:`experiments.calibration.optimise`: the loss and the Optuna study (:func:`calibrate`),
  resumable from a SQLite file.
- :mod:`experiments.calibration.commands`: ``fraudsim targets`` and ``fraudsim calibrate``.

The targets file and the statistics that compare daily tables with it are analysis
(:mod:`analysis.targets`, :mod:`analysis.plots.targets`): they read result tables through the
column contract (:mod:`simulation.outputs`), exactly as they would read tables from disk.
Runs go through :func:`experiments.runs.run_scenario`, like every other run.
"""
