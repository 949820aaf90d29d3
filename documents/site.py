"""Documentation sites: one page per scheme and an index, as HTML or Markdown.

    >>> sorted(site([tokyo_cat], "html"))
    ['index.html', 'tokyo_cat.html']

A page is built in two steps: `scheme_page(model)` turns the model into a view (plain
strings, plain-language sentences from `documents.prose`, figures from `documents.figures`),
then a template renders the view in the one rendering environment (`documents.render`). HTML pages are self-contained (inline CSS and SVG,
no scripts, no external requests); Markdown pages carry the same content, with the figures
written as SVG files beside them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from etsl.compiler.enums import ALLOCATION_METHODS, BANK_MODES, CONSEQUENCE_KINDS, LINK_DIRECTIONS
from etsl.compiler.model import Citation, PeriodModel, SchemeModel, TableModel
from etsl.documents.compare import (
    Cell,
    card,
    price_words,
)
from etsl.documents.figures.scheme import Figure, figures
from etsl.documents.figures.svg import standalone
from etsl.documents.prose import (
    Lexicon,
    article,
    condition,
    formula_condition,
    formula_phrase,
    humanize,
    lexicon,
    literal_words,
    phrase,
    rule_sentence,
    terms_used,
    unit_words,
)
from etsl.documents.render import environment, safe_url
from jinja2 import Environment

#: Locators up to this length show in the footnote mark itself ("[1, art 5]").
SHORT_LOCATOR = 16
FORMATS = ("html", "md")

# ---- citations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    """A citation as shown: a footnote number (plus locator) linking to the sources list."""

    number: int
    anchor: str
    label: str
    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SourceEntry:
    number: int
    anchor: str
    id: str
    citation: str
    url: str | None
    scheme: str = ""
    locators: tuple[str, ...] = ()


class Footnotes:
    """Numbers the sources of one or more schemes in declaration order."""

    def __init__(self, models: Sequence[SchemeModel], prefix: str = "src") -> None:
        self.entries: list[SourceEntry] = []
        self.index: dict[tuple[str, str], SourceEntry] = {}
        several = len(models) > 1
        for model in models:
            for source in model.sources:
                anchor = (
                    f"{prefix}-{model.name}-{source.id}" if several else f"{prefix}-{source.id}"
                )
                entry = SourceEntry(
                    len(self.entries) + 1,
                    anchor,
                    source.id,
                    source.citation
                    + ("" if safe_url(source.url) or not source.url else f" ({source.url})"),
                    safe_url(source.url),
                    model.name,
                )
                self.entries.append(entry)
                self.index[(model.name, source.id)] = entry

        self.locators: dict[int, list[str]] = {}

    def refs(self, scheme: str, cites: Iterable[Citation | None]) -> tuple[Ref, ...]:
        """Footnote references; long locators show in the tooltip and the sources list."""
        out = []
        for cite in dict.fromkeys(c for c in cites if c is not None):
            entry = self.index.get((scheme, cite.source))
            if entry is None:
                continue
            label, title = str(entry.number), entry.citation
            if cite.locator:
                found = self.locators.setdefault(entry.number, [])
                if cite.locator not in found:
                    found.append(cite.locator)
                title = f"{entry.citation}, {cite.locator}"
                if len(cite.locator) <= SHORT_LOCATOR:
                    label = f"{entry.number}, {cite.locator}"
            out.append(Ref(entry.number, entry.anchor, label, title, entry.url))
        return tuple(out)

    def listed(self) -> tuple[SourceEntry, ...]:
        """The sources, each with the locators cited so far."""
        return tuple(
            replace(e, locators=tuple(self.locators.get(e.number, ()))) for e in self.entries
        )


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


@dataclass(frozen=True, slots=True)
class RuleView:
    name: str
    anchor: str
    sentence: str
    formula: str
    unit: str
    description: str
    meaning: str
    default: bool
    vocabulary: bool
    terms: tuple[tuple[str, str, str], ...]
    uses: tuple[str, ...]
    location: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class TableView:
    name: str
    anchor: str
    description: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    unit: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class PenaltyView:
    name: str
    condition: str
    consequences: tuple[Item, ...]
    description: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ExampleView:
    title: str
    given: tuple[tuple[str, str], ...]
    expect: tuple[tuple[str, str], ...]
    location: str


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


def page_name(model: SchemeModel, fmt: str) -> str:
    return f"{model.name}.{fmt}"


def _location(path: str, line: int) -> str:
    return f"{Path(path).name}:{line}"


def _fact_view(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Fact, ...]:
    return tuple(
        Fact(d.label, c.lines, notes.refs(model.name, c.cites)) for d, c in card(model, lex)
    )


def _period_items(model: SchemeModel, notes: Footnotes) -> tuple[Item, ...]:
    return tuple(
        Item(
            p.name,
            (
                p.keyword,
                f"{p.start} – {p.end}" if p.start != p.end else p.start,
                _dates(p),
                p.years,
            ),
            p.label or "",
            notes.refs(model.name, [p.cite]),
        )
        for p in model.periods
    )


def _dates(p: PeriodModel) -> str:
    if not p.start_date or not p.end_date:
        return ""
    return f"{_day(p.start_date)} – {_day(p.end_date)}"


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%-d %b %Y")


def _inputs(model: SchemeModel) -> tuple[Item, ...]:
    if model.participant is None:
        return ()
    return tuple(
        Item(
            i.name,
            (", ".join(i.values) if i.values else unit_words(i.unit or i.type) or i.type,),
            i.description or "",
        )
        for i in model.participant.inputs
    )


def _params(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            p.name,
            (phrase(p.formula.text, lex, p.formula.unit), p.formula.text),
            p.description or "",
            notes.refs(model.name, [p.cite]),
            f"param-{p.name}",
        )
        for p in model.params
    )


def _tables(model: SchemeModel, notes: Footnotes) -> tuple[TableView, ...]:
    return tuple(_table(t, notes.refs(model.name, [t.cite])) for t in model.tables)


def _table(t: TableModel, refs: tuple[Ref, ...]) -> TableView:
    if len(t.dims) == 2 and t.rows:
        header = tuple(t.rows[0])
        body = tuple(tuple([r[0], *(literal_words(c) for c in r[1:])]) for r in t.rows[1:])
    else:
        header = (t.dims[0] if t.dims else "key", "value")
        body = tuple((r[0], literal_words(r[1]) if len(r) > 1 else "") for r in t.rows)
    body = tuple(tuple("any other" if c == "*" else c for c in row) for row in body)
    return TableView(
        t.name, f"table-{t.name}", t.description or "", header, body, unit_words(t.unit), refs
    )


def _rules(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[RuleView, ...]:
    ordered = [r for r in model.rules if not r.default] + [r for r in model.rules if r.default]
    return tuple(
        RuleView(
            name=r.name,
            anchor=f"rule-{r.name}",
            sentence=rule_sentence(r, lex),
            formula=r.formula.text,
            unit=unit_words(r.formula.unit) if r.formula.unit != "bool" else "yes/no",
            description=r.description or "",
            meaning=r.meaning or "",
            default=r.default,
            vocabulary=r.vocabulary,
            terms=tuple(
                (t.name, t.description or "", unit_words(t.unit) if t.unit != "bool" else "")
                for t in terms_used(r, lex)
            ),
            uses=tuple(d for d in r.depends_on if model.rule(d) is not None),
            location=_location(r.location.path, r.location.line) if r.location else "",
            refs=notes.refs(model.name, [r.cite]),
        )
        for r in ordered
    )


def _units(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    out = []
    for u in model.units:
        clauses = [item for item in model.surrender if u.name in item.units]
        accepted = (
            "; ".join(
                _clause(
                    item.kind,
                    item.units,
                    u.name,
                    formula_phrase(item.limit, lex),
                    formula_condition(item.where, lex),
                )
                for item in clauses
            )
            or "Not accepted for surrender"
        )
        attributes = ", ".join(f"{k} = {v}" for k, v in u.attributes.items())
        out.append(
            Item(
                u.name,
                (u.kind, u.origin or "", attributes, accepted),
                u.description or "",
                notes.refs(model.name, [u.cite, *(c.cite for c in clauses)]),
                f"unit-{u.name}",
            )
        )
    return tuple(out)


def _clause(
    kind: str, units: Sequence[str], unit: str, limit: str | None, where: str | None
) -> str:
    others = [u for u in units if u != unit]
    if kind == "limit":
        together = f" together with {', '.join(others)}" if others else ""
        return f"at most {limit}{together}"
    parts = ["accepted"]
    if limit:
        parts.append(f"up to {limit}" + (f" (with {', '.join(others)})" if others else ""))
    if where:
        parts.append(f"only where {where}")
    return " ".join(parts)


def _surrender(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            ", ".join(s.units),
            (
                "Combined limit" if s.kind == "limit" else "Accept",
                phrase(s.limit.text, lex, s.limit.unit) if s.limit else "no limit",
                condition(s.where.text, lex) if s.where else "",
            ),
            s.description or "",
            notes.refs(model.name, [s.cite]),
        )
        for s in model.surrender
    )


def _banking(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    out = []
    for label, item in (("Banking", model.banking), ("Borrowing", model.borrowing)):
        if item is None:
            continue
        limit = phrase(item.limit.text, lex, item.limit.unit) if item.limit else ""
        out.append(
            Item(
                label,
                (BANK_MODES.words(item.mode), limit),
                "",
                notes.refs(model.name, [item.cite]),
            )
        )
    return tuple(out)


def _prices(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            price_words(p.name, "", None, None, None).rstrip(": "),
            (
                phrase(p.value.text, lex, p.value.unit),
                str(p.from_year or ""),
                (f"{literal_words(p.rising.text)} a year" if p.rising else "")
                + (f" plus {p.rising_plus.upper()}" if p.rising_plus else ""),
            ),
            p.description or "",
            notes.refs(model.name, [p.cite]),
        )
        for p in model.price_controls
    )


def _penalties(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[PenaltyView, ...]:
    out = []
    for p in model.penalties:
        consequences = tuple(
            Item(
                CONSEQUENCE_KINDS.words(q.kind),
                (amount_words(formula_phrase(q.amount, lex), formula_phrase(q.limit, lex)),),
                q.description or "",
                notes.refs(model.name, [q.cite]),
            )
            for q in p.consequences
        )
        out.append(
            PenaltyView(
                humanize(p.name).capitalize() if p.name else "Penalty",
                condition(p.condition.text, lex) if p.condition else "",
                consequences,
                p.description or "",
                notes.refs(model.name, [p.cite]),
            )
        )
    return tuple(out)


def amount_words(amount: str | None, limit: str | None) -> str:
    """The amount column of a consequence: `X`, `X, at most L`, `at most L`, or a dash."""
    if amount and limit:
        return f"{amount}, at most {limit}"
    return amount or (f"at most {limit}" if limit else "—")


def _support(model: SchemeModel, notes: Footnotes, lex: Lexicon) -> tuple[Item, ...]:
    return tuple(
        Item(
            s.name,
            (phrase(s.limit.text, lex, s.limit.unit) if s.limit else "",),
            s.description or "",
            notes.refs(model.name, [s.cite]),
        )
        for s in model.support
    )


def _links(model: SchemeModel, notes: Footnotes) -> tuple[Item, ...]:
    return tuple(
        Item(
            k.target,
            (
                LINK_DIRECTIONS.words(k.direction),
                k.since or "",
                k.until or "",
                ", ".join(k.units) or "all",
            ),
            k.conditions or "",
            notes.refs(model.name, [k.cite]),
        )
        for k in model.links
    )


def _examples(model: SchemeModel) -> tuple[ExampleView, ...]:
    return tuple(
        ExampleView(
            e.title,
            tuple((k, literal_words(v)) for k, v in e.given.items()),
            tuple((k, literal_words(v)) for k, v in e.expect.items()),
            _location(e.location.path, e.location.line),
        )
        for e in model.examples
    )


_EXTRA_META = (
    ("mrv", "Monitoring, reporting and verification"),
    ("deadline", "Compliance deadline"),
)


def scheme_page(model: SchemeModel, fmt: str = "html") -> SchemePage:
    """The view of one scheme's page."""
    notes = Footnotes([model])
    lex = lexicon(model)
    description = model.meta.get("description")
    allocation = model.allocation
    page = SchemePage(
        name=model.name,
        title=model.title or model.name,
        filename=page_name(model, fmt),
        description=description.value if description else "",
        description_refs=notes.refs(model.name, [description.cite] if description else []),
        extends=model.extends or "",
        facts=_fact_view(model, notes, lex),
        periods=_period_items(model, notes),
        participant=article(humanize(model.participant.name)) if model.participant else "",
        participant_description=(model.participant.description or "") if model.participant else "",
        inputs=_inputs(model),
        params=_params(model, notes, lex),
        tables=_tables(model, notes),
        rules=_rules(model, notes, lex),
        units=_units(model, notes, lex),
        surrender=_surrender(model, notes, lex),
        banking=_banking(model, notes, lex),
        prices=_prices(model, notes, lex),
        penalties=_penalties(model, notes, lex),
        support=_support(model, notes, lex),
        links=_links(model, notes),
        allocation=Item(
            "allocation",
            tuple(
                ALLOCATION_METHODS.words(m).capitalize() if i == 0 else ALLOCATION_METHODS.words(m)
                for i, m in enumerate(allocation.methods)
            ),
            allocation.description or "",
            notes.refs(model.name, [allocation.cite]),
        )
        if allocation
        else None,
        examples=_examples(model),
        figures=figures(model, lex),
        sources=(),
        extra_meta=tuple(
            Fact(label, (m.value,), notes.refs(model.name, [m.cite]))
            for key, label in _EXTRA_META
            if (m := model.meta.get(key))
        ),
    )
    return replace(page, sources=notes.listed())


