"""What changed between two versions of a scheme (or a scheme and its `extends` variant).

    >>> changes = diff(tokyo_cat, tokyo_cat.model_copy(update={"title": "Tokyo ETS"}))
    >>> [(c.section, c.name, c.kind) for c in changes]
    [('Metadata', 'title', 'changed')]

Each section of the model is flattened into entries keyed by name: a main value (ETSL text),
its plain-language reading, and secondary fields (description, citation, …). Two versions
are compared entry by entry; a change carries both values, both readings and the
secondary fields that differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from etsl.compiler.enums import BANK_MODES
from etsl.compiler.model import Citation, SchemeModel
from etsl.documents.compare import (
    accept_words,
    link_words,
    penalty_summary,
    price_words,
)
from etsl.documents.prose import (
    Lexicon,
    formula_condition,
    formula_phrase,
    lexicon,
    phrase,
    rule_sentence,
)

Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One named thing in a scheme: its value, that value in words, and other fields.

    Two entries differ when their value or fields differ; the words are derived (a rule
    whose parameter changed reads differently but has not itself changed)."""

    value: str
    words: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Change:
    section: str
    name: str
    kind: Kind
    old: str | None = None
    new: str | None = None
    old_words: str | None = None
    new_words: str | None = None
    details: tuple[tuple[str, str, str], ...] = ()


def _cite(cite: Citation | None) -> str:
    if cite is None:
        return ""
    return "; ".join(f"{c.source}, {c.locator}" if c.locator else c.source for c in cite.all())


