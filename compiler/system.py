"""The system level: values of the whole scheme in a year, next to the participant level.

    system {
      input tnac: tCO2e "Total number of allowances in circulation"
      param msr_rate = 24 %
      rule msr_intake = if tnac > 833000000 tCO2e then floor(msr_rate of tnac) else 0 tCO2e
      rule total_free = sum(free_allocation)
    }
    price ceiling 65 USD/tCO2e from 2021 rising 5 % plus cpi

A `system { … }` block declares system inputs (one value per year, read from the system
data), parameters, tables (also `by year`) and rules; every `price` is a system value too,
the path of its declaration (see `price_value` in runtime/reference/system.py). System
expressions read system values, `year` (the year evaluated), parameters and tables that
depend on no participant value, and aggregates over participants (`sum`, `mean`, `count`):
a bare participant value there is `system-reads-participant`. Participant rules read system
values of their row's year (`row_year`).

This module holds what the resolver, checker and graph share: the scope of system
declarations, the aggregate registry and the level checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from etsl.compiler import ast, codes
from etsl.compiler.diagnostics import Diagnostic, Related, did_you_mean, error, warning
from etsl.compiler.vocabulary import is_default

if TYPE_CHECKING:
    from etsl.compiler.program import Program
    from etsl.compiler.resolve import ResolvedScheme

#: The name of the year a system value is evaluated for.
YEAR = "year"


@dataclass(frozen=True, slots=True)
class Aggregate:
    """An aggregate over the participants of a year: `sum(x)`, `mean(x)`, `count(c)`."""

    name: str
    summary: str
    words: str  # how explanations word it: `{0}` is the argument in words
    counts: bool = False  # its argument is a condition and its result a plain number


AGGREGATES: dict[str, Aggregate] = {
    a.name: a
    for a in (
        Aggregate("sum", "the sum of a participant value over all participants", "the sum of {0}"),
        Aggregate(
            "mean",
            "the mean of a participant value over all participants (exact division; "
            "no participants is an error)",
            "the mean of {0}",
        ),
        Aggregate(
            "count",
            "how many participants meet a condition",
            "the number of participants where {0}",
            counts=True,
        ),
    )
}


@dataclass(frozen=True)
class SystemScope:
    """The system declarations of a scheme: its `system` blocks and every `price`."""

    inputs: Mapping[str, ast.SystemInput] = field(default_factory=dict)
    params: Mapping[str, ast.Param] = field(default_factory=dict)
    tables: Mapping[str, ast.Table] = field(default_factory=dict)
    rules: Mapping[str, ast.Rule] = field(default_factory=dict)
    prices: Mapping[str, ast.Price] = field(default_factory=dict)

    @property
    def names(self) -> frozenset[str]:
        return frozenset((*self.inputs, *self.params, *self.tables, *self.rules, *self.prices))

    def declaration(self, name: str) -> ast.Decl | ast.SystemInput | None:
        for table in (self.inputs, self.params, self.tables, self.rules, self.prices):
            found = table.get(name)
            if found is not None:
                return found
        return None

    def expressions(self) -> Iterator[tuple[str, ast.Expr]]:
        """(owner, expression) of every system expression."""
        for param in self.params.values():
            yield param.name, param.value
        for rule in self.rules.values():
            yield rule.name, rule.expr
        for price in self.prices.values():
            yield price.name, price.value
            if price.rising is not None:
                yield price.name, price.rising


def system_blocks(decls: tuple[ast.Decl, ...]) -> list[ast.System]:
    return [d for d in decls if isinstance(d, ast.System)]


def system_decls(decls: tuple[ast.Decl, ...]) -> list[ast.SystemDecl]:
    """The declarations of every system block, in order."""
    return [d for block in system_blocks(decls) for d in block.decls]


def system_scope(decls: tuple[ast.Decl, ...]) -> SystemScope:
    inner = system_decls(decls)
    prices = [d for d in decls if isinstance(d, ast.Price)]
    prices += [d for d in inner if isinstance(d, ast.Price)]
    return SystemScope(
        inputs={d.name: d for d in inner if isinstance(d, ast.SystemInput)},
        params={d.name: d for d in inner if isinstance(d, ast.Param)},
        tables={d.name: d for d in inner if isinstance(d, ast.Table)},
        rules={d.name: d for d in inner if isinstance(d, ast.Rule)},
        prices={p.name: p for p in prices},
    )


def merge_systems(base: ast.System, own: ast.System) -> ast.System:
    """A variant's system block: its declarations replace the base's of the same name."""
    replacing = {_name_of(d): d for d in own.decls}
    merged = [replacing.pop(_name_of(d), d) for d in base.decls]
    return ast.System(tuple(merged + list(replacing.values())), own.span)


def _name_of(decl: ast.SystemDecl) -> str:
    return decl.name


def is_aggregate(node: object) -> bool:
    return isinstance(node, ast.Call) and node.func in AGGREGATES


def outside_aggregates(expr: ast.Expr) -> Iterator[object]:
    """Every node of an expression except those inside an aggregate's argument."""
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if not is_aggregate(node):
            stack.extend(reversed(list(ast.children(node))))


