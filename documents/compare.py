"""Schemes side by side: the standard dimensions, and the slides' "Basic Scheme" table.

    >>> table = comparison([tokyo_cat, saitama_tset])
    >>> [row.label for row in table.rows][:3]
    ['Jurisdiction', 'Administrator', 'Kind']

Each dimension is a small function from a scheme model to a `Cell` (lines of text and the
citations they rest on). The documentation's summary card uses the same functions
(`CARD`), so a scheme's page and a comparison always say the same thing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from etsl.compiler.enums import (
    ALLOCATION_METHODS,
    BANK_MODES,
    CAP_TYPES,
    CONSEQUENCE_KINDS,
    LINK_DIRECTIONS,
    PARTICIPATION,
    PRICE_CONTROLS,
    SCHEME_KINDS,
    STATUSES,
    Vocabulary,
)
from etsl.compiler.model import Citation, PenaltyModel, SchemeModel
from etsl.documents.prose import (
    Lexicon,
    condition,
    formula_condition,
    formula_phrase,
    humanize,
    lexicon,
    literal_words,
    phrase,
    unit_words,
)

# ---- cells ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One comparison cell: lines of text and the citations behind them."""

    lines: tuple[str, ...] = ()
    cites: tuple[Citation, ...] = ()

    @property
    def text(self) -> str:
        return "; ".join(self.lines)


EMPTY = Cell()


def cell(lines: Sequence[str], cites: Sequence[Citation | None] = ()) -> Cell:
    return Cell(
        tuple(line for line in lines if line),
        tuple(dict.fromkeys(c for c in cites if c is not None)),
    )


def _meta(key: str, table: Vocabulary | None = None) -> Callable[[SchemeModel, Lexicon], Cell]:
    def extract(model: SchemeModel, lex: Lexicon) -> Cell:
        item = model.meta.get(key)
        if item is None:
            return EMPTY
        return cell([table.words(item.value) if table is not None else item.value], [item.cite])

    return extract


