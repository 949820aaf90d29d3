"""The Spark engine, run for real on a local Spark session (pyspark from the `spark` extra,
Java 17+): every bundled scheme's examples, the Tokyo sample and a generated differential
sample must give exactly the reference engine's values, and `etsl sql --dialect spark`
must be the query that does so. One session serves the whole module (starting one takes
most of the module's time)."""

from __future__ import annotations

import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.columnar import spark
from etsl.runtime.columnar.sql.compile import (
    compile_query,
    table_layout,
    unsupported_constructs,
)
from etsl.runtime.columnar.sql.types import SPARK
from etsl.runtime.data.load import load_dataset
from etsl.runtime.examples import examples_dataset
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.results.model import Results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli
from tests import test_columnar_exact as exact
from tests.test_columnar_differential import assert_same_rows, bundled, datasets, schemes

ROOT = Path(__file__).resolve().parent.parent
TOKYO = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
TOKYO_DATA = ROOT / "examples" / "tokyo_facilities.csv"
COMPARED: Counter[str] = Counter()


@pytest.fixture(scope="module")
def session() -> Any:
    """One local Spark session for the module (stopped at the end)."""
    os.environ.setdefault(
        "PYSPARK_SUBMIT_ARGS", "--master local[1] --driver-memory 1g pyspark-shell"
    )
    from pyspark.sql import SparkSession

    active = (
        SparkSession.builder.config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    active.sparkContext.setLogLevel("ERROR")
    yield spark.session()
    active.stop()


def on_spark(compiled: CompiledScheme, dataset: Dataset) -> tuple[Results, Results]:
    actual, reason = spark.run_with_reason(compiled, dataset)
    assert reason is None, reason
    assert actual.engine == "spark"
    return actual, reference_run(compiled, dataset)


@pytest.mark.parametrize("compiled", bundled(), ids=lambda c: c.name)
def test_bundled_examples_on_spark(session: Any, compiled: CompiledScheme) -> None:
    dataset = examples_dataset(compiled)
    assert dataset.records
    unsupported = unsupported_constructs(compiled.program) is not None
    if compiled.program.borrows or compiled.program.reads_system or unsupported:
        # what one query cannot express (borrowing, …) is the reference engine's, with a
        # notice; so are system values read without the system level's (no system data here)
        results, reason = spark.run_with_reason(compiled, dataset)
        assert reason is not None and reason.notice, reason
        assert_same_rows(results, reference_run(compiled, dataset))
        return
    actual, expected = on_spark(compiled, dataset)
    assert_same_rows(actual, expected)
    COMPARED["examples"] += len(actual.rows)


def test_tokyo_sample_on_spark_is_the_reference_file(session: Any, tmp_path: Path) -> None:
    compiled = compile_paths([TOKYO]).schemes["tokyo_cat"]
    dataset, problems = load_dataset(TOKYO_DATA, compiled)
    assert dataset is not None and not problems
    actual, expected = on_spark(compiled, dataset)
    assert len(actual.rows) == 300
    assert_same_rows(actual, expected)
    actual.write(tmp_path / "spark.csv")
    expected.write(tmp_path / "reference.csv")
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "reference.csv").read_bytes()


