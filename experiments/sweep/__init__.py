"""Scenario sweeps: many runs over scenarios, seeds and parameters, from a laptop to a cluster.

A sweep file (TOML, see :mod:`experiments.sweep.spec` and ``docs/sweeps.md``) names scenarios,
seeds and parameter variations; :func:`run_sweep` runs every combination on an executor of
:mod:`experiments.executors` (serially, on a local process pool or on a Dask cluster), streams
each run's tables to a Parquet dataset as it finishes, and resumes where it stopped when run
again. :func:`analysis.sweeps.load_sweep` reads the results back as one tidy frame.

Modules, one concept each: :mod:`~experiments.sweep.spec` (the file: schema, validation),
:mod:`~experiments.sweep.keys` (dotted keys), :mod:`~experiments.sweep.scenarios` (its
scenarios, resolved and checked), :mod:`~experiments.sweep.design` (parameter points and the
runs they expand into), :mod:`~experiments.sweep.store` (writing results to disk) and
:mod:`~experiments.sweep.driver` (a sweep session, and the function each run is). The command
is ``fraudsim sweep`` (:mod:`experiments.cli`).

The names below are imported on first use, so that ``fraudsim --help`` (which registers the
``sweep`` subcommand) does not pay for importing pandas, pyarrow and the model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments.sweep.design import RunSpec
    from experiments.sweep.driver import (
        RunEvent,
        SweepReport,
        SweepWarning,
        execute_sweep,
        run_sweep,
    )
    from experiments.sweep.spec import SweepError, SweepSpec, load_sweep_spec

__all__ = [
    "RunEvent",
    "RunSpec",
    "SweepError",
    "SweepReport",
    "SweepSpec",
    "SweepWarning",
    "execute_sweep",
    "load_sweep_spec",
    "run_sweep",
]

_HOME = {
    "RunEvent": "driver",
    "SweepReport": "driver",
    "SweepWarning": "driver",
    "execute_sweep": "driver",
    "run_sweep": "driver",
    "RunSpec": "design",
    "SweepError": "spec",
    "SweepSpec": "spec",
    "load_sweep_spec": "spec",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, for completion."""
    return sorted([*globals(), *__all__])
