"""The formatter: idempotent, keeps comments, and never changes what a scheme means."""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler.fmt import format_source
from etsl.compiler.parse import parse
from etsl.compiler.source import SourceFile
from hypothesis import given
from hypothesis import strategies as st

from tests.astcompare import shape
from tests.golden import REPO

FILES = sorted((REPO / "tests" / "cases").rglob("*.scheme")) + sorted(
    (REPO / "schemes").rglob("*.scheme"))


def _module(text: str):  # type: ignore[no-untyped-def]
    module, diagnostics = parse(SourceFile.of("x.scheme", text))
    assert module is not None, diagnostics
    return module


def _fmt(text: str) -> str:
    out, diagnostics = format_source(SourceFile.of("x.scheme", text))
    assert out is not None, diagnostics
    return out


def _parses(path: Path) -> bool:
    return parse(SourceFile.read(path))[0] is not None


@pytest.mark.parametrize("path", [p for p in FILES if _parses(p)],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_fmt_is_idempotent_and_keeps_meaning(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = _fmt(text)
    assert _fmt(once) == once
    assert shape(_module(once)) == shape(_module(text))


def test_fmt_keeps_every_comment_in_place() -> None:
    path = REPO / "tests" / "cases" / "language" / "ok" / "commented.scheme"
    text = path.read_text(encoding="utf-8")
    assert _fmt(text) == text  # the case is written in canonical form, comments included
    shuffled = text.replace("\n  # Leading a declaration.\n  kind", " # Leading a declaration.\nkind")
    assert _fmt(shuffled) == text


def test_fmt_canonical_layout() -> None:
    messy = ('scheme s   "T"{kind   cap_and_trade participant p{emissions:tCO2e}\n'
             "cap=floor(((emissions*2)))}")
    assert _fmt(messy) == (
        'scheme s "T" {\n  kind cap_and_trade\n  participant p {\n    emissions: tCO2e\n  }\n'
        "  cap = floor(emissions * 2)\n}\n")


def test_fmt_prints_several_citations_after_one_cite() -> None:
    messy = ('scheme s {\n  param x = 5 % cite act  "art. 5" ,\n bill "p. 2"   secondary,order\n}\n')
    once = _fmt(messy)
    assert once == 'scheme s {\n  param x = 5 % cite act "art. 5", bill "p. 2" secondary, order\n}\n'
    assert _fmt(once) == once
    cite = _module(once).schemes[0].decls[0].cite
    assert [(c.source, c.locator, c.confidence) for c in cite.all()] == [
        ("act", "art. 5", None), ("bill", "p. 2", "secondary"), ("order", None, None)]


def test_fmt_aligns_table_columns() -> None:
    text = ("scheme s { participant p { c: {office, factory} }\n"
            "table f by c, period { | c | first | | office | 8 % | | factory | 16.5 % | } }")
    assert "\n".join(_fmt(text).splitlines()[4:9]) == (
        "  table f by c, period {\n"
        "    | c       | first  |\n"
        "    | office  | 8 %    |\n"
        "    | factory | 16.5 % |\n"
        "  }")


# ---- generated schemes ---------------------------------------------------------------------

NAMES = st.sampled_from(["base", "emissions", "activity", "factor"])
NUMBERS = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str)
UNITS = st.sampled_from(["", " tCO2e", " %", " tCO2e/yr", " JPY"])


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    leaf = st.one_of(NAMES, st.tuples(NUMBERS, UNITS).map("".join))
    if depth == 0:
        return leaf
    sub = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(lambda t: " ".join(t)),
        sub.map(lambda e: f"({e})"),
        sub.map(lambda e: f"floor({e})"),
        st.tuples(sub, sub).map(lambda t: f"max({t[0]}, {t[1]})"),
        st.tuples(sub, sub, sub).map(lambda t: f"(if {t[0]} > {t[1]} then {t[2]} else {t[0]})"),
        sub.map(lambda e: f"-{e}"),
        st.tuples(sub, sub).map(lambda t: f"(({t[0]}) of ({t[1]}))"),  # `of` binds loosest
    )


SPACES = st.sampled_from([" ", "  ", "\n  ", " \n\n "])


@st.composite
def consequences(draw: st.DrawFn) -> str:
    """A consequence in each form of its bounds: `fine X`, `fine X up to L`, `fine up to L`,
    `fine from A up to B` (a range), or none."""
    sep = draw(SPACES)
    amount, lower, upper = (draw(expressions(1)) for _ in range(3))
    kind = draw(st.sampled_from(["fine", "order", "make_good"]))
    bounds = draw(st.sampled_from(["", f" {amount}", f" {amount} up to{sep}{upper}",
                                   f" up to {upper}", f" from{sep}{lower}{sep}up to {upper}"]))
    return f"{kind}{bounds}"


CITATIONS = st.tuples(
    st.sampled_from(["act", "order", "bill"]),
    st.sampled_from(["", ' "art. 5"', ' "p. 2, table 1"']),
    st.sampled_from(["", " primary", " secondary", " unconfirmed"]),
).map("".join)


@st.composite
def cites(draw: st.DrawFn) -> str:
    """No citation, one, or several (`cite act "art. 5", bill "p. 2" secondary`)."""
    listed = draw(st.lists(CITATIONS, max_size=3))
    comma = draw(st.sampled_from([",", " ,", ",\n    "]))
    return f" cite {comma.join(listed)}" if listed else ""


@st.composite
def schemes(draw: st.DrawFn) -> str:
    rules = draw(st.lists(st.tuples(expressions(), cites()).map("".join), min_size=1, max_size=5))
    sep = draw(SPACES)
    body = [f"rule r{i}{sep}={sep}{expr}" for i, expr in enumerate(rules)]
    if draw(st.booleans()):
        body.insert(0, "# a comment")
    if draw(st.booleans()):
        body.append('penalty when base > 0 { fine 5 EUR "note" publish }')
    if draw(st.booleans()):
        owed = draw(st.lists(consequences(), min_size=1, max_size=3))
        body.append(f"penalty late when base > 0 {{ {sep.join(owed)} }}")
    if draw(st.booleans()):
        limit = draw(st.sampled_from(["", f" up to {draw(expressions(1))}"]))
        during = f"during p1, p2{sep}next_period{limit}"
        body.append(f"borrowing none {{{sep}{during}{sep}}}")
    if draw(st.booleans()):
        body.append(f"price floor{sep}10 EUR/tCO2e")
        kind = draw(st.sampled_from(["ceiling", "supply_adjustment"]))
        status = draw(st.sampled_from(["none", "not_stated"]))
        body.append(f'price{sep}{kind} {status}{sep}"the sources read"')
    if draw(st.booleans()):
        body.append(f'price auction_reserve{sep}"a minimum price, its level not read"')
    return "scheme gen {\n" + "\n".join(body) + "\n}\n"


@given(schemes())
def test_generated_schemes_survive_fmt(text: str) -> None:
    once = _fmt(text)
    assert _fmt(once) == once
    assert shape(_module(once)) == shape(_module(text))
