"""Hostile scheme text: nesting, numeric extremes, long paths, odd line endings.

Every case must end in located diagnostics (or work), quickly, on every command that
reads a scheme; never in a traceback.
"""

from __future__ import annotations

import doctest
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler import display, nesting, spreadsheet
from etsl.compiler.driver import compile_paths, compile_text

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
HEAD = 'scheme s "S" {\n  participant p { emissions: tCO2e  d: number }\n'


def etsl(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def codes_of(text: str) -> list[str]:
    return [d.code for d in compile_text(text, "s.scheme").diagnostics]


def test_doctests_of_the_limits_and_shortened_text() -> None:
    for module in (display, nesting, spreadsheet):
        assert doctest.testmod(module).failed == 0


# ---- nesting ----------------------------------------------------------------------------------


def test_fifty_thousand_nested_ifs_are_refused_before_parsing(tmp_path: Path) -> None:
    depth = 50_000
    expr = "if d > 1 then " * depth + "1" + " else 2" * depth
    path = tmp_path / "deep.scheme"
    path.write_text(HEAD + f"  rule x = {expr}\n  cap = x * emissions\n}}\n")
    started = time.process_time()
    compilation = compile_paths([path])
    assert time.process_time() - started < 3  # 5-7 s of parsing before
    (diagnostic,) = compilation.diagnostics
    assert diagnostic.code == "nesting-too-deep"
    assert (diagnostic.span.line, diagnostic.span.col) == (3, 12 + 14 * 99)  # 1 block + 100 ifs
    assert "nested 50,001 deep; the limit is 100" in diagnostic.message


@pytest.mark.parametrize("shape", ["sum", "division", "if", "brackets"])
def test_the_deepest_accepted_expression_runs_everywhere(tmp_path: Path, shape: str) -> None:
    """Brackets and `if`s at the limit, long chains: both engines agree, explain and docs
    work."""
    expr = {
        "sum": " + ".join(["emissions"] * 100),
        "division": "emissions" + " / d" * 99,
        "if": "if d > 1 then emissions else " * 97 + "emissions",
        "brackets": "(" * 97 + "emissions" + ")" * 97,
    }[shape]
    scheme = tmp_path / "deep.scheme"
    scheme.write_text(HEAD + f"  cap = {expr}\n}}\n")
    data = tmp_path / "data.csv"
    data.write_text("id,emissions,d\np1,5,1.5\np2,7,1\n")
    outputs = []
    for engine in ("columnar", "reference"):
        code, output = etsl("run", scheme, "--participants", data, "-o",
                            tmp_path / f"{engine}.csv", "--engine", engine)
        assert code == 0, output
        outputs.append((tmp_path / f"{engine}.csv").read_bytes())
    assert outputs[0] == outputs[1]
    code, output = etsl("explain", scheme, "--participants", data, "--id", "p1", "--rule", "cap")
    assert code == 0 and "cap = " in output
    code, output = etsl("docs", scheme, "-o", tmp_path / "site")
    assert code == 0, output


def test_nested_blocks_count_towards_the_limit() -> None:
    text = HEAD + "  cap = " + "(" * 99 + "emissions" + ")" * 99 + "\n}\n"
    assert codes_of(text) == []  # 99 brackets inside the scheme's block: 100 deep
    assert codes_of(text.replace("(emissions)", "((emissions))")) == ["nesting-too-deep"]


# ---- numeric extremes in schemes ------------------------------------------------------------


def test_literals_longer_than_38_digits_are_refused() -> None:
    assert codes_of(HEAD + "  cap = emissions * " + "9" * 4400 + "\n}\n") == ["number-too-long"]
    assert codes_of(HEAD + "  cap = emissions * 0." + "1" * 19 + "\n}\n") == ["number-too-long"]
    assert codes_of(HEAD + "  cap = emissions * ٤\n}\n") == ["unexpected-character"]
    assert codes_of(HEAD + "  cap = emissions\n  price floor 5 USD/tCO2e from " + "9" * 5000
                    + "\n}\n") == ["syntax-error"]


def test_documents_show_every_digit_of_the_largest_literal(tmp_path: Path) -> None:
    digits = "12345678901234567890123456789012345678"
    base = tmp_path / "base.scheme"
    base.write_text(HEAD + f"  param big = {digits}\n  cap = emissions * big\n}}\n")
    variant = tmp_path / "variant.scheme"
    variant.write_text(HEAD.replace('"S"', '"V"').replace("scheme s", "scheme v")
                       + "  param big = 1\n  cap = emissions * big\n}\n")
    grouped = "12,345,678,901,234,567,890,123,456,789,012,345,678"
    code, _ = etsl("docs", base, "-o", tmp_path / "site", "--format", "md")
    assert code == 0 and grouped in (tmp_path / "site" / "s.md").read_text()
    code, output = etsl("compare", base, variant)
    assert code == 0, output
    code, output = etsl("diff", base, variant)
    assert code == 0 and grouped in output


# ---- paths the system refuses ---------------------------------------------------------------


def test_an_import_path_longer_than_the_system_allows(tmp_path: Path) -> None:
    scheme = tmp_path / "s.scheme"
    scheme.write_text(f'import "{"a" * 300}.scheme"\n' + HEAD + "  cap = emissions\n}\n")
    code, output = etsl("check", scheme)
    assert code == 1 and "cannot be read: File name too long  [import-not-found]" in output
    code, output = etsl("check", tmp_path / f"{'b' * 300}.scheme")
    assert code == 1 and "[file-not-found]" in output


def test_data_and_output_paths_longer_than_the_system_allows(tmp_path: Path) -> None:
    scheme = tmp_path / "s.scheme"
    scheme.write_text(HEAD + "  cap = emissions\n}\n")
    data = tmp_path / "data.csv"
    data.write_text("id,emissions,d\np1,5,1\n")
    code, output = etsl("run", scheme, "--participants", tmp_path / f"{'c' * 300}.csv")
    assert code == 1 and "[data-file-unreadable]" in output
    code, output = etsl("run", scheme, "--participants", data, "-o", tmp_path / f"{'d' * 300}.csv")
    assert code == 1 and "File name too long" in output and "Traceback" not in output
    code, output = etsl("export", scheme, "-o", tmp_path / f"{'e' * 300}.json")
    assert code == 1 and "File name too long" in output


# ---- formatting ------------------------------------------------------------------------------


def test_fmt_diff_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.scheme"
    text = HEAD + "  cap =   emissions\n}\n"
    path.write_text(text)
    code, output = etsl("fmt", "--diff", path)
    assert code == 0 and "+  cap = emissions" in output
    assert path.read_text() == text


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["CR", "CRLF"])
def test_line_endings_are_read_and_kept(tmp_path: Path, newline: str) -> None:
    lines = ['scheme s "S" {', "  participant p {", "    # the verified emissions",
             "    emissions:   tCO2e", "  }", "  cap =   emissions  # all of them", "}"]
    path = tmp_path / "s.scheme"
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    code, output = etsl("check", path)
    assert code == 0, output
    code, _ = etsl("fmt", path)
    first = path.read_bytes()
    assert first.decode().split(newline)[2:4] == ["    # the verified emissions",
                                                  "    emissions: tCO2e"]
    assert b"\n" not in first.replace(b"\r\n", b"") and first.count(newline.encode()) == 7
    code, output = etsl("fmt", "--check", path)
    assert code == 0 and path.read_bytes() == first, output


