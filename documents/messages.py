"""The translation catalogues of the documents, maintained with Babel.

    python -m etsl.documents.messages            # extract, update every .po, compile .mo
    python -m etsl.documents.messages --check    # exit 1 when a catalogue is out of date

Messages come from the templates (`{% trans %}`, `_()`), from the Python views (`_`, `N_`,
`ngettext`, `pgettext`, `count_words`) and from the registries the documents word at run
time: vocabulary words (compiler/enums.py), built-in wordings (compiler/builtins.py), rule
meanings, glossary entries (context `glossary`), linkage check titles, rationales, remedies
and how-to lines, the linkage analysis's message templates (context `linkage`), and the names the
bundled schemes use (context `name`: a term for each identifier, so the Japanese pages use
the official term). Translator comments (`# …`) in a .po say where each term comes from;
updating keeps them and every translation. A test runs `--check`.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from etsl.compiler.model import Formula, SchemeModel
from etsl.compiler.resolve import ATTRIBUTE_BASES
from etsl.documents.i18n import DOMAIN, LANGUAGES, LOCALES
from pydantic import BaseModel

HERE = Path(__file__).parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "count_words": (1, 2),
}
HEADER = """\
# Translations of the ETSL documents (Japanese).
# Terms follow the official Japanese wording of each scheme where one exists; a comment
# above a term names the publication it is taken from. Citations are never translated.
#"""
#: A fixed date, so that regenerating an unchanged catalogue changes nothing.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

Message = tuple[str | tuple[str, ...], str | None, str]  # id (or singular, plural), context, where


def _from_python() -> Iterator[Message]:
    for path in sorted([*HERE.glob("*.py"), *HERE.glob("figures/*.py")]):
        if path.name == "messages.py":
            continue
        with path.open("rb") as handle:
            for line, message, _comments, context in extract(
                "python", handle, keywords=KEYWORDS, options={}
            ):
                yield message, context, f"documents/{path.relative_to(HERE)}:{line}"


def _from_templates() -> Iterator[Message]:
    options = {"trim_blocks": "true", "lstrip_blocks": "true", "extensions": ""}
    for path in sorted((HERE / "templates").glob("*.j2")):
        with path.open("rb") as handle:
            for line, message, _comments, context in extract(
                "jinja2.ext:babel_extract", handle, keywords=KEYWORDS, options=options
            ):
                yield message, context, f"documents/templates/{path.name}:{line}"


def _from_library() -> Iterator[Message]:
    """Scheme titles and the identifiers of the bundled schemes (best effort: a name
    without a term reads as its English words)."""
    names, titles = _library_names()
    for title, where in titles.items():
        yield title, "scheme", where
    for place, where in _library_jurisdictions().items():
        yield place, "jurisdiction", where
    for name, where in sorted(names.items()):
        yield name, "name", where


def _from_registries() -> Iterator[Message]:
    from etsl.compiler.builtins import BUILTINS
    from etsl.compiler.enums import ALL
    from etsl.compiler.vocabulary import MEANINGS
    from etsl.documents.glossary import TERMS
    from etsl.linkage.checks import CATALOGUE
    from etsl.linkage.facts import SEVERITIES
    from etsl.linkage.network import analyse_network
    from etsl.linkage.pair import VERDICTS
    from etsl.linkage.said import TEMPLATES

    del analyse_network  # imported for the messages its module registers

    for vocabulary in ALL:
        for choice in vocabulary:
            yield choice.words, None, f"compiler/enums.py ({vocabulary.name})"
    for builtin in BUILTINS.values():
        for words in builtin.words:
            yield words, None, f"compiler/builtins.py ({builtin.name})"
    for meaning in MEANINGS.values():
        yield meaning, None, "compiler/vocabulary.py"
    for meaning in TERMS.values():
        yield meaning, "glossary", "documents/glossary.py"
    for check in CATALOGUE.values():
        where = f"linkage/checks ({check.code})"
        for text in (check.title, check.rationale, check.remedy, check.how_to):
            if text:
                yield text, None, where
    for said in TEMPLATES.values():
        yield said.template, "linkage", f"linkage ({said.id})"
    for severity in SEVERITIES:
        yield severity, None, "linkage/facts.py"
    for text in VERDICTS.values():
        yield text, None, "linkage/pair.py"


def _library_jurisdictions() -> dict[str, str]:
    """Every bundled scheme's jurisdiction, with the scheme stating it."""
    found: dict[str, str] = {}
    for model in _library_models():
        place = model.meta_value("jurisdiction")
        if place:
            found.setdefault(place, f"schemes: {model.name}")
    return found


def _library_models() -> list[SchemeModel]:
    """The bundled schemes' models, by name."""
    from importlib import resources

    from etsl.compiler.driver import compile_paths

    compilation = compile_paths([Path(str(resources.files("etsl.schemes")))])
    return [c.model for c in sorted(compilation.schemes.values(), key=lambda c: c.name)]


