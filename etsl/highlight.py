"""Highlighting for ETSL, with every word list read from the grammar and the registries
(keywords from grammar/scheme.lark, built-ins from compiler/builtins.py, units from
compiler/units.py, vocabulary values from compiler/enums.py), so a new keyword or value is
highlighted without an edit here.

- `EtslLexer`: a Pygments lexer (registered as the `etsl` lexer through the package's
  entry point), for documents, the README and any Pygments-based site;
- `textmate_grammar()`: the TextMate grammar of the VS Code extension
  (`python -m etsl.highlight > editors/vscode/syntaxes/etsl.tmLanguage.json`, run by
  `make vsix`).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from typing import Any

from pygments.lexer import RegexLexer, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from etsl.compiler.builtins import BUILTINS
from etsl.compiler.enums import ALL as VOCABULARIES
from etsl.compiler.parse import declaration_keywords, keywords
from etsl.compiler.units import SYMBOLS

CONSTANTS = ("true", "false", "none")
CONTROL = ("if", "then", "else", "when", "where")
OPERATOR_WORDS = ("and", "or", "not", "in", "of")


@cache
def word_lists() -> dict[str, tuple[str, ...]]:
    """The words each highlighting class holds, read from the grammar and registries."""
    declarations = set(declaration_keywords())
    reserved = set(keywords())
    special = set(CONSTANTS) | set(CONTROL) | set(OPERATOR_WORDS)
    values = {c.value for v in VOCABULARIES for c in v.choices} - reserved
    return {
        "declaration": tuple(sorted(declarations)),
        "keyword": tuple(sorted(reserved - declarations - special)),
        "control": tuple(w for w in CONTROL if w in reserved),
        "operator": tuple(w for w in OPERATOR_WORDS if w in reserved),
        "constant": tuple(w for w in CONSTANTS if w in reserved),
        "builtin": tuple(sorted(BUILTINS)),
        "unit": tuple(sorted(u for u in SYMBOLS if re.fullmatch(r"\w+", u))),
        "value": tuple(sorted(values)),
    }


# ---- Pygments ---------------------------------------------------------------------------------


def _words(name: str) -> Any:
    return words(word_lists()[name], prefix=r"\b", suffix=r"\b")


class EtslLexer(RegexLexer):  # type: ignore[misc]  # pygments has no type hints
    """ETSL, the Emissions Trading Scheme Language (`.scheme` files)."""

    name = "ETSL"
    aliases = ["etsl", "scheme-etsl"]
    filenames = ["*.scheme"]
    mimetypes = ["text/x-etsl"]
    url = "https://pypi.org/project/etsl/"

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"', String.Double, "string"),
            (r"\d{4}-\d{2}-\d{2}", Number.Other),
            (r"\d[\d_]*\.\d+", Number.Float),
            (r"\d[\d_]*", Number.Integer),
            (_words("declaration"), Keyword.Declaration),
            (_words("control"), Keyword),
            (_words("operator"), Operator.Word),
            (_words("constant"), Keyword.Constant),
            (_words("keyword"), Keyword.Reserved),
            (_words("builtin"), Name.Builtin),
            (_words("unit"), Keyword.Type),
            (_words("value"), Name.Constant),
            (r"[A-Za-z_]\w*", Name),
            (r"%", Keyword.Type),
            (r"\.\.|>=|<=|==|!=|[<>=+\-*/]", Operator),
            (r"[{}()\[\],.:|]", Punctuation),
        ],
        "string": [
            (r"\\.", String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\n", Text, "#pop"),
        ],
    }


# ---- TextMate ---------------------------------------------------------------------------------


def _alternation(items: Iterable[str]) -> str:
    return r"\b(?:" + "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True)) + r")\b"


#: highlighting class → TextMate scope (the names VS Code themes colour).
SCOPES = {
    "declaration": "keyword.other.declaration.etsl",
    "control": "keyword.control.etsl",
    "operator": "keyword.operator.word.etsl",
    "constant": "constant.language.etsl",
    "keyword": "keyword.other.etsl",
    "builtin": "support.function.builtin.etsl",
    "unit": "support.type.unit.etsl",
    "value": "constant.other.vocabulary.etsl",
}


def textmate_grammar() -> dict[str, Any]:
    """The TextMate grammar of `.scheme` files (VS Code and other TextMate editors)."""
    lists = word_lists()
    patterns: list[dict[str, Any]] = [
        {"name": "comment.line.number-sign.etsl", "match": "#.*$"},
        {
            "name": "string.quoted.double.etsl",
            "begin": '"',
            "end": '"|$',
            "patterns": [{"name": "constant.character.escape.etsl", "match": r"\\."}],
        },
        {"name": "constant.numeric.date.etsl", "match": r"\b\d{4}-\d{2}-\d{2}\b"},
        {"name": "constant.numeric.etsl", "match": r"\b\d[\d_]*(?:\.\d+)?"},
        {
            "match": r"\b(rule|param|table|participant|source|period|phase)\s+([A-Za-z_]\w*)",
            "captures": {
                "1": {"name": SCOPES["declaration"]},
                "2": {"name": "entity.name.function.etsl"},
            },
        },
    ]
    patterns += [
        {"name": SCOPES[kind], "match": _alternation(lists[kind])} for kind in SCOPES if lists[kind]
    ]
    patterns += [
        {"name": "support.type.unit.etsl", "match": "%"},
        {"name": "keyword.operator.etsl", "match": r"\.\.|>=|<=|==|!=|[<>=+\-*/]"},
    ]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "ETSL",
        "scopeName": "source.etsl",
        "fileTypes": ["scheme"],
        "patterns": patterns,
    }


def main() -> None:
    """Print the TextMate grammar as JSON."""
    json.dump(textmate_grammar(), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
