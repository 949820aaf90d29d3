"""What a scheme states about each optional feature: declared, declared `none`, or not stated.

    statements(resolved)["price_controls"].status     # "declared" | "none" | "not_stated"

Absence of a declaration is never read as absence of the rule: a scheme whose sources say
nothing about borrowing has borrowing *not stated*, which documents print as "not stated
in the sources" and linkage treats as "cannot compare". `etsl check` warns about features
a scheme leaves not stated (feature-not-stated) and rejects a `none` that the scheme's own
declarations contradict (none-contradicted).

Price controls are also stated one kind at a time (`price_kinds`): a floor, a ceiling, a
supply adjustment. A scheme that declares price controls has none of a kind it does not
declare, unless it says `price ceiling not_stated "…"` (its sources do not say) or states
`price ceiling none "…"` with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from etsl.compiler import ast
from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.resolve import ResolvedScheme
from etsl.compiler.source import Span

Status = Literal["declared", "none", "not_stated"]


@dataclass(frozen=True, slots=True)
class Statement:
    """What a scheme says about one feature, and the declaration that says it."""

    status: Status
    span: Span | None = None
    cite: ast.Cite | None = None
    description: str | None = None


NOT_STATED = Statement("not_stated")


def _stated_none(s: ResolvedScheme, feature: str) -> Statement | None:
    decl = s.stated_none.get(feature)
    return Statement("none", decl.span, decl.cite, decl.description) if decl else None


def _prices(s: ResolvedScheme) -> Statement:
    declared = s.price_controls
    if declared:
        return Statement("declared", declared[0].span, declared[0].cite)
    return _stated_none(s, "price") or NOT_STATED


def _carrying(keyword: str) -> Callable[[ResolvedScheme], Statement]:
    def statement(s: ResolvedScheme) -> Statement:
        decl = s.banking if keyword == "banking" else s.borrowing
        if decl is None:
            return NOT_STATED
        modes = {decl.mode, *(r.mode for r in decl.during)}
        return Statement("none" if modes == {"none"} else "declared", decl.span, decl.cite)

    return statement


def credit_types(s: ResolvedScheme) -> list[ast.UnitDecl]:
    """Unit types that are credits or offsets (not allowances)."""
    return [u for u in s.units.values() if u.kind in ("credit", "offset")]


def _credits(s: ResolvedScheme) -> Statement:
    credits = credit_types(s)
    if credits:
        return Statement("declared", credits[0].span, credits[0].cite)
    return _stated_none(s, "credits") or NOT_STATED


def _verification(s: ResolvedScheme) -> Statement:
    mrv = s.meta.get("mrv")
    if mrv is None:
        return NOT_STATED
    status: Status = "none" if mrv.value == "none" else "declared"
    return Statement(status, mrv.span, mrv.cite, None if status == "none" else mrv.value)


def _penalties(s: ResolvedScheme) -> Statement:
    acting = [p for p in s.penalties if p.condition is not None]
    if acting:
        return Statement("declared", acting[0].span, acting[0].cite)
    if s.penalties:
        first = s.penalties[0]
        return Statement("none", first.span, first.cite, first.description)
    return NOT_STATED


def _links(s: ResolvedScheme) -> Statement:
    if s.links:
        return Statement("declared", s.links[0].span, s.links[0].cite)
    return _stated_none(s, "link") or NOT_STATED


#: Every optional feature, in the order documents and messages list them.
FEATURES: dict[str, tuple[str, Callable[[ResolvedScheme], Statement]]] = {
    "price_controls": ("price controls", _prices),
    "banking": ("banking", _carrying("banking")),
    "borrowing": ("borrowing", _carrying("borrowing")),
    "credits": ("credits and offsets", _credits),
    "verification": ("verification (mrv)", _verification),
    "penalties": ("penalties", _penalties),
    "links": ("links", _links),
}

#: How to state each feature `none`, for hints.
NONE_FORMS = {
    "price_controls": "price none",
    "banking": "banking none",
    "borrowing": "borrowing none",
    "credits": "credits none",
    "verification": "mrv none",
    "penalties": "penalty none",
    "links": "link none",
}


def statements(s: ResolvedScheme) -> dict[str, Statement]:
    """What the scheme states about each optional feature."""
    found = {name: state(s) for name, (_, state) in FEATURES.items()}
    for decl in s.not_stated:
        for name in decl.features:
            if found.get(name) is NOT_STATED:
                found[name] = Statement("not_stated", decl.span, decl.cite, decl.description)
    return found


def acknowledged(statement: Statement) -> bool:
    """A feature the scheme says its sources do not state (`not_stated …`)."""
    return statement.status == "not_stated" and statement.span is not None


def words(feature: str) -> str:
    return FEATURES[feature][0]


#: The kinds of price control a scheme states one at a time (`price ceiling not_stated`),
#: as written and as compiler/enums.py PRICE_CONTROLS classifies them.
PRICE_KINDS = {"floor": "floor", "ceiling": "ceiling", "supply_adjustment": "supply"}


def _price_kind(s: ResolvedScheme, written: str, whole: Statement) -> Statement:
    declared = [p for p in s.price_controls if PRICE_CONTROLS.kind(p.name) == PRICE_KINDS[written]]
    if declared:
        return Statement("declared", declared[0].span, declared[0].cite)
    said = next((d for d in s.price_kinds if d.kind == written), None)
    if said is not None:
        status: Status = "none" if said.status == "none" else "not_stated"
        return Statement(status, said.span, said.cite, said.description)
    # the scheme lists its price controls: one kind it does not list, it has none of; a
    # scheme that states none, or does not state its price controls, says so of every kind
    return Statement("none") if whole.status == "declared" else Statement(whole.status)


def price_kinds(s: ResolvedScheme) -> dict[str, Statement]:
    """What the scheme states about each kind of price control, keyed by the kind
    (`floor`, `ceiling`, `supply`)."""
    whole = statements(s)["price_controls"]
    return {kind: _price_kind(s, written, whole) for written, kind in PRICE_KINDS.items()}
