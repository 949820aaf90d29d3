"""CSV injection: no CSV ETSL writes holds a cell a spreadsheet would run, unless asked.

Participant ids come from data and titles from scheme text; both reach results, sweeps
and comparisons. Cells that start with = + - @ tab or CR (and are not numbers) get a
leading apostrophe, identically in both engines' files; --raw-csv writes them unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.spreadsheet import FORMULA_STARTS, PLAIN_NUMBER, csv_line, spreadsheet_safe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "tokyo_bench.scheme"
HOSTILE = ('=HYPERLINK("http://evil.example/","click")', "@SUM(1+1)", "+1+1", "-2+3",
           "\tTAB", "=1|cmd!A0", "-5", "-0.25", "plain", "a#b", "a,b", 'say "x"')


def etsl(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_inert(text: str) -> None:
    for row in cells(text):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(cell), cell


def facilities(tmp_path: Path, ids: tuple[str, ...]) -> Path:
    data = tmp_path / "facilities.csv"
    rows = [[i, "office", "1000", "4800", ""] for i in ids]
    with data.open("w", newline="") as stream:
        csv.writer(stream).writerows([["id", "category", "base_emissions", "emissions",
                                       "outside_credits"], *rows])
    return data


def run_both(tmp_path: Path, data: Path, *extra: str) -> tuple[str, str]:
    texts = []
    for engine in ("columnar", "reference"):
        out = tmp_path / f"{engine}.csv"
        code, err = etsl("run", BENCH, "--participants", data, "-o", out, "--engine", engine,
                         "--map", "outside_credits=held.outside_credits", *extra)
        assert code == 0, err
        texts.append(out.read_text(encoding="utf-8"))
    return texts[0], texts[1]


def test_results_neutralise_formulas_in_both_engines(tmp_path: Path) -> None:
    ours, theirs = run_both(tmp_path, facilities(tmp_path, HOSTILE))
    assert ours == theirs
    assert_inert(ours)
    ids = [row[0] for row in cells(ours)[1:]]
    assert ids == [spreadsheet_safe(i.strip()) for i in HOSTILE]  # the reader strips cells
    assert ids[0] == "'" + HOSTILE[0] and ids[6:8] == ["-5", "-0.25"]


def test_raw_csv_writes_cells_as_they_are(tmp_path: Path) -> None:
    ours, theirs = run_both(tmp_path, facilities(tmp_path, HOSTILE), "--raw-csv")
    assert ours == theirs
    assert [row[0] for row in cells(ours)[1:]] == [i.strip() for i in HOSTILE]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ids=st.lists(st.text(st.sampled_from("=+-@\t\r\n#,\"' xA1.é|"), min_size=1,
                            max_size=8).filter(lambda s: s.strip() == s and s.strip()),
                    min_size=1, max_size=5, unique=True))
def test_generated_ids_give_the_same_inert_file(tmp_path: Path, ids: list[str]) -> None:
    ours, theirs = run_both(tmp_path, facilities(tmp_path, tuple(ids)))
    assert ours == theirs
    assert_inert(ours)


def test_sweep_csv_is_neutralised(tmp_path: Path) -> None:
    data = facilities(tmp_path, HOSTILE[:3])
    out = tmp_path / "sweep.csv"
    code, err = etsl("sweep", BENCH, "--participants", data, "--map",
                     "outside_credits=held.outside_credits", "--vary",
                     "limit[outside_credits]=-0 tCO2,100 tCO2", "-o", out)
    assert code == 0, err
    assert_inert(out.read_text())


def test_comparison_csv_neutralises_scheme_titles(tmp_path: Path) -> None:
    scheme = tmp_path / "evil.scheme"
    scheme.write_text('scheme evil "=HYPERLINK(\\"http://evil.example/\\")" {\n'
                      '  participant p { emissions: tCO2e }\n  cap = emissions\n}\n')
    out = tmp_path / "compare.csv"
    for table in ("full", "basic"):
        code, err = etsl("compare", scheme, BENCH, "-o", out, "--table", table)
        assert code == 0, err
        assert_inert(out.read_text())
    code, _ = etsl("compare", scheme, BENCH, "-o", out, "--table", "basic", "--raw-csv")
    assert code == 0 and '"=HYPERLINK(' in out.read_text()


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "-1"), ("-1e5", "'-1e5"), ("@x", "'@x"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("x=1", "x=1"), ("", ""), ("12", "12"),
])
def test_spreadsheet_safe(cell: str, shown: str) -> None:
    assert spreadsheet_safe(cell) == shown
    assert csv_line([cell, "y"]) == csv_line([shown, "y"], raw=True)


def test_csv_line_quotes_as_duckdb_does() -> None:
    assert csv_line(["\rx", "a#b", 'q"', "a,b", "a\nb", "plain"], raw=True) == (
        '"\rx","a#b","q""","a,b","a\nb",plain\n')
