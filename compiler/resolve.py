"""Resolve a scheme: apply `extends` and `uses`, add default rules, bind and check every name.

    resolve(scheme, visible) -> (ResolvedScheme | None, diagnostics)

`visible` maps the names of schemes and catalogues defined in the same file or imported
files to their AST. A variant (`extends base`) starts from the base's declarations; each of
its own declarations replaces the base declaration with the same identity (same rule name,
same period, the surrender block, …) or is added.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from etsl.compiler import ast, codes
from etsl.compiler.builtins import BUILTINS
from etsl.compiler.diagnostics import Diagnostic, Related, did_you_mean, error
from etsl.compiler.enums import (
    ALLOCATION_METHODS,
    CALENDARS,
    LINK_STATUSES,
    META_VALUES,
    MULTIPLE_META,
    PRICE_CONTROLS,
    SCOPES,
)
from etsl.compiler.gwp import BASES, table
from etsl.compiler.periods import MONTHS
from etsl.compiler.source import Span
from etsl.compiler.system import (
    AGGREGATES,
    YEAR,
    SystemScope,
    level_problems,
    merge_systems,
    system_decls,
    system_scope,
)
from etsl.compiler.vocabulary import (
    DEFINABLE,
    MEANINGS,
    PARTICIPANT_TYPE,
    PRELUDE_PATH,
    RUNTIME_INPUTS,
    STEP_VALUES,
    BankingFacts,
    is_default,
    prelude_rules,
)

T = TypeVar("T")

GAS_FAMILIES = ("HFCs", "PFCs")
ATTRIBUTE_BASES = {
    "holding": ("vintage", "origin", "project_type", "host", "issuer_scheme", "quantity")
}


@dataclass(frozen=True)
class ResolvedScheme:
    """A scheme with its variants applied and every name bound."""

    scheme: ast.Scheme
    meta: Mapping[str, ast.Meta]
    sources: Mapping[str, ast.SourceDecl]
    periods: Mapping[str, ast.Period]
    fields: Mapping[str, ast.Field]
    params: Mapping[str, ast.Param]
    tables: Mapping[str, ast.Table]
    rules: Mapping[str, ast.Rule]
    units: Mapping[str, ast.UnitDecl]
    enum_values: Mapping[str, tuple[str, ...]]
    calendar: ast.Calendar | None = None
    gases: ast.Gases | None = None
    scope: ast.Scope | None = None
    surrender: ast.Surrender | None = None
    banking: ast.Banking | None = None
    borrowing: ast.Banking | None = None
    holding_limits: tuple[ast.HoldingLimit, ...] = ()
    penalties: tuple[ast.Penalty, ...] = ()
    prices: tuple[ast.Price, ...] = ()
    supports: tuple[ast.Support, ...] = ()
    links: tuple[ast.Link, ...] = ()
    allocation: ast.Allocation | None = None
    examples: tuple[ast.Example, ...] = ()
    participant: ast.Participant | None = None
    stated_none: Mapping[str, ast.StatedNone] = field(default_factory=dict)
    not_stated: tuple[ast.NotStated, ...] = ()
    price_kinds: tuple[ast.PriceKind, ...] = ()
    price_measures: tuple[ast.PriceMeasure, ...] = ()
    used: frozenset[str] = field(default_factory=frozenset)
    participant_types: tuple[str, ...] = ()  # every participant block's name
    system: SystemScope = field(default_factory=SystemScope)  # compiler/system.py

    @property
    def name(self) -> str:
        return self.scheme.name

    @property
    def price_controls(self) -> list[ast.Price | ast.PriceMeasure]:
        """The scheme's price controls, with a level or stated without one."""
        return [*self.prices, *self.price_measures]

    def meta_value(self, key: str) -> str | None:
        item = self.meta.get(key)
        return item.value if item else None


# ---- merging variants ---------------------------------------------------------------------


