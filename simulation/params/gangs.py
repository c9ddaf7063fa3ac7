"""Parameters of the offenders: the gangs (``[gangs]``) and the card market (``[market]``)."""

from __future__ import annotations

from simulation.params.fields import (
    Count,
    CountryWeights,
    NonNegative,
    Positive,
    Probability,
    Section,
    param,
)


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
