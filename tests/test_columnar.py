"""The columnar engine through `etsl run` (its default engine) and the engine registry.

Every test compares with the reference engine: the results files must be identical, and
so must error reports; where the columnar engine cannot run, it says so in one line and the
reference engine's results come out.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.data.load import load_dataset
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.run import engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TOKYO = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
BENCH = ROOT / "bench" / "tokyo_bench.scheme"
HEADER = ("id,category,energy_use,base_emissions,emissions,years_elapsed,cumulative_reduction,"
          "held.outside_tokyo,held_excess_reduction,period")
ROWS = (
    "F1,office,2000,10000,47000,0,0,,,first",
    "F2,factory,1600,3450,16000,0,0,,,first",
    '"F,3",office,5000,15000.5,72500,0,0,2500,300,first',
    "F4,office,7000,20000,90000,0,0,6000,,second",
    "F5, factory ,3500,8000,30900,0,0,,,third",
    "F6,office,1400,2500,13000,1,0,,,first",
    "F7,factory,2100,430,2021,0,0,0.3,0.05,second",
)


def write(path: Path, rows: tuple[str, ...] = ROWS, header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def etsl(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def both_engines(scheme: Path, data: Path, tmp_path: Path, suffix: str = ".csv",
                 *extra: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    ours, theirs = tmp_path / f"columnar{suffix}", tmp_path / f"reference{suffix}"
    first = etsl("run", str(scheme), "--participants", str(data), "-o", str(ours), *extra)
    second = etsl("run", str(scheme), "--participants", str(data), "-o", str(theirs),
                  "--engine", "reference", *extra)
    return first, second


def test_run_defaults_to_columnar_and_matches_the_reference(tmp_path: Path) -> None:
    data = write(tmp_path / "facilities.csv")
    (code, out, err), (code2, _, _) = both_engines(TOKYO, data, tmp_path)
    assert code == code2 == 0, err
    assert "columnar engine" in out and "using the reference engine" not in err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


def test_summary_printed_by_run_matches(tmp_path: Path) -> None:
    data = write(tmp_path / "facilities.csv")
    _, ours, _ = etsl("run", str(TOKYO), "--participants", str(data))
    _, theirs, _ = etsl("run", str(TOKYO), "--participants", str(data), "--engine", "reference")
    assert "columnar engine" in ours
    assert ours.replace("columnar engine", "reference engine").split() == theirs.split()


def test_parquet_and_json_outputs_match(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    data = write(tmp_path / "facilities.csv")
    both_engines(TOKYO, data, tmp_path, ".parquet")
    ours, theirs = (pq.read_table(tmp_path / f"{n}.parquet").to_pylist()
                    for n in ("columnar", "reference"))
    assert ours == theirs
    both_engines(TOKYO, data, tmp_path, ".json")
    documents = [json.loads((tmp_path / f"{n}.json").read_text()) for n in ("columnar",
                                                                            "reference")]
    assert {**documents[0], "engine": "-"} == {**documents[1], "engine": "-"}


def test_parquet_input(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = HEADER.split(",")
    cells = [r.replace('"F,3"', "F3").split(",") for r in ROWS]
    columns = {n: [c[i] or None for c in cells] for i, n in enumerate(names)}
    pq.write_table(pa.table(columns), tmp_path / "facilities.parquet")
    (code, _, err), _ = both_engines(TOKYO, tmp_path / "facilities.parquet", tmp_path)
    assert code == 0 and "using the reference engine" not in err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


def test_row_errors_are_reported_like_the_reference(tmp_path: Path) -> None:
    scheme = tmp_path / "ratio.scheme"
    scheme.write_text('scheme ratio "Ratio" {\n  participant p { emissions: tCO2e  b: number }\n'
                      "  cap = emissions / b\n}\n")
    data = write(tmp_path / "data.csv", ("p1,10,4", "p2,10,0", "p3,1,3"), "id,emissions,b")
    (code, _, err), (code2, _, err2) = both_engines(scheme, data, tmp_path)
    assert code == code2 == 1
    assert err == err2 and "division by zero" in err
    assert not (tmp_path / "columnar.csv").exists()
    (code, _, err), (code2, _, _) = both_engines(scheme, data, tmp_path, ".csv",
                                                 "--allow-errors")
    assert code == code2 == 0
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


def test_data_problems_are_reported_by_the_reference_reader(tmp_path: Path) -> None:
    data = write(tmp_path / "bad.csv", ROWS[:1] + ("F9,office,2000,1e,47000,0,0,,,first",))
    (code, _, err), (code2, _, err2) = both_engines(TOKYO, data, tmp_path)
    assert code == code2 == 1 and err == err2 and "not a number" in err


def test_whitespace_and_quotes_are_read_like_the_reference(tmp_path: Path) -> None:
    rows = ('"  F1 ",office,2000,10000,47000,0,0,,,first', 'F"2,factory,1600,3450,16000,0,0,,,first',
            "F3,office,\t2000,10000,47000,0,0,,,first")
    data = write(tmp_path / "odd.csv", rows)
    (code, _, err), (code2, _, err2) = both_engines(TOKYO, data, tmp_path)
    assert (code, err.replace("columnar.csv", "reference.csv")) == (code2, err2)
    if code == 0:
        assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


@pytest.mark.parametrize(("text", "reason"), [
    ("  borrowing next_period\n", "borrowing between periods"),
])
def test_unsupported_schemes_fall_back_with_a_notice(tmp_path: Path, text: str,
                                                     reason: str) -> None:
    scheme = tmp_path / "variant.scheme"
    source = TOKYO.read_text().replace("  borrowing none cite iepd_tokyo\n", text)
    scheme.write_text(source.replace(' cite iepd_tokyo\n  borrowing', '\n  borrowing'))
    data = write(tmp_path / "facilities.csv")
    (code, _, err), (code2, _, _) = both_engines(scheme, data, tmp_path)
    assert code == code2 == 0
    assert f"columnar engine: {reason}; using the reference engine" in err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


def test_chains_with_filters_on_carried_lots_fall_back(tmp_path: Path) -> None:
    # several periods of a participant are evaluated step by step (tests/test_columnar_chains.py)
    # unless a surrender filter may read the vintage of a lot carried over, as Tokyo's may
    data = write(tmp_path / "chain.csv", ROWS[:1] + ("F1,office,2000,10000,90000,0,0,,,second",))
    (code, _, err), _ = both_engines(TOKYO, data, tmp_path)
    assert code == 0 and "surrender filters on credit lots carried between periods" in err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


def test_holdings_tables_fall_back(tmp_path: Path) -> None:
    data = write(tmp_path / "facilities.csv")
    holdings = tmp_path / "holdings.csv"
    holdings.write_text("participant,unit,quantity\nF1,outside_tokyo,100\n")
    (code, _, err), _ = both_engines(TOKYO, data, tmp_path, ".csv", "--holdings",
                                     str(holdings))
    assert code == 0 and "holdings tables are read by the reference engine" in err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()


def test_registered_engine_runs_datasets(tmp_path: Path) -> None:
    compiled = compile_paths([TOKYO]).schemes["tokyo_cat"]
    dataset, _ = load_dataset(write(tmp_path / "facilities.csv"), compiled)
    assert dataset is not None
    results = engine("columnar")(compiled, dataset, None)
    assert results.engine == "columnar"
    assert results.summary() == reference_run(compiled, dataset).summary()
    assert results.row("F1").value("cap") == Decimal(46000)


def test_query_shapes_give_the_same_file(tmp_path: Path) -> None:
    from etsl.runtime.columnar.sql.compile import Shape

    compiled = compile_paths([TOKYO]).schemes["tokyo_cat"]
    data = write(tmp_path / "facilities.csv")
    for shape in Shape:
        results = columnar.run_file(compiled, columnar.DataFiles(data), shape)
        assert not isinstance(results, columnar.Fallback)
        results.write(tmp_path / f"{shape.value}.csv")
    assert (tmp_path / "cte.csv").read_text() == (tmp_path / "nested.csv").read_text()


# ---- generated data through files: bytes must match ------------------------------------------


def _number(draw: st.DrawFn, big: bool = False) -> str:
    traps = ("0", "430", "3450", "1000.0", "0.94", "16214.9", "999999999.99", "7.25", "1500",
             "1499.999") + (("1234567890123.5",) if big else ())
    return draw(st.one_of(
        st.sampled_from(traps),
        st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False,
                    allow_infinity=False).map(lambda d: f"{d:f}")))


@st.composite
def facility_files(draw: st.DrawFn) -> tuple[str, ...]:
    rows = []
    for index in range(draw(st.integers(1, 12))):
        category = draw(st.sampled_from(("office", "factory")))
        period = draw(st.sampled_from(("first", "second", "third")))
        cells = [f"F{index}", category, _number(draw), _number(draw), _number(draw, big=True),
                 draw(st.sampled_from(("0", "1", "2", "5"))), _number(draw),
                 draw(st.sampled_from(("", "0", "250.5", "6000"))),
                 draw(st.sampled_from(("", "300", "1334"))), period]
        rows.append(",".join(cells))
    return tuple(rows)


@settings(suppress_health_check=[HealthCheck.too_slow,
                                 HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=facility_files())
def test_generated_files_give_identical_results(tmp_path: Path, rows: tuple[str, ...]) -> None:
    compiled = compile_paths([TOKYO]).schemes["tokyo_cat"]
    data = write(tmp_path / "generated.csv", rows)
    ours = columnar.run_file(compiled, columnar.DataFiles(data))
    assert not isinstance(ours, columnar.Fallback), ours
    ours.write(tmp_path / "ours.csv")
    dataset, _ = load_dataset(data, compiled)
    assert dataset is not None
    reference_run(compiled, dataset).write(tmp_path / "theirs.csv")
    assert (tmp_path / "ours.csv").read_text() == (tmp_path / "theirs.csv").read_text()


def test_bench_scheme_examples_pass() -> None:
    code, out, _ = etsl("test", str(BENCH))
    assert code == 0, out


# ---- docs/columnar.md: its examples run and show what they write ------------------------------


def doc_blocks(kind: str) -> list[str]:
    text = (ROOT / "docs" / "columnar.md").read_text(encoding="utf-8")
    return [block.split("\n", 1)[1] for block in text.split("```" + kind)[1:]
            for block in [block.split("```")[0]]]


def test_docs_examples_write_what_the_page_shows(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    csv_blocks = doc_blocks("csv")
    (tmp_path / "facilities.csv").write_text(csv_blocks[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    commands = [line[2:] for block in doc_blocks("console") for line in block.splitlines()
                if line.startswith(("$ etsl run", "$ etsl sweep")) and "tokyo_bench" in line]
    assert len(commands) == 2
    for command in commands:
        words = [str(BENCH) if w == "bench/tokyo_bench.scheme" else w
                 for w in shlex.split(command)[1:]]
        code, _, err = etsl(*words)
        assert code == 0, err
    assert (tmp_path / "results.csv").read_text() == csv_blocks[1]
    assert (tmp_path / "sweep.csv").read_text() == csv_blocks[2]
    assert (tmp_path / "sweep.svg").read_text().startswith("<svg")


@pytest.mark.parametrize("period", ["first", "second"])
def test_period_option_selects_rows_like_the_reference(tmp_path: Path, period: str) -> None:
    data = write(tmp_path / "facilities.csv")
    (code, _, _), (code2, _, _) = both_engines(TOKYO, data, tmp_path, ".csv", "--period",
                                               period)
    assert code == code2 == 0
    ours = (tmp_path / "columnar.csv").read_text()
    assert ours == (tmp_path / "reference.csv").read_text()
    import csv

    assert {row["period"] for row in csv.DictReader(ours.splitlines())} == {period}


FRACTIONS = """
scheme fractions "Values below one" {
  period first = FY2010 .. FY2010
  participant p {
    share:     %
    emissions: tCO2
  }
  param offset_share = 3.3 %
  rule offset = offset_share
  rule negative_offset = 0 % - offset_share
  rule lrf = 2.2 % * share
  rule tiny = share * share
  rule negative = 0 % - share
  rule third = share / 3
  rule scaled = offset_share * emissions
  rule scaled_down = emissions * 0.001 * share
  cap = emissions
}
"""


def _fraction(draw: st.DrawFn) -> str:
    places = draw(st.integers(0, 9))
    value = Decimal(draw(st.integers(-(10**places), 10**places))).scaleb(-places)
    return f"{value:f}"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None,
          max_examples=25)
@given(data=st.data())
def test_values_below_one_are_written_as_the_reference_writes_them(
        tmp_path: Path, data: st.DataObject) -> None:
    """`0.033`, `-0.5`, `0`, `0.000000333333333333`: never `.033` (DuckDB prints a
    DECIMAL(s, s) without its leading zero); both engines' files are byte-identical."""
    scheme = tmp_path / "fractions.scheme"
    scheme.write_text(FRACTIONS)
    rows = [f"P{i},{_fraction(data.draw)},{_fraction(data.draw).lstrip('-')}"
            for i in range(data.draw(st.integers(1, 6)))]
    csv = write(tmp_path / "fractions.csv", tuple(rows), "id,share,emissions")
    (code, _, err), (code2, _, err2) = both_engines(scheme, csv, tmp_path)
    assert code == code2 == 0, err + err2
    ours = (tmp_path / "columnar.csv").read_text()
    assert ours == (tmp_path / "reference.csv").read_text()
    assert ",0.033,-0.033," in ours and ",." not in ours and ",-." not in ours