def decl_key(decl: ast.Decl | ast.SystemInput, index: int) -> tuple[object, ...]:
    """The identity of a declaration: a variant's declaration with the same key replaces it."""
    match decl:
        case ast.Meta(key=key):
            return ("meta", key)
        case (
            ast.SourceDecl(name=name)
            | ast.Param(name=name)
            | ast.Table(name=name)
            | ast.Rule(name=name)
        ):
            return ("source" if isinstance(decl, ast.SourceDecl) else "name", name)
        case ast.SystemInput(name=name):
            return ("name", name)
        case ast.Price(name=name) | ast.PriceMeasure(name=name):
            return ("Price", name)
        case ast.Period(name=name) | ast.Support(name=name):
            return (type(decl).__name__, name)
        case ast.Participant(name=name) | ast.Uses(name=name):
            return (type(decl).__name__, name)
        case ast.Link(target=target):
            return ("link", target)
        case ast.Example(title=title):
            return ("example", title)
        case ast.Penalty(name=name):
            return ("penalty", name) if name else ("penalty", None, index)
        case ast.Banking(keyword=keyword):
            return (keyword,)
        case ast.HoldingLimit(units=units):
            return ("holding_limit", frozenset(units))
        case ast.Units():
            return ("units", index)
        case ast.StatedNone(feature=feature):
            return ("none", feature)
        case ast.NotStated():
            return ("not_stated", index)
        case ast.PriceKind(kind=kind):
            return ("price_kind", kind)
        case ast.System():
            return ("system", index)  # several blocks add up (compiler/system.py)
        case _:
            return (type(decl).__name__,)


def _duplicates(decls: tuple[ast.Decl | ast.SystemInput, ...]) -> list[Diagnostic]:
    seen: dict[tuple[object, ...], ast.Decl | ast.SystemInput] = {}
    problems = []
    for index, decl in enumerate(decls):
        key = decl_key(decl, index)
        if key in seen:
            first = seen[key]
            code = (
                codes.DUPLICATE_NAME
                if key[0] in ("name", "source", "Period")
                else codes.DUPLICATE_DECLARATION
            )
            what = (
                f"'{key[1]}'"
                if len(key) > 1 and isinstance(key[1], str)
                else f"'{_decl_word(decl)}'"
            )
            problems.append(
                error(
                    code,
                    f"{what} is declared twice",
                    decl.span,
                    "remove one, or rename it",
                    [Related(first.span, "first declared here")],
                )
            )
        else:
            seen[key] = decl
    return problems


def _decl_word(decl: ast.Decl | ast.SystemInput) -> str:
    return {
        "Calendar": "calendar",
        "Gases": "gases",
        "Scope": "scope",
        "Covered": "covered",
        "Surrender": "surrender",
        "Allocation": "allocation",
    }.get(type(decl).__name__, type(decl).__name__.lower())


def merge(base: tuple[ast.Decl, ...], own: tuple[ast.Decl, ...]) -> tuple[ast.Decl, ...]:
    """Base declarations with own ones replacing same-key entries in place, then the rest."""
    own_by_key = {decl_key(d, i): d for i, d in enumerate(own)}
    merged: list[ast.Decl] = []
    for index, decl in enumerate(base):
        key = decl_key(decl, index)
        replacement = own_by_key.pop(key, None)
        merged.append(_merge_one(decl, replacement) if replacement else decl)
    merged.extend(own_by_key.values())
    return tuple(merged)


def _merge_one(base: ast.Decl, own: ast.Decl) -> ast.Decl:
    if isinstance(base, ast.Participant) and isinstance(own, ast.Participant):
        fields = {f.name: f for f in base.fields} | {f.name: f for f in own.fields}
        return replace(own, fields=tuple(fields.values()))
    if isinstance(base, ast.Surrender) and isinstance(own, ast.Surrender):
        return replace(own, items=merge_clauses(base.items, own.items))
    if isinstance(base, ast.System) and isinstance(own, ast.System):
        return merge_systems(base, own)
    return own


