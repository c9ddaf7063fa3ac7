"""The model's parameters: one declarative, validated table per section of a scenario file.

Names follow the unit (``*_yuan``, ``*_days``, ``*_hours``, ``p_*`` for probabilities,
``*_per_day`` for daily rates), and every parameter is declared with :func:`param`: its meaning,
its unit and its source (or "assumption") sit on the field, and the JSON Schema of scenario
files, the commented defaults of ``scenarios/baseline.toml`` and the tables of ``docs/ODD.md``
read them from there. Counts and capacities that describe the whole country (``*_national``)
are divided by ``run.scale`` inside the model, so a scenario reads the same at any scale.

The tables are pydantic models with ``extra="forbid"`` and strict types, so an unknown key, a
string where a number belongs or an out-of-range value is refused when a file is loaded (see
:mod:`simulation.validation` for how those refusals become messages). One module per group of
sections: :mod:`~simulation.params.population` (``[run]``, ``[population]``, ``[awareness]``),
:mod:`~simulation.params.fraud_types`, :mod:`~simulation.params.gangs` (``[gangs]``,
``[market]``) and :mod:`~simulation.params.countermeasures` (``[banks]``, ``[police]``,
``[interception]``); :mod:`~simulation.params.fields` holds :func:`param` and the keyed tables.
"""

from __future__ import annotations

from simulation.params.countermeasures import BankParams, InterceptionParams, PoliceParams
from simulation.params.fields import (
    ASSUMPTION,
    ChannelProbabilities,
    ChannelWeights,
    Count,
    CountryWeights,
    GroupWeights,
    NonNegative,
    Positive,
    Probability,
    RegionWeights,
    Section,
    param,
    source_of,
    unit_of,
)
from simulation.params.fraud_types import FraudTypeParams, FraudTypesParams
from simulation.params.gangs import GangParams, MarketParams
from simulation.params.population import (
    AwarenessParams,
    GroupParams,
    GroupsParams,
    PopulationParams,
    RunParams,
)

__all__ = [
    "ASSUMPTION",
    "AwarenessParams",
    "BankParams",
    "ChannelProbabilities",
    "ChannelWeights",
    "Count",
    "CountryWeights",
    "FraudTypeParams",
    "FraudTypesParams",
    "GangParams",
    "GroupParams",
    "GroupWeights",
    "GroupsParams",
    "InterceptionParams",
    "MarketParams",
    "ModelParams",
    "NonNegative",
    "PoliceParams",
    "PopulationParams",
    "Positive",
    "Probability",
    "RegionWeights",
    "RunParams",
    "Section",
    "param",
    "source_of",
    "unit_of",
]


class ModelParams(Section):
    """All parameters of one run, without the policy levers."""

    run: RunParams = RunParams()
    population: PopulationParams = PopulationParams()
    awareness: AwarenessParams = AwarenessParams()
    fraud_types: FraudTypesParams = FraudTypesParams()
    gangs: GangParams = GangParams()
    market: MarketParams = MarketParams()
    banks: BankParams = BankParams()
    police: PoliceParams = PoliceParams()
    interception: InterceptionParams = InterceptionParams()
