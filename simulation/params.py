"""The model's parameters: one declarative, validated table per section of a scenario file.

Names follow the unit (``*_yuan``, ``*_days``, ``*_hours``, ``p_*`` for probabilities,
``*_per_day`` for daily rates), and every parameter is declared with :func:`param`: its meaning,
its unit and its source (or "assumption") sit on the field, and the JSON Schema of scenario
files, the commented defaults of ``scenarios/baseline.toml`` and the tables of ``docs/ODD.md``
read them from there. Counts and capacities that describe the whole country (``*_national``)
are divided by ``run.scale`` inside the model, so a scenario reads the same at any scale.

The tables are pydantic models with ``extra="forbid"`` and strict types, so an unknown key, a
string where a number belongs or an out-of-range value is refused when a file is loaded (see
:mod:`simulation.validation` for how those refusals become messages).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.fields import FieldInfo

from simulation.categories import (
    AGE_BANDS,
    CHANNELS,
    COUNTRIES,
    FRAUD_TYPES,
    REGIONS,
    VICTIM_GROUPS,
)

ASSUMPTION = "assumption"
"""The source of a value no published figure pins down."""


def param(
    default: Any = ...,
    *,
    unit: str,
    source: str = ASSUMPTION,
    description: str,
    **constraints: Any,
) -> Any:
    """A parameter's field, with its meaning, unit and source declared where it is defined.

    The unit and source are stored in the field's ``json_schema_extra``, so the JSON Schema of
    scenario files, the commented defaults of ``scenarios/baseline.toml`` and the parameter
    tables of ``docs/ODD.md`` all read them from here (:func:`unit_of`, :func:`source_of`).

    Args:
        default: the default value (``...`` for a required field).
        unit: the unit, in words (``"probability per day (0 to 1)"``, ``"yuan"``).
        source: where the default comes from (a figure of the seed document ``[seed]`` or of
            the calibration targets ``[targets]``), or :data:`ASSUMPTION`.
        description: what the parameter means, without its unit or source.
        **constraints: bounds and other arguments of :func:`pydantic.Field`.

    Returns:
        The field (a :class:`pydantic.fields.FieldInfo`).
    """
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


def unit_of(field: FieldInfo) -> str | None:
    """The unit a field declares with :func:`param`, or None."""
    extra = field.json_schema_extra
    return extra.get("unit") if isinstance(extra, dict) else None  # type: ignore[return-value]


def source_of(field: FieldInfo) -> str | None:
    """The source (or :data:`ASSUMPTION`) a field declares with :func:`param`, or None."""
    extra = field.json_schema_extra
    return extra.get("source") if isinstance(extra, dict) else None  # type: ignore[return-value]


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0, le=1e15)]
Positive = Annotated[float, Field(gt=0.0, le=1e15)]
Count = Annotated[int, Field(ge=0, le=10**12)]


class Section(BaseModel):
    """Base of every parameter table: unknown keys and loose types are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---------------------------------------------------------------------------------------------
# Small keyed tables: one float per category, so that a typo in a key is an "unknown key".
# ---------------------------------------------------------------------------------------------


class GroupWeights(Section):
    """One non-negative number per victim group (a multiplier or a share, per context)."""

    student: NonNegative = 1.0
    working_adult: NonNegative = 1.0
    elderly: NonNegative = 1.0
    online_shopper: NonNegative = 1.0
    finance_staff: NonNegative = 1.0
    migrant_worker: NonNegative = 1.0
    jobless_youth: NonNegative = 1.0

    def as_list(self) -> list[float]:
        """Values in :data:`VICTIM_GROUPS` order."""
        return [getattr(self, g.value) for g in VICTIM_GROUPS]


class ChannelWeights(Section):
    """One non-negative number per contact channel."""

    call: NonNegative = 0.0
    sms: NonNegative = 0.0
    website: NonNegative = 0.0
    social_app: NonNegative = 0.0
    live_stream: NonNegative = 0.0

    def as_list(self) -> list[float]:
        """Values in :data:`CHANNELS` order."""
        return [getattr(self, c.value) for c in CHANNELS]


