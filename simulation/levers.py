"""Policy levers: one small class per measure of 2020-21, with a start, an end and an intensity.

A lever stores and validates its parameters (it is a pydantic table, built from a scenario's
``[[levers]]`` entry by its ``type``), says when it is active, and acts in one named
:class:`Phase` of the day by adding its effect to that day's :class:`PolicyState`. The police,
bank, market and operator agents then act with the settings they find there.

Every effect is written so that ``intensity = 0`` adds exactly ``0.0`` (never ``1 - (1 - p)``,
which is not bit-exact): a lever at zero intensity reproduces the run without it, draw for draw.
National quantities (``*_national_per_day``) are divided by the run's scale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from abc import ABC, abstractmethod
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from simulation.categories import CHANNELS, COUNTRIES, VICTIM_GROUPS
from simulation.params import (
    ChannelProbabilities,
    CountryWeights,
    GroupWeights,
    NonNegative,
    Probability,
    Section,
    param,
)


class Phase(Enum):
    """The phases of a day, in the order :meth:`simulation.model.FraudModel.step` runs them."""

    PUBLICITY = "publicity"
    CARD_MARKET = "card_market"
    CONTACT = "contact"
    EARLY_WARNING = "early_warning"
    PAYMENT = "payment"
    LAUNDERING = "laundering"
    INVESTIGATION = "investigation"
    CROSS_BORDER = "cross_border"
    GANG_ADAPTATION = "gang_adaptation"


@dataclasses.dataclass
class PolicyState:
    """Settings the levers add for one day, in model units. All zero means no lever.

    Attributes are grouped by the phase whose lever sets them.
    """

    # PUBLICITY
    awareness_boost_per_day: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros(len(VICTIM_GROUPS))
    )  # share of the gap to 1 closed per day, by group
    app_adoption_per_day: float = 0.0  # share of non-users who install per day
    p_app_warning: float = 0.0  # chance the app flags a contact reaching a user
    p_app_report_gain: float = 0.0  # extra chance an app user reports (toward 1)
    deterrence_per_day: float = 0.0  # perceived risk every gang hears of today (risk units)
    # CARD_MARKET
    p_seize_broker_stock_per_day: float = 0.0
    p_seize_gang_stock_per_day: float = 0.0
    p_punish_seller: float = 0.0
    p_destroy_broker_per_day: float = 0.0
    phone_card_clearing_per_day: float = 0.0
    bank_account_clearing_per_day: float = 0.0
    max_cards_per_person: float = np.inf
    # CONTACT
    p_block_gain: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros(len(CHANNELS))
    )  # share of contacts that got through now blocked, by channel
    # EARLY_WARNING
    warning_capacity_per_day: float = 0.0  # model units
    p_detect_gain: float = 0.0
    p_dissuade_gain: float = 0.0
    # LAUNDERING
    stop_delay_cut: float = 0.0  # share of the stop delay removed
    p_screen_gain: float = 0.0
    # INVESTIGATION
    investigation_capacity_per_day: float = 0.0  # model units
    p_crack_gain: float = 0.0
    arrests_per_crack_gain: float = 0.0
    # CROSS_BORDER
    repatriation_per_day: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros(len(COUNTRIES))
    )  # daily chance an overseas member is repatriated, by host country
    p_returnee_arrest_gain: float = 0.0
    surrender_gain_per_day: float = 0.0
    p_exit_control: float = 0.0
    # effort, officer-hours per unit of action, by lever type (summed when several overlap)
    officer_hours: dict[str, float] = dataclasses.field(default_factory=dict)


def toward_one(base: float, gain: float) -> float:
    """Raise probability ``base`` by ``gain`` of its gap to one; ``gain = 0`` returns ``base``."""
    return base + (1.0 - base) * gain


def officer_hours(default: float) -> Any:
    """The ``officer_hours_per_action`` field of a lever type, with that type's default."""
    return param(
        default,
        unit="officer-hours per action",
        description="Police effort per action of this lever.",
    )


_WHEN = "each scenario's [[levers]] table (the baseline's dates are the seed's)"