def test_etsl_run_engine_spark(session: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    ours, theirs = tmp_path / "spark.csv", tmp_path / "reference.csv"
    args = ["run", str(TOKYO), "--participants", str(TOKYO_DATA), "-o"]
    first = runner.invoke(cli, [*args, str(ours), "--engine", "spark"])
    second = runner.invoke(cli, [*args, str(theirs), "--engine", "reference"])
    assert first.exit_code == second.exit_code == 0, first.stderr
    assert "using the reference engine" not in first.stderr
    assert ours.read_bytes() == theirs.read_bytes()


def test_etsl_sql_for_spark_on_a_fixed_decimal_table(session: Any, tmp_path: Path) -> None:
    """What `etsl sql --dialect spark --decimal 18,4` prints, on a table of DECIMAL(18, 4)
    columns with the held.* columns the file lacks added as NULL (the query needs every
    one): wide static types, both division paths' bounds, no DIV anywhere."""
    compiled = compile_paths([TOKYO]).schemes["tokyo_cat"]
    program = compiled.program
    query = compile_query(compiled, table_layout(program, "participants", (18, 4), None), SPARK)
    assert not isinstance(query, Exception)
    text = query.sql("spark")
    assert " DIV " not in text and "E-" not in text
    raw = session.read.option("header", True).option("inferSchema", False).csv(str(TOKYO_DATA))
    present = set(raw.columns)
    columns = [f"`{n}`" for n in program.inputs if n in present] + ["id", "period"]
    columns += [
        f"CAST(`held.{u}` AS DECIMAL(18, 4)) AS `held.{u}`"
        if f"held.{u}" in present
        else f"CAST(NULL AS DECIMAL(18, 4)) AS `held.{u}`"
        for u in program.units
    ]
    raw.createOrReplaceTempView("raw")
    session.sql(f"CREATE OR REPLACE TEMP VIEW participants AS SELECT {', '.join(columns)} FROM raw")
    rows = {r["$participant"]: r.asDict() for r in session.sql(text).collect()}
    dataset, _ = load_dataset(TOKYO_DATA, compiled)
    assert dataset is not None
    differences = []
    for result in reference_run(compiled, dataset).rows:
        row = rows[result.participant]
        assert not row["$failed"]
        for name, value in result.values.items():
            if row[name] != value:
                differences.append((result.participant, name, value, row[name]))
        for unit, value in result.eligible.items():
            if row[f"eligible.{unit}"] != value:
                differences.append((result.participant, f"eligible.{unit}", value, row[unit]))
    assert differences == []
    COMPARED["tokyo rows (etsl sql)"] += len(rows)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(text=schemes(), dataset=datasets())
def test_generated_schemes_agree_on_spark(session: Any, text: str, dataset: Dataset) -> None:
    compiled = compile_text(text, "<generated>").schemes["generated"]
    actual, reason = spark.run_with_reason(compiled, dataset)
    assert reason is None or "query failed" not in reason.reason, reason
    assert_same_rows(actual, reference_run(compiled, dataset))


OVERFLOW = """
scheme big "Overflow" {
  period p = 2020 .. 2020
  participant p { emissions: tCO2e  factor: number }
  cap = emissions * factor * factor * factor
}
"""


def test_a_value_beyond_decimal_38_falls_back_with_a_notice(session: Any) -> None:
    compiled = compile_text(OVERFLOW).schemes["big"]
    big = Decimal("123456789012")
    record = Record("P", "p", {"emissions": big, "factor": big}, 2, "<test>")
    results, reason = spark.run_with_reason(compiled, Dataset((record,), ()))
    assert reason is not None and reason.text().startswith("spark engine: ")
    assert "does not fit DECIMAL(38)" in reason.text()
    assert results.engine == "reference"
    assert results.rows[0].values == reference_run(compiled, Dataset((record,), ())).rows[0].values


def test_missing_pyspark_or_java_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "pyspark" else real(n, *a)
    )
    with pytest.raises(spark.SparkUnavailable, match=r"needs pyspark: pip install 'etsl\[spark\]'"):
        spark.check_available()
    monkeypatch.setattr(importlib.util, "find_spec", real)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(spark.SparkUnavailable, match="needs Java 17 or later"):
        spark.check_available()
    result = CliRunner().invoke(
        cli, ["run", str(TOKYO), "--participants", str(TOKYO_DATA), "--engine", "spark"]
    )
    assert result.exit_code == 2
    assert "needs Java 17 or later" in result.stderr


def _arithmetic_on_spark(pairs: list[tuple[Decimal, Decimal]]) -> None:
    """Every value of tests/test_columnar_exact.py's scheme, computed on Spark."""
    records = tuple(Record(f"p{i}", None, {"a": a, "b": b}) for i, (a, b) in enumerate(pairs))
    results, reason = spark.run_with_reason(exact.COMPILED, Dataset(records))
    assert reason is None and results.engine == "spark", reason
    for row, (a, b) in zip(results.rows, pairs, strict=True):
        for name, value in exact.expected(a, b).items():
            assert row.values[name] == value, f"{name}({a}, {b}) = {row.values[name]}"
    COMPARED["arithmetic rows"] += len(pairs)


