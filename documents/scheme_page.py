"""What a scheme's page shows, as text ready for a template (the view of one scheme).

    >>> page = scheme_page(tokyo_cat)
    >>> page.title, [f.label for f in page.facts][:2]
    ('Tokyo Cap-and-Trade Program', ['Jurisdiction', 'Administrator'])

Every string is in the language being written (`etsl.documents.i18n`); names become labels
(`etsl.documents.wording`), formulas become sentences (`etsl.documents.prose`), and every
value carries its footnotes (`etsl.documents.citations`). Schemes the page mentions (links,
units from another scheme) are linked when the site documents them too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from etsl.compiler.enums import (
    ALLOCATION_METHODS,
    CONSEQUENCE_KINDS,
    LINK_DIRECTIONS,
    LINK_STATUSES,
    UNIT_KINDS,
)
from etsl.compiler.model import (
    SYSTEM_DESCRIPTION,
    ConsequenceModel,
    PeriodModel,
    SchemeModel,
    TableModel,
)
from etsl.documents.citations import Footnotes, Ref, SourceEntry
from etsl.documents.compare import (
    LEVEL_NOT_STATED,
    NOT_STATED,
    bank_words,
    card,
    cell,
    definitions,
    limited,
    mix_words,
    periods_words,
    price_amount,
    price_words,
    share_words,
    stated_kinds,
)
from etsl.documents.figures.scheme import Figure, YearPath, figures
from etsl.documents.i18n import N_
from etsl.documents.i18n import gettext as _
from etsl.documents.prose import (
    Lexicon,
    Term,
    condition,
    formula_condition,
    formula_phrase,
    lexicon,
    phrase,
    range_phrase,
    rule_sentence,
    terms_used,
)
from etsl.documents.wording import (
    article,
    capital,
    comma,
    date_words,
    followed_by,
    is_proper,
    is_short_tons,
    label,
    listing,
    literal_words,
    scheme_title,
    span_words,
    unit_words,
    vocab_words,
)
from etsl.documents.worked_examples import ExampleView, example_views

# ---- views -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    lines: tuple[str, ...]
    refs: tuple[Ref, ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    """A generic row: a name, columns of text, a description, and citations."""

    name: str
    columns: tuple[str, ...] = ()
    description: str = ""
    refs: tuple[Ref, ...] = ()
    anchor: str = ""
    code: str = ""  # the identifier formulas use, when the name is a label
    href: str = ""  # a page documenting it


@dataclass(frozen=True, slots=True)
class RuleView:
    name: str
    title: str
    anchor: str
    sentence: str
    formula: str
    unit: str
    description: str
    meaning: str
    default: bool
    vocabulary: bool
    terms: tuple[tuple[str, str, str], ...]
    uses: tuple[tuple[str, str], ...]  # (anchor name, label)
    refs: tuple[Ref, ...]
    ident: str = ""  # the name, when it says more than the title


@dataclass(frozen=True, slots=True)
class TableView:
    name: str
    title: str
    anchor: str
    description: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    unit: str
    refs: tuple[Ref, ...]
    ident: str = ""


@dataclass(frozen=True, slots=True)
class PenaltyView:
    name: str
    condition: str
    consequences: tuple[Item, ...]
    description: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class InputGroup:
    """The inputs of one participant block: who reports them, and what they are."""

    title: str
    sentence: str
    inputs: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class SchemePage:
    """Everything a scheme's page shows, as text ready for a template."""

    name: str
    title: str
    filename: str
    description: str
    description_refs: tuple[Ref, ...]
    extends: str
    facts: tuple[Fact, ...]
    periods: tuple[Item, ...]
    participant: str
    participant_description: str
    inputs: tuple[Item, ...]
    params: tuple[Item, ...]
    tables: tuple[TableView, ...]
    rules: tuple[RuleView, ...]
    units: tuple[Item, ...]
    surrender: tuple[Item, ...]
    banking: tuple[Item, ...]
    prices: tuple[Item, ...]
    penalties: tuple[PenaltyView, ...]
    support: tuple[Item, ...]
    links: tuple[Item, ...]
    allocation: Item | None
    examples: tuple[ExampleView, ...]
    figures: tuple[Figure, ...]
    sources: tuple[SourceEntry, ...]
    extra_meta: tuple[Fact, ...] = field(default=())
    groups: tuple[InputGroup, ...] = ()
    status: str = ""
    doubtful: int = 0  # values resting on secondary or unconfirmed sources
    related: tuple[Item, ...] = ()
    limit_values: tuple[str, ...] = ()  # what the surrender limits amount to, with numbers
    sheet_facts: tuple[Fact, ...] = ()  # the factsheet's key facts (see _sheet_facts)