class ChannelProbabilities(Section):
    """One probability per contact channel."""

    call: Probability = 0.0
    sms: Probability = 0.0
    website: Probability = 0.0
    social_app: Probability = 0.0
    live_stream: Probability = 0.0

    def as_list(self) -> list[float]:
        """Values in :data:`CHANNELS` order."""
        return [getattr(self, c.value) for c in CHANNELS]


class RegionWeights(Section):
    """Population share per domestic region (normalised by the model)."""

    north: NonNegative = 0.12
    northeast: NonNegative = 0.07
    east: NonNegative = 0.30
    central: NonNegative = 0.16
    south: NonNegative = 0.13
    southwest: NonNegative = 0.14
    northwest: NonNegative = 0.08

    def as_list(self) -> list[float]:
        """Values in :data:`REGIONS` order."""
        return [getattr(self, r.value) for r in REGIONS]


class CountryWeights(Section):
    """One number per overseas host country."""

    cambodia: NonNegative = 1.0
    myanmar: NonNegative = 1.0
    philippines: NonNegative = 1.0
    laos: NonNegative = 1.0
    malaysia: NonNegative = 1.0

    def as_list(self) -> list[float]:
        """Values in :data:`COUNTRIES` order."""
        return [getattr(self, c.value) for c in COUNTRIES]


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


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


class FraudTypeParams(Section):
    """One fraud type's script, targets and money."""

    portfolio_share: Probability = param(
        unit="share of operator effort (0 to 1; normalised)",
        source="2021 case mix: brushing ≈ 25 %, killing pigs ≈ 19 %, online loans ≈ 18 % [targets]",
        description="Initial share of gangs' operator effort on this type.",
    )
    p_engage: Probability = param(
        unit="probability per contact (0 to 1)",
        source="assumption, tuned by hand to the level of cases and the case mix of 2021 "
        "(docs/ODD.md section 1.2)",
        description="Chance that a delivered contact engages a fully unaware, susceptibility-1 "
        "resident.",
    )
    script_days: NonNegative = param(
        unit="days",
        source="[targets]: single sessions for impersonation and customer service, weeks of "
        "grooming for killing pigs and investment",
        description="Mean time from first engagement to the first payment: 0 for a single "
        "session (minutes to hours), weeks for grooming.",
    )
    n_payments: int = param(
        1,
        ge=1,
        le=50,
        unit="payments per case",
        description="Payments a victim makes before the scam ends.",
    )
    payment_interval_days: NonNegative = param(
        0.0, unit="days", description="Mean time between successive payments."
    )
    loss_median_yuan: Positive = param(
        unit="yuan",
        source="[targets]: killing pigs' mean loss ≈ 171,000 yuan, about 10 times game-item "
        "trading",
        description="Median ask per case from a victim with the population's median savings "
        "(lognormal; scaled by savings to the power ask_wealth_elasticity, capped by savings).",
    )
    loss_sigma: float = param(
        1.2,
        le=5.0,
        unit="dimensionless (log scale)",
        description="Sigma of the log loss per case.",
        gt=0.0,
    )
    p_abandon_per_day: Probability = param(
        0.02,
        unit="probability per day (0 to 1)",
        description="Daily chance that an engaged resident stops before paying (grooming types).",
    )
    p_report: Probability = param(
        0.5,
        unit="probability (0 to 1)",
        source='assumption ("many victims never report" [targets])',
        description="Chance that a victim reports to the police at all.",
    )
    report_delay_hours_median: Positive = param(
        24.0,
        unit="hours",
        description="Median time from the last payment to the report (lognormal, sigma 1.5).",
    )
    susceptibility: GroupWeights = param(
        GroupWeights(),
        unit="multiplier per victim group",
        source="assumption shaped by [targets]: students and the jobless fall for brushing, "
        "savers for killing pigs and investment, finance staff for impersonated bosses, the "
        "elderly for impersonated police",
        description="Engagement multiplier by victim group.",
    )
    channels: ChannelWeights = param(
        unit="relative weight per contact channel (normalised)",
        source='assumption; live-stream rooms from the Shanghai case ("pretending to be '
        'Internet celebrity anchors" [seed])',
        description="Contact channel mix.",
    )


