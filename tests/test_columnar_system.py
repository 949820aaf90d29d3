"""The system level on the columnar engine (runtime/columnar/system.py): aggregates as SQL
aggregate queries, system values per year, participant rows reading them in the query.

Generated runs must be evaluated by the columnar engine itself (no fallback) and agree with
the reference engine exactly: every system value of every year (and its error), and every
participant value, including those reading a system value (the ceiling is paid in lieu of
allowances: `paid_in_lieu_amount` reads the ceiling of the row's year).
"""

from __future__ import annotations

import functools
from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_text
from etsl.compiler.system import row_year
from etsl.runtime.columnar.data import Fallback
from etsl.runtime.columnar.system import aggregate_totals, run_system
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.reference.system import Rows, SystemRun
from etsl.runtime.results.model import Results, RunOptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli
from tests.test_columnar_differential import assert_same_row, assert_same_rows

GENERATED = """
scheme g "A generated system level" {
  calendar calendar_year
  period p1 = 2021 .. 2023
  period p2 = 2024 .. 2026
  participant firm {
    emissions: tCO2e
    request:   tCO2e
    sector:    {steel, power}
  }
  param base = BASE tCO2e
  system {
    input tnac: tCO2e "Allowances in circulation"
    input cpi:  %     "Inflation"
    table reduction by year {
      | 2021 | 0 %    |
      | 2024 | 12.5 % |
      | *    | 10 %   |
    }
    rule total_cap = base * (1 - reduction)
    AGGREGATES
    rule intake = if tnac > 833000000 tCO2e then round(24 % of tnac) else 0 tCO2e
    price ceiling 65 USD/tCO2e from 2021 rising 5 % plus cpi paid in lieu
  }
  cap = floor(correction * request)
  rule upper = ceiling
  rule intake_share = intake / 1000000
  rule relative = EMISSIONS_RULE
}
"""

WITH_AGGREGATES = """rule requests = sum(request)
    rule steel_firms = count(sector == steel)
    rule average = mean(emissions)
    rule correction = if requests > total_cap then total_cap / requests else 1"""
WITHOUT_AGGREGATES = "rule correction = 1 - reduction / 3"


@functools.cache
def scheme(aggregates: bool, base: str = "1000") -> CompiledScheme:
    text = GENERATED.replace("BASE", base)
    text = text.replace("AGGREGATES", WITH_AGGREGATES if aggregates else WITHOUT_AGGREGATES)
    relative = (
        "emissions / requests + average / 1 tCO2e" if aggregates else "emissions * correction"
    )
    compilation = compile_text(text.replace("EMISSIONS_RULE", relative))
    assert compilation.ok, compilation.diagnostics
    (compiled,) = compilation.schemes.values()
    return compiled


def reference(compiled: CompiledScheme, dataset: Dataset, rows: Rows) -> tuple[Results, SystemRun]:
    program = compiled.program
    system = SystemRun(program, rows, dataset.records)

    def values_of(period: str | None, year: int | None) -> object:
        return system.year_values(row_year(program, period, year))

    options = RunOptions(system=values_of)  # type: ignore[arg-type]
    return reference_run(compiled, dataset, options), system


def both(
    compiled: CompiledScheme, dataset: Dataset, rows: Rows
) -> tuple[Results, SystemRun, Results, SystemRun]:
    outcome = run_system(compiled, dataset, rows, RunOptions())
    assert not isinstance(outcome, Fallback), outcome.reason
    return (*outcome, *reference(compiled, dataset, rows))


def assert_same_system(actual: SystemRun, expected: SystemRun) -> None:
    assert actual.totals is not None or not actual.level.aggregates  # the SQL gave them
    for a, b in zip(actual.results(), expected.results(), strict=True):
        assert_same_row(a, b)


# ---- generated runs ------------------------------------------------------------------------

AMOUNTS = ("0", "1", "700", "800", "333.3", "12500.25", "1000000")
SYSTEM_YEARS = (2021, 2022, 2023, 2024)


@st.composite
def runs(draw: st.DrawFn) -> tuple[tuple[bool, str], Dataset, Rows]:
    aggregates = draw(st.booleans())
    variant = (aggregates, draw(st.sampled_from(("1000", "2500.5", "0"))))
    records = []
    periods = ("p1", "p2")
    for index in range(draw(st.integers(1, 6))):
        chosen = draw(st.sampled_from(periods))
        # without aggregates a participant may have both periods (a columnar chain)
        chain = periods if not aggregates and draw(st.booleans()) else (chosen,)
        for period in chain:
            values = {
                "emissions": D(draw(st.sampled_from(AMOUNTS))),
                "request": D(draw(st.sampled_from(AMOUNTS))),
                "sector": draw(st.sampled_from(("steel", "power"))),
            }
            records.append(Record(f"F{index}", period, values, len(records) + 2, "<gen>"))
    rows: dict[int, dict[str, object]] = {}
    for year in draw(st.lists(st.sampled_from(SYSTEM_YEARS), unique=True)):
        tnac = D(draw(st.sampled_from(("0", "833000001", "1654909824", "1234567890.5"))))
        cpi = D(draw(st.sampled_from(("0", "0.02", "0.031", "-0.005"))))
        rows[year] = {"tnac": tnac, "cpi": cpi}
    return variant, Dataset(tuple(records)), rows  # type: ignore[arg-type]


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(case=runs())
def test_generated_system_levels_agree_between_engines(
    case: tuple[tuple[bool, str], Dataset, Rows],
) -> None:
    variant, dataset, rows = case
    compiled = scheme(*variant)
    results, system, expected, expected_system = both(compiled, dataset, rows)
    assert results.engine == "columnar"
    assert_same_rows(results, expected)
    assert_same_system(system, expected_system)