#: A factsheet fits one page: it shows at most this many limit tables (the full page has all).
_FACTSHEET_LIMITS = 3


def _limit_values(model: SchemeModel, lex: Lexicon) -> tuple[str, ...]:
    """The numbers the surrender limits read (`Offset usage limit: CP1 5 %, CP2 4 %`): the
    tables of shares and amounts their rules use."""
    limits = [i.limit.text for i in model.surrender if i.limit]
    return tuple(definitions(model, lex, limits, tables_only=True)[:_FACTSHEET_LIMITS])


def ident(name: str, shown: str) -> str:
    """The identifier formulas use, when it says more than its label (`base_emissions` is
    not repeated under "Base emissions"; it is under a Japanese label)."""
    plain = re.sub(r"[\s\-–]+", "_", shown.lower())
    return "" if plain == name.lower() else name


def page_name(model: SchemeModel, fmt: str) -> str:
    return f"{model.name}.{fmt}"


def _fact_view(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Fact, ...]:
    return tuple(
        Fact(d.title, c.lines, notes.refs(model.name, c.cites)) for d, c in card(model, lex)
    )


def _sheet_facts(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Fact, ...]:
    """The key facts of a one-page factsheet: the page's, but borrowing's own modes in some
    periods (`during cycle2 …`, each with its limit and source) are named and left to the
    full page."""
    facts = []
    for d, c in card(model, lex):
        borrowing = model.borrowing if d.key == "borrowing" else None
        if borrowing and borrowing.during:
            periods = periods_words([p for r in borrowing.during for p in r.periods], lex)
            line = _("{mode} ({periods}: see the full page)").format(
                mode=c.lines[0], periods=periods
            )
            c = cell([line], [borrowing.cite])
        facts.append(Fact(d.title, c.lines, notes.refs(model.name, c.cites)))
    return tuple(facts)


def _period_items(model: SchemeModel, notes: Footnotes) -> tuple[Item, ...]:
    return tuple(
        Item(
            capital(label(p.name)),
            (
                _period_type(p),
                span_words(p.start, p.end).replace("–", " – "),
                _dates(p),
                p.years,
            ),
            "" if p.label == capital(label(p.name)) else p.label or "",  # not said twice
            notes.refs(model.name, [p.cite]),
            code=ident(p.name, capital(label(p.name))),
        )
        for p in model.periods
    )


def _period_type(p: PeriodModel) -> str:
    kind = _("Phase") if p.keyword == "phase" else _("Period")
    return _("{kind}, obligations due each year").format(kind=kind) if p.by_year else kind


def _dates(p: PeriodModel) -> str:
    if not p.start_date or not p.end_date:
        return ""
    start, end = date.fromisoformat(p.start_date), date.fromisoformat(p.end_date)
    return f"{date_words(start, short=True)} – {date_words(end, short=True)}"


#: What an input without a unit holds, in words (the page showed `bool` and `number`).
_INPUT_KINDS = {"bool": N_("Yes or no"), "number": N_("Number without a unit")}


def _input_item(model: SchemeModel, name: str, notes: Footnotes) -> Item:
    assert model.participant is not None
    i = next(x for x in model.participant.inputs if x.name == name)
    values = comma().join(label(v) for v in i.values) if i.values else ""
    kind = _INPUT_KINDS.get(i.unit or i.type)
    shown = values or (_(kind) if kind else unit_words(i.unit or i.type)) or _(i.type)
    refs = notes.refs(model.name, [i.cite])
    name = capital(label(i.name))
    description = i.description or ""
    note = ""
    if i.carried:
        note = _("When the year's data does not give it: the {value} of the year before.")
        note = note.format(value=label(i.carried))
    elif i.optional:
        note = _("The data may leave it out: what reads it is then not computed for the year.")
    if note:
        description = followed_by(description, note)
    return Item(name, (shown,), description, refs, code=ident(i.name, name))


