"""Sweeps read the columnar results once, grouped by scenario (runtime/sweep/evaluate.py):
the totals of computed rows and the keys of failed rows, never storing the rows. Checked
against the reference engine run once per scenario on the scheme with that scenario's
values, on rows that fail in some scenarios and on generated grids."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.columnar.sql.compile import compile_query
from etsl.runtime.data.load import load_dataset
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.results.model import RunOptions
from etsl.runtime.sweep import evaluate as sweep
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BENCH = compile_paths([ROOT / "bench" / "tokyo_bench.scheme"]).schemes["tokyo_bench"]

DIVIDING = """
scheme dv "Division in a sweep" {
  period p = 2020 .. 2020
  participant p {
    emissions: tCO2e
    base: tCO2e
  }
  param offset = 1 tCO2e
  cap = emissions / (base - offset) * base
}
"""


def _same_as_reference(outcome: sweep.SweepOutcome, expected: sweep.SweepOutcome) -> None:
    assert outcome.engine == "columnar"
    assert len(outcome.scenarios) == len(expected.scenarios)
    for ours, theirs in zip(outcome.scenarios, expected.scenarios, strict=True):
        assert ours.values == theirs.values
        without_categories = replace(theirs.summary, category_field=None, by_category={})
        assert ours.summary == without_categories, ours.values
    assert sorted(e.render() for e in outcome.errors) == sorted(
        e.render() for e in expected.errors
    )


def _divided(tmp_path: Path, data: str, offsets: str) -> sweep.SweepOutcome:
    """DIVIDING swept over `offsets` on `data`, checked against the reference engine."""
    compiled = compile_text(DIVIDING, "dv.scheme").schemes["dv"]
    path = tmp_path / "dv.csv"
    path.write_text(data)
    grid = sweep.parse_grid(compiled, [f"offset={offsets}"])
    assert isinstance(grid, sweep.Grid)
    outcome = sweep.sweep_file(compiled, grid, path, {}, None)
    assert isinstance(outcome, sweep.SweepOutcome)
    dataset, _ = load_dataset(path, compiled)
    assert dataset is not None
    _same_as_reference(outcome, sweep.reference_sweep(compiled, grid, dataset, None))
    return outcome


def test_rows_that_fail_in_some_scenarios_are_evaluated_by_the_reference(tmp_path: Path) -> None:
    data = "id,emissions,base\nA,10,3\nB,12,2\nC,7,5\nD,1,1\n"
    outcome = _divided(tmp_path, data, "1 tCO2e,2 tCO2e,3 tCO2e,4 tCO2e")
    assert [s.summary.errors for s in outcome.scenarios] == [1, 1, 1, 0]
    assert {e.participant for e in outcome.errors} == {"A", "B", "D"}
    # scenario 1: D fails, A, B and C are computed (10/2×3 + 12/1×2 + 7/4×5)
    assert outcome.scenarios[0].summary.total_cap == Decimal("47.75")


def test_a_scenario_whose_every_row_fails_has_only_the_reference_rows(tmp_path: Path) -> None:
    outcome = _divided(tmp_path, "id,emissions,base\nA,10,3\nB,12,3\n", "3 tCO2e,1 tCO2e")
    assert [s.summary.errors for s in outcome.scenarios] == [2, 0]


FACTORS = st.lists(
    st.integers(min_value=0, max_value=400).map(lambda n: f"{Decimal(n) / 4}%"),
    min_size=1,
    max_size=4,
    unique=True,
)
LIMITS = st.lists(
    st.integers(min_value=0, max_value=5000).map(lambda n: f"{n} tCO2"),
    min_size=1,
    max_size=4,
    unique=True,
)
FACILITIES = st.lists(
    st.tuples(
        st.sampled_from(["office", "factory"]),
        st.integers(min_value=0, max_value=200_000),  # tenths of a tonne
        st.integers(min_value=0, max_value=1_000_000),
        st.integers(min_value=0, max_value=50_000),
    ),
    min_size=1,
    max_size=6,
)


def _dataset(compiled: CompiledScheme, rows: list[tuple[str, int, int, int]]) -> Dataset:
    records, holdings = [], []
    for index, (category, base, emissions, credits) in enumerate(rows):
        name = f"F{index + 1}"
        values = {
            "category": category,
            "base_emissions": Decimal(base) / 10,
            "emissions": Decimal(emissions) / 10,
        }
        records.append(Record(name, "first", values))
        holdings.append(Holding(name, "first", "outside_credits", Decimal(credits) / 10))
    return Dataset(tuple(records), tuple(holdings))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    factors=FACTORS,
    limits=LIMITS,
    rows=FACILITIES,
    shape=st.sampled_from(["both", "swapped", "factor", "limit"]),
)
def test_generated_grids_equal_the_reference_per_scenario(
    factors: list[str], limits: list[str], rows: list[tuple[str, int, int, int]], shape: str
) -> None:
    """Either varied value alone, or both in either order (the stages are joined to the
    scenarios one varied value at a time, in the grid's order)."""
    factor = "reduction_factor[office]=" + ",".join(factors)
    limit = "limit[outside_credits]=" + ",".join(limits)
    varies = {"both": [factor, limit], "swapped": [limit, factor]}.get(shape)
    grid = sweep.parse_grid(BENCH, varies or [factor if shape == "factor" else limit])
    assert isinstance(grid, sweep.Grid)
    dataset = _dataset(BENCH, rows)
    outcome = sweep.sweep_dataset(BENCH, grid, dataset, None)
    _same_as_reference(outcome, sweep.reference_sweep(BENCH, grid, dataset, None))


def test_values_no_varied_value_reaches_are_computed_before_the_scenarios_join() -> None:
    """Varying only the credit limit: the cap and the required reduction (and its third)
    are computed once per facility, not once per facility and scenario."""
    grid = sweep.parse_grid(BENCH, ["limit[outside_credits]=0 tCO2,40 tCO2"])
    assert isinstance(grid, sweep.Grid)
    connection = columnar.connect()
    dataset = _dataset(BENCH, [("office", 1, 2, 3)])
    source = columnar.dataset_source(connection, BENCH, dataset, RunOptions())
    assert not isinstance(source, columnar.Fallback)
    prepared = columnar.prepare(connection, BENCH, source, None)
    assert not isinstance(prepared, columnar.Fallback)
    layout = replace(prepared[0], scenario=sweep.scenario_layout(grid))
    query = compile_query(BENCH, layout)
    assert not isinstance(query, columnar.Unsupported)
    sql = columnar.sql_of(query.query)
    join = sql.index('JOIN "etsl_scenarios"')
    assert sql.index('AS "cap"') < join and sql.index('AS "required_reduction"') < join
    assert sql.index('AS "shortfall"') > join
