"""The publication shell every HTML page shares: masthead, navigation, languages, date.

    >>> shell = Shell(published=date(2025, 1, 31), nav=(NavItem("Schemes", "index.html"),))
    >>> shell.in_site, [n.href for n in shell.nav]
    (True, ['index.html'])

A document written on its own (`etsl compare -o x.html`, `etsl link --format html`) gets
the empty shell: the same stylesheet and masthead, without site navigation. A site built
in several languages gives each page links to the same page in the other languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from etsl.documents.i18n import LANGUAGES, current
from etsl.documents.i18n import gettext as _
from etsl.documents.wording import date_words


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link of the masthead: its label and address (relative to the page)."""

    label: str
    href: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class Shell:
    """What the masthead and footer of a page show."""

    published: date | None = None
    nav: tuple[NavItem, ...] = ()
    languages: tuple[tuple[str, str], ...] = ()  # (language code, path prefix to its root)
    search: bool = False
    here: str = ""  # this page's file name
    root: str = ""  # path prefix from this page to this language's root
    lang: str = field(default_factory=current)

    @property
    def in_site(self) -> bool:
        return bool(self.nav)

    @property
    def published_words(self) -> str:
        return date_words(self.published) if self.published else ""

    def page(self, filename: str, section: str = "") -> Shell:
        """The shell of one page of the site (`section`: which navigation item is open)."""
        nav = tuple(replace(n, current=n.href == section) for n in self.nav)
        return replace(self, here=filename, nav=nav)

    def switches(self) -> list[NavItem]:
        """Links to this page in the site's other languages."""
        return [
            NavItem(LANGUAGES[code], f"{prefix}{self.here or 'index.html'}")
            for code, prefix in self.languages
            if code != self.lang
        ]


def site_nav(comparisons: tuple[NavItem, ...], linkage: str | None) -> tuple[NavItem, ...]:
    """The masthead links of a site: schemes, each comparison, linkage, glossary, search."""
    items = [NavItem(_("Schemes"), "index.html"), *comparisons]
    if linkage:
        items.append(NavItem(_("Linkage"), linkage))
    items.append(NavItem(_("Glossary"), "glossary.html"))
    return tuple(items)
