"""Scheme-level validation: periods, limits, tables, unused rules, constant branches, links.

validate(checked, known_schemes) -> diagnostics
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal

from etsl.compiler import ast, codes, features
from etsl.compiler.check import CheckedScheme
from etsl.compiler.diagnostics import Diagnostic, Related, did_you_mean, error, warning
from etsl.compiler.periods import bound_dates, period_dates
from etsl.compiler.printer import print_expr
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.source import Span
from etsl.compiler.units import UnknownUnit, parse_unit
from etsl.compiler.vocabulary import is_default


def _periods(s: ResolvedScheme) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    ranges: list[tuple[tuple[date, date], ast.Period]] = []
    for period in s.periods.values():
        bad = [b for b in (period.start, period.end) if bound_dates(b, s.calendar) is None]
        for bound in bad:
            problems.append(
                error(
                    codes.PERIOD_BOUND_INVALID,
                    f"'{bound.text}' is not a year, fiscal year or date",
                    bound.span,
                    "write 2013, FY2010 (fiscal year) or 2014-01-01",
                )
            )
        if bad:
            continue
        dates = period_dates(period, s.calendar)
        assert dates is not None
        if dates[1] < dates[0]:
            problems.append(
                error(
                    codes.PERIOD_EMPTY,
                    f"period '{period.name}' ends before it starts",
                    period.span,
                    "swap the bounds",
                )
            )
            continue
        ranges.append((dates, period))
    ranges.sort(key=lambda item: item[0])
    for (first, a), (second, b) in zip(ranges, ranges[1:], strict=False):
        if second[0] <= first[1]:
            problems.append(
                error(
                    codes.PERIOD_OVERLAP,
                    f"period '{b.name}' overlaps period '{a.name}'",
                    b.span,
                    "periods must not share days",
                    [Related(a.span, f"'{a.name}' is declared here")],
                )
            )
    if any(b.kind == "name" for p in s.periods.values() for b in (p.start, p.end)) and (
        s.calendar is None or s.calendar.kind != "fiscal_year"
    ):
        first_period = next(iter(s.periods.values()))
        problems.append(
            warning(
                codes.PERIOD_BOUND_INVALID,
                "fiscal-year bounds without 'calendar fiscal_year from MONTH'",
                first_period.span,
                "add: calendar fiscal_year from April",
            )
        )
    return problems


def constant(expr: ast.Expr, s: ResolvedScheme, depth: int = 0) -> Decimal | None:
    """The value of an expression made of literals and parameters, or None."""
    if depth > 20:
        return None
    match expr:
        case ast.Quantity(value=value, unit=unit):
            try:
                return value * (parse_unit(unit).scale if unit else 1)
            except UnknownUnit:
                return None
        case ast.Name(name=name) if name in s.params:
            return constant(s.params[name].value, s, depth + 1)
        case ast.Neg(operand=operand):
            negated = constant(operand, s, depth + 1)
            return -negated if negated is not None else None
        case ast.Binary(op=op, left=left, right=right):
            a, b = constant(left, s, depth + 1), constant(right, s, depth + 1)
            return _fold(op, a, b)
    return None


def _fold(op: str, a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None or (op == "/" and b == 0):
        return None
    operations: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
        "+": Decimal.__add__,
        "-": Decimal.__sub__,
        "*": Decimal.__mul__,
        "/": Decimal.__truediv__,
    }
    return operations[op](a, b)


def _all_expressions(s: ResolvedScheme) -> Iterable[ast.Expr]:
    from etsl.compiler.resolve import NameBinder

    return (expr for _, expr, _ in NameBinder(s).expressions())


def _limit_expressions(s: ResolvedScheme) -> Iterable[ast.Expr]:
    """Quantitative limits: surrender, banking and borrowing `up to` expressions."""
    for item in s.surrender.items if s.surrender else ():
        if not isinstance(item, ast.ShareClause) and item.limit is not None:
            yield item.limit
    for banking in (s.banking, s.borrowing):
        if banking is not None and banking.limit is not None:
            yield banking.limit
    for during in s.borrowing.during if s.borrowing else ():
        if during.limit is not None:
            yield during.limit


def _shares(s: ResolvedScheme) -> Iterable[ast.Expr]:
    """Expressions that are shares themselves: share clauses, the share of a unit mix."""
    for item in s.surrender.items if s.surrender else ():
        if isinstance(item, ast.ShareClause):
            yield item.share
    for consequence in (c for p in s.penalties for c in p.consequences):
        if consequence.mix is not None:
            yield consequence.mix.share


def _limits(s: ResolvedScheme) -> list[Diagnostic]:
    problems: list[Diagnostic | None] = [_out_of_range(share, s) for share in _shares(s)]
    for expr in _limit_expressions(s):
        for node in ast.walk(expr):
            if isinstance(node, ast.ShareOf):
                problems.append(_out_of_range(node.share, s))
    return [p for p in problems if p is not None]


def _out_of_range(share: ast.Expr, s: ResolvedScheme) -> Diagnostic | None:
    value = constant(share, s)
    if value is None or 0 <= value <= 1:
        return None
    return error(
        codes.LIMIT_OUT_OF_RANGE,
        f"the share {value.normalize():f} lies outside [0, 1]",
        share.span,
        "write a share as a fraction (1 / 3) or percentage (8 %)",
    )


def _ranges(s: ResolvedScheme) -> list[Diagnostic]:
    """`fine from A up to B` with constant A above constant B: no fine fits the range."""
    problems = []
    for c in (c for p in s.penalties for c in p.consequences):
        if c.lower is None or c.limit is None:
            continue
        lower, upper = constant(c.lower, s), constant(c.limit, s)
        if lower is not None and upper is not None and lower > upper:
            problems.append(
                error(
                    codes.RANGE_REVERSED,
                    f"the lower bound of a {c.kind} ({print_expr(c.lower)}) is above its "
                    f"upper bound ({print_expr(c.limit)})",
                    c.lower.span,
                    "swap the bounds: the smaller amount follows 'from', the larger 'up to'",
                    [Related(c.limit.span, "the upper bound")],
                )
            )
    return problems


def _tables(s: ResolvedScheme) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for table in s.tables.values():
        domains = [_domain(s, dim, table, problems) for dim in table.dims]
        if len(table.dims) > 2:
            problems.append(
                error(
                    codes.TABLE_SHAPE,
                    f"table '{table.name}' has {len(table.dims)} "
                    "dimensions; tables have one or two",
                    table.span,
                    "split it into several tables",
                )
            )
            continue
        if None in domains:
            continue
        problems += _table_cells(table, domains)  # type: ignore[arg-type]
    return problems


def _domain(
    s: ResolvedScheme, dim: str, table: ast.Table, problems: list[Diagnostic]
) -> tuple[str, ...] | None:
    if dim == "period":
        return tuple(s.periods)
    field = s.fields.get(dim)
    if field is not None and isinstance(field.type, ast.EnumType):
        return field.type.values
    hint = "a dimension is 'period' or an input with values {a, b}"
    if field is None:
        hint = did_you_mean(dim, list(s.fields) + ["period"]) or hint
    problems.append(
        error(
            codes.TABLE_SHAPE,
            f"table '{table.name}' cannot be indexed by '{dim}'",
            table.span,
            hint,
        )
    )
    return None


def _table_cells(table: ast.Table, domains: list[tuple[str, ...]]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    rows = list(table.rows)
    if len(domains) == 2:
        if not rows:
            return problems
        header, rows = rows[0], rows[1:]
        width = len(header.cells)
        column_keys = header.cells[1:]
        problems += _key_problems(table, column_keys, domains[1], "column")
    else:
        width = 2
    for row in rows:
        if len(row.cells) != width:
            problems.append(
                error(
                    codes.TABLE_SHAPE,
                    f"this row of '{table.name}' has {len(row.cells)} cells; expected {width}",
                    row.span,
                    "every row has a key and one value per column",
                )
            )
    problems += _key_problems(table, [r.cells[0] for r in rows], domains[0], "row")
    return problems


def _key_problems(
    table: ast.Table, keys: Sequence[ast.Cell], domain: tuple[str, ...], what: str
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    names = []
    for key in keys:
        if isinstance(key, ast.CellAny):
            return problems + _unknown_keys(table, keys, domain)
        if isinstance(key, ast.CellName):
            names.append(key.name)
    problems += _unknown_keys(table, keys, domain)
    missing = [v for v in domain if v not in names]
    if missing:
        problems.append(
            error(
                codes.TABLE_MISSING_ROW,
                f"table '{table.name}' has no {what} for {', '.join(repr(m) for m in missing)}",
                table.span,
                f"add a {what} for each, or a '*' {what} for all other values",
            )
        )
    return problems


def _unknown_keys(
    table: ast.Table, keys: Sequence[ast.Cell], domain: tuple[str, ...]
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for key in keys:
        if isinstance(key, ast.CellName) and key.name not in domain:
            problems.append(
                error(
                    codes.TABLE_UNKNOWN_KEY,
                    f"'{key.name}' is not a value of this dimension of '{table.name}'",
                    key.span,
                    did_you_mean(key.name, domain) or f"values: {', '.join(domain)}",
                )
            )
        elif not isinstance(key, ast.CellName | ast.CellAny):
            problems.append(
                error(
                    codes.TABLE_UNKNOWN_KEY,
                    "a table key must be a name or '*'",
                    key.span,
                    f"values: {', '.join(domain)}",
                )
            )
    return problems


def _unused(s: ResolvedScheme) -> list[Diagnostic]:
    expected = {b.path[0] for e in s.examples for b in e.expect}
    problems: list[Diagnostic] = []
    candidates = [
        (r.name, r.span, "rule") for r in s.rules.values() if not r.vocabulary and not is_default(r)
    ]
    candidates += [(p.name, p.span, "parameter") for p in s.params.values()]
    candidates += [(t.name, t.span, "table") for t in s.tables.values()]
    own_file = s.scheme.span.path
    for name, span, what in candidates:
        if name not in s.used and name not in expected and span.path == own_file:
            problems.append(
                warning(
                    codes.UNUSED_RULE,
                    f"{what} '{name}' is never used",
                    span,
                    "use it in a rule, limit or penalty, expect it in an example, or remove it",
                )
            )
    return problems


def _branches(s: ResolvedScheme) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for expr in _all_expressions(s):
        for node in ast.walk(expr):
            if isinstance(node, ast.If) and isinstance(node.condition, ast.Bool):
                never = "else" if node.condition.value else "then"
                problems.append(
                    warning(
                        codes.UNREACHABLE_BRANCH,
                        f"the condition is always "
                        f"{str(node.condition.value).lower()}, so the '{never}' "
                        "branch is never taken",
                        node.condition.span,
                        "remove the if",
                    )
                )
    return problems


def _links(s: ResolvedScheme, known: set[str]) -> list[Diagnostic]:
    return [
        warning(
            codes.LINK_UNKNOWN_SCHEME,
            f"'{link.target}' is not a scheme in this compilation or the bundled library",
            link.span,
            did_you_mean(link.target, known) or "check the name, or add the scheme file",
        )
        for link in s.links
        if link.target not in known
    ]


def _bank_rules(s: ResolvedScheme) -> list[Diagnostic]:
    """Banking rules need banking: under `banking none` nothing is banked to restrict."""
    banking = s.banking
    if banking is None or banking.mode != "none" or not banking.rules:
        return []
    return [
        error(
            codes.BANK_RULE_WITHOUT_BANKING,
            f"'{rule.kind} {', '.join(rule.units)}' restricts banking, but the scheme "
            "banks nothing ('banking none')",
            rule.span,
            "remove the rule, or allow banking (banking unlimited, banking next_period)",
        )
        for rule in banking.rules
    ]


def _share_groups(s: ResolvedScheme) -> list[Diagnostic]:
    """A share clause's unit types must belong to its group."""
    return [
        error(
            codes.SHARE_OUTSIDE_GROUP,
            f"'{', '.join(outside)}' is not among {', '.join(item.among)}: a share of a "
            "group is a share of the units in it",
            item.span,
            f"add it to the group: among {', '.join(item.among + tuple(outside))}",
        )
        for item in (s.surrender.items if s.surrender else ())
        if isinstance(item, ast.ShareClause)
        and (outside := [u for u in item.units if u not in item.among])
    ]