def clause_key(item: ast.SurrenderItem) -> tuple[str, frozenset[str]]:
    """The identity of a surrender clause: its keyword and the unit types it names."""
    return type(item).__name__, frozenset(item.units)


def merge_clauses(
    base: tuple[ast.SurrenderItem, ...], own: tuple[ast.SurrenderItem, ...]
) -> tuple[ast.SurrenderItem, ...]:
    """A variant's clauses replace the base clauses with the same keyword and unit types (in
    the base's order); its other clauses follow."""
    replacing = {clause_key(item): item for item in own}
    merged = [replacing.pop(clause_key(item), item) for item in base]
    return tuple(merged + list(replacing.values()))


def _flatten_units(decls: tuple[ast.Decl, ...]) -> tuple[ast.Decl, ...]:
    """All `units { … }` blocks as one, later definitions of a unit replacing earlier ones."""
    blocks = [d for d in decls if isinstance(d, ast.Units)]
    if len(blocks) <= 1:
        return decls
    by_name: dict[str, ast.UnitDecl] = {}
    for block in blocks:
        by_name.update({u.name: u for u in block.decls})
    merged = ast.Units(tuple(by_name.values()), blocks[-1].span)
    rest = tuple(d for d in decls if not isinstance(d, ast.Units))
    return rest + (merged,)


class _Expander:
    """Applies `extends` and `uses`, detecting unknown bases and cycles."""

    def __init__(self, visible: Mapping[str, ast.Scheme]) -> None:
        self.visible = visible
        self.diagnostics: list[Diagnostic] = []

    def expand(self, scheme: ast.Scheme, stack: tuple[str, ...] = ()) -> tuple[ast.Decl, ...]:
        base: tuple[ast.Decl, ...] = ()
        if scheme.extends:
            base = self._base_decls(scheme.extends, scheme.span, scheme, stack)
        own = scheme.decls
        for uses in (d for d in own if isinstance(d, ast.Uses)):
            used = self._base_decls(uses.name, uses.span, scheme, stack, catalogue=True)
            base = merge(base, tuple(d for d in used if not isinstance(d, ast.Meta)))
        return _flatten_units(merge(base, own))

    def _base_decls(
        self,
        name: str,
        span: Span,
        scheme: ast.Scheme,
        stack: tuple[str, ...],
        catalogue: bool = False,
    ) -> tuple[ast.Decl, ...]:
        if name in stack or name == scheme.name:
            self.diagnostics.append(
                error(
                    codes.EXTENDS_CYCLE,
                    f"'{scheme.name}' extends itself through {' → '.join(stack + (name,))}",
                    span,
                )
            )
            return ()
        target = self.visible.get(name)
        if target is None:
            what = "catalogue" if catalogue else "scheme"
            hint = did_you_mean(name, self.visible) or "define it in this file or import its file"
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_BASE,
                    f"no {what} named '{name}' is defined or imported",
                    span,
                    hint,
                )
            )
            return ()
        return self.expand(target, stack + (scheme.name,))


# ---- symbol tables --------------------------------------------------------------------------


def _collect(decls: tuple[ast.Decl, ...], kind: type[T]) -> list[T]:
    return [d for d in decls if isinstance(d, kind)]


def _first(decls: tuple[ast.Decl, ...], kind: type[T]) -> T | None:
    return next((d for d in decls if isinstance(d, kind)), None)


def _rules(decls: tuple[ast.Decl, ...], fields: Mapping[str, ast.Field]) -> dict[str, ast.Rule]:
    rules = {r.name: r for r in _collect(decls, ast.Rule)}
    covered = _first(decls, ast.Covered)
    if covered is not None:
        rules["covered"] = ast.Rule(
            "covered", True, covered.condition, "Coverage condition", covered.cite, covered.span
        )
    banking = next(
        (d for d in decls if isinstance(d, ast.Banking) and d.keyword == "banking"), None
    )
    mentioned = frozenset(
        n.name for decl in decls for n in ast.walk(decl) if isinstance(n, ast.Name)
    )
    units = [u for block in _collect(decls, ast.Units) for u in block.decls]
    facts = BankingFacts(
        credits=any(u.kind in ("credit", "offset") for u in units),
        allocation_type=next((u.name for u in units if u.kind == "allowance"), None),
        holdings=tuple(_collect(decls, ast.HoldingLimit)),
        by_year=any(p.by_year for p in _collect(decls, ast.Period)),
        in_lieu=next((p.name for p in system_scope(decls).prices.values() if p.in_lieu), None),
    )
    for rule in prelude_rules(set(rules), "emissions" in fields, banking, mentioned, facts):
        rules[rule.name] = rule
    return rules


