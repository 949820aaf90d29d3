"""How settled each cited value of a scheme is: primary, secondary or unconfirmed.

A source may say how far it can be relied on (`source icap "ICAP factsheet" secondary`);
one citation may say so for the value it supports (`cite tmg "art. 5" unconfirmed`),
which overrides its source. A source that says nothing is taken at its word (no mark). A
value citing several sources is as settled as the least settled of them.

    >>> from etsl.compiler.driver import compile_text
    >>> text = 'scheme s { source f "A factsheet" secondary  source a "An act" primary  '
    >>> text += 'param x = 5 % cite f  param y = 1 % cite a "art. 2", f "p. 3" }'
    >>> [(v.what, v.confidence) for v in doubtful(compile_text(text).schemes["s"].model)]
    [('param x', 'secondary'), ('param y', 'secondary')]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from etsl.compiler.enums import CONFIDENCE
from etsl.compiler.model import Citation, Location, SchemeModel


@dataclass(frozen=True, slots=True)
class CitedValue:
    """One declaration that cites a source: what it is, where, and how settled."""

    scheme: str
    what: str
    citation: Citation
    confidence: str | None
    location: Location | None


#: Confidences from the most to the least settled; a value citing several sources is as
#: settled as the least settled of them (None: not stated, taken at its word).
WEAKNESS = (None, "primary", "secondary", "unconfirmed")


def confidence_of(model: SchemeModel, cite: Citation | None) -> str | None:
    """The least settled of the value's citations (`cite a, b secondary`: secondary); each
    citation's own confidence, else its source's, else None (not stated)."""
    if cite is None:
        return None
    return max((_one_confidence(model, c) for c in cite.all()), key=WEAKNESS.index)


def _one_confidence(model: SchemeModel, cite: Citation) -> str | None:
    if cite.confidence is not None:
        return cite.confidence
    source = next((s for s in model.sources if s.id == cite.source), None)
    return source.confidence if source is not None else None


def is_doubtful(confidence: str | None) -> bool:
    """Whether documents mark a value with this confidence (secondary, unconfirmed)."""
    return confidence is not None and CONFIDENCE.kind(confidence) == "doubt"


def _cited(model: SchemeModel) -> Iterator[tuple[str, Citation | None, Location | None]]:
    """Every citing declaration, as (what, citation, location), in declaration order."""
    for key, meta in model.meta.items():
        yield key, meta.cite, meta.location
    for p in model.periods:
        yield f"period {p.name}", p.cite, p.location
    yield "gases", model.gases_cite, model.gases_location
    yield "scope", model.scope_cite, model.scope_location
    for i in model.participant.inputs if model.participant else ():
        yield f"input {i.name}", i.cite, i.location
    yield from ((f"param {p.name}", p.cite, p.location) for p in model.params)
    yield from ((f"table {t.name}", t.cite, t.location) for t in model.tables)
    yield from ((f"rule {r.name}", r.cite, r.location) for r in model.rules)
    yield from ((f"unit {u.name}", u.cite, u.location) for u in model.units)
    for s in model.surrender:
        yield f"surrender {', '.join(s.units)}", s.cite, s.location
    for label, bank in (("banking", model.banking), ("borrowing", model.borrowing)):
        if bank is not None:
            yield label, bank.cite, bank.location
            for r in bank.during:
                yield f"{label} during {', '.join(r.periods)}", r.cite, r.location
    for price in model.price_controls:
        yield f"price {price.name}", price.cite, price.location
    yield from _penalties(model)
    for measure in model.support:
        yield f"support {measure.name}", measure.cite, measure.location
    for link in model.links:
        yield f"link {link.target}", link.cite, link.location
    if model.allocation is not None:
        yield "allocation", model.allocation.cite, model.allocation.location


def _penalties(model: SchemeModel) -> Iterator[tuple[str, Citation | None, Location | None]]:
    for p in model.penalties:
        name = f"penalty {p.name}" if p.name else "penalty"
        yield name, p.cite, p.location
        for q in p.consequences:
            yield f"{name}: {q.kind}", q.cite, q.location


def cited_values(model: SchemeModel) -> list[CitedValue]:
    """Every declaration of `model` that cites a source, with its confidence."""
    return [
        CitedValue(model.name, what, cite, confidence_of(model, cite), location)
        for what, cite, location in _cited(model)
        if cite is not None
    ]


def doubtful(model: SchemeModel) -> list[CitedValue]:
    """The cited values that rest on a secondary or unconfirmed source."""
    return [v for v in cited_values(model) if is_doubtful(v.confidence)]