def test_brackets_around_a_share_are_kept_by_fmt_and_explain(tmp_path: Path) -> None:
    scheme = tmp_path / "share.scheme"
    scheme.write_text('scheme s "Share" {\n  participant p { emissions: tCO2e  base: tCO2e  '
                      "share: number }\n  cap = (1 - share)  of base\n"
                      "  rule kept = (1 - share) of (base - emissions)\n}\n")
    etsl("fmt", scheme)
    assert "  cap = (1 - share) of base\n" in scheme.read_text()
    data = tmp_path / "data.csv"
    data.write_text("id,emissions,base,share\nP1,500,1000,0.3\n")
    _, output = etsl("explain", scheme, "--participants", data, "--id", "P1")
    assert "cap = (1 − 0.3) of 1,000 t CO2e = 700 t CO2e" in output
    _, output = etsl("explain", scheme, "--participants", data, "--id", "P1", "--rule", "kept")
    assert "kept = (1 − 0.3) of (1,000 t CO2e − 500 t CO2e) = 350 t CO2e" in output


# ---- messages -----------------------------------------------------------------------------------


def test_a_missing_column_names_the_participant_block_that_declares_it(tmp_path: Path) -> None:
    data = tmp_path / "ca.csv"
    data.write_text("id,emissions,annual_emissions,emissions_2026,lowest_reserve_tier_price\n"
                    "E1,100,30000,0,45\n")
    code, output = etsl("run", ROOT / "schemes" / "world" / "california.scheme",
                        "--participants", data, "--period", "cp1")
    assert code == 1
    assert ("'previous_settlement_price' is an input of participant 'market'" in output)


def test_a_sum_of_fifteen_hundred_terms_runs_explains_and_documents(tmp_path: Path) -> None:
    """`check` accepts a sum of 1,500 terms; the reference engine, explain and the documents
    walk formulas recursively and must not end in a RecursionError (before: from ~490 terms)."""
    terms = 1500
    scheme = tmp_path / "deep.scheme"
    scheme.write_text(
        "scheme deep {\n  period p = 2021 .. 2021\n  participant q { emissions: tCO2e  x: tCO2e }\n"
        f"  rule total = {' + '.join(['x'] * terms)}\n"
        "  penalty late when total > 0 tCO2e { publish }\n}\n"
    )
    data = tmp_path / "deep.csv"
    data.write_text("id,period,emissions,x\nA,p,1,2\n")
    out = tmp_path / "out.csv"
    code, output = etsl("run", scheme, "--participants", data, "--engine", "reference", "-o", out)
    assert code == 0, output
    assert f"A,p,true,{2 * terms}," in out.read_text()
    code, output = etsl("explain", scheme, "--participants", data, "--id", "A", "--rule", "total")
    assert code == 0 and f"= {2 * terms:,} t CO2e" in output, output[-300:]
    code, output = etsl("docs", scheme, "-o", tmp_path / "site", "--format", "md")
    assert code == 0 and (tmp_path / "site" / "deep.md").exists(), output[-300:]
