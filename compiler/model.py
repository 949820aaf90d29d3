"""The scheme model: the public, JSON-exportable contract (pydantic).

    to_model(checked, graph) -> SchemeModel

Docs, comparisons, linkage analysis and other tools read this model, never the AST.
Formulas carry canonical ETSL text and the unit of their result; numbers are strings so
that exact decimals survive JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from etsl.compiler import ast
from etsl.compiler.check import CheckedScheme
from etsl.compiler.features import Statement, price_kinds, statements
from etsl.compiler.graph import RuleGraph
from etsl.compiler.gwp import gwp
from etsl.compiler.periods import period_dates, period_years
from etsl.compiler.printer import number_text, print_expr
from etsl.compiler.source import Span
from etsl.compiler.types import Quant
from etsl.compiler.units import dims_name
from etsl.compiler.validate import constant
from etsl.compiler.vocabulary import MEANINGS, is_default
from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = "etsl.scheme/1"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(Frozen):
    path: str
    line: int
    col: int

    @staticmethod
    def of(span: Span) -> Location:
        return Location(path=span.path, line=span.line, col=span.col)


class Citation(Frozen):
    source: str
    locator: str | None = None
    confidence: str | None = Field(
        default=None,
        description="primary, secondary or unconfirmed, when this citation says so",
    )
    also: tuple[Citation, ...] = Field(
        default=(),
        description="the other sources the value is drawn from, each with its own locator "
        'and confidence (`cite a "x", b "y"`)',
    )

    def all(self) -> tuple[Citation, ...]:
        """This citation and the others it lists, in order."""
        return (self, *self.also)


class Formula(Frozen):
    text: str = Field(description="canonical ETSL text")
    unit: str = Field("", description="unit of the result ('' for plain numbers, or a type)")
    constant: str | None = Field(None, description="value when the formula is constant")


class Source(Frozen):
    id: str
    citation: str
    url: str | None = None
    confidence: str | None = Field(
        default=None,
        description="primary (the official text), secondary (a report of it) or "
        "unconfirmed (not verified in a readable source); null when not stated",
    )


class MetaValue(Frozen):
    value: str
    values: list[str] = Field([], description="the names of an unquoted list (cap_type)")
    cite: Citation | None = None
    location: Location | None = None


class PeriodModel(Frozen):
    name: str
    keyword: Literal["period", "phase"]
    start: str
    end: str
    start_date: str | None
    end_date: str | None
    years: str
    label: str | None = None
    cite: Citation | None = None
    location: Location | None = None
    by_year: bool = False  # one obligation per year, the last year closing the period


class InputModel(Frozen):
    name: str
    type: str
    unit: str | None = None
    values: list[str] | None = None
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None
    block: str | None = Field(
        default=None,
        description="the participant block that declares it (a scheme may describe the "
        "participants in one block and market-wide inputs in another)",
    )
    carried: str | None = Field(
        default=None,
        description="a system input carried from the year before: the system value whose "
        "previous year's value it takes when the system data leaves it blank",
    )
    optional: bool = Field(
        default=False,
        description="a system input the system data may leave out (`else none`): values that "
        "read it in a year it is not given are not computed, without an error",
    )


class BlockModel(Frozen):
    """One `participant NAME "description" { … }` block."""

    name: str
    description: str | None = None


class ParticipantModel(Frozen):
    name: str
    description: str | None = None
    inputs: list[InputModel]
    blocks: list[BlockModel] = []


class ParamModel(Frozen):
    name: str
    formula: Formula
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class TableModel(Frozen):
    name: str
    dims: list[str]
    description: str | None = None
    rows: list[list[str]] = Field(
        description="cells as written; for two dimensions the first row is the header"
    )
    entries: dict[str, str] = Field(description="'key' or 'row/column' → value")
    unit: str = ""
    cite: Citation | None = None
    location: Location | None = None


class RuleModel(Frozen):
    name: str
    formula: Formula
    vocabulary: bool = False
    default: bool = Field(False, description="a default rule the scheme did not write")
    meaning: str | None = None
    description: str | None = None
    cite: Citation | None = None
    depends_on: list[str] = []
    location: Location | None = None
    system: bool = Field(False, description="a value of the whole scheme in a year")


class UnitModel(Frozen):
    kind: str
    name: str
    origin: str | None = None
    description: str | None = None
    attributes: dict[str, str] = {}
    cite: Citation | None = None
    location: Location | None = None


class SurrenderModel(Frozen):
    kind: Literal["accept", "limit", "share"]
    units: list[str]
    limit: Formula | None = None
    where: Formula | None = None
    bound: Literal["at least", "at most"] | None = None
    share: Formula | None = None  # a share clause's share of its group
    among: list[str] = []
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class BankRuleModel(Frozen):
    """`except U where …` or `limit U up to …` in a banking block."""

    kind: Literal["except", "limit"]
    units: list[str]
    where: Formula | None = None
    limit: Formula | None = None
    description: str | None = None
    cite: Citation | None = None


class PeriodCarryingModel(Frozen):
    """`during cycle2 next_period up to …`: borrowing's mode in some periods."""

    periods: list[str]
    mode: str
    limit: Formula | None = None
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class BankingModel(Frozen):
    mode: str
    limit: Formula | None = None
    rules: list[BankRuleModel] = []
    during: list[PeriodCarryingModel] = Field(
        [], description="borrowing's modes in some periods (the mode above holds in the others)"
    )
    cite: Citation | None = None
    location: Location | None = None


