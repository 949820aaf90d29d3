"""Check types and units statically.

    check(resolved) -> (CheckedScheme, diagnostics)

Every expression gets a type (see types.py); quantities carry dimensions, so adding tonnes
to yen, or a cap in kL, is reported here with the spans of both operands.
"""

from __future__ import annotations

from etsl.compiler import ast, codes
from etsl.compiler.diagnostics import Diagnostic, did_you_mean, error
from etsl.compiler.infer import CONSEQUENCE_AMOUNTS, CheckedScheme, Checker, is_zero
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.system import YEAR
from etsl.compiler.types import ANY, BOOL, NUMBER, PERIOD, Quant, Type
from etsl.compiler.units import CO2E, DAYS, TIME, is_currency, is_price_per_tonne
from etsl.compiler.vocabulary import CO2E_NAMES, PRELUDE_PATH, RUNTIME_INPUTS
from etsl.compiler.vocabulary import is_default as vocabulary_is_default

#: `fine.minimum` in an example: the least the consequences of a kind may total.
MINIMUM = "minimum"

__all__ = ["CheckedScheme", "Checker", "check", "dependency_order", "is_zero"]


# ---- declaration-level checks --------------------------------------------------------------


def _check_vocabulary(c: Checker) -> None:
    for name, rule in c.s.rules.items():
        actual = c.symbol_type(name)
        if actual is ANY:
            continue
        if name == "covered" and actual is not BOOL:
            c.diagnostics.append(
                error(
                    codes.TYPE_MISMATCH,
                    f"the coverage condition must be true or false, not {actual}",
                    rule.expr.span,
                )
            )
        elif _is_co2e_vocabulary(name, rule) and actual != Quant(CO2E):
            c.diagnostics.append(
                error(
                    codes.VOCABULARY_UNIT,
                    f"'{name}' must be tonnes of CO2e, not {actual}",
                    rule.expr.span,
                    "vocabulary values are in tCO2e; multiply rates by time "
                    "(years(period)) or intensities by activity",
                )
            )


def _is_co2e_vocabulary(name: str, rule: ast.Rule) -> bool:
    return (name in CO2E_NAMES and rule.vocabulary) or name in ("shortfall", "surplus", "banked")


def _check_obligation_input(c: Checker) -> None:
    rules = c.s.rules
    needs = ("cap" in rules or "target" in rules) and "emissions" not in c.s.fields
    if needs and vocabulary_is_default(rules["obligation"]):
        owner = rules.get("cap") or rules["target"]
        c.diagnostics.append(
            error(
                codes.MISSING_INPUT,
                "the default obligation needs a participant input named 'emissions'",
                owner.span,
                "declare 'emissions: tCO2e' in the participant, or define 'obligation = …'",
            )
        )


def _check_surrender(c: Checker) -> None:
    for item in c.s.surrender.items if c.s.surrender else ():
        if isinstance(item, ast.ShareClause):
            c.expect(item.share, NUMBER, "the share of a share clause (a percentage)")
            continue
        if item.limit is not None:
            c.expect(item.limit, Quant(CO2E), "a surrender limit")
        if isinstance(item, ast.Accept) and item.where is not None:
            c.expect(item.where, BOOL, "a surrender filter")
    for banking in (c.s.banking, c.s.borrowing):
        if banking is not None and banking.limit is not None:
            c.expect(banking.limit, Quant(CO2E), f"a {banking.keyword} limit")
    for during in c.s.borrowing.during if c.s.borrowing else ():
        if during.limit is not None:
            c.expect(during.limit, Quant(CO2E), "a borrowing limit")
        for period in (p for p in during.periods if p not in c.s.periods):
            c.diagnostics.append(
                error(
                    codes.UNKNOWN_NAME,
                    f"borrowing names period '{period}', which the scheme does not declare",
                    during.span,
                    did_you_mean(period, list(c.s.periods)) or "name a declared period",
                )
            )
    for holding in c.s.holding_limits:
        c.expect(holding.limit, Quant(CO2E), "a holding limit")
    for rule in c.s.banking.rules if c.s.banking else ():
        if rule.where is not None:
            c.expect(rule.where, BOOL, "a banking exception's filter")
        if rule.limit is not None:
            c.expect(rule.limit, Quant(CO2E), "a banking limit")


def _check_penalties(c: Checker) -> None:
    for penalty in c.s.penalties:
        if penalty.condition is not None:
            c.expect(penalty.condition, BOOL, "a penalty condition")
        for consequence in penalty.consequences:
            kind = CONSEQUENCE_AMOUNTS.get(consequence.kind)
            for expr in (consequence.amount, consequence.lower, consequence.limit):
                if expr is not None and kind is not None:
                    _check_amount(c, consequence.kind, kind, expr)
            _check_range(c, consequence)
            _check_settlement(c, consequence)