def test_quotient_ties_and_traps_on_spark(session: Any) -> None:
    """Half-even ties at the 19th place (both signs), small and huge divisors, the float
    traps and the rounding cases of tests/test_columnar_exact.py (one query each: rows of
    one query share column types, and a product of a 12-digit, 18-place value by a 20-digit
    one would not fit DECIMAL(38) on any engine)."""
    ties = [(Decimal(2 * q + 1), Decimal(2) * 10**18) for q in (0, 1, 2, 7, 10**6)]
    ties += [(-a, b) for a, b in ties] + [(a, -b) for a, b in ties[:3]]
    small = [
        (Decimal(a) / 10, Decimal(b))
        for a in (-7, 1, 5, 10**9 + 1, 123456789)
        for b in (3, 7, -9, 11, 2**19, 999983)
    ]
    traps = [
        (Decimal(430) * 5, Decimal("0.94")),
        (Decimal("0.1"), Decimal("0.3")),
        (Decimal("1234.5"), Decimal("-0.07")),
        (Decimal(1), Decimal(2**19)),
    ]
    rounding = [
        (Decimal(a), Decimal(b))
        for a in ("-7.5", "10", "-2.5", "0.000000000000000001", "999999999999")
        for b in ("3", "-3", "0.7", "2", "4")
    ]
    for pairs in (ties, small, traps, rounding):
        _arithmetic_on_spark(pairs)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(exact.numbers, exact.numbers), min_size=1, max_size=30))
def test_random_arithmetic_on_spark(session: Any, pairs: list[tuple[Decimal, Decimal]]) -> None:
    _arithmetic_on_spark([(a, b) for a, b in pairs if b != 0] or [(Decimal(1), Decimal(3))])


DIVISION = compile_text(
    'scheme division "Division" {\n  participant p { a: number  b: number }\n'
    "  rule quotient = a / b\n}\n"
).schemes["division"]
places_18 = st.builds(
    lambda digits, negative: Decimal(digits).scaleb(-18) * (-1 if negative else 1),
    st.integers(1, 10**19),
    st.booleans(),
)


def _quotients_on_spark(pairs: list[tuple[Decimal, Decimal]]) -> None:
    records = tuple(Record(f"p{i}", None, {"a": a, "b": b}) for i, (a, b) in enumerate(pairs))
    results, reason = spark.run_with_reason(DIVISION, Dataset(records))
    assert reason is None and results.engine == "spark", reason
    for row, (a, b) in zip(results.rows, pairs, strict=True):
        assert row.values["quotient"] == exact.arith.divide(a, b), (a, b)
    COMPARED["quotient rows"] += len(pairs)


def test_quotients_of_many_places_on_spark(session: Any) -> None:
    """Operands whose places leave Spark's DECIMAL division too few digits: the DOUBLE
    estimate refined by exact remainders, with ties at the 19th place on purpose."""
    ties = [
        (Decimal(2 * k + 1).scaleb(-36), Decimal("0.000000000000000002"))
        for k in (0, 1, 2, 7, 10**6)
    ]
    ties += [(-a, b) for a, b in ties] + [(a, -b) for a, b in ties[:3]]
    _quotients_on_spark(ties)
    _quotients_on_spark(
        [
            (Decimal("1.123456789012345678"), Decimal("0.333333333333333333")),
            (Decimal("-9.999999999999999999"), Decimal("0.000000000000000007")),
            (Decimal("0.000000000000000001"), Decimal("3.000000000000000001")),
        ]
    )


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(places_18, places_18), min_size=1, max_size=30))
def test_random_quotients_of_many_places_on_spark(
    session: Any, pairs: list[tuple[Decimal, Decimal]]
) -> None:
    _quotients_on_spark(pairs)


def test_a_fine_within_a_range_on_spark(session: Any) -> None:
    """`fine from A up to B`: Spark computes the lower bound the reference engine does."""
    compiled = compile_paths([ROOT / "tests" / "cases" / "language" / "ok" / "ranged_fine.scheme"])
    scheme = compiled.schemes["ranged_fine"]
    actual, expected = on_spark(scheme, examples_dataset(scheme))
    assert_same_rows(actual, expected)
    assert [r.minimum("fine") for r in actual.rows] == [Decimal("5601000"), Decimal(0)]
