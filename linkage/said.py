"""What the linkage analysis says, as data: a message id, an English template and its values.

    >>> said = Template("example", "{a} accepts {units}")(a=Scheme("quebec"),
    ...     units=terms(["QC_offset", "early_reduction"], "and"))
    >>> said.text()
    "'quebec' accepts 'QC_offset' and 'early_reduction'"

Text and JSON reports speak English (`ENGLISH`). The documents give `spoken` a voice of their
own: it translates each template through their catalogue and words each value for readers
(a scheme by its title, an identifier by its term), so linkage never imports the documents.
Every template is registered once, by id, in `TEMPLATES`; the documents' catalogue extracts
them from there. Values that are words (a unit's kind, a price control's kind) are messages
themselves, so they are translated too.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Joined = Literal["and", "or", "comma", "semicolon", "arrow"]
#: How the joins other than `and` and `or` separate items.
SEPARATORS = {"comma": ", ", "semicolon": "; ", "arrow": " → "}


@dataclass(frozen=True, slots=True)
class Scheme:
    """A scheme, by name: `'quebec'` in English reports (bare in a chain of links), its
    title in the documents."""

    scheme: str
    quoted: bool = True


@dataclass(frozen=True, slots=True)
class Term:
    """An identifier a scheme declares (a unit, a period, a price control); `quoted` in
    running text, bare in a list of names."""

    term: str
    quoted: bool = True


@dataclass(frozen=True, slots=True)
class Code:
    """Scheme text quoted as written (a condition): plain in English reports, shown as code
    in the documents."""

    code: str


@dataclass(frozen=True, slots=True)
class Listing:
    """Several values: 'a', 'b' and 'c' (`and`; `or` likewise), a, b (`comma`; `semicolon`
    likewise) or a → b (`arrow`, a chain of links); `none` when empty."""

    items: tuple[Value, ...]
    joined: Joined = "and"


@dataclass(frozen=True, slots=True)
class Said:
    """One message: its template's id and English text, and the values it names."""

    id: str
    template: str
    values: tuple[tuple[str, Value], ...] = ()

    def text(self) -> str:
        """The message in English, as text and JSON reports print it."""
        return spoken(plain(self), ENGLISH)

    def __str__(self) -> str:
        return self.text()


Value = str | Scheme | Term | Code | Listing | Said


@dataclass(frozen=True, slots=True)
class Template:
    """A registered message: call it with its values to say it."""

    id: str
    template: str

    def __call__(self, **values: Value) -> Said:
        wanted = {field for _, field, _, _ in string.Formatter().parse(self.template) if field}
        assert wanted == set(values), (self.id, wanted, set(values))
        return Said(self.id, self.template, tuple(sorted(values.items())))


#: Every message the linkage analysis can say, by id.
TEMPLATES: dict[str, Template] = {}


def template(id: str, text: str) -> Template:
    """Register the template `text` under `id` (whitespace runs read as one space)."""
    assert id not in TEMPLATES, id
    TEMPLATES[id] = Template(id, " ".join(text.split()))
    return TEMPLATES[id]


def terms(names: Sequence[str], joined: Joined = "comma") -> Listing:
    """Identifiers as a list: bare and comma-separated, or quoted and joined with 'and'."""
    return Listing(tuple(Term(n, quoted=joined == "and") for n in names), joined)


def chain(path: Sequence[str]) -> Listing:
    """A chain of linked schemes: a → b → c."""
    return Listing(tuple(Scheme(n, quoted=False) for n in path), "arrow")


def plain(said: Said) -> dict[str, Any]:
    """The message as plain data (JSON-ready): id, template and values."""
    return asdict(said)


def _is_said(data: object) -> bool:
    return isinstance(data, dict) and data.keys() == {"id", "template", "values"}


def in_english(data: dict[str, Any]) -> dict[str, Any]:
    """Plain report data with every message (a dict of id, template and values) under a key
    `k` replaced, in place, by its English text, and kept as data under `k_said`."""
    for key, value in list(data.items()):
        if _is_said(value):
            data[key], data[f"{key}_said"] = spoken(value, ENGLISH), value
        for inner in value if isinstance(value, list | tuple) else [value]:
            if isinstance(inner, dict) and not _is_said(inner):
                in_english(inner)
    return data


# ---- speaking a message ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Voice:
    """How a language words a message: its template, a scheme, an identifier, scheme text
    and a list."""

    template: Callable[[str], str]
    scheme: Callable[[str, bool], str]
    term: Callable[[str, bool], str]
    code: Callable[[str], str]
    listing: Callable[[list[str], Joined], str]


def spoken(data: Any, voice: Voice) -> str:
    """A message (or one of its values) as plain data, in `voice`."""
    if isinstance(data, str):
        return data
    if "scheme" in data:
        return voice.scheme(data["scheme"], data["quoted"])
    if "term" in data:
        return voice.term(data["term"], data["quoted"])
    if "code" in data:
        return voice.code(data["code"])
    if "items" in data:
        return voice.listing([spoken(item, voice) for item in data["items"]], data["joined"])
    values = {key: spoken(value, voice) for key, value in data["values"]}
    return voice.template(data["template"]).format(**values)


def english_list(items: list[str], joined: Joined) -> str:
    if not items:
        return "none"
    if joined in SEPARATORS or len(items) == 1:
        return SEPARATORS.get(joined, "").join(items)
    return ", ".join(items[:-1]) + f" {joined} " + items[-1]


ENGLISH = Voice(
    template=lambda text: text,
    scheme=lambda name, quoted: f"'{name}'" if quoted else name,
    term=lambda name, quoted: f"'{name}'" if quoted else name,
    code=lambda text: text,
    listing=english_list,
)