def _check_range(c: Checker, consequence: ast.Consequence) -> None:
    """`fine from A up to B`: a range needs both bounds, no amount, and one unit."""
    lower, upper = consequence.lower, consequence.limit
    if lower is None:
        return
    if upper is None or consequence.amount is not None:
        problem = (
            "needs an upper bound ('up to …')"
            if upper is None
            else "states a range, so it takes no amount of its own"
        )
        c.diagnostics.append(
            error(
                codes.RANGE_FORM,
                f"a {consequence.kind} with a lower bound ('from …') {problem}",
                lower.span,
                f"write a range as {consequence.kind} from A up to B, or an amount with a cap "
                f"as {consequence.kind} X up to L",
            )
        )
        return
    lower_type, upper_type = c.infer(lower), c.infer(upper)
    if ANY not in (lower_type, upper_type) and lower_type != upper_type:
        c.diagnostics.append(
            error(
                codes.UNIT_MISMATCH,
                f"the bounds of a {consequence.kind} differ: from {lower_type} up to {upper_type}",
                upper.span,
                "write both bounds in the same unit",
            )
        )


#: Consequences that owe units, so their settlement can state a unit mix.
MIXED_KINDS = ("make_good",)


def _check_settlement(c: Checker, consequence: ast.Consequence) -> None:
    mix = consequence.mix
    if mix is not None:
        c.expect(mix.share, NUMBER, "the share of a unit mix (a percentage)")
        if consequence.kind not in MIXED_KINDS:
            c.diagnostics.append(
                error(
                    codes.TYPE_MISMATCH,
                    f"a unit mix ('with … {mix.bound}') applies to units owed (make_good), "
                    f"not to {consequence.kind}",
                    mix.span,
                    "remove the mix, or owe units with make_good",
                )
            )
    if consequence.within is not None:
        c.expect_dims(
            consequence.within,
            lambda q: q.dims in (TIME, DAYS),
            "the time to settle is a duration",
            "write it in days or years, e.g. within 5 day",
        )


def _check_amount(c: Checker, what: str, kind: str, expr: ast.Expr) -> None:
    if kind == "currency":
        c.expect_dims(
            expr,
            lambda q: is_currency(q.dims),
            f"a {what} is an amount of money",
            "multiply a price per tonne by tonnes, e.g. 100 EUR/tCO2e * shortfall",
        )
    else:
        c.expect(expr, Quant(CO2E), f"a {what} amount")


def _check_price(c: Checker, price: ast.Price) -> None:
    """A price path: a quantity that rises by a rate (a plain number: `5 %`) or by an
    amount in its own unit, plus an optional yearly rate (`plus cpi`, a number)."""
    c.expect_dims(price.value, lambda q: True, "a price control value is a quantity", "")
    if price.in_lieu:
        c.expect_dims(
            price.value,
            lambda q: is_price_per_tonne(q.dims),
            f"the price '{price.name}' is paid in lieu of allowances, so it is an amount of "
            "money per tonne",
            "write it per tonne, e.g. 4300 JPY/tCO2e",
            codes.IN_LIEU_NOT_PER_TONNE,
        )
    if price.rising is not None:
        value, rising = c.infer(price.value), c.infer(price.rising)
        if rising not in (ANY, NUMBER, value):
            c.diagnostics.append(
                error(
                    codes.UNIT_MISMATCH,
                    f"an escalator is a rate (a percentage) or an amount in {value}, not {rising}",
                    price.rising.span,
                    "write a rate such as 5 %",
                )
            )
    plus = c.s.system.inputs.get(price.rising_plus or "")
    if plus is not None and c.symbol_type(plus.name) not in (ANY, NUMBER):
        c.diagnostics.append(
            error(
                codes.ESCALATOR_INPUT,
                f"'{plus.name}' is {c.symbol_type(plus.name)}; an inflation rate is a plain "
                "number or percentage",
                plus.span,
                f'declare it as a percentage: input {plus.name}: % "…"',
            )
        )


def _check_carried(c: Checker, decl: ast.SystemInput) -> None:
    """`input tnac: tCO2e else previous tnac_end`: the value carried has the input's type."""
    if decl.carried is None or decl.carried not in c.s.system.names:
        return  # an unknown name is reported with the level checks (compiler/system.py)
    own, carried = c.symbol_type(decl.name), c.symbol_type(decl.carried)
    if own != carried and ANY not in (own, carried):
        c.diagnostics.append(
            error(
                codes.CARRIED_INPUT,
                f"the input '{decl.name}' is {own} but is carried from '{decl.carried}', "
                f"which is {carried}",
                decl.span,
                f"carry it from a system value in {own}, or declare '{decl.name}' in its unit",
            )
        )