def _long_scheme(terms: int, joiner: str = " + ", term: str = "e") -> str:
    return ('scheme deep "Long expressions" {\n  period p = 2020 .. 2020\n'
            "  participant p { e: tCO2e  emissions: tCO2e }\n"
            f"  rule total = {joiner.join([term] * terms)}\n"
            f"  covered when {' and '.join(['e >= 0 tCO2e'] * terms)}\n}}\n")


@pytest.mark.parametrize("terms", [200, 340])
def test_long_sums_run_columnar_like_the_reference(tmp_path: Path, terms: int) -> None:
    """A sum of hundreds of terms that `check` accepts: no RecursionError in the SQL (deep
    SQL expressions are cut into columns), the same file as the reference engine's."""
    scheme = tmp_path / "deep.scheme"
    scheme.write_text(_long_scheme(terms))
    data = write(tmp_path / "deep.csv", ("A,1.5,2", "B,0,7"), "id,e,emissions")
    (code, _, err), (code2, _, err2) = both_engines(scheme, data, tmp_path)
    assert code == code2 == 0, err + err2
    assert "using the reference engine" not in err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()
    assert f"A,p,true,{int(Decimal('1.5') * terms)}," in (tmp_path / "columnar.csv").read_text()


def test_sql_of_a_thousand_term_sum_is_generated() -> None:
    import sqlglot
    from etsl.compiler.driver import compile_text
    from etsl.runtime.columnar.sql.compile import compile_query, table_layout
    from etsl.runtime.columnar.sql.expressions import MAX_SQL_DEPTH, sql_depth

    compiled = compile_text(_long_scheme(1000)).schemes["deep"]
    query = compile_query(compiled, table_layout(compiled.program, "t", (18, 4), None))
    assert not isinstance(query, Exception), query
    assert max(sql_depth(node) for _, node in query.stages) <= MAX_SQL_DEPTH + 2
    text = query.sql("duckdb")
    assert sqlglot.parse_one(text, read="duckdb") is not None