def _ftype(**kwargs: object) -> FraudTypeParams:
    kwargs["channels"] = ChannelWeights(**kwargs["channels"])  # type: ignore[arg-type]
    kwargs["susceptibility"] = GroupWeights(**kwargs.get("susceptibility", {}))  # type: ignore[arg-type]
    return FraudTypeParams(**kwargs)  # type: ignore[arg-type]


class FraudTypesParams(Section):
    """The ten fraud types.

    Defaults: mix of cases 2021 (brushing ~25 %, killing pigs ~19 %, online loans ~18 %); killing pigs mean
    loss ~171k yuan, ~10x game-item trading; single sessions for impersonation and customer service,
    weeks of grooming for killing pigs.
    """

    online_loan: FraudTypeParams = _ftype(
        portfolio_share=0.17, p_engage=0.000526, script_days=2, n_payments=3,
        payment_interval_days=1, loss_median_yuan=15_000, loss_sigma=1.0, p_report=0.55,
        susceptibility={"jobless_youth": 2.5, "migrant_worker": 2.0, "student": 1.5,
                        "elderly": 0.3, "finance_staff": 0.3},
        channels={"call": 0.3, "sms": 0.4, "website": 0.2, "social_app": 0.1},
    )  # fmt: skip
    rebate: FraudTypeParams = _ftype(
        portfolio_share=0.22, p_engage=0.000437, script_days=1, n_payments=4,
        payment_interval_days=0.5, loss_median_yuan=12_000, loss_sigma=1.1, p_report=0.5,
        susceptibility={"student": 3.0, "jobless_youth": 3.0, "online_shopper": 2.0,
                        "elderly": 0.2, "finance_staff": 0.3},
        channels={"sms": 0.3, "social_app": 0.6, "website": 0.1},
    )  # fmt: skip
    killing_pigs: FraudTypeParams = _ftype(
        portfolio_share=0.20, p_engage=0.000765, script_days=30, n_payments=4,
        payment_interval_days=7, loss_median_yuan=80_000, loss_sigma=1.2, p_report=0.6,
        p_abandon_per_day=0.015, report_delay_hours_median=120,
        susceptibility={"working_adult": 1.5, "finance_staff": 1.3, "elderly": 0.7,
                        "student": 0.3},
        channels={"social_app": 0.7, "website": 0.1, "live_stream": 0.2},
    )  # fmt: skip
    fake_customer_service: FraudTypeParams = _ftype(
        portfolio_share=0.10, p_engage=0.000470, script_days=0, n_payments=1,
        loss_median_yuan=12_000, loss_sigma=1.1, p_report=0.65, report_delay_hours_median=6,
        susceptibility={"online_shopper": 2.5, "student": 1.2},
        channels={"call": 0.8, "sms": 0.2},
    )  # fmt: skip
    impersonate_acquaintance: FraudTypeParams = _ftype(
        portfolio_share=0.06, p_engage=0.000276, script_days=0, n_payments=1,
        loss_median_yuan=20_000, loss_sigma=1.2, p_report=0.65, report_delay_hours_median=4,
        susceptibility={"finance_staff": 5.0, "elderly": 1.5},
        channels={"call": 0.3, "social_app": 0.7},
    )  # fmt: skip
    impersonate_police: FraudTypeParams = _ftype(
        portfolio_share=0.05, p_engage=0.000291, script_days=0, n_payments=2,
        payment_interval_days=0.2, loss_median_yuan=50_000, loss_sigma=1.3, p_report=0.7,
        report_delay_hours_median=12,
        susceptibility={"elderly": 2.5, "student": 1.5},
        channels={"call": 0.9, "sms": 0.1},
    )  # fmt: skip
    fake_investment: FraudTypeParams = _ftype(
        portfolio_share=0.08, p_engage=0.000657, script_days=20, n_payments=3,
        payment_interval_days=5, loss_median_yuan=60_000, loss_sigma=1.3, p_report=0.55,
        p_abandon_per_day=0.02, report_delay_hours_median=96,
        susceptibility={"working_adult": 1.5, "finance_staff": 1.5, "elderly": 1.8,
                        "student": 0.3, "jobless_youth": 0.3},
        channels={"call": 0.2, "sms": 0.2, "website": 0.3, "social_app": 0.2,
                  "live_stream": 0.1},
    )  # fmt: skip
    fake_shopping: FraudTypeParams = _ftype(
        portfolio_share=0.05, p_engage=0.000407, script_days=0, n_payments=1,
        loss_median_yuan=12_000, loss_sigma=1.0, p_report=0.35, report_delay_hours_median=48,
        susceptibility={"online_shopper": 3.0, "student": 1.5},
        channels={"website": 0.5, "social_app": 0.3, "live_stream": 0.2},
    )  # fmt: skip
    campus_loan_cancellation: FraudTypeParams = _ftype(
        portfolio_share=0.03, p_engage=0.000866, script_days=0, n_payments=2,
        payment_interval_days=0.1, loss_median_yuan=15_000, loss_sigma=1.0, p_report=0.6,
        report_delay_hours_median=8,
        susceptibility={"student": 1.0, "working_adult": 0.8, "jobless_youth": 1.5,
                        "elderly": 0.0, "finance_staff": 0.2},
        channels={"call": 0.8, "sms": 0.2},
    )  # fmt: skip
    game_item_trading: FraudTypeParams = _ftype(
        portfolio_share=0.04, p_engage=0.000411, script_days=0, n_payments=1,
        loss_median_yuan=10_000, loss_sigma=0.9, p_report=0.3, report_delay_hours_median=48,
        susceptibility={"student": 3.0, "jobless_youth": 2.5, "elderly": 0.05,
                        "finance_staff": 0.3},
        channels={"website": 0.3, "social_app": 0.5, "live_stream": 0.2},
    )  # fmt: skip

    def in_order(self) -> list[FraudTypeParams]:
        """Type tables in :data:`FRAUD_TYPES` order."""
        return [getattr(self, t.value) for t in FRAUD_TYPES]