class HoldingLimitModel(Frozen):
    """`holding_limit U, V up to L`: the most units of these types a participant may hold."""

    units: list[str]
    limit: Formula
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class PriceModel(Frozen):
    name: str
    value: Formula
    from_year: int | None = None
    rising: Formula | None = None
    rising_plus: str | None = None
    paid_in_lieu: bool = False  # a participant pays it per tonne it does not surrender
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class PriceMeasureModel(Frozen):
    """`price supply_adjustment "…"`: a price control stated without a level."""

    name: str
    description: str
    cite: Citation | None = None
    location: Location | None = None


class MixModel(Frozen):
    """`with CCA, QCA at least 75 %`: the unit mix of units owed."""

    units: list[str]
    bound: Literal["at least", "at most"]
    share: Formula


class ConsequenceModel(Frozen):
    kind: str
    amount: Formula | None = None
    limit: Formula | None = None
    lower: Formula | None = Field(
        None, description="`from A up to B`: the least of a range whose most is the limit"
    )
    mix: MixModel | None = None
    within: Formula | None = Field(None, description="the time allowed to settle")
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class PenaltyModel(Frozen):
    name: str | None = None
    condition: Formula | None = Field(None, description="None: the scheme has no penalty")
    consequences: list[ConsequenceModel] = []
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class SupportModel(Frozen):
    name: str
    description: str | None = None
    limit: Formula | None = None
    since: str | None = None
    until: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class LinkModel(Frozen):
    target: str
    direction: str
    since: str | None = None
    until: str | None = None
    units: list[str] = []
    status: str | None = Field(None, description="proposed, agreed, operating, suspended, ended")
    conditions: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class FeatureModel(Frozen):
    """What a scheme states about an optional feature (compiler/features.py)."""

    status: Literal["declared", "none", "not_stated"]
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class AllocationModel(Frozen):
    methods: list[str]
    description: str | None = None
    cite: Citation | None = None
    location: Location | None = None


class ExampleModel(Frozen):
    title: str
    given: dict[str, str]
    expect: dict[str, str]
    location: Location