@pytest.mark.parametrize(
    "period, stored",
    [(None, True), ("first", False)],
    ids=["every-row", "period-filter-gaps"],
)
def test_results_written_unsorted_only_when_stored_in_data_order(
    tmp_path: Path, period: str | None, stored: bool
) -> None:
    """The results file is written without sorting only when RESULTS is stored in data order
    (its `$row` rises with its storage position); a period filter leaves gaps, so the rows are
    sorted. Either way the file is the reference engine's."""
    from etsl.runtime.columnar.results import stored_in_data_order

    data = write(tmp_path / "facilities.csv")
    compiled = compile_paths([TOKYO]).schemes["tokyo_cat"]
    connection = columnar.connect()
    source = columnar.file_source(connection, compiled, data, {}, False, period)
    assert not isinstance(source, columnar.Fallback)
    evaluation = columnar.evaluate(connection, compiled, source, period)
    assert not isinstance(evaluation, columnar.Fallback)
    assert stored_in_data_order(evaluation) is stored
    extra = ("--period", period) if period else ()
    (code, _, err), (code2, _, _) = both_engines(TOKYO, data, tmp_path, ".csv", *extra)
    assert code == code2 == 0, err
    assert (tmp_path / "columnar.csv").read_text() == (tmp_path / "reference.csv").read_text()