class GangParams(Section):
    """Fraud gangs and their dens."""

    n_gangs_national: Count = param(
        40_000,
        unit="gangs, national (divided by run.scale)",
        source='assumption, from "more than 14,000 criminal gangs were destroyed" in Jan-May '
        "2021 [seed]",
        description="Active fraud gangs in the country at the start.",
    )
    overseas_share: Probability = param(
        0.35,
        unit="share of gangs (0 to 1)",
        source='assumption ("Fraud dens have accelerated their migration abroad" [seed])',
        description="Share of gangs running dens abroad at the start.",
    )
    overseas_countries: CountryWeights = param(
        CountryWeights(cambodia=3.0, myanmar=3.0, philippines=2.0, laos=1.0, malaysia=1.0),
        unit="relative weight per host country",
        source='assumption (the seed says "Southeast Asia")',
        description="Relative share of overseas dens by host country.",
    )
    n_operators_mean: float = param(
        8.0,
        le=1000,
        unit="members (mean)",
        description="Mean operators per gang at founding (Poisson).",
        gt=0.0,
    )
    n_technicians_mean: float = param(
        1.0,
        le=1000,
        ge=0.0,
        unit="members (mean)",
        source='assumption (Zhejiang "technical team" [seed])',
        description="Mean technicians per gang at founding (Poisson).",
    )
    n_recruiters_mean: float = param(
        0.5,
        le=1000,
        ge=0.0,
        unit="members (mean)",
        description="Mean recruiters per gang at founding (Poisson).",
    )
    n_launderers_mean: float = param(
        1.0,
        le=1000,
        ge=0.0,
        unit="members (mean)",
        source='assumption (Zhejiang "money laundering team" [seed])',
        description="Mean money-laundering crew per gang at founding (Poisson).",
    )
    n_dens_mean: float = param(
        1.5,
        le=100,
        unit="dens (mean)",
        source='assumption (Zhejiang ring: "7 fraud dens" [seed])',
        description="Mean dens per gang.",
        gt=0.0,
    )
    contacts_per_operator_per_day: float = param(
        48.6,
        le=100_000,
        unit="contacts per operator per day",
        description="Contact attempts per operator per day.",
        ge=0.0,
    )
    contacts_per_phone_card: Positive = param(
        600.0,
        unit="contacts per card",
        description="Contacts a phone card carries before it is burnt or blocked.",
    )
    payments_per_mule_account: Positive = param(
        2.0,
        unit="payments per account",
        description="Victim payments a first-level mule account takes before it is dropped.",
    )
    p_victim_lost_without_account: Probability = param(
        0.5,
        unit="probability (0 to 1)",
        description="Chance that a victim ready to pay is lost when the gang has no mule "
        "account to take the money (the moment passes).",
    )
    ask_wealth_elasticity: float = param(
        1.15,
        le=3.0,
        unit="dimensionless",
        source="assumption: scripts probe victims' means, and cases over 1 M yuan come from "
        "wealthy victims",
        description="Elasticity of the amount a scam asks for to the victim's savings relative "
        "to the population median.",
        ge=0.0,
    )
    card_stock_days: float = param(
        10.0,
        le=365,
        unit="days",
        description="Days of card use a gang tries to hold in stock.",
        gt=0.0,
    )
    initial_cash_yuan: NonNegative = param(
        200_000.0, unit="yuan", description="Cash per gang at founding."
    )
    payout_share_per_day: Probability = param(
        0.05,
        unit="share per day (0 to 1)",
        description="Share of a gang's cash above its reserve paid out each day to its funder "
        "and members (profits leave the operation). It keeps gangs lean, so card prices bite.",
    )
    cash_reserve_yuan: NonNegative = param(
        50_000.0, unit="yuan", description="Working cash a gang keeps back from payouts."
    )
    p_switch_type: Probability = param(
        0.02,
        unit="share of portfolio weight per day (0 to 1)",
        description="Share of a gang's effort moved each day toward its return-tilted mix.",
    )
    return_sensitivity: float = param(
        0.5,
        le=10.0,
        unit="dimensionless exponent",
        description="How strongly gangs tilt their founding mix of fraud types toward the types "
        "that pay more per unit of effort (exponent on relative returns; 0 = never adapt).",
        ge=0.0,
    )
    risk_memory_days: float = param(
        30.0,
        le=3650,
        unit="days",
        description="E-folding memory of a gang's perceived risk, and of its smoothed revenue, "
        "payment rate and card spending.",
        gt=0.0,
    )
    lie_low_per_risk: float = param(
        1.0,
        le=1000.0,
        unit="dimensionless (per unit of perceived risk)",
        source="assumption: gangs pause, rotate dens and change platforms to evade a "
        'crackdown ("rotation of dens, and evasion of investigation and crackdown" [seed]), '
        "and the certainty of arrest deters more than its severity ([targets], Nagin 2013)",
        description="How much gangs cut their contacts under perceived risk: operators make "
        "contacts_per_operator_per_day / (1 + lie_low_per_risk x risk) contacts a day and buy "
        "cards for that many.",
        ge=0.0,
    )
    p_move_abroad_per_risk: Probability = param(
        0.02,
        unit="probability per day per unit of perceived risk",
        description="Daily chance a domestic gang moves its dens abroad, per unit of perceived "
        "risk (risk ~ arrests and seizures it has suffered, per member).",
    )
    n_members_min: int = param(
        2, le=1000, unit="members", description="A gang with fewer members breaks up.", ge=0
    )
    p_member_leave_per_day: Probability = param(
        0.000375,
        unit="probability per day (0 to 1)",
        description="Daily chance an overseas member returns home (baseline).",
    )
    founding_rate_national_per_day: NonNegative = param(
        185.0,
        unit="gangs per day, national (divided by run.scale)",
        source="assumption, set so that new gangs balance the gangs police destroy",
        description="New gangs founded per day nationally when an operator's net profit "
        "(revenue less card costs) is at its level at the end of the burn-in.",
    )
    founding_elasticity: float = param(
        1.5,
        le=20.0,
        unit="dimensionless",
        description="Elasticity of the founding rate to an operator's net profit (revenue less "
        "card costs) relative to the end of the burn-in.",
        ge=0.0,
    )
    size_cap_factor: float = param(
        1.5,
        le=100,
        unit="multiple of the founding size",
        source="assumption: dens have room and management for so many",
        description="A gang stops recruiting at this multiple of its founding size.",
        gt=0.0,
    )
    recruits_per_recruiter_per_day: float = param(
        0.05,
        le=100,
        unit="recruits per recruiter per day",
        source='assumption ("high-paying recruitment" [seed])',
        description="Recruits a recruiter brings in per day.",
        ge=0.0,
    )
    recruits_per_gang_per_day: float = param(
        0.03,
        le=100,
        unit="recruits per gang per day",
        description="Recruits per day a gang finds without a recruiter.",
        ge=0.0,
    )
    new_gang_abroad_per_risk: float = param(
        0.5,
        le=1000,
        unit="dimensionless multiplier",
        description="How strongly domestic pressure (mean perceived risk of domestic gangs) "
        "pushes new gangs to set up abroad.",
        ge=0.0,
    )