def _multiplies_shortfall(expr: ast.Expr, s: ResolvedScheme) -> bool:
    """`4 * shortfall`, `shortfall * 4`, `400 % of shortfall`: a multiple other than one."""
    for node in ast.walk(expr):
        pairs: list[tuple[ast.Expr, ast.Expr]] = []
        if isinstance(node, ast.Binary) and node.op == "*":
            pairs = [(node.left, node.right), (node.right, node.left)]
        elif isinstance(node, ast.ShareOf):
            pairs = [(node.whole, node.share)]
        for operand, factor in pairs:
            named = isinstance(operand, ast.Name) and operand.name == "shortfall"
            if named and constant(factor, s) != 1:
                return True
    return False


def _compounding(s: ResolvedScheme) -> list[Diagnostic]:
    """make_good/deduct multiples of `shortfall` multiply units still owed again."""
    return [
        warning(
            codes.MAKE_GOOD_COMPOUNDS,
            f"{c.kind} multiplies 'shortfall', which includes units still owed from the "
            "previous period: units not paid would be multiplied again every period",
            c.amount.span,
            "multiply 'excess' (this period's own excess emissions) instead; add "
            "'owed_unpaid' to keep units still owed, e.g. make_good 4 * excess + owed_unpaid",
        )
        for p in s.penalties
        for c in p.consequences
        if c.kind in ("make_good", "deduct")
        and c.amount is not None
        and _multiplies_shortfall(c.amount, s)
    ]


