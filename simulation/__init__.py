"""fraudsim: an agent-based model of telecom and online fraud campaigns and the policies against them.

The public entry points:

- :class:`FraudModel`, the ``mesa.Model`` (one step per day);
- :func:`load_scenario`, which reads and validates a scenario file;
- :func:`to_national`, which turns model units into national equivalents.

They are imported on first use, so that ``analysis`` can read the column contract in
``simulation.outputs`` without importing the model (and Mesa) at all.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "FraudModel": "simulation.model",
    "ScenarioConfig": "simulation.config",
    "FraudsimError": "simulation.errors",
    "InvariantError": "simulation.errors",
    "OutputError": "simulation.errors",
    "ScenarioError": "simulation.errors",
    "load_scenario": "simulation.scenario",
    "to_national": "simulation.outputs",
}

__all__ = [
    "FraudModel",
    "FraudsimError",
    "InvariantError",
    "OutputError",
    "ScenarioConfig",
    "ScenarioError",
    "load_scenario",
    "to_national",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    return getattr(import_module(module), name)
