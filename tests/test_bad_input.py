"""Bad input never raises: malformed, truncated, binary, huge or deeply nested schemes give
diagnostics and exit 1 (the messages here are the ones docs/diagnostics.md shows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from etsl.compiler.driver import compile_paths, compile_text
from etsl.compiler.fmt import format_source
from etsl.compiler.source import SourceFile
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.golden import REPO

TOKYO = (REPO / "tests" / "cases" / "language" / "ok" / "tokyo_like.scheme").read_text()


def _codes(path: Path) -> list[str]:
    return [d.code for d in compile_paths([path]).diagnostics]


def test_missing_file(tmp_path: Path) -> None:
    result = compile_paths([tmp_path / "missing.scheme"])
    assert [d.code for d in result.diagnostics] == ["file-not-found"]
    assert result.diagnostics[0].message.endswith("missing.scheme' does not exist")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "picture.scheme"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = compile_paths([path])
    assert [d.code for d in result.diagnostics] == ["file-unreadable"]
    assert result.diagnostics[0].message == "the file is not UTF-8 text (byte 0)"


def test_nul_bytes_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "nul.scheme"
    path.write_bytes(b"scheme s {\x00}")
    assert _codes(path) == ["file-unreadable"]


def test_five_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.scheme"
    path.write_text("#" + "x" * 4_999_999)
    result = compile_paths([path])
    assert [d.code for d in result.diagnostics] == ["file-too-large"]
    assert result.diagnostics[0].message == (
        "the file has 5,000,000 characters; the limit is 2,000,000")


def test_ten_thousand_nested_parentheses() -> None:
    text = "scheme s { rule x = " + "(" * 10_000 + "1" + ")" * 10_000 + " }"
    result = compile_text(text)
    assert [d.code for d in result.diagnostics] == ["nesting-too-deep"]


def test_very_long_flat_expression() -> None:
    text = "scheme s { participant p { emissions: tCO2e }\n cap = " + \
        " + ".join(["1 tCO2e"] * 20_000) + " }"
    result = compile_text(text)
    assert result.ok or {d.code for d in result.diagnostics} == {"nesting-too-deep"}


def test_truncated_files_never_raise() -> None:
    for cut in range(0, len(TOKYO), 29):
        compile_text(TOKYO[:cut])
        format_source(SourceFile.of("x.scheme", TOKYO[:cut]))


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.scheme"
    path.write_bytes("\ufeffscheme s { kind cap_and_trade }".encode())
    assert compile_paths([path]).ok


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    compile_text(text)
    format_source(SourceFile.of("x.scheme", text))


@given(st.integers(min_value=0, max_value=len(TOKYO) - 1), st.text(min_size=1, max_size=8))
def test_mutated_scheme_never_raises(position: int, insert: str) -> None:
    compile_text(TOKYO[:position] + insert + TOKYO[position:])


def test_a_misspelt_value_in_an_example_is_an_unknown_name() -> None:
    """Found by the test above: a misspelt enumeration value in an example's `given`
    reached lowering (KeyError) because example values were not name-checked."""
    text = TOKYO.replace("given category = office", "given category = o0ffice")
    assert text != TOKYO
    (diagnostic,) = compile_text(text).diagnostics
    assert diagnostic.code == "unknown-name"
    assert diagnostic.message == "unknown name 'o0ffice'"
    assert diagnostic.hint == "did you mean 'office'?"


def test_cli_exit_code_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.scheme"
    path.write_bytes(b"scheme s { rule x = ((( }\xff")
    run = subprocess.run([sys.executable, "-m", "etsl", "check", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert "[file-unreadable]" in run.stdout