class MarketParams(Section):
    """The 'two-card' black market: brokers buy cards from residents and sell them to gangs."""

    n_brokers_national: Count = param(
        20_000,
        unit="brokers, national (divided by run.scale)",
        source='assumption (15,000 "two-card" gangs destroyed Oct 2020 - Jun 2021 [seed])',
        description="Card brokers (two-card gangs) at the start.",
    )
    phone_card_price_yuan: Positive = param(
        30.0,
        unit="yuan",
        source="[targets] (25-30 yuan, 2018-19)",
        description="Price of a phone card before the crackdown.",
    )
    bank_card_price_yuan: Positive = param(
        300.0,
        unit="yuan",
        source="[targets] (150-500 yuan)",
        description="Price of a bank card 'set' before the crackdown.",
    )
    p_offer_per_day: Probability = param(
        0.002,
        unit="probability per day (0 to 1)",
        description="Daily chance that a willing seller sells a set of cards at the base price.",
    )
    phone_cards_per_sale: float = param(
        10.0,
        le=1000,
        gt=0.0,
        unit="cards per sale",
        description="Phone cards in one set a seller sells or rents out.",
    )
    bank_cards_per_sale: float = param(
        2.0,
        le=1000,
        gt=0.0,
        unit="cards per sale",
        description="Bank cards in one set a seller sells or rents out.",
    )
    price_elasticity: float = param(
        0.3,
        le=10,
        unit="dimensionless",
        description="Supply elasticity to price.",
        ge=0.0,
    )
    price_adjust_per_day: Probability = param(
        0.05,
        unit="largest relative price change per day",
        description="Largest daily change of a price, as a share (the log-price moves by this "
        "times the excess demand, which lies in [-1, 1]).",
    )
    risk_premium_per_punishment: NonNegative = param(
        50.0,
        unit="dimensionless multiplier",
        source="assumption (certainty deters [targets], Nagin 2013)",
        description="Relative drop in sellers' willingness per seller punished per willing "
        "seller (deterrence; certainty matters more than severity).",
    )
    broker_entry_national_per_day: NonNegative = param(
        120.0,
        unit="brokers per day, national (divided by run.scale)",
        description="New brokers per day nationally at base prices.",
    )
    broker_initial_cash_yuan: NonNegative = param(
        20_000.0,
        unit="yuan",
        description="Start-up cash of a broker (it enters from outside).",
    )
    punishment_memory_days: float = param(
        90.0,
        le=3650,
        unit="days",
        description="E-folding memory of punishments in sellers' minds.",
        gt=0.0,
    )


