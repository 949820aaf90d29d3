"""Schemes side by side: the standard dimensions, and the slides' "Basic Scheme" table.

    >>> table = comparison([tokyo_cat, saitama_tset])
    >>> [row.label for row in table.rows][:3]
    ['Jurisdiction', 'Administrator', 'Kind']

Each dimension is a small function from a scheme model to a `Cell` (lines of text and the
citations they rest on). The documentation's summary card uses the same functions
(`CARD`), so a scheme's page and a comparison always say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any

from etsl.compiler import ast
from etsl.compiler.enums import (
    ALLOCATION_METHODS,
    BANK_MODES,
    CAP_TYPES,
    CONSEQUENCE_KINDS,
    LINK_DIRECTIONS,
    LINK_STATUSES,
    PARTICIPATION,
    PRICE_CONTROLS,
    SCHEME_KINDS,
    SCOPES,
    STATUSES,
    Vocabulary,
)
from etsl.compiler.features import PRICE_KINDS
from etsl.compiler.model import (
    Citation,
    ConsequenceModel,
    FeatureModel,
    Formula,
    MixModel,
    PenaltyModel,
    PeriodModel,
    RuleModel,
    SchemeModel,
    SurrenderModel,
    TableModel,
)
from etsl.compiler.printer import parse_expr
from etsl.documents.citations import Footnotes
from etsl.documents.figures.comparison import ComparedFigure
from etsl.documents.i18n import N_, ORDINAL, ngettext, ordinal, own_term
from etsl.documents.i18n import gettext as _
from etsl.documents.prose import (
    Lexicon,
    condition,
    formula_condition,
    formula_phrase,
    lexicon,
    phrase,
    range_phrase,
    system_lexicon,
)
from etsl.documents.render import render as render_template
from etsl.documents.scheme_text import in_own_terms, translated
from etsl.documents.shell import Shell
from etsl.documents.wording import (
    capital,
    comma,
    date_words,
    gas_words,
    jurisdiction_words,
    label,
    listing,
    literal_words,
    lowered,
    scheme_title,
    series,
    span_words,
    unit_symbol,
    vocab_words,
    year_alone,
)

#: What the documents say where a scheme's sources state nothing about a feature.
NOT_STATED = N_("Not stated in the sources")

# ---- cells ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One comparison cell: lines of text and the citations behind them."""

    lines: tuple[str, ...] = ()
    cites: tuple[Citation, ...] = ()

    @property
    def text(self) -> str:
        return "; ".join(self.lines)

    @property
    def shown_lines(self) -> tuple[str, ...]:
        """The lines a reader sees in a comparison row: an empty cell is not stated."""
        return self.lines or (_(NOT_STATED),)


EMPTY = Cell()


def cell(lines: Sequence[str], cites: Sequence[Citation | None] = ()) -> Cell:
    return Cell(
        tuple(line for line in lines if line),
        tuple(dict.fromkeys(c for c in cites if c is not None)),
    )


def not_stated() -> Cell:
    return cell([_(NOT_STATED)])


#: What the documents say where a scheme states it has none of a feature (`price none`, …).
NONE_WORDS = {
    "price_controls": N_("No price controls"),
    "credits": N_("No credits accepted"),
    "verification": N_("No verification"),
    "penalties": N_("No penalty"),
    "links": N_("No link"),
}


def absent(model: SchemeModel, feature: str) -> Cell:
    """A feature the scheme declares nothing for: what it states (none, with its reason and
    citation), else "Not stated in the sources" (absence is never read as none)."""
    statement = model.features.get(feature)
    if statement is None or statement.status == "declared":
        return not_stated()
    if statement.status == "none":
        words = _(NONE_WORDS.get(feature, "None"))
        return cell([words, statement.description or ""], [statement.cite])
    return cell([_(NOT_STATED)], [statement.cite])


def _meta(key: str, table: Vocabulary | None = None) -> Callable[[SchemeModel, Lexicon], Cell]:
    def extract(model: SchemeModel, lex: Lexicon) -> Cell:
        item = model.meta.get(key)
        if item is None:
            return EMPTY
        return cell([vocab_words(table, item.value) if table else item.value], [item.cite])

    return extract


def _currency(model: SchemeModel, lex: Lexicon) -> Cell:
    """The currency as the pages write amounts in it: JPY, on Japanese pages 円."""
    item = model.meta.get("currency")
    return cell([unit_symbol(item.value)], [item.cite]) if item else EMPTY


def _jurisdiction(model: SchemeModel, lex: Lexicon) -> Cell:
    item = model.meta.get("jurisdiction")
    return cell([jurisdiction_words(item.value)], [item.cite]) if item else EMPTY


def _periods(model: SchemeModel, lex: Lexicon) -> Cell:
    return cell([_period_line(p) for p in model.periods], [p.cite for p in model.periods])


