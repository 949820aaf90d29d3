"""Every closed vocabulary of the language: the values, the words readers see, and what
each value is (its `kind`), in one table per vocabulary.

The checker reads the allowed values (`etsl check` reports any other with a did-you-mean),
documents read the words, linkage reads the kinds (a price control's kind says whether it
caps prices or holds them up). Adding a value is one row here.

    PRICE_CONTROLS.words("ccr_trigger")    # 'Cost containment reserve trigger price'
    PRICE_CONTROLS.kind("tier_1")          # 'ceiling'
    "fine" in CONSEQUENCE_KINDS            # True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Choice:
    """One value of a vocabulary."""

    value: str
    words: str
    kind: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of values: what `etsl check` accepts, how documents word them."""

    name: str  # what a value is called in messages: "price control"
    choices: tuple[Choice, ...]

    def __contains__(self, value: object) -> bool:
        return any(c.value == value for c in self.choices)

    def __iter__(self) -> Iterator[Choice]:
        return iter(self.choices)

    def values_of(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def words(self, value: str | None) -> str:
        """The words for a value ("" for None; an unknown value with spaces for `_`)."""
        if value is None:
            return ""
        choice = self.choice(value)
        return choice.words if choice else value.replace("_", " ").capitalize()

    def kind(self, value: str) -> str:
        choice = self.choice(value)
        return choice.kind if choice else ""

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices if c.kind == kind)


def _vocabulary(name: str, *rows: tuple[str, ...]) -> Vocabulary:
    return Vocabulary(name, tuple(Choice(*row) for row in rows))


