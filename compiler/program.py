"""The Program: the lowered, typed form of one scheme, the one input every engine reads.

`compiler/lower.py` produces it as the last pass; the reference engine, the columnar (SQL)
compiler, explanations, sweeps and the examples runner read it and never look at the AST,
build a type checker or keep tables keyed by `id(node)`. What the language means is decided
here, once:

- **Expressions** are trees of frozen nodes. Every node carries its static `type` (types.py:
  a quantity's dimensions, bool, an enumeration, a period, a date), its source `span` and a
  `node` number unique in the program (traces record the value of each node under it).
  Names are bound: a `Ref` says whether it reads a participant input, a parameter, a table,
  a rule, a value the runtime supplies, the current period, a period name or an enumeration
  value. Literals are `Const`s already in base units (`8 %` is 0.08, `1 ktCO2e` is 1000),
  keeping the text they were written as for explanations. Built-in calls name their entry
  in the registry (compiler/builtins.py); `co2e` carries its GWP factor, `held`/`eligible`
  their unit type.
- **Declarations**: inputs, parameters, tables (cells indexed by key, values in base units),
  rules (default rules marked), the surrender plan (clauses in order with their limits and
  filters), unit types with the attributes they declare, penalties with each consequence's
  unit, periods with their length in years, banking and borrowing.
- **Order**: `order` lists parameters, tables, rules and the surrender step with each one
  after everything it uses (the rule graph's topological order); `required` names the
  values the compliance outcome depends on.

Meaning shared by every engine is written here as functions: `share_terms` (how `P of X`
computes) and `table_candidates` (which table entry a key selects).

    program = compiled.program
    program.rules["cap"].expr.type        # Quant((('co2e', 1),))
    program.order                          # ('param:threshold', 'table:factor', 'rule:cap', …)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum

from etsl.compiler.frozen import frozen
from etsl.compiler.source import Span
from etsl.compiler.types import Type, Value

# ---- expressions ---------------------------------------------------------------------------


class RefKind(StrEnum):
    """What a name in an expression reads."""

    INPUT = "input"  # a participant input (data)
    PARAM = "param"
    TABLE = "table"
    RULE = "rule"
    RUNTIME = "runtime"  # surrendered, carry_in, owed_in: supplied by the engine
    PERIOD = "period"  # the current period
    STEP = "step"  # `year`, `final_year`: the row's year in a period kept by year
    PERIOD_NAME = "period_name"  # a period's name used as a value (`period == first`)
    ENUM = "enum"  # an enumeration value (`category == office`)
    SYSTEM = "system"  # a system value of the row's year (compiler/system.py)


@frozen
class Const:
    """A literal in base units, with the value and unit it was written as."""

    value: Value
    written: Value
    unit: str | None
    type: Type
    span: Span
    node: int


@frozen
class Ref:
    name: str
    kind: RefKind
    type: Type
    span: Span
    node: int


@frozen
class Attribute:
    """`holding.vintage`, `issuer.base_emissions`: a holding's attribute in a filter."""

    base: str  # "holding" or "issuer"
    name: str
    type: Type
    span: Span
    node: int


@frozen
class Call:
    """A built-in function (compiler/builtins.py); `unit` names the unit type of
    `held(U)`/`eligible(U)`, `factor` is the GWP factor of `co2e`."""

    builtin: str
    args: tuple[Expr, ...]
    type: Type
    span: Span
    node: int
    unit: str | None = None
    factor: Decimal | None = None


@frozen
class Binary:
    """Arithmetic `+ - * /` (numbers/numbers.py defines each exactly)."""

    op: str
    left: Expr
    right: Expr
    type: Type
    span: Span
    node: int


@frozen
class Compare:
    op: str
    left: Expr
    right: Expr
    type: Type
    span: Span
    node: int


@frozen
class Logical:
    """`and` / `or`: the right side is evaluated only when the left does not decide."""

    op: str
    left: Expr
    right: Expr
    type: Type
    span: Span
    node: int