def build(scheme: ast.Scheme, decls: tuple[ast.Decl, ...]) -> ResolvedScheme:
    participants = _collect(decls, ast.Participant)
    fields = {f.name: f for p in participants for f in p.fields}
    enum_values: dict[str, tuple[str, ...]] = {}
    for f in fields.values():
        if isinstance(f.type, ast.EnumType):
            for value in f.type.values:
                enum_values[value] = enum_values.get(value, ()) + (f.name,)
    if len(participants) > 1:  # block names are the values of `participant_type`
        for block in participants:
            enum_values[block.name] = enum_values.get(block.name, ()) + (PARTICIPANT_TYPE,)
    units = {u.name: u for block in _collect(decls, ast.Units) for u in block.decls}
    bankings = {b.keyword: b for b in _collect(decls, ast.Banking)}
    return ResolvedScheme(
        scheme=replace(scheme, decls=decls),
        meta={m.key: m for m in _collect(decls, ast.Meta)},
        sources={s.name: s for s in _collect(decls, ast.SourceDecl)},
        periods={p.name: p for p in _collect(decls, ast.Period)},
        fields=fields,
        params={p.name: p for p in _collect(decls, ast.Param)},
        tables={t.name: t for t in _collect(decls, ast.Table)},
        rules=_rules(decls, fields),
        units=units,
        enum_values=enum_values,
        calendar=_first(decls, ast.Calendar),
        gases=_first(decls, ast.Gases),
        scope=_first(decls, ast.Scope),
        surrender=_first(decls, ast.Surrender),
        banking=bankings.get("banking"),
        borrowing=bankings.get("borrowing"),
        penalties=tuple(_collect(decls, ast.Penalty)),
        prices=tuple(_collect(decls, ast.Price))
        + tuple(d for d in system_decls(decls) if isinstance(d, ast.Price)),
        supports=tuple(_collect(decls, ast.Support)),
        holding_limits=tuple(_collect(decls, ast.HoldingLimit)),
        links=tuple(_collect(decls, ast.Link)),
        allocation=_first(decls, ast.Allocation),
        examples=tuple(_collect(decls, ast.Example)),
        participant=participants[0] if participants else None,
        stated_none={d.feature: d for d in _collect(decls, ast.StatedNone)},
        not_stated=tuple(_collect(decls, ast.NotStated)),
        price_kinds=tuple(_collect(decls, ast.PriceKind)),
        price_measures=tuple(_collect(decls, ast.PriceMeasure)),
        participant_types=tuple(p.name for p in participants),
        system=system_scope(decls),
    )


# ---- name checks ------------------------------------------------------------------------------


