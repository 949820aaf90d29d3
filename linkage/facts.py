"""What the linkage checks read from two scheme models: evidence, pairs, rates, and the
helpers that find a scheme's credits, prices, penalties and links."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from etsl.compiler.enums import PRICE_CONTROLS
from etsl.compiler.model import (
    Citation,
    ConsequenceModel,
    LinkModel,
    Location,
    PenaltyModel,
    PriceModel,
    SchemeModel,
    SurrenderModel,
    TableModel,
    UnitModel,
)
from etsl.compiler.numbers import divide, multiply
from etsl.compiler.units import UnknownUnit, parse_unit

Severity = Literal["blocker", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("blocker", "warning", "info")
NOT_DECLARED = "(not declared)"


# ---- data ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """Where a linking criterion comes from (reference/ets-facts.md section and URL)."""

    label: str
    url: str | None = None
    facts: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one scheme declares, where, and on whose authority."""

    scheme: str
    field: str
    value: str
    path: str
    line: int | None = None
    col: int | None = None
    source: str | None = None
    locator: str | None = None
    citation: str | None = None
    url: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.col}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a check: a plain-language message and its evidence."""

    message: str
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
    """A registered check: stable code, severity, and the reasoning shown to users."""

    code: str
    severity: Severity
    title: str
    rationale: str
    remedy: str
    sources: tuple[Reference, ...]
    run: Run
    example: str


# ---- reading the models ---------------------------------------------------------------------


def number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def evidence(
    m: SchemeModel, field: str, value: str, item: object = None, cite: Citation | None = None
) -> Evidence:
    """Evidence from scheme `m`: located when the model item carries a `location`."""
    cite = cite or getattr(item, "cite", None)
    location = getattr(item, "location", None)
    source = next((s for s in m.sources if cite is not None and s.id == cite.source), None)
    at = location if isinstance(location, Location) else None
    return Evidence(
        scheme=m.name,
        field=field,
        value=value,
        path=at.path if at else m.path,
        line=at.line if at else None,
        col=at.col if at else None,
        source=cite.source if cite else None,
        locator=cite.locator if cite else None,
        citation=source.citation if source else None,
        url=source.url if source else None,
    )


def meta(m: SchemeModel, key: str) -> Evidence:
    item = m.meta.get(key)
    return evidence(m, f"meta.{key}", item.value if item else NOT_DECLARED, item)


CREDIT_KINDS = frozenset({"credit", "offset"})


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
    """Whether scheme `m` accepts `unit` as declared by scheme `n`."""
    return any(same_unit(m, u, n, unit) for u, _ in accepted(m))


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
    """An accept clause as written: units, `up to` limit and `where` filter."""
    text = f"accept {', '.join(item.units)}"
    text += f" up to {item.limit.text}" if item.limit else ""
    text += f" where {item.where.text}" if item.where else ""
    return evidence(m, "surrender", text, item)


def surrender_summary(m: SchemeModel) -> Evidence:
    names = [u.name for u, _ in accepted(m)]
    return evidence(m, "surrender", "accepts " + (", ".join(names) or "nothing"))


def link_to(m: SchemeModel, target: str) -> LinkModel | None:
    return next((link for link in m.links if link.target == target), None)


def link_evidence(m: SchemeModel, target: str) -> Evidence:
    link = link_to(m, target)
    if link is None:
        return evidence(m, "links", f"no link to {target}")
    text = f"link {target} {link.direction}"
    text += f" since {link.since}" if link.since else ""
    text += f" until {link.until}" if link.until else ""
    text += f" for {', '.join(link.units)}" if link.units else ""
    return evidence(m, f"links[{target}]", text, link)


def receives(m: SchemeModel, partner: SchemeModel) -> bool:
    """Whether either side's declaration lets `partner`'s units be used in `m`."""
    own, theirs = link_to(m, partner.name), link_to(partner, m.name)
    return bool(
        (own and own.direction in ("two_way", "inbound"))
        or (theirs and theirs.direction in ("two_way", "outbound"))
    )


def flows_to(source: SchemeModel, target: SchemeModel) -> bool:
    """Whether `source`'s units reach `target`: per the declarations, or both ways if none."""
    if not (link_to(source, target.name) or link_to(target, source.name)):
        return True
    return receives(target, source)


def unit_flows(source: SchemeModel, target: SchemeModel, unit: str) -> bool:
    """Whether a unit type of `source` may move to `target`: the link declarations' `for`
    lists (on either side) restrict what crosses; without a list every unit does."""
    lists = [
        link.units
        for link in (link_to(source, target.name), link_to(target, source.name))
        if link is not None and link.units
    ]
    return flows_to(source, target) and all(unit in units for units in lists)


_CELL = re.compile(r"^(-?\d[\d_]*(?:\.\d+)?)(?:\s*(\S+))?$")


def cell_value(text: str) -> Decimal | None:
    """The base-unit value of a literal such as `2.2 %` or `100 EUR/tCO2e`."""
    match = _CELL.match(text.strip())
    if not match:
        return None
    try:
        scale = parse_unit(match[2]).scale if match[2] else Decimal(1)
        return Decimal(match[1].replace("_", "")) * scale
    except (UnknownUnit, InvalidOperation):
        return None


def latest_entry(m: SchemeModel, table: TableModel) -> tuple[str, str] | None:
    """(period, cell) of a by-period table for the scheme's last period ('*' if not listed)."""
    if table.dims != ["period"] or not m.periods:
        return None
    last = m.periods[-1].name
    for key in (last, "*"):
        if key in table.entries:
            return last, table.entries[key]
    return None