SCHEME_KINDS = _vocabulary(
    "scheme kind",
    ("cap_and_trade", "Cap-and-trade"),
    ("baseline_and_credit", "Baseline-and-credit"),
    ("project_crediting", "Project crediting"),
    ("offset_program", "Offset programme"),
    ("intensity_target", "Intensity target"),
    ("voluntary_target", "Voluntary target"),
    ("national_commitment", "National commitment"),
    ("target_setting", "Target setting"),
)
PARTICIPATION = _vocabulary("participation", ("mandatory", "Mandatory"), ("voluntary", "Voluntary"))
STATUSES = _vocabulary(
    "status",
    ("active", "Active"),
    ("ended", "Ended"),
    ("proposed", "Proposed"),
    ("trial", "Trial"),
    ("superseded", "Superseded"),
)
CAP_TYPES = _vocabulary(
    "cap type",
    ("absolute", "Absolute cap"),
    ("intensity", "Intensity target"),
    ("self_set", "Self-set target"),
    ("none", "No cap or target"),
)
CURRENCY_CODES = _vocabulary(
    "currency",
    ("JPY", "Japanese yen"),
    ("EUR", "Euro"),
    ("USD", "US dollar"),
    ("KRW", "Korean won"),
    ("CNY", "Chinese yuan"),
    ("GBP", "Pound sterling"),
    ("CHF", "Swiss franc"),
    ("NZD", "New Zealand dollar"),
    ("CAD", "Canadian dollar"),
)
CALENDARS = _vocabulary(
    "calendar", ("calendar_year", "Calendar years"), ("fiscal_year", "Fiscal years")
)
SCOPES = _vocabulary(
    "scope",
    ("direct", "direct emissions"),
    ("indirect", "indirect emissions (purchased electricity and heat)"),
    ("process", "process emissions"),
    ("combustion", "fuel combustion"),
    ("electricity", "electricity generation"),
    ("heat", "heat generation"),
    ("upstream", "upstream (fuel suppliers)"),
)
ALLOCATION_METHODS = _vocabulary(
    "allocation method",
    ("grandfathering", "grandfathering (historical emissions)"),
    ("benchmark", "benchmarking"),
    ("auction", "auction"),
    ("free", "free allocation"),
    ("mixed", "mixed"),
    ("self_set", "self-set targets"),
    ("output_based", "output-based allocation"),
    ("none", "no allocation"),
)
#: kind: `floor` holds prices up, `ceiling` contains them, `supply` adjusts the supply of
#: units by rule, `reference` is a reference level that triggers nothing by itself.
PRICE_CONTROLS = _vocabulary(
    "price control",
    ("floor", "Price floor", "floor"),
    ("ceiling", "Price ceiling", "ceiling"),
    ("auction_reserve", "Auction reserve price", "floor"),
    ("reserve_price", "Reserve price", "floor"),
    ("reserve_trigger", "Reserve trigger price", "ceiling"),
    ("reserve_release", "Reserve release price", "ceiling"),
    ("ccr_trigger", "Cost containment reserve trigger", "ceiling"),
    ("ccr_size", "Cost containment reserve size", "ceiling"),
    ("ecr_trigger", "Emissions containment reserve trigger price", "supply"),
    ("ecr_size", "Emissions containment reserve size", "supply"),
    ("msr_intake", "Market stability reserve intake rate", "supply"),
    ("msr_release", "Market stability reserve release", "supply"),
    ("msr_threshold_upper", "Market stability reserve upper threshold", "supply"),
    ("msr_threshold_lower", "Market stability reserve lower threshold", "supply"),
    ("reference_price", "Reference price", "reference"),
    ("tier_1", "Price containment reserve tier 1 price", "ceiling"),
    ("tier_2", "Price containment reserve tier 2 price", "ceiling"),
    ("supply_adjustment", "Supply adjustment mechanism", "supply"),
    ("cost_containment", "Cost containment mechanism", "ceiling"),
)
#: kind: the unit of the amount (`currency`, `co2e`) or `flag` for consequences without one.
CONSEQUENCE_KINDS = _vocabulary(
    "consequence",
    ("fine", "Fine", "currency"),
    ("order", "Order to reduce", "co2e"),
    ("make_good", "Make good in the next period", "co2e"),
    ("deduct", "Deduction from the next period's allocation", "co2e"),
    ("refund", "Refund of the subsidy", "currency"),
    ("buy_on_behalf", "Units bought on the participant's behalf", "currency"),
    ("publish", "Publication of the participant's name", "flag"),
    ("suspend", "Suspension from transfers", "flag"),
    ("action_plan", "Compliance action plan", "flag"),
)
BANK_MODES = _vocabulary(
    "banking mode",
    ("none", "Not allowed"),
    ("unlimited", "Allowed, without time limit"),
    ("next_period", "Into the next period only"),
    ("within_period", "Within the compliance period only"),
)
LINK_DIRECTIONS = _vocabulary(
    "link direction",
    ("two_way", "two-way"),
    ("inbound", "inbound: accepts its units"),
    ("outbound", "outbound: its units are accepted there"),
)
LINK_STATUSES = _vocabulary(
    "link status",
    ("proposed", "Proposed"),
    ("agreed", "Agreed, not yet operating"),
    ("operating", "Operating"),
    ("suspended", "Suspended"),
    ("ended", "Ended"),
)
UNIT_KINDS = _vocabulary(
    "unit kind",
    ("allowance", "Allowance"),
    ("credit", "Credit"),
    ("offset", "Offset"),
)
#: How settled a cited value is (a source's or a citation's confidence); documents mark
#: every value that is not primary.
CONFIDENCE = _vocabulary(
    "confidence",
    ("primary", "Primary source", "settled"),
    ("secondary", "Secondary source", "doubt"),
    ("unconfirmed", "Unconfirmed", "doubt"),
)

#: Consequence kinds with an amount, and those that are flags only.
AMOUNT_KINDS = tuple(c.value for c in CONSEQUENCE_KINDS if c.kind != "flag")
FLAG_KINDS = CONSEQUENCE_KINDS.of_kind("flag")

#: Metadata keywords that take a list of values (`cap_type benchmark, grandfathering`).
MULTIPLE_META = frozenset({"cap_type"})

#: The vocabulary of each metadata keyword with a closed set of values.
META_VALUES: dict[str, Vocabulary] = {
    "kind": SCHEME_KINDS,
    "participation": PARTICIPATION,
    "status": STATUSES,
    "cap_type": CAP_TYPES,
    "currency": CURRENCY_CODES,
}

ALL: tuple[Vocabulary, ...] = (
    SCHEME_KINDS,
    PARTICIPATION,
    STATUSES,
    CAP_TYPES,
    CURRENCY_CODES,
    CALENDARS,
    SCOPES,
    ALLOCATION_METHODS,
    PRICE_CONTROLS,
    CONSEQUENCE_KINDS,
    BANK_MODES,
    LINK_DIRECTIONS,
    LINK_STATUSES,
    UNIT_KINDS,
    CONFIDENCE,
)