def is_system_example(s: ResolvedScheme, example: ast.Example) -> bool:
    """An example of the system level: it gives a system input or expects a system value."""
    given = {b.path[0] for b in example.given}
    expected = {b.path[0] for b in example.expect}
    return bool(given & set(s.system.inputs) or expected & (s.system.names - set(s.system.inputs)))


def row_year(program: Program, period: str | None, year: int | None = None) -> int | None:
    """The year whose system values a participant row reads: the row's own year when it
    has one, otherwise the first year of its period (None without either)."""
    if year is not None:
        return year
    return program.first_year(period) if period is not None else None


# ---- level checks ---------------------------------------------------------------------------


def level_problems(s: ResolvedScheme) -> list[Diagnostic]:
    """Where the two levels are mixed up: participant values read by system values outside
    an aggregate, aggregates outside the system level, names declared on both levels, and
    price paths without a base year or with an unknown inflation input."""
    constants = constant_names(s)
    problems = _clashes(s)
    for owner, expr in s.system.expressions():
        problems += _system_reads(s, owner, expr, constants)
    for expr in _participant_expressions(s):
        problems += _stray_aggregates(expr, inside=False)
    for price in s.system.prices.values():
        problems += _price_problems(s, price)
    problems += [
        _unknown_carried(s, d) for d in s.system.inputs.values() if _is_unknown_carried(s, d)
    ]
    return problems + in_lieu_problems(s)


def in_lieu_problems(s: ResolvedScheme) -> list[Diagnostic]:
    """A price paid in lieu declared twice, or next to the scheme's own shortfall rule."""
    paid = [p for p in s.system.prices.values() if p.in_lieu]
    problems = [
        error(
            codes.IN_LIEU_TWICE,
            f"the prices '{paid[0].name}' and '{price.name}' are both paid in lieu of allowances",
            price.span,
            f"keep 'paid in lieu' on one of them (the payment is at '{paid[0].name}')",
            [Related(paid[0].span, "the first price paid in lieu")],
        )
        for price in paid[1:]
    ]
    for name in ("shortfall", "excess"):
        rule = s.rules.get(name)
        if paid and rule is not None and not is_default(rule):
            problems.append(
                warning(
                    codes.IN_LIEU_SHORTFALL_DEFINED,
                    f"'{name}' is the scheme's own rule, so the payment at '{paid[0].name}' "
                    "in lieu of allowances does not reduce it",
                    rule.span,
                    "remove it (the default rule subtracts paid_in_lieu), or subtract "
                    "paid_in_lieu in it",
                    [Related(paid[0].span, "the price paid in lieu")],
                )
            )
    return problems


def _is_unknown_carried(s: ResolvedScheme, decl: ast.SystemInput) -> bool:
    return decl.carried is not None and decl.carried not in s.system.names


def _unknown_carried(s: ResolvedScheme, decl: ast.SystemInput) -> Diagnostic:
    assert decl.carried is not None
    known = sorted(s.system.names - {decl.name})
    return error(
        codes.CARRIED_INPUT,
        f"the input '{decl.name}' is carried from '{decl.carried}', which is not a system value",
        decl.span,
        did_you_mean(decl.carried, known)
        or "name a system rule, price or input: its value the year before is carried",
    )


def participant_level_names(s: ResolvedScheme) -> set[str]:
    """Names whose value is one participant's: inputs, rules, runtime values and the
    parameters and tables that (transitively) read one of them or the period."""
    return set(s.fields) | set(s.rules) | (set(s.params) | set(s.tables)) - constant_names(s)


