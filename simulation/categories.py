"""The fixed categories of the model: fraud types, victim groups, channels, roles, states.

Categories are ``Enum`` s so that code never compares strings; their ``value`` is the key used in
scenario files and in output tables. The order of each enum is the order of the matching axis in
the model's arrays (``list(FraudType).index(t)`` is the column of type ``t``).
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum


class FraudType(Enum):
    """The ten common fraud types of the MPS publicity manual (seed document, 17 June 2021)."""

    ONLINE_LOAN = "online_loan"
    REBATE = "rebate"  # "brushing" orders for commission
    KILLING_PIGS = "killing_pigs"  # romance-and-investment grooming
    FAKE_CUSTOMER_SERVICE = "fake_customer_service"  # chargers, logistics
    IMPERSONATE_ACQUAINTANCE = "impersonate_acquaintance"  # acquaintances or bosses
    IMPERSONATE_POLICE = "impersonate_police"  # public security, procuratorate, court
    FAKE_INVESTMENT = "fake_investment"
    FAKE_SHOPPING = "fake_shopping"
    CAMPUS_LOAN_CANCELLATION = "campus_loan_cancellation"
    GAME_ITEM_TRADING = "game_item_trading"


class VictimGroup(Enum):
    """Resident groups that differ in savings, exposure and susceptibility by fraud type."""

    STUDENT = "student"
    WORKING_ADULT = "working_adult"
    ELDERLY = "elderly"
    ONLINE_SHOPPER = "online_shopper"
    FINANCE_STAFF = "finance_staff"
    MIGRANT_WORKER = "migrant_worker"
    JOBLESS_YOUTH = "jobless_youth"


class AgeBand(Enum):
    """Age bands of residents (adults only: the model population is 18+ equivalents)."""

    AGE_18_24 = "18-24"
    AGE_25_40 = "25-40"
    AGE_41_65 = "41-65"
    AGE_66_PLUS = "66+"


class Channel(Enum):
    """How a gang reaches a resident."""

    CALL = "call"
    SMS = "sms"
    WEBSITE = "website"
    SOCIAL_APP = "social_app"
    LIVE_STREAM = "live_stream"


class Region(Enum):
    """Domestic regions (China's seven geographic regions)."""

    NORTH = "north"
    NORTHEAST = "northeast"
    EAST = "east"
    CENTRAL = "central"
    SOUTH = "south"
    SOUTHWEST = "southwest"
    NORTHWEST = "northwest"


class Country(Enum):
    """Overseas host countries of fraud dens (the seed says "Southeast Asia"; see ODD)."""

    CAMBODIA = "cambodia"
    MYANMAR = "myanmar"
    PHILIPPINES = "philippines"
    LAOS = "laos"
    MALAYSIA = "malaysia"


class Role(StrEnum):
    """Roles of gang members.

    A ``StrEnum`` because gangs look their members up by role hundreds of times a day, and a
    plain ``Enum`` hashes in Python while a ``str`` hashes in C.

    The Zhejiang case lists direct, agency, lecturer, business, technical and laundering teams;
    they are folded into these five.
    """

    LEADER = "leader"  # funder / "golden master"
    OPERATOR = "operator"  # direct, agency, lecturer and business teams: talk to victims
    TECHNICIAN = "technician"  # platforms, websites, fake apps
    RECRUITER = "recruiter"
    LAUNDERER = "launderer"


class ResidentStatus(IntEnum):
    """What a resident is doing in the fraud economy (stored as ``int8`` per resident)."""

    FREE = 0
    GANG_MEMBER = 1
    IMPRISONED = 2


class ArrestRoute(Enum):
    """How a suspect came into police hands; each has its own output column."""

    INVESTIGATION = "investigation"
    REPATRIATION = "repatriation"
    RETURNEE = "returnee"
    SURRENDER = "surrender"


FRAUD_TYPES: tuple[FraudType, ...] = tuple(FraudType)
VICTIM_GROUPS: tuple[VictimGroup, ...] = tuple(VictimGroup)
AGE_BANDS: tuple[AgeBand, ...] = tuple(AgeBand)
CHANNELS: tuple[Channel, ...] = tuple(Channel)
REGIONS: tuple[Region, ...] = tuple(Region)
COUNTRIES: tuple[Country, ...] = tuple(Country)
ROLES: tuple[Role, ...] = tuple(Role)
