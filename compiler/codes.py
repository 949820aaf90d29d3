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
NUMBER_TOO_LONG: Final = Code(
    "number-too-long",
    "syntax",
    "A number has more than 38 digits or more than 18 decimal places (the limits of "
    "participant data and of both engines' exact decimals).",
    "Round the number, or write it in a larger unit (`12 Mt` instead of `12000000 t`).",
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
RANGE_FORM: Final = Code(
    "range-form",
    "types",
    "A consequence states a lower bound (`from A`) without an upper bound (`up to B`), or "
    "beside an amount of its own.",
    "Write a range as `fine from A up to B`; an amount with a cap as `fine X up to L`.",
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
PERIOD_BY_YEAR_NEEDS_YEARS: Final = Code(
    "period-by-year-needs-years",
    "validation",
    "A period kept `by year` is bounded by dates, not by (fiscal) years, so it has no years "
    "to hold obligations.",
    "Bound it by years (`period cp4 = 2021 .. 2023 by year`), or drop `by year`.",
)
EARLIER_YEARS_WITHOUT_YEARS: Final = Code(
    "earlier-years-without-years",
    "validation",
    "`earlier_years(x)` is used, but no period is kept `by year`, so it is always 0.",
    "Keep the compliance periods by year (`period cp4 = 2021 .. 2023 by year`), or drop "
    "`earlier_years`.",
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
RANGE_REVERSED: Final = Code(
    "range-reversed",
    "validation",
    "A consequence's lower bound (`from A`) is above its upper bound (`up to B`); both are "
    "constant, so the range is empty.",
    "Swap the bounds: the smaller amount follows `from`, the larger `up to`.",
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

BANK_RULE_WITHOUT_BANKING: Final = Code(
    "bank-rule-without-banking",
    "validation",
    "A banking block states which units may not be banked (`except`) or up to what limit "
    "(`limit`), but the scheme banks nothing (`banking none`).",
    "Remove the rule, or allow banking (`banking unlimited`, `banking next_period`).",
)
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
PRICE_KIND_CONTRADICTED: Final = Code(
    "price-kind-contradicted",
    "validation",
    "A scheme states one kind of price control `none` or `not_stated` (`price ceiling "
    "not_stated`) but declares a price control of that kind (`price ceiling 65 USD/tCO2e`), "
    "or also states `price none`.",
    "Keep one statement of the kind: remove the `price KIND none`/`not_stated` line, or the "
    "declaration it contradicts.",
)
RULE_CYCLE: Final = Code(
    "rule-cycle",
    "graph",
    "Rules depend on each other in a cycle.",
    "Break the cycle: one of the values must not depend on the others.",
)


# ---- the system level (compiler/system.py) -----------------------------------------------

SYSTEM_READS_PARTICIPANT: Final = Code(
    "system-reads-participant",
    "graph",
    "A system value (one per scheme and year) reads a participant's own value (an input, a "
    "rule, or a parameter or table that depends on them) outside an aggregate.",
    "Aggregate the participant value over all participants (`sum(x)`, `mean(x)`, "
    "`count(condition)`), or make it a system input (`input x: … ` in the system block).",
)
AGGREGATE_OUTSIDE_SYSTEM: Final = Code(
    "aggregate-outside-system",
    "graph",
    "An aggregate over participants (`sum`, `mean`, `count`) is used outside a system block, "
    "or inside another aggregate.",
    "Declare the aggregate as a system rule (`system { rule total = sum(x) }`) and read that "
    "rule from participant rules.",
)
LEVEL_CYCLE: Final = Code(
    "level-cycle",
    "graph",
    "A system value depends on an aggregate of participant values that themselves depend on "
    "that system value (a cycle across the two levels).",
    "Break the cycle: the participant values an aggregate sums must not read the system value "
    "computed from that aggregate.",
)
ESCALATOR_WITHOUT_BASE_YEAR: Final = Code(
    "escalator-without-base-year",
    "types",
    "A price path rises (`rising 5 %`) but states no base year (`from 2021`), so the year of "
    "its starting value is unknown.",
    "State the year of the starting value: `price ceiling 65 USD/tCO2e from 2021 rising 5 %`.",
)
CARRIED_INPUT: Final = Code(
    "carried-input",
    "names",
    "A system input carried from the previous year (`input tnac: tCO2e else previous "
    "tnac_end`) names something that is not a system value, or a value of another type or unit.",
    "Name a system rule, price, parameter or input of the same unit: the value it had the year "
    "before is the input's value in a year the system data leaves blank.",
)
IN_LIEU_NOT_PER_TONNE: Final = Code(
    "in-lieu-not-per-tonne",
    "types",
    "A price paid in lieu of allowances (`paid in lieu`) is not an amount of money per "
    "tonne, so what a participant pays for the tonnes it does not surrender is unknown.",
    "Write the price per tonne: `price ceiling 4300 JPY/tCO2e from 2026 paid in lieu`.",
)
IN_LIEU_TWICE: Final = Code(
    "in-lieu-twice",
    "validation",
    "Two prices are paid in lieu of allowances; a participant pays for the tonnes it does not "
    "surrender at one price.",
    "Keep `paid in lieu` on one price (the ceiling).",
)
IN_LIEU_SHORTFALL_DEFINED: Final = Code(
    "in-lieu-shortfall-defined",
    "validation",
    "The scheme defines `shortfall` (or `excess`) itself and declares a price paid in lieu: "
    "the payment (`paid_in_lieu`) does not reduce the scheme's own rule.",
    "Remove the scheme's rule so the default one subtracts the payment, or subtract "
    "`paid_in_lieu` in it.",
)
ESCALATOR_INPUT: Final = Code(
    "escalator-input",
    "names",
    "A price path rises by a named inflation rate (`plus cpi`) that is not a system input "
    "holding a plain number or percentage for each year.",
    'Declare the rate in a system block: `system { input cpi: % "inflation of the year" }`.',
)

# ---- linkage -------------------------------------------------------------------------------
# Findings of `etsl link`: pair checks (etsl.linkage.checks) and the network's declarations
# (etsl.linkage.network). docs/linkage.md holds each one's criterion, sources and example.

PARTICIPATION_VOLUNTARY: Final = Code(
    "participation-voluntary",
    "linkage",
    "A mandatory scheme would link to a voluntary one.",
    "Make participation mandatory for the covered sources before linking, or let units flow one way only (the mandatory side accepts none from the voluntary side) under a quantitative limit on imported units.",
)
CAP_TYPE_INCOMPATIBLE: Final = Code(
    "cap-type-incompatible",
    "linkage",
    "An absolute cap would link to an intensity, self-set or missing cap.",
    "Convert the partner's target into an absolute cap, or let units flow one way only (the absolute side exports) under a quantitative limit on imported units.",
)
CAP_TYPE_DIFFERS: Final = Code(
    "cap-type-differs",
    "linkage",
    "The cap types differ.",
    "Harmonise the type of cap, or discount or limit the units of the less stringent side.",
)
FEATURE_UNDECLARED: Final = Code(
    "feature-undeclared",
    "linkage",
    "A design feature is not stated, so it cannot be compared.",
    "State the feature in the scheme, citing its source; until then the comparison is left to the reader.",
)
SCHEME_NOT_ACTIVE: Final = Code(
    "scheme-not-active",
    "linkage",
    "A scheme is not active.",
    "Confirm the period the link would cover, or analyse the successor scheme.",
)
CAP_DECLINE_DIFFERS: Final = Code(
    "cap-decline-differs",
    "linkage",
    "The caps decline at different rates while the link operates.",
    "Harmonise the annual reduction rates, or limit the units imported from the side whose cap declines more slowly.",
)
REDUCTION_FACTORS_DIFFER: Final = Code(
    "reduction-factors-differ",
    "linkage",
    "The reduction factors below base emissions differ while the link operates.",
    "Align the reduction factors of comparable participants, or limit the units imported from the side with the lower factors.",
)
STRINGENCY_NOT_COMPARABLE: Final = Code(
    "stringency-not-comparable",
    "linkage",
    "Cap stringency cannot be compared.",
    "State the cap's annual decline rate or its cap for each year, or write the cap as base emissions times (1 - reduction factor), on both sides.",
)
PENALTY_MISSING: Final = Code(
    "penalty-missing",
    "linkage",
    "One side declares no penalty for a shortfall.",
    "Introduce a penalty (a per-tonne fine with make-good), or accept that side's units only one way and under a quantitative limit.",
)
PENALTY_LEVEL_DIFFERS: Final = Code(
    "penalty-level-differs",
    "linkage",
    "The per-tonne penalties differ.",
    "Harmonise the per-tonne penalty (after currency conversion), or add make-good on the weaker side.",
)
PENALTY_NEEDS_RATE: Final = Code(
    "penalty-needs-rate",
    "linkage",
    "Penalties in different currencies need an exchange rate to be compared.",
    "Give the exchange rate between the two currencies.",
)
PENALTY_NOT_COMPARABLE: Final = Code(
    "penalty-not-comparable",
    "linkage",
    "The penalties cannot be compared per tonne.",
    "Compare the enforcement rules by reading them, or state the fine per tonne of shortfall.",
)
MAKE_GOOD_MISSING: Final = Code(
    "make-good-missing",
    "linkage",
    "Only one side requires missing units to be made good.",
    "Require the shortfall to be made good (surrendered later or deducted from the next allocation) on the other side too.",
)
CREDIT_NOT_ACCEPTED: Final = Code(
    "credit-not-accepted",
    "linkage",
    "A credit accepted on one side reaches the other, which does not accept it.",
    "Harmonise the eligible credits, keep the credit out of the units that cross the link, or limit the units imported.",
)
CREDIT_UNLIMITED: Final = Code(
    "credit-unlimited",
    "linkage",
    "One side accepts credits without a quantitative limit.",
    "Limit the credits (a share of the obligation, or a combined limit with other credits).",
)
CREDIT_LIMITS_DIFFER: Final = Code(
    "credit-limits-differ",
    "linkage",
    "The credit limits differ.",
    "Compare the limits and harmonise them if they diverge materially.",
)
PARTNER_UNITS_RESTRICTED: Final = Code(
    "partner-units-restricted",
    "linkage",
    "One side accepts the partner's units only under conditions.",
    "Make sure the partner's registry can tell which of its units meet the conditions, and state the same conditions in both schemes.",
)
PRICE_CEILING_UNILATERAL: Final = Code(
    "price-ceiling-unilateral",
    "linkage",
    "Only one side has a price ceiling.",
    "Adopt a common ceiling, limit the units imported from the side with the ceiling, or make the link one-way.",
)
PRICE_FLOOR_UNILATERAL: Final = Code(
    "price-floor-unilateral",
    "linkage",
    "Only one side has a price floor.",
    "Agree a common floor, or accept that the floor applies to the linked market.",
)
PRICE_LEVELS_DIFFER: Final = Code(
    "price-levels-differ",
    "linkage",
    "The price floors or ceilings differ.",
    "Align the floors and ceilings (after currency conversion) in the linking agreement: in a linked market the highest floor and the lowest ceiling bind both sides.",
)
PRICE_NEEDS_RATE: Final = Code(
    "price-needs-rate",
    "linkage",
    "Price floors or ceilings in different currencies need an exchange rate to be compared.",
    "Give the exchange rate between the two currencies.",
)
PRICE_CONTROL_NOT_STATED: Final = Code(
    "price-control-not-stated",
    "linkage",
    "One side has a kind of price control (floor, ceiling, supply adjustment) that the other "
    "side's sources do not state.",
    "Read the other side's sources for that kind, and state what they say about it.",
)
SUPPLY_ADJUSTMENT_UNILATERAL: Final = Code(
    "supply-adjustment-unilateral",
    "linkage",
    "Only one side adjusts the supply of units.",
    "Coordinate the mechanism in the linking agreement.",
)
BORROWING_UNILATERAL: Final = Code(
    "borrowing-unilateral",
    "linkage",
    "Only one side allows borrowing.",
    "Forbid borrowing, or limit it on both sides.",
)
BANKING_DIFFERS: Final = Code(
    "banking-differs",
    "linkage",
    "The banking rules differ.",
    "Harmonise banking, or restrict the use of banked partner units.",
)
CALENDAR_DIFFERS: Final = Code(
    "calendar-differs",
    "linkage",
    "The compliance calendars differ.",
    "Align the compliance years, or agree when transferred units count.",
)
PERIODS_MISALIGNED: Final = Code(
    "periods-misaligned",
    "linkage",
    "The compliance periods are not aligned.",
    "Align the period boundaries, or agree in the linking agreement how units of each period count on the other side.",
)
GASES_DIFFER: Final = Code(
    "gases-differ",
    "linkage",
    "The covered gases differ.",
    "Harmonise the covered gases, or exclude units for gases the other side does not cover.",
)
GWP_BASIS_DIFFERS: Final = Code(
    "gwp-basis-differs",
    "linkage",
    "The GWP bases give different values.",
    "Use a common GWP basis, or an exchange rate per gas.",
)
SCOPE_DIFFERS: Final = Code(
    "scope-differs",
    "linkage",
    "The emission scopes differ.",
    "Harmonise the scope, or exclude units from the scope the partner does not cover.",
)
CURRENCY_DIFFERS: Final = Code(
    "currency-differs",
    "linkage",
    "The currencies differ.",
    "Give an exchange rate to compare penalties and prices.",
)
TONNE_MEASURE_DIFFERS: Final = Code(
    "tonne-measure-differs",
    "linkage",
    "One side counts short tons, the other metric tonnes.",
    "Apply an exchange rate of 0.90718474 tonne per short-ton unit in the linking agreement.",
)
UNIT_ORIGIN_UNKNOWN: Final = Code(
    "unit-origin-unknown",
    "linkage",
    "A unit said to come from the partner is not one the partner declares.",
    "Use the partner's name for the unit, or declare the unit in the partner scheme.",
)
UNIT_KIND_DIFFERS: Final = Code(
    "unit-kind-differs",
    "linkage",
    "A unit's kind differs between the schemes.",
    "Declare the unit with the same kind on both sides.",
)
LINK_UNDECLARED: Final = Code(
    "link-undeclared",
    "linkage",
    "Neither scheme declares the link.",
    "Declare the link on both sides once it is agreed.",
)
LINK_ONE_SIDED: Final = Code(
    "link-one-sided",
    "linkage",
    "A link is declared by one side only.",
    "Declare the matching link in the partner scheme, or model a one-way recognition.",
)
LINK_DIRECTION_MISMATCH: Final = Code(
    "link-direction-mismatch",
    "linkage",
    "The link directions disagree.",
    "Correct one declaration so both describe the same flow: two-way on both sides, or outbound matched by inbound.",
)
LINK_DATES_DIFFER: Final = Code(
    "link-dates-differ",
    "linkage",
    "The link's start or end dates differ.",
    "Use the dates of the linking agreement on both sides.",
)
LINK_UNITS_DIFFER: Final = Code(
    "link-units-differ",
    "linkage",
    "The linked units differ.",
    "List the same units on both sides.",
)
LINK_UNITS_NOT_ACCEPTED: Final = Code(
    "link-units-not-accepted",
    "linkage",
    "A linked side accepts none of the partner's units.",
    "Declare the partner's units and accept them in the surrender rules.",
)
LINK_CONDITIONS_DIFFER: Final = Code(
    "link-conditions-differ",
    "linkage",
    "The link conditions differ.",
    "Align the condition texts with the linking agreement.",
)
ALLOCATION_DIFFERS: Final = Code(
    "allocation-differs",
    "linkage",
    "The allocation methods differ.",
    "Compare the allocation rules and agree on competitiveness safeguards.",
)
LINK_TARGET_MISSING: Final = Code(
    "link-target-missing",
    "linkage",
    "A link names a scheme that is not among the schemes analysed, so whether that scheme declares the link back cannot be checked.",
    "Add the partner scheme's file to the analysis, or correct the name.",
)
LINK_TO_SELF: Final = Code(
    "link-to-self",
    "linkage",
    "A scheme declares a link to itself.",
    "Remove the link.",
)


# ---- data (participant tables, holdings tables, mapping files) ------------------------------

DATA_FILE_NOT_FOUND: Final = Code(
    "data-file-not-found",
    "data",
    "A data file named on the command line (or in the API) does not exist, or is a folder.",
    "Check the path; `--participants` and `--holdings` name files.",
)
DATA_FILE_TYPE: Final = Code(
    "data-file-type",
    "data",
    "A data file's suffix is not one ETSL reads (or it is an old-style .xls workbook).",
    "Save the table as .csv, .tsv, .json, .parquet or .xlsx.",
)
DATA_FILE_UNREADABLE: Final = Code(
    "data-file-unreadable",
    "data",
    "A data file cannot be read: the system refused, it is not UTF-8 text, it is a damaged "
    "Parquet or Excel file, or the named sheet does not exist.",
    "Save the file again as 'CSV UTF-8' (or .xlsx), check its permissions, or name an "
    "existing sheet.",
)
DATA_EMPTY: Final = Code(
    "data-empty",
    "data",
    "A data file is empty, its header row is empty, or it has a header but no rows.",
    "The first row names the columns (e.g. `id,category,emissions`); add one row per participant.",
)
DATA_MALFORMED: Final = Code(
    "data-malformed",
    "data",
    "A file is not a well-formed table: broken CSV quoting, invalid or too deeply nested "
    "JSON, records that are not objects, nested values, a row with more values than the "
    "header has columns.",
    "Fix the file's structure at the row the message names: quote values that contain the "
    "delimiter, give one flat JSON object per record.",
)
DATA_FLOAT_COLUMN: Final = Code(
    "data-float-column",
    "data",
    "A Parquet column holds binary floating-point numbers, read through their shortest "
    "decimal form (a warning).",
    "Store exact values as decimal or string columns.",
)
DATA_MISSING_COLUMN: Final = Code(
    "data-missing-column",
    "data",
    "A column the scheme needs (`id`, `period`, an input, a holdings column) is missing.",
    "Add the column, rename a header to the input's name, or map it with `--map COLUMN=INPUT`.",
)
DATA_UNKNOWN_COLUMN: Final = Code(
    "data-unknown-column",
    "data",
    "A column names something the scheme does not define: an unknown column under strict "
    "checking, a mapping to an undefined input, or `held.UNIT` for an undeclared unit type.",
    "Fix the header or the mapping (the hint names the closest name), or drop the column.",
)
DATA_DUPLICATE_COLUMN: Final = Code(
    "data-duplicate-column",
    "data",
    "Two columns feed the same input (the same header twice, or a header and a mapping).",
    "Keep one of them.",
)
DATA_UNIT: Final = Code(
    "data-unit",
    "data",
    "A header's `[unit]` is unknown, measures something else than the input's unit, or is "
    "given for a column that is not a quantity.",
    "Write a unit of the same kind as the input's (`emissions [ktCO2]`), or remove it.",
)
DATA_BLANK: Final = Code(
    "data-blank",
    "data",
    "A required cell is blank or NaN (or a row gives no period where the scheme needs one).",
    "Give every row a value for the column.",
)
DATA_NOT_A_NUMBER: Final = Code(
    "data-not-a-number",
    "data",
    "A quantity cell is not a plain decimal number (text, thousands separators, a unit "
    "after the number, infinity, digits other than 0-9).",
    "Write plain decimals such as 1234.5, with digits 0-9 and '.' as the decimal point; "
    "put units in the header.",
)
DATA_PRECISION: Final = Code(
    "data-precision",
    "data",
    "A number has more than 18 decimal places or more than 38 significant digits.",
    "Round the value to at most 18 decimal places and 38 digits.",
)
DATA_NEGATIVE: Final = Code(
    "data-negative",
    "data",
    "An amount that cannot be negative (emissions, energy, activity, holdings) is below zero.",
    "Correct the value; amounts are zero or more.",
)
DATA_UNKNOWN_VALUE: Final = Code(
    "data-unknown-value",
    "data",
    "A cell (or an option) names a value the scheme does not define: an enumeration value, "
    "a period, a unit type.",
    "Use one of the scheme's values; the hint names the closest.",
)
DATA_NOT_A_BOOLEAN: Final = Code(
    "data-not-a-boolean",
    "data",
    "A yes/no cell is not true, false, yes or no.",
    "Write true or false.",
)
DATA_NOT_A_DATE: Final = Code(
    "data-not-a-date",
    "data",
    "A date cell is not a date written YYYY-MM-DD.",
    "Write dates as YYYY-MM-DD, e.g. 2014-03-31.",
)
DATA_CELL_TOO_LONG: Final = Code(
    "data-cell-too-long",
    "data",
    "A cell is longer than 131,072 characters (the limit both engines enforce).",
    "Shorten the cell; a cell this long is usually a quote that is never closed.",
)
DATA_DUPLICATE_ROW: Final = Code(
    "data-duplicate-row",
    "data",
    "A participant has two rows for the same period.",
    "Give each participant one row per period.",
)
DATA_MISSING_YEAR: Final = Code(
    "data-missing-year",
    "data",
    "A participant has rows for some years of a period kept `by year` but not for all of "
    "them, or a row of such a period gives no year.",
    "Give the participant one row per year of the period (a `year` column).",
)
DATA_YEAR_OUTSIDE_PERIOD: Final = Code(
    "data-year-outside-period",
    "data",
    "A row's year is not a year of its period, or it gives a year for a period that is not "
    "kept `by year`.",
    "Give a year of the row's period, or leave the period out: it follows from the year.",
)
DATA_UNKNOWN_PARTICIPANT: Final = Code(
    "data-unknown-participant",
    "data",
    "A holdings row names a participant the participant table does not have (a warning: "
    "the holding is not used).",
    "Check the id in the holdings table.",
)
DATA_MAPPING: Final = Code(
    "data-mapping",
    "data",
    "A line of a mapping file is not `column = input`, or maps a column twice.",
    "Write one `column = input` per line, each column once.",
)

# ---- evaluation (values that cannot be computed for one participant) -------------------------

EVALUATION_DIVISION_BY_ZERO: Final = Code(
    "evaluation-division-by-zero",
    "evaluation",
    "A division (or a share `a / b of x`) divides by zero for this participant.",
    "Guard the division: `if x > 0 then … / x else 0 tCO2e`.",
)
EVALUATION_MISSING_INPUT: Final = Code(
    "evaluation-missing-input",
    "evaluation",
    "A value needs a participant input that this participant's row does not give.",
    "Give the input for the participant (an optional input is left empty only when no "
    "vocabulary value or penalty needs it).",
)
EVALUATION_MISSING_TABLE_ENTRY: Final = Code(
    "evaluation-missing-table-entry",
    "evaluation",
    "A decision table has no entry for this participant's key (its enumeration value or period).",
    "Add a row for the value, or a `*` row for all other values.",
)
EVALUATION_NO_PERIOD: Final = Code(
    "evaluation-no-period",
    "evaluation",
    "A value uses `period` (years(period), a table by period) but the row has none: the "
    "scheme declares no periods, or a system value's year is in none of them.",
    "Declare the scheme's periods (`period first = 2013 .. 2015`), and give system data "
    "only for years inside them.",
)
EVALUATION_WRONG_TYPE: Final = Code(
    "evaluation-wrong-type",
    "evaluation",
    "A value given in Python (not read from a file) has the wrong type for where it is "
    "used: a binary float, text where a number is needed, a value outside an enumeration.",
    "Give inputs as exact Decimals, booleans, dates or enumeration values (or read the "
    "data from a file).",
)
EVALUATION_INVALID_ARGUMENT: Final = Code(
    "evaluation-invalid-argument",
    "evaluation",
    "A built-in function receives an argument it cannot use, e.g. decimal places that are "
    "not a whole number between -40 and 40.",
    "Make the argument a whole number of places (round it, or use a parameter).",
)
EVALUATION_CARRY_OVER: Final = Code(
    "evaluation-carry-over",
    "evaluation",
    "A participant's earlier period could not be computed, so what it carries into this "
    "period (banked units, make-good, borrowing) is unknown.",
    "Fix the error reported for the earlier period.",
)
EVALUATION_NUMBER_TOO_LARGE: Final = Code(
    "evaluation-number-too-large",
    "evaluation",
    "An intermediate result has more digits than exact decimal arithmetic carries (80).",
    "Check the inputs' magnitudes and units (a value in t where kt was meant, …).",
)

EVALUATION_OUTSIDE_PRICE_PATH: Final = Code(
    "evaluation-outside-price-path",
    "evaluation",
    "A price path is read for a year before its base year (`from 2021`), or its inflation "
    "rate (`plus cpi`) is not given for a year between the base year and the year read.",
    "Read the path from its base year on, and give the system input named after `plus` for "
    "every year from the one after the base year (the system data has one row per year).",
)
EVALUATION_MISSING_SYSTEM_VALUE: Final = Code(
    "evaluation-missing-system-value",
    "evaluation",
    "A participant value reads a system value (a value of the whole scheme in a year), but "
    "no system value is known for the participant's year: no system data row for that year, "
    "or the system value itself could not be computed.",
    "Give a system data file with a row for the year (`etsl run --system-data FILE`), or fix the "
    "error reported for the system value.",
)

#: Every code by name, in registry order.
# ---- scenario ----------------------------------------------------------------------------

SCENARIO_INVALID: Final = Code(
    "scenario-invalid",
    "scenario",
    "A scenario file of `etsl simulate` is not valid TOML, or a key or value does not fit the "
    "scenario's layout (an unknown key, a value that is not a number, abatement cost curve "
    "points whose prices do not increase or whose abatement falls).",
    "Follow the message, which names the key; docs/simulate.md shows the layout.",
)
SCENARIO_MISMATCH: Final = Code(
    "scenario-mismatch",
    "scenario",
    "A scenario does not fit the scheme it simulates: it names a system input or value the "
    "scheme does not declare, leaves an input without a value for a year, simulates years "
    "outside the scheme's periods, or prices a market in another currency without an "
    "exchange rate.",
    "Give every system input for every year of the scenario (a carried input for the first "
    "year), name the scheme's own system values, and give exchange rates.",
)
SIMULATE_NO_PRICE: Final = Code(
    "simulate-no-price",
    "scenario",
    "No price clears the market: even at the highest price of the abatement cost curves the "
    "bank goes negative in a year, and the scheme states no price ceiling that would stop "
    "the price there.",
    "Check the scenario's supply and baseline emissions, extend the abatement cost curves to "
    "higher prices, or name the scheme's price ceiling (market.ceiling).",
)
SIMULATE_FAILED: Final = Code(
    "simulate-failed",
    "scenario",
    "A system value cannot be computed for a year of the simulation (a division by zero, a "
    "price path read before its first year, a carried value whose previous year failed).",
    "The message names the year and the value; fix the scenario's inputs for that year or the "
    "scheme's rule.",
)

CODES: Final[dict[str, Code]] = {c.name: c for c in list(globals().values()) if isinstance(c, Code)}
