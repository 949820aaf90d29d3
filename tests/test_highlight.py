"""Highlighting read from the grammar: the Pygments lexer and the TextMate grammar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from etsl.compiler.builtins import BUILTINS
from etsl.compiler.parse import keywords
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Error, Keyword, Name, Operator

from etsl.highlight import EtslLexer, textmate_grammar, word_lists

REPO = Path(__file__).resolve().parent.parent
SCHEMES = sorted((REPO / "schemes").rglob("*.scheme")) + sorted(
    (REPO / "docs" / "examples").glob("*.scheme")
)


def test_the_lexer_is_registered_with_pygments() -> None:
    assert isinstance(get_lexer_by_name("etsl"), EtslLexer)
    assert isinstance(get_lexer_for_filename("tokyo_cat.scheme"), EtslLexer)


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_every_bundled_scheme_lexes_without_error_tokens(path: Path) -> None:
    tokens = list(EtslLexer().get_tokens(path.read_text(encoding="utf-8")))
    assert [value for kind, value in tokens if kind in Error] == []


def _etsl_blocks() -> list[tuple[str, str]]:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return [
        (page.name, block)
        for page in pages
        for block in re.findall(r"```etsl\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    ]


def test_every_etsl_block_of_the_docs_lexes_without_error_tokens() -> None:
    blocks = _etsl_blocks()
    assert {"README.md", "language.md"} <= {page for page, _ in blocks}
    for page, block in blocks:
        errors = [value for kind, value in EtslLexer().get_tokens(block) if kind in Error]
        assert errors == [], (page, block[:60])


def test_every_keyword_of_the_grammar_is_highlighted_as_a_keyword() -> None:
    for word in keywords():
        [(kind, value), *_] = EtslLexer().get_tokens(word)
        assert value == word and (kind in Keyword or kind in Operator.Word), (word, kind)


def test_builtins_and_units_have_their_own_classes() -> None:
    tokens = dict((v, k) for k, v in EtslLexer().get_tokens("floor(1500 kL_oe/yr) * 8 %"))
    assert tokens["floor"] in Name.Builtin and tokens["kL_oe"] in Keyword.Type
    assert set(word_lists()["builtin"]) == set(BUILTINS)


def _scope_of(word: str) -> str | None:
    for pattern in textmate_grammar()["patterns"]:
        if "match" in pattern and "name" in pattern and re.fullmatch(pattern["match"], word):
            return str(pattern["name"])
    return None


def test_the_textmate_grammar_highlights_every_keyword_and_builtin() -> None:
    assert all(
        (_scope_of(w) or "").startswith(("keyword.", "constant.language")) for w in keywords()
    )
    assert all(_scope_of(b) == "support.function.builtin.etsl" for b in BUILTINS)
    assert _scope_of("tCO2e") == "support.type.unit.etsl"