def participant_sentence(noun: str, description: str | None) -> str:
    """`Participants: a building or factory in Tokyo.`, `Each participant is a facility.`"""
    if description:
        return _("Participants: {description}.").format(description=description.rstrip("."))
    who = noun if is_proper(noun) else article(noun)
    return _("Each participant is {a_participant}.").format(a_participant=who)


def _groups(model: SchemeModel, notes: Footnotes) -> tuple[InputGroup, ...]:
    if model.participant is None:
        return ()
    p = model.participant
    blocks = p.blocks or []
    out = []
    for index, block in enumerate(blocks or [None]):
        name = block.name if block else p.name
        names = [i.name for i in p.inputs if (i.block or p.name) == name]
        if not names:
            continue
        first = index == 0
        title = _("Participants and their data") if first else _("Market-wide data")
        description = _reader_description(block.description if block else p.description)
        sentence = (
            participant_sentence(label(name), description)
            if first
            else (description or _("Values for the whole market, not per participant."))
        )
        out.append(InputGroup(title, sentence, tuple(_input_item(model, n, notes) for n in names)))
    return tuple(out)


def _reader_description(description: str | None) -> str | None:
    """A block's description; the compiler's own one for the system level in the language
    being written."""
    return _(SYSTEM_DATA) if description == SYSTEM_DESCRIPTION else description


#: The compiler's description of the system level (`etsl.compiler.model.SYSTEM_DESCRIPTION`).
SYSTEM_DATA = N_("Values of the whole scheme for each year (the system level)")


def _params(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            capital(label(p.name)),
            (phrase(p.formula.text, lex, p.formula.unit), p.formula.text),
            p.description or "",
            notes.refs(model.name, [p.cite]),
            f"param-{p.name}",
            code=ident(p.name, capital(label(p.name))),
        )
        for p in model.params
    )


def _tables(model: SchemeModel, notes: Footnotes) -> tuple[TableView, ...]:
    return tuple(_table(t, notes.refs(model.name, [t.cite])) for t in model.tables)


def _table(t: TableModel, refs: tuple[Ref, ...]) -> TableView:
    if len(t.dims) == 2 and t.rows:
        header = tuple(capital(label(h)) for h in t.rows[0])
        body = tuple(tuple([label(r[0]), *(literal_words(c) for c in r[1:])]) for r in t.rows[1:])
    else:
        header = (capital(label(t.dims[0])) if t.dims else _("Key"), _("Value"))
        body = tuple((label(r[0]), literal_words(r[1]) if len(r) > 1 else "") for r in t.rows)
    body = tuple(tuple(_("any other") if c == "*" else c for c in row) for row in body)
    return TableView(
        t.name,
        capital(label(t.name)),
        f"table-{t.name}",
        t.description or "",
        header,
        body,
        unit_words(t.unit),
        refs,
        ident(t.name, capital(label(t.name))),
    )


def _result_words(rule_unit: str, formula: str, reads: Sequence[Term] = ()) -> str:
    """A rule's unit; a tonnage computed from amounts in short tons (written in the formula
    or in a parameter it reads) says that it is metric."""
    if rule_unit == "bool":
        return _("yes or no")
    words = unit_words(rule_unit) or _dimensionless_words(formula)
    short = is_short_tons(formula) or any(is_short_tons(t.unit) for t in reads)
    if short and any(part.startswith("t") for part in rule_unit.split("/")):
        return _("{unit} (metric; short tons are converted at 0.90718474 t)").format(unit=words)
    return words


def _dimensionless_words(formula: str) -> str:
    """What a result without a unit is: a share written in per cent, a ratio, or a number."""
    if "%" in formula:
        return _("a share, in per cent")
    return _("a ratio") if "/" in formula else _("a number")