class SchemeModel(Frozen):
    """One scheme, as other tools see it."""

    format: str = FORMAT_VERSION
    name: str
    title: str | None = None
    extends: str | None = None
    path: str
    meta: dict[str, MetaValue] = {}
    sources: list[Source] = []
    calendar: str | None = None
    fiscal_year_start: str | None = None
    periods: list[PeriodModel] = []
    gases: list[str] = []
    gwp_basis: str | None = None
    gwp: dict[str, str] = {}
    scope: list[str] = []
    participant: ParticipantModel | None = None
    params: list[ParamModel] = []
    tables: list[TableModel] = []
    rules: list[RuleModel] = []
    units: list[UnitModel] = []
    surrender: list[SurrenderModel] = []
    banking: BankingModel | None = None
    borrowing: BankingModel | None = None
    holding_limits: list[HoldingLimitModel] = []
    price_controls: list[PriceModel] = []
    price_measures: list[PriceMeasureModel] = Field(
        [], description="Price controls the sources state without a level"
    )
    penalties: list[PenaltyModel] = []
    support: list[SupportModel] = []
    links: list[LinkModel] = []
    allocation: AllocationModel | None = None
    examples: list[ExampleModel] = []
    price_kinds: dict[str, FeatureModel] = Field(
        {},
        description="What the scheme states about each kind of price control (floor, "
        "ceiling, supply): declared, none or not_stated.",
    )
    features: dict[str, FeatureModel] = Field(
        {},
        description="price_controls, banking, borrowing, credits, verification, penalties, "
        "links: declared, declared none, or not stated (never read absence as none)",
    )
    location: Location | None = None
    gases_location: Location | None = None
    gases_cite: Citation | None = None
    scope_cite: Citation | None = None
    scope_location: Location | None = None
    calendar_location: Location | None = None

    def meta_value(self, key: str) -> str | None:
        item = self.meta.get(key)
        return item.value if item else None

    def meta_values(self, key: str) -> list[str]:
        """The values of a list keyword (`cap_type benchmark, grandfathering`), else [value]."""
        item = self.meta.get(key)
        if item is None:
            return []
        return list(item.values) or [item.value]

    def rule(self, name: str) -> RuleModel | None:
        return next((r for r in self.rules if r.name == name), None)

    def price_control_names(self) -> list[str]:
        """Every price control's name: those with a level, then those stated without one."""
        return [p.name for p in self.price_controls] + [x.name for x in self.price_measures]


# ---- conversion ---------------------------------------------------------------------------


class _Converter:
    def __init__(self, checked: CheckedScheme, graph: RuleGraph) -> None:
        self.checked = checked
        self.s = checked.resolved
        self.graph = graph
        from etsl.compiler.check import Checker

        self.checker = Checker.of(checked)

    def formula(self, expr: ast.Expr | None) -> Formula | None:
        if expr is None:
            return None
        value = constant(expr, self.s)
        kind = self.checker.infer(expr)
        unit = dims_name(kind.dims) if isinstance(kind, Quant) else str(kind)
        return Formula(
            text=print_expr(expr),
            unit=unit,
            constant=number_text(value.normalize()) if value is not None else None,
        )

    def formula_of(self, expr: ast.Expr) -> Formula:
        result = self.formula(expr)
        assert result is not None
        return result

    def type_text(self, name: str) -> str:
        kind = self.checked.types.get(name)
        return dims_name(kind.dims) if isinstance(kind, Quant) else str(kind or "")

    def depends_on(self, node: str) -> list[str]:
        if not self.graph.has_node(node):
            return []
        return sorted(self.graph.nodes[p]["name"] for p in self.graph.predecessors(node))


def _feature(st: Statement) -> FeatureModel:
    return FeatureModel(
        status=st.status,
        description=st.description,
        cite=_cite(st.cite),
        location=Location.of(st.span) if st.span else None,
    )


def _cite(cite: ast.Cite | None) -> Citation | None:
    if cite is None:
        return None
    return _citation(cite)


def _citation(cite: ast.Cite) -> Citation:
    return Citation(
        source=cite.source,
        locator=cite.locator,
        confidence=cite.confidence,
        also=tuple(map(_citation, cite.also)),
    )


