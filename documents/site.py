"""Documentation sites: a publication of schemes, as HTML or Markdown, in one language.

    >>> files = site([tokyo_cat], "html", published=date(2025, 1, 31))
    >>> sorted(files)[:3]
    ['glossary.html', 'index.html', 'search.html']

The site has an index (schemes grouped as Japan, world and crediting, with status and
periods), one page and one factsheet per scheme, the comparisons and linkage report asked
for, a glossary of the abbreviations the pages use, and a search page that works without a
server. Every HTML page shares one shell (`etsl.documents.shell`): masthead, navigation,
language switch, publication date. Pages are built as views (`etsl.documents.scheme_page`)
and rendered by the one template environment (`etsl.documents.render`). HTML pages are
self-contained (inline CSS and SVG; only the search page runs a script, inline);
Markdown pages carry the same content, with the figures written as SVG files beside them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from etsl.compiler.enums import STATUSES
from etsl.compiler.model import SchemeModel
from etsl.documents.citations import SourceEntry, numbering, renumbered
from etsl.documents.compare import NOT_STATED, Cell, card, cell
from etsl.documents.figures.scheme import Figure, YearPath, factsheet_timeline
from etsl.documents.figures.svg import standalone
from etsl.documents.glossary import glossary_entries
from etsl.documents.i18n import N_
from etsl.documents.i18n import gettext as _
from etsl.documents.render import render
from etsl.documents.scheme_page import Fact, Item, SchemePage, page_name, scheme_page
from etsl.documents.scheme_text import in_own_terms, translated
from etsl.documents.search import search_page
from etsl.documents.shell import NavItem, Shell, site_nav
from etsl.documents.wording import scheme_title, span_words, vocab_words

FORMATS = ("html", "md")

# ---- the index ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexEntry:
    name: str
    title: str
    filename: str
    facts: tuple[Cell, ...]
    factsheet: str = ""
    group: str = ""


INDEX_COLUMNS = ("jurisdiction", "kind", "status", "periods")
#: Index groups, in order: key → heading.
GROUPS = {
    "japan": N_("Japan"),
    "world": N_("Other jurisdictions"),
    "crediting": N_("Crediting and offset programmes"),
}
_CREDITING = {"project_crediting", "offset_program", "baseline_and_credit"}


def group_of(model: SchemeModel) -> str:
    """Japan, world or crediting: what a reader of the index looks for first."""
    if model.meta_value("kind") in _CREDITING:
        return "crediting"
    return "japan" if "Japan" in (model.meta_value("jurisdiction") or "") else "world"


def _index_facts(model: SchemeModel) -> tuple[Cell, ...]:
    facts = {d.key: c for d, c in card(model)}
    status = model.meta.get("status")
    facts["status"] = (
        cell([vocab_words(STATUSES, status.value)], [status.cite])
        if status
        else cell([_(NOT_STATED)])
    )
    if model.periods:
        first, last = model.periods[0], model.periods[-1]
        facts["periods"] = cell([span_words(first.start, last.end)])
    else:  # a crediting programme or a design proposal: no compliance periods
        facts["periods"] = cell(["—"])
    return tuple(facts.get(k, Cell()) for k in INDEX_COLUMNS)


def index_entries(models: Sequence[SchemeModel], fmt: str) -> tuple[IndexEntry, ...]:
    return tuple(
        IndexEntry(
            model.name,
            scheme_title(model.title, model.name),
            page_name(model, fmt),
            _index_facts(model),
            factsheet_name(model, fmt) if fmt == "html" else "",
            group_of(model),
        )
        for model in models
    )


def grouped(entries: Sequence[IndexEntry]) -> list[tuple[str, list[IndexEntry]]]:
    """The entries under their group headings, groups in reading order, empty ones left out."""
    out = [(_(title), [e for e in entries if e.group == key]) for key, title in GROUPS.items()]
    return [(title, found) for title, found in out if found]


# ---- pages ---------------------------------------------------------------------------------


def factsheet_name(model: SchemeModel, fmt: str = "html") -> str:
    return f"{model.name}-factsheet.{fmt}"


#: A row of a page that carries footnote references (a fact or an item).
Cited = TypeVar("Cited", Fact, Item)


def factsheet(page: SchemePage) -> tuple[SchemePage, tuple[SourceEntry, ...]]:
    """The page as its factsheet cites it, and the sources it cites: numbered 1..n in the
    order they first appear on the sheet (not the full page's [3], [7], [12]…)."""
    facts = (*page.sheet_facts, *page.extra_meta)
    items = (*page.surrender, *page.prices)
    numbers = numbering([page.description_refs, *(f.refs for f in facts), *(i.refs for i in items)])

    def cited_in_sheet(found: tuple[Cited, ...]) -> tuple[Cited, ...]:
        return tuple(replace(x, refs=renumbered(x.refs, numbers)) for x in found)

    sheet = replace(
        page,
        description_refs=renumbered(page.description_refs, numbers),
        sheet_facts=cited_in_sheet(page.sheet_facts),
        extra_meta=cited_in_sheet(page.extra_meta),
        surrender=cited_in_sheet(page.surrender),
        prices=cited_in_sheet(page.prices),
    )
    cited = sorted(
        (s for s in page.sources if s.number in numbers), key=lambda s: numbers[s.number]
    )
    return sheet, tuple(replace(s, number=numbers[s.number]) for s in cited)


def figure_filename(page: SchemePage, figure: Figure) -> str:
    return f"figures/{page.name}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', figure.key)}.svg"


def render_page(page: SchemePage, fmt: str, shell: Shell | None = None) -> str:
    return render(
        f"scheme.{fmt}.j2",
        page=page,
        shell=shell or Shell(),
        figure_file=lambda f: figure_filename(page, f),
    )


@dataclass(frozen=True)
class ExtraDocument:
    """A further document of the site (a comparison, a linkage report): its title, file
    name, and how to render it inside the site's shell."""

    title: str
    filename: str
    draw: Callable[[Shell], str]
    section: str = "comparison"  # comparison, linkage or simulation


def site(
    models: Sequence[SchemeModel],
    fmt: str = "html",
    extras: Sequence[ExtraDocument] = (),
    published: date | None = None,
    languages: Sequence[tuple[str, str]] = (),
    paths: Mapping[str, Sequence[YearPath]] | None = None,
) -> dict[str, str]:
    """Every file of the site in the language being written: filename → text (rendered
    fully before anything is written). `languages`: (code, path prefix) of every language
    the site is published in, for the language switch; `paths`: each scheme's caps and
    prices year by year (computed by etsl from the system level)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    models = [translated(m) for m in models]
    titles = {m.name: scheme_title(m.title, m.name) for m in models}
    pages = []
    for m in models:
        with in_own_terms(m):
            pages.append(scheme_page(m, fmt, titles, (paths or {}).get(m.name, ())))
    shell = _shell(extras, published, languages, fmt)
    entries = index_entries(models, fmt)
    files = {
        f"index.{fmt}": render(
            f"index.{fmt}.j2",
            groups=grouped(entries),
            count=len(entries),
            extras=extras,
            shell=shell.page(f"index.{fmt}", f"index.{fmt}"),
        )
    }
    files.update({x.filename: x.draw(shell.page(x.filename, x.filename)) for x in extras})
    for model, page in zip(models, pages, strict=True):
        with in_own_terms(model):
            files.update(_scheme_files(model, page, fmt, shell))
    if fmt == "html":
        files["glossary.html"] = render(
            "glossary.html.j2",
            entries=glossary_entries(files.values()),
            shell=shell.page("glossary.html", "glossary.html"),
        )
        files["search.html"] = search_page(files, shell.page("search.html"))
    return files


def _scheme_files(model: SchemeModel, page: SchemePage, fmt: str, shell: Shell) -> dict[str, str]:
    """A scheme's page, and its factsheet (HTML) or its figures' files (Markdown)."""
    files = {page.filename: render_page(page, fmt, shell.page(page.filename, f"index.{fmt}"))}
    if fmt == "html":
        name = factsheet_name(model)
        sheet, sources = factsheet(page)
        files[name] = render(
            "factsheet.html.j2",
            page=sheet,
            sources=sources,
            timeline=factsheet_timeline(model),
            shell=shell.page(name),
        )
    else:
        for figure in page.figures:
            files[figure_filename(page, figure)] = standalone(str(figure.svg))
    return files


def _shell(
    extras: Sequence[ExtraDocument],
    published: date | None,
    languages: Sequence[tuple[str, str]],
    fmt: str,
) -> Shell:
    if fmt != "html":
        return Shell(published=published)
    comparisons = tuple(NavItem(x.title, x.filename) for x in extras if x.section != "linkage")
    linkage = next((x.filename for x in extras if x.section == "linkage"), None)
    return Shell(
        published=published,
        nav=site_nav(comparisons, linkage),
        languages=tuple(languages),
        search=True,
    )


def write_site(files: Mapping[str, str | bytes], out_dir: Path) -> list[Path]:
    """Publish the site as `out_dir` in one rename (compiler/files.py, publish_folder).

    The folder ends up holding exactly this site: pages of an earlier site that this one
    no longer has are gone, and a failed or killed run leaves the earlier site as it was.
    A folder holding anything else is refused (FolderInUse) rather than replaced.
    """
    from etsl.compiler.files import publish_folder

    return publish_folder(files, out_dir)
