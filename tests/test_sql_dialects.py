"""`etsl sql`: the columnar query in SQL dialects (sqlglot), and that it runs in DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.runtime.columnar.sql.compile import compile_query, table_layout
from etsl.runtime.columnar.sql.types import SPARK, Unsupported

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TOKYO = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
BENCH = ROOT / "bench" / "tokyo_bench.scheme"


def sql(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["sql", *args])
    return result.exit_code, result.stdout, result.stderr


def supported() -> list[CompiledScheme]:
    compilation = compile_paths([ROOT / "schemes", BENCH])
    schemes = [compilation.schemes[n] for n in sorted(compilation.schemes)]
    return [s for s in schemes if not isinstance(
        compile_query(s, table_layout(s.program, "participants", (18, 4), None)), Unsupported)]


@pytest.mark.parametrize("compiled", supported(), ids=lambda c: c.name)
def test_spark_sql_parses_in_sqlglots_spark_dialect(compiled: CompiledScheme) -> None:
    query = compile_query(compiled, table_layout(compiled.program, "participants", (18, 4), None),
                          SPARK)
    assert not isinstance(query, Unsupported)
    text = query.sql("spark")
    parsed = sqlglot.parse_one(text, read="spark")
    assert isinstance(parsed, sqlglot.exp.Select)
    assert parsed.sql("spark") == text  # a stable round trip
    assert "INT128" not in text and "HUGEINT" not in text
    assert " DIV " not in text  # Spark's DECIMAL DIV wraps around beyond 2^63


@pytest.mark.parametrize("dialect", ["spark", "duckdb"])
def test_cli_writes_each_verified_dialect(dialect: str) -> None:
    code, out, err = sql(str(TOKYO), "--dialect", dialect, "--compact")
    assert code == 0 and err == "", err
    parsed = sqlglot.parse_one(out.strip().rstrip(";"), read=dialect)
    assert (parsed.find(sqlglot.exp.With) is not None) == (dialect == "duckdb")


@pytest.mark.parametrize("dialect", ["databricks", "postgres", "bigquery", "trino"])
def test_unverified_dialects_are_refused_unless_forced(dialect: str) -> None:
    code, out, err = sql(str(TOKYO), "--dialect", dialect)
    assert code == 2 and out == ""
    assert f"'{dialect}' is not verified: no test runs its SQL on a real {dialect} database" in err
    assert "verified: duckdb, spark (use --unverified to write it anyway)" in err
    code, out, err = sql(str(TOKYO), "--dialect", dialect, "--unverified", "--compact")
    assert code == 0
    assert f"warning: SQL for {dialect} has not been run on a real {dialect} database" in err
    assert sqlglot.parse_one(out.strip().rstrip(";"), read=dialect).find(sqlglot.exp.With)


def test_spark_sql_says_which_settings_it_needs() -> None:
    code, out, _ = sql(str(TOKYO), "--dialect", "spark")
    assert code == 0
    assert out.startswith("-- Run with: SET spark.sql.ansi.enabled = true;\n")
    assert "spark.sql.decimalOperations.allowPrecisionLoss = false" in out


def test_nested_shape_has_no_with_clause() -> None:
    code, out, _ = sql(str(TOKYO), "--shape", "nested", "--compact")
    assert code == 0
    assert sqlglot.parse_one(out.strip().rstrip(";"), read="duckdb").find(sqlglot.exp.With) \
        is None


def test_duckdb_sql_runs_and_computes_the_examples(tmp_path: Path) -> None:
    code, out, _ = sql(str(BENCH), "--decimal", "12,3", "-o", str(tmp_path / "q.sql"))
    assert code == 0
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE participants AS SELECT * FROM (VALUES "
        "('F1', 'office', 10000, 47000, NULL), ('F2', 'factory', 430, 2021, NULL), "
        "('F3', 'office', 1000, 4800, 300)) AS t(id, category, base_emissions, emissions, "
        '"held.outside_credits")')
    rows = connection.execute((tmp_path / "q.sql").read_text()).fetchall()
    names = [d[0] for d in connection.description]
    by_id = {r[names.index("$participant")]: dict(zip(names, r, strict=True)) for r in rows}
    assert by_id["F1"]["cap"] == 46000 and by_id["F1"]["shortfall"] == 1000
    assert by_id["F2"]["cap"] == 2021
    assert str(by_id["F3"]["shortfall"]) == "66.666666666666666667"
    assert not any(r["$failed"] for r in by_id.values())


def test_unsupported_scheme_is_an_error_not_sql(tmp_path: Path) -> None:
    scheme = tmp_path / "borrow.scheme"
    scheme.write_text(BENCH.read_text().replace(
        "  units {", "  borrowing unlimited\n  units {"))
    code, out, err = sql(str(scheme))
    assert code == 1 and out == ""
    assert "cannot be written as one exact query: unsupported: borrowing 'unlimited'" in err


def test_bad_options_are_usage_errors() -> None:
    assert sql(str(TOKYO), "--decimal", "4,9")[0] == 2
    assert sql(str(TOKYO), "--period", "fifth")[0] == 2
    assert sql(str(TOKYO), "--dialect", "cobol")[0] == 2