class Lever(Section, ABC):
    """Common fields of every lever: when it acts and how strongly."""

    phase: ClassVar[Phase]
    type: str
    name: str = Field("", max_length=200, description="Free label shown in plots.")
    start: dt.date = param(unit="ISO date", source=_WHEN, description="First day the lever acts.")
    end: dt.date | None = param(
        None,
        unit="ISO date",
        source=_WHEN,
        description="Last day the lever acts, inclusive; none means to the end.",
    )
    intensity: float = param(
        1.0,
        ge=0.0,
        le=100.0,
        unit="multiplier",
        source="model design (1 is the lever as its other fields describe it)",
        description="Multiplier on every effect of the lever; 0 is exactly no lever.",
    )
    officer_hours_per_action: NonNegative = officer_hours(0.0)

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Lever:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"end ({self.end.isoformat()}) must not be before start ({self.start.isoformat()})"
            )
        return self

    def is_active(self, day: dt.date) -> bool:
        """Whether the lever acts on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)

    def act(self, state: PolicyState, scale: float) -> None:
        """Add this lever's effect to ``state``.

        Args:
            state: today's policy settings, changed in place.
            scale: real people per resident agent, to turn national rates into model units.
        """
        if self.intensity > 0.0:
            state.officer_hours[self.type] = (
                state.officer_hours.get(self.type, 0.0) + self.officer_hours_per_action
            )
            self._add_effect(state, scale)

    @abstractmethod
    def _add_effect(self, state: PolicyState, scale: float) -> None:
        """Add the effect at ``self.intensity`` (> 0) to ``state``."""


class EarlyWarningLever(Lever):
    """Early-warning dissuasion.

    The anti-fraud centre detects ongoing scams in intercepted signals and issues instructions;
    local police call or visit the victim.
    """

    phase: ClassVar[Phase] = Phase.EARLY_WARNING
    type: Literal["early_warning"]
    capacity_national_per_day: NonNegative = param(
        47_000.0,
        unit="warnings per day, national (divided by run.scale)",
        source='[seed] ("an average of 52,000 early warning instructions per day" in 2021), '
        "less the standing capacity",
        description="Extra warning instructions per day nationally, on top of the standing "
        "police.early_warning_capacity_national_per_day.",
    )
    p_detect_gain: Probability = param(
        0.05,
        unit="share of the gap to 1 (0 to 1)",
        description="Share of the gap to 1 added to the daily detection chance.",
    )
    p_dissuade_gain: Probability = param(
        0.1,
        unit="share of the gap to 1 (0 to 1)",
        description="Share of the gap to 1 added to the dissuasion success.",
    )
    officer_hours_per_action: NonNegative = officer_hours(0.5)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        state.warning_capacity_per_day += self.intensity * self.capacity_national_per_day / scale
        state.p_detect_gain = toward_one(
            state.p_detect_gain, min(1.0, self.intensity * self.p_detect_gain)
        )
        state.p_dissuade_gain = toward_one(
            state.p_dissuade_gain, min(1.0, self.intensity * self.p_dissuade_gain)
        )


class PublicityLever(Lever):
    """Publicity campaign (mass SMS, media, the May 2021 manual), optionally targeted."""

    phase: ClassVar[Phase] = Phase.PUBLICITY
    type: Literal["publicity"]
    boost_per_day: Probability = param(
        0.0001,
        unit="share of the gap to 1 per day",
        description="Share of the awareness gap to 1 closed per day in the reached groups.",
    )
    target_groups: GroupWeights = param(
        GroupWeights(),
        unit="reach per victim group (0 to 1)",
        description="Relative reach by group (1 = full reach).",
    )
    officer_hours_per_action: NonNegative = officer_hours(50.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        reach = np.asarray(self.target_groups.as_list())
        state.awareness_boost_per_day = state.awareness_boost_per_day + np.minimum(
            1.0, self.intensity * self.boost_per_day * reach
        )


class AntiFraudAppLever(Lever):
    """The National Anti-Fraud Centre app (launched 26 April 2021).

    Residents install it; it warns of fraud calls, SMS and websites and takes one-click reports.
    """

    phase: ClassVar[Phase] = Phase.PUBLICITY
    type: Literal["anti_fraud_app"]
    adoption_per_day: Probability = param(
        0.0009,
        unit="share of non-users per day",
        source='[seed] ("more than 65 million registered users" by mid-June 2021, launched 26 '
        "April)",
        description="Share of residents without the app who install it per day.",
    )
    p_warning: Probability = param(
        0.6,
        unit="probability (0 to 1)",
        description="Chance the app flags a fraud contact that reaches a user.",
    )
    p_report_gain: Probability = param(
        0.3,
        unit="share of the gap to 1 (0 to 1)",
        description="Share of the gap to 1 added to an app user's chance to report.",
    )
    officer_hours_per_action: NonNegative = officer_hours(10.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        state.app_adoption_per_day += min(1.0, self.intensity * self.adoption_per_day)
        state.p_app_warning = toward_one(
            state.p_app_warning, min(1.0, self.intensity * self.p_warning)
        )
        state.p_app_report_gain = toward_one(
            state.p_app_report_gain, min(1.0, self.intensity * self.p_report_gain)
        )


class StrikeCampaignLever(Lever):
    """A publicised national campaign of strikes against fraud gangs.

    In the baseline: the "new round of strikes" that followed the instructions on telecom and
    online fraud announced at the national teleconference of 8 April 2021 (the seed: "quickly
    set off a new round of strikes ... forming a powerful deterrent"), with its notices urging
    suspects to stop and surrender. Gangs hear of it whether or not they have lost anyone
    themselves (general deterrence): each day it adds ``deterrence_per_day`` to every gang's
    perceived risk, the same quantity their own arrests and seizures raise. Gangs answer risk
    as they always do (they lie low, move dens abroad, members go home or surrender); see
    :class:`simulation.params.GangParams`. The arrests themselves come from the investigation
    lever.
    """

    phase: ClassVar[Phase] = Phase.PUBLICITY
    type: Literal["strike_campaign"]
    deterrence_per_day: NonNegative = param(
        0.012,
        le=1.0,
        unit="risk units per day (losses per member)",
        source="assumption, fitted to the fall of cases from April to May 2021 "
        "(docs/calibration.md)",
        description="Perceived risk added to every gang per day, in the units of a gang's own "
        "losses (members taken or stocks seized per member).",
    )
    officer_hours_per_action: NonNegative = officer_hours(50.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        state.deterrence_per_day += self.intensity * self.deterrence_per_day


class CardCrackdownLever(Lever):
    """The "broken card" operation against the phone-card and bank-card black market."""

    phase: ClassVar[Phase] = Phase.CARD_MARKET
    type: Literal["card_crackdown"]
    p_seize_broker_stock_per_day: Probability = param(
        0.022,
        unit="probability per day (0 to 1)",
        description="Daily chance each broker's stock is seized.",
    )
    p_seize_gang_stock_per_day: Probability = param(
        0.005,
        unit="probability per day (0 to 1)",
        description="Daily chance each gang's card stock is seized.",
    )
    p_punish_seller: Probability = param(
        0.1,
        unit="probability per sale (0 to 1)",
        description="Chance a card sale is traced and the seller punished.",
    )
    p_destroy_broker_per_day: Probability = param(
        0.003,
        unit="probability per day (0 to 1)",
        description="Daily chance each broker ('two-card' gang) is destroyed.",
    )
    phone_card_clearing_per_day: Probability = param(
        0.05,
        unit="share per day (0 to 1)",
        description="Share of gangs' phone cards cleared (MIIT) per day.",
    )
    bank_account_clearing_per_day: Probability = param(
        0.05,
        unit="share per day (0 to 1)",
        description="Share of gangs' mule accounts cleared (PBoC) per day.",
    )
    max_cards_per_person: float | None = param(
        None,
        ge=1.0,
        le=1000.0,
        unit="cards per sale",
        description="Cap on cards one seller can supply per sale; none means no cap.",
    )
    officer_hours_per_action: NonNegative = officer_hours(20.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        k = self.intensity
        state.p_seize_broker_stock_per_day = toward_one(
            state.p_seize_broker_stock_per_day, min(1.0, k * self.p_seize_broker_stock_per_day)
        )
        state.p_seize_gang_stock_per_day = toward_one(
            state.p_seize_gang_stock_per_day, min(1.0, k * self.p_seize_gang_stock_per_day)
        )
        state.p_punish_seller = toward_one(
            state.p_punish_seller, min(1.0, k * self.p_punish_seller)
        )
        state.p_destroy_broker_per_day = toward_one(
            state.p_destroy_broker_per_day, min(1.0, k * self.p_destroy_broker_per_day)
        )
        state.phone_card_clearing_per_day = toward_one(
            state.phone_card_clearing_per_day, min(1.0, k * self.phone_card_clearing_per_day)
        )
        state.bank_account_clearing_per_day = toward_one(
            state.bank_account_clearing_per_day, min(1.0, k * self.bank_account_clearing_per_day)
        )
        if self.max_cards_per_person is not None:
            state.max_cards_per_person = min(state.max_cards_per_person, self.max_cards_per_person)


class RepatriationLever(Lever):
    """Cross-border work against overseas dens.

    Repatriation through international cooperation, arrest of returnees at the border,
    surrender incentives and exit controls on recruits.
    """

    phase: ClassVar[Phase] = Phase.CROSS_BORDER
    type: Literal["repatriation"]
    repatriation_per_day: CountryWeights = param(
        CountryWeights(cambodia=0.000033, myanmar=0.0000166, philippines=0.000033, laos=0.0000249,
                       malaysia=0.0000249),
        unit="probability per day, by host country",
        description="Daily chance an overseas member is repatriated, by host country "
        "(cooperation differs).",
    )  # fmt: skip
    p_returnee_arrest_gain: Probability = param(
        0.3,
        unit="share of the gap to 1 (0 to 1)",
        description="Share of the gap to 1 added to the chance a returnee is arrested.",
    )
    surrender_per_day: Probability = param(
        0.00003,
        unit="probability per day (0 to 1)",
        description="Extra daily chance an overseas member surrenders.",
    )
    p_exit_control: Probability = param(
        0.6,
        unit="probability (0 to 1)",
        description="Chance a recruit heading abroad is stopped at the border.",
    )
    officer_hours_per_action: NonNegative = officer_hours(30.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        k = self.intensity
        state.repatriation_per_day = state.repatriation_per_day + np.minimum(
            1.0, k * np.asarray(self.repatriation_per_day.as_list())
        )
        state.p_returnee_arrest_gain = toward_one(
            state.p_returnee_arrest_gain, min(1.0, k * self.p_returnee_arrest_gain)
        )
        state.surrender_gain_per_day += min(1.0, k * self.surrender_per_day)
        state.p_exit_control = toward_one(state.p_exit_control, min(1.0, k * self.p_exit_control))


class InterceptionLever(Lever):
    """More interception of fraud calls and SMS and blocking of fraud websites."""

    phase: ClassVar[Phase] = Phase.CONTACT
    type: Literal["interception"]
    p_block_gain: ChannelProbabilities = param(
        ChannelProbabilities(call=0.2, sms=0.2, website=0.2, social_app=0.05, live_stream=0.03),
        unit="share of the gap to 1, per contact channel",
        description="Share of the contacts that got through which are now blocked, by channel.",
    )
    officer_hours_per_action: NonNegative = officer_hours(0.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        gain = np.minimum(1.0, self.intensity * np.asarray(self.p_block_gain.as_list()))
        state.p_block_gain = state.p_block_gain + (1.0 - state.p_block_gain) * gain


class StopPaymentLever(Lever):
    """Faster emergency stop-payment and stronger bank screening of mule accounts."""

    phase: ClassVar[Phase] = Phase.LAUNDERING
    type: Literal["stop_payment"]
    stop_delay_cut: Probability = param(
        0.5,
        unit="share of the delay (0 to 1)",
        description="Share of the stop delay removed (faster freezing).",
    )
    p_screen_gain: Probability = param(
        0.02,
        unit="share of the gap to 1 (0 to 1)",
        description="Share of the gap to 1 added to banks' screening per hop.",
    )
    officer_hours_per_action: NonNegative = officer_hours(1.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        k = self.intensity
        state.stop_delay_cut = toward_one(state.stop_delay_cut, min(1.0, k * self.stop_delay_cut))
        state.p_screen_gain = toward_one(state.p_screen_gain, min(1.0, k * self.p_screen_gain))


class InvestigationLever(Lever):
    """More investigative capacity and cluster crackdowns.

    "Cloud Sword" and the centralised network collection operations of 2021.
    """

    phase: ClassVar[Phase] = Phase.INVESTIGATION
    type: Literal["investigation"]
    capacity_national_per_day: NonNegative = param(
        600.0,
        unit="cases per day, national (divided by run.scale)",
        description="Extra reported cases investigated per day nationally.",
    )
    p_crack_gain: Probability = param(
        0.2,
        unit="share of the gap to 1 (0 to 1)",
        description="Share of the gap to 1 added to the chance a case is cracked.",
    )
    arrests_per_crack_gain: float = param(
        0.5,
        le=1000,
        unit="members per cracked case",
        description="Extra members arrested per cracked case (cluster crackdowns).",
        ge=0.0,
    )
    officer_hours_per_action: NonNegative = officer_hours(40.0)

    def _add_effect(self, state: PolicyState, scale: float) -> None:
        k = self.intensity
        state.investigation_capacity_per_day += k * self.capacity_national_per_day / scale
        state.p_crack_gain = toward_one(state.p_crack_gain, min(1.0, k * self.p_crack_gain))
        state.arrests_per_crack_gain += k * self.arrests_per_crack_gain


AnyLever = Annotated[
    EarlyWarningLever
    | PublicityLever
    | AntiFraudAppLever
    | CardCrackdownLever
    | RepatriationLever
    | InterceptionLever
    | StopPaymentLever
    | InvestigationLever
    | StrikeCampaignLever,
    Field(discriminator="type"),
]

LEVER_TYPES: dict[str, type[Lever]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (
        EarlyWarningLever,
        PublicityLever,
        AntiFraudAppLever,
        CardCrackdownLever,
        RepatriationLever,
        InterceptionLever,
        StopPaymentLever,
        InvestigationLever,
        StrikeCampaignLever,
    )
}