def _rules(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[RuleView, ...]:
    ordered = [r for r in model.rules if not r.default] + [r for r in model.rules if r.default]
    return tuple(
        RuleView(
            name=r.name,
            title=capital(label(r.name)),
            anchor=f"rule-{r.name}",
            sentence=rule_sentence(r, lex),
            formula=r.formula.text,
            unit=_result_words(r.formula.unit, r.formula.text, terms_used(r, lex)),
            description=r.description or "",
            meaning=capital(_(r.meaning)) if r.meaning else "",
            default=r.default,
            vocabulary=r.vocabulary,
            terms=tuple(
                (
                    capital(_term_label(t)),
                    _(t.description)
                    if t.kind == "runtime" and t.description
                    else t.description or "",
                    unit_words(t.unit) if t.unit != "bool" else "",
                )
                for t in terms_used(r, lex)
            ),
            uses=tuple((d, label(d)) for d in r.depends_on if model.rule(d) is not None),
            refs=notes.refs(model.name, [r.cite]),
            ident=ident(r.name, capital(label(r.name))),
        )
        for r in ordered
    )


def _term_label(term: Term) -> str:
    """A value's name in a rule's list of terms (values the engine supplies by their words)."""
    if term.kind == "runtime":
        return term.words.removeprefix("the ")
    return label(term.name)


def _scheme_title(name: str, others: Mapping[str, str]) -> str:
    return others.get(name) or label(name)


def _units(
    model: SchemeModel, notes: Footnotes, lex: Lexicon, others: Mapping[str, str]
) -> tuple[Item, ...]:
    out = []
    for u in model.units:
        clauses = [item for item in model.surrender if u.name in item.units]
        accepted = "; ".join(
            share_words(item, lex)
            if item.kind == "share"
            else _clause(
                item.kind,
                item.units,
                u.name,
                formula_phrase(item.limit, lex),
                formula_condition(item.where, lex),
            )
            for item in clauses
        ) or _("Not accepted for surrender")
        attributes = comma().join(f"{label(k)} = {label(v)}" for k, v in u.attributes.items())
        issuer = _scheme_title(u.origin, others) if u.origin else _("this scheme")
        out.append(
            Item(
                capital(label(u.name)),
                (vocab_words(UNIT_KINDS, u.kind), issuer, attributes, accepted),
                u.description or "",
                notes.refs(model.name, [u.cite, *(c.cite for c in clauses)]),
                f"unit-{u.name}",
                code=ident(u.name, capital(label(u.name))),
                href=f"{u.origin}.html" if u.origin in others else "",
            )
        )
    return tuple(out)


def _clause(
    kind: str, units: Sequence[str], unit: str, limit: str | None, where: str | None
) -> str:
    others = listing([label(u) for u in units if u != unit])
    if kind == "limit":
        if others:
            return _("at most {limit} together with {units}").format(limit=limit, units=others)
        return _("at most {limit}").format(limit=limit)
    parts = [_("accepted")]
    if limit and others:
        parts.append(_("up to {limit} (with {units})").format(limit=limit, units=others))
    elif limit:
        parts.append(_("up to {limit}").format(limit=limit))
    if where:
        parts.append(_("only where {condition}").format(condition=where))
    return " ".join(parts)


_CLAUSES = {"limit": N_("Combined limit"), "share": N_("Share among units")}


def _surrender(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            capital(listing([label(u) for u in s.units])),
            (
                _(_CLAUSES[s.kind]) if s.kind in _CLAUSES else _("Accept"),
                share_words(s, lex)
                if s.kind == "share"
                else phrase(s.limit.text, lex, s.limit.unit)
                if s.limit
                else _("no limit"),
                condition(s.where.text, lex) if s.where else "",
            ),
            s.description or "",
            notes.refs(model.name, [s.cite]),
        )
        for s in model.surrender
    )


_BANKING = (("banking", N_("Banking")), ("borrowing", N_("Borrowing")))