def _fields(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


# ---- sections -------------------------------------------------------------------------------

Section = Callable[[SchemeModel, Lexicon], dict[str, Entry]]


def _metadata(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    out = {
        key: Entry(item.value, fields=_fields(cite=_cite(item.cite)))
        for key, item in m.meta.items()
    }
    plain = {
        "title": m.title,
        "extends": m.extends,
        "calendar": m.calendar,
        "fiscal year start": m.fiscal_year_start,
        "gases": ", ".join(m.gases) or None,
        "GWP basis": m.gwp_basis,
        "scope": ", ".join(m.scope) or None,
        "participant": m.participant.name if m.participant else None,
    }
    out.update({k: Entry(v) for k, v in plain.items() if v})
    for label, bank in (("banking", m.banking), ("borrowing", m.borrowing)):
        if bank is not None:
            limit = f" up to {bank.limit.text}" if bank.limit else ""
            out[label] = Entry(
                bank.mode + limit,
                BANK_MODES.words(bank.mode)
                + (
                    f", at most {phrase(bank.limit.text, lex, bank.limit.unit)}"
                    if bank.limit
                    else ""
                ),
                _fields(cite=_cite(bank.cite)),
            )
        for r in bank.during if bank is not None else []:
            during = f" up to {r.limit.text}" if r.limit else ""
            out[f"{label} during {', '.join(r.periods)}"] = Entry(
                r.mode + during,
                BANK_MODES.words(r.mode),
                _fields(description=r.description, cite=_cite(r.cite)),
            )
    if m.allocation is not None:
        out["allocation"] = Entry(
            ", ".join(m.allocation.methods),
            fields=_fields(description=m.allocation.description, cite=_cite(m.allocation.cite)),
        )
    return out


def _sources(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {s.id: Entry(s.citation, fields=_fields(url=s.url)) for s in m.sources}


def _periods(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        p.name: Entry(
            f"{p.keyword} {p.start} .. {p.end}",
            f"{p.years} years",
            _fields(label=p.label, cite=_cite(p.cite)),
        )
        for p in m.periods
    }


def _inputs(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    if m.participant is None:
        return {}
    return {
        i.name: Entry(
            "{" + ", ".join(i.values) + "}" if i.values else (i.unit or i.type),
            fields=_fields(description=i.description),
        )
        for i in m.participant.inputs
    }


def _params(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        p.name: Entry(
            p.formula.text,
            phrase(p.formula.text, lex, p.formula.unit),
            _fields(description=p.description, cite=_cite(p.cite)),
        )
        for p in m.params
    }


def _tables(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        t.name: Entry(
            "; ".join(f"{k}: {v}" for k, v in t.entries.items()),
            "",
            {
                "dimensions": ", ".join(t.dims),
                **{f"cell {k}": v for k, v in t.entries.items()},
                **_fields(description=t.description, cite=_cite(t.cite)),
            },
        )
        for t in m.tables
    }


def _rules(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        r.name: Entry(
            r.formula.text,
            rule_sentence(r, lex),
            _fields(
                description=r.description, cite=_cite(r.cite), default="yes" if r.default else None
            ),
        )
        for r in m.rules
    }


def _units(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        u.name: Entry(
            u.kind + (f" from {u.origin}" if u.origin else ""),
            fields={
                **{f"attribute {k}": v for k, v in u.attributes.items()},
                **_fields(description=u.description, cite=_cite(u.cite)),
            },
        )
        for u in m.units
    }


def _surrender(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    out = {}
    for s in m.surrender:
        key = f"{s.kind} {', '.join(s.units)}"
        text = (
            key
            + (f" up to {s.limit.text}" if s.limit else "")
            + (f" where {s.where.text}" if s.where else "")
        )
        out[key] = Entry(
            text,
            accept_words(s.units, formula_phrase(s.limit, lex), formula_condition(s.where, lex)),
            _fields(description=s.description, cite=_cite(s.cite)),
        )
    return out


def _prices(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        p.name: Entry(
            p.value.text
            + (f" from {p.from_year}" if p.from_year else "")
            + (f" rising {p.rising.text}" if p.rising else "")
            + (f" plus {p.rising_plus}" if p.rising_plus else ""),
            price_words(
                p.name,
                phrase(p.value.text, lex, p.value.unit),
                p.from_year,
                p.rising.text if p.rising else None,
                p.rising_plus,
            ),
            _fields(description=p.description, cite=_cite(p.cite)),
        )
        for p in m.price_controls
    }


def _penalties(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    out = {}
    for index, p in enumerate(m.penalties, start=1):
        text = (
            "none"
            if p.condition is None
            else f"when {p.condition.text}: "
            + "; ".join(
                q.kind
                + (f" {q.amount.text}" if q.amount else "")
                + (f" from {q.lower.text}" if q.lower else "")
                + (f" up to {q.limit.text}" if q.limit else "")
                for q in p.consequences
            )
        )
        out[p.name or f"penalty {index}"] = Entry(
            text, penalty_summary(p, lex), _fields(description=p.description, cite=_cite(p.cite))
        )
    return out


def _support(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        s.name: Entry(
            f"up to {s.limit.text}" if s.limit else "(no limit)",
            phrase(s.limit.text, lex, s.limit.unit) if s.limit else "",
            _fields(description=s.description, cite=_cite(s.cite)),
        )
        for s in m.support
    }


def _links(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        k.target: Entry(
            " ".join(
                filter(
                    None,
                    [
                        k.direction,
                        k.since and f"since {k.since}",
                        k.until and f"until {k.until}",
                        f"for {', '.join(k.units)}" if k.units else None,
                    ],
                )
            ),
            link_words(k.target, k.direction, k.since, k.until),
            _fields(conditions=k.conditions, cite=_cite(k.cite)),
        )
        for k in m.links
    }


def _examples(m: SchemeModel, lex: Lexicon) -> dict[str, Entry]:
    return {
        e.title: Entry(
            "given "
            + ", ".join(f"{k} = {v}" for k, v in e.given.items())
            + "; expect "
            + ", ".join(f"{k} = {v}" for k, v in e.expect.items())
        )
        for e in m.examples
    }


SECTIONS: tuple[tuple[str, Section], ...] = (
    ("Metadata", _metadata),
    ("Sources", _sources),
    ("Periods", _periods),
    ("Participant inputs", _inputs),
    ("Parameters", _params),
    ("Tables", _tables),
    ("Rules", _rules),
    ("Units", _units),
    ("Surrender", _surrender),
    ("Price controls", _prices),
    ("Penalties", _penalties),
    ("Support", _support),
    ("Links", _links),
    ("Examples", _examples),
)


# ---- comparing --------------------------------------------------------------------------


def _compare(section: str, old: dict[str, Entry], new: dict[str, Entry]) -> list[Change]:
    out = []
    for name in [*old, *(k for k in new if k not in old)]:
        before, after = old.get(name), new.get(name)
        if before is None and after is not None:
            out.append(Change(section, name, "added", new=after.value, new_words=after.words))
        elif after is None and before is not None:
            out.append(Change(section, name, "removed", old=before.value, old_words=before.words))
        elif (
            before is not None
            and after is not None
            and (before.value, before.fields) != (after.value, after.fields)
        ):
            details = tuple(
                (key, before.fields.get(key, ""), after.fields.get(key, ""))
                for key in dict.fromkeys([*before.fields, *after.fields])
                if before.fields.get(key) != after.fields.get(key)
            )
            out.append(
                Change(
                    section,
                    name,
                    "changed",
                    before.value,
                    after.value,
                    before.words,
                    after.words,
                    details,
                )
            )
    return out


def diff(old: SchemeModel, new: SchemeModel) -> list[Change]:
    """Every addition, removal and change from `old` to `new`, section by section."""
    old_lex, new_lex = lexicon(old), lexicon(new)
    changes: list[Change] = []
    for section, extract in SECTIONS:
        changes += _compare(section, extract(old, old_lex), extract(new, new_lex))
    return changes


# ---- rendering ---------------------------------------------------------------------------

_MARKS = {"added": "+", "removed": "-", "changed": "~"}


def summary(changes: Sequence[Change]) -> str:
    counts = {
        kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "removed", "changed")
    }
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def _heading(old: SchemeModel, new: SchemeModel) -> str:
    return f"{old.name} ({old.path}) → {new.name} ({new.path})"


def to_text(old: SchemeModel, new: SchemeModel, changes: Sequence[Change]) -> str:
    """A readable report, grouped by section."""
    lines = [_heading(old, new), summary(changes) if changes else "no differences", ""]
    for section in dict.fromkeys(c.section for c in changes):
        lines.append(section)
        for c in (c for c in changes if c.section == section):
            lines.append(f"  {_MARKS[c.kind]} {c.name} ({c.kind})")
            for label, value, reading in (("old", c.old, c.old_words), ("new", c.new, c.new_words)):
                if value is not None:
                    lines.append(f"      {label}: {value}")
                    if reading and reading != value:
                        lines.append(f"           {reading}")
            lines += [f"      {key}: {a or '(none)'} → {b or '(none)'}" for key, a, b in c.details]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str | None) -> str:
    if not text:
        return ""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )


def to_markdown(old: SchemeModel, new: SchemeModel, changes: Sequence[Change]) -> str:
    """A Markdown report: one table per section."""
    lines = [
        f"# Changes: `{old.name}` → `{new.name}`",
        "",
        f"{_md(old.path)} → {_md(new.path)}: {summary(changes) if changes else 'no differences'}.",
        "",
    ]
    for section in dict.fromkeys(c.section for c in changes):
        lines += [f"## {section}", "", "| | Name | Old | New |", "|---|---|---|---|"]
        for c in (c for c in changes if c.section == section):
            old_cell = _md(c.old) + (
                f"<br>*{_md(c.old_words)}*" if c.old_words and c.old_words != c.old else ""
            )
            new_cell = _md(c.new) + (
                f"<br>*{_md(c.new_words)}*" if c.new_words and c.new_words != c.new else ""
            )
            extra = "".join(
                f"<br>{_md(k)}: {_md(a) or '(none)'} → {_md(b) or '(none)'}"
                for k, a, b in c.details
            )
            lines.append(f"| {c.kind} | `{c.name}` | {old_cell} | {new_cell}{extra} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_json(old: SchemeModel, new: SchemeModel, changes: Sequence[Change]) -> str:
    """A JSON report (`etsl.diff/1`)."""
    return (
        json.dumps(
            {
                "format": "etsl.diff/1",
                "old": {"name": old.name, "path": old.path},
                "new": {"name": new.name, "path": new.path},
                "summary": {
                    k: sum(1 for c in changes if c.kind == k)
                    for k in ("added", "removed", "changed")
                },
                "changes": [
                    {
                        **asdict(c),
                        "details": [{"field": k, "old": a, "new": b} for k, a, b in c.details],
                    }
                    for c in changes
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


RENDERERS: dict[str, Callable[[SchemeModel, SchemeModel, Sequence[Change]], str]] = {
    "text": to_text,
    "md": to_markdown,
    "json": to_json,
}
