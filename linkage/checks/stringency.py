"""Stringency: how fast each cap declines, and the reduction each cap requires below base
emissions, compared over the time the link operates."""

from __future__ import annotations

from decimal import Decimal

from etsl.compiler import codes
from etsl.compiler.model import SchemeModel
from etsl.linkage.amounts import Factors, decline, percent, reduction_factors
from etsl.linkage.caps import CapPath, Stretch, cap_path, stretches
from etsl.linkage.checks.registry import EU_CH_AGREEMENT, ICAP_GUIDE, PMR_HANDBOOK, check
from etsl.linkage.facts import NOT_STATED, Hit, Pair, evidence
from etsl.linkage.said import Listing, Said, Scheme, Term, template
from etsl.linkage.timing import Window, link_window, period_window


def _while(window: Window) -> Said:
    return _OVER() if window == Window() else _WHILE(window=window.words())


_OVER = template("over-periods-compared", "over the periods compared")
_WHILE = template("while-link-operates", "while the link operates ({window})")
_DECLINE = template(
    "cap-decline-differs",
    "{when} the cap declines by {rate_a} a year in {a} and by {rate_b} a year in {b}",
)
_FACTORS = template(
    "reduction-factors-differ",
    "{when} the reductions required below base emissions differ: {pairs}",
)
_FACTORS_SAME = template("factors-same-period", "{period}: {a} {factors_a}, {b} {factors_b}")
_FACTORS_OTHER = template(
    "factors-other-periods", "{a} {factors_a} in {period_a}, {b} {factors_b} in {period_b}"
)
_SPAN = template("period-span", "{period} ({start} to {end})")
_NEITHER = template("stringency-not-stated", "neither {a} nor {b} states {measures}")
_NO_COMMON = template(
    "stringency-not-comparable",
    "{a} states {measure_a}, {b} {measure_b}: no common measure of stringency",
)


@check(
    codes.CAP_DECLINE_DIFFERS,
    "warning",
    rationale="""Linked systems should have comparable stringency: when one cap declines more
       slowly, its cheaper units flow to the stricter side (the EU-Swiss linking agreement, for
       one, makes a Swiss cap at least as stringent as the EU's an essential criterion). Rates
       are compared for every
       period in which the link operates, including rates a rule selects for some years only
       (the EU's 4.3 % and 4.4 % from 2024 and 2028). Where neither side states a rate but both
       state their cap for each year (California's and Québec's budgets), the caps' average
       annual declines are compared instead, in % of the first year's cap, over each stretch
       of years in which neither cap rises (a rising cap marks a change of coverage); a
       difference under half a percentage point is not reported, as published caps are
       rounded.""",
    how_to="A cap decline is read from a rule, parameter or by-period table named `lrf`, "
    "`linear_reduction_factor`, `annual_reduction_rate` or `cap_decline`; a cap for each "
    "year from a system rule or table by year named `cap` or ending in `_cap`.",
    sources=(EU_CH_AGREEMENT, PMR_HANDBOOK),
    example="`rule lrf = if compliance_year >= 2024 then 4.3 % else phase_lrf` on one side, "
    "`param lrf = 2.2 %` on the other; or `california`'s budgets falling by 4.2 % a year from "
    "2021 to 2030 and `quebec`'s by 2.2 %.",
)
def cap_decline_differs(p: Pair) -> list[Hit]:
    window = link_window(p.a, p.b)
    ra, rb = decline(p.a, window), decline(p.b, window)
    if ra is None and rb is None:
        return _trajectories_differ(p, window)
    if ra is None or rb is None:
        return []
    if ra.values() == rb.values():
        return []
    return [
        Hit(
            _DECLINE(
                when=_while(window),
                a=Scheme(p.a.name),
                b=Scheme(p.b.name),
                rate_a=ra.words(),
                rate_b=rb.words(),
            ),
            (ra.evidence, rb.evidence),
        )
    ]


#: Declines computed from two cap trajectories differ materially from half a percentage point
#: a year: caps are published rounded (Québec's to 0.01 million), and smaller differences
#: are within what a rounded cap or a shifted stretch changes.
MATERIAL = Decimal("0.005")


def _paths(p: Pair, window: Window) -> tuple[CapPath, CapPath] | None:
    a, b = cap_path(p.a, window), cap_path(p.b, window)
    return (a, b) if a and b and stretches(a, b) else None


def _trajectories_differ(p: Pair, window: Window) -> list[Hit]:
    """Where neither side states a decline rate: the declines of both cap trajectories (a
    stated rate is not compared with a computed one: the EU's 2.2 % is a share of its 2010
    cap, and its 2021 cap fell with the United Kingdom's exit, not by the rate)."""
    paths = _paths(p, window)
    if paths is None:
        return []
    a, b = paths
    compared = stretches(a, b)
    if all(abs(s.rate(a) - s.rate(b)) < MATERIAL for s in compared):
        return []
    shown = Listing(tuple(_stretch(p, s, a, b) for s in compared), "semicolon")
    message = _TRAJECTORIES(when=_while(window), stretches=shown)
    years = [year for s in compared for year in (s.start, s.end)]
    return [Hit(message, (a.evidence(p.a, years), b.evidence(p.b, years)))]


