"""The incremental parser gives exactly what `parse` gives, parsing only what changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler.incremental import IncrementalParser, chunks
from etsl.compiler.parse import parse
from etsl.compiler.source import SourceFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
LIBRARY = sorted((REPO / "schemes").rglob("*.scheme"))
TOKYO = REPO / "schemes" / "japan" / "tokyo_cat.scheme"


def _same(parser: IncrementalParser, path: str, text: str) -> None:
    source = SourceFile.of(path, text)
    assert parser.parse(source) == parse(source)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_bundled_scheme_parses_the_same(path: Path) -> None:
    parser = IncrementalParser()
    text = path.read_text(encoding="utf-8")
    _same(parser, str(path), text)
    lines = text.split("\n")
    for at in (1, len(lines) // 3, len(lines) // 2, len(lines) - 3):
        _same(parser, str(path), "\n".join(lines[:at] + [""] + lines[at:]))


def test_an_edit_parses_only_the_edited_declaration() -> None:
    parser = IncrementalParser()
    text = TOKYO.read_text(encoding="utf-8")
    parser.parse(SourceFile.of("tokyo.scheme", text))
    before = parser.parsed
    edited = text.replace("param coverage_threshold = 1500", "param coverage_threshold = 1600")
    module, _ = parser.parse(SourceFile.of("tokyo.scheme", edited))
    assert parser.parsed == before + 1
    assert module == parse(SourceFile.of("tokyo.scheme", edited))[0]
    moved = "\n\n" + edited  # every declaration moves two lines down: none is parsed again
    parser.parse(SourceFile.of("tokyo.scheme", moved))
    assert parser.parsed == before + 1


@pytest.mark.parametrize(
    "text",
    [
        "scheme s {\n  rule x = 1 +\n  rule y = 2\n}\n",  # a syntax error inside a declaration
        "scheme s {\n  participant p {\n    a: tCO2e\n  rule y = 2\n}\n",  # an unclosed brace
        "scheme s {\n  stray words\n  rule y = 2\n}\n",  # text no keyword starts
        "scheme s {\n  rule y = 2\n}\n}\n",  # a closing brace too many
        "scheme s { rule a = 1 rule b = 2 }",  # declarations on one line
        'import "x.scheme"\ncatalogue c {\n  rule a = 1\n}\nscheme s extends c {\n  uses c\n}\n',
        "",
    ],
)
def test_unusual_text_gives_what_parse_gives(text: str) -> None:
    _same(IncrementalParser(), "x.scheme", text)


def test_chunks_start_at_declaration_keywords_inside_braces() -> None:
    text = "scheme s {\n  rule a = 1\n  # note\n  param b = 2\n}\n"
    found = chunks(text)
    assert found is not None
    assert [text[c.start : c.end].split()[0] for c in found] == ["rule", "param"]
    assert [c.line for c in found] == [2, 4]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    position=st.floats(min_value=0, max_value=1),
    insert=st.sampled_from(["\n", " ", "x", "{", "}", '"', "#", "1", "=", "rule z = 1\n"]),
)
def test_any_single_insertion_gives_what_parse_gives(position: float, insert: str) -> None:
    text = TOKYO.read_text(encoding="utf-8")
    at = int(len(text) * position)
    parser = IncrementalParser()
    parser.parse(SourceFile.of("tokyo.scheme", text))
    _same(parser, "tokyo.scheme", text[:at] + insert + text[at:])