def _periods(c: _Converter) -> list[PeriodModel]:
    out = []
    for p in c.s.periods.values():
        dates = period_dates(p, c.s.calendar)
        out.append(
            PeriodModel(
                name=p.name,
                keyword="phase" if p.keyword == "phase" else "period",
                start=p.start.text,
                end=p.end.text,
                start_date=dates[0].isoformat() if dates else None,
                end_date=dates[1].isoformat() if dates else None,
                years=number_text(period_years(p, c.s.calendar).normalize()),
                label=p.label,
                cite=_cite(p.cite),
                location=Location.of(p.span),
                by_year=p.by_year is not None,
            )
        )
    return out


#: The block the model gives the system inputs (documents show them as market-wide data).
SYSTEM_BLOCK = "system"
SYSTEM_DESCRIPTION = "Values of the whole scheme for each year (the system level)"


def _participant(c: _Converter) -> ParticipantModel | None:
    p = c.s.participant
    if p is None:
        return None
    declared = [d for d in c.s.scheme.decls if isinstance(d, ast.Participant)]
    block_of = {f.name: d.name for d in declared for f in d.fields}
    inputs = []
    # the system inputs: one value of the whole scheme per year, shown as market-wide data
    system_inputs = c.s.system.inputs
    block_of.update(dict.fromkeys(system_inputs, SYSTEM_BLOCK))
    fields: list[ast.Field | ast.SystemInput] = [*c.s.fields.values(), *system_inputs.values()]
    for f in fields:
        if isinstance(f.type, ast.EnumType):
            inputs.append(
                InputModel(
                    name=f.name,
                    type="enum",
                    values=list(f.type.values),
                    cite=_cite(f.cite),
                    location=Location.of(f.span),
                    description=f.description,
                    block=block_of.get(f.name),
                )
            )
        else:
            inputs.append(
                InputModel(
                    name=f.name,
                    type=c.type_text(f.name),
                    unit=f.type.unit,
                    cite=_cite(f.cite),
                    location=Location.of(f.span),
                    description=f.description,
                    block=block_of.get(f.name),
                    carried=f.carried if isinstance(f, ast.SystemInput) else None,
                    optional=isinstance(f, ast.SystemInput) and f.optional,
                )
            )
    blocks = [BlockModel(name=d.name, description=d.description) for d in declared]
    if system_inputs:
        blocks.append(BlockModel(name=SYSTEM_BLOCK, description=SYSTEM_DESCRIPTION))
    return ParticipantModel(name=p.name, description=p.description, inputs=inputs, blocks=blocks)


def _cell_text(cell: ast.Cell) -> str:
    from etsl.compiler.fmt import cell_text

    return cell_text(cell)


def _table(c: _Converter, t: ast.Table) -> TableModel:
    rows = [[_cell_text(cell) for cell in row.cells] for row in t.rows]
    entries: dict[str, str] = {}
    if len(t.dims) == 2 and rows:
        header = rows[0]
        for row in rows[1:]:
            for column, value in zip(header[1:], row[1:], strict=False):
                entries[f"{row[0]}/{column}"] = value
    else:
        entries = {row[0]: row[1] for row in rows if len(row) >= 2}
    return TableModel(
        name=t.name,
        dims=list(t.dims),
        description=t.description,
        rows=rows,
        entries=entries,
        unit=c.type_text(t.name),
        cite=_cite(t.cite),
        location=Location.of(t.span),
    )


def _rules(c: _Converter) -> list[RuleModel]:
    return [
        RuleModel(
            name=r.name,
            formula=c.formula_of(r.expr),
            vocabulary=r.vocabulary or r.name in MEANINGS,
            default=is_default(r),
            meaning=MEANINGS.get(r.name),
            description=r.description,
            cite=_cite(r.cite),
            depends_on=c.depends_on(f"{'system' if system else 'rule'}:{r.name}"),
            location=None if is_default(r) else Location.of(r.span),
            system=system,
        )
        for system, r in [
            *((False, r) for r in c.s.rules.values()),
            *((True, r) for r in c.s.system.rules.values()),  # the system level's rules
        ]
    ]


