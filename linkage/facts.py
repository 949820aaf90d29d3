"""What the linkage checks read from two scheme models: evidence, pairs, rates, units, links
and what each scheme states about a design feature.

A feature a scheme does not declare is **not stated**, which is different from a feature
declared `none` (`penalty none`, `banking none`, `borrowing none`): comparisons need both
sides stated, and "has none" is only ever said of a scheme that declares none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from etsl.compiler.model import (
    Citation,
    LinkModel,
    Location,
    SchemeModel,
    Source,
    SurrenderModel,
    UnitModel,
)
from etsl.compiler.numbers import divide, multiply
from etsl.linkage.said import Listing, Said, Scheme, Template, Term, Value, template, terms
from etsl.linkage.worded import (
    ACCEPTS,
    CALENDAR_WORDS,
    CONSEQUENCE_WORDS,
    META_WORDS,
    MODE_WORDS,
    SCOPE_WORDS,
    accept_words,
    link_words,
    vocabulary_words,
)

Severity = Literal["blocker", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("blocker", "warning", "info")
NOT_STATED = "not stated in the scheme"


# ---- data ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """Where a linking criterion comes from: the document and, where it is public, its URL."""

    label: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Cited:
    """One more source a declaration cites (`cite a "x", b "y"`: b, after the first)."""

    source: str
    locator: str | None = None
    citation: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one scheme declares, where, and on whose authority."""

    scheme: str
    field: str
    value: str | Said
    path: str
    line: int | None = None
    col: int | None = None
    source: str | None = None
    locator: str | None = None
    citation: str | None = None
    url: str | None = None
    also: tuple[Cited, ...] = ()  # the other citations, when the declaration cites several

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.col}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a check: a plain-language message and its evidence."""

    message: Said
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Rates:
    """Exchange rates: `(base, quote, value)` means 1 base = value quote (EUR/JPY=160)."""

    quotes: tuple[tuple[str, str, Decimal], ...] = ()

    def convert(self, amount: Decimal, source: str, target: str) -> Decimal | None:
        if source == target:
            return amount
        for base, quote, value in self.quotes:
            if (base, quote) == (source, target):
                return Decimal(multiply(amount, value))
            if (base, quote) == (target, source):
                return Decimal(divide(amount, value))
        return None

    def texts(self) -> tuple[str, ...]:
        return tuple(f"{base}/{quote}={number(value)}" for base, quote, value in self.quotes)

    def text_for(self, a: str, b: str) -> str:
        """The rate given between two currencies, as the user wrote it ('' if none)."""
        return next((t for t in self.texts() if {t[:3], t[4:7]} == {a, b}), "")


@dataclass(frozen=True, slots=True)
class Pair:
    """The two schemes under analysis, and the exchange rates the user supplied."""

    a: SchemeModel
    b: SchemeModel
    rates: Rates = Rates()

    def flipped(self) -> Pair:
        return Pair(self.b, self.a, self.rates)


Run = Callable[[Pair], list[Hit]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: its code (compiler/codes.py holds its title and remedy), severity,
    the reasoning shown to users, and how to act on the remedy (commands, scheme syntax)."""

    code: str
    severity: Severity
    title: str
    rationale: str
    remedy: str
    how_to: str
    sources: tuple[Reference, ...]
    run: Run
    example: str


# ---- reading the models ---------------------------------------------------------------------


