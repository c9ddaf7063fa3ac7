"""The building blocks of the parameter tables: the :func:`param` field and keyed tables.

Every parameter is declared with :func:`param`: its meaning, its unit and its source (or
"assumption") sit on the field, and the JSON Schema of scenario files, the commented defaults
of ``scenarios/baseline.toml`` and the tables of ``docs/ODD.md`` read them from there
(:func:`unit_of`, :func:`source_of`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from simulation.categories import CHANNELS, COUNTRIES, REGIONS, VICTIM_GROUPS

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
