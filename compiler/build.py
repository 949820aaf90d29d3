"""Build the AST from Lark's parse tree. The grammar shapes the tree, so methods stay short."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from etsl.compiler import ast, codes
from etsl.compiler.diagnostics import Diagnostic, error
from etsl.compiler.numbers import MAX_DIGITS, MAX_PLACES, digit_counts
from etsl.compiler.source import SourceFile, Span
from lark import Token, Tree
from lark.tree import Meta as LarkMeta


def unquote(token: Token) -> str:
    """The text of a STRING token, with `\\"` and `\\\\` escapes undone."""
    body = str(token)[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


def description_text(token: Token | None) -> str | None:
    """An optional description string's text."""
    return unquote(token) if token else None


def _is_expr(value: object) -> bool:
    return isinstance(value, ast.Expr)


def _of(kind: type, values: tuple[Any, ...]) -> Any:
    """The first child of a given type, or None (optional parts of a declaration)."""
    return next((v for v in values if isinstance(v, kind)), None)


def _strings(values: tuple[Any, ...]) -> list[str]:
    return [unquote(v) for v in values if isinstance(v, Token) and v.type == "STRING"]


class Builder:
    """Parse tree → AST. One method per grammar rule, called with the rule's meta and its
    already-built children; each docstring quotes the rule."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    def transform(self, tree: Tree[Token]) -> ast.Module:
        """Build bottom-up without recursion (long expressions make deep trees)."""
        built: dict[int, Any] = {}
        for subtree in tree.iter_subtrees():
            children = [built.pop(id(c)) if isinstance(c, Tree) else c for c in subtree.children]
            built[id(subtree)] = getattr(self, str(subtree.data))(subtree.meta, *children)
        result: ast.Module = built[id(tree)]
        return result

    # ---- spans ------------------------------------------------------------------------
    def span(self, meta: LarkMeta) -> Span:
        """The span of a rule, from the positions Lark recorded (no line lookups)."""
        if getattr(meta, "empty", True):
            return self.source.span(0, 0)
        return Span(
            self.source.path,
            meta.start_pos,
            meta.end_pos,
            meta.line,
            meta.column,
            meta.end_line,
            meta.end_column,
        )

    def tspan(self, token: Token) -> Span:
        if token.start_pos is None or token.line is None or token.column is None:
            return self.source.span(0, 0)
        return Span(
            self.source.path,
            token.start_pos,
            token.end_pos or token.start_pos,
            token.line,
            token.column,
            token.end_line or token.line,
            token.end_column or token.column,
        )

    # ---- file structure -----------------------------------------------------------------
    def start(self, meta: LarkMeta, *items: Any) -> ast.Module:
        imports = tuple(i for i in items if isinstance(i, ast.Import))
        schemes = tuple(i for i in items if isinstance(i, ast.Scheme))
        return ast.Module(self.source.path, imports, schemes, self.span(meta))

    def import_decl(self, meta: LarkMeta, path: Token) -> ast.Import:
        """import_decl: "import" STRING"""
        return ast.Import(unquote(path), self.span(meta))

    def scheme(
        self, meta: LarkMeta, name: Token, title: Token | None, base: str | None, *decls: ast.Decl
    ) -> ast.Scheme:
        """scheme: "scheme" NAME [STRING] [extends] "{" decl* "}" """
        return ast.Scheme(
            str(name), unquote(title) if title else None, base, False, decls, self.span(meta)
        )

    def catalogue(
        self, meta: LarkMeta, name: Token, title: Token | None, *decls: ast.Decl
    ) -> ast.Scheme:
        """catalogue: "catalogue" NAME [STRING] "{" decl* "}" """
        return ast.Scheme(
            str(name), unquote(title) if title else None, None, True, decls, self.span(meta)
        )

    def extends(self, meta: LarkMeta, name: Token) -> str:
        return str(name)

    # ---- metadata -----------------------------------------------------------------------
    def meta(
        self, meta: LarkMeta, key: Token, value: Token | tuple[str, ...], cite: ast.Cite | None
    ) -> ast.Meta:
        """meta: meta_key (STRING | name_list) [cite]"""
        if isinstance(value, tuple):
            return ast.Meta(str(key), ", ".join(value), False, value, cite, self.span(meta))
        return ast.Meta(str(key), unquote(value), True, (), cite, self.span(meta))

    def source_decl(
        self,
        meta: LarkMeta,
        name: Token,
        citation: Token,
        url: Token | None,
        confidence: str | None,
    ) -> ast.SourceDecl:
        return ast.SourceDecl(
            str(name),
            unquote(citation),
            unquote(url) if url else None,
            self.span(meta),
            str(confidence) if confidence else None,
        )

    def cite(self, meta: LarkMeta, first: ast.Cite, *others: ast.Cite) -> ast.Cite:
        """`cite: "cite" citation ("," citation)*`: the first citation's span starts at
        `cite`; each other citation keeps its own span."""
        span = self.span(meta)
        if others:
            end = first.span
            span = Span(
                span.path, span.start, end.end, span.line, span.col, end.end_line, end.end_col
            )
        return dataclasses.replace(first, span=span, also=others)

    def citation(
        self, meta: LarkMeta, name: Token, locator: Token | None, confidence: str | None
    ) -> ast.Cite:
        """`citation: NAME [STRING] [confidence]`"""
        return ast.Cite(
            str(name),
            unquote(locator) if locator else None,
            self.span(meta),
            str(confidence) if confidence else None,
        )

    def uses(self, meta: LarkMeta, name: Token) -> ast.Uses:
        return ast.Uses(str(name), self.span(meta))

    def calendar(self, meta: LarkMeta, kind: Token, month: Token | None) -> ast.Calendar:
        return ast.Calendar(str(kind), str(month) if month else None, self.span(meta))

    def period(
        self,
        meta: LarkMeta,
        keyword: Token,
        name: Token,
        start: ast.PeriodBound,
        end: ast.PeriodBound,
        by_year: Span | None,
        label: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Period:
        return ast.Period(
            str(keyword),
            str(name),
            start,
            end,
            unquote(label) if label else None,
            cite,
            self.span(meta),
            by_year,
        )

    def by_year(self, meta: LarkMeta, word: Token) -> Span:
        """`by year`: any other word is a syntax error naming the one word allowed."""
        if str(word) != "year":
            self.diagnostics.append(
                error(
                    codes.SYNTAX_ERROR,
                    f"a period is kept 'by year', not by '{word}'",
                    self.tspan(word),
                    "write 'by year' (one obligation per year of the period)",
                )
            )
        return self.span(meta)

    def period_bound(self, meta: LarkMeta, token: Token) -> ast.PeriodBound:
        kind = {"NAME": "name", "INT": "int", "DATE": "date"}[token.type]
        if kind == "int":
            self._ascii(token)
        return ast.PeriodBound(str(token), kind, self.tspan(token))

    def gases(
        self, meta: LarkMeta, names: tuple[str, ...], basis: Token | None, cite: ast.Cite | None
    ) -> ast.Gases:
        """gases: "gases" name_list ["gwp" NAME] [cite]"""
        return ast.Gases(names, str(basis) if basis else None, cite, self.span(meta))

    def scope(self, meta: LarkMeta, names: tuple[str, ...], cite: ast.Cite | None) -> ast.Scope:
        return ast.Scope(names, cite, self.span(meta))

    # ---- participants -----------------------------------------------------------------------
    def participant(
        self, meta: LarkMeta, name: Token, description: Token | None, *fields: ast.Field
    ) -> ast.Participant:
        return ast.Participant(str(name), description_text(description), fields, self.span(meta))

    def field(
        self,
        meta: LarkMeta,
        name: Token,
        type_: ast.TypeRef,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Field:
        """field: NAME ":" type [STRING] [cite]"""
        text = description_text(description)
        return ast.Field(str(name), type_, text, cite, self.span(meta))

    def enum_type(self, meta: LarkMeta, names: tuple[str, ...]) -> ast.EnumType:
        return ast.EnumType(names, self.span(meta))

    def unit_type(self, meta: LarkMeta, unit: tuple[str, Span]) -> ast.UnitType:
        return ast.UnitType(unit[0], unit[1])

    def unit(self, meta: LarkMeta, *tokens: Token) -> tuple[str, Span]:
        """unit: PERCENT | NAME (PER NAME)*"""
        return "".join(str(t) for t in tokens), self.span(meta)

    def covered(self, meta: LarkMeta, condition: ast.Expr, cite: ast.Cite | None) -> ast.Covered:
        return ast.Covered(condition, cite, self.span(meta))

    # ---- parameters, tables, rules ----------------------------------------------------------
    def param(
        self,
        meta: LarkMeta,
        name: Token,
        value: ast.Expr,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Param:
        return ast.Param(str(name), value, description_text(description), cite, self.span(meta))

    def table(self, meta: LarkMeta, name: Token, dims: tuple[str, ...], *rest: Any) -> ast.Table:
        """table: "table" NAME "by" name_list [STRING] "{" row+ "}" [cite]"""
        rows = tuple(r for r in rest if isinstance(r, ast.Row))
        description = _strings(rest)
        return ast.Table(
            str(name),
            dims,
            description[0] if description else None,
            rows,
            _of(ast.Cite, rest),
            self.span(meta),
        )

    def row(self, meta: LarkMeta, *cells: ast.Cell) -> ast.Row:
        return ast.Row(cells, self.span(meta))

    def cell_name(self, meta: LarkMeta, name: Token) -> ast.CellName:
        return ast.CellName(str(name), self.tspan(name))

    def cell_any(self, meta: LarkMeta) -> ast.CellAny:
        return ast.CellAny(self.span(meta))

    def rule(
        self,
        meta: LarkMeta,
        name: Token,
        expr: ast.Expr,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Rule:
        return ast.Rule(
            str(name),
            name.type != "NAME",
            expr,
            description_text(description),
            cite,
            self.span(meta),
        )

    # ---- instruments and surrender ----------------------------------------------------------
    def units(self, meta: LarkMeta, *decls: ast.UnitDecl) -> ast.Units:
        return ast.Units(decls, self.span(meta))

    def unit_decl(
        self,
        meta: LarkMeta,
        kind: Token,
        name: Token,
        origin: Token | None,
        description: Token | None,
        attrs: tuple[ast.Attr, ...] | None,
        cite: ast.Cite | None,
    ) -> ast.UnitDecl:
        return ast.UnitDecl(
            str(kind),
            str(name),
            str(origin) if origin else None,
            description_text(description),
            attrs or (),
            cite,
            self.span(meta),
        )

    def attrs(self, meta: LarkMeta, *attrs: ast.Attr) -> tuple[ast.Attr, ...]:
        return attrs

    def attr(self, meta: LarkMeta, name: Token, value: Any) -> ast.Attr:
        text = value if isinstance(value, str) else _literal_text(value)
        return ast.Attr(str(name), text, self.span(meta))

    def name_value(self, meta: LarkMeta, name: Token) -> str:
        return str(name)

    def text(self, meta: LarkMeta, value: Token) -> str:
        return unquote(value)

    def share_clause(
        self,
        meta: LarkMeta,
        units: tuple[str, ...],
        bound: str,
        share: ast.Expr,
        among: tuple[str, ...],
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.ShareClause:
        """share_clause: "limit" name_list mix_bound expr "among" name_list [STRING] [cite]"""
        text = description_text(description)
        return ast.ShareClause(units, bound, share, among, text, cite, self.span(meta))

    def surrender(self, meta: LarkMeta, *items: ast.SurrenderItem) -> ast.Surrender:
        return ast.Surrender(items, self.span(meta))

    def accept(
        self,
        meta: LarkMeta,
        units: tuple[str, ...],
        limit: ast.Expr | None,
        where: ast.Expr | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Accept:
        """accept: "accept" name_list [up_to] ["where" expr] [STRING] [cite]"""
        text = description_text(description)
        return ast.Accept(units, limit, where, text, cite, self.span(meta))

    def limit(
        self,
        meta: LarkMeta,
        units: tuple[str, ...],
        limit: ast.Expr,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Limit:
        return ast.Limit(units, limit, description_text(description), cite, self.span(meta))

    def up_to(self, meta: LarkMeta, expr: ast.Expr) -> ast.Expr:
        return expr

    def lower_bound(self, meta: LarkMeta, expr: ast.Expr) -> ast.Expr:
        return expr

    def banking(
        self,
        meta: LarkMeta,
        mode: Token,
        limit: ast.Expr | None,
        rules: tuple[ast.BankRule, ...] | None,
        cite: ast.Cite | None,
    ) -> ast.Banking:
        """banking: "banking" bank_mode [up_to] [bank_rules] [cite]"""
        return ast.Banking("banking", str(mode), limit, cite, self.span(meta), rules or ())

    def bank_rules(self, meta: LarkMeta, *rules: ast.BankRule) -> tuple[ast.BankRule, ...]:
        return rules

    def bank_except(
        self,
        meta: LarkMeta,
        units: tuple[str, ...],
        where: ast.Expr | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.BankRule:
        """bank_except: "except" name_list ["where" expr] [STRING] [cite]"""
        return self._bank_rule(meta, "except", units, where, None, description, cite)

    def bank_limit(
        self,
        meta: LarkMeta,
        units: tuple[str, ...],
        limit: ast.Expr,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.BankRule:
        """bank_limit: "limit" name_list up_to [STRING] [cite]"""
        return self._bank_rule(meta, "limit", units, None, limit, description, cite)

    def _bank_rule(
        self,
        meta: LarkMeta,
        kind: str,
        units: tuple[str, ...],
        where: ast.Expr | None,
        limit: ast.Expr | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.BankRule:
        text = description_text(description)
        return ast.BankRule(kind, units, where, limit, text, cite, self.span(meta))

    def holding_limit(
        self,
        meta: LarkMeta,
        units: tuple[str, ...],
        limit: ast.Expr,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.HoldingLimit:
        """holding_limit: "holding_limit" name_list up_to [STRING] [cite]"""
        text = description_text(description)
        return ast.HoldingLimit(units, limit, text, cite, self.span(meta))

    def borrowing(
        self,
        meta: LarkMeta,
        mode: Token,
        limit: ast.Expr | None,
        during: tuple[ast.PeriodCarrying, ...] | None,
        cite: ast.Cite | None,
    ) -> ast.Banking:
        """borrowing: "borrowing" bank_mode [up_to] [borrow_periods] [cite]"""
        span = self.span(meta)
        return ast.Banking("borrowing", str(mode), limit, cite, span, (), during or ())

    def borrow_periods(
        self, meta: LarkMeta, *during: ast.PeriodCarrying
    ) -> tuple[ast.PeriodCarrying, ...]:
        return during

    def borrow_period(
        self,
        meta: LarkMeta,
        periods: tuple[str, ...],
        mode: Token,
        limit: ast.Expr | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.PeriodCarrying:
        """borrow_period: "during" name_list bank_mode [up_to] [STRING] [cite]"""
        text = description_text(description)
        return ast.PeriodCarrying(periods, str(mode), limit, text, cite, self.span(meta))

    # ---- prices, consequences, support, links ------------------------------------------------
    def price(
        self,
        meta: LarkMeta,
        name: Token,
        value: ast.Expr,
        from_year: Token | None,
        rising: tuple[ast.Expr, str | None] | None,
        in_lieu: bool | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Price:
        return ast.Price(
            str(name),
            value,
            self._year(from_year),
            rising[0] if rising else None,
            rising[1] if rising else None,
            bool(in_lieu),
            description_text(description),
            cite,
            self.span(meta),
        )

    def rising(
        self, meta: LarkMeta, rate: ast.Expr, plus: Token | None
    ) -> tuple[ast.Expr, str | None]:
        return rate, str(plus) if plus else None

    def in_lieu(self, meta: LarkMeta) -> bool:
        return True

    def penalty(self, meta: LarkMeta, name: Token | None, *rest: Any) -> ast.Penalty:
        """penalty: "penalty" [NAME] ("when" expr "{" consequence* "}" | "none") [STRING] [cite]"""
        condition = rest[0] if rest and _is_expr(rest[0]) else None
        consequences = tuple(r for r in rest if isinstance(r, ast.Consequence))
        description = _strings(rest)
        return ast.Penalty(
            str(name) if name else None,
            condition,
            consequences,
            description[0] if description else None,
            _of(ast.Cite, rest),
            self.span(meta),
        )

    def consequence(
        self,
        meta: LarkMeta,
        kind: Token,
        amount: ast.Expr | None,
        lower: ast.Expr | None,
        limit: ast.Expr | None,
        mix: ast.Mix | None,
        within: ast.Expr | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Consequence:
        """consequence: consequence_kind [expr] [lower_bound] [up_to] [mix] ["within" expr]
        [STRING] [cite]"""
        return ast.Consequence(
            str(kind),
            amount,
            limit,
            lower,
            mix,
            within,
            description_text(description),
            cite,
            self.span(meta),
        )

    def mix(self, meta: LarkMeta, units: tuple[str, ...], bound: str, share: ast.Expr) -> ast.Mix:
        """mix: "with" name_list mix_bound expr"""
        return ast.Mix(units, bound, share, self.span(meta))

    def mix_bound(self, meta: LarkMeta, *words: Token) -> str:
        return " ".join(str(w) for w in words)

    def support(
        self,
        meta: LarkMeta,
        name: Token,
        description: Token | None,
        limit: ast.Expr | None,
        since: Token | None,
        until: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Support:
        """support: "support" NAME [STRING] [up_to] ["since" DATE] ["until" DATE] [cite]"""
        text = description_text(description)
        return ast.Support(
            str(name), text, limit, self._date(since), self._date(until), cite, self.span(meta)
        )

    def stated_none(
        self,
        meta: LarkMeta,
        feature: Token,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.StatedNone:
        """stated_none: none_feature "none" [STRING] [cite]"""
        text = description_text(description)
        return ast.StatedNone(str(feature), text, cite, self.span(meta))

    def not_stated(
        self,
        meta: LarkMeta,
        features: tuple[str, ...],
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.NotStated:
        """not_stated: "not_stated" name_list [STRING] [cite]"""
        text = description_text(description)
        return ast.NotStated(features, text, cite, self.span(meta))

    def price_measure(
        self, meta: LarkMeta, name: Token, description: Token, cite: ast.Cite | None
    ) -> ast.PriceMeasure:
        """price_measure: "price" NAME STRING [cite]"""
        text = description_text(description) or ""
        return ast.PriceMeasure(str(name), text, cite, self.span(meta))

    def price_kind(
        self,
        meta: LarkMeta,
        kind: Token,
        status: Token,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.PriceKind:
        """price_kind: "price" NAME price_kind_status [STRING] [cite]"""
        text = description_text(description)
        return ast.PriceKind(str(kind), str(status), text, cite, self.span(meta))

    def link(
        self,
        meta: LarkMeta,
        target: Token,
        direction: Token,
        status: Token | None,
        since: Token | None,
        until: Token | None,
        units: tuple[str, ...] | None,
        conditions: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Link:
        return ast.Link(
            str(target),
            str(direction),
            self._date(since),
            self._date(until),
            units or (),
            str(status) if status else None,
            unquote(conditions) if conditions else None,
            cite,
            self.span(meta),
        )

    def allocation(
        self,
        meta: LarkMeta,
        methods: tuple[str, ...],
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.Allocation:
        return ast.Allocation(methods, description_text(description), cite, self.span(meta))

    # ---- the system level ---------------------------------------------------------------
    def system_block(self, meta: LarkMeta, *decls: ast.SystemDecl) -> ast.System:
        """system_block: "system" "{" system_decl* "}" """
        return ast.System(decls, self.span(meta))

    def system_input(
        self,
        meta: LarkMeta,
        name: Token,
        type_: ast.TypeRef,
        carried: Token | bool | None,
        description: Token | None,
        cite: ast.Cite | None,
    ) -> ast.SystemInput:
        """system_input: "input" NAME ":" type [carried | absent] [STRING] [cite]"""
        f = self.field(meta, name, type_, description, cite)
        source = str(carried) if isinstance(carried, Token) else None
        optional = carried is True
        return ast.SystemInput(f.name, f.type, f.description, f.cite, f.span, source, optional)

    def carried(self, meta: LarkMeta, name: Token) -> Token:
        """carried: "else" "previous" NAME"""
        return name

    def absent(self, meta: LarkMeta) -> bool:
        """absent: "else" "none" """
        return True

    # ---- examples ---------------------------------------------------------------------------
    def example(
        self,
        meta: LarkMeta,
        title: Token,
        given: tuple[ast.Binding, ...],
        expect: tuple[ast.Binding, ...],
    ) -> ast.Example:
        return ast.Example(unquote(title), given, expect, self.span(meta))

    def bindings(self, meta: LarkMeta, *bindings: ast.Binding) -> tuple[ast.Binding, ...]:
        return bindings

    def binding(self, meta: LarkMeta, path: tuple[str, ...], value: ast.Expr) -> ast.Binding:
        return ast.Binding(path, value, self.span(meta))

    def dotted(self, meta: LarkMeta, *names: Token) -> tuple[str, ...]:
        return tuple(str(n) for n in names)

    def name_list(self, meta: LarkMeta, *names: Token) -> tuple[str, ...]:
        return tuple(str(n) for n in names)

    # ---- keywords kept as tokens (`!rule` in the grammar) ---------------------------------------
    def _keyword(self, meta: LarkMeta, token: Token) -> Token:
        return token

    meta_key = period_kw = vocab = unit_kind = bank_mode = consequence_kind = _keyword
    link_direction = none_feature = price_kind_status = confidence = _keyword

    # ---- expressions ------------------------------------------------------------------------
    def if_expr(self, meta: LarkMeta, c: ast.Expr, t: ast.Expr, e: ast.Expr) -> ast.If:
        return ast.If(c, t, e, self.span(meta))

    def or_(self, meta: LarkMeta, a: ast.Expr, b: ast.Expr) -> ast.Logical:
        return ast.Logical("or", a, b, self.span(meta))

    def and_(self, meta: LarkMeta, a: ast.Expr, b: ast.Expr) -> ast.Logical:
        return ast.Logical("and", a, b, self.span(meta))

    def not_(self, meta: LarkMeta, a: ast.Expr) -> ast.Not:
        return ast.Not(a, self.span(meta))

    def compare(self, meta: LarkMeta, a: ast.Expr, op: Token, b: ast.Expr) -> ast.Compare:
        return ast.Compare(str(op), a, b, self.span(meta))

    def member(self, meta: LarkMeta, a: ast.Expr, values: ast.EnumType) -> ast.Member:
        return ast.Member(a, values.values, self.span(meta))

    def binary(self, meta: LarkMeta, a: ast.Expr, op: Token, b: ast.Expr) -> ast.Binary:
        return ast.Binary(str(op), a, b, self.span(meta))

    def neg(self, meta: LarkMeta, a: ast.Expr) -> ast.Neg:
        return ast.Neg(a, self.span(meta))

    def share_of(self, meta: LarkMeta, share: ast.Expr, whole: ast.Expr) -> ast.ShareOf:
        return ast.ShareOf(share, whole, self.span(meta))

    def call(self, meta: LarkMeta, func: Token, *args: ast.Expr | None) -> ast.Call:
        return ast.Call(str(func), tuple(a for a in args if a is not None), self.span(meta))

    def attribute(self, meta: LarkMeta, base: ast.Expr, name: Token) -> ast.Attribute:
        return ast.Attribute(base, str(name), self.span(meta))

    def name(self, meta: LarkMeta, token: Token) -> ast.Name:
        return ast.Name(str(token), self.tspan(token))

    def quantity(
        self, meta: LarkMeta, number: Token, unit: tuple[str, Span] | None
    ) -> ast.Quantity:
        value = Decimal(str(number).replace("_", "")) if self._ascii(number) else Decimal(0)
        places, whole = digit_counts(value)
        if places > MAX_PLACES or whole + places > MAX_DIGITS:
            self.diagnostics.append(
                error(
                    codes.NUMBER_TOO_LONG,
                    f"the number has {whole + places:,} digits, {places} after the point; "
                    f"numbers have at most {MAX_DIGITS} digits, {MAX_PLACES} after the point",
                    self.tspan(number),
                    "round it, or write it in a larger unit (Mt instead of t)",
                )
            )
        return ast.Quantity(value, unit[0] if unit else None, self.span(meta))

    def _ascii(self, token: Token) -> bool:
        """False, with a diagnostic, for a number written with digits other than 0-9 (the
        grammar's \\d also matches '٤' or '４')."""
        if str(token).isascii():
            return True
        self.diagnostics.append(
            error(
                codes.UNEXPECTED_CHARACTER,
                f"'{token}' is written with digits other than 0-9",
                self.tspan(token),
                "write numbers with the digits 0-9",
            )
        )
        return False

    def _year(self, token: Token | None) -> int | None:
        if token is None or not self._ascii(token):
            return None
        if len(str(token)) != 4:
            self.diagnostics.append(
                error(
                    codes.SYNTAX_ERROR,
                    f"'{str(token)[:12]}…' is not a year"
                    if len(str(token)) > 12
                    else f"'{token}' is not a year",
                    self.tspan(token),
                    "write a year such as 2021",
                )
            )
            return None
        return int(str(token))

    def date(self, meta: LarkMeta, token: Token) -> ast.DateLit:
        return ast.DateLit(self._date(token) or datetime.date(1970, 1, 1), self.tspan(token))

    def true(self, meta: LarkMeta) -> ast.Bool:
        return ast.Bool(True, self.span(meta))

    def false(self, meta: LarkMeta) -> ast.Bool:
        return ast.Bool(False, self.span(meta))

    def _date(self, token: Token | None) -> datetime.date | None:
        if token is None:
            return None
        try:
            return datetime.date.fromisoformat(str(token))
        except ValueError:
            self.diagnostics.append(
                error(
                    codes.SYNTAX_ERROR,
                    f"'{token}' is not a valid date",
                    self.tspan(token),
                    "write dates as YYYY-MM-DD",
                )
            )
            return None


def _literal_text(value: object) -> str:
    if isinstance(value, ast.Quantity):
        return f"{value.value} {value.unit}" if value.unit else str(value.value)
    if isinstance(value, ast.Bool):
        return "true" if value.value else "false"
    if isinstance(value, ast.DateLit):
        return value.value.isoformat()
    return str(value)
