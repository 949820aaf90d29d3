"""Credits and offsets: which reach the partner while the link operates, their limits, and
conditions on the partner's units."""

from __future__ import annotations

from etsl.compiler import ast, codes
from etsl.compiler.model import SchemeModel, SurrenderModel, UnitModel
from etsl.linkage.checks.registry import CARB_LINKAGE, ICAP_GUIDE, PMR_HANDBOOK, check
from etsl.linkage.facts import (
    Evidence,
    Hit,
    Pair,
    accept_evidence,
    credits,
    evidence,
    home,
    kind_words,
    limit_of,
    names_in,
    stated,
    surrender_summary,
    unit_named,
    unit_words,
)
from etsl.linkage.flows import Route, first_hop, linked_instrument
from etsl.linkage.reading import parsed
from etsl.linkage.said import Code, Said, Scheme, Term, Value, template, terms
from etsl.linkage.timing import (
    Window,
    accepted_span,
    accepting_periods,
    accepts_during,
    link_window,
    periods_in,
)
from etsl.linkage.worded import limited_words


def reaching(p: Pair, window: Window) -> list[tuple[UnitModel, SurrenderModel, Route]]:
    """Credits `a` accepts while the link operates that reach `b`, which does not accept them
    then (a credit `a` issues that crosses the link is one `b` uses as its own)."""
    found = []
    for unit, item in credits(p.a, p.b):
        if not accepts_during(p.a, unit.name, window) or linked_instrument(p.b, p.a, unit):
            continue
        if any(accepts_during(p.b, name, window) for name in names_in(p.b, p.a, unit)):
            continue
        route = first_hop(p.a, p.b, unit)
        if route is not None:
            found.append((unit, item, route))
    return found


_REACHES = template(
    "credit-not-accepted",
    "{a} accepts {kind} {unit} but {b} does not: its tonnes reach {b} {route}",
)
_REACHES_UNTIL = template(
    "credit-not-accepted-until",
    "{a} accepts {kind} {unit} but {b} does not: its tonnes reach {b} {route} (accepted only "
    "in {periods}, until {end}; the link operates {window})",
)
_UNLIMITED = template(
    "credit-unlimited",
    "{a} accepts {kind} {unit} without a quantitative limit; {b} limits every credit it accepts",
)
_LIMITS = template("credit-limits-differ", "credit limits differ between {a} and {b}")
_RESTRICTED = template(
    "partner-units-restricted",
    "{a} accepts {unit} from {b} only where {condition}: units of {b} that do not meet this "
    "cannot be used in {a}",
)


def _reaches_said(p: Pair, unit: UnitModel, route: Route, window: Window) -> Said:
    """The words of a credit reaching the partner; when the credit stops being accepted while
    the link operates, they say so."""
    values: dict[str, Value] = {
        "a": Scheme(p.a.name),
        "b": Scheme(p.b.name),
        "kind": kind_words(unit.kind),
        "unit": Term(unit.name),
        "route": route.words(),
    }
    during = periods_in(p.a, window)
    taking = [x for x in accepting_periods(p.a, unit.name) if x in during]
    if not taking or len(taking) == len(during):
        return _REACHES(**values)
    span = accepted_span(p.a, unit.name)
    periods = terms([x.name for x in accepting_periods(p.a, unit.name)])
    return _REACHES_UNTIL(**values, periods=periods, end=str(span.end), window=window.words())


@check(
    codes.CREDIT_NOT_ACCEPTED,
    "warning",
    rationale="""Units of a linked market are fungible: a credit one side accepts frees an
       allowance of that side, and where allowances cross the link the credit's tonnes reach
       the other side although it does not accept the credit. Only what happens while the link
       operates counts (a credit accepted only before the link began never flows through it),
       a link that carries only credits frees no allowances, and a unit the partner issues that
       crosses the link is one the linked side uses as its own.""",
    how_to="Restrict what crosses with `link OTHER two_way for UNIT, …`, or limit the credit "
    "with `accept CREDIT up to …`.",
    sources=(ICAP_GUIDE, PMR_HANDBOOK, CARB_LINKAGE),
    example="`california` accepts `sector_based` offsets; `quebec` does not, and California "
    "allowances cross the link.",
    both_ways=True,
)
def credit_not_accepted(p: Pair) -> list[Hit]:
    if not stated(p.b, "credits"):
        return []
    window = link_window(p.a, p.b)
    return [
        Hit(
            _reaches_said(p, unit, route, window),
            (accept_evidence(p.a, item), surrender_summary(p.b)),
        )
        for unit, item, route in reaching(p, window)
    ]


