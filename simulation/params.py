"""The model's parameters: one declarative, validated table per section of a scenario file.

Every field carries its unit in its name (``*_yuan``, ``*_days``, ``*_hours``, ``p_*`` for
probabilities, ``*_per_day`` for daily rates) and its source or stated assumption in its
description; ``docs/ODD.md`` lists them. Counts and capacities that describe the whole country
(``*_national``) are divided by ``run.scale`` inside the model, so a scenario reads the same at
any scale.

The tables are pydantic models with ``extra="forbid"`` and strict types, so an unknown key, a
string where a number belongs or an out-of-range value is refused when a file is loaded (see
:mod:`simulation.scenario` for how those refusals become messages).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulation.categories import (
    AGE_BANDS,
    CHANNELS,
    COUNTRIES,
    FRAUD_TYPES,
    REGIONS,
    VICTIM_GROUPS,
)

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

    start: dt.date = Field(dt.date(2020, 1, 1), description="First reported day (ISO date).")
    end: dt.date = Field(
        dt.date(2021, 6, 30), description="Last reported day, inclusive (ISO date)."
    )
    burn_in_days: int = Field(
        120,
        le=3650,
        description="Days simulated before `start` and not reported, so that gangs, card "
        "stocks and ongoing grooming reach a steady state (assumption).",
        ge=0,
    )
    scale: float = Field(
        1000.0,
        ge=1.0,
        le=1e7,
        description="Real people per resident agent; every count times `scale` is a national "
        "equivalent (1000 gives 1.41 M residents for China).",
    )
    population_national: int = Field(
        1_410_000_000,
        ge=1,
        description="People represented (China 2021, about 1.41 bn).",
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

    share: Probability = Field(description="Share of residents in this group.")
    savings_median_yuan: Positive = Field(
        description="Median savings in yuan; savings are lognormal (heavy-tailed)."
    )
    age_band_shares: list[Probability] = Field(
        min_length=len(AGE_BANDS),
        max_length=len(AGE_BANDS),
        description="Shares of the age bands 18-24, 25-40, 41-65, 66+ (sum to 1).",
    )
    p_card_seller: Probability = Field(
        0.0,
        description="Share of the group willing to sell or rent their phone and bank cards "
        "(assumption; sellers are mostly young, jobless or migrant).",
    )
    p_recruitable: Probability = Field(
        0.0,
        description="Share of the group who would take a 'high-paying job' in a gang "
        "(assumption; ~85 % of offenders are under 35, mostly without fixed jobs).",
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

    groups: GroupsParams = GroupsParams()
    regions: RegionWeights = RegionWeights()
    savings_sigma: float = Field(
        1.4, le=5.0, description="Sigma of log savings (dimensionless, heavy tail).", gt=0.0
    )


class AwarenessParams(Section):
    """Anti-fraud awareness in [0, 1]: it cuts the chance that a contact engages."""

    initial: GroupWeights = Field(
        GroupWeights(
            student=0.30,
            working_adult=0.35,
            elderly=0.20,
            online_shopper=0.30,
            finance_staff=0.40,
            migrant_worker=0.25,
            jobless_youth=0.25,
        ),
        description="Group awareness level at the start and the floor it decays back to.",
    )
    decay_days: float = Field(
        180.0,
        le=36_500,
        description="E-folding time (days) of awareness gained from warnings, publicity "
        "and experience (assumption).",
        gt=0.0,
    )
    boost_victimised: Probability = Field(
        0.5,
        description="Awareness gained by a victim after being defrauded (share of the gap to 1).",
    )
    boost_warned: Probability = Field(
        0.3,
        description="Awareness gained from an early warning or dissuasion (share of the gap to 1).",
    )
    boost_app: Probability = Field(
        0.15,
        description="Awareness gained on installing the anti-fraud app (share of the gap to 1).",
    )
    effect_exponent: float = Field(
        2.0,
        le=20.0,
        description="Engagement probability scales with (1 - awareness) ** effect_exponent.",
        gt=0.0,
    )


class FraudTypeParams(Section):
    """One fraud type's script, targets and money."""

    portfolio_share: Probability = Field(
        description="Initial share of gangs' operator effort on this type (normalised)."
    )
    p_engage: Probability = Field(
        description="Chance that a delivered contact engages a fully unaware, susceptibility-1 "
        "resident (per contact)."
    )
    script_days: NonNegative = Field(
        description="Mean days from first engagement to the first payment: 0 for a single "
        "session (minutes to hours), weeks for grooming."
    )
    n_payments: int = Field(
        1, ge=1, le=50, description="Payments a victim makes before the scam ends."
    )
    payment_interval_days: NonNegative = Field(
        0.0, description="Mean days between successive payments."
    )
    loss_median_yuan: Positive = Field(
        description="Median ask per case from a victim with the population's median savings, "
        "yuan (lognormal; scaled by savings to the power ask_wealth_elasticity, capped by savings)."
    )
    loss_sigma: float = Field(
        1.2, le=5.0, description="Sigma of the log loss per case (dimensionless).", gt=0.0
    )
    p_abandon_per_day: Probability = Field(
        0.02,
        description="Daily chance that an engaged resident stops before paying (grooming types).",
    )
    p_report: Probability = Field(
        0.5, description="Chance that a victim reports to the police at all."
    )
    report_delay_hours_median: Positive = Field(
        24.0,
        description="Median hours from the last payment to the report (lognormal, sigma 1.5).",
    )
    susceptibility: GroupWeights = Field(
        GroupWeights(), description="Engagement multiplier by victim group."
    )
    channels: ChannelWeights = Field(description="Contact channel mix (normalised).")


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

    n_gangs_national: Count = Field(
        40_000,
        description="Active fraud gangs in the country at the start (assumption from 14,000 "
        "destroyed in Jan-May 2021).",
    )
    overseas_share: Probability = Field(
        0.35, description="Share of gangs running dens abroad at the start (assumption)."
    )
    overseas_countries: CountryWeights = Field(
        CountryWeights(cambodia=3.0, myanmar=3.0, philippines=2.0, laos=1.0, malaysia=1.0),
        description="Relative share of overseas dens by host country (assumption).",
    )
    n_operators_mean: float = Field(
        8.0, le=1000, description="Mean operators per gang at founding (Poisson).", gt=0.0
    )
    n_technicians_mean: float = Field(1.0, le=1000, ge=0.0)
    n_recruiters_mean: float = Field(0.5, le=1000, ge=0.0)
    n_launderers_mean: float = Field(1.0, le=1000, ge=0.0)
    n_dens_mean: float = Field(
        1.5, le=100, description="Mean dens per gang (Zhejiang ring: 7 dens; assumption).", gt=0.0
    )
    contacts_per_operator_per_day: float = Field(
        48.6, le=100_000, description="Contact attempts per operator per day (assumption).", ge=0.0
    )
    contacts_per_phone_card: Positive = Field(
        600.0, description="Contacts a phone card carries before it is burnt or blocked."
    )
    payments_per_mule_account: Positive = Field(
        2.0, description="Victim payments a first-level mule account takes before it is dropped."
    )
    p_victim_lost_without_account: Probability = Field(
        0.5,
        description="Chance that a victim ready to pay is lost when the gang has no mule "
        "account to take the money (the moment passes; assumption).",
    )
    ask_wealth_elasticity: float = Field(
        1.15,
        le=3.0,
        description="Elasticity of the amount a scam asks for to the victim's savings relative "
        "to the population median (assumption: scripts probe victims' means; >1 M yuan cases "
        "come from wealthy victims).",
        ge=0.0,
    )
    card_stock_days: float = Field(
        10.0, le=365, description="Days of card use a gang tries to hold in stock.", gt=0.0
    )
    initial_cash_yuan: NonNegative = Field(
        200_000.0, description="Cash per gang at founding, yuan (assumption)."
    )
    payout_share_per_day: Probability = Field(
        0.05,
        description="Share of a gang's cash above its reserve paid out each day to its funder "
        "and members (profits leave the operation; assumption). It keeps gangs lean, so card "
        "prices bite.",
    )
    cash_reserve_yuan: NonNegative = Field(
        50_000.0, description="Working cash a gang keeps back from payouts, yuan (assumption)."
    )
    p_switch_type: Probability = Field(
        0.02,
        description="Share of a gang's effort moved each day toward its return-tilted mix.",
    )
    return_sensitivity: float = Field(
        0.5,
        le=10.0,
        description="How strongly gangs tilt their founding mix of fraud types toward the types "
        "that pay more per unit of effort (exponent on relative returns; 0 = never adapt).",
        ge=0.0,
    )
    risk_memory_days: float = Field(
        30.0,
        le=3650,
        description="E-folding memory of a gang's perceived risk, and of its smoothed revenue, "
        "payment rate and card spending (days).",
        gt=0.0,
    )
    lie_low_per_risk: float = Field(
        1.0,
        le=1000.0,
        description="How much gangs cut their contacts under perceived risk: operators make "
        "contacts_per_operator_per_day / (1 + lie_low_per_risk x risk) contacts a day and buy "
        "cards for that many (assumption; gangs pause, rotate dens and change platforms to "
        "evade a crackdown, and the certainty of arrest deters more than its severity).",
        ge=0.0,
    )
    p_move_abroad_per_risk: Probability = Field(
        0.02,
        description="Daily chance a domestic gang moves its dens abroad, per unit of perceived "
        "risk (risk ~ arrests and seizures it has suffered, per member).",
    )
    n_members_min: int = Field(2, le=1000, description="A gang with fewer members breaks up.", ge=0)
    p_member_leave_per_day: Probability = Field(
        0.000375, description="Daily chance an overseas member returns home (baseline)."
    )
    founding_rate_national_per_day: NonNegative = Field(
        185.0,
        description="New gangs founded per day nationally when an operator's net profit (revenue "
        "less card costs) is at its level at the end of the burn-in (assumption; balances the "
        "gangs police destroy).",
    )
    founding_elasticity: float = Field(
        1.5,
        le=20.0,
        description="Elasticity of the founding rate to an operator's net profit (revenue less "
        "card costs) relative to the end of the burn-in (assumption).",
        ge=0.0,
    )
    size_cap_factor: float = Field(
        1.5,
        le=100,
        description="A gang stops recruiting at this multiple of its founding size "
        "(assumption: dens have room and management for so many).",
        gt=0.0,
    )
    recruits_per_recruiter_per_day: float = Field(
        0.05, le=100, description="Recruits a recruiter brings in per day.", ge=0.0
    )
    recruits_per_gang_per_day: float = Field(
        0.03, le=100, description="Recruits per day a gang finds without a recruiter.", ge=0.0
    )
    new_gang_abroad_per_risk: float = Field(
        0.5,
        le=1000,
        description="How strongly domestic pressure (mean perceived risk of domestic gangs) "
        "pushes new gangs to set up abroad.",
        ge=0.0,
    )


