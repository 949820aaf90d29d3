"""Golden SQL for the exact-division and rounding rewrites, one fixture file per verified
dialect (sqlglot's tests/fixtures/optimizer habit): tests/fixtures/sql/exact.DIALECT.sql.

Each fixture is two lines after a header: the ETSL expression of `rule x`, then the SQL of
every column computed for it (`name = SQL; …`). The header names the inputs' DECIMAL types
(`# a DECIMAL(12, 1), b DECIMAL(5, 0)`) and, after `--`, what the case is about.
`pytest tests/test_sql_fixtures.py --update-golden` rewrites the files from the compiler
(review the diff: every changed line is a changed rewrite). The values these rewrites
compute are checked on the real engines by tests/test_columnar_exact.py (DuckDB) and
tests/test_spark.py (Spark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_text
from etsl.runtime.columnar.sql.compile import ColumnarQuery, compile_query
from etsl.runtime.columnar.sql.types import DUCKDB, SPARK, Flavour, InputColumn, Kind, Layout, Num

from tests.golden import REPO, check_golden

FIXTURES = REPO / "tests" / "fixtures" / "sql"
FLAVOURS: dict[str, Flavour] = {"duckdb": DUCKDB, "spark": SPARK}
HEADER = re.compile(r"^# (?P<inputs>.*?)(?:\s+--\s+(?P<about>.*))?$")
INPUT = re.compile(r"(\w+) DECIMAL\((\d+), (\d+)\)")


@dataclass(frozen=True)
class Fixture:
    header: str
    expression: str
    expected: str

    def inputs(self) -> dict[str, Num]:
        match = HEADER.match(self.header)
        assert match, self.header
        return {n: Num(int(w) - int(p), int(p)) for n, w, p in INPUT.findall(match["inputs"])}


def read_fixtures(path: Path) -> list[Fixture]:
    """Fixtures are separated by blank lines: a `#` header, the expression, the SQL."""
    fixtures = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        header, expression, *expected = block.strip().splitlines()
        fixtures.append(Fixture(header, expression, "\n".join(expected)))
    return fixtures


def compiled_sql(fixture: Fixture, dialect: str) -> str:
    """The SQL of every column computed for `rule x = EXPRESSION`, one line."""
    inputs = fixture.inputs()
    declared = "  ".join(f"{name}: number" for name in inputs)
    text = (f'scheme fixture "Fixture" {{\n  participant p {{ {declared}  emissions: tCO2e }}\n'
            f"  rule x = {fixture.expression}\n}}\n")
    compilation = compile_text(text, "<fixture>")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    columns = {n: InputColumn(n, Kind.NUM, num, False)
               for n, num in {**inputs, "emissions": Num(10, 0)}.items()}
    layout = Layout("participants", "id", None, "p", columns)
    query = compile_query(compilation.schemes["fixture"], layout, FLAVOURS[dialect])
    assert isinstance(query, ColumnarQuery), query
    stages = []
    for name, node in query.stages:
        if name == "x" or name.startswith("$"):
            stages.append(f"{name} = {node.sql(dialect)}")
        if name == "x":
            break
    return "; ".join(stages)


@pytest.mark.parametrize("dialect", sorted(FLAVOURS))
def test_exact_rewrites_match_the_golden_sql(dialect: str, update_golden: bool) -> None:
    path = FIXTURES / f"exact.{dialect}.sql"
    fixtures = read_fixtures(path)
    assert len(fixtures) >= 10
    text = "\n\n".join(
        f"{f.header}\n{f.expression}\n{compiled_sql(f, dialect)}" for f in fixtures
    )
    check_golden(path, text + "\n", update_golden)