def _period_line(p: PeriodModel) -> str:
    """`Second: FY2015–FY2019`; a period named after its span once (`FY2008`)."""
    name, span = capital(label(p.name)), span_words(p.start, p.end)
    named_after_span = name in (span, p.start if p.start == p.end else f"{p.start}–{p.end}")
    return span if named_after_span else _("{name}: {span}").format(name=name, span=span)


def _gases(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.gases:
        return EMPTY
    gases = series([gas_words(g) for g in model.gases])
    basis = _(" (GWP basis: {basis})").format(basis=model.gwp_basis) if model.gwp_basis else ""
    return cell([gases + basis], [model.gases_cite])


def _scope(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.scope:
        return EMPTY
    words = capital(series([vocab_words(SCOPES, s) for s in model.scope]))
    return cell([words], [model.scope_cite])


def _coverage(model: SchemeModel, lex: Lexicon) -> Cell:
    rule = model.rule("covered")
    if rule is None or rule.default:  # every row of the data counts: the sources set no test
        return not_stated()
    if rule.formula.text in ("true", "false"):
        every = _("Every participant") if rule.formula.text == "true" else _("Nobody")
        return cell([every], [rule.cite])
    covered = _("Covered when {condition}").format(condition=condition(rule.formula.text, lex))
    return cell([covered], [rule.cite])


def _cap(model: SchemeModel, lex: Lexicon) -> Cell:
    item = model.meta.get("cap_type")
    types = [vocab_words(CAP_TYPES, value) for value in model.meta_values("cap_type")]
    lines = [series(types)] if types else []
    cites: list[Citation | None] = [item.cite] if item else []
    for name, pattern in (("cap", N_("Cap: {value}")), ("target", N_("Target: {value}"))):
        rule = model.rule(name)
        if rule is not None and not rule.default:
            value = phrase(rule.formula.text, lex, rule.formula.unit)
            lines.append(_(pattern).format(value=value))
            cites.append(rule.cite)
            for used in _rules_used(model, rule.depends_on):
                lines.append(_definition(used, lex))
                cites.append(used.cite)
    return cell(lines, cites)


def _rules_used(model: SchemeModel, names: Sequence[str]) -> list[RuleModel]:
    """The scheme's own rules among `names`: a cap `if … then co2_allowed …` is read with
    what `co2_allowed` is (Keidanren: intensity × activity)."""
    found = [model.rule(n) for n in names]
    return [r for r in found if r is not None and not r.default and not r.system]


def _definition(rule: RuleModel, lex: Lexicon) -> str:
    """`CO₂ allowed: …`, the rule's label and its formula in words."""
    value = phrase(rule.formula.text, lex, rule.formula.unit)
    return _("{name}: {value}").format(name=capital(label(rule.name)), value=value)


def allocation_words(methods: Sequence[str]) -> str:
    text = series([vocab_words(ALLOCATION_METHODS, m) for m in methods])
    return text[:1].upper() + text[1:]


#: Scheme kinds that issue credits for reductions and allocate nothing.
CREDITING_KINDS = frozenset({"project_crediting", "offset_program"})


def not_allocating(model: SchemeModel) -> Cell | None:
    """For a crediting mechanism without an allocation line, the reason it has none (its
    cited kind), rather than "not stated"."""
    kind = model.meta.get("kind")
    if model.allocation is not None or kind is None or kind.value not in CREDITING_KINDS:
        return None
    return cell(
        [_("Not applicable: a crediting mechanism issues credits, it allocates none")], [kind.cite]
    )


def _allocation(model: SchemeModel, lex: Lexicon) -> Cell:
    a = model.allocation
    if a is None:
        return not_allocating(model) or EMPTY
    return cell([allocation_words(a.methods), a.description or ""], [a.cite])


def _support(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = []
    for s in model.support:
        name = s.description or label(s.name)
        if s.limit:
            limit = phrase(s.limit.text, lex, s.limit.unit)
            lines.append(_("{name} (at most {limit})").format(name=name, limit=limit))
        else:
            lines.append(name)
    if not lines:
        return not_stated()
    return cell(lines, [s.cite for s in model.support])


def consequence_words(kind: str, amount: str | None, limit: str | None) -> str:
    """`Fine of at most 500,000 JPY`, `Order to reduce: 1.3 × its shortfall`."""
    words = vocab_words(CONSEQUENCE_KINDS, kind)
    if amount and limit:
        return _("{kind}: {amount}, at most {limit}").format(kind=words, amount=amount, limit=limit)
    if amount:
        return _("{kind}: {amount}").format(kind=words, amount=amount)
    if limit:
        return _("{kind} of at most {limit}").format(kind=words, limit=limit)
    return words


def _amount_and_limit(q: ConsequenceModel, lex: Lexicon) -> tuple[str | None, str | None]:
    """A consequence's amount and limit in words; a range (`from A up to B`) is its amount."""
    if q.lower and q.limit:
        return range_phrase(q.lower, q.limit, lex), None
    return formula_phrase(q.amount, lex), formula_phrase(q.limit, lex)


def penalty_summary(p: PenaltyModel, lex: Lexicon) -> str:
    if p.condition is None:
        if p.description:
            return _("No penalty: {reason}").format(reason=p.description)
        return _("No penalty")
    parts = [
        consequence_words(q.kind, *_amount_and_limit(q, lex))
        + mix_words(q.mix, formula_phrase(q.within, lex), lex)
        for q in p.consequences
    ]
    return _("When {condition}: {consequences}").format(
        condition=condition(p.condition.text, lex),
        consequences=_("; ").join(parts) or _("no consequence"),
    )


def _penalties(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.penalties:
        return absent(model, "penalties")
    cites = [p.cite for p in model.penalties] + [
        q.cite for p in model.penalties for q in p.consequences
    ]
    return cell([penalty_summary(p, lex) for p in model.penalties], cites)


#: Banking and borrowing modes in the words of a scheme whose periods are phases (the EU's,
#: Korea's): "Within the compliance period only" read as the annual compliance of the EU ETS.
_PHASE_MODES = {
    "next_period": N_("Into the next phase only"),
    "within_period": N_("Within the phase only"),
}


#: Borrowing's own words where banking's would say the opposite: a unit is borrowed from the
#: next period (China's 2021-2022 cycle), not carried into it.
_BORROWING_MODES = {"next_period": N_("From the next period only")}
_BORROWING_PHASE_MODES = {"next_period": N_("From the next phase only")}


def bank_mode_words(model: SchemeModel, mode: str, borrowing: bool = False) -> str:
    """A banking or borrowing mode in the scheme's own word for its periods."""
    phases = in_phases(model)
    if borrowing and mode in _BORROWING_MODES:
        return _((_BORROWING_PHASE_MODES if phases else _BORROWING_MODES)[mode])
    if phases and mode in _PHASE_MODES:
        return _(_PHASE_MODES[mode])
    return vocab_words(BANK_MODES, mode)


def in_phases(model: SchemeModel) -> bool:
    """Whether the scheme's periods are phases (the EU's, Korea's), by their keyword."""
    return bool(model.periods) and model.periods[0].keyword == "phase"


def bank_words(
    model: SchemeModel, mode: str, limit: Formula | None, lex: Lexicon, borrowing: bool = False
) -> str:
    """A banking or borrowing mode with its limit: "Allowed, without time limit, at most …"."""
    return limited(bank_mode_words(model, mode, borrowing), limit, lex)


def limited(words: str, limit: Formula | None, lex: Lexicon) -> str:
    """Words with the limit that bounds them; a conditional limit ("if …, A; otherwise B") is
    set apart, so that it does not read "at most if …"."""
    if limit is None:
        return words
    shown = phrase(limit.text, lex, limit.unit)
    if not words:
        return _("At most {limit}").format(limit=shown)
    if limit.text.lstrip().startswith("if "):
        return _("{mode}; its limit: {limit}").format(mode=words, limit=shown)
    return _("{mode}, at most {limit}").format(mode=words, limit=shown)


def _bank(attribute: str) -> Callable[[SchemeModel, Lexicon], Cell]:
    def extract(model: SchemeModel, lex: Lexicon) -> Cell:
        item = getattr(model, attribute)
        if item is None:
            return absent(model, attribute)
        borrowing = attribute == "borrowing"
        lines = [bank_words(model, item.mode, item.limit, lex, borrowing)] + [
            _("In {periods}: {mode}").format(
                periods=periods_words(r.periods, lex),
                mode=lowered(bank_words(model, r.mode, r.limit, lex, borrowing)),
            )
            for r in item.during
        ]
        return cell(lines, [item.cite, *(r.cite for r in item.during)])

    return extract


def periods_words(periods: Sequence[str], lex: Lexicon) -> str:
    """Period names as the documents word them: `cycle 2 and cycle 3`."""
    return listing([phrase(p, lex) for p in periods])


def link_words(
    target: str,
    direction: str,
    since: str | None,
    until: str | None,
    title: str | None = None,
    status: str | None = None,
) -> str:
    """`Saitama Target-Setting ETS (two-way, operating, since 1 April 2011)`."""
    parts = [vocab_words(LINK_DIRECTIONS, direction)]
    if status:
        parts.append(vocab_words(LINK_STATUSES, status).lower())
    if since:
        parts.append(_("since {date}").format(date=date_words(date.fromisoformat(since))))
    if until:
        parts.append(_("until {date}").format(date=date_words(date.fromisoformat(until))))
    return _("{scheme} ({how})").format(scheme=title or label(target), how=comma().join(parts))


def _links(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.links:
        return absent(model, "links")
    lines = [
        link_words(k.target, k.direction, k.since, k.until, None, k.status) for k in model.links
    ]
    return cell(lines, [k.cite for k in model.links])


def share_words(item: SurrenderModel, lex: Lexicon) -> str:
    """`CCA and QCA: at least 75 % of the CCA, QCA and ARBOC surrendered`."""
    units = listing([label(u) for u in item.units])
    share = formula_phrase(item.share, lex) or ""
    among = listing([label(u) for u in item.among] or [_("all units surrendered")])
    pattern = (
        _("{units}: at least {share} of {among}")
        if item.bound == "at least"
        else _("{units}: at most {share} of {among}")
    )
    return pattern.format(units=units, share=share, among=among)


def mix_words(mix: MixModel | None, within: str | None, lex: Lexicon) -> str:
    """`, with CCA and QCA at least 75 %, within 1 year` (what a make-good owes)."""
    text = ""
    if mix is not None:
        pattern = (
            _(", with {units} at least {share}")
            if mix.bound == "at least"
            else _(", with {units} at most {share}")
        )
        share = phrase(mix.share.text, lex, mix.share.unit)
        text += pattern.format(units=listing([label(u) for u in mix.units]), share=share)
    if within:
        text += _(", within {time}").format(time=within)
    return text


def accept_words(units: Sequence[str], limit: str | None, where: str | None) -> str:
    """`excess reduction, small midsize up to 1/3 of …, where …`."""
    text = listing([label(u) for u in units])
    if limit:
        text = _("{units} up to {limit}").format(units=text, limit=limit)
    if where:
        text = _("{units} where {condition}").format(units=text, condition=where)
    return text


def _credits(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = []
    for item in model.surrender:
        if item.kind == "share":
            lines.append(_("Share: {units}").format(units=share_words(item, lex)))
            continue
        words = accept_words(
            item.units, formula_phrase(item.limit, lex), formula_condition(item.where, lex)
        )
        pattern = _("Combined limit: {units}") if item.kind == "limit" else _("Accepts {units}")
        lines.append(pattern.format(units=words))
    if not lines:
        return absent(model, "credits")
    limits = [item.limit.text for item in model.surrender if item.limit is not None]
    lines += definitions(model, lex, limits)
    cites = [item.cite for item in model.surrender]
    cites += [r.cite for r in model.rules if r.name in _names_in(model, limits)]
    return cell(lines, cites)


def _walk_names(expr: object) -> list[str]:
    """Every name an expression reads, in reading order."""
    if isinstance(expr, ast.Name):
        return [expr.name]
    if not is_dataclass(expr):
        return []
    found = []
    for item in fields(expr):
        value = getattr(expr, item.name)
        for child in value if isinstance(value, tuple) else (value,):
            found += _walk_names(child)
    return found


def _names_in(model: SchemeModel, formulas: Sequence[str], depth: int = 2) -> list[str]:
    """The rules and tables the formulas read, and those they read in turn (to `depth`)."""
    out: list[str] = []
    pending = [(text, 1) for text in formulas]
    while pending:
        text, level = pending.pop(0)
        try:
            names = _walk_names(parse_expr(text))
        except ValueError:
            continue
        for name in names:
            rule = model.rule(name)
            table = any(t.name == name for t in model.tables)
            if name in out or not (table or (rule and not rule.default and not rule.vocabulary)):
                continue
            out.append(name)
            if rule is not None and level < depth:
                pending.append((rule.formula.text, level + 1))
    return out


def definitions(
    model: SchemeModel, lex: Lexicon, formulas: Sequence[str], tables_only: bool = False
) -> list[str]:
    """What the rules and tables named in `formulas` amount to, with their numbers:
    `Offset usage limit by period: CP1 8 %, CP4 4 %` (`tables_only`: the tables alone)."""
    lines = []
    for name in _names_in(model, formulas):
        table = next((t for t in model.tables if t.name == name), None)
        if table is None and tables_only:
            continue
        if table is not None:
            cells = comma().join(
                f"{' / '.join(_('any other') if k == '*' else label(k) for k in key.split('/'))} "
                f"{literal_words(v)}"
                for key, v in table.entries.items()
            )
            lines.append(_("{name}: {value}").format(name=capital(label(name)), value=cells))
            continue
        rule = model.rule(name)
        assert rule is not None
        value = phrase(rule.formula.text, lex, rule.formula.unit)
        lines.append(_("{name}: {value}").format(name=capital(label(name)), value=value))
    return lines


def price_words(
    name: str,
    value: str,
    from_year: int | None,
    rising: str | None,
    plus: str | None,
    conditional: bool = False,
) -> str:
    """A price control in a cell: "Price ceiling: 65 USD per t CO₂e from 2021, rising …"; a
    level that depends on the year ("if …, 24 %; otherwise 12 %") gives its start first, so
    that "from 2019" is not read as part of its last case."""
    control = vocab_words(PRICE_CONTROLS, name)
    if conditional and from_year is not None:
        return _("{control} from {year}: {value}").format(
            control=control, year=from_year, value=value
        )
    text = _("{control}: {value}").format(control=control, value=value)
    if from_year is not None:
        text = _("{text} from {year}").format(text=text, year=from_year)
    if rising and plus:
        pattern = _("{text}, rising {rate} a year plus {index}")
        text = pattern.format(text=text, rate=rising, index=plus.upper())
    elif rising:
        text = _("{text}, rising {rate} a year").format(text=text, rate=rising)
    return text


#: What documents write for the level of a price control stated without one.
LEVEL_NOT_STATED = N_("Level not stated in the sources")
#: What documents write for a kind of price control the scheme states `none`.
_KIND_WORDS = {"none": N_("None")}


def stated_kinds(model: SchemeModel) -> list[tuple[str, str, FeatureModel]]:
    """The kinds of price control the scheme says it has none of, or that its sources do
    not state (`price ceiling not_stated "…"`) beside the price controls it declares: the
    control's name, the words, the statement."""
    whole = model.features.get("price_controls")
    if whole is None or whole.status != "declared":
        return []
    return [
        (written, _(_KIND_WORDS.get(said.status, NOT_STATED)), said)
        for written, kind in PRICE_KINDS.items()
        if (said := model.price_kinds.get(kind)) is not None
        and said.location is not None
        and said.status != "declared"
    ]


def price_formula(model: SchemeModel, value: Formula) -> Formula:
    """What a price's level is: the formula of the rule or parameter it names, else itself."""
    rule = next((r for r in model.rules if r.name == value.text), None)
    param = next((p for p in model.params if p.name == value.text), None)
    return rule.formula if rule else param.formula if param else value


def price_amount(model: SchemeModel, value: Formula, lex: Lexicon) -> str:
    """A price's amount in words; a price that names a rule or parameter shows what that
    gives (the row already names the price, so the name alone would repeat it)."""
    rule = next((r for r in model.rules if r.name == value.text), None)
    shown = price_formula(model, value)
    words = system_lexicon(lex) if rule and rule.system else lex
    return phrase(shown.text, words, shown.unit)


def _prices(model: SchemeModel, lex: Lexicon) -> Cell:
    kinds = stated_kinds(model)
    lines = [
        price_words(
            p.name,
            price_amount(model, p.value, lex),
            p.from_year,
            literal_words(p.rising.text) if p.rising else None,
            p.rising_plus,
            price_formula(model, p.value).text.lstrip().startswith("if "),
        )
        for p in model.price_controls
    ]
    # A control stated without a level reads as its statement (the Swiss halving of the
    # auctioned quantity is a rule on volumes, not a level the sources left out).
    measured = [
        price_words(x.name, lowered(x.description) or _(LEVEL_NOT_STATED), None, None, None)
        for x in model.price_measures
    ]
    if not lines and not measured:
        return absent(model, "price_controls")
    lines += measured + [price_words(name, words, None, None, None) for name, words, _said in kinds]
    cites = [p.cite for p in model.price_controls] + [x.cite for x in model.price_measures]
    return cell(lines, cites + [k[2].cite for k in kinds])


def _mrv(model: SchemeModel, lex: Lexicon) -> Cell:
    item = model.meta.get("mrv")
    if item is None:
        return EMPTY
    if item.value == "none":
        return absent(model, "verification")
    return cell([item.value], [item.cite])


def _sources(model: SchemeModel, lex: Lexicon) -> Cell:
    count = len(model.sources)
    if not count:
        return cell([_("None cited")])
    return cell(
        [ngettext("{count} source", "{count} sources", count).format(count=count)],
        [Citation(source=s.id) for s in model.sources],
    )


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str  # English; shown through the catalogue
    extract: Callable[[SchemeModel, Lexicon], Cell]

    @property
    def title(self) -> str:
        """The dimension's name in the language being written."""
        return _(self.label)


CARD: tuple[Dimension, ...] = (
    Dimension("jurisdiction", N_("Jurisdiction"), _jurisdiction),
    Dimension("administrator", N_("Administrator"), _meta("administrator")),
    Dimension("kind", N_("Kind"), _meta("kind", SCHEME_KINDS)),
    Dimension("participation", N_("Participation"), _meta("participation", PARTICIPATION)),
    Dimension("status", N_("Status"), _meta("status", STATUSES)),
    Dimension("timing", N_("Timing"), lambda model, lex: _basic_timing(model)),
    Dimension("periods", N_("Periods"), _periods),
    Dimension("gases", N_("Gases"), _gases),
    Dimension("scope", N_("Scope"), _scope),
    Dimension("coverage", N_("Coverage"), _coverage),
    Dimension("cap", N_("Cap or target"), _cap),
    Dimension("allocation", N_("Allocation"), _allocation),
    Dimension("support", N_("Support"), _support),
    Dimension("penalties", N_("Penalties"), _penalties),
    Dimension("banking", N_("Banking"), _bank("banking")),
    Dimension("borrowing", N_("Borrowing"), _bank("borrowing")),
    Dimension("links", N_("Links"), _links),
    Dimension("currency", N_("Currency"), _currency),
)

COMPARE: tuple[Dimension, ...] = CARD + (
    Dimension("credits", N_("Eligible units and limits"), _credits),
    Dimension("prices", N_("Price controls"), _prices),
    Dimension("mrv", N_("Monitoring, reporting and verification"), _mrv),
    Dimension("deadline", N_("Compliance deadline"), _meta("deadline")),
    Dimension("sources", N_("Sources"), _sources),
)


def card(model: SchemeModel, lex: Lexicon | None = None) -> list[tuple[Dimension, Cell]]:
    """The summary-card facts of one scheme (dimensions with something to say)."""
    lex = lex or lexicon(model)
    facts = [(d, d.extract(model, lex)) for d in CARD]
    return [(d, c) for d, c in facts if c.lines]


# ---- the comparison ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One dimension across the schemes; `differs` when the cells do not all agree."""

    key: str
    label: str
    cells: tuple[Cell, ...]

    @property
    def differs(self) -> bool:
        return len({c.lines for c in self.cells}) > 1

    def odd(self, index: int) -> bool:
        """Whether cell `index` stands out: with two schemes, any difference; with more,
        a stated value other than the one most schemes share (when several share one)."""
        if not self.differs:
            return False
        if len(self.cells) == 2:
            return True
        mine = self.cells[index].lines
        counts: dict[tuple[str, ...], int] = {}
        for c in self.cells:
            if c.lines:
                counts[c.lines] = counts.get(c.lines, 0) + 1
        usual = max(counts.values(), default=0)
        return bool(mine) and usual > 1 and counts[mine] < usual


@dataclass(frozen=True, slots=True)
class Comparison:
    schemes: tuple[SchemeModel, ...]
    rows: tuple[Row, ...]
    basic: tuple[tuple[Cell, ...], ...]


BASIC_COLUMNS = (
    N_("Scheme"),
    N_("Allocation"),
    N_("Support"),
    N_("Timing"),
    N_("Phase"),
    N_("Target"),
    N_("Amount"),
)


def comparison(models: Sequence[SchemeModel]) -> Comparison:
    """Every standard dimension for every scheme, plus the Basic Scheme table (the schemes'
    own text in the language being written)."""
    models = [translated(m) for m in models]
    lexicons = [lexicon(m) for m in models]
    columns = [_column(m, lex) for m, lex in zip(models, lexicons, strict=True)]
    rows = tuple(
        Row(d.key, d.title, tuple(cells[i] for cells, _basic in columns))
        for i, d in enumerate(COMPARE)
    )
    basic = tuple(basic for _cells, basic in columns)
    return Comparison(tuple(models), rows, basic)


def _column(model: SchemeModel, lex: Lexicon) -> tuple[tuple[Cell, ...], tuple[Cell, ...]]:
    """One scheme's cells for every dimension and for the Basic Scheme table, written with
    the scheme's own period names (RGGI's 遵守期間, not another scheme's 規制期間)."""
    with in_own_terms(model):
        return tuple(d.extract(model, lex) for d in COMPARE), basic_row(model, lex)


# ---- the "Basic Scheme" table (Kobashi 2008) -------------------------------------------------


def basic_row(model: SchemeModel, lex: Lexicon) -> tuple[Cell, ...]:
    """Scheme, Allocation, Support, Timing, Phase, Target, Amount for one scheme."""
    return (
        cell(
            [scheme_title(model.title, model.name)],
            [model.meta["description"].cite] if "description" in model.meta else [],
        ),
        _basic_allocation(model, lex),
        _basic_support(model, lex),
        _basic_timing(model),
        _basic_phase(model),
        _basic_target(model),
        _basic_amount(model, lex),
    )


def _basic_allocation(model: SchemeModel, lex: Lexicon) -> Cell:
    if model.allocation is None:
        return not_allocating(model) or not_stated()
    return cell([allocation_words(model.allocation.methods)], [model.allocation.cite])


def _basic_support(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.support:
        return not_stated()
    names = [label(s.name) for s in model.support]
    return cell([n[:1].upper() + n[1:] for n in names], [s.cite for s in model.support])


def _basic_timing(model: SchemeModel) -> Cell:
    """The scheme's timing, else the start of its first period (one answer for the
    overview and the side-by-side rows)."""
    item = model.meta.get("timing")
    if item is not None:
        return cell([item.value], [item.cite])
    if not model.periods:
        return not_stated()
    first = model.periods[0]
    return cell([_("From {start}").format(start=year_alone(first.start))], [first.cite])


def _basic_phase(model: SchemeModel) -> Cell:
    if not model.periods:
        return not_stated()
    spans = [span_words(p.start, p.end) for p in model.periods]
    count = len(model.periods)
    term = _own_period_kind(model)
    if term is not None:
        head = _("{term}, {count} in all:").format(term=term, count=count)
    elif in_phases(model):
        head = ngettext("{count} phase:", "{count} phases:", count).format(count=count)
    else:
        head = ngettext("{count} period:", "{count} periods:", count).format(count=count)
    return cell([head, *spans], [model.periods[0].cite])


def _own_period_kind(model: SchemeModel) -> str | None:
    """The word the scheme's own period names share after their ordinal (Korea's 計画期間
    of 第1次計画期間…), so that the count reads in its own terms; None if they share none."""
    terms = [own_term(p.name) or "" for p in model.periods]
    if not all(ordinal(t) for t in terms):
        return None
    kinds = {ORDINAL.sub("", t) for t in terms}
    kind = kinds.pop() if len(kinds) == 1 else ""
    return kind if kind not in ("", "期") else None


def _basic_target(model: SchemeModel) -> Cell:
    item = model.meta.get("cap_type")
    kind = model.meta.get("kind")
    lines = [
        series([vocab_words(CAP_TYPES, v) for v in model.meta_values("cap_type")]),
        vocab_words(SCHEME_KINDS, kind.value) if kind else "",
    ]
    if not any(lines):
        return not_stated()
    return cell(lines, [item.cite if item else None, kind.cite if kind else None])


_AMOUNT_RULES = {
    "cap": N_("Cap = {value}"),
    "target": N_("Target = {value}"),
    "allocation_amount": N_("Free allocation = {value}"),
    "credits_issued": N_("Credits issued = {value}"),
}


def _basic_amount(model: SchemeModel, lex: Lexicon) -> Cell:
    for name, pattern in _AMOUNT_RULES.items():
        rule = model.rule(name)
        if rule is not None and not rule.default:
            value = phrase(rule.formula.text, lex, rule.formula.unit)
            steps = _amount_steps(model, lex, rule)
            return cell(
                [_(pattern).format(value=value), *(line for line, _cite in steps)],
                [rule.cite, *(cite for _line, cite in steps)],
            )
    for param in model.params:
        if "cap" in param.name and param.formula.unit.startswith("tCO2e"):
            value = literal_words(param.formula.text)
            name = param.description or label(param.name)
            return cell([_("{name}: {value}").format(name=name, value=value)], [param.cite])
    for table in model.tables:
        if "cap" in table.name and table.unit.startswith("tCO2e"):
            name = table.description or label(table.name)
            value = _table_span(table)
            return cell([_("{name}: {value}").format(name=name, value=value)], [table.cite])
    return _described_cap(model)


#: The most entries of a cap table an overview cell lists; a longer table shows its first and
#: last entries and how many there are (the scheme's page lists them all).
MOST_ENTRIES = 4


def _table_span(table: TableModel) -> str:
    """A cap table's entries in words, or its first and last when it has many.

    >>> years = {str(y): f"{2060 - y} tCO2e" for y in range(2013, 2031)}
    >>> _table_span(TableModel(name="caps", dims=["year"], rows=[], entries=years, unit="tCO2e"))
    '2013: 47 t CO₂e … 2030: 30 t CO₂e (18 entries)'
    """
    shown = [
        _("{name}: {value}").format(name=capital(label(k)), value=literal_words(v))
        for k, v in table.entries.items()
    ]
    if len(shown) <= MOST_ENTRIES:
        return _("; ").join(shown)
    return _("{first} … {last} ({count} entries)").format(
        first=shown[0], last=shown[-1], count=len(shown)
    )


def _amount_steps(
    model: SchemeModel, lex: Lexicon, top: RuleModel
) -> list[tuple[str, Citation | None]]:
    """The scheme's own rules the amount rests on, each as "name = formula": the rules it
    reads, then the rules those read. An amount written in terms of other rules
    (Keidanren's `target` reads `co2_allowed`) is thus shown down to the inputs, and the
    cell says what the amount is made of (intensity times activity level), not only which
    rule holds it."""
    steps: list[tuple[str, Citation | None]] = []
    seen = {top.name}
    queue = list(top.depends_on)
    while queue:
        rule = model.rule(queue.pop(0))
        if rule is None or rule.default or rule.name in seen or not _is_amount(rule):
            continue
        seen.add(rule.name)
        value = phrase(rule.formula.text, lex, rule.formula.unit)
        line = _("{name} = {value}").format(name=capital(label(rule.name)), value=value)
        steps.append((line, rule.cite))
        queue.extend(rule.depends_on)
    return steps


def _is_amount(rule: RuleModel) -> bool:
    """A quantity, not a condition: the amount's own line already names a condition
    ("if “eligible project” holds")."""
    return rule.formula.unit != "bool"


def _described_cap(model: SchemeModel) -> Cell:
    """A market-wide cap written as a rule of its own (California's `annual_cap`, the UK's
    `trading_period_cap`), by its description: its formula reads tables by year."""
    described = (
        r
        for r in model.rules
        if r.name.endswith("_cap") and r.formula.unit.startswith("tCO2e") and r.description
    )
    rule = next(described, None)
    return cell([rule.description], [rule.cite]) if rule and rule.description else not_stated()


# ---- CSV -----------------------------------------------------------------------------------


def source_text(model: SchemeModel, cite: Citation) -> str:
    """A citation as text: the source's citation, locator and URL; several citations
    (`cite a "x", b "y"`) joined by "; "."""
    return "; ".join(_one_source_text(model, c) for c in cite.all())


def _one_source_text(model: SchemeModel, cite: Citation) -> str:
    source = next((s for s in model.sources if s.id == cite.source), None)
    text: str = source.citation if source else cite.source
    if cite.locator:
        text += f", {cite.locator}"
    if source is not None and source.url:
        text += f" <{source.url}>"
    return text


def to_csv(result: Comparison, table: str = "full", raw: bool = False) -> str:
    """The comparison (or the Basic Scheme table) as CSV, with a sources column per scheme
    (compiler/spreadsheet.py: formula-like cells neutralised unless `raw`)."""
    from etsl.compiler.spreadsheet import csv_text

    names = [m.name for m in result.schemes]
    if table == "basic":
        rows = [[*BASIC_COLUMNS, "Sources"]]
        for model, cells in zip(result.schemes, result.basic, strict=True):
            cites = [
                source_text(model, c) for c in dict.fromkeys(x for c in cells for x in c.cites)
            ]
            rows.append([c.text for c in cells] + [" | ".join(cites)])
        return csv_text(rows, raw)
    rows = [["dimension", "label", "differs", *names, *[f"{n} sources" for n in names]]]
    for row in result.rows:
        rows.append(
            [
                row.key,
                row.label,
                "yes" if row.differs else "no",
                *["; ".join(c.shown_lines) for c in row.cells],
                *[
                    " | ".join(source_text(m, x) for x in c.cites)
                    for m, c in zip(result.schemes, row.cells, strict=True)
                ],
            ]
        )
    return csv_text(rows, raw)


# ---- documents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownCell:
    """A cell as shown: its lines, its footnote references, whether it stands out."""

    lines: tuple[str, ...]
    refs: tuple[Any, ...]
    odd: bool = False


@dataclass(frozen=True, slots=True)
class ShownRow:
    label: str
    differs: bool
    cells: tuple[ShownCell, ...]


#: Titles of the library's comparisons that the catalogue translates; a title the reader
#: chooses otherwise is shown as written, like a scheme's title without a term.
KNOWN_TITLES = frozenset(
    {
        N_("Japanese schemes"),
        N_("World emissions trading systems"),
        N_("Crediting and offset programmes"),
        N_("World"),
        N_("Japan"),
    }
)


def comparison_title(name: str) -> str:
    """The title of a comparison the reader named: `World emissions trading systems: a
    comparison` (世界の排出量取引制度の比較), in the catalogue's words when it knows the
    title."""
    shown = _(name) if name in KNOWN_TITLES else name
    return _("{title}: a comparison").format(title=shown)


def shown(result: Comparison, notes: Footnotes) -> tuple[tuple[ShownRow, ...], tuple[Any, ...]]:
    """The rows and the Basic Scheme table as shown, with footnotes numbered by `notes`."""
    names = [m.name for m in result.schemes]
    rows = tuple(
        ShownRow(
            row.label,
            row.differs,
            tuple(
                ShownCell(c.shown_lines, notes.refs(name, c.cites), row.odd(i))
                for i, (name, c) in enumerate(zip(names, row.cells, strict=True))
            ),
        )
        for row in result.rows
    )
    basic = tuple(
        tuple(ShownCell(c.lines, notes.refs(name, c.cites)) for c in cells)
        for name, cells in zip(names, result.basic, strict=True)
    )
    return rows, basic


#: The most schemes one side-by-side table shows: more are split into tables of about equal
#: width (thirteen Japanese schemes as seven and six), so that no column narrows to a few
#: letters on a 1400-pixel screen or a landscape A4 page.
MOST_COLUMNS = 10


def column_groups(count: int, most: int = MOST_COLUMNS) -> list[range]:
    """The schemes of each side-by-side table, as even as possible.

    >>> column_groups(13), column_groups(10), column_groups(0)
    ([range(0, 7), range(7, 13)], [range(0, 10)], [range(0, 0)])
    """
    tables = max(1, -(-count // most))
    bounds = [-(-i * count // tables) for i in range(tables + 1)]  # the larger tables first
    return [range(start, stop) for start, stop in zip(bounds, bounds[1:], strict=False)]


def render(
    result: Comparison,
    fmt: str,
    title: str = "",
    shell: Shell | None = None,
    charts: Sequence[ComparedFigure] = (),
) -> str:
    """The comparison document as HTML, Markdown or CSV (`title`: what it compares;
    `charts`: its figures, documents/figures/comparison.py)."""
    if fmt == "csv":
        return to_csv(result)
    notes = Footnotes(result.schemes, prefix="cmp")
    rows, basic = shown(result, notes)
    return render_template(
        f"compare.{fmt}.j2",
        title=title or _("Scheme comparison"),
        schemes=[(m.name, scheme_title(m.title, m.name)) for m in result.schemes],
        rows=rows,
        groups=column_groups(len(result.schemes)),
        basic=basic,
        basic_columns=[_(c) for c in BASIC_COLUMNS],
        sources=notes.listed(),
        shell=shell or Shell(),
        charts=charts,
    )
