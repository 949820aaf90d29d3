"""Parse .scheme text into an AST, reporting syntax errors as located diagnostics.

    >>> module, diagnostics = parse(SourceFile.of("x.scheme", 'scheme s { kind cap_and_trade }'))
    >>> module.schemes[0].name
    's'

Several errors are reported per file: after an error the parser blanks out the declaration
it occurred in (keeping line and column positions) and parses again.
"""

from __future__ import annotations

import re
from functools import cache

from etsl.compiler import ast, codes
from etsl.compiler.build import Builder
from etsl.compiler.diagnostics import Diagnostic, did_you_mean, error
from etsl.compiler.nesting import MAX_NESTING, deepest_in_text
from etsl.compiler.parse_table import load_parser
from etsl.compiler.source import MAX_BYTES, SourceFile, deep_recursion
from etsl.compiler.vocabulary import DEFINABLE, MEANINGS, RUNTIME_INPUTS
from lark import Lark, Token, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

MAX_ERRORS = 20

_CLOSING = re.compile(r"^\}[ \t]*$", re.M)


@cache
def declaration_keywords() -> tuple[str, ...]:
    """The words that start a declaration or a file's item, read off the grammar: the
    keywords the parser accepts at the top of a file and inside a scheme's braces."""
    lark = parser()
    inside = lark.parse_interactive("scheme x {")
    inside.exhaust_lexer()
    at_top = lark.parse_interactive("")
    accepted: set[str] = inside.accepts() | at_top.accepts()  # type: ignore[no-untyped-call]
    words = (lark.get_terminal(name).pattern for name in accepted if name != "$END")
    return tuple(
        sorted(w.value for w in words if isinstance(w, PatternStr) and w.value.isidentifier())
    )


@cache
def keywords() -> tuple[str, ...]:
    """Every word the grammar reserves (`scheme`, `rule`, `when`, `up`, `fine`, …), read off
    its terminals: editors highlight and complete these."""
    words = (t.pattern for t in parser().terminals)
    return tuple(
        sorted({w.value for w in words if isinstance(w, PatternStr) and w.value.isidentifier()})
    )


@cache
def declaration_start() -> re.Pattern[str]:
    """A line that begins a declaration (error recovery restarts there)."""
    return re.compile(r"^[ \t]*(?:" + "|".join(declaration_keywords()) + r")\b", re.M)


@cache
def parser() -> Lark:
    """The LALR parser for grammar/scheme.lark, loaded from the table shipped in the package
    (compiler/parse_table.py; never from a cache file in a shared folder)."""
    return load_parser()