class MarketParams(Section):
    """The 'two-card' black market: brokers buy cards from residents and sell them to gangs."""

    n_brokers_national: Count = Field(
        20_000, description="Card brokers (two-card gangs) at the start (assumption)."
    )
    phone_card_price_yuan: Positive = Field(
        30.0, description="Price of a phone card before the crackdown (25-30 yuan, 2018-19)."
    )
    bank_card_price_yuan: Positive = Field(
        300.0, description="Price of a bank card 'set' before the crackdown (150-500 yuan)."
    )
    p_offer_per_day: Probability = Field(
        0.002,
        description="Daily chance that a willing seller sells a set of cards at the base price.",
    )
    phone_cards_per_sale: float = Field(10.0, le=1000, gt=0.0)
    bank_cards_per_sale: float = Field(2.0, le=1000, gt=0.0)
    price_elasticity: float = Field(
        0.3, le=10, description="Supply elasticity to price (dimensionless).", ge=0.0
    )
    price_adjust_per_day: Probability = Field(
        0.05,
        description="Largest daily change of a price, as a share (the log-price moves by this "
        "times the excess demand, which lies in [-1, 1]).",
    )
    risk_premium_per_punishment: NonNegative = Field(
        50.0,
        description="Relative drop in sellers' willingness per seller punished per willing seller "
        "(deterrence; certainty matters more than severity).",
    )
    broker_entry_national_per_day: NonNegative = Field(
        120.0, description="New brokers per day nationally at base prices (assumption)."
    )
    broker_initial_cash_yuan: NonNegative = Field(
        20_000.0, description="Start-up cash of a broker, yuan (enters from outside)."
    )
    punishment_memory_days: float = Field(
        90.0,
        le=3650,
        description="E-folding memory of punishments in sellers' minds (days).",
        gt=0.0,
    )