def number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (2.20 → '2.2')."""
    return f"{value.normalize():f}"


_NOT_STATED = template("not-stated", NOT_STATED)


_VALUE = template("evidence-value", "{value}")


def _said(value: Value) -> str | Said:
    """Evidence as a message (a bare list or term is spoken inside one)."""
    return value if isinstance(value, str | Said) else _VALUE(value=value)


def not_stated_words() -> Said:
    return _NOT_STATED()


def evidence(
    m: SchemeModel,
    field: str,
    value: Value,
    item: object = None,
    cite: Citation | None = None,
) -> Evidence:
    """Evidence from scheme `m`: located when the model item carries a `location`. `value`
    is what the scheme declares, as written, or words about it (a message: 'not stated in
    the scheme', 'accepts …')."""
    cite = cite or getattr(item, "cite", None)
    location = getattr(item, "location", None)
    source = _source(m, cite)
    at = location if isinstance(location, Location) else None
    return Evidence(
        scheme=m.name,
        field=field,
        value=_NOT_STATED() if value == NOT_STATED else _said(value),
        path=at.path if at else m.path,
        line=at.line if at else None,
        col=at.col if at else None,
        source=cite.source if cite else None,
        locator=cite.locator if cite else None,
        citation=source.citation if source else None,
        url=source.url if source else None,
        also=tuple(_cited(m, c) for c in cite.also) if cite else (),
    )


def _source(m: SchemeModel, cite: Citation | None) -> Source | None:
    return next((s for s in m.sources if cite is not None and s.id == cite.source), None)


def _cited(m: SchemeModel, cite: Citation) -> Cited:
    source = _source(m, cite)
    return Cited(
        cite.source,
        cite.locator,
        source.citation if source else None,
        source.url if source else None,
    )


def meta(m: SchemeModel, key: str) -> Evidence:
    """A summary fact (`participation`, `currency`, …) in words."""
    item = m.meta.get(key)
    return evidence(m, f"meta.{key}", meta_words(m, key) if item else NOT_STATED, item)


def meta_words(m: SchemeModel, key: str) -> Listing:
    """A summary fact's values in words (a vocabulary's words, else terms)."""
    return vocabulary_words(META_WORDS.get(key, {}), m.meta_values(key))


def join_names(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"


def quoted(names: Iterable[str]) -> str:
    """'a' and 'b' (or 'a', 'b' and 'c')."""
    items = [f"'{n}'" for n in names]
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


# ---- units --------------------------------------------------------------------------------------

CREDIT_KINDS = frozenset({"credit", "offset"})

#: A unit's kind in words, with its article where a sentence needs one.
KIND_WORDS = {
    "allowance": template("kind-allowance", "allowance"),
    "credit": template("kind-credit", "credit"),
    "offset": template("kind-offset", "offset credit"),
    "unknown": template("kind-unknown", "unit"),
}
A_KIND = {
    "allowance": template("a-kind-allowance", "an allowance"),
    "credit": template("a-kind-credit", "a credit"),
    "offset": template("a-kind-offset", "an offset credit"),
    "unknown": template("a-kind-unknown", "a unit"),
}


_UNIT = template("evidence-unit", "{kind} {unit}")
_UNIT_FROM = template("evidence-unit-from", "{kind} {unit}, issued by {origin}")


def unit_words(u: UnitModel) -> Said:
    """A unit declaration in words: 'credit excess reduction, issued by Keidanren'."""
    kind, unit = kind_words(u.kind), Term(u.name, quoted=False)
    if u.origin:
        return _UNIT_FROM(kind=kind, unit=unit, origin=Scheme(u.origin))
    return _UNIT(kind=kind, unit=unit)


def kind_words(kind: str, article: bool = False) -> Said:
    """A unit's kind in words: 'credit', or with `article` 'a credit'."""
    return (A_KIND if article else KIND_WORDS).get(kind, KIND_WORDS["unknown"])()


def home(m: SchemeModel, unit: UnitModel) -> str:
    """The scheme that issues a unit: its `from` origin, else the declaring scheme."""
    return str(unit.origin or m.name)


def unit_named(m: SchemeModel, name: str) -> UnitModel:
    found = next((u for u in m.units if u.name == name), None)
    return found or UnitModel(kind="unknown", name=name)


def same_unit(m: SchemeModel, u: UnitModel, n: SchemeModel, v: UnitModel) -> bool:
    """Same instrument: same issuer and name; credits also match by name (CER is a CER)."""
    if u.name != v.name:
        return False
    if home(m, u) == home(n, v):
        return True
    return {u.kind, v.kind} <= CREDIT_KINDS and (u.origin is None or v.origin is None)


def accepted(m: SchemeModel) -> list[tuple[UnitModel, SurrenderModel]]:
    return [
        (unit_named(m, name), item)
        for item in m.surrender
        if item.kind == "accept"
        for name in item.units
    ]


def accepts(m: SchemeModel, n: SchemeModel, unit: UnitModel) -> bool:
    """Whether scheme `m` names `unit` (as declared by scheme `n`) in an accept clause."""
    return any(same_unit(m, u, n, unit) for u, _ in accepted(m))


def names_in(m: SchemeModel, n: SchemeModel, unit: UnitModel) -> list[str]:
    """The names under which scheme `m` accepts `unit` as declared by scheme `n`."""
    return [u.name for u, _ in accepted(m) if same_unit(m, u, n, unit)]


def limit_of(m: SchemeModel, name: str) -> SurrenderModel | None:
    """The accept `up to` or combined `limit` clause that caps unit `name`, if any."""
    return next((item for item in m.surrender if name in item.units and item.limit), None)


def credits(m: SchemeModel, partner: SchemeModel) -> list[tuple[UnitModel, SurrenderModel]]:
    """Credits and offsets `m` accepts, other than units issued by the partner."""
    return [
        (u, item)
        for u, item in accepted(m)
        if u.kind in CREDIT_KINDS and home(m, u) != partner.name
    ]


def accept_evidence(m: SchemeModel, item: SurrenderModel) -> Evidence:
    """An accept clause in words: units, `up to` limit and `where` filter."""
    return evidence(m, "surrender", accept_words(m, item), item)


def surrender_summary(m: SchemeModel) -> Evidence:
    names = [u.name for u, _ in accepted(m)]
    return evidence(m, "surrender", ACCEPTS(units=terms(names)) if names else NOT_STATED)


# ---- links ----------------------------------------------------------------------------------------


def link_to(m: SchemeModel, target: str) -> LinkModel | None:
    return next((link for link in m.links if link.target == target), None)


def link_evidence(m: SchemeModel, target: str) -> Evidence:
    link = link_to(m, target)
    if link is None:
        return evidence(m, "links", _NO_LINK(target=Scheme(target, quoted=False)))
    return evidence(m, f"links[{target}]", link_words(link), link)


_NO_LINK = template("evidence-no-link", "no link to {target}")


def links_evidence(p: Pair) -> tuple[Evidence, Evidence]:
    """What each scheme of the pair says about its link to the other."""
    return link_evidence(p.a, p.b.name), link_evidence(p.b, p.a.name)


def declared_by(a: SchemeModel, b: SchemeModel) -> tuple[str, ...]:
    """The schemes of the pair that declare a link to the other."""
    return tuple(m.name for m, o in ((a, b), (b, a)) if link_to(m, o.name))


# ---- what a scheme states ---------------------------------------------------------------------


class Statement(StrEnum):
    """What a scheme says about a design feature (compiler/features.py decides it for the
    optional features; the model carries it)."""

    DECLARED = "declared"
    NONE = "declared none"
    NOT_STATED = "not stated"


_STATUS = {
    "declared": Statement.DECLARED,
    "none": Statement.NONE,
    "not_stated": Statement.NOT_STATED,
}

Reading = tuple[Statement, Value, object]


def _meta(key: str) -> Callable[[SchemeModel], Reading]:
    def read(m: SchemeModel) -> Reading:
        item = m.meta.get(key)
        return (Statement.DECLARED, meta_words(m, key), item) if item else _not_stated()

    return read


def _not_stated() -> Reading:
    return Statement.NOT_STATED, NOT_STATED, None


def _listed(values: list[str], words: dict[str, Template] | None = None) -> Reading:
    shown = vocabulary_words(words or {}, values)
    return (Statement.DECLARED, shown, None) if values else _not_stated()


def _optional(name: str, shown: Callable[[SchemeModel], Value]) -> Callable[[SchemeModel], Reading]:
    """An optional feature as the compiler states it: declared (shown as the scheme writes
    it), declared none, or not stated (with the `not_stated` declaration that says so)."""

    def read(m: SchemeModel) -> Reading:
        feature = m.features.get(name)
        if feature is None:
            return _not_stated()
        status = _STATUS[feature.status]
        value: Value = {Statement.DECLARED: shown(m), Statement.NONE: "declared none"}.get(
            status, NOT_STATED
        )
        return status, value, feature

    return read


_MODE_DURING = template("evidence-mode-during", "{mode}; in {periods}: {other}")


def _modes(m: SchemeModel, item: object) -> Value:
    """A banking or borrowing mode as a term (`next_period`: words in the documents), with
    the modes of the periods that have their own (`borrowing none { during cycle2 … }`)."""
    mode = str(getattr(item, "mode", ""))
    if not mode:
        return ""
    words: Value = vocabulary_words(MODE_WORDS, [mode])
    for rule in getattr(item, "during", []):
        other = vocabulary_words(MODE_WORDS, [rule.mode])
        words = _MODE_DURING(mode=words, periods=terms(rule.periods), other=other)
    return words


#: Each design feature the checks compare: how to read what a scheme states about it. The
#: optional ones (price controls to links) come from the compiler's statements.
FEATURES: dict[str, Callable[[SchemeModel], Reading]] = {
    "participation": _meta("participation"),
    "cap type": _meta("cap_type"),
    "currency": _meta("currency"),
    "calendar": lambda m: (
        (Statement.DECLARED, vocabulary_words(CALENDAR_WORDS, [m.calendar]), None)
        if m.calendar
        else _not_stated()
    ),
    "gases": lambda m: _listed(m.gases),
    "scope": lambda m: _listed(m.scope, SCOPE_WORDS),
    "price controls": _optional(
        "price_controls",
        lambda m: terms(m.price_control_names()),
    ),
    "banking": _optional("banking", lambda m: _modes(m, m.banking)),
    "borrowing": _optional("borrowing", lambda m: _modes(m, m.borrowing)),
    "credits": _optional(
        "credits", lambda m: terms([u.name for u in m.units if u.kind in CREDIT_KINDS])
    ),
    "verification": _optional("verification", lambda m: m.meta_value("mrv") or ""),
    "penalties": _optional(
        "penalties",
        lambda m: vocabulary_words(
            CONSEQUENCE_WORDS, [q.kind for p in m.penalties for q in p.consequences]
        ),
    ),
    "links": _optional(
        "links",
        lambda m: Listing(tuple(Scheme(link.target, False) for link in m.links), "comma"),
    ),
}


#: The design features compared, in words.
FEATURE_WORDS = {
    feature: template(f"feature-{feature.replace(' ', '-')}", feature) for feature in FEATURES
}


def states(m: SchemeModel, feature: str) -> Statement:
    """What scheme `m` states about a feature of FEATURES."""
    return FEATURES[feature](m)[0]


def stated(m: SchemeModel, feature: str) -> bool:
    return states(m, feature) is not Statement.NOT_STATED


def kind_states(m: SchemeModel, kind: str) -> Statement:
    """What scheme `m` states about one kind of price control (`floor`, `ceiling`,
    `supply`): declared, declared none, or not stated (compiler/features.py)."""
    said = m.price_kinds.get(kind)
    return _STATUS[said.status] if said else Statement.NOT_STATED


def kind_evidence(m: SchemeModel, kind: str) -> Evidence:
    """Evidence of what scheme `m` states about one kind of price control, at its
    `price KIND not_stated "why"` (with the why) where it says so."""
    said = m.price_kinds.get(kind)
    why = said.description if said else None
    shown = _not_stated_words(why)
    return evidence(m, f"price_kinds[{kind}]", shown, said)


def _not_stated_words(why: str | None) -> Said:
    return _SCHEME_SAYS(statements=_NOT_STATED(), why=why) if why else _NOT_STATED()


def statement_evidence(m: SchemeModel, features: Iterable[str]) -> Evidence:
    """Evidence listing what the scheme states about each feature, located at the scheme's
    own `not_stated` declaration when it acknowledges that its sources are silent."""
    readings = [(f, FEATURES[f](m)) for f in features]
    shown = Listing(
        tuple(_FEATURE(feature=FEATURE_WORDS[f](), value=_reading(r)) for f, r in readings),
        "semicolon",
    )
    located = next(
        (r[2] for _, r in readings if r[0] is Statement.NOT_STATED and r[2] is not None), None
    )
    said = getattr(located, "description", None)
    value = _SCHEME_SAYS(statements=shown, why=said) if said else _STATEMENTS(statements=shown)
    return evidence(m, ", ".join(features), value, located)


_FEATURE = template("evidence-feature", "{feature}: {value}")
_SCHEME_SAYS = template("evidence-scheme-says", "{statements} (the scheme's note: {why})")
_STATEMENTS = template("evidence-statements", "{statements}")
DECLARED_NONE = template("declared-none", "declared none")


def _reading(reading: Reading) -> Value:
    """What a scheme states about a feature: its declaration as written, or words."""
    status = reading[0]
    if status is Statement.NOT_STATED:
        return _NOT_STATED()
    return DECLARED_NONE() if status is Statement.NONE else reading[1]