def _surrender(c: _Converter) -> list[SurrenderModel]:
    out = []
    for item in c.s.surrender.items if c.s.surrender else ():
        if isinstance(item, ast.Accept):
            out.append(
                SurrenderModel(
                    kind="accept",
                    units=list(item.units),
                    limit=c.formula(item.limit),
                    where=c.formula(item.where),
                    description=item.description,
                    cite=_cite(item.cite),
                    location=Location.of(item.span),
                )
            )
        elif isinstance(item, ast.ShareClause):
            out.append(
                SurrenderModel(
                    kind="share",
                    units=list(item.units),
                    bound=item.bound,  # type: ignore[arg-type]
                    share=c.formula(item.share),
                    among=list(item.among),
                    description=item.description,
                    cite=_cite(item.cite),
                    location=Location.of(item.span),
                )
            )
        else:
            out.append(
                SurrenderModel(
                    kind="limit",
                    units=list(item.units),
                    limit=c.formula(item.limit),
                    description=item.description,
                    cite=_cite(item.cite),
                    location=Location.of(item.span),
                )
            )
    return out


def _banking(c: _Converter, b: ast.Banking | None) -> BankingModel | None:
    if b is None:
        return None
    rules = [
        BankRuleModel(
            kind=r.kind,  # type: ignore[arg-type]
            units=list(r.units),
            where=c.formula(r.where),
            limit=c.formula(r.limit),
            description=r.description,
            cite=_cite(r.cite),
        )
        for r in b.rules
    ]
    during = [
        PeriodCarryingModel(
            periods=list(r.periods),
            mode=r.mode,
            limit=c.formula(r.limit),
            description=r.description,
            cite=_cite(r.cite),
            location=Location.of(r.span),
        )
        for r in b.during
    ]
    return BankingModel(
        mode=b.mode,
        limit=c.formula(b.limit),
        rules=rules,
        during=during,
        cite=_cite(b.cite),
        location=Location.of(b.span),
    )


def _penalties(c: _Converter) -> list[PenaltyModel]:
    return [
        PenaltyModel(
            name=p.name,
            condition=c.formula(p.condition),
            consequences=[
                ConsequenceModel(
                    kind=q.kind,
                    amount=c.formula(q.amount),
                    limit=c.formula(q.limit),
                    lower=c.formula(q.lower),
                    mix=_mix(c, q.mix),
                    within=c.formula(q.within),
                    description=q.description,
                    cite=_cite(q.cite),
                    location=Location.of(q.span),
                )
                for q in p.consequences
            ],
            description=p.description,
            cite=_cite(p.cite),
            location=Location.of(p.span),
        )
        for p in c.s.penalties
    ]


def _example(e: ast.Example) -> ExampleModel:
    return ExampleModel(
        title=e.title,
        given={".".join(b.path): print_expr(b.value) for b in e.given},
        expect={".".join(b.path): print_expr(b.value) for b in e.expect},
        location=Location.of(e.span),
    )


def _gases(c: _Converter) -> dict[str, Any]:
    g = c.s.gases
    if g is None:
        return {}
    basis = g.basis
    values = {name: gwp(basis, name) if basis else None for name in g.names}
    return {
        "gases": list(g.names),
        "gwp_basis": g.basis,
        "gwp": {k: number_text(v) for k, v in values.items() if v is not None},
    }


def _mix(c: _Converter, mix: ast.Mix | None) -> MixModel | None:
    if mix is None:
        return None
    share = c.formula(mix.share)
    assert share is not None
    return MixModel(units=list(mix.units), bound=mix.bound, share=share)  # type: ignore[arg-type]