def constant_names(s: ResolvedScheme) -> set[str]:
    """Top-level parameters and tables whose value is the same for every participant."""
    varying = set(s.fields) | set(s.rules) | {"period", "final_year"} | set(s.system.names)
    pending = {**{n: _param_uses(p) for n, p in s.params.items()}}
    pending.update({n: set(t.dims) for n, t in s.tables.items()})
    changed = True
    while changed:
        changed = False
        for name, uses in pending.items():
            if name not in varying and uses & varying:
                varying.add(name)
                changed = True
    return set(pending) - varying


def _param_uses(param: ast.Param) -> set[str]:
    return {n.name for n in ast.walk(param.value) if isinstance(n, ast.Name)}


def _participant_expressions(s: ResolvedScheme) -> Iterator[ast.Expr]:
    for param in s.params.values():
        yield param.value
    for rule in s.rules.values():
        yield rule.expr
    for decl in s.scheme.decls:
        if isinstance(decl, ast.Surrender | ast.Penalty | ast.Banking | ast.Support):
            yield from (n for n in ast.walk(decl) if isinstance(n, ast.Call) and is_aggregate(n))


def _stray_aggregates(expr: ast.Expr, inside: bool) -> list[Diagnostic]:
    problems = []
    for node in ast.walk(expr):
        if is_aggregate(node) and (not inside or node is not expr):
            assert isinstance(node, ast.Call)
            problems.append(
                error(
                    codes.AGGREGATE_OUTSIDE_SYSTEM,
                    f"'{node.func}(…)' aggregates over participants"
                    + (" inside another aggregate" if inside else ", outside a system block"),
                    node.span,
                    "declare it as a system rule (system { rule total = "
                    f"{node.func}(…) }}) and read that rule here",
                )
            )
    return problems


def _system_reads(
    s: ResolvedScheme, owner: str, expr: ast.Expr, constants: set[str]
) -> list[Diagnostic]:
    problems = []
    allowed = set(s.system.names) | constants | {YEAR} | set(s.enum_values) | set(s.periods)
    for node in outside_aggregates(expr):
        if is_aggregate(node):
            assert isinstance(node, ast.Call)
            problems += _aggregate_problems(node)
        elif isinstance(node, ast.Name) and node.name not in allowed:
            problems.append(_reads_participant(s, owner, node))
    return problems


def _aggregate_problems(call: ast.Call) -> list[Diagnostic]:
    return [p for arg in call.args for p in _stray_aggregates(arg, inside=True)]


def _reads_participant(s: ResolvedScheme, owner: str, name: ast.Name) -> Diagnostic:
    what = "the period" if name.name == "period" else f"the participant value '{name.name}'"
    hint = (
        f"aggregate it over participants: sum({name.name}), mean({name.name}) or "
        f"count({name.name} > …)"
        if name.name != "period"
        else "use 'year' (the year the system value is computed for)"
    )
    return error(
        codes.SYSTEM_READS_PARTICIPANT,
        f"the system value '{owner}' reads {what}, which differs between participants",
        name.span,
        hint,
    )


def _clashes(s: ResolvedScheme) -> list[Diagnostic]:
    problems = []
    participant = {
        **{n: d.span for n, d in s.fields.items()},
        **{n: d.span for n, d in s.params.items()},
        **{n: d.span for n, d in s.tables.items()},
        **{n: d.span for n, d in s.rules.items() if not is_default(d)},
    }
    for name in sorted(s.system.names):
        decl = s.system.declaration(name)
        if name in participant and decl is not None:
            problems.append(
                error(
                    codes.DUPLICATE_NAME,
                    f"'{name}' is declared both as a system value and as a participant value",
                    decl.span,
                    "rename one of them",
                    [Related(participant[name], "the participant value is declared here")],
                )
            )
    return problems


def _price_problems(s: ResolvedScheme, price: ast.Price) -> list[Diagnostic]:
    problems = []
    if price.rising is not None and price.from_year is None:
        problems.append(
            error(
                codes.ESCALATOR_WITHOUT_BASE_YEAR,
                f"the price '{price.name}' rises every year but has no base year",
                price.span,
                f"state the year of its starting value: price {price.name} … from 2021 rising …",
            )
        )
    plus = price.rising_plus
    if plus is not None and plus not in s.system.inputs:
        problems.append(
            error(
                codes.ESCALATOR_INPUT,
                f"the price '{price.name}' rises by '{plus}', which is not a system input",
                price.span,
                f'declare it: system {{ input {plus}: % "inflation rate of the year" }}',
            )
        )
    return problems
