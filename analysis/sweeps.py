"""Sweep results for analysis: the public sweep API of :mod:`experiments.sweep`, re-exported.

Analysis reads a sweep's files only through :func:`load_sweep` (one tidy frame per result
table, identifying columns first) and :func:`load_sweep_manifest` (scenarios with their
``scale``, ``population_national`` and ``n_residents``, runs with their parameters, versions
and status); :func:`run_sweep` is here so that a notebook can run a sweep and read it with one
import. None of these import the model until a sweep is actually run.

Per 100,000 residents, for one run: ``value / n_residents * 100_000`` in model units, with
``n_residents`` from the manifest's run (or scenario) record; national equivalents:
``load_sweep(out_dir, national=True)``.
"""

from __future__ import annotations

from experiments.sweep import load_sweep, load_sweep_manifest, run_sweep

__all__ = ["load_sweep", "load_sweep_manifest", "run_sweep"]
