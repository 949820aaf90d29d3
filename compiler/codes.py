"""Every code ETSL reports, registered once (mypy's errorcodes.py habit): a stable
kebab-case name, the area it belongs to, what it means and how to fix it.

Compiler diagnostics use these constants (`error(codes.UNKNOWN_NAME, …)`); data problems,
evaluation errors and linkage findings carry codes from the same registry, and
docs/diagnostics.md is generated from it (python -m etsl.compiler.codes_doc).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Code:
    name: str
    area: str
    summary: str
    fix: str

    def __str__(self) -> str:
        return self.name


# ---- input ---------------------------------------------------------------------------------

FILE_NOT_FOUND: Final = Code(
    "file-not-found",
    "input",
    "A scheme file or folder named on the command line or in an import does not exist.",
    "Check the path; `etsl check` accepts files and folders.",
)
FILE_UNREADABLE: Final = Code(
    "file-unreadable",
    "input",
    "A scheme file is not UTF-8 text (binary, or another encoding).",
    "Save the file as UTF-8 text.",
)
FILE_TOO_LARGE: Final = Code(
    "file-too-large",
    "input",
    "A scheme file is larger than the compiler accepts.",
    "Split the scheme: put shared catalogues in their own files and `import` them.",
)

# ---- syntax --------------------------------------------------------------------------------

SYNTAX_ERROR: Final = Code(
    "syntax-error",
    "syntax",
    "The text does not follow the grammar at this point.",
    "Follow the hint; each declaration starts with a keyword (see docs/language.md).",
)
UNEXPECTED_CHARACTER: Final = Code(
    "unexpected-character",
    "syntax",
    "A character that cannot start any token.",
    "Remove the character or move it into a string or `#` comment.",
)
UNTERMINATED_STRING: Final = Code(
    "unterminated-string",
    "syntax",
    "A string literal is not closed on its line.",
    "Close the string on the same line.",
)
UNEXPECTED_END: Final = Code(
    "unexpected-end",
    "syntax",
    "The file ends inside a declaration or block.",
    "Close every `{` with `}`; finish the last declaration.",
)
NESTING_TOO_DEEP: Final = Code(
    "nesting-too-deep",
    "syntax",
    "Parentheses or blocks are nested deeper than the compiler accepts.",
    "Name intermediate results with `rule` instead of nesting brackets.",
)
UNKNOWN_KEYWORD: Final = Code(
    "unknown-keyword",
    "syntax",
    "A declaration starts with a word that is not a keyword.",
    "Use one of the declaration keywords; the hint suggests the closest.",
)

# ---- names ---------------------------------------------------------------------------------

UNKNOWN_NAME: Final = Code(
    "unknown-name",
    "names",
    "A name is used that no declaration defines.",
    "Declare the name (input, `param`, `table` or `rule`) or fix its spelling.",
)
DUPLICATE_NAME: Final = Code(
    "duplicate-name",
    "names",
    "Two declarations define the same name.",
    "Rename one of the definitions, or delete one.",
)
DUPLICATE_DECLARATION: Final = Code(
    "duplicate-declaration",
    "names",
    "A declaration that may appear once appears twice.",
    "Keep one declaration; merge their contents.",
)
UNKNOWN_VALUE: Final = Code(
    "unknown-value",
    "names",
    "A keyword value (kind, participation, gas, GWP basis, ...) is not one the language knows.",
    "Use one of the values listed in the hint.",
)
TOO_MANY_VALUES: Final = Code(
    "too-many-values",
    "names",
    "A keyword that takes one value (kind, participation, status, currency) is given a list.",
    "Keep the one value that applies; only `cap_type` takes a list.",
)
UNKNOWN_UNIT: Final = Code(
    "unknown-unit",
    "names",
    "A unit symbol is not in the unit registry.",
    "Use a unit from docs/language.md#units, written without spaces (`tCO2e`, `kL_oe/yr`).",
)
UNKNOWN_SOURCE: Final = Code(
    "unknown-source",
    "names",
    "A cite names a source the scheme does not declare.",
    'Declare the source with `source ID "citation" url "…"` or fix the id.',
)
UNKNOWN_UNIT_TYPE: Final = Code(
    "unknown-unit-type",
    "names",
    "A surrender rule or example names a unit type the scheme does not declare.",
    "Declare the unit type in `units { … }` or fix its spelling.",
)
UNKNOWN_FUNCTION: Final = Code(
    "unknown-function",
    "names",
    "A call names a function that is not built in.",
    "Use a built-in function (docs/language.md#functions).",
)

# ---- imports -------------------------------------------------------------------------------

IMPORT_NOT_FOUND: Final = Code(
    "import-not-found",
    "imports",
    "An imported file does not exist.",
    "Fix the path; it is relative to the importing file.",
)
IMPORT_OUTSIDE_TREE: Final = Code(
    "import-outside-tree",
    "imports",
    "An import points outside the importing file's folder tree.",
    "Keep imported files under the scheme tree (the folder marked `.etslroot`), or pass `--import-path`.",
)
IMPORT_CYCLE: Final = Code(
    "import-cycle",
    "imports",
    "Files import each other in a cycle.",
    "Move what both files need into a third file that both import.",
)
UNKNOWN_BASE: Final = Code(
    "unknown-base",
    "imports",
    "An extends or uses names a scheme or catalogue that is not defined or imported.",
    "Import the file that defines the base scheme or catalogue.",
)
EXTENDS_CYCLE: Final = Code(
    "extends-cycle",
    "imports",
    "Schemes extend each other in a cycle.",
    "Make one scheme the base; a variant cannot be its own ancestor.",
)

# ---- types ---------------------------------------------------------------------------------

UNIT_MISMATCH: Final = Code(
    "unit-mismatch",
    "types",
    "Quantities with incompatible units are added, compared or assigned.",
    "Convert one side so both have the same unit (e.g. multiply a price by tonnes).",
)
TYPE_MISMATCH: Final = Code(
    "type-mismatch",
    "types",
    "A value of the wrong type (boolean, enumeration, date, quantity) is used.",
    "Use a value of the expected type (a condition, an enumeration value, a quantity).",
)
WRONG_ARITY: Final = Code(
    "wrong-arity",
    "types",
    "A function is called with the wrong number of arguments.",
    "Pass the number of arguments the function takes.",
)
VOCABULARY_UNIT: Final = Code(
    "vocabulary-unit",
    "types",
    "A vocabulary rule (cap, target, obligation, ...) does not have a CO2e mass unit.",
    "Make the formula produce tonnes of CO2e (multiply rates by years(period)).",
)
UNKNOWN_ENUM_VALUE: Final = Code(
    "unknown-enum-value",
    "types",
    "A name is compared with an enumeration that does not contain it.",
    "Use one of the enumeration's values.",
)
MISSING_GWP: Final = Code(
    "missing-gwp",
    "types",
    "co2e() converts a gas that has no GWP under the scheme's basis (or the scheme declares no basis).",
    "Declare the basis (`gases CO2, CH4 gwp AR5`), or pick a basis with a value for the gas.",
)
MISSING_INPUT: Final = Code(
    "missing-input",
    "types",
    "A default rule needs a participant input the scheme does not declare.",
    "Declare `emissions: tCO2e` or define `obligation = …`.",
)

# ---- validation ----------------------------------------------------------------------------

PERIOD_EMPTY: Final = Code(
    "period-empty",
    "validation",
    "A period ends before it starts.",
    "Swap the bounds.",
)
PERIOD_OVERLAP: Final = Code(
    "period-overlap",
    "validation",
    "Two periods overlap.",
    "Make periods follow each other without sharing years.",
)
PERIOD_BOUND_INVALID: Final = Code(
    "period-bound-invalid",
    "validation",
    "A period bound is not a year, fiscal year (FY2010) or date.",
    "Write bounds as `2013`, `FY2010` or `2014-01-01`.",
)
LIMIT_OUT_OF_RANGE: Final = Code(
    "limit-out-of-range",
    "validation",
    "A share or percentage limit lies outside [0, 1].",
    "Write the share as a fraction (`1 / 3`) or a percentage (`8 %`) between 0 and 1.",
)
TABLE_MISSING_ROW: Final = Code(
    "table-missing-row",
    "validation",
    "A decision table has no row for a value of its enumeration.",
    "Add a row (or column) for each value, or a `*` row for all others.",
)
TABLE_SHAPE: Final = Code(
    "table-shape",
    "validation",
    "A decision table's rows do not match its dimensions.",
    "Give every row a key and one value per column; index by `period` or an enumeration input.",
)
TABLE_UNKNOWN_KEY: Final = Code(
    "table-unknown-key",
    "validation",
    "A decision table row or column names a value its dimension does not have.",
    "Use the dimension's values as keys.",
)
UNUSED_RULE: Final = Code(
    "unused-rule",
    "validation",
    "A rule or parameter is defined but nothing uses it.",
    "Use it, expect it in an example, or remove it (a warning: `etsl check` still passes).",
)
UNREACHABLE_BRANCH: Final = Code(
    "unreachable-branch",
    "validation",
    "An if-expression's condition is constant, so one branch can never be taken.",
    "Remove the `if`, keeping the branch that is taken (a warning).",
)
LINK_UNKNOWN_SCHEME: Final = Code(
    "link-unknown-scheme",
    "validation",
    "A link names a scheme that is not among the schemes compiled or the bundled library.",
    "Check the scheme name, or add the partner scheme's file (a warning).",
)
EXAMPLE_UNKNOWN_NAME: Final = Code(
    "example-unknown-name",
    "validation",
    "An example gives or expects a name the scheme does not define.",
    "Give inputs, `period` and `held.UNIT`; expect rules, vocabulary values or consequence kinds.",
)

# ---- graph ---------------------------------------------------------------------------------

SHARE_OUTSIDE_GROUP: Final = Code(
    "share-outside-group",
    "validation",
    "A `limit … at least/at most … among` clause names a unit type that is not in its group.",
    "Add the unit type to the group after `among`.",
)
MAKE_GOOD_COMPOUNDS: Final = Code(
    "make-good-compounds",
    "validation",
    "A make_good or deduct amount multiplies `shortfall`, which includes units still owed "
    "from the previous period, so unpaid units are multiplied again every period.",
    "Multiply `excess` (this period's own excess emissions) and add `owed_unpaid` for units "
    "still owed: `make_good 4 * excess + owed_unpaid` (a warning).",
)
FEATURE_NOT_STATED: Final = Code(
    "feature-not-stated",
    "validation",
    "A scheme neither declares an optional feature (price controls, banking, borrowing, "
    "credits, verification, penalties, links) nor states that it has none.",
    "Declare the feature, state `none` (`price none`, `credits none`, `link none`, "
    "`banking none`, `borrowing none`, `mrv none`, `penalty none`), or acknowledge that the "
    'sources say nothing with `not_stated FEATURE, … "why"`; documents say \'not stated in '
    "the sources' (a warning).",
)
NONE_CONTRADICTED: Final = Code(
    "none-contradicted",
    "validation",
    "A scheme states `price none`, `credits none` or `link none` but declares price "
    "controls, credit or offset unit types, or links; or lists a feature under `not_stated` "
    "that it states.",
    "Remove the `none` (or the `not_stated` entry), or the declarations it contradicts.",
)
RULE_CYCLE: Final = Code(
    "rule-cycle",
    "graph",
    "Rules depend on each other in a cycle.",
    "Break the cycle: one of the values must not depend on the others.",
)


#: Every code by name, in registry order.
CODES: Final[dict[str, Code]] = {c.name: c for c in list(globals().values()) if isinstance(c, Code)}
