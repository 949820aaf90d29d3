"""The abstract syntax tree: frozen dataclasses whose last field is the span.

Nodes declare their children as ordinary fields, so `children()` and `walk()` traverse
any node generically (as Jinja2's `fields` do).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from etsl.compiler.frozen import frozen
from etsl.compiler.source import Span

# ---- expressions ---------------------------------------------------------------------------


@frozen
class Quantity:
    """A number with an optional unit, e.g. `1500 kL_oe/yr` or `8 %`."""

    value: Decimal
    unit: str | None
    span: Span


@frozen
class Bool:
    value: bool
    span: Span


@frozen
class DateLit:
    value: date
    span: Span


@frozen
class Name:
    name: str
    span: Span


@frozen
class Attribute:
    """`issuer.base_emissions`, `holding.vintage`."""

    base: Expr
    name: str
    span: Span


@frozen
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span


@frozen
class Binary:
    """Arithmetic: `+ - * /`."""

    op: str
    left: Expr
    right: Expr
    span: Span


@frozen
class Compare:
    op: str
    left: Expr
    right: Expr
    span: Span


@frozen
class Logical:
    """`and` / `or`."""

    op: str
    left: Expr
    right: Expr
    span: Span


@frozen
class Not:
    operand: Expr
    span: Span


@frozen
class Neg:
    operand: Expr
    span: Span


@frozen
class If:
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span


@frozen
class Member:
    """`category in {office, factory}`."""

    operand: Expr
    values: tuple[str, ...]
    span: Span


@frozen
class ShareOf:
    """`1 / 3 of required_reduction`: a dimensionless share of a quantity."""

    share: Expr
    whole: Expr
    span: Span


Expr = (
    Quantity
    | Bool
    | DateLit
    | Name
    | Attribute
    | Call
    | Binary
    | Compare
    | Logical
    | Not
    | Neg
    | If
    | Member
    | ShareOf
)

# ---- declarations --------------------------------------------------------------------------


@frozen
class Cite:
    """`cite SOURCE ["locator"] [primary|secondary|unconfirmed] (, SOURCE …)*`

    The fields are the first citation's; `also` holds the others, in order (a value drawn
    from several texts: `cite tmg_2016 "periods 1-3", tmg_2023_bill "period 4"`)."""

    source: str
    locator: str | None
    span: Span
    confidence: str | None = None
    also: tuple[Cite, ...] = ()

    def all(self) -> tuple[Cite, ...]:
        """This citation and the others it lists, in order."""
        return (self, *self.also)


@frozen
class Meta:
    """`jurisdiction "…"`, `kind cap_and_trade`, `cap_type absolute, intensity`, …

    `value` is the text (a list joined with ", "); `values` the names of an unquoted list."""

    key: str
    value: str
    quoted: bool
    values: tuple[str, ...]
    cite: Cite | None
    span: Span


@frozen
class SourceDecl:
    """`source NAME "citation" [url "…"] [primary|secondary|unconfirmed]`"""

    name: str
    citation: str
    url: str | None
    span: Span
    confidence: str | None = None


@frozen
class Uses:
    name: str
    span: Span


@frozen
class Calendar:
    kind: str
    start_month: str | None
    span: Span


@frozen
class PeriodBound:
    text: str
    kind: str  # "name" (FY2010), "int" (2013) or "date" (2014-01-01)
    span: Span


@frozen
class Period:
    keyword: str
    name: str
    start: PeriodBound
    end: PeriodBound
    label: str | None
    cite: Cite | None
    span: Span
    by_year: Span | None = None  # `by year`: its span (data and obligations come per year)


@frozen
class Gases:
    names: tuple[str, ...]
    basis: str | None
    cite: Cite | None
    span: Span


@frozen
class Scope:
    names: tuple[str, ...]
    cite: Cite | None
    span: Span


@frozen
class UnitType:
    unit: str
    span: Span


@frozen
class EnumType:
    values: tuple[str, ...]
    span: Span


TypeRef = UnitType | EnumType


@frozen
class Field:
    name: str
    type: TypeRef
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Participant:
    name: str
    description: str | None
    fields: tuple[Field, ...]
    span: Span


@frozen
class Covered:
    condition: Expr
    cite: Cite | None
    span: Span


@frozen
class Param:
    name: str
    value: Expr
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class CellName:
    name: str
    span: Span


@frozen
class CellAny:
    span: Span


Cell = Quantity | Bool | DateLit | CellName | CellAny


@frozen
class Row:
    cells: tuple[Cell, ...]
    span: Span


@frozen
class Table:
    name: str
    dims: tuple[str, ...]
    description: str | None
    rows: tuple[Row, ...]
    cite: Cite | None
    span: Span


@frozen
class Rule:
    name: str
    vocabulary: bool
    expr: Expr
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Attr:
    name: str
    value: str
    span: Span


@frozen
class UnitDecl:
    kind: str
    name: str
    origin: str | None
    description: str | None
    attrs: tuple[Attr, ...]
    cite: Cite | None
    span: Span


@frozen
class Units:
    decls: tuple[UnitDecl, ...]
    span: Span


@frozen
class Accept:
    units: tuple[str, ...]
    limit: Expr | None
    where: Expr | None
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Limit:
    units: tuple[str, ...]
    limit: Expr
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class ShareClause:
    """`limit deb at least 50 % among deb, non_deb`: after the accept and limit clauses
    before it, the listed unit types make up at least (at most) a share of the group."""

    units: tuple[str, ...]
    bound: str  # "at least" or "at most"
    share: Expr
    among: tuple[str, ...]
    description: str | None
    cite: Cite | None
    span: Span


SurrenderItem = Accept | Limit | ShareClause


@frozen
class Surrender:
    items: tuple[SurrenderItem, ...]
    span: Span


@frozen
class BankRule:
    """`except EUA where period == phase1` (those units are not banked) or
    `limit CER, ERU up to 2.5 % of assigned_amount` (banked up to a limit), applied when a
    period closes."""

    kind: str  # "except" or "limit"
    units: tuple[str, ...]
    where: Expr | None
    limit: Expr | None
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class HoldingLimit:
    """`holding_limit CCA, QCA up to L`: the most units of these types a participant may hold;
    what it holds beyond the limit is its `holding_excess` (a default rule)."""

    units: tuple[str, ...]
    limit: Expr
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class PeriodCarrying:
    """`during cycle2 next_period up to L`: the mode and limit of borrowing in some periods
    (the declaration's mode holds in the others)."""

    periods: tuple[str, ...]
    mode: str
    limit: Expr | None
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Banking:
    keyword: str  # "banking" or "borrowing"
    mode: str
    limit: Expr | None
    cite: Cite | None
    span: Span
    rules: tuple[BankRule, ...] = ()
    during: tuple[PeriodCarrying, ...] = ()  # borrowing's modes in some periods


@frozen
class Price:
    """`price ceiling 65 USD/tCO2e from 2021 rising 5 % plus cpi [paid in lieu]`."""

    name: str
    value: Expr
    from_year: int | None
    rising: Expr | None
    rising_plus: str | None
    in_lieu: bool  # a participant pays this price per tonne it does not surrender
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class SystemInput:
    """`input tnac: tCO2e "…"` in a system block: a value of the whole scheme for each year,
    read from the system data (one row per year). `else previous tnac_end` (`carried`): a
    year the data leaves blank takes the value `tnac_end` had the year before. `else none`
    (`optional`): the data may leave it out; values that read it are then not computed."""

    name: str
    type: TypeRef
    description: str | None
    cite: Cite | None
    span: Span
    carried: str | None = None
    optional: bool = False


SystemDecl = SystemInput | Param | Table | Rule | Price


@frozen
class System:
    """`system { … }`: declarations evaluated once per scheme and year (compiler/system.py)."""

    decls: tuple[SystemDecl, ...]
    span: Span


@frozen
class Mix:
    """`with CCA, QCA at least 75 %`: a share of the units owed that must (at least) or may
    (at most) be of the listed unit types."""

    units: tuple[str, ...]
    bound: str  # "at least" or "at most"
    share: Expr
    span: Span


@frozen
class Consequence:
    """`fine X`, `fine X up to L`, `fine up to L`, `fine from A up to B` (a range)."""

    kind: str
    amount: Expr | None
    limit: Expr | None
    lower: Expr | None  # `from A`: the least the authority may impose (with `up to`)
    mix: Mix | None
    within: Expr | None  # the time allowed to settle (`within 5 day`)
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Penalty:
    name: str | None
    condition: Expr | None  # None: `penalty none`
    consequences: tuple[Consequence, ...]
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Support:
    name: str
    description: str | None
    limit: Expr | None
    since: date | None
    until: date | None
    cite: Cite | None
    span: Span


@frozen
class Link:
    target: str
    direction: str
    since: date | None
    until: date | None
    units: tuple[str, ...]
    status: str | None  # proposed, agreed, operating, suspended, ended (enums.LINK_STATUSES)
    conditions: str | None
    cite: Cite | None
    span: Span


@frozen
class Allocation:
    methods: tuple[str, ...]
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class StatedNone:
    """`price none`, `credits none`, `link none`: the scheme has none of these."""

    feature: str  # price, credits, link
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class NotStated:
    """`not_stated borrowing, links "…"`: features the scheme's sources do not state."""

    features: tuple[str, ...]
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class PriceMeasure:
    """`price supply_adjustment "…" cite …`: a price control stated without a level."""

    name: str
    description: str
    cite: Cite | None
    span: Span


@frozen
class PriceKind:
    """`price ceiling not_stated "…"`, `price ceiling none "…"`: one kind of price control."""

    kind: str  # floor, ceiling, supply_adjustment
    status: str  # none, not_stated
    description: str | None
    cite: Cite | None
    span: Span


@frozen
class Binding:
    path: tuple[str, ...]
    value: Expr
    span: Span


@frozen
class Example:
    title: str
    given: tuple[Binding, ...]
    expect: tuple[Binding, ...]
    span: Span


Decl = (
    Meta
    | SourceDecl
    | Uses
    | Calendar
    | Period
    | Gases
    | Scope
    | Participant
    | Covered
    | Param
    | Table
    | Rule
    | Units
    | Surrender
    | Banking
    | HoldingLimit
    | Price
    | Penalty
    | Support
    | Link
    | Example
    | Allocation
    | StatedNone
    | NotStated
    | PriceKind
    | PriceMeasure
    | System
)


@frozen
class Scheme:
    """A `scheme` or a `catalogue` (a scheme fragment other schemes import and `use`)."""

    name: str
    title: str | None
    extends: str | None
    catalogue: bool
    decls: tuple[Decl, ...]
    span: Span


@frozen
class Import:
    path: str
    span: Span


@frozen
class Module:
    """One parsed file."""

    path: str
    imports: tuple[Import, ...]
    schemes: tuple[Scheme, ...]
    span: Span


# ---- generic traversal ----------------------------------------------------------------------


# Leaf types: a field whose declared type names only these never holds a node.
_LEAVES = frozenset({"str", "int", "bool", "float", "Decimal", "date", "None", "Span", "tuple"})
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_IS_NODE: dict[type, bool] = {}


def _may_hold_nodes(field: dataclasses.Field[object]) -> bool:
    """False when the field's declared type (its text: annotations are not evaluated here)
    names leaf types only; True for anything else, or a type that is not text."""
    if not isinstance(field.type, str):
        return True
    return not _LEAVES.issuperset(re.findall(r"[A-Za-z_]\w*", field.type))


def _node_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes, in field order (computed once
    per type from the declared field types)."""
    names = _NODE_FIELDS.get(kind)
    if names is None:
        fields = dataclasses.fields(kind)
        names = tuple(f.name for f in fields if f.name != "span" and _may_hold_nodes(f))
        _NODE_FIELDS[kind] = names
    return names


def _is_node(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = hasattr(kind, "__dataclass_fields__") and not issubclass(kind, Span)
        _IS_NODE[kind] = known
    return known


def _children(node: object) -> list[object]:
    found: list[object] = []
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        if type(value) is tuple:
            found.extend(v for v in value if _is_node(type(v)))
        elif _is_node(type(value)):
            found.append(value)
    return found


def children(node: object) -> Iterator[object]:
    """The child nodes of any AST node, in field order."""
    return iter(_children(node))


# While a scheme compiles, each pass walks the same expressions again (resolve, validate, the
# rule graph, …): `remembered_walks()` keeps each walk's nodes for the rest of the compile.
_WALKS: ContextVar[dict[int, tuple[object, list[object]]] | None] = ContextVar(
    "etsl_walks", default=None
)


@contextlib.contextmanager
def remembered_walks() -> Iterator[None]:
    """Remember `walk(node)` for each node walked until the block ends (the nodes are
    immutable, and each one stays referenced until then, so its id cannot be reused)."""
    token = _WALKS.set({})
    try:
        yield
    finally:
        _WALKS.reset(token)


def walk(node: object) -> Iterator[object]:
    """Every node under `node` (itself included), depth first."""
    memo = _WALKS.get()
    if memo is None:
        return iter(_walk(node))
    return iter(_remembered(memo, node, 1))


def _remembered(
    memo: dict[int, tuple[object, list[object]]], node: object, depth: int
) -> list[object]:
    """The nodes under `node`, from `memo` or walked and kept; a declaration's child
    expressions are kept too (`depth`), as the passes also walk them alone."""
    known = memo.get(id(node))
    if known is not None and known[0] is node:
        return known[1]
    if depth:
        order = [node]
        for child in _children(node):
            order.extend(_remembered(memo, child, depth - 1))
    else:
        order = _walk(node)
    memo[id(node)] = (node, order)
    return order


def _walk(node: object) -> list[object]:
    order: list[object] = []
    stack = [node]
    while stack:
        current = stack.pop()
        order.append(current)
        found = _children(current)
        found.reverse()
        stack.extend(found)
    return order


def share_arithmetic(node: ShareOf) -> Expr:
    """What `P of X` computes: `a / b of X` is `a * X / b` (the division comes last, so a
    third of 6,000 t is exactly 2,000 t); any other share P is `P * X`."""
    share = node.share
    if isinstance(share, Binary) and share.op == "/":
        return Binary("/", Binary("*", share.left, node.whole, node.span), share.right, node.span)
    return Binary("*", share, node.whole, node.span)


def clause_exprs(item: SurrenderItem) -> tuple[Expr, ...]:
    """The expressions of a surrender clause: its limit, filter or share."""
    if isinstance(item, ShareClause):
        return (item.share,)
    where = item.where if isinstance(item, Accept) else None
    return tuple(e for e in (item.limit, where) if e is not None)


def clause_units(item: SurrenderItem) -> tuple[str, ...]:
    """Every unit type a surrender clause names (a share clause's group too)."""
    if isinstance(item, ShareClause):
        return tuple(dict.fromkeys(item.units + item.among))
    return item.units


def names_used(expr: object) -> Iterator[Name]:
    """Every Name node in an expression (not attribute names or call names)."""
    return (n for n in walk(expr) if isinstance(n, Name))
