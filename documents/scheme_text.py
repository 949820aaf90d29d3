"""Scheme text in the language being written: the prose a scheme file states, translated.

A scheme file's descriptions, timing, deadline, MRV, administrator, period labels, link
conditions and example titles are English prose written by its author. The documents show
them in the page's language through a catalogue kept beside the scheme files: for the
schemes in a folder `DIR`, `DIR/locale/<lang>.po` (maintained with
`python -m etsl.documents.scheme_messages DIR`) compiled to `DIR/locale/<lang>.mo`, keyed
by the English text in the context of the scheme saying it (gettext `msgctxt` = the
scheme's name), so that two schemes saying the same words each get their own official
wording. A string the catalogue does not translate yet is shown in English with a
visible mark (`【未翻訳】` on Japanese pages), never silently.

The catalogue also names each scheme's periods (`cp1` is RGGI's first control period and
California's first compliance period): `own_names(model)` gives those terms, for
`etsl.documents.i18n.own_terms` around everything written about one scheme.

`translated(model)` is applied where the documents receive their models (the site and
the comparison), inside `with language(lang)`. It also typesets the gases the prose names
(`CO2 emissions` → `CO₂ emissions`), in every language.

Source titles, citations and locators are never translated. Identifiers and scheme titles
are not scheme text here: they have terms of their own in the documents' catalogue
(contexts `name` and `scheme`).
"""

from __future__ import annotations

import functools
import gettext as gnu
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from etsl.compiler.model import SYSTEM_DESCRIPTION, ExampleModel, Frozen, SchemeModel
from etsl.documents.i18n import N_, current, own_terms
from etsl.documents.i18n import gettext as _
from etsl.documents.wording import formulas

#: Fields holding an author's prose, in any part of the model.
TEXT_FIELDS = frozenset({"description", "label", "conditions"})
#: Summary facts (`meta`) that are prose rather than a vocabulary word or a place.
PROSE_META = ("description", "administrator", "timing", "deadline", "mrv")
#: How a string without a translation is shown (the catalogue words the mark).
UNTRANSLATED = N_("(not yet translated) {text}")

#: What is done to each string found: (text, where in the model) → the text to show.
Change = Callable[[str, str], str]
M = TypeVar("M", bound=Frozen)


def catalogue_path(folder: Path, lang: str, suffix: str = ".po") -> Path:
    """The catalogue of the schemes in `folder` for `lang`."""
    return folder / "locale" / f"{lang}{suffix}"


@functools.cache
def _catalogue(folder: Path, lang: str) -> gnu.NullTranslations:
    compiled = catalogue_path(folder, lang, ".mo")
    if not compiled.is_file():
        return gnu.NullTranslations()
    with compiled.open("rb") as handle:
        return gnu.GNUTranslations(handle)


def translated(model: SchemeModel) -> SchemeModel:
    """`model` with its prose in the language being written, its gases typeset as reports
    write them (`CO2` → `CO₂`; the words are otherwise unchanged in English)."""
    lang = current()
    if lang == "en":
        return each_text(model, lambda text, _where: formulas(text))
    catalogue = _catalogue(Path(model.path).resolve().parent, lang)

    def change(text: str, _where: str) -> str:
        found = catalogue.pgettext(model.name, text)
        return formulas(found) if found != text else _(UNTRANSLATED).format(text=formulas(text))

    return each_text(model, change)


def own_names(model: SchemeModel) -> dict[str, str]:
    """The terms `model`'s catalogue gives its own period names in the language being
    written (none in English; a name without one keeps the documents' shared term)."""
    lang = current()
    if lang == "en":
        return {}
    catalogue = _catalogue(Path(model.path).resolve().parent, lang)
    terms = {p.name: catalogue.pgettext(model.name, p.name) for p in model.periods}
    return {name: term for name, term in terms.items() if term != name}


@contextmanager
def in_own_terms(model: SchemeModel) -> Iterator[None]:
    """Everything written inside names `model`'s periods in its own terms (RGGI's
    遵守期間, not another scheme's 規制期間)."""
    with own_terms(own_names(model)):
        yield


def each_name(model: SchemeModel, change: Change) -> None:
    """`change` applied to each name the scheme's catalogue gives a term of its own (how
    they are extracted)."""
    for period in model.periods:
        change(period.name, f"{model.name}.periods[{period.name}].name")


def each_text(model: SchemeModel, change: Change) -> SchemeModel:
    """`model` with `change` applied to every prose string (also how they are extracted)."""
    walked = _walk(model, change, model.name)
    meta = {
        key: item.model_copy(update={"value": change(item.value, f"{model.name}.{key}")})
        if key in PROSE_META and item.value
        else item
        for key, item in walked.meta.items()
    }
    return walked.model_copy(update={"meta": meta})


def _walk(value: M, change: Change, where: str) -> M:
    updates: dict[str, object] = {}
    for field in type(value).model_fields:
        item = getattr(value, field)
        here = f"{where}.{field}"
        if _is_text(value, field, item):
            updates[field] = change(item, here)
        elif isinstance(item, Frozen):
            updates[field] = _walk(item, change, here)
        elif isinstance(item, list) and item and isinstance(item[0], Frozen):
            updates[field] = [_walk(x, change, f"{here}[{_key(x, i)}]") for i, x in enumerate(item)]
        elif isinstance(item, dict) and field != "meta" and _all_frozen(item.values()):
            updates[field] = {k: _walk(x, change, f"{here}.{k}") for k, x in item.items()}
    return value.model_copy(update=updates) if updates else value


def _key(item: Frozen, index: int) -> str:
    """How a catalogue location names a list item: by its name, else its position."""
    name = getattr(item, "name", None) or getattr(item, "kind", None)
    return str(name) if name else str(index)


def _is_text(owner: Frozen, field: str, item: object) -> bool:
    named = field in TEXT_FIELDS or (field == "title" and isinstance(owner, ExampleModel))
    return named and isinstance(item, str) and bool(item) and item != SYSTEM_DESCRIPTION


def _all_frozen(items: Iterable[object]) -> bool:
    values = list(items)
    return bool(values) and all(isinstance(x, Frozen) for x in values)