class BankParams(Section):
    """Banks and payment platforms: first-level mule accounts, layering, screening, stops."""

    n_banks: int = Field(6, ge=1, le=1000, description="Banks and payment platforms.")
    n_hops_mean: float = Field(
        8.0, le=200, description="Mean layering hops before cash-out (dozens of accounts).", gt=0.0
    )
    hop_hours_mean: Positive = Field(
        0.4, description="Mean hours per hop (a 1 M case moved out within an hour)."
    )
    p_cashout_per_hop: Probability = Field(
        0.25, description="Share of the money still in the chain cashed out at each hop."
    )
    p_crypto: Probability = Field(
        0.2, description="Share of cash-out through crypto rather than cash (assumption)."
    )
    p_screen_per_hop: Probability = Field(
        0.01, description="Chance that a bank's screening freezes a parcel at a hop."
    )
    stop_delay_hours: NonNegative = Field(
        0.5, description="Hours from a police stop request to the freeze taking effect."
    )
    return_days: float = Field(
        30.0, le=3650, description="Days from a freeze to the money's return to the victim.", ge=0.0
    )


class PoliceParams(Section):
    """Police: standing capacities before the 2020-21 measures (levers add to them)."""

    investigation_capacity_national_per_day: NonNegative = Field(
        5000.0, description="Reported cases investigated per day nationally."
    )
    p_crack_domestic: Probability = Field(
        0.38, description="Chance an investigated case against a domestic gang is cracked."
    )
    p_crack_overseas: Probability = Field(
        0.22, description="Chance an investigated case against an overseas gang is cracked."
    )
    arrests_per_crack_mean: float = Field(
        0.15,
        le=1000,
        description="Mean members arrested per cracked domestic case (Poisson).",
        ge=0.0,
    )
    p_leader_identified: Probability = Field(
        0.20, description="Chance a cracked case identifies the gang's leader."
    )
    early_warning_capacity_national_per_day: NonNegative = Field(
        5_000.0, description="Early-warning instructions the anti-fraud centre can issue per day."
    )
    p_detect_engagement_per_day: Probability = Field(
        0.05, description="Daily chance that an ongoing scam is detected in intercepted signals."
    )
    p_flag_contact: Probability = Field(
        0.004,
        description="Chance a delivered fraud contact is flagged to the anti-fraud centre, "
        "making its target a candidate for an early warning.",
    )
    dissuade_engaged_factor: Probability = Field(
        0.6,
        description="Dissuasion success for someone already engaged, relative to p_dissuade "
        "(many keep believing the scammer; stopping one fraud can take several calls).",
    )
    p_raid_arrest: Probability = Field(
        0.55,
        description="Chance each member present is arrested when a domestic gang's den is "
        "raided after its leader is identified.",
    )
    p_dissuade: Probability = Field(
        0.6,
        description="Chance a warned resident is dissuaded (~40 % of dissuasion calls are refused).",
    )
    p_returnee_arrest: Probability = Field(
        0.1, description="Chance a returning overseas member is arrested at the border."
    )
    surrender_rate_per_day: Probability = Field(
        0.00007, description="Daily chance an overseas member surrenders without incentives."
    )


class InterceptionParams(Section):
    """Technical countermeasures of telecom and internet operators before 2021."""

    p_block: ChannelProbabilities = Field(
        ChannelProbabilities(call=0.25, sms=0.35, website=0.2, social_app=0.05, live_stream=0.02),
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