def _check_other(c: Checker) -> None:
    for price in c.s.prices:
        _check_price(c, price)
    for name in sorted(c.s.system.names):
        c.symbol_type(name)
    for decl in c.s.system.inputs.values():
        _check_carried(c, decl)
    for support in c.s.supports:
        if support.limit is not None:
            c.expect_dims(
                support.limit,
                lambda q: is_currency(q.dims) or not q.dims,
                "a support limit is an amount of money or a share",
                "",
            )
    for table in c.s.tables.values():
        c.symbol_type(table.name)


def _check_examples(c: Checker) -> None:
    for example in c.s.examples:
        for binding in example.given:
            _check_binding(c, binding, given=True)
        for binding in example.expect:
            _check_binding(c, binding, given=False)


def _binding_target(c: Checker, path: tuple[str, ...], given: bool) -> Type | None:
    head = path[0]
    if len(path) == 2 and head in ("held", "eligible") and (given or head == "eligible"):
        return Quant(CO2E) if path[1] in c.s.units else None
    if len(path) == 2 and path[1] == MINIMUM and head in CONSEQUENCE_AMOUNTS and not given:
        return ANY  # `expect fine.minimum = …`: the least of a range (`fine from A up to B`)
    if len(path) == 2 and head == "earlier_years" and given:
        summable = path[1] in c.s.fields or path[1] in c.s.rules or path[1] in RUNTIME_INPUTS
        return c.symbol_type(path[1]) if summable else None
    if len(path) != 1:
        return None
    if head == YEAR and given:
        return NUMBER
    if head in c.s.system.inputs if given else head in c.s.system.names:
        return c.symbol_type(head)
    if given:
        if head == "period":
            return PERIOD
        if head == "year" and head not in c.s.fields:
            return NUMBER
        if head in c.s.fields or head in RUNTIME_INPUTS:
            return c.symbol_type(head)
        return None
    if head in c.s.rules or head in c.s.params or head in RUNTIME_INPUTS:
        return c.symbol_type(head)
    if head in CONSEQUENCE_AMOUNTS:
        return ANY
    return BOOL if head in ("publish", "suspend", "action_plan") else None


def _check_binding(c: Checker, binding: ast.Binding, given: bool) -> None:
    target = _binding_target(c, binding.path, given)
    dotted = ".".join(binding.path)
    if target is None:
        known = (list(c.s.fields) + ["period"]) if given else list(c.s.rules)
        hint = did_you_mean(dotted, known) or (
            "give participant inputs, period, year, held.UNIT and earlier_years.NAME"
            if given
            else "expect rules, vocabulary values or consequences (fine, order, …)"
        )
        c.diagnostics.append(
            error(
                codes.EXAMPLE_UNKNOWN_NAME,
                f"the example {'gives' if given else 'expects'} "
                f"'{dotted}', which the scheme does not define",
                binding.span,
                hint,
            )
        )
        return
    if target is not ANY:
        c.expect(binding.value, target, f"'{dotted}'")


def _references(scheme: ResolvedScheme, name: str) -> list[str]:
    if name in scheme.params:
        expr: ast.Expr | None = scheme.params[name].value
    elif name in scheme.rules:
        expr = scheme.rules[name].expr
    else:
        return []
    return [n.name for n in ast.names_used(expr)] if expr is not None else []


def dependency_order(scheme: ResolvedScheme) -> list[str]:
    """Inputs, parameters and rules with each one after what it uses (iterative, cycle-safe)."""
    names = list(scheme.fields) + list(scheme.params) + list(scheme.rules)
    done: set[str] = set()
    order: list[str] = []
    for root in names:
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            name, expanded = stack.pop()
            if expanded:
                order.append(name)
                continue
            if name in done:
                continue
            done.add(name)
            stack.append((name, True))
            stack.extend((dep, False) for dep in _references(scheme, name) if dep not in done)
    return order


PASSES = (
    _check_vocabulary,
    _check_obligation_input,
    _check_surrender,
    _check_penalties,
    _check_other,
    _check_examples,
)


def check(scheme: ResolvedScheme) -> tuple[CheckedScheme, list[Diagnostic]]:
    """Type-check every declaration of a resolved scheme."""
    checker = Checker(scheme)
    for name in dependency_order(scheme):
        checker.symbol_type(name)
    for check_pass in PASSES:
        check_pass(checker)
    unique = list(dict.fromkeys(checker.diagnostics))
    own = [d for d in unique if d.span.path != PRELUDE_PATH]
    return checker.checked(), own if own else unique
