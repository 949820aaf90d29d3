"""Built-in functions: arity and meaning. Types are checked in check.py, values computed in the engines."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    min_args: int
    max_args: int | None  # None: variadic
    summary: str
    unit_argument: bool = False  # the argument names a unit type, not a value


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin(
            "floor", 1, 2, "round down (towards minus infinity), optionally to N decimal places"
        ),
        Builtin("ceil", 1, 2, "round up (towards plus infinity), optionally to N decimal places"),
        Builtin("round", 1, 2, "round half up (away from zero), optionally to N decimal places"),
        Builtin("min", 2, None, "the smallest of its arguments (same unit)"),
        Builtin("max", 2, None, "the largest of its arguments (same unit)"),
        Builtin("abs", 1, 1, "absolute value"),
        Builtin("years", 1, 1, "the length of a period in years"),
        Builtin("co2e", 1, 1, "tonnes of a gas converted to t CO2e with the scheme's GWP basis"),
        Builtin("held", 1, 1, "units of a type the participant holds", unit_argument=True),
        Builtin(
            "eligible",
            1,
            1,
            "units of a type that may be surrendered after limits and filters",
            unit_argument=True,
        ),
    )
}