_DECLINE = re.compile(
    r"(^|_)(lrf|linear_reduction_factor|annual_reduction_rate|cap_decline"
    r"(_rate)?)$"
)


def cap_decline(m: SchemeModel) -> tuple[Decimal, Evidence] | None:
    """The annual cap decline rate, from a parameter or by-period table named like `lrf`."""
    for p in m.params:
        if _DECLINE.search(p.name) and p.formula.constant and p.formula.unit == "":
            return Decimal(p.formula.constant), evidence(m, f"params[{p.name}]", p.formula.text, p)
    for t in m.tables:
        entry = latest_entry(m, t) if _DECLINE.search(t.name) and t.unit == "" else None
        value = cell_value(entry[1]) if entry else None
        if entry and value is not None:
            return value, evidence(m, f"tables[{t.name}]", f"{entry[0]}: {entry[1]}", t)
    return None


def consequences(m: SchemeModel) -> list[tuple[PenaltyModel, ConsequenceModel]]:
    return [(p, q) for p in m.penalties for q in p.consequences]


_PER_TONNE = re.compile(r"^([A-Z]{3})/tCO2e$")
_TIMES_SHORTFALL = re.compile(r"^(?:(?P<left>[^*]+?) \* shortfall|shortfall \* (?P<right>[^*]+))$")
_LITERAL_RATE = re.compile(r"^(\d[\d_]*(?:\.\d+)?) ([A-Z]{3}/[A-Za-z_0-9]+)$")
_WORD = re.compile(r"^[A-Za-z_]\w*$")


def _rate_in(m: SchemeModel, text: str) -> tuple[Decimal, str] | None:
    """The rate of a fine written `RATE * shortfall` (RATE a literal, parameter or table)."""
    match = _TIMES_SHORTFALL.match(text.strip())
    rate = (match["left"] or match["right"]).strip() if match else ""
    literal = _LITERAL_RATE.match(rate)
    if literal:
        value = cell_value(rate)
        currency = _PER_TONNE.match(_unit_name(literal[2]))
        return (value, currency[1]) if value is not None and currency else None
    return _named_rate(m, rate) if _WORD.match(rate) else None


def _unit_name(unit: str) -> str:
    from etsl.compiler.units import dims_name

    try:
        return str(dims_name(parse_unit(unit).dims))
    except UnknownUnit:
        return ""


def _named_rate(m: SchemeModel, name: str) -> tuple[Decimal, str] | None:
    param = next((p for p in m.params if p.name == name), None)
    currency = _PER_TONNE.match(param.formula.unit) if param else None
    if param and currency and param.formula.constant:
        return Decimal(param.formula.constant), currency[1]
    table = next((t for t in m.tables if t.name == name), None)
    currency = _PER_TONNE.match(table.unit) if table else None
    entry = latest_entry(m, table) if table and currency else None
    value = cell_value(entry[1]) if entry else None
    return (value, currency[1]) if value is not None and currency else None


def fine_per_tonne(m: SchemeModel) -> tuple[Decimal, str, Evidence] | None:
    """The per-tonne fine (latest period), in base units of `CUR/tCO2e`, with its evidence."""
    for penalty, q in consequences(m):
        formula = q.amount if q.kind == "fine" else None
        found = _rate_in(m, formula.text) if formula else None
        if formula and found:
            field = f"penalties[{penalty.name or ''}].fine"
            return found[0], found[1], evidence(m, field, f"fine {formula.text}", q)
    return None


def fines(m: SchemeModel) -> list[Evidence]:
    return [
        evidence(m, f"penalties[{p.name or ''}].fine", _consequence_text(q), q)
        for p, q in consequences(m)
        if q.kind == "fine"
    ]


def _consequence_text(q: ConsequenceModel) -> str:
    parts = [q.kind] + ([q.amount.text] if q.amount else [])
    return " ".join(parts + ([f"up to {q.limit.text}"] if q.limit else []))


def penalty_evidence(m: SchemeModel) -> Evidence:
    kinds = [q.kind for _, q in consequences(m)]
    value = ", ".join(kinds) if kinds else ("penalty none" if m.penalties else NOT_DECLARED)
    first = m.penalties[0] if m.penalties else None
    return evidence(m, "penalties", value, first)


def price_kind(price: PriceModel) -> str:
    """floor, ceiling, supply or reference (compiler/enums.py), `other` when unknown."""
    return PRICE_CONTROLS.kind(price.name) or "other"


def prices(m: SchemeModel, kind: str) -> list[PriceModel]:
    return [p for p in m.price_controls if price_kind(p) == kind]


def price_evidence(m: SchemeModel, price: PriceModel) -> Evidence:
    text = f"price {price.name} {price.value.text}"
    text += f" from {price.from_year}" if price.from_year else ""
    text += f" rising {price.rising.text}" if price.rising else ""
    return evidence(m, f"price_controls[{price.name}]", text, price)


def mandatory_absolute(m: SchemeModel) -> bool:
    return bool(
        m.meta_value("participation") == "mandatory" and m.meta_value("cap_type") == "absolute"
    )


def allows(mode: str | None) -> bool:
    return mode not in (None, "none")


def uses_short_tons(m: SchemeModel) -> bool:
    texts = [i.unit or "" for i in (m.participant.inputs if m.participant else [])]
    texts += [p.value.text for p in m.price_controls] + [p.formula.text for p in m.params]
    texts += [r.formula.text for r in m.rules] + [c for t in m.tables for c in t.entries.values()]
    texts += [s.limit.text for s in m.surrender if s.limit]
    return any("short_t" in text for text in texts)


def join_names(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"