def _banking(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    out = []
    for attribute, name in _BANKING:
        item = getattr(model, attribute)
        if item is None:
            out.append(Item(_(name), (_(NOT_STATED),)))
            continue
        out.append(
            Item(
                _(name),
                (bank_words(model, item.mode, item.limit, lex, attribute == "borrowing"),),
                "",
                notes.refs(model.name, [item.cite]),
            )
        )
    out.extend(_borrowing_during(model, notes, lex))
    out.extend(_bank_rules(model, notes, lex))
    out.extend(_holding_limits(model, notes, lex))
    return tuple(out) if model.banking or model.borrowing or model.holding_limits else ()


def _borrowing_during(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> list[Item]:
    """`during cycle2 next_period …`: borrowing's mode in some periods, under its own."""
    return [
        Item(
            _("Borrowing in {periods}").format(periods=periods_words(r.periods, lex)),
            (bank_words(model, r.mode, r.limit, lex, borrowing=True),),
            r.description or "",
            notes.refs(model.name, [r.cite]),
        )
        for r in (model.borrowing.during if model.borrowing else [])
    ]


_BANK_RULES = {"except": N_("Not banked"), "limit": N_("Banked at most")}


def _bank_rules(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> list[Item]:
    """`except U where …` and `limit U up to …` under the banking mode."""
    return [
        Item(
            f"{_(_BANK_RULES[r.kind])}: {listing([label(u) for u in r.units])}",
            (
                limited(
                    _("when {condition}").format(condition=condition(r.where.text, lex))
                    if r.where
                    else _("always"),
                    r.limit,
                    lex,
                ),
            ),
            r.description or "",
            notes.refs(model.name, [r.cite]),
        )
        for r in (model.banking.rules if model.banking else [])
    ]


def _holding_limits(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> list[Item]:
    name = _("Holding limit")
    return [
        Item(
            f"{name}: {listing([label(u) for u in h.units])}",
            (limited("", h.limit, lex),),
            h.description or "",
            notes.refs(model.name, [h.cite]),
        )
        for h in model.holding_limits
    ]


def _prices(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return (
        tuple(
            Item(
                price_words(p.name, "", None, None, None).rstrip(": ："),
                (
                    price_amount(model, p.value, lex),
                    str(p.from_year or ""),
                    _rising(p.rising.text if p.rising else None, p.rising_plus),
                ),
                _price_description(p.description, p.paid_in_lieu),
                notes.refs(model.name, [p.cite]),
            )
            for p in model.price_controls
        )
        + tuple(
            Item(
                price_words(x.name, "", None, None, None).rstrip(": ："),
                (_(LEVEL_NOT_STATED), "", ""),
                x.description,
                notes.refs(model.name, [x.cite]),
            )
            for x in model.price_measures
        )
        + tuple(
            Item(
                price_words(name, "", None, None, None).rstrip(": ："),
                (words, "", ""),
                said.description or "",
                notes.refs(model.name, [said.cite]),
            )
            for name, words, said in stated_kinds(model)
        )
    )


def _price_description(description: str | None, in_lieu: bool) -> str:
    """The price's own description, and what paying it in lieu of allowances does."""
    if not in_lieu:
        return description or ""
    paid = _(
        "A participant may pay this price per tonne instead of surrendering allowances; the "
        "tonnes paid for are no longer short."
    )
    return followed_by(description or "", paid)


def _rising(rate: str | None, index: str | None) -> str:
    if not rate:
        return ""
    text = _("{rate} a year").format(rate=literal_words(rate))
    return _("{rate} plus {index}").format(rate=text, index=index.upper()) if index else text


def _penalties(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[PenaltyView, ...]:
    out = []
    for p in model.penalties:
        consequences = tuple(
            Item(
                vocab_words(CONSEQUENCE_KINDS, q.kind),
                (
                    consequence_amount(q, lex)
                    + mix_words(q.mix, formula_phrase(q.within, lex), lex),
                ),
                q.description or "",
                notes.refs(model.name, [q.cite]),
            )
            for q in p.consequences
        )
        out.append(
            PenaltyView(
                capital(label(p.name)) if p.name else _("Penalty"),
                condition(p.condition.text, lex) if p.condition else "",
                consequences,
                p.description or "",
                notes.refs(model.name, [p.cite]),
            )
        )
    return tuple(out)


def consequence_amount(q: ConsequenceModel, lex: Lexicon) -> str:
    """The amount column of a consequence, a range (`from A up to B`) as "A to B"."""
    if q.lower and q.limit:
        return range_phrase(q.lower, q.limit, lex)
    return amount_words(formula_phrase(q.amount, lex), formula_phrase(q.limit, lex))


def amount_words(amount: str | None, limit: str | None) -> str:
    """The amount column of a consequence: `X`, `X, at most L`, `at most L`, or a dash."""
    if amount and limit:
        return _("{amount}, at most {limit}").format(amount=amount, limit=limit)
    if limit:
        return _("at most {limit}").format(limit=limit)
    return amount or "—"


def _support(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            capital(label(s.name)),
            (phrase(s.limit.text, lex, s.limit.unit) if s.limit else "",),
            s.description or "",
            notes.refs(model.name, [s.cite]),
            code=ident(s.name, capital(label(s.name))),
        )
        for s in model.support
    )


def _links(model: SchemeModel, notes: Footnotes, others: Mapping[str, str]) -> tuple[Item, ...]:
    return tuple(
        Item(
            _scheme_title(k.target, others),
            (
                vocab_words(LINK_DIRECTIONS, k.direction)
                + (f" · {vocab_words(LINK_STATUSES, k.status)}" if k.status else ""),
                date_words(date.fromisoformat(k.since)) if k.since else "",
                date_words(date.fromisoformat(k.until)) if k.until else "",
                listing([label(u) for u in k.units]) or _("all"),
            ),
            k.conditions or "",
            notes.refs(model.name, [k.cite]),
            code="",
            href=f"{k.target}.html" if k.target in others else "",
        )
        for k in model.links
    )


def _allocation(model: SchemeModel, notes: Footnotes) -> Item | None:
    allocation = model.allocation
    if allocation is None:
        return None
    methods = [vocab_words(ALLOCATION_METHODS, m) for m in allocation.methods]
    return Item(
        "allocation",
        tuple(capital(m) if i == 0 else m for i, m in enumerate(methods)),
        allocation.description or "",
        notes.refs(model.name, [allocation.cite]),
    )


def _related(model: SchemeModel, others: Mapping[str, str]) -> tuple[Item, ...]:
    """Other documented schemes this one links to or takes units from."""
    names = [k.target for k in model.links] + [u.origin for u in model.units if u.origin]
    found = [n for n in dict.fromkeys(names) if n in others and n != model.name]
    return tuple(Item(others[n], (), "", (), code=n, href=f"{n}.html") for n in found)


_EXTRA_META = (
    ("mrv", N_("Monitoring, reporting and verification")),
    ("deadline", N_("Compliance deadline")),
)


def scheme_page(
    model: SchemeModel,
    fmt: str = "html",
    others: Mapping[str, str] | None = None,
    paths: Sequence[YearPath] = (),
) -> SchemePage:
    """The view of one scheme's page; `others` maps the site's schemes to their titles;
    `paths` are its caps and prices year by year (computed by etsl from the system level)."""
    from etsl.compiler.confidence import doubtful

    others = dict(others or {})
    notes = Footnotes([model])
    lex = lexicon(model)
    description = model.meta.get("description")
    groups = _groups(model, notes)
    status = model.meta.get("status")
    page = SchemePage(
        name=model.name,
        title=scheme_title(model.title, model.name),
        filename=page_name(model, fmt),
        description=description.value if description else "",
        description_refs=notes.refs(model.name, [description.cite] if description else []),
        extends=_scheme_title(model.extends, others) if model.extends else "",
        facts=_fact_view(model, notes, lex),
        periods=_period_items(model, notes),
        participant=label(model.participant.name) if model.participant else "",
        participant_description=groups[0].sentence if groups else "",
        inputs=groups[0].inputs if groups else (),
        params=_params(model, notes, lex),
        tables=_tables(model, notes),
        rules=_rules(model, notes, lex),
        units=_units(model, notes, lex, others),
        surrender=_surrender(model, notes, lex),
        limit_values=_limit_values(model, lex),
        sheet_facts=_sheet_facts(model, notes, lex),
        banking=_banking(model, notes, lex),
        prices=_prices(model, notes, lex),
        penalties=_penalties(model, notes, lex),
        support=_support(model, notes, lex),
        links=_links(model, notes, others),
        allocation=_allocation(model, notes),
        examples=example_views(model),
        figures=figures(model, lex, paths),
        sources=(),
        extra_meta=tuple(
            Fact(
                _(name),
                (_("No verification") if m.value == "none" else m.value,),
                notes.refs(model.name, [m.cite]),
            )
            for key, name in _EXTRA_META
            if (m := model.meta.get(key))
        ),
        groups=groups,
        status=status.value if status else "",
        doubtful=len(doubtful(model)),
        related=_related(model, others),
    )
    return replace(page, sources=notes.listed())
