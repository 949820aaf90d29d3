"""The catalogues of scheme text, one per folder of scheme files, maintained with Babel.

    python -m etsl.documents.scheme_messages schemes/japan          # extract, update, compile
    python -m etsl.documents.scheme_messages --check schemes/japan  # exit 1 when out of date

Extraction compiles every scheme in the folder and collects its prose (the strings
`etsl.documents.scheme_text` translates), keyed by the English text, with the scheme and
field each comes from as the location. Updating keeps every translation and translator
comment, drops strings no scheme says any more, and compiles the `.mo` the documents
read. `--check` lists strings missing from the `.po`, a `.mo` not compiled from it, and
strings not yet translated; `--allow-untranslated` reports the last without failing (the
pages mark them). A test runs the check over the bundled folders.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from etsl.documents.i18n import LANGUAGES
from etsl.documents.messages import EPOCH, updated_catalogue
from etsl.documents.scheme_text import catalogue_path, each_text

DOMAIN = "etsl-schemes"
HEADER = """\
# Translations of the text of the schemes in this folder (descriptions, timing, labels …).
# Keyed by the English text of the scheme files; regenerate with
# python -m etsl.documents.scheme_messages <this folder>. Use the official term of each
# scheme's own publications where one exists; a comment above a string may name it.
#"""


def template_catalog(folder: Path) -> Catalog:
    """Every prose string of the schemes in `folder` (no translations)."""
    from etsl.compiler.driver import compile_paths

    catalog = Catalog(domain=DOMAIN, project="ETSL", creation_date=EPOCH, fuzzy=False)

    def collect(text: str, where: str) -> str:
        found = catalog.get(text)
        location: tuple[str, Any] = (where, None)  # a field, not a line
        if found is None:
            catalog.add(text, locations=[location])
        else:
            found.locations.append(location)
        return text

    for compiled in sorted(compile_paths([folder]).schemes.values(), key=lambda c: c.name):
        if Path(compiled.model.path).resolve().parent == folder.resolve():
            each_text(compiled.model, collect)  # imported schemes have their own folder's
    return catalog


def _read(path: Path, lang: str) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def updated(folder: Path, lang: str) -> tuple[bytes, bytes]:
    """The folder's `.po` and `.mo` for `lang`, brought up to date with its schemes."""
    path = catalogue_path(folder, lang)
    return updated_catalogue(path, lang, DOMAIN, HEADER, template_catalog(folder))


def problems(folder: Path, lang: str) -> tuple[list[str], list[str]]:
    """(what is out of date, what is not translated yet) in the folder's `lang` catalogue."""
    path = catalogue_path(folder, lang)
    catalog = _read(path, lang)
    if catalog is None:
        return [f"{path} is missing"], []
    stale, untranslated = [], []
    for message in template_catalog(folder):
        found = catalog.get(message.id) if message.id else catalog.header_comment
        if found is None:
            stale.append(f"{path}: {message.id!r} is not in the catalogue")
        elif isinstance(found, Message) and not found.string:
            untranslated.append(f"{path}: no translation of {message.id!r}")
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