@frozen
class Not:
    operand: Expr
    type: Type
    span: Span
    node: int


@frozen
class Neg:
    operand: Expr
    type: Type
    span: Span
    node: int


@frozen
class If:
    """Only the branch the condition takes is evaluated."""

    condition: Expr
    then: Expr
    otherwise: Expr
    type: Type
    span: Span
    node: int


@frozen
class Member:
    """`category in {office, factory}`."""

    operand: Expr
    values: tuple[str, ...]
    type: Type
    span: Span
    node: int


@frozen
class Share:
    """`1 / 3 of required_reduction`: see `share_terms` for what it computes."""

    share: Expr
    whole: Expr
    type: Type
    span: Span
    node: int


@frozen
class Aggregate:
    """`sum(x)`, `mean(x)`, `count(c)` in a system value: over the participants of the year.
    `arg` is a participant expression; `key` (the aggregate as written) names the input of
    the system program that holds its value for the year."""

    func: str
    arg: Expr
    key: str
    type: Type
    span: Span
    node: int


@frozen
class PricePath:
    """A price's value in the year evaluated: `start` in `from_year`; each later year the
    previous year's value times (1 + `rising` + the year's `plus` input) when `rising` is a
    rate, or plus `rising` when it is an amount, rounded half up to `places` decimals of
    the unit the start value is written in (cents of USD/short_tCO2, not of USD/tCO2)."""

    name: str
    start: Expr
    from_year: int | None
    rising: Expr | None
    plus: str | None
    places: int
    scale: Decimal  # the price's written unit in base units: the path is rounded in it
    type: Type
    span: Span
    node: int


Expr = (
    Const
    | Ref
    | Attribute
    | Call
    | Binary
    | Compare
    | Logical
    | Not
    | Neg
    | If
    | Member
    | Share
    | Aggregate
    | PricePath
)


def share_terms(e: Share) -> tuple[Expr, Expr | None]:
    """(numerator, divisor) of `P of X`: `a / b of X` is `a × X / b` (the division comes
    last, so a third of 6,000 t is exactly 2,000 t); any other share P is `P × X`."""
    share = e.share
    if isinstance(share, Binary) and share.op == "/":
        return share.left, share.right
    return share, None


