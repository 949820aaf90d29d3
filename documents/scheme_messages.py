"""The catalogues of scheme text, one per folder of scheme files, maintained with Babel.

    python -m etsl.documents.scheme_messages schemes/japan          # extract, update, compile
    python -m etsl.documents.scheme_messages --check schemes/japan  # exit 1 when out of date

Extraction compiles every scheme in the folder and collects its prose (the strings
`etsl.documents.scheme_text` translates) and its period names, keyed by the English text
in the context of the scheme saying it (`msgctxt` = the scheme's name), with the field
each comes from as the location. Updating keeps every translation and translator
comment, drops strings no scheme says any more, and compiles the `.mo` the documents
read. A translation without a context (a catalogue from before contexts, or one added
by hand) is first given to every scheme its locations name (`migrated`), so nothing
translated is lost; a period name without a term starts from the documents' shared term
(`etsl.documents.wording.label`), for the translator to correct where the scheme's own
publications say otherwise. `--check` lists strings missing from the `.po`, a `.mo` not compiled from it, and
strings not yet translated; `--allow-untranslated` reports the last without failing (the
pages mark them). A test runs the check over the bundled folders.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from etsl.compiler.model import SchemeModel
from etsl.documents.i18n import DOMAIN as DOCUMENTS
from etsl.documents.i18n import LANGUAGES, LOCALES
from etsl.documents.messages import EPOCH, updated_catalogue
from etsl.documents.scheme_text import catalogue_path, each_name, each_text

DOMAIN = "etsl-schemes"
HEADER = """\
# Translations of the text of the schemes in this folder (descriptions, timing, labels …).
# Keyed by the English text of the scheme files, in the context (msgctxt) of the scheme
# saying it, and by each scheme's period names; regenerate with
# python -m etsl.documents.scheme_messages <this folder>. Use the official term of each
# scheme's own publications where one exists; a comment above a string may name it.
#"""


def template_catalog(folder: Path) -> Catalog:
    """Every prose string and period name of the schemes in `folder`, each in its
    scheme's context (no translations)."""
    catalog = Catalog(domain=DOMAIN, project="ETSL", creation_date=EPOCH, fuzzy=False)

    def collect(text: str, where: str) -> str:
        scheme = scheme_of(where)
        found = catalog.get(text, scheme)
        location: tuple[str, Any] = (where, None)  # a field, not a line
        if found is None:
            catalog.add(text, locations=[location], context=scheme)
        else:
            found.locations.append(location)
        return text

    for model in folder_models(folder):
        each_text(model, collect)
        each_name(model, collect)
    return catalog


def folder_models(folder: Path) -> list[SchemeModel]:
    """The models of the schemes in `folder` (not those they import from elsewhere: those
    have their own folder's catalogue), by name."""
    from etsl.compiler.driver import compile_paths

    compiled = sorted(compile_paths([folder]).schemes.values(), key=lambda c: c.name)
    return [c.model for c in compiled if Path(c.model.path).resolve().parent == folder.resolve()]


def scheme_of(where: str) -> str:
    """The scheme a location names: `rggi.periods[cp1].label` → `rggi`."""
    return where.split(".", 1)[0]


def migrated(catalog: Catalog, names: Catalog, models: list[SchemeModel]) -> Catalog:
    """`catalog` with each translation that has no context copied to every scheme its
    locations name (comments and flags kept) and dropped, and each period name without
    a term given the documents' shared term (`names`, context `name`)."""
    for message in [m for m in catalog if m.id and not m.context]:
        for scheme in dict.fromkeys(scheme_of(where) for where, _line in message.locations):
            if catalog.get(message.id, scheme) is None:
                catalog.add(
                    message.id,
                    message.string,
                    locations=[w for w in message.locations if scheme_of(w[0]) == scheme],
                    flags=message.flags,
                    user_comments=message.user_comments,
                    context=scheme,
                )
        catalog.delete(message.id)
    for model in models:
        for period in model.periods:
            shared = names.get(period.name, "name")
            if catalog.get(period.name, model.name) is None and shared and shared.string:
                catalog.add(period.name, shared.string, context=model.name)
    return catalog


def _read(path: Path, lang: str, domain: str = DOMAIN) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def updated(folder: Path, lang: str) -> tuple[bytes, bytes]:
    """The folder's `.po` and `.mo` for `lang`, brought up to date with its schemes."""
    path = catalogue_path(folder, lang)
    existing = _read(path, lang)
    if existing is not None:
        names = _read(LOCALES / lang / "LC_MESSAGES" / f"{DOCUMENTS}.po", lang, DOCUMENTS)
        migrated(existing, names or Catalog(), folder_models(folder))
    return updated_catalogue(path, lang, DOMAIN, HEADER, template_catalog(folder), existing)


def problems(folder: Path, lang: str) -> tuple[list[str], list[str]]:
    """(what is out of date, what is not translated yet) in the folder's `lang` catalogue."""
    path = catalogue_path(folder, lang)
    catalog = _read(path, lang)
    if catalog is None:
        return [f"{path} is missing"], []
    stale, untranslated = [], []
    for message in template_catalog(folder):
        if not message.id:
            continue  # the header
        found = catalog.get(message.id, message.context)
        if found is None:
            stale.append(f"{path}: {message.id!r} ({message.context}) is not in the catalogue")
        elif not found.string:
            untranslated.append(f"{path}: no translation of {message.id!r} ({message.context})")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    mo = catalogue_path(folder, lang, ".mo")
    if not mo.exists() or mo.read_bytes() != compiled.getvalue():
        stale.append(f"{mo} is not compiled from {path.name}")
    return stale, untranslated


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    folders = [Path(a) for a in argv if not a.startswith("--")]
    if not folders:
        print("usage: python -m etsl.documents.scheme_messages [--check] FOLDER…")
        return 2
    languages = [lang for lang in LANGUAGES if lang != "en"]
    failed = False
    for folder in folders:
        for lang in languages:
            if "--check" in flags:
                stale, untranslated = problems(folder, lang)
                for line in [*stale, *untranslated]:
                    print(line)
                failed |= bool(stale) or (
                    bool(untranslated) and "--allow-untranslated" not in flags
                )
                continue
            po, mo = updated(folder, lang)
            path = catalogue_path(folder, lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(po)
            path.with_suffix(".mo").write_bytes(mo)
            print(f"wrote {path} and {path.with_suffix('.mo').name}")
    if failed:
        print("update with: python -m etsl.documents.scheme_messages FOLDER, then translate")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