def _stretch(p: Pair, s: Stretch, a: CapPath, b: CapPath) -> Said:
    return _STRETCH(
        start=str(s.start),
        end=str(s.end),
        a=Scheme(p.a.name),
        b=Scheme(p.b.name),
        rate_a=percent(s.rate(a)),
        rate_b=percent(s.rate(b)),
    )


_TRAJECTORIES = template(
    "cap-trajectories-differ",
    "{when} the caps decline on average, in % of the first year's cap: {stretches}",
)
_STRETCH = template("cap-stretch", "{start}-{end}: {rate_a} a year in {a}, {rate_b} in {b}")


def _differences(fa: list[Factors], fb: list[Factors]) -> list[tuple[Factors, Factors]]:
    return [
        (x, y)
        for x in fa
        for y in fb
        if period_window(x.period).overlaps(period_window(y.period)) and x.by_key() != y.by_key()
    ]


def _span(f: Factors) -> Said:
    return _SPAN(
        period=Term(f.period.name, False), start=str(f.period.start), end=str(f.period.end)
    )


def _factor_pair(p: Pair, x: Factors, y: Factors) -> Said:
    sides = {"a": Scheme(p.a.name), "b": Scheme(p.b.name)}
    factors = {"factors_a": x.words(), "factors_b": y.words()}
    if (x.period.start_date, x.period.end_date) == (y.period.start_date, y.period.end_date):
        return _FACTORS_SAME(period=_span(x), **sides, **factors)
    return _FACTORS_OTHER(period_a=_span(x), period_b=_span(y), **sides, **factors)


@check(
    codes.REDUCTION_FACTORS_DIFFER,
    "warning",
    rationale="""Where both caps are set as base emissions times (1 - reduction factor), the
       factors say how stringent each cap is for comparable participants (offices, factories).
       In periods that overlap while the link operates, lower factors on one side mean its
       participants earn or sell reductions more cheaply.""",
    how_to="Write the cap as `base_emissions * years(period) * (1 - reduction_factor)` with "
    "the factor in a table by category and period.",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`tokyo_cat` requires 27 % (offices) and 25 % (factories) in FY2020-24; "
    "`saitama_tset` 22 % and 20 %.",
)
def reduction_factors_differ(p: Pair) -> list[Hit]:
    window = link_window(p.a, p.b)
    pairs = _differences(reduction_factors(p.a, window), reduction_factors(p.b, window))
    if not pairs:
        return []
    shown = Listing(tuple(_factor_pair(p, x, y) for x, y in pairs), "semicolon")
    proof = list(dict.fromkeys(x.evidence for x, _ in pairs))
    proof += list(dict.fromkeys(y.evidence for _, y in pairs))
    return [
        Hit(
            _FACTORS(when=_while(window), pairs=shown),
            tuple(proof),
        )
    ]


def _measures(m: SchemeModel, window: Window) -> tuple[bool, bool, bool]:
    return (
        decline(m, window) is not None,
        bool(reduction_factors(m, window)),
        cap_path(m, window) is not None,
    )


_MEASURES = (
    template("measure-decline", "an annual cap decline"),
    template("measure-factors", "reduction factors below base emissions"),
    template("measure-cap-path", "a cap for each year"),
)
_MEASURE_NEITHER = template("measure-neither", "neither")


def _measure(found: tuple[bool, bool, bool]) -> Said:
    return next((w() for w, f in zip(_MEASURES, found, strict=True) if f), _MEASURE_NEITHER())


@check(
    codes.STRINGENCY_NOT_COMPARABLE,
    "info",
    rationale="""Stringency is compared through a common measure: an annual cap decline
       rate on both sides, reduction factors below base emissions on both sides, or a cap for
       each year on both sides. Without one, the comparison is left to the reader.""",
    how_to="`param lrf = 2.2 %` (or a table `lrf by period`); a cap written "
    "`base_emissions * years(period) * (1 - reduction_factor)`; or a system table "
    "`annual_cap by year`.",
    sources=(PMR_HANDBOOK, ICAP_GUIDE),
    example="`eu_ets` states an annual decline; `jvets` states neither.",
)
def stringency_not_comparable(p: Pair) -> list[Hit]:
    window = link_window(p.a, p.b)
    ma, mb = _measures(p.a, window), _measures(p.b, window)
    by_path = not (ma[0] or mb[0]) and _paths(p, window)
    if (ma[0] and mb[0]) or (ma[1] and mb[1]) or by_path:
        return []
    if not any(ma) and not any(mb):
        measures = Listing(tuple(m() for m in _MEASURES), "or")
        message = _NEITHER(a=Scheme(p.a.name), b=Scheme(p.b.name), measures=measures)
    else:
        message = _NO_COMMON(
            a=Scheme(p.a.name), b=Scheme(p.b.name), measure_a=_measure(ma), measure_b=_measure(mb)
        )
    return [
        Hit(
            message,
            (
                evidence(p.a, "stringency", _measure(ma) if any(ma) else NOT_STATED),
                evidence(p.b, "stringency", _measure(mb) if any(mb) else NOT_STATED),
            ),
        )
    ]
