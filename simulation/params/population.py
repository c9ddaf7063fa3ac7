"""Parameters of the run and of the residents: ``[run]``, ``[population]``, ``[awareness]``."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from simulation.categories import AGE_BANDS, VICTIM_GROUPS
from simulation.params.fields import (
    GroupWeights,
    Positive,
    Probability,
    RegionWeights,
    Section,
    param,
)


class RunParams(Section):
    """Period, scale and population of a run."""

    start: dt.date = param(
        dt.date(2020, 1, 1),
        unit="ISO date",
        source='seed period ("Since 2020")',
        description="First reported day.",
    )
    end: dt.date = param(
        dt.date(2021, 6, 30),
        unit="ISO date",
        source="seed (press conference of 17 June 2021)",
        description="Last reported day, inclusive.",
    )
    burn_in_days: int = param(
        120,
        le=3650,
        unit="days",
        description="Days simulated before `start` and not reported, so that gangs, card "
        "stocks and ongoing grooming reach a steady state.",
        ge=0,
    )
    scale: float = param(
        1000.0,
        ge=1.0,
        le=1e7,
        unit="real people per resident agent",
        source="model design",
        description="Real people per resident agent; every count times `scale` is a national "
        "equivalent (1000 gives 1.41 M residents for China).",
    )
    population_national: int = param(
        1_410_000_000,
        ge=1,
        unit="people",
        source="[targets] (China 2021, about 1.41 bn)",
        description="People represented.",
        le=10**12,
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> RunParams:
        if self.end < self.start:
            raise ValueError(
                f"run.end ({self.end.isoformat()}) must not be before run.start "
                f"({self.start.isoformat()})"
            )
        if (self.start - dt.date.min).days < self.burn_in_days:
            raise ValueError(
                f"run.start ({self.start.isoformat()}) leaves no room for run.burn_in_days "
                f"({self.burn_in_days}) before it in the calendar"
            )
        return self


class GroupParams(Section):
    """One resident group: share, savings, age mix and side roles."""

    share: Probability = param(
        unit="share of residents (0 to 1; the shares are normalised)",
        source="assumption; the groups follow the seed's vulnerable groups (\"financial "
        'personnel, school students, online shoppers" [seed])',
        description="Share of residents in this group.",
    )
    savings_median_yuan: Positive = param(
        unit="yuan",
        description="Median savings; savings are lognormal (heavy-tailed).",
    )
    age_band_shares: list[Probability] = param(
        min_length=len(AGE_BANDS),
        max_length=len(AGE_BANDS),
        unit="share of the group per age band (0 to 1)",
        description="Shares of the age bands 18-24, 25-40, 41-65, 66+ (sum to 1).",
    )
    p_card_seller: Probability = param(
        0.0,
        unit="share of the group (0 to 1)",
        source='assumption: sellers are mostly young, jobless or migrant ("about 85 % under '
        '35; most ... no fixed job" [targets])',
        description="Share of the group willing to sell or rent their phone and bank cards.",
    )
    p_recruitable: Probability = param(
        0.0,
        unit="share of the group (0 to 1)",
        source="assumption: ~85 % of offenders are under 35, mostly without fixed jobs "
        '("about 85 % under 35; most ... no fixed job" [targets])',
        description="Share of the group who would take a 'high-paying job' in a gang.",
    )

    @model_validator(mode="after")
    def _age_shares_sum_to_one(self) -> GroupParams:
        total = sum(self.age_band_shares)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"age_band_shares must sum to 1, they sum to {total:.6g}")
        return self


def _group(
    share: float,
    savings: float,
    ages: list[float],
    seller: float = 0.0,
    recruit: float = 0.0,
) -> GroupParams:
    return GroupParams(
        share=share,
        savings_median_yuan=savings,
        age_band_shares=ages,
        p_card_seller=seller,
        p_recruitable=recruit,
    )


class GroupsParams(Section):
    """The seven resident groups (shares are normalised to sum to one)."""

    student: GroupParams = _group(0.08, 3_000, [0.9, 0.1, 0.0, 0.0], 0.010, 0.003)
    working_adult: GroupParams = _group(0.40, 60_000, [0.05, 0.50, 0.45, 0.0], 0.001, 0.0)
    elderly: GroupParams = _group(0.17, 80_000, [0.0, 0.0, 0.15, 0.85], 0.0, 0.0)
    online_shopper: GroupParams = _group(0.12, 30_000, [0.35, 0.55, 0.10, 0.0], 0.002, 0.0)
    finance_staff: GroupParams = _group(0.03, 120_000, [0.05, 0.55, 0.40, 0.0])
    migrant_worker: GroupParams = _group(0.15, 15_000, [0.20, 0.50, 0.30, 0.0], 0.008, 0.005)
    jobless_youth: GroupParams = _group(0.05, 2_000, [0.60, 0.40, 0.0, 0.0], 0.030, 0.040)

    def in_order(self) -> list[GroupParams]:
        """Group tables in :data:`VICTIM_GROUPS` order."""
        return [getattr(self, g.value) for g in VICTIM_GROUPS]


class PopulationParams(Section):
    """Residents: who they are and how much they have."""

    groups: GroupsParams = Field(GroupsParams(), description="The resident groups, one table each.")
    regions: RegionWeights = param(
        RegionWeights(),
        unit="relative weight per region (normalised)",
        source="assumption (approximate census shares)",
        description="Population share per domestic region (normalised by the model).",
    )
    savings_sigma: float = param(
        1.4,
        le=5.0,
        unit="dimensionless (log scale)",
        description="Sigma of log savings (a heavy tail).",
        gt=0.0,
    )


class AwarenessParams(Section):
    """Anti-fraud awareness in [0, 1]: it cuts the chance that a contact engages."""

    initial: GroupWeights = param(
        GroupWeights(
            student=0.30,
            working_adult=0.35,
            elderly=0.20,
            online_shopper=0.30,
            finance_staff=0.40,
            migrant_worker=0.25,
            jobless_youth=0.25,
        ),
        unit="level (0 to 1) per victim group",
        description="Group awareness level at the start and the floor it decays back to.",
    )
    decay_days: float = param(
        180.0,
        le=36_500,
        unit="days",
        description="E-folding time of awareness gained from warnings, publicity and experience.",
        gt=0.0,
    )
    boost_victimised: Probability = param(
        0.5,
        unit="share of the gap to 1 (0 to 1)",
        description="Awareness gained by a victim after being defrauded.",
    )
    boost_warned: Probability = param(
        0.3,
        unit="share of the gap to 1 (0 to 1)",
        source='assumption ("many victims keep believing the scammer" [targets])',
        description="Awareness gained from an early warning or dissuasion.",
    )
    boost_app: Probability = param(
        0.15,
        unit="share of the gap to 1 (0 to 1)",
        description="Awareness gained on installing the anti-fraud app.",
    )
    effect_exponent: float = param(
        2.0,
        le=20.0,
        unit="dimensionless exponent",
        description="Engagement probability scales with (1 - awareness) ** effect_exponent.",
        gt=0.0,
    )
