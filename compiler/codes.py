"""The registry of diagnostic codes: stable, kebab-case, each documented in docs/diagnostics.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    name: str
    area: str
    summary: str


_TABLE: tuple[tuple[str, str, str], ...] = (
    # input files
    (
        "file-not-found",
        "input",
        "A scheme file or folder named on the command line or in an import does not exist.",
    ),
    ("file-unreadable", "input", "A scheme file is not UTF-8 text (binary, or another encoding)."),
    ("file-too-large", "input", "A scheme file is larger than the compiler accepts."),
    # syntax
    ("syntax-error", "syntax", "The text does not follow the grammar at this point."),
    ("unexpected-character", "syntax", "A character that cannot start any token."),
    ("unterminated-string", "syntax", "A string literal is not closed on its line."),
    ("unexpected-end", "syntax", "The file ends inside a declaration or block."),
    (
        "nesting-too-deep",
        "syntax",
        "Parentheses or blocks are nested deeper than the compiler accepts.",
    ),
    ("unknown-keyword", "syntax", "A declaration starts with a word that is not a keyword."),
    # resolution
    ("unknown-name", "names", "A name is used that no declaration defines."),
    ("duplicate-name", "names", "Two declarations define the same name."),
    ("duplicate-declaration", "names", "A declaration that may appear once appears twice."),
    (
        "unknown-value",
        "names",
        "A keyword value (kind, participation, gas, GWP basis, ...) is not one the language knows.",
    ),
    ("unknown-unit", "names", "A unit symbol is not in the unit registry."),
    ("unknown-source", "names", "A cite names a source the scheme does not declare."),
    (
        "unknown-unit-type",
        "names",
        "A surrender rule or example names a unit type the scheme does not declare.",
    ),
    ("unknown-function", "names", "A call names a function that is not built in."),
    ("import-not-found", "imports", "An imported file does not exist."),
    (
        "import-outside-tree",
        "imports",
        "An import points outside the importing file's folder tree.",
    ),
    ("import-cycle", "imports", "Files import each other in a cycle."),
    (
        "unknown-base",
        "imports",
        "An extends or uses names a scheme or catalogue that is not defined or imported.",
    ),
    ("extends-cycle", "imports", "Schemes extend each other in a cycle."),
    # types and units
    (
        "unit-mismatch",
        "types",
        "Quantities with incompatible units are added, compared or assigned.",
    ),
    (
        "type-mismatch",
        "types",
        "A value of the wrong type (boolean, enumeration, date, quantity) is used.",
    ),
    ("wrong-arity", "types", "A function is called with the wrong number of arguments."),
    (
        "vocabulary-unit",
        "types",
        "A vocabulary rule (cap, target, obligation, ...) does not have a CO2e mass unit.",
    ),
    (
        "unknown-enum-value",
        "types",
        "A name is compared with an enumeration that does not contain it.",
    ),
    (
        "missing-gwp",
        "types",
        "co2e() converts a gas that has no GWP under the scheme's basis (or the scheme declares no basis).",
    ),
    (
        "missing-input",
        "types",
        "A default rule needs a participant input the scheme does not declare.",
    ),
    # scheme-level validation
    ("period-empty", "validation", "A period ends before it starts."),
    ("period-overlap", "validation", "Two periods overlap."),
    (
        "period-bound-invalid",
        "validation",
        "A period bound is not a year, fiscal year (FY2010) or date.",
    ),
    ("limit-out-of-range", "validation", "A share or percentage limit lies outside [0, 1]."),
    (
        "table-missing-row",
        "validation",
        "A decision table has no row for a value of its enumeration.",
    ),
    ("table-shape", "validation", "A decision table's rows do not match its dimensions."),
    (
        "table-unknown-key",
        "validation",
        "A decision table row or column names a value its dimension does not have.",
    ),
    ("unused-rule", "validation", "A rule or parameter is defined but nothing uses it."),
    (
        "unreachable-branch",
        "validation",
        "An if-expression's condition is constant, so one branch can never be taken.",
    ),
    (
        "link-unknown-scheme",
        "validation",
        "A link names a scheme that is not among the schemes compiled or the bundled library.",
    ),
    (
        "example-unknown-name",
        "validation",
        "An example gives or expects a name the scheme does not define.",
    ),
    ("rule-cycle", "graph", "Rules depend on each other in a cycle."),
)

CODES: dict[str, Code] = {name: Code(name, area, summary) for name, area, summary in _TABLE}