# ---- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexEntry:
    name: str
    title: str
    filename: str
    facts: tuple[Cell, ...]


INDEX_COLUMNS = ("jurisdiction", "kind", "status", "periods")


def index_entries(models: Sequence[SchemeModel], fmt: str) -> tuple[IndexEntry, ...]:
    out = []
    for model in models:
        facts = dict((d.key, c) for d, c in card(model))
        out.append(
            IndexEntry(
                model.name,
                model.title or model.name,
                page_name(model, fmt),
                tuple(facts.get(k, Cell()) for k in INDEX_COLUMNS),
            )
        )
    return tuple(out)


def figure_filename(page: SchemePage, figure: Figure) -> str:
    return f"figures/{page.name}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', figure.key)}.svg"


def render_page(page: SchemePage, fmt: str, env: Environment | None = None) -> str:
    env = env or environment()
    template = env.get_template(f"scheme.{fmt}.j2")
    return template.render(page=page, figure_file=lambda f: figure_filename(page, f))


@dataclass(frozen=True)
class ExtraDocument:
    """A further document of the site (a comparison, a linkage report) listed on the index."""

    title: str
    filename: str
    text: str


def site(
    models: Sequence[SchemeModel], fmt: str = "html", extras: Sequence[ExtraDocument] = ()
) -> dict[str, str]:
    """Every file of the site: filename → text (rendered fully before anything is written)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    env = environment()
    pages = [scheme_page(m, fmt) for m in models]
    files = {
        "index." + fmt: env.get_template(f"index.{fmt}.j2").render(
            entries=index_entries(models, fmt), labels=INDEX_COLUMNS, extras=extras
        )
    }
    files.update({extra.filename: extra.text for extra in extras})
    for page in pages:
        files[page.filename] = render_page(page, fmt, env)
        if fmt == "md":
            for figure in page.figures:
                files[figure_filename(page, figure)] = standalone(str(figure.svg))
    return files


def write_site(files: dict[str, str], out_dir: Path) -> list[Path]:
    """Write every file into a staging folder beside `out_dir`, then move each into place.

    A failure while writing leaves `out_dir` untouched (no partial site); other files
    already in `out_dir` are kept.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".etsl-docs-", dir=out_dir))
    try:
        for name, text in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        written = []
        for name in files:
            final = out_dir / name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, final)
            written.append(final)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
