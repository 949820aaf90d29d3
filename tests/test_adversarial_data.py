"""Hostile participant data: CSV dialects, numeric extremes, long cells, nesting.

Each file goes through `etsl run` on both engines: they must give the same exit code, the
same messages (the columnar engine's notices aside) and byte-identical results files, and
never a traceback. The columnar engine reads CSV files with DuckDB, so every dialect the
reference reader (Python's csv) accepts must come out the same.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli

SCHEME = """scheme plain "Plain" {
  period only = 2020 .. 2020
  participant firm {
    category:  {office, factory}
    emissions: tCO2e
    base:      tCO2e/yr
  }
  cap = floor(base * years(period) * 0.94)
}
"""
HEADER = ("id", "category", "emissions", "base")
ROWS = (("F1", "office", "47000", "10000"), ("F2", "factory", "16000.5", "3450"),
        ("F,3", "office", "72500", "15000.25"))


def etsl(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def both(tmp_path: Path, data: Path) -> tuple[tuple[int, str, bytes], tuple[int, str, bytes]]:
    """(exit code, messages, results file) of each engine."""
    scheme = tmp_path / "plain.scheme"
    scheme.write_text(SCHEME)
    outcomes = []
    for engine in ("columnar", "reference"):
        out = tmp_path / f"{engine}.csv"
        out.unlink(missing_ok=True)
        code, err = etsl("run", scheme, "--participants", data, "-o", out, "--engine", engine)
        messages = "\n".join(line for line in err.splitlines()
                             if not line.startswith(("columnar engine:", "wrote ")))
        outcomes.append((code, messages, out.read_bytes() if out.exists() else b""))
    return outcomes[0], outcomes[1]


def assert_engines_agree(tmp_path: Path, data: Path) -> tuple[int, str, bytes]:
    ours, theirs = both(tmp_path, data)
    assert ours == theirs
    assert "Traceback" not in ours[1]
    return ours


def csv_text(rows: tuple[tuple[str, ...], ...] = ROWS, newline: str = "\n",
             delimiter: str = ",", header: tuple[str, ...] = HEADER) -> str:
    def field(cell: str) -> str:
        return f'"{cell}"' if any(c in cell for c in f'{delimiter}"\r\n') else cell

    lines = [delimiter.join(field(c) for c in row) for row in (header, *rows)]
    return newline.join(lines) + newline


# ---- CSV dialects -------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_line_endings_and_delimiters(tmp_path: Path, newline: str, delimiter: str) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(csv_text(newline=newline, delimiter=delimiter).encode())
    code, messages, written = assert_engines_agree(tmp_path, data)
    assert code == 0 and messages == "" and written.count(b"\n") == 4


@st.composite
def dialects(draw: st.DrawFn) -> bytes:
    """A valid table with a random line ending per line, BOM, blank lines and quoting."""
    lines = []
    for row in (HEADER, *ROWS):
        cells = [f'"{c}"' if "," in c or draw(st.booleans()) else c for c in row]
        lines.append(",".join(cells))
        if draw(st.integers(0, 5)) == 0:
            lines.append("")
    endings = [draw(st.sampled_from(["\n", "\r\n", "\r"])) for _ in lines]
    text = "".join(line + ending for line, ending in zip(lines, endings, strict=True))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=dialects())
def test_generated_dialects_give_the_same_file(tmp_path: Path, content: bytes) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(content)
    code, _, written = assert_engines_agree(tmp_path, data)
    assert code == 0 and written


# ---- numeric extremes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "code"), [
    ("9" * 38, None),                                  # 38 digits: within the limit
    ("9" * 20 + "." + "9" * 18, None),                 # 38 digits, 18 places
    ("0." + "0" * 17 + "1", None),                     # 18 places
    ("12.50000000000000000000000", None),              # trailing zeros do not count
    ("1e37", None),
    ("9" * 39, "data-precision"),
    ("1" * 22 + "." + "1" * 19, "data-precision"),     # 41 digits, 19 places
    ("0." + "0" * 18 + "1", "data-precision"),
    ("1e38", "data-precision"),
    ("1e999999999", "data-precision"),                 # decimal.Overflow before
    ("1e-999999999", "data-precision"),
    ("1e99999999999999999999", "data-precision"),      # beyond Decimal's exponents
    ("٤٧٠٠٠", "data-not-a-number"),                     # Arabic-Indic digits
    ("４７０００", "data-not-a-number"),                   # fullwidth digits
    ("4７000", "data-not-a-number"),                     # mixed
    ("1_000", "data-not-a-number"),
    ("inf", "data-not-a-number"),
    ("NaN", "data-blank"),
])
def test_numeric_extremes(tmp_path: Path, cell: str, code: str | None) -> None:
    data = tmp_path / "data.csv"
    data.write_text(csv_text(ROWS[:1] + (("F9", "office", cell, "100"),)), encoding="utf-8")
    exit_code, messages, written = assert_engines_agree(tmp_path, data)
    if code is None:
        assert exit_code == 0 and written
    else:
        assert exit_code == 1 and f"[{code}]" in messages and not written


def test_huge_exponents_through_the_api_are_data_errors() -> None:
    from etsl.compiler.driver import compile_text

    import etsl
    from etsl.api import DataError, Scheme

    scheme = Scheme(compile_text(SCHEME, "plain.scheme").schemes["plain"])
    rows = [{"id": "F1", "category": "office", "emissions": Decimal("1e999999999"),
             "base": 1}]
    with pytest.raises(DataError) as raised:
        scheme.run(rows)
    assert [p.code for p in raised.value.problems] == ["data-precision"]
    assert isinstance(raised.value, etsl.EtslError)


# ---- long cells and nesting ---------------------------------------------------------------------


@pytest.mark.parametrize(("length", "code"), [(131_072, 0), (131_073, 1)])
def test_one_cell_length_limit_for_both_engines(tmp_path: Path, length: int, code: int) -> None:
    data = tmp_path / "data.csv"
    data.write_text(csv_text(ROWS + (("x" * length, "office", "1", "1"),)))
    exit_code, messages, _ = assert_engines_agree(tmp_path, data)
    assert exit_code == code
    if code:
        assert messages.startswith(f"{data}:5:id: 'id' has 131,073 characters; the limit is "
                                   "131,072  [data-cell-too-long]")
        _, explained = etsl("explain", tmp_path / "plain.scheme", "--participants", data,
                            "--id", "F1")
        assert "[data-cell-too-long]" in explained


def test_a_long_cell_in_an_unused_column_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(csv_text(tuple((*r, "x" * 200_000) for r in ROWS), header=(*HEADER, "notes")))
    exit_code, _, written = assert_engines_agree(tmp_path, data)
    assert exit_code == 0 and written


@pytest.mark.parametrize("text", ["[" * 100_000, '{"records": ' + "[" * 100_000,
                                  json.dumps([{"id": "F1", "emissions": [[[1]]]}])])
def test_deeply_nested_json_is_a_data_problem(tmp_path: Path, text: str) -> None:
    data = tmp_path / "data.json"
    data.write_text(text)
    exit_code, messages, written = assert_engines_agree(tmp_path, data)
    assert exit_code == 1 and "[data-malformed]" in messages and not written