def _library_names() -> tuple[dict[str, str], dict[str, str]]:
    """Every identifier the bundled schemes use (with the first scheme using it), and every
    scheme's title."""
    names: dict[str, str] = {}
    titles: dict[str, str] = {}
    for m in _library_models():
        if m.title:
            titles[m.title] = f"schemes: {m.name}"
        found = [p.name for p in m.periods] + [u.name for u in m.units]
        found += [p.name for p in m.params] + [t.name for t in m.tables]
        found += [r.name for r in m.rules] + [p.name for p in m.penalties if p.name]
        found += [s.name for s in m.support] + [m.name] + [k.target for k in m.links]
        found += m.price_control_names()
        found += [d for r in m.rules for d in r.depends_on]  # the rule graph's nodes
        if m.participant:
            found.append(m.participant.name)
            found += [b.name for b in m.participant.blocks]
            for i in m.participant.inputs:
                found += [i.name, *(i.values or [])]
        for table in m.tables:
            found += [cell for row in table.rows for cell in row[:1]] + list(table.dims)
        found += _set_members(m)
        found += [a for bases in ATTRIBUTE_BASES.values() for a in bases]  # holding.vintage
        for name in found:
            if name and name != "*" and not name[0].isdigit():
                names.setdefault(name, f"schemes: {m.name}")
    return names, titles


_SET = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def _set_members(model: Any) -> list[str]:
    """The words a model's formulas list in sets (`project_type in {nuclear, hfc23}`): the
    pages name them like any identifier."""
    if isinstance(model, Formula):
        members = (w.strip() for body in _SET.findall(model.text) for w in body.split(","))
        return [w for w in members if _WORD.fullmatch(w)]
    if isinstance(model, list | tuple):
        return [w for item in model for w in _set_members(item)]
    if isinstance(model, BaseModel):
        return [
            w for field in type(model).model_fields for w in _set_members(getattr(model, field))
        ]
    return []


def template_catalog() -> Catalog:
    """Every message the documents show, the bundled schemes' titles and names included, as
    a catalogue template (no translations)."""
    catalog = Catalog(domain=DOMAIN, project="ETSL", creation_date=EPOCH, fuzzy=False)
    for source in (_from_python(), _from_templates(), _from_registries(), _from_library()):
        for message, context, where in source:
            path, _, line = where.partition(":")
            location: tuple[str, Any] = (path, int(line)) if line.isdigit() else (where, None)
            existing = catalog.get(message, context)
            if existing is not None:
                existing.locations.append(location)
                continue
            catalog.add(message, context=context, locations=[location])
    return catalog


def _po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def updated(lang: str, template: Catalog) -> tuple[bytes, bytes]:
    """The language's .po and .mo, brought up to date with `template`."""
    return updated_catalogue(_po_path(lang), lang, DOMAIN, HEADER, template)


def updated_catalogue(
    path: Path,
    lang: str,
    domain: str,
    header: str,
    template: Catalog,
    existing: Catalog | None = None,
) -> tuple[bytes, bytes]:
    """The .po at `path` (or `existing`, already read from it; a new one headed `header`
    if there is none) brought up to date with `template`: every translation kept, text no
    longer extracted dropped; and its .mo. Shared with the scheme-text catalogues
    (etsl.documents.scheme_messages)."""
    if existing is not None:
        catalog = existing
    elif path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=domain)
    else:
        catalog = Catalog(
            locale=lang,
            domain=domain,
            project="ETSL",
            version="",
            creation_date=EPOCH,
            header_comment=header,
            fuzzy=False,
        )
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.fuzzy = False
    catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = "ETSL"
    catalog.revision_date = EPOCH
    catalog.obsolete.clear()
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalog, width=100, omit_header=False, sort_output=False, include_lineno=False)
    write_mo(mo, catalog)
    return po.getvalue(), mo.getvalue()


def stale(lang: str, template: Catalog) -> list[str]:
    """What is out of date in one language's files: messages of the code and templates
    missing or untranslated in its .po, or a .mo not compiled from that .po."""
    path = _po_path(lang)
    if not path.exists():
        return [f"{path} is missing"]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    out = []
    for message in template:
        found = catalog.get(message.id, message.context) if message.id else None
        if message.id and (found is None or not _translated(found.string)):
            where = f" (context {message.context!r})" if message.context else ""
            out.append(f"{path}: no translation of {message.id!r}{where}")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled.getvalue():
        out.append(f"{mo} is not compiled from {path.name}")
    return out


def _translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def main(argv: list[str]) -> int:
    languages = [lang for lang in LANGUAGES if lang != "en"]
    template = template_catalog()
    if "--check" in argv:
        problems = [p for lang in languages for p in stale(lang, template)]
        for problem in problems:
            print(problem)
        if problems:
            print("update with: python -m etsl.documents.messages, then translate")
        return 1 if problems else 0
    for lang in languages:
        po, mo = updated(lang, template)
        path = _po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po)
        path.with_suffix(".mo").write_bytes(mo)
        print(f"wrote {path} and {path.with_suffix('.mo').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