class NameBinder:
    """Checks every reference in a resolved scheme."""

    def __init__(self, scheme: ResolvedScheme) -> None:
        self.s = scheme
        self.diagnostics: list[Diagnostic] = []
        self.used: set[str] = set()
        self._value_names = (
            set(scheme.fields)
            | set(scheme.params)
            | set(scheme.tables)
            | set(scheme.rules)
            | set(RUNTIME_INPUTS)
            | set(STEP_VALUES)
            | {"period"}
            | scheme.system.names
        )

    def value_names(self) -> set[str]:
        return self._value_names

    def check(self) -> None:
        self._meta()
        self._participant_names()
        for decl in self.s.scheme.decls:
            self._cites(decl)
        for name, expr, context in self.expressions():
            del name
            self._expr(expr, context)
        self._unit_refs()

    def expressions(self) -> Iterator[tuple[str, ast.Expr, str]]:
        """(owner, expression, context) for every expression a scheme evaluates."""
        s = self.s
        for param in s.params.values():
            yield param.name, param.value, "value"
        for rule in s.rules.values():
            yield rule.name, rule.expr, "value"
        for item in s.surrender.items if s.surrender else ():
            if isinstance(item, ast.ShareClause):
                yield "surrender", item.share, "value"
                continue
            if item.limit is not None:
                yield "surrender", item.limit, "value"
            if isinstance(item, ast.Accept) and item.where is not None:
                yield "surrender", item.where, "filter"
        for penalty in s.penalties:
            yield from self._penalty_expressions(penalty)
        for other in (s.banking, s.borrowing):
            if other is not None and other.limit is not None:
                yield other.keyword, other.limit, "value"
        for during in s.borrowing.during if s.borrowing else ():
            if during.limit is not None:
                yield "borrowing", during.limit, "value"
        for bank_rule in s.banking.rules if s.banking else ():
            if bank_rule.where is not None:
                yield "banking", bank_rule.where, "filter"
            if bank_rule.limit is not None:
                yield "banking", bank_rule.limit, "value"
        for holding in s.holding_limits:
            yield "holding_limit", holding.limit, "value"
        for owner, expr in s.system.expressions():
            yield owner, expr, "system"
        for support in s.supports:
            if support.limit is not None:
                yield "support", support.limit, "value"
        for example in s.examples:
            for binding in (*example.given, *example.expect):
                yield "example", binding.value, "value"

    def _penalty_expressions(self, penalty: ast.Penalty) -> Iterator[tuple[str, ast.Expr, str]]:
        if penalty.condition is not None:
            yield "penalty", penalty.condition, "value"
        for consequence in penalty.consequences:
            mix = consequence.mix.share if consequence.mix else None
            bounds = (consequence.amount, consequence.lower, consequence.limit)
            for expr in (*bounds, mix, consequence.within):
                if expr is not None:
                    yield "penalty", expr, "value"

    def _expr(self, expr: ast.Expr, context: str) -> None:
        nodes = list(ast.walk(expr))
        skip = {id(n.base) for n in nodes if isinstance(n, ast.Attribute)}
        skip |= {
            id(n.args[0])
            for n in nodes
            if isinstance(n, ast.Call)
            and n.args
            and n.func in BUILTINS
            and BUILTINS[n.func].unit_argument
        }
        for node in nodes:
            match node:
                case ast.Name(name=name, span=span) if id(node) not in skip:
                    if not (name == YEAR and context == "system"):
                        self._name(name, span)
                case ast.Call():
                    self._call(node)
                case ast.Attribute(base=ast.Name(name=base), name=attr, span=span):
                    self._attribute(base, attr, span, context)

    def _name(self, name: str, span: Span) -> None:
        if name in self.value_names() or name in self.s.periods or name in self.s.enum_values:
            self.used.add(name)
            return
        if name in ("holding", "issuer"):
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_NAME,
                    f"'{name}' is only available as '{name}.ATTRIBUTE' in a surrender filter",
                    span,
                )
            )
            return
        hint = self._name_hint(name)
        self.diagnostics.append(error(codes.UNKNOWN_NAME, f"unknown name '{name}'", span, hint))

    def _name_hint(self, name: str) -> str | None:
        if name in DEFINABLE:
            return f"this scheme defines no {name}; add '{name} = …'"
        if name in self.s.units:
            return f"'{name}' is a unit type; use held({name}) or eligible({name})"
        if name in PRICE_CONTROLS:
            return (
                f"'{name}' is a price control this scheme does not declare; declare it "
                f"(price {name} 65 USD/tCO2e from 2021) to read its value of the year"
            )
        candidates = self.value_names() | set(self.s.periods) | set(self.s.enum_values)
        return did_you_mean(name, candidates)

    def _call(self, call: ast.Call) -> None:
        builtin = BUILTINS.get(call.func)
        if builtin is None and call.func not in AGGREGATES:
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_FUNCTION,
                    f"unknown function '{call.func}'",
                    call.span,
                    did_you_mean(call.func, BUILTINS),
                )
            )
            return
        if (
            builtin is not None
            and builtin.unit_argument
            and call.args
            and isinstance(call.args[0], ast.Name)
        ):
            self._unit_name(call.args[0].name, call.args[0].span)
            self.used.add(call.args[0].name)

    def _attribute(self, base: str, attr: str, span: Span, context: str) -> None:
        if context != "filter" or base not in ("holding", "issuer"):
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_NAME,
                    f"'{base}.{attr}' can only be used in a surrender filter ('where …')",
                    span,
                )
            )
            return
        allowed = ATTRIBUTE_BASES.get(base)
        if allowed is not None and attr not in allowed:
            self.diagnostics.append(
                error(
                    codes.UNKNOWN_NAME,
                    f"holdings have no attribute '{attr}'",
                    span,
                    did_you_mean(attr, allowed) or f"attributes: {', '.join(allowed)}",
                )
            )

    def _unit_name(self, name: str, span: Span) -> None:
        # A default rule names only the unit types of a declaration, which reports them itself.
        if name not in self.s.units and span.path != PRELUDE_PATH:
            hint = did_you_mean(name, self.s.units) or "declare it in the units { … } block"
            self.diagnostics.append(
                error(codes.UNKNOWN_UNIT_TYPE, f"unknown unit type '{name}'", span, hint)
            )

    def _unit_refs(self) -> None:
        for item in self.s.surrender.items if self.s.surrender else ():
            for name in ast.clause_units(item):
                self._unit_name(name, item.span)
        for link in self.s.links:
            for name in link.units:
                self._unit_name(name, link.span)
        for bank_rule in self.s.banking.rules if self.s.banking else ():
            for name in bank_rule.units:
                self._unit_name(name, bank_rule.span)
        for holding in self.s.holding_limits:
            for name in holding.units:
                self._unit_name(name, holding.span)
        mixes = [c.mix for p in self.s.penalties for c in p.consequences if c.mix is not None]
        for mix in mixes:
            for name in mix.units:
                self._unit_name(name, mix.span)

    def _cites(self, decl: object) -> None:
        for node in ast.walk(decl):
            if isinstance(node, ast.Cite) and node.source not in self.s.sources:
                hint = (
                    did_you_mean(node.source, self.s.sources)
                    or f'declare it: source {node.source} "Full citation" url "…"'
                )
                self.diagnostics.append(
                    error(codes.UNKNOWN_SOURCE, f"unknown source '{node.source}'", node.span, hint)
                )

    def _meta(self) -> None:
        for item in self.s.meta.values():
            self._meta_item(item)
        self._calendar()
        self._gases()
        self._links()
        for name in self.s.scope.names if self.s.scope else ():
            if name not in SCOPES:
                self._unknown_value("scope", name, SCOPES.values_of(), self.s.scope.span)  # type: ignore[union-attr]
        allocation = self.s.allocation
        for method in allocation.methods if allocation else ():
            if method not in ALLOCATION_METHODS and allocation is not None:
                self._unknown_value(
                    "allocation", method, ALLOCATION_METHODS.values_of(), allocation.span
                )
        for price in self.s.price_controls:
            if price.name not in PRICE_CONTROLS:
                self._unknown_value("price", price.name, PRICE_CONTROLS.values_of(), price.span)

    def _meta_item(self, item: ast.Meta) -> None:
        allowed = META_VALUES.get(item.key)
        if allowed is None:
            return
        if len(item.values) > 1 and item.key not in MULTIPLE_META:
            self.diagnostics.append(
                error(
                    codes.TOO_MANY_VALUES,
                    f"'{item.key}' takes one value, not {len(item.values)}",
                    item.span,
                    f"keep the one that applies: {item.values[0]}",
                )
            )
        for value in item.values or (item.value,):
            if value not in allowed:
                self._unknown_value(item.key, value, allowed.values_of(), item.span)

    def _links(self) -> None:
        for link in self.s.links:
            if link.status is not None and link.status not in LINK_STATUSES:
                self._unknown_value(
                    "link status", link.status, LINK_STATUSES.values_of(), link.span
                )

    def _calendar(self) -> None:
        calendar = self.s.calendar
        if calendar is None:
            return
        if calendar.kind not in CALENDARS:
            self._unknown_value("calendar", calendar.kind, CALENDARS.values_of(), calendar.span)
        if calendar.start_month and calendar.start_month not in MONTHS:
            self._unknown_value("month", calendar.start_month, MONTHS, calendar.span)

    def _gases(self) -> None:
        gases = self.s.gases
        if gases is None:
            return
        if gases.basis is not None and gases.basis not in BASES:
            self._unknown_value("GWP basis", gases.basis, tuple(BASES), gases.span)
            return
        known = set(table()[gases.basis or "AR6"]) | set(GAS_FAMILIES)
        for gas in gases.names:
            if gas not in known:
                self._unknown_value("gas", gas, tuple(known), gases.span)

    def _participant_names(self) -> None:
        for name, f in self.s.fields.items():
            if name in self.s.rules or name in self.s.params or name in MEANINGS:
                self.diagnostics.append(
                    error(
                        codes.DUPLICATE_NAME,
                        f"input '{name}' has the same "
                        "name as a rule, parameter or vocabulary value",
                        f.span,
                        "rename the input",
                    )
                )

    def _unknown_value(self, what: str, value: str, allowed: tuple[str, ...], span: Span) -> None:
        hint = did_you_mean(value, allowed) or f"one of: {', '.join(sorted(allowed))}"
        self.diagnostics.append(error(codes.UNKNOWN_VALUE, f"unknown {what} '{value}'", span, hint))


