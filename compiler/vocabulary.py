"""The shared vocabulary and the default rules every scheme gets unless it defines its own.

Default rules are ETSL text, parsed like user rules, so documentation, explanations and both
engines treat them exactly like rules a scheme writes (see docs/language.md, "Vocabulary").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import TYPE_CHECKING

from etsl.compiler.source import SourceFile

if TYPE_CHECKING:  # imported where used: the engines read this module's names, not the AST
    from etsl.compiler import ast

PRELUDE_PATH = "<prelude>"

#: Vocabulary rules a scheme may define with `NAME = …` (no `rule` keyword).
DEFINABLE = ("cap", "target", "obligation", "credits_issued", "allocation_amount")

#: Values the runtime supplies for every participant and period (not written as rules).
RUNTIME_INPUTS = {
    "surrendered": "units surrendered after limits and filters (sum of eligible over unit types)",
    "carry_in": "units carried in from the previous period (banked, less deductions)",
    "owed_in": "make-good owed from the previous period",
    "credits_left": "eligible credits and offsets beyond what the obligation needs; they stay "
    "in the account by type and vintage, outside the banked surplus",
}

#: A row's place in time (periods kept `by year`); a scheme input of the same name wins.
STEP_VALUES = {
    "year": "the data year of the row (a period kept `by year` has one row per year)",
    "final_year": "whether the row's year closes its compliance period (always true for a "
    "period not kept by year)",
    "participant_type": "the row's participant block (its `type` in the data), in schemes "
    "that declare several",
}
PARTICIPANT_TYPE = "participant_type"

#: Every vocabulary name and the plain-language meaning the docs use.
MEANINGS = {
    "covered": "whether the participant is covered by the scheme",
    "obligation": "covered emissions in t CO2e that must be matched by units",
    "cap": "the participant's cap (allowances allocated for the period)",
    "target": "the participant's target for the period",
    "allocation_amount": "allowances allocated free of charge",
    "credits_issued": "credits issued to the participant or project",
    "shortfall": "obligation not covered by the cap, carried-in units or eligible units",
    "excess": "this period's own excess emissions: the shortfall without units still owed "
    "from before",
    "owed_unpaid": "units owed from the previous period that are still not covered",
    "surplus": "cap, carried-in and eligible units beyond the obligation",
    "banked": "surplus carried into the next period",
    "holding_excess": "units held beyond the scheme's holding limits (summed over the limits)",
    **RUNTIME_INPUTS,
}

#: Vocabulary values that are CO2e masses.
CO2E_NAMES = frozenset(MEANINGS) - {"covered"}


def allowance_term(defined: set[str]) -> str:
    """What a participant may hold against its obligation: its cap, else its target."""
    if "cap" in defined:
        return "cap + carry_in"
    if "target" in defined:
        return "target + carry_in"
    return "carry_in"


#: Default rules a scheme gets only when something uses them (they would otherwise add a
#: column to every result file).
ON_USE = ("excess", "owed_unpaid")


def default_rules(
    defined: set[str],
    has_emissions: bool,
    banking: ast.Banking | None,
    mentioned: frozenset[str] = frozenset(),
    facts: BankingFacts | None = None,
) -> str:
    """ETSL text of the default rules for what the scheme does not define itself."""
    facts = facts or BankingFacts()
    allowed = allowance_term(defined)
    lines = []
    if "covered" not in defined:
        lines.append("rule covered = true")
    if "obligation" not in defined and has_emissions:
        lines.append("obligation = if covered then co2e(emissions) else 0 tCO2e")
    elif "obligation" not in defined:
        lines.append("obligation = 0 tCO2e")
    lines += _in_lieu_rules(defined, allowed, facts.in_lieu)
    paid = f" - {PAID_IN_LIEU}" if facts.in_lieu else ""
    if "shortfall" not in defined:
        lines.append(
            "rule shortfall = if covered then max(0 tCO2e, obligation + owed_in - "
            f"({allowed}) - surrendered{paid}) else 0 tCO2e"
        )
    if "excess" not in defined and {"excess", "owed_unpaid"} & mentioned:
        lines.append(
            "rule excess = if covered then max(0 tCO2e, obligation - "
            f"({allowed}) - surrendered{paid}) else 0 tCO2e"
        )
    if "owed_unpaid" not in defined and "owed_unpaid" in mentioned:
        lines.append("rule owed_unpaid = shortfall - excess")
    if "surplus" not in defined:
        lines.append(
            f"rule surplus = if covered then max(0 tCO2e, {allowed} + surrendered - "
            "obligation - owed_in) else 0 tCO2e"
        )
    if "banked" not in defined:
        lines.append(f"rule banked = {_banked(banking, facts)}")
    if "holding_excess" not in defined and facts.holdings:
        lines.append(f"rule holding_excess = {_holding_excess(facts.holdings)}")
    return "\n".join(lines)


#: The results of a payment in lieu (`price ceiling … paid in lieu`): tonnes and amount.
PAID_IN_LIEU = "paid_in_lieu"
PAID_IN_LIEU_AMOUNT = "paid_in_lieu_amount"


def _in_lieu_rules(defined: set[str], allowed: str, price: str | None) -> list[str]:
    """With a price paid in lieu, what units do not cover is paid for at that price per
    tonne (after the surrender: units are used first), so it is no shortfall. A payment
    covers only a gap, so it never adds to the surplus."""
    if price is None:
        return []
    lines = []
    if PAID_IN_LIEU not in defined:
        lines.append(
            f"rule {PAID_IN_LIEU} = if covered then max(0 tCO2e, obligation + owed_in - "
            f'({allowed}) - surrendered) else 0 tCO2e "Tonnes paid for at {price} instead '
            'of surrendered"'
        )
    if PAID_IN_LIEU_AMOUNT not in defined:
        lines.append(
            f"rule {PAID_IN_LIEU_AMOUNT} = {PAID_IN_LIEU} * {price} "
            f'"The payment in lieu of allowances, at {price} per tonne"'
        )
    return lines


#: With `banking next_period`, units carried in are used first and expire after one period,
#: so only this period's own leftover is banked; `unlimited` banks the whole surplus.
_BANKABLE = {
    "next_period": "surplus - max(0 tCO2e, carry_in - obligation - owed_in)",
    "unlimited": "surplus",
}


@dataclass(frozen=True)
class BankingFacts:
    """What the default rules depend on besides the banking mode."""

    credits: bool = False  # the scheme has credit or offset unit types (they bank by type)
    allocation_type: str | None = None  # the first allowance unit type
    holdings: tuple[ast.HoldingLimit, ...] = ()  # `holding_limit …` declarations
    by_year: bool = False  # some period is kept `by year`: units stay until its last year
    in_lieu: str | None = None  # the price paid in lieu of units (`price … paid in lieu`)


def _holding_excess(holdings: tuple[ast.HoldingLimit, ...]) -> str:
    """Units held beyond each holding limit, summed over the limits (`held(U)` is what the
    participant holds of type U; each limit's expression stands in for a placeholder)."""
    terms = [
        f"max(0 tCO2e, {' + '.join(f'held({u})' for u in h.units)} - {_HOLDING_LIMIT}{i})"
        for i, h in enumerate(holdings)
    ]
    return " + ".join(terms)


def _banked(banking: ast.Banking | None, facts: BankingFacts) -> str:
    """Units are used in this order: carried-in units, credits and offsets, allowances,
    the allocation; what is left of allowances and the allocation is `banked`, while
    credits and offsets left (`credits_left`) stay in the account by type."""
    closing = _closing_banked(banking, facts)
    if not facts.by_year:
        return closing
    # Within a period kept by year, what is left stays in the account for the next year.
    staying = "max(0 tCO2e, surplus - credits_left)" if facts.credits else "surplus"
    return closing if closing == staying else f"if final_year then {closing} else {staying}"


def _closing_banked(banking: ast.Banking | None, facts: BankingFacts) -> str:
    """What is banked when a period closes."""
    bankable = _BANKABLE.get(banking.mode) if banking is not None else None
    if banking is None or bankable is None:
        return "0 tCO2e"
    if facts.credits:
        bankable = f"max(0 tCO2e, {bankable} - credits_left)"
    if banking.limit is not None:
        bankable = f"min({bankable}, {_BANK_LIMIT})"
    if any(_excepts_allocation(r, facts) for r in banking.rules):
        bankable = f"if {_BANK_EXCEPT} then 0 tCO2e else {bankable}"
    return bankable


def _excepts_allocation(rule: ast.BankRule, facts: BankingFacts) -> bool:
    return rule.kind == "except" and facts.allocation_type in rule.units


_BANK_LIMIT = "__bank_limit__"
_BANK_EXCEPT = "__bank_except__"
_HOLDING_LIMIT = "__holding_limit_"


def _placeholders(banking: ast.Banking | None, facts: BankingFacts) -> dict[str, ast.Expr]:
    """The expressions the default `banked` rule's placeholders stand for."""
    from etsl.compiler import ast

    found: dict[str, ast.Expr] = {
        f"{_HOLDING_LIMIT}{i}": h.limit for i, h in enumerate(facts.holdings)
    }
    if banking is None:
        return found
    if banking.limit is not None:
        found[_BANK_LIMIT] = banking.limit
    excepts = [r for r in banking.rules if _excepts_allocation(r, facts)]
    conditions = [r.where or ast.Bool(True, r.span) for r in excepts]
    if conditions:
        found[_BANK_EXCEPT] = functools.reduce(
            lambda a, b: ast.Logical("or", a, b, b.span), conditions
        )
    return found


@cache
def _parse_prelude(text: str) -> tuple[ast.Rule, ...]:
    from etsl.compiler import ast
    from etsl.compiler.cache import parse_cached

    source = SourceFile.of(PRELUDE_PATH, "scheme prelude {\n" + text + "\n}")
    module, diagnostics = parse_cached(source)
    assert module is not None and not diagnostics, diagnostics
    return tuple(d for d in module.schemes[0].decls if isinstance(d, ast.Rule))


def prelude_rules(
    defined: set[str],
    has_emissions: bool,
    banking: ast.Banking | None,
    mentioned: frozenset[str] = frozenset(),
    facts: BankingFacts | None = None,
) -> tuple[ast.Rule, ...]:
    """The default rules as AST, with the banking limit and exceptions substituted in."""
    facts = facts or BankingFacts()
    used = mentioned & frozenset(ON_USE)
    rules = _parse_prelude(default_rules(defined, has_emissions, banking, used, facts))
    found = _placeholders(banking, facts)
    if not found:
        return rules
    return tuple(replace(r, expr=_substitute(r.expr, found)) for r in rules)


def _substitute(expr: ast.Expr, found: dict[str, ast.Expr]) -> ast.Expr:
    """`expr` with every placeholder name replaced by its expression."""
    from etsl.compiler import ast

    if isinstance(expr, ast.Name):
        return found.get(expr.name, expr)
    changes: dict[str, object] = {}
    for f in fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, tuple):
            changes[f.name] = tuple(_substitute(v, found) if _is_expr(v) else v for v in value)
        elif _is_expr(value):
            changes[f.name] = _substitute(value, found)
    return replace(expr, **changes)  # type: ignore[arg-type]


def _is_expr(value: object) -> bool:
    from etsl.compiler import ast

    return (
        hasattr(value, "__dataclass_fields__")
        and hasattr(value, "span")
        and not isinstance(value, ast.Cite)
    )


def is_default(rule: ast.Rule) -> bool:
    return rule.span.path == PRELUDE_PATH
