"""A scheme's worked examples as readers see them: every name a label, every value in words.

    >>> [row for row in example_views(tokyo_cat)[2].given if "held" in row[0].lower()]
    [('Held: outside Tokyo', '2,500 t CO₂'), ('Held: excess reduction', '300 t CO₂')]

An example is written in ETSL's own terms (`held.outside_tokyo = 2500 tCO2`,
`period = first`, `publish = true`); the page shows the value's label, the consequence's
words, the period's and the category's names and `yes`/`no`, in the language being written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from etsl.compiler.enums import CONSEQUENCE_KINDS
from etsl.compiler.model import SchemeModel
from etsl.documents.i18n import N_
from etsl.documents.i18n import gettext as _
from etsl.documents.wording import capital, label, literal_words, vocab_words


@dataclass(frozen=True, slots=True)
class ExampleView:
    title: str
    given: tuple[tuple[str, str], ...]
    expect: tuple[tuple[str, str], ...]


#: `held.U`, `eligible.U`, `earlier_years.X`: the row label around the inner name's label.
_DOTTED = {
    "held": N_("Held: {name}"),
    "eligible": N_("Eligible after limits: {name}"),
    "earlier_years": N_("{name} in earlier years of the period"),
}
#: Example values that are truth values.
_TRUTH = {"true": N_("yes"), "false": N_("no")}


def example_views(model: SchemeModel) -> tuple[ExampleView, ...]:
    """Every example of `model`, its inputs and expected values worded for readers."""
    value = _value_wording(model)
    return tuple(
        ExampleView(
            e.title,
            tuple((example_label(k), value(k, v)) for k, v in e.given.items()),
            tuple((example_label(k), value(k, v)) for k, v in e.expect.items()),
        )
        for e in model.examples
    )


def example_label(key: str) -> str:
    """The row label of an example's name: `held.outside_tokyo` → `Held: outside Tokyo`,
    `publish` → `Publication of the participant's name`."""
    outer, _dot, inner = key.partition(".")
    if inner and outer in _DOTTED:
        return capital(_(_DOTTED[outer]).format(name=label(inner)))
    if inner == "minimum" and outer in CONSEQUENCE_KINDS:  # `fine.minimum`: the least of a range
        kind = vocab_words(CONSEQUENCE_KINDS, outer)
        return capital(_("{kind}, at least").format(kind=kind))
    if key in CONSEQUENCE_KINDS:
        return capital(vocab_words(CONSEQUENCE_KINDS, key))
    return capital(label(key))


def _value_wording(model: SchemeModel) -> Callable[[str, str], str]:
    """How a value of `model`'s examples reads: names of periods and of input choices
    become their labels, truth values `yes`/`no`, amounts words (`2,500 t CO₂`)."""
    named = {p.name for p in model.periods}
    if model.participant:
        named |= {v for i in model.participant.inputs for v in i.values or ()}

    def value(key: str, text: str) -> str:
        if text in _TRUTH:
            return _(_TRUTH[text])
        if text in named:
            return capital(label(text)) if key == "period" else label(text)
        return literal_words(text)

    return value
