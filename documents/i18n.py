"""Languages of the documents: gettext catalogues and the language being written.

    >>> with language("ja"):
    ...     gettext("Summary")
    '概要'
    >>> gettext("Summary")
    'Summary'

Every word a reader sees goes through `gettext` (imported as `_`; or `ngettext`,
`pgettext`), here and in the
templates, so one rendering serves every language: `with language("ja"): site(…)` writes
the Japanese site. Catalogues live in `documents/locale/<lang>/LC_MESSAGES/etsl.po`
(maintained with Babel: `python -m etsl.documents.messages`), compiled to `etsl.mo`
beside them; a test keeps both current. Citations, source titles and scheme text are
never translated.
"""

from __future__ import annotations

import functools
import gettext as gnu
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LOCALES = Path(__file__).parent / "locale"
DOMAIN = "etsl"
#: Output languages: code → the language's own name (for the language switch).
LANGUAGES = {"en": "English", "ja": "日本語"}

_current: ContextVar[str] = ContextVar("etsl_documents_language", default="en")
_own_terms: ContextVar[Mapping[str, str] | None] = ContextVar("etsl_own_terms", default=None)


class UnknownLanguage(ValueError):
    """A language with no catalogue (the message lists the ones there are)."""


@functools.cache
def translations(lang: str) -> gnu.NullTranslations:
    """The compiled catalogue of `lang` (English is the source language: no catalogue)."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"no documents in '{lang}'; choose one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return gnu.NullTranslations()
    return gnu.translation(DOMAIN, LOCALES, languages=[lang])


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Write in `lang` inside the block (views and templates alike)."""
    translations(lang)
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def own_terms(terms: Mapping[str, str]) -> Iterator[None]:
    """Inside the block, name the identifiers in `terms` by the term given there: one
    scheme's own words for its names (RGGI's `cp1` is its first control period, while
    California's `cp1` is its first compliance period), ahead of the shared catalogue."""
    token = _own_terms.set(terms)
    try:
        yield
    finally:
        _own_terms.reset(token)


def own_term(name: str) -> str | None:
    """The term the scheme being written gives `name`, if it gives one."""
    terms = _own_terms.get()
    return terms.get(name) if terms else None


#: The ordinal before a period's own Japanese name (第1次 of 第1次計画期間, 第2 of 第2遵守期間).
ORDINAL = re.compile(r"^第[0-9０-９]+次?")


def ordinal(name: str) -> str | None:
    """The ordinal a period's name starts with (第1 of 第1遵守期間), if it starts with one.

    >>> ordinal("第1遵守期間"), ordinal("第2次計画期間"), ordinal("Cp1")
    ('第1', '第2次', None)
    """
    found = ORDINAL.match(name)
    return found.group() if found else None


def current() -> str:
    """The language being written: `en` or `ja`."""
    return _current.get()


def gettext(message: str) -> str:
    """`message` in the current language (modules import it as `_`)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message, for `count`, in the current language."""
    return translations(current()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, told apart by `context` (e.g. a term)."""
    return translations(current()).pgettext(context, message)


def has_translation(context: str, message: str) -> bool:
    """Whether the current language's catalogue translates `message` (in `context`)."""
    return current() == "en" or pgettext(context, message) != message


def N_(message: str) -> str:
    """Mark `message` for the catalogue; it is translated where it is shown."""
    return message