_CONTRADICTING: dict[str, Callable[[ResolvedScheme], Sequence[ast.Decl | ast.UnitDecl]]] = {
    "price": lambda s: s.price_controls,
    "credits": lambda s: [u for u in s.units.values() if u.kind in ("credit", "offset")],
    "link": lambda s: s.links,
}


def _features(s: ResolvedScheme) -> list[Diagnostic]:
    """`none` contradicted by the scheme's own declarations; features not stated."""
    problems = [
        error(
            codes.NONE_CONTRADICTED,
            f"'{feature} none' says the scheme has none, but it declares some",
            stated.span,
            "remove the 'none', or the declarations it contradicts",
            [Related(d.span, "declared here") for d in _CONTRADICTING[feature](s)[:3]],
        )
        for feature, stated in s.stated_none.items()
        if _CONTRADICTING[feature](s)
    ]
    stated = features.statements(s)
    problems += _not_stated_problems(s, stated)
    problems += [p for d in s.price_kinds for p in _price_kind_problems(s, d)]
    missing = [
        name
        for name, st in stated.items()
        if st.status == "not_stated" and not features.acknowledged(st)
    ]
    if missing and not s.scheme.catalogue and "kind" in s.meta:
        problems.append(
            warning(
                codes.FEATURE_NOT_STATED,
                f"'{s.name}' does not state its "
                + ", ".join(features.words(m) for m in missing)
                + "; documents will say 'not stated in the sources'",
                s.scheme.span,
                "declare each one, or state that there is none: "
                + ", ".join(f"'{features.NONE_FORMS[m]}'" for m in missing),
            )
        )
    return problems