def parse(source: SourceFile) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse one file. Returns the module (None when it has syntax errors) and diagnostics."""
    problems = precheck(source)
    if problems:
        return None, problems
    text, diagnostics = source.text, []
    for _ in range(MAX_ERRORS):
        try:
            tree = parser().parse(text)
        except UnexpectedInput as exc:
            diagnostics.append(_describe(source, exc))
            blanked = _blank_declaration(text, exc.pos_in_stream or 0)
            if blanked == text:
                break
            text = blanked
            continue
        if diagnostics:
            return None, diagnostics
        builder = Builder(source)
        try:
            with deep_recursion():
                module = builder.transform(tree)
        except RecursionError:
            return None, [too_deep(source)]
        return (None if builder.diagnostics else module), builder.diagnostics
    return None, diagnostics


def too_deep(source: SourceFile) -> Diagnostic:
    return error(
        codes.NESTING_TOO_DEEP,
        "an expression is too long or too deeply nested",
        source.span(0, 0),
        "split it into named rules with 'rule'",
    )


def precheck(source: SourceFile) -> list[Diagnostic]:
    """Refuse inputs the parser should not attempt: huge or deeply nested files."""
    start = source.span(0, 0)
    if len(source.text) > MAX_BYTES:
        return [
            error(
                codes.FILE_TOO_LARGE,
                f"the file has {len(source.text):,} characters; the limit is {MAX_BYTES:,}",
                start,
                "split the scheme into files and import the shared parts",
            )
        ]
    deepest, where = deepest_in_text(code_only(source.text), declaration_start())
    if deepest > MAX_NESTING:
        return [
            error(
                codes.NESTING_TOO_DEEP,
                f"brackets, blocks and 'if' expressions are nested {deepest:,} deep; "
                f"the limit is {MAX_NESTING}",
                source.span(where, where + 1),
                "name intermediate results with 'rule'",
            )
        ]
    return []


def code_only(text: str) -> str:
    """The text with strings and comments replaced by spaces (same length)."""
    return re.sub(r'"([^"\\\n]|\\.)*"|#[^\n]*', lambda m: " " * len(m.group()), text)


def _blank_declaration(text: str, offset: int) -> str:
    """Replace the declaration around `offset` by spaces, keeping newlines.

    Returns the text unchanged when the damage reaches a scheme header: recovering there
    would only produce noise.
    """
    starts = [m.start() for m in declaration_start().finditer(text)]
    begin = max((s for s in starts if s <= offset), default=0)
    line_start = text.rfind("\n", 0, offset) + 1
    if text[line_start:offset].strip() == "":
        begin = max(begin, line_start)
    ends = [s for s in starts if s > offset] + [
        m.start() for m in _CLOSING.finditer(text) if m.start() > offset
    ]
    end = min(ends, default=len(text))
    if end <= begin or re.match(r"\s*(scheme|catalogue)\b", text[begin:end]):
        return text
    region = re.sub(r"[^\n]", " ", text[begin:end])
    return text[:begin] + region + text[end:]


# ---- messages ----------------------------------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted string",
    "NUMBER": "a number",
    "INT": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "EQUAL": "'='",
    "COMMA": "','",
    "COLON": "':'",
    "VBAR": "'|'",
    "$END": "the end of the file",
    "COMPARE": "a comparison",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*' or '/'",
    "PER": "'/'",
    "PERCENT": "'%'",
}


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    pattern = next((t.pattern for t in parser().terminals if t.name == name), None)
    if pattern is not None and pattern.type == "str":
        return f"'{pattern.value}'"
    return name.lower()


def _expected(exc: UnexpectedToken | UnexpectedCharacters) -> list[str]:
    names = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or set()
    return sorted({_terminal_word(n) for n in names if not n.startswith("__")})


def _found(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    return f"'{token}'"


def _describe(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    offset = exc.pos_in_stream or 0
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(source, exc, offset)
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        span = source.span(len(source.text), len(source.text))
        return error(
            codes.UNEXPECTED_END,
            "the file ends inside a declaration or block",
            span,
            "close every '{' with '}' and finish the last declaration",
        )
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    span = source.span(offset, offset + len(str(token)))
    expected = _expected(exc)
    label = _match_example(exc)
    if label:
        return error(codes.SYNTAX_ERROR, label[0], span, label[1])
    if token.type == "NAME" and "'rule'" in expected:
        keywords = [w.strip("'") for w in expected if w.startswith("'")]
        hint = (
            _vocabulary_hint(str(token))
            or did_you_mean(str(token), keywords)
            or "declarations start with a keyword such as 'rule', 'param' or 'table'"
        )
        return error(codes.UNKNOWN_KEYWORD, f"'{token}' does not start a declaration", span, hint)
    listed = ", ".join(expected[:8]) + (", …" if len(expected) > 8 else "")
    return error(
        codes.SYNTAX_ERROR,
        f"unexpected {_found(token)}; expected {listed}",
        span,
        _hint_for(token, expected),
    )


def _vocabulary_hint(word: str) -> str | None:
    """`shortfall = …`: vocabulary values other than cap, target, … are defined with `rule`."""
    if word not in MEANINGS or word in DEFINABLE:
        return None
    if word in RUNTIME_INPUTS:
        return f"'{word}' is computed by the runtime from the data; a scheme cannot define it"
    bare = ", ".join(DEFINABLE[:-1]) + f" and {DEFINABLE[-1]}"
    return f"write 'rule {word} = …': only {bare} are defined without 'rule'"


def _bad_character(source: SourceFile, exc: UnexpectedCharacters, offset: int) -> Diagnostic:
    char = source.text[offset] if offset < len(source.text) else ""
    span = source.span(offset, offset + 1)
    if char == '"':
        return error(
            codes.UNTERMINATED_STRING,
            "this string is not closed on its line",
            span,
            "add the closing '\"' (strings cannot span lines)",
        )
    shown = repr(char) if not char.isprintable() else f"'{char}'"
    hint = (
        "numbers are written without thousands separators (1500, or 1_500)"
        if char == ","
        else "remove it, or put it in a string or a # comment"
    )
    return error(codes.UNEXPECTED_CHARACTER, f"unexpected character {shown}", span, hint)


def _hint_for(token: Token, expected: list[str]) -> str | None:
    if str(token) == "-" and "'..'" in expected:
        return "write a period range with '..', e.g. FY2010 .. FY2014"
    if "'='" in expected:
        return "a definition needs '=' between the name and its value"
    if "'}'" in expected:
        return "a '}' may be missing before this point"
    return None


# Mistakes worded from examples (Lark's match_examples): label → (message, hint).
_EXAMPLES: dict[tuple[str, str], list[str]] = {
    ("a rule needs '=' after its name", "write: rule NAME = EXPRESSION"): [
        "scheme s { rule x floor(1) }",
        "scheme s { rule x 5 }",
    ],
    (
        "'covered' needs 'when' before its condition",
        "write: covered when energy_use >= 1500 kL_oe/yr",
    ): ["scheme s { covered x > 1 }"],
    ("a period range is written with '..'", "write: period first = FY2010 .. FY2014"): [
        "scheme s { period p = FY2010 - FY2014 }",
        "scheme s { period p = FY2010 to FY2014 }",
        "scheme s { period p = 2010 - 2014 }",
    ],
    ("a table row starts and ends with '|'", "write rows as | office | 8 % | 17 % |"): [
        "scheme s { table t by c { office 8 % } }",
        "scheme s { table t by c { | office 8 % } }",
    ],
    ("a percentage or unit cannot stand alone", "put the number before it: 8 %"): [
        "scheme s { param p = % }"
    ],
    ("numbers are written without thousands separators", "write 1500 or 1_500"): [
        "scheme s { param p = 1,500 }",
        "scheme s { rule p = 1,500 tCO2e }",
        "scheme s { param p = 1,500 kL_oe/yr }",
    ],
}


@cache
def _example_signatures() -> dict[tuple[frozenset[str], str | None], tuple[str, str]]:
    """(acceptable terminals, offending token type) of each example mistake → its wording.

    Like Lark's match_examples, but independent of how deep in the file the mistake is.
    """
    signatures: dict[tuple[frozenset[str], str | None], tuple[str, str]] = {}
    for label, examples in _EXAMPLES.items():
        for example in examples:
            try:
                parser().parse(example)
            except UnexpectedToken as exc:
                accepts = frozenset(exc.accepts or exc.expected)
                signatures.setdefault((accepts, exc.token.type), label)
                signatures.setdefault((accepts, None), label)
    return signatures


def _match_example(exc: UnexpectedToken) -> tuple[str, str] | None:
    accepts = frozenset(exc.accepts or exc.expected)
    table = _example_signatures()
    return table.get((accepts, exc.token.type)) or table.get((accepts, None))
