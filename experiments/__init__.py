"""Experiments: everything that runs the model, above :mod:`simulation` and :mod:`analysis`.

The model (:mod:`simulation`) never knows what drives it; analysis (:mod:`analysis`) reads the
files runs write. This package runs the model: one scenario with one seed, sweeps over
scenarios, parameters and seeds, policy comparisons, and calibration against published
figures, on a serial, local-pool or Dask executor, and the ``fraudsim`` command line.
"""