@check(
    codes.CREDIT_UNLIMITED,
    "warning",
    rationale="""An unlimited credit channel on one side undoes the partner's credit limit
       where the credit's tonnes reach the partner: the partner's participants buy allowances
       freed by credits on the unlimited side.""",
    how_to="`accept U up to 8 % of obligation`, or a combined `limit U, V up to …`.",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`quebec` accepts early reduction credits without limit; `california` limits "
    "every credit it accepts.",
    both_ways=True,
)
def credit_unlimited(p: Pair) -> list[Hit]:
    window = link_window(p.a, p.b)
    own = [
        (unit, item)
        for unit, item in credits(p.a, p.b)
        if not limit_of(p.a, unit.name)
        and accepts_during(p.a, unit.name, window)
        and first_hop(p.a, p.b, unit) is not None
    ]
    theirs = [u for u, _ in credits(p.b, p.a) if not limit_of(p.b, u.name)]
    if not own or theirs or not stated(p.b, "credits"):
        return []
    return [
        Hit(
            _UNLIMITED(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                kind=kind_words(unit.kind),
                unit=Term(unit.name),
            ),
            (accept_evidence(p.a, item), surrender_summary(p.b)),
        )
        for unit, item in own
    ]


@check(
    codes.CREDIT_LIMITS_DIFFER,
    "info",
    rationale="""Both sides limit credits, but differently; the effective limit of the
       linked market is the looser of the two.""",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`limit ARBOC up to offset_limit` (8 % then 4 %) against "
    "`limit QC_offset up to offset_limit` (8 %).",
)
def credit_limits_differ(p: Pair) -> list[Hit]:
    la, lb = _limits(p.a, p.b), _limits(p.b, p.a)
    if (
        not la
        or not lb
        or {s.limit.text for s in la if s.limit} == {s.limit.text for s in lb if s.limit}
    ):
        return []
    proof = [_limit_evidence(p.a, s) for s in la] + [_limit_evidence(p.b, s) for s in lb]
    return [Hit(_LIMITS(a=Scheme(p.a.name), b=Scheme(p.b.name)), tuple(proof))]


def _limits(m: SchemeModel, partner: SchemeModel) -> list[SurrenderModel]:
    names = {u.name for u, _ in credits(m, partner)}
    return [s for s in m.surrender if s.limit and names & set(s.units)]


def _limit_evidence(m: SchemeModel, s: SurrenderModel) -> Evidence:
    return evidence(m, "surrender", limited_words(m, s), s)


def _on_units(item: SurrenderModel) -> bool:
    """Whether a clause's filter reads attributes of the units (`holding.…`, `issuer.…`)."""
    expr = parsed(item.where.text) if item.where else None
    return expr is not None and any(isinstance(n, ast.Attribute) for n in ast.walk(expr))


@check(
    codes.PARTNER_UNITS_RESTRICTED,
    "info",
    rationale="""A side may accept the partner's units only when they meet conditions (the
       issuing facility's size, whether it met its own target, the project type). Units that
       fail them do not count there, so the registries must tell them apart and the linking
       agreement should state the same conditions on both sides.""",
    how_to="`accept UNIT where issuer.base_emissions <= 150000 tCO2/yr and "
    "issuer.shortfall == 0 tCO2` (issuer attributes come with the holdings data).",
    sources=(ICAP_GUIDE,),
    example="`tokyo_cat` accepts Saitama excess reductions only from facilities with base "
    "emissions of at most 150,000 t CO2 a year that met their Saitama target.",
    both_ways=True,
)
def partner_units_restricted(p: Pair) -> list[Hit]:
    return [
        Hit(
            _RESTRICTED(
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                unit=Term(name),
                condition=Code(item.where.text),
            ),
            (accept_evidence(p.a, item), _declared(p.b, p.a, unit_named(p.a, name))),
        )
        for item in p.a.surrender
        if item.kind == "accept" and item.where is not None and _on_units(item)
        for name in item.units
        if home(p.a, unit_named(p.a, name)) == p.b.name
    ]


_NO_UNIT = template("evidence-no-unit", "declares no unit {unit}")


def _declared(partner: SchemeModel, m: SchemeModel, unit: UnitModel) -> Evidence:
    own = next((u for u in partner.units if u.name == unit.name), None)
    if own is None:
        return evidence(partner, "units", _NO_UNIT(unit=Term(unit.name)))
    return evidence(partner, f"units[{own.name}]", unit_words(own), own)