def _not_stated_problems(
    s: ResolvedScheme, stated: dict[str, features.Statement]
) -> list[Diagnostic]:
    problems = []
    for decl in s.not_stated:
        for name in decl.features:
            if name not in features.FEATURES:
                problems.append(
                    error(
                        codes.UNKNOWN_VALUE,
                        f"unknown feature '{name}'",
                        decl.span,
                        did_you_mean(name, features.FEATURES)
                        or "one of: " + ", ".join(features.FEATURES),
                    )
                )
            elif stated[name].status != "not_stated" or stated[name].span != decl.span:
                problems.append(
                    error(
                        codes.NONE_CONTRADICTED,
                        f"'not_stated {name}', but the scheme states it",
                        decl.span,
                        "remove it from the not_stated list",
                        _stated_here(stated[name].span, decl.span),
                    )
                )
    return problems


def _price_kind_problems(s: ResolvedScheme, decl: ast.PriceKind) -> list[Diagnostic]:
    """`price ceiling not_stated`: a known kind, not declared, not beside `price none`."""
    if decl.kind not in features.PRICE_KINDS:
        hint = did_you_mean(decl.kind, features.PRICE_KINDS)
        return [
            error(
                codes.UNKNOWN_VALUE,
                f"unknown kind of price control '{decl.kind}'",
                decl.span,
                hint or "one of: " + ", ".join(features.PRICE_KINDS),
            )
        ]
    stated = features.price_kinds(s)[features.PRICE_KINDS[decl.kind]]
    whole = s.stated_none.get("price")
    if stated.span == decl.span and whole is None:
        return []
    other = whole.span if whole is not None else stated.span
    return [
        error(
            codes.PRICE_KIND_CONTRADICTED,
            f"'price {decl.kind} {decl.status}', but the scheme "
            + ("states 'price none'" if whole is not None else f"declares a {decl.kind}"),
            decl.span,
            "keep one statement of the kind: remove this line, or the declaration it contradicts",
            _stated_here(other, decl.span),
        )
    ]


