"""Citations as readers see them: numbered footnotes, the sources list, and how settled each
cited value is.

    >>> notes = Footnotes([tokyo_cat])
    >>> [r.label for r in notes.refs("tokyo_cat", [tokyo_cat.meta["administrator"].cite])]
    ['2']

A value whose citation (or its source) is secondary or unconfirmed carries that word
beside its footnote mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from etsl.compiler.confidence import confidence_of, is_doubtful
from etsl.compiler.model import Citation, SchemeModel
from etsl.documents.i18n import gettext as _
from etsl.documents.render import safe_url
from etsl.documents.wording import scheme_title

#: Locators up to this length show in the footnote mark itself ("[1, art 5]").
SHORT_LOCATOR = 16


@dataclass(frozen=True, slots=True)
class Ref:
    """A citation as shown: a footnote number (plus locator) linking to the sources list."""

    number: int
    anchor: str
    label: str
    title: str
    url: str | None = None
    confidence: str | None = None  # secondary or unconfirmed; None when settled


@dataclass(frozen=True, slots=True)
class SourceEntry:
    number: int
    anchor: str
    id: str
    citation: str
    url: str | None
    scheme: str = ""
    locators: tuple[str, ...] = ()
    confidence: str | None = None
    title: str = ""  # the scheme's title, when the list covers several schemes


class Footnotes:
    """Numbers the sources of one or more schemes in declaration order; a source cited
    word for word by several schemes (same citation and address) is listed once."""

    def __init__(self, models: Sequence[SchemeModel], prefix: str = "src") -> None:
        self.models = {m.name: m for m in models}
        several = len(models) > 1
        self.entries: list[SourceEntry] = []
        self.index: dict[tuple[str, str], SourceEntry] = {}
        shared: dict[tuple[str, str | None], SourceEntry] = {}
        self.citing: dict[int, list[str]] = {}  # entry number → titles of the schemes citing it
        for model in models:
            for source in model.sources:
                key = (source.citation, source.url)
                if key in shared:
                    self.index[(model.name, source.id)] = shared[key]
                    self._cited_by(shared[key].number, model)
                    continue
                url = safe_url(source.url)
                entry = SourceEntry(
                    len(self.entries) + 1,
                    f"{prefix}-{model.name}-{source.id}" if several else f"{prefix}-{source.id}",
                    source.id,
                    source.citation + ("" if url or not source.url else f" ({source.url})"),
                    url,
                    model.name,
                    confidence=source.confidence if is_doubtful(source.confidence) else None,
                    title=scheme_title(model.title, model.name),
                )
                self.entries.append(entry)
                self.index[(model.name, source.id)] = shared[key] = entry
                self._cited_by(entry.number, model)
        self.locators: dict[int, list[str]] = {}

    def _cited_by(self, number: int, model: SchemeModel) -> None:
        """Name every scheme that cites a shared source, not only the first one."""
        titles = self.citing.setdefault(number, [])
        title = scheme_title(model.title, model.name)
        if title not in titles:
            titles.append(title)

    def refs(self, scheme: str, cites: Iterable[Citation | None]) -> tuple[Ref, ...]:
        """Footnote references; long locators show in the tooltip and the sources list."""
        out = []
        for cite in dict.fromkeys(one for c in cites if c is not None for one in _each(c)):
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
            confidence = confidence_of(self.models[scheme], cite)
            doubt = confidence if is_doubtful(confidence) else None
            out.append(Ref(entry.number, entry.anchor, label, title, entry.url, doubt))
        return _merged(out)

    def listed(self) -> tuple[SourceEntry, ...]:
        """The sources, each with the locators cited so far."""
        return tuple(
            replace(
                e,
                locators=tuple(self.locators.get(e.number, ())),
                title=_("; ").join(self.citing[e.number]),
            )
            for e in self.entries
        )


def _each(cite: Citation) -> tuple[Citation, ...]:
    """Every citation of a value on its own (`cite a "x", b "y" secondary`: two references,
    each with its own locator and confidence)."""
    return tuple(c.model_copy(update={"also": ()}) if c.also else c for c in cite.all())


def numbering(groups: Iterable[Iterable[Ref]]) -> dict[int, int]:
    """New footnote numbers, 1..n, in the order the references first appear (a document
    citing only some of the sources: a factsheet)."""
    order = dict.fromkeys(r.number for refs in groups for r in refs)
    return {number: new for new, number in enumerate(order, 1)}


def renumbered(refs: Iterable[Ref], numbers: dict[int, int]) -> tuple[Ref, ...]:
    """The references under `numbers` (see `numbering`); a label keeps its locator."""
    return tuple(
        replace(
            r, number=numbers[r.number], label=f"{numbers[r.number]}{r.label[len(str(r.number)) :]}"
        )
        for r in refs
    )


def _merged(refs: list[Ref]) -> tuple[Ref, ...]:
    """One mark per label: two long locators of one source both show as its number, so they
    share one mark (`[18]`, not `[18] [18]`) whose tooltip names both."""
    by_label: dict[str, Ref] = {}
    for ref in refs:
        seen = by_label.get(ref.label)
        by_label[ref.label] = (
            replace(
                seen,
                title=f"{seen.title}; {ref.title}",
                confidence=seen.confidence or ref.confidence,
            )
            if seen
            else ref
        )
    return tuple(by_label.values())