def _periods(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = [
        f"{p.name}: {p.start}–{p.end}" if p.start != p.end else f"{p.name}: {p.start}"
        for p in model.periods
    ]
    return cell(lines, [p.cite for p in model.periods])


def _gases(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.gases:
        return EMPTY
    gases = ", ".join(unit_words(f"t{g}").removeprefix("t ") for g in model.gases)
    basis = f" (GWP basis: {model.gwp_basis})" if model.gwp_basis else ""
    return cell([gases + basis], [model.gases_cite])


def _scope(model: SchemeModel, lex: Lexicon) -> Cell:
    return cell([", ".join(model.scope)], [model.scope_cite]) if model.scope else EMPTY


def _coverage(model: SchemeModel, lex: Lexicon) -> Cell:
    rule = model.rule("covered")
    if rule is None or rule.default:
        return cell(["Every participant"])
    if rule.formula.text in ("true", "false"):
        return cell(["Every participant" if rule.formula.text == "true" else "Nobody"], [rule.cite])
    return cell([f"Covered when {condition(rule.formula.text, lex)}"], [rule.cite])


def _cap(model: SchemeModel, lex: Lexicon) -> Cell:
    item = model.meta.get("cap_type")
    lines = [CAP_TYPES.words(item.value)] if item else []
    cites: list[Citation | None] = [item.cite] if item else []
    for name in ("cap", "target"):
        rule = model.rule(name)
        if rule is not None and not rule.default:
            lines.append(
                f"{name.capitalize()}: {phrase(rule.formula.text, lex, rule.formula.unit)}"
            )
            cites.append(rule.cite)
    return cell(lines, cites)


def _allocation(model: SchemeModel, lex: Lexicon) -> Cell:
    a = model.allocation
    if a is None:
        return EMPTY
    methods = ", ".join(ALLOCATION_METHODS.words(m) for m in a.methods).capitalize()
    return cell([methods, a.description or ""], [a.cite])


def _support(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = []
    for s in model.support:
        limit = f" (at most {phrase(s.limit.text, lex, s.limit.unit)})" if s.limit else ""
        lines.append(f"{s.description or humanize(s.name)}{limit}")
    return cell(lines or ["None"], [s.cite for s in model.support])


def consequence_words(kind: str, amount: str | None, limit: str | None) -> str:
    """`Fine of at most 500,000 JPY`, `Order to reduce: 1.3 × its shortfall`."""
    label = CONSEQUENCE_KINDS.words(kind)
    if amount and limit:
        return f"{label}: {amount}, at most {limit}"
    if amount:
        return f"{label}: {amount}"
    if limit:
        return f"{label} of at most {limit}"
    return label


def penalty_summary(p: PenaltyModel, lex: Lexicon) -> str:
    if p.condition is None:
        return f"No penalty{': ' + p.description if p.description else ''}"
    parts = [
        consequence_words(q.kind, formula_phrase(q.amount, lex), formula_phrase(q.limit, lex))
        for q in p.consequences
    ]
    return f"When {condition(p.condition.text, lex)}: {'; '.join(parts) or 'no consequence'}"


def _penalties(model: SchemeModel, lex: Lexicon) -> Cell:
    cites = [p.cite for p in model.penalties] + [
        q.cite for p in model.penalties for q in p.consequences
    ]
    return cell([penalty_summary(p, lex) for p in model.penalties] or ["Not stated"], cites)


def _bank(attribute: str) -> Callable[[SchemeModel, Lexicon], Cell]:
    def extract(model: SchemeModel, lex: Lexicon) -> Cell:
        item = getattr(model, attribute)
        if item is None:
            return cell(["Not stated"])
        limit = f", at most {phrase(item.limit.text, lex, item.limit.unit)}" if item.limit else ""
        return cell([BANK_MODES.words(item.mode) + limit], [item.cite])

    return extract


def link_words(target: str, direction: str, since: str | None, until: str | None) -> str:
    when = "".join([f", since {since}" if since else "", f", until {until}" if until else ""])
    return f"{target} ({LINK_DIRECTIONS.words(direction)}{when})"


def _links(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = [link_words(k.target, k.direction, k.since, k.until) for k in model.links]
    return cell(lines or ["None"], [k.cite for k in model.links])


def accept_words(units: Sequence[str], limit: str | None, where: str | None) -> str:
    text = ", ".join(units)
    if limit:
        text += f" up to {limit}"
    if where:
        text += f" where {where}"
    return text


def _credits(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = []
    for item in model.surrender:
        limit = formula_phrase(item.limit, lex)
        where = formula_condition(item.where, lex)
        prefix = "Combined limit: " if item.kind == "limit" else "Accepts "
        lines.append(prefix + accept_words(item.units, limit, where))
    return cell(lines or ["Not stated"], [item.cite for item in model.surrender])


def price_words(
    name: str, value: str, from_year: int | None, rising: str | None, plus: str | None
) -> str:
    text = f"{PRICE_CONTROLS.words(name)}: {value}"
    if from_year is not None:
        text += f" from {from_year}"
    if rising:
        text += f", rising {rising} a year" + (f" plus {plus.upper()}" if plus else "")
    return text


def _prices(model: SchemeModel, lex: Lexicon) -> Cell:
    lines = [
        price_words(
            p.name,
            phrase(p.value.text, lex, p.value.unit),
            p.from_year,
            literal_words(p.rising.text) if p.rising else None,
            p.rising_plus,
        )
        for p in model.price_controls
    ]
    return cell(lines or ["None"], [p.cite for p in model.price_controls])


def _sources(model: SchemeModel, lex: Lexicon) -> Cell:
    count = len(model.sources)
    if not count:
        return cell(["None"])
    return cell(
        [f"{count} source{'s' if count > 1 else ''}"],
        [Citation(source=s.id) for s in model.sources],
    )


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    extract: Callable[[SchemeModel, Lexicon], Cell]


CARD: tuple[Dimension, ...] = (
    Dimension("jurisdiction", "Jurisdiction", _meta("jurisdiction")),
    Dimension("administrator", "Administrator", _meta("administrator")),
    Dimension("kind", "Kind", _meta("kind", SCHEME_KINDS)),
    Dimension("participation", "Participation", _meta("participation", PARTICIPATION)),
    Dimension("status", "Status", _meta("status", STATUSES)),
    Dimension("timing", "Timing", _meta("timing")),
    Dimension("periods", "Periods", _periods),
    Dimension("gases", "Gases", _gases),
    Dimension("scope", "Scope", _scope),
    Dimension("coverage", "Coverage", _coverage),
    Dimension("cap", "Cap or target", _cap),
    Dimension("allocation", "Allocation", _allocation),
    Dimension("support", "Support", _support),
    Dimension("penalties", "Penalties", _penalties),
    Dimension("banking", "Banking", _bank("banking")),
    Dimension("borrowing", "Borrowing", _bank("borrowing")),
    Dimension("links", "Links", _links),
    Dimension("currency", "Currency", _meta("currency")),
)

COMPARE: tuple[Dimension, ...] = CARD + (
    Dimension("credits", "Eligible units and limits", _credits),
    Dimension("prices", "Price controls", _prices),
    Dimension("mrv", "Monitoring, reporting and verification", _meta("mrv")),
    Dimension("deadline", "Compliance deadline", _meta("deadline")),
    Dimension("sources", "Sources", _sources),
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


BASIC_COLUMNS = ("Scheme", "Allocation", "Support", "Timing", "Phase", "Target", "Amount")


def comparison(models: Sequence[SchemeModel]) -> Comparison:
    """Every standard dimension for every scheme, plus the Basic Scheme table."""
    lexicons = [lexicon(m) for m in models]
    rows = tuple(
        Row(
            d.key,
            d.label,
            tuple(d.extract(m, lex) for m, lex in zip(models, lexicons, strict=True)),
        )
        for d in COMPARE
    )
    basic = tuple(basic_row(m, lex) for m, lex in zip(models, lexicons, strict=True))
    return Comparison(tuple(models), rows, basic)


# ---- the "Basic Scheme" table (Kobashi 2008) -------------------------------------------------


def basic_row(model: SchemeModel, lex: Lexicon) -> tuple[Cell, ...]:
    """Scheme, Allocation, Support, Timing, Phase, Target, Amount for one scheme."""
    return (
        cell(
            [model.title or model.name],
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
        return cell(["—"])
    methods = ", ".join(ALLOCATION_METHODS.words(m) for m in model.allocation.methods)
    return cell([methods.capitalize()], [model.allocation.cite])


def _basic_support(model: SchemeModel, lex: Lexicon) -> Cell:
    if not model.support:
        return cell(["None"])
    return cell(
        [humanize(s.name).capitalize() for s in model.support], [s.cite for s in model.support]
    )


def _basic_timing(model: SchemeModel) -> Cell:
    item = model.meta.get("timing")
    if item is not None:
        return cell([item.value], [item.cite])
    return cell(
        [f"From {model.periods[0].start}" if model.periods else "—"],
        [model.periods[0].cite] if model.periods else [],
    )


def _basic_phase(model: SchemeModel) -> Cell:
    if not model.periods:
        return cell(["—"])
    spans = [f"{p.start}–{p.end}" if p.start != p.end else p.start for p in model.periods]
    count = len(model.periods)
    noun = model.periods[0].keyword + ("s" if count > 1 else "")
    return cell([f"{count} {noun}:", *spans], [model.periods[0].cite])


def _basic_target(model: SchemeModel) -> Cell:
    item = model.meta.get("cap_type")
    kind = model.meta.get("kind")
    lines = [
        CAP_TYPES.words(item.value) if item else "",
        SCHEME_KINDS.words(kind.value) if kind else "",
    ]
    return cell(
        [line for line in lines if line] or ["—"],
        [item.cite if item else None, kind.cite if kind else None],
    )


def _basic_amount(model: SchemeModel, lex: Lexicon) -> Cell:
    for name in ("cap", "target", "allocation_amount", "credits_issued"):
        rule = model.rule(name)
        if rule is not None and not rule.default:
            return cell(
                [
                    f"{humanize(name).capitalize()} = "
                    f"{phrase(rule.formula.text, lex, rule.formula.unit)}"
                ],
                [rule.cite],
            )
    for param in model.params:
        if "cap" in param.name and param.formula.unit.startswith("tCO2e"):
            value = literal_words(param.formula.text)
            return cell([f"{param.description or humanize(param.name)}: {value}"], [param.cite])
    for table in model.tables:
        if "cap" in table.name and table.unit.startswith("tCO2e"):
            value = "; ".join(f"{k}: {literal_words(v)}" for k, v in table.entries.items())
            return cell([f"{table.description or humanize(table.name)}: {value}"], [table.cite])
    return cell(["—"])


# ---- CSV -----------------------------------------------------------------------------------


def source_text(model: SchemeModel, cite: Citation) -> str:
    """A citation as text: the source's citation, locator and URL."""
    source = next((s for s in model.sources if s.id == cite.source), None)
    text: str = source.citation if source else cite.source
    if cite.locator:
        text += f", {cite.locator}"
    if source is not None and source.url:
        text += f" <{source.url}>"
    return text


def to_csv(result: Comparison, table: str = "full") -> str:
    """The comparison (or the Basic Scheme table) as CSV, with a sources column per scheme."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [m.name for m in result.schemes]
    if table == "basic":
        writer.writerow([*BASIC_COLUMNS, "Sources"])
        for model, cells in zip(result.schemes, result.basic, strict=True):
            cites = [
                source_text(model, c) for c in dict.fromkeys(x for c in cells for x in c.cites)
            ]
            writer.writerow([c.text for c in cells] + [" | ".join(cites)])
        return buffer.getvalue()
    writer.writerow(["dimension", "label", "differs", *names, *[f"{n} sources" for n in names]])
    for row in result.rows:
        writer.writerow(
            [
                row.key,
                row.label,
                "yes" if row.differs else "no",
                *[c.text for c in row.cells],
                *[
                    " | ".join(source_text(m, x) for x in c.cites)
                    for m, c in zip(result.schemes, row.cells, strict=True)
                ],
            ]
        )
    return buffer.getvalue()


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


def render(result: Comparison, fmt: str) -> str:
    """The comparison document as HTML, Markdown or CSV."""
    if fmt == "csv":
        return to_csv(result)
    from etsl.documents.render import environment
    from etsl.documents.site import Footnotes

    notes = Footnotes(result.schemes, prefix="cmp")
    names = [m.name for m in result.schemes]
    rows = tuple(
        ShownRow(
            row.label,
            row.differs,
            tuple(
                ShownCell(c.lines or ("—",), notes.refs(name, c.cites), row.odd(i))
                for i, (name, c) in enumerate(zip(names, row.cells, strict=True))
            ),
        )
        for row in result.rows
    )
    basic = tuple(
        tuple(ShownCell(c.lines, notes.refs(name, c.cites)) for c in cells)
        for name, cells in zip(names, result.basic, strict=True)
    )
    template = environment().get_template(f"compare.{fmt}.j2")
    return str(
        template.render(
            schemes=result.schemes,
            rows=rows,
            basic=basic,
            basic_columns=BASIC_COLUMNS,
            sources=notes.listed(),
        )
    )
