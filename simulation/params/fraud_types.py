"""Parameters of the ten fraud types: ``[fraud_types]``."""

from __future__ import annotations

from simulation.categories import FRAUD_TYPES
from simulation.params.fields import (
    ChannelWeights,
    GroupWeights,
    NonNegative,
    Positive,
    Probability,
    Section,
    param,
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