class BankParams(Section):
    """Banks and payment platforms: first-level mule accounts, layering, screening, stops."""

    n_banks: int = param(
        6,
        ge=1,
        le=1000,
        unit="banks (model units, not scaled)",
        description="Banks and payment platforms.",
    )
    n_hops_mean: float = param(
        8.0,
        le=200,
        unit="hops (mean)",
        source='[targets] ("dozens of accounts"); assumption',
        description="Mean layering hops before cash-out.",
        gt=0.0,
    )
    hop_hours_mean: Positive = param(
        0.4,
        unit="hours",
        source='[targets] ("a 1 M yuan case was fully moved out within an hour")',
        description="Mean time per hop.",
    )
    p_cashout_per_hop: Probability = param(
        0.25,
        unit="share (0 to 1)",
        description="Share of the money still in the chain cashed out at each hop.",
    )
    p_crypto: Probability = param(
        0.2,
        unit="share (0 to 1)",
        source='assumption ("virtual currency money laundering" [seed])',
        description="Share of cash-out through crypto rather than cash.",
    )
    p_screen_per_hop: Probability = param(
        0.01,
        unit="probability per hop (0 to 1)",
        description="Chance that a bank's screening freezes a parcel at a hop.",
    )
    stop_delay_hours: NonNegative = param(
        0.5,
        unit="hours",
        source='[targets] ("golden window" of 30-60 minutes)',
        description="Time from a police stop request to the freeze taking effect.",
    )
    return_days: float = param(
        30.0,
        le=3650,
        unit="days",
        description="Time from a freeze to the money's return to the victim.",
        ge=0.0,
    )