def resolve(
    scheme: ast.Scheme, visible: Mapping[str, ast.Scheme]
) -> tuple[ResolvedScheme, list[Diagnostic]]:
    """Apply variants and catalogues, add default rules and check every name."""
    expander = _Expander(visible)
    diagnostics = _duplicates(scheme.decls) + _duplicates(tuple(system_decls(scheme.decls)))
    decls = expander.expand(scheme)
    diagnostics += expander.diagnostics
    resolved = build(scheme, decls)
    names = NameBinder(resolved)
    names.check()
    diagnostics += names.diagnostics + _enum_value_clashes(resolved) + level_problems(resolved)
    return replace(resolved, used=frozenset(names.used)), diagnostics


def _enum_value_clashes(s: ResolvedScheme) -> list[Diagnostic]:
    """An enumeration value named like an input, parameter, table or rule: in an expression
    the bare name reads the declaration, so `method == benchmark` would compare with the
    table `benchmark` instead of the value."""
    declared: dict[str, tuple[str, Span]] = {}
    for kind, decls in (("input", s.fields), ("parameter", s.params), ("table", s.tables)):
        declared.update({name: (kind, d.span) for name, d in decls.items()})
    declared.update({n: ("rule", r.span) for n, r in s.rules.items() if not is_default(r)})
    problems = []
    for value, owners in s.enum_values.items():
        if value not in declared:
            continue
        kind, span = declared[value]
        field = s.fields[owners[0]]
        problems.append(
            error(
                codes.DUPLICATE_NAME,
                f"'{value}' is a value of '{field.name}' and also a {kind}; in an expression "
                f"'{value}' would read the {kind}, never the value",
                field.type.span,
                f"rename the {kind} (e.g. '{value}_{_SUFFIXES[kind]}') or the value",
                [Related(span, f"the {kind} '{value}' is declared here")],
            )
        )
    return problems


_SUFFIXES = {"input": "amount", "parameter": "value", "table": "factor", "rule": "value"}
