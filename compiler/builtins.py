"""Built-in functions: the one table of what each means, how it is typed and worded.

Each row gives the arity, the signature (the type rule compiler/infer.py applies), a
summary for the language reference, the words documents use, and the fixed unit of the
result where it has one. Engines register their implementation of every row
(runtime/reference/builtins.py, runtime/columnar/sql/builtins.py); a test names any engine
that lacks one. Adding a built-in is one row here plus one implementation per engine.

Wording templates, chosen by the number of arguments (the last one for any more):
`{0}`, `{1}` are the arguments in words, `{list}` all of them joined with "and"; a
placeholder may name how tightly its words must bind (`{0:product}` adds brackets around
a sum), as the printer's precedence levels do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Signature(StrEnum):
    """The type rules of compiler/infer.py, one per kind of built-in."""

    SAME_UNIT = "same_unit"  # arguments in one unit (a bare 0 fits any), the result in it
    ROUNDING = "rounding"  # a value and an optional plain whole number of decimal places
    PERIOD_LENGTH = "period_length"  # a period → its length in years
    GAS = "gas"  # tonnes of a gas → t CO2e with the scheme's GWP basis
    UNIT_TYPE = "unit_type"  # the name of a unit type → t CO2e
    EARLIER_YEARS = "earlier_years"  # the name of an input or rule → its sum over earlier years


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    min_args: int
    max_args: int | None  # None: variadic
    signature: Signature
    summary: str
    words: tuple[str, ...]
    result_unit: str | None = None  # a fixed unit of the result, shown in explanations
    noun: bool = False  # its words are a closed noun phrase (no brackets needed around it)

    @property
    def unit_argument(self) -> bool:
        """The argument names a unit type, not a value."""
        return self.signature is Signature.UNIT_TYPE

    def wording(self, count: int) -> str:
        """The template for a call with `count` arguments."""
        index = max(0, min(count - self.min_args, len(self.words) - 1))
        return self.words[index]


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin(
            "floor",
            1,
            2,
            Signature.ROUNDING,
            "round down (towards minus infinity), optionally to N decimal places",
            ("{0:product} rounded down", "{0:product} rounded down to {1} decimal places"),
        ),
        Builtin(
            "ceil",
            1,
            2,
            Signature.ROUNDING,
            "round up (towards plus infinity), optionally to N decimal places",
            ("{0:product} rounded up", "{0:product} rounded up to {1} decimal places"),
        ),
        Builtin(
            "round",
            1,
            2,
            Signature.ROUNDING,
            "round half up (away from zero), optionally to N decimal places",
            (
                "{0:product} rounded (halves up)",
                "{0:product} rounded (halves up) to {1} decimal places",
            ),
        ),
        Builtin(
            "min",
            2,
            None,
            Signature.SAME_UNIT,
            "the smallest of its arguments (same unit)",
            ("the smaller of {0:sum} and {1:sum}", "the smallest of {list:sum}"),
        ),
        Builtin(
            "max",
            2,
            None,
            Signature.SAME_UNIT,
            "the largest of its arguments (same unit)",
            ("the larger of {0:sum} and {1:sum}", "the largest of {list:sum}"),
        ),
        Builtin(
            "abs",
            1,
            1,
            Signature.SAME_UNIT,
            "absolute value",
            ("the absolute value of {0}",),
        ),
        Builtin(
            "years",
            1,
            1,
            Signature.PERIOD_LENGTH,
            "the length of a period in years",
            ("the years in {0}",),
            result_unit="yr",
            noun=True,
        ),
        Builtin(
            "co2e",
            1,
            1,
            Signature.GAS,
            "tonnes of a gas converted to t CO2e with the scheme's GWP basis",
            ("{0:atom} in CO₂ equivalent",),
        ),
        Builtin(
            "earlier_years",
            1,
            1,
            Signature.EARLIER_YEARS,
            "the sum of an input or rule over the participant's earlier years of the same "
            "compliance period (periods kept `by year`; 0 in a period's first year)",
            ("{0} in earlier years of the period",),
            noun=True,
        ),
        Builtin(
            "held",
            1,
            1,
            Signature.UNIT_TYPE,
            "units of a type the participant holds",
            ("the {0} units held",),
            result_unit="tCO2e",
            noun=True,
        ),
        Builtin(
            "eligible",
            1,
            1,
            Signature.UNIT_TYPE,
            "units of a type that may be surrendered after limits and filters",
            ("the eligible {0} units",),
            result_unit="tCO2e",
            noun=True,
        ),
    )
}