class PoliceParams(Section):
    """Police: standing capacities before the 2020-21 measures (levers add to them)."""

    investigation_capacity_national_per_day: NonNegative = param(
        5000.0,
        unit="cases per day, national (divided by run.scale)",
        description="Reported cases investigated per day nationally.",
    )
    p_crack_domestic: Probability = param(
        0.38,
        unit="probability (0 to 1)",
        description="Chance an investigated case against a domestic gang is cracked.",
    )
    p_crack_overseas: Probability = param(
        0.22,
        unit="probability (0 to 1)",
        description="Chance an investigated case against an overseas gang is cracked.",
    )
    arrests_per_crack_mean: float = param(
        0.15,
        le=1000,
        unit="members per cracked case (mean)",
        description="Mean members arrested per cracked domestic case (Poisson).",
        ge=0.0,
    )
    p_leader_identified: Probability = param(
        0.20,
        unit="probability (0 to 1)",
        source='assumption ("highlighting funders" [seed])',
        description="Chance a cracked case identifies the gang's leader.",
    )
    early_warning_capacity_national_per_day: NonNegative = param(
        5_000.0,
        unit="warnings per day, national (divided by run.scale)",
        description="Early-warning instructions the anti-fraud centre can issue per day.",
    )
    p_detect_engagement_per_day: Probability = param(
        0.05,
        unit="probability per day (0 to 1)",
        description="Daily chance that an ongoing scam is detected in intercepted signals.",
    )
    p_flag_contact: Probability = param(
        0.004,
        unit="probability per contact (0 to 1)",
        description="Chance a delivered fraud contact is flagged to the anti-fraud centre, "
        "making its target a candidate for an early warning.",
    )
    dissuade_engaged_factor: Probability = param(
        0.6,
        unit="multiplier on p_dissuade (0 to 1)",
        source='[targets] ("stopping one fraud can take several calls")',
        description="Dissuasion success for someone already engaged, relative to p_dissuade "
        "(many keep believing the scammer).",
    )
    p_raid_arrest: Probability = param(
        0.55,
        unit="probability (0 to 1)",
        description="Chance each member present is arrested when a domestic gang's den is "
        "raided after its leader is identified.",
    )
    p_dissuade: Probability = param(
        0.6,
        unit="probability (0 to 1)",
        source='[targets] ("about 40 % of dissuasion calls are refused")',
        description="Chance a warned resident is dissuaded.",
    )
    p_returnee_arrest: Probability = param(
        0.1,
        unit="probability (0 to 1)",
        description="Chance a returning overseas member is arrested at the border.",
    )
    surrender_rate_per_day: Probability = param(
        0.00007,
        unit="probability per day (0 to 1)",
        description="Daily chance an overseas member surrenders without incentives.",
    )


class InterceptionParams(Section):
    """Technical countermeasures of telecom and internet operators before 2021."""

    p_block: ChannelProbabilities = param(
        ChannelProbabilities(call=0.25, sms=0.35, website=0.2, social_app=0.05, live_stream=0.02),
        unit="probability per contact channel (0 to 1)",
        source="assumption (the seed gives counts, not rates)",
        description="Chance a contact on each channel is intercepted or blocked.",
    )


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