def children(e: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of a node, in field order."""
    found: list[Expr] = []
    for f in fields(e):
        value = getattr(e, f.name)
        if isinstance(value, tuple):
            found += [v for v in value if isinstance(v, _EXPR_TYPES)]
        elif isinstance(value, _EXPR_TYPES):
            found.append(value)
    return tuple(found)


def walk(e: Expr) -> Iterator[Expr]:
    """Every node of an expression (itself first), depth first, without recursion."""
    stack = [e]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


_EXPR_TYPES = (
    Const,
    Ref,
    Attribute,
    Call,
    Binary,
    Compare,
    Logical,
    Not,
    Neg,
    If,
    Member,
    Share,
    Aggregate,
    PricePath,
)


# ---- declarations --------------------------------------------------------------------------


@frozen
class Described:
    """What every named declaration carries for explanations and documents."""

    description: str | None = None
    citation: str | None = None  # the citation as text (source, locator)
    span: Span | None = None


@frozen
class Input:
    """A participant input: read from data, in the base unit of its declared unit."""

    name: str
    type: Type
    unit: str  # how values are shown: `tCO2e/yr`, `%`, `` for numbers and non-quantities
    declared_unit: str | None  # the unit as declared (`kL_oe/yr`); None for other types
    choices: tuple[str, ...] | None  # an enumeration's values
    about: Described
    participant: str | None = None  # the participant block that declares it
    blocks: tuple[str, ...] = ()  # every participant block that declares it
    optional: bool = False  # a system input the data may leave out (`else none`)

    def of_another_type(self, participant_type: str | None) -> bool:
        """Whether a row of this participant type has no such input (another block's)."""
        return (
            participant_type is not None
            and bool(self.blocks)
            and (participant_type not in self.blocks)
        )


@frozen
class Param:
    name: str
    expr: Expr
    type: Type
    unit: str
    about: Described


@frozen
class Table:
    """A decision table; `cells` maps a key (one value per dimension, `*` for any) to the
    first entry written for it."""

    name: str
    dims: tuple[str, ...]
    cells: Mapping[tuple[str, ...], Const]
    type: Type
    unit: str
    about: Described


@frozen
class Rule:
    name: str
    expr: Expr
    type: Type
    unit: str
    about: Described
    default: bool = False  # a default rule of the vocabulary (compiler/vocabulary.py)
    vocabulary: bool = False


@frozen
class Clause:
    """One clause of the surrender block, applied in order (runtime docs: Surrender)."""

    kind: str  # "accept", "limit", "share" (or "settle": units owed with a unit mix)
    units: tuple[str, ...]
    limit: Expr | None
    where: Expr | None
    text: str  # the clause as written: `accept outside_tokyo up to required_reduction / 3`
    span: Span
    description: str | None = None
    share: Expr | None = None  # a share clause's share
    bound: str | None = None  # a share clause's "at least" / "at most"
    among: tuple[str, ...] = ()  # a share clause's group


@frozen
class UnitType:
    """A unit type and the holding attributes it declares (row defaults)."""

    name: str
    kind: str  # allowance, credit, offset
    origin: str | None
    attributes: Mapping[str, Value]


@frozen
class Mix:
    """`with CCA, QCA at least 75 %`: a share of the units owed that must (at least) or may
    (at most) be of the listed unit types."""

    units: tuple[str, ...]
    bound: str  # "at least" or "at most"
    share: Expr


@frozen
class Consequence:
    kind: str
    amount: Expr | None
    limit: Expr | None
    unit: str  # the unit of its amount (`JPY`, `tCO2e`), `` when it has none
    description: str | None = None
    mix: Mix | None = None
    within: Expr | None = None  # the time allowed to settle
    lower: Expr | None = None  # `from A up to B`: the least of a range (the limit its most)

    @property
    def bounds(self) -> tuple[Expr | None, Expr | None, Expr | None]:
        """Its amount, lower bound and limit."""
        return self.amount, self.lower, self.limit


@frozen
class Penalty:
    """`penalty NAME when CONDITION { … }`; `condition` None is `penalty none`."""

    name: str
    condition: Expr | None
    consequences: tuple[Consequence, ...]
    about: Described


@frozen
class Period:
    name: str
    years: Decimal  # its length, as `years(period)` gives it
    first_year: int | None = None  # the year it starts in
    data_years: tuple[int, ...] = ()  # kept `by year`: its years (one row and obligation each)


@frozen
class BankRule:
    """`except U where F` (lots of U passing F are not banked) or `limit U up to L` (lots of
    U are banked up to L), applied when a period closes (runtime/reference/ledger.py)."""

    kind: str  # "except" or "limit"
    units: tuple[str, ...]
    where: Expr | None
    limit: Expr | None
    text: str
    span: Span


@frozen
class PeriodCarrying:
    """`during cycle2 next_period up to L`: borrowing's mode and limit in some periods."""

    periods: tuple[str, ...]
    mode: str
    limit: Expr | None
    span: Span


@frozen
class Carrying:
    """`banking …` / `borrowing …`: the mode, the optional `up to` limit, the rules, and
    (borrowing) the modes of some periods."""

    mode: str
    limit: Expr | None
    span: Span
    rules: tuple[BankRule, ...] = ()
    during: tuple[PeriodCarrying, ...] = ()

    def in_period(self, period: str | None) -> tuple[str, Expr | None, Span]:
        """The mode, limit and declaring span that hold in one period."""
        for rule in self.during:
            if period in rule.periods:
                return rule.mode, rule.limit, rule.span
        return self.mode, self.limit, self.span

    @property
    def modes(self) -> tuple[str, ...]:
        """Every mode it states: the declaration's, then each period's."""
        return (self.mode, *(r.mode for r in self.during))


@frozen
class Binding:
    """One `given` or `expect` entry of an example: a dotted name and a typed value."""

    path: tuple[str, ...]
    value: Expr
    span: Span


@frozen
class Example:
    title: str
    given: tuple[Binding, ...]
    expect: tuple[Binding, ...]
    span: Span
    system: bool = False  # it gives a year's system inputs and expects system values


@dataclass(frozen=True)
class SystemLevel:
    """The system level of a scheme, lowered: `program` evaluates one year as the reference
    engine evaluates one participant (its inputs are `year`, the system inputs and one per
    aggregate; its rules the system rules and prices); `aggregates` maps each aggregate
    input to its node; `values` are the system values results show, in order."""

    program: Program
    aggregates: Mapping[str, Aggregate]
    values: tuple[str, ...]
    inputs: tuple[str, ...]  # the system inputs the system data gives (not `year`)
    # input → the system value whose previous year's value it takes when the data is blank
    carried: Mapping[str, str] = field(default_factory=dict)
    # inputs the data may leave out (`else none`): values reading them are then not computed
    optional: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        """What participant values may read: the system inputs and values."""
        return frozenset((*self.inputs, *self.values))


@dataclass(frozen=True)
class Program:
    """One scheme, lowered: see the module docstring."""

    name: str
    span: Span
    inputs: Mapping[str, Input]
    params: Mapping[str, Param]
    tables: Mapping[str, Table]
    rules: Mapping[str, Rule]
    surrender: tuple[Clause, ...]
    units: Mapping[str, UnitType]
    penalties: tuple[Penalty, ...]
    periods: tuple[Period, ...]
    banking: Carrying | None
    borrowing: Carrying | None
    order: tuple[str, ...]
    required: frozenset[str]
    examples: tuple[Example, ...] = ()
    participants: tuple[str, ...] = ()  # the names of the participant blocks
    sources: Mapping[str, str] = field(default_factory=dict)  # source name → citation text
    runtime_units: Mapping[str, str] = field(default_factory=dict)
    runtime_meanings: Mapping[str, str] = field(default_factory=dict)
    category_field: str | None = None
    nodes: int = 0  # how many expression nodes were numbered
    year_sums: tuple[str, ...] = ()  # the values `earlier_years(x)` reads, summed year by year
    system: SystemLevel | None = None  # the system level (compiler/system.py), if declared

    # ---- derived views, computed from the fields above --------------------------------
    @property
    def rule_names(self) -> tuple[str, ...]:
        """Result columns: `covered`, every other rule, then what the runtime supplies."""
        runtime = ["carry_in", "owed_in", *(["borrowed"] if self.borrows else []), "surrendered"]
        runtime += ["credits_left"] if self.credit_types else []
        return ("covered", *(n for n in self.rules if n != "covered"), *runtime)

    @property
    def reads_system(self) -> bool:
        """Whether a participant value reads a system value (compiler/system.py)."""
        exprs = [*(r.expr for r in self.rules.values()), *(p.expr for p in self.params.values())]
        exprs += [e for c in self.surrender for e in (c.limit, c.where, c.share) if e is not None]
        for penalty in self.penalties:
            exprs += [penalty.condition] if penalty.condition is not None else []
            exprs += [e for c in penalty.consequences for e in c.bounds if e is not None]
        return any(isinstance(n, Ref) and n.kind is RefKind.SYSTEM for e in exprs for n in walk(e))

    @property
    def borrows(self) -> bool:
        """Whether units may be borrowed from the next period."""
        return self.borrowing is not None and any(
            mode in ("next_period", "unlimited") for mode in self.borrowing.modes
        )

    @property
    def consequence_kinds(self) -> tuple[str, ...]:
        """The consequence kinds this scheme's penalties use, in the registry's order."""
        from etsl.compiler.enums import CONSEQUENCE_KINDS

        used = {c.kind for p in self.penalties for c in p.consequences}
        return tuple(k for k in CONSEQUENCE_KINDS.values_of() if k in used)

    @property
    def ranged_kinds(self) -> tuple[str, ...]:
        """The consequence kinds some consequence states a range of (`fine from A up to B`):
        their results carry a minimum beside the total."""
        ranged = {c.kind for p in self.penalties for c in p.consequences if c.lower is not None}
        return tuple(k for k in self.consequence_kinds if k in ranged)

    @property
    def credit_types(self) -> tuple[str, ...]:
        """Credit and offset unit types, in the order accept clauses name them (the order
        they are used in)."""
        named = [u for c in self.surrender if c.kind == "accept" for u in c.units]
        ordered = dict.fromkeys([*named, *self.units])
        return tuple(u for u in ordered if self.units[u].kind in ("credit", "offset"))

    @property
    def allocation_type(self) -> str | None:
        """The first allowance unit type: what the allocation and `banked` are made of."""
        return next((u.name for u in self.units.values() if u.kind == "allowance"), None)

    @property
    def period_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.periods)

    @property
    def steps(self) -> tuple[tuple[str, int | None], ...]:
        """The rows of one participant's chain, in order: each period, or each year of a
        period kept by year."""
        return tuple((p.name, year) for p in self.periods for year in (p.data_years or (None,)))

    @property
    def by_year(self) -> bool:
        """Whether some period is kept by year (rows carry a year)."""
        return any(p.data_years for p in self.periods)

    def period_of_year(self, year: int) -> str | None:
        """The period kept by year that holds this year."""
        return next((p.name for p in self.periods if year in p.data_years), None)

    def period_holding(self, year: int) -> str | None:
        """The period whose years hold this year: the period of a system value's year."""
        return next(
            (
                p.name
                for p in self.periods
                if p.first_year is not None and p.first_year <= year < p.first_year + p.years
            ),
            None,
        )

    def data_years(self, name: str) -> tuple[int, ...]:
        return next((p.data_years for p in self.periods if p.name == name), ())

    def first_year(self, name: str) -> int | None:
        return next((p.first_year for p in self.periods if p.name == name), None)

    def period_years(self, name: str) -> Decimal | None:
        return next((p.years for p in self.periods if p.name == name), None)

    def unit_of(self, name: str) -> str:
        """How a value of this name is shown: `tCO2e`, `%`, `JPY`, `` for plain numbers."""
        for table in (self.inputs, self.params, self.tables, self.rules):
            item = table.get(name)
            if item is not None:
                return item.unit
        if self.system and name in self.system.names:
            return self.system.program.unit_of(name)
        return self.runtime_units.get(name, "")

    def kind_of(self, name: str) -> RefKind | None:
        """What a name reads, by the priority expressions bind names with."""
        for kind, table in (
            (RefKind.INPUT, self.inputs),
            (RefKind.PARAM, self.params),
            (RefKind.TABLE, self.tables),
            (RefKind.RULE, self.rules),
            (RefKind.RUNTIME, self.runtime_meanings),
        ):
            if name in table:
                return kind
        return RefKind.SYSTEM if self.system and name in self.system.names else None

    def about(self, name: str) -> Described:
        for table in (self.rules, self.params, self.tables, self.inputs):
            item = table.get(name)
            if item is not None:
                return item.about
        if self.system and name in self.system.names:
            return self.system.program.about(name)
        return Described(self.runtime_meanings.get(name))


def table_candidates(key: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The entries a table key selects, most specific first: the exact key, then `*` in
    the column, the row, and both (two dimensions); the exact key then all `*` (one)."""
    if len(key) == 2:
        return (key, (key[0], "*"), ("*", key[1]), ("*", "*"))
    return (key, ("*",) * len(key))


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def attribute_value(raw: Value | int) -> Value:
    """A holding attribute as filters read it: whole or decimal numbers (declared
    `vintage = 2013`, or a data cell) as exact decimals, anything else as it is."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    if isinstance(raw, str) and _NUMBER.match(raw):
        return Decimal(raw)
    return raw
