"""Parameters of the defences before any lever: ``[banks]``, ``[police]``, ``[interception]``."""

from __future__ import annotations

from simulation.params.fields import (
    ChannelProbabilities,
    NonNegative,
    Positive,
    Probability,
    Section,
    param,
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