# ---- the aggregates are SQL aggregates ------------------------------------------------------


def _firm(who: str, period: str, emissions: str, request: str, sector: str) -> Record:
    values = {"emissions": D(emissions), "request": D(request), "sector": sector}
    return Record(who, period, values)  # type: ignore[arg-type]


def test_aggregates_are_summed_by_the_query_per_year() -> None:
    records = (
        _firm("a", "p1", "10", "700", "steel"),
        _firm("b", "p1", "5", "800.5", "power"),
        _firm("c", "p2", "1", "1", "steel"),
    )
    totals = aggregate_totals(scheme(True), Dataset(records))
    assert totals == {
        2021: {
            "sum(request)": (D("1500.5"), 2),
            "count(sector == steel)": (D(1), 2),
            "mean(emissions)": (D(15), 2),
        },
        2024: {
            "sum(request)": (D(1), 1),
            "count(sector == steel)": (D(1), 1),
            "mean(emissions)": (D(1), 1),
        },
    }


def test_participants_read_the_values_of_their_periods_first_year() -> None:
    records = (_firm("a", "p1", "10", "700", "steel"), _firm("b", "p2", "10", "700", "steel"))
    rows = {2021: {"tnac": D(0), "cpi": D(0)}, 2024: {"tnac": D(1654909824), "cpi": D(0)}}
    results, system, expected, _ = both(scheme(False), Dataset(records), rows)  # type: ignore[arg-type]
    caps = [r.values["cap"] for r in results.rows]
    assert caps == [700, 670]  # 2024: (1 − 12.5 % / 3) × 700 = 670.83, floored
    assert [r.values["intake_share"] for r in results.rows] == [0, D("397.178358")]
    assert_same_rows(results, expected)


def test_a_year_without_system_data_goes_to_the_reference_engine_which_reports_it() -> None:
    records = (_firm("a", "p1", "10", "700", "steel"), _firm("b", "p2", "10", "700", "steel"))
    results, _, expected, _ = both(
        scheme(False), Dataset(records), {2021: {"tnac": D(0), "cpi": D(0)}}
    )  # type: ignore[dict-item]
    errors = {(e.participant, e.rule) for e in results.errors}
    # `correction` needs no system data (a table by year), `ceiling` and `intake` do
    assert errors == {("b", "upper"), ("b", "intake_share")}
    assert all("the system value" in e.message for e in results.errors)
    assert_same_rows(results, expected)


def test_an_aggregate_reading_a_system_value_is_left_to_the_reference_engine() -> None:
    text = GENERATED.replace("AGGREGATES", "rule capped = sum(upper)\n    rule correction = 1")
    text = text.replace("BASE", "1").replace("EMISSIONS_RULE", "emissions")
    compilation = compile_text(text)
    assert compilation.ok, compilation.diagnostics
    (compiled,) = compilation.schemes.values()
    outcome = run_system(
        compiled, Dataset((_firm("a", "p1", "1", "1", "steel"),)), {}, RunOptions()
    )
    assert isinstance(outcome, Fallback)
    assert (
        outcome.reason
        == "the aggregate sum(upper) reads a participant value that reads a system value"
    )


def test_etsl_run_uses_the_columnar_engine_with_system_data(tmp_path: Path) -> None:
    text = GENERATED.replace("BASE", "1000").replace("AGGREGATES", WITH_AGGREGATES)
    (tmp_path / "g.scheme").write_text(
        text.replace("EMISSIONS_RULE", "emissions / requests + average / 1 tCO2e")
    )
    (tmp_path / "firms.csv").write_text(
        "id,period,emissions,request,sector\na,p1,10,700,steel\nb,p1,5,800,power\n"
    )
    (tmp_path / "system.csv").write_text("year,tnac,cpi\n2021,1654909824,2\n")
    outputs = {}
    for engine in ("columnar", "reference"):
        out = tmp_path / f"{engine}.csv"
        args = ["run", str(tmp_path / "g.scheme"), "--participants", str(tmp_path / "firms.csv")]
        args += ["--system-data", str(tmp_path / "system.csv"), "-o", str(out), "--engine", engine]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert (
            f"summary ({engine} engine)" in result.output
            and "using the reference" not in result.output
        )
        outputs[engine] = (out.read_text(), out.with_suffix(".system.csv").read_text())
    assert outputs["columnar"] == outputs["reference"]
    # relative = 10 / 1,500 + 7.5 (the mean of 10 and 5)
    assert "a,p1,true,466,65,397.178358,7.506666666666666667," in outputs["columnar"][0]