def to_model(checked: CheckedScheme, graph: RuleGraph) -> SchemeModel:
    """The public model of a checked scheme."""
    c = _Converter(checked, graph)
    s = c.s
    return SchemeModel(
        name=s.name,
        title=s.scheme.title,
        extends=s.scheme.extends,
        path=s.scheme.span.path,
        meta={
            k: MetaValue(
                value=m.value,
                values=list(m.values),
                cite=_cite(m.cite),
                location=Location.of(m.span),
            )
            for k, m in s.meta.items()
        },
        sources=[
            Source(id=x.name, citation=x.citation, url=x.url, confidence=x.confidence)
            for x in s.sources.values()
        ],
        calendar=s.calendar.kind if s.calendar else None,
        fiscal_year_start=s.calendar.start_month if s.calendar else None,
        periods=_periods(c),
        scope=list(s.scope.names) if s.scope else [],
        participant=_participant(c),
        params=[
            ParamModel(
                name=p.name,
                formula=c.formula_of(p.value),
                description=p.description,
                cite=_cite(p.cite),
                location=Location.of(p.span),
            )
            for p in (*s.params.values(), *s.system.params.values())
        ],
        tables=[_table(c, t) for t in (*s.tables.values(), *s.system.tables.values())],
        rules=_rules(c),
        units=[
            UnitModel(
                kind=u.kind,
                name=u.name,
                origin=u.origin,
                description=u.description,
                attributes={a.name: a.value for a in u.attrs},
                cite=_cite(u.cite),
                location=Location.of(u.span),
            )
            for u in s.units.values()
        ],
        surrender=_surrender(c),
        banking=_banking(c, s.banking),
        borrowing=_banking(c, s.borrowing),
        holding_limits=[
            HoldingLimitModel(
                units=list(h.units),
                limit=c.formula_of(h.limit),
                description=h.description,
                cite=_cite(h.cite),
                location=Location.of(h.span),
            )
            for h in s.holding_limits
        ],
        price_controls=[
            PriceModel(
                name=p.name,
                value=c.formula_of(p.value),
                from_year=p.from_year,
                rising=c.formula(p.rising),
                rising_plus=p.rising_plus,
                paid_in_lieu=p.in_lieu,
                description=p.description,
                cite=_cite(p.cite),
                location=Location.of(p.span),
            )
            for p in s.prices
        ],
        price_measures=[
            PriceMeasureModel(
                name=p.name,
                description=p.description,
                cite=_cite(p.cite),
                location=Location.of(p.span),
            )
            for p in s.price_measures
        ],
        penalties=_penalties(c),
        support=[
            SupportModel(
                name=x.name,
                description=x.description,
                limit=c.formula(x.limit),
                since=x.since.isoformat() if x.since else None,
                until=x.until.isoformat() if x.until else None,
                cite=_cite(x.cite),
                location=Location.of(x.span),
            )
            for x in s.supports
        ],
        links=[
            LinkModel(
                target=x.target,
                direction=x.direction,
                since=x.since.isoformat() if x.since else None,
                until=x.until.isoformat() if x.until else None,
                units=list(x.units),
                status=x.status,
                conditions=x.conditions,
                cite=_cite(x.cite),
                location=Location.of(x.span),
            )
            for x in s.links
        ],
        allocation=AllocationModel(
            methods=list(s.allocation.methods),
            description=s.allocation.description,
            cite=_cite(s.allocation.cite),
            location=Location.of(s.allocation.span),
        )
        if s.allocation
        else None,
        examples=[_example(e) for e in s.examples],
        features={name: _feature(st) for name, st in statements(s).items()},
        price_kinds={kind: _feature(st) for kind, st in price_kinds(s).items()},
        location=Location.of(s.scheme.span),
        gases_location=Location.of(s.gases.span) if s.gases else None,
        gases_cite=_cite(s.gases.cite) if s.gases else None,
        scope_cite=_cite(s.scope.cite) if s.scope else None,
        scope_location=Location.of(s.scope.span) if s.scope else None,
        calendar_location=Location.of(s.calendar.span) if s.calendar else None,
        **_gases(c),
    )
