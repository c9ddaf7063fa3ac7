"""Experiments: everything that runs the model, above :mod:`simulation` and :mod:`analysis`.

The model (:mod:`simulation`) never knows what drives it, and analysis (:mod:`analysis`) reads
the files runs write; this package runs the model. Every run goes through one function on one
of a family of executors, and every result carries the same provenance record:

- :mod:`experiments.runs`: :func:`~experiments.runs.run_scenario`, one scenario with one seed,
  and writing a run's folder.
- :mod:`experiments.provenance`: versions, platform, git state, code digest, time.
- :mod:`experiments.executors`: serial, a local process pool, or a Dask cluster.
- :mod:`experiments.sweep`: many scenarios x parameter points x seeds, resumable.
- :mod:`experiments.compare`: ``fraudsim compare``, a sweep and then its report.
- :mod:`experiments.calibration`: ``fraudsim targets`` and ``fraudsim calibrate`` (Optuna).
- :mod:`experiments.cli`: the ``fraudsim`` command line (also ``python -m experiments``).

A new experiment (a sensitivity analysis, say) belongs here, built the same way.
"""