def _stated_here(span: Span | None, own: Span) -> list[Related]:
    return [Related(span, "stated here")] if span is not None and span != own else []


def validate(checked: CheckedScheme, known_schemes: set[str]) -> list[Diagnostic]:
    """Scheme-level rules that need the whole scheme (and the set of known scheme names)."""
    s = checked.resolved
    return (
        _periods(s)
        + _limits(s)
        + _ranges(s)
        + _tables(s)
        + _unused(s)
        + _branches(s)
        + _links(s, known_schemes)
        + _features(s)
        + _compounding(s)
        + _share_groups(s)
        + _bank_rules(s)
        + _years(s)
    )


def _years(s: ResolvedScheme) -> list[Diagnostic]:
    """`by year` needs year bounds; `earlier_years` needs a period kept by year."""
    problems = [
        error(
            codes.PERIOD_BY_YEAR_NEEDS_YEARS,
            f"period '{p.name}' is kept by year but bounded by dates",
            p.by_year,
            "bound it by years (2021 .. 2023 or FY2021 .. FY2023), or drop 'by year'",
        )
        for p in s.periods.values()
        if p.by_year is not None and any(b.kind == "date" for b in (p.start, p.end))
    ]
    if any(p.by_year for p in s.periods.values()):
        return problems
    calls = [
        n
        for expr in _all_expressions(s)
        for n in ast.walk(expr)
        if isinstance(n, ast.Call) and n.func == "earlier_years"
    ]
    return problems + [
        warning(
            codes.EARLIER_YEARS_WITHOUT_YEARS,
            "earlier_years() is always 0 here: no period is kept by year",
            call.span,
            "keep the compliance periods by year: period cp4 = 2021 .. 2023 by year",
        )
        for call in calls[:1]
    ]
