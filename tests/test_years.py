"""Years inside compliance periods (`period cp4 = 2021 .. 2023 by year`): one row, obligation
and surrender per year; `year`, `final_year` and `earlier_years(x)`; what a year leaves is
kept for the next year of the period; banking applies when the period closes."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from etsl.compiler.driver import compile_text
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.reference.sequence import run
from etsl.runtime.results.model import Results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etsl.cli import cli
from tests.test_columnar_differential import assert_same_rows
from tests.test_reference_engine import compiled

ANNUAL = """
scheme annual {
  calendar calendar_year
  period cp4 = 2021 .. 2023 by year
  period cp5 = 2024 .. 2026 by year
  participant entity { emissions: tCO2e }
  units {
    allowance CCA
    offset ARBOC
  }
  rule annual_obligation = 30 % of emissions
  obligation = if final_year then emissions + earlier_years(emissions) - earlier_years(obligation) else annual_obligation
  surrender {
    accept CCA
    accept ARBOC up to floor(4 % of obligation)
  }
  banking BANKING
  penalty untimely when shortfall > 0 tCO2e {
    make_good 4 * excess + owed_unpaid
  }
}
"""

#: E1 over CP4: 100,000 t a year; E2 surrenders nothing in time in 2021.
ROWS = [
    ("E1", 2021, {"emissions": "100000", "held.CCA": "30000", "held.ARBOC": "5000"}),
    ("E1", 2022, {"emissions": "100000", "held.CCA": "20000"}),
    ("E1", 2023, {"emissions": "100000", "held.CCA": "200000"}),
]


def chain(rows: list[tuple[str, int, dict[str, str]]], banking: str = "unlimited") -> Results:
    scheme = compiled(ANNUAL.replace("BANKING", banking))
    records = tuple(
        Record(who, None, {k: D(v) for k, v in values.items()}, year=year)
        for who, year, values in rows
    )
    return run(scheme, Dataset(records))


def test_annual_obligations_and_the_closing_remainder() -> None:
    first, second, third = chain(ROWS).rows
    assert [r.period for r in (first, second, third)] == ["cp4"] * 3
    assert [r.year for r in (first, second, third)] == [2021, 2022, 2023]
    # 2021: 30 % of 100,000; Lo = 1,200 of the 5,000 ARBOC; 1,200 CCA left over are kept
    assert first.values["obligation"] == D(30000) and first.eligible["ARBOC"] == D(1200)
    assert first.values["banked"] == D(1200) and first.values["shortfall"] == D(0)
    # 2022: 1,200 CCA kept + 20,000 CCA + 1,200 of the 3,800 ARBOC kept: 7,600 short
    assert second.values["carry_in"] == D(1200) and second.eligible["ARBOC"] == D(1200)
    assert second.values["shortfall"] == D(7600) and second.total("make_good") == D(30400)
    # 2023: 300,000 - 60,000 of annual obligations = 240,000, plus 30,400 owed
    assert third.values["obligation"] == D(240000) and third.values["owed_in"] == D(30400)
    assert third.eligible["ARBOC"] == D(2600)  # the last of the kept offsets, within 9,600
    assert third.values["shortfall"] == D(67800)
    assert third.total("make_good") == D(4 * 37400 + 30400)


def test_units_are_kept_within_the_period_even_without_banking() -> None:
    rows = [
        ("E1", 2021, {"emissions": "100000", "held.CCA": "50000", "held.ARBOC": "5000"}),
        ("E1", 2022, {"emissions": "100000"}),
        ("E1", 2023, {"emissions": "100000", "held.CCA": "240000"}),
        ("E1", 2024, {"emissions": "100000", "held.CCA": "30000"}),
        ("E1", 2025, {"emissions": "100000", "held.CCA": "30000"}),
        ("E1", 2026, {"emissions": "100000", "held.CCA": "240000"}),
    ]
    results = chain(rows, banking="none")
    y2021, y2022, y2023, y2024 = results.rows[:4]
    assert y2021.values["banked"] == D(21200)  # 51,200 surrendered against 30,000
    assert y2022.values["carry_in"] == D(21200) and y2022.eligible["ARBOC"] == D(1200)
    assert y2022.values["shortfall"] == D(7600)
    # the period closes in 2023: nothing crosses into CP5 under `banking none`
    assert y2023.values["banked"] == D(0) and y2023.carried == ()
    assert y2024.values["carry_in"] == D(0) and y2024.values["owed_in"] > 0
    # earlier_years starts afresh in CP5
    assert results.rows[5].values["obligation"] == D(300000 - 60000)


def test_a_holding_without_a_year_is_held_in_the_first_year_only() -> None:
    scheme = compiled(ANNUAL.replace("BANKING", "unlimited"))
    records = tuple(
        Record("E1", None, {"emissions": D(100000)}, year=year) for year in (2021, 2022, 2023)
    )
    results = run(scheme, Dataset(records, (Holding("E1", "cp4", "CCA", D(100000)),)))
    first, second, third = results.rows
    assert first.values["surplus"] == D(70000)
    assert second.values["carry_in"] == D(70000) and second.values["surplus"] == D(40000)
    assert third.values["carry_in"] == D(40000) and third.values["shortfall"] == D(200000)


def test_a_missing_year_is_a_problem_and_the_period_is_left_out() -> None:
    results = chain([ROWS[0], ROWS[2]])
    assert results.rows == ()
    (problem,) = results.problems
    assert problem.code == "data-missing-year"
    assert "no row for 2022 of period 'cp4'" in problem.message


def test_a_year_outside_its_period_is_a_problem() -> None:
    scheme = compiled(ANNUAL.replace("BANKING", "unlimited"))
    record = Record("E1", "cp4", {"emissions": D(1)}, year=2025)
    (problem,) = run(scheme, Dataset((record,))).problems
    assert problem.code == "data-year-outside-period"
    assert "2025 is not a year of period 'cp4' (2021-2023)" in problem.message


def test_year_in_a_period_not_kept_by_year_is_an_evaluation_error() -> None:
    scheme = compiled(
        "scheme s {\n  period p = 2021 .. 2023\n  participant q { emissions: tCO2e }\n"
        "  rule y = year\n  obligation = if year > 2000 then emissions else 0 tCO2e\n}\n"
    )
    (row,) = run(scheme, Dataset((Record("A", None, {"emissions": D(5)}),))).rows
    assert row.values["obligation"] is None
    assert "'year', but period 'p' is not kept by year" in row.errors[0].message


def test_earlier_years_reads_earlier_rows_so_obligation_may_use_itself() -> None:
    compilation = compile_text(ANNUAL.replace("BANKING", "none"), "a.scheme")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    program = next(iter(compilation.schemes.values())).program
    assert program.year_sums == ("emissions", "obligation")
    assert program.steps[:3] == (("cp4", 2021), ("cp4", 2022), ("cp4", 2023))


def test_earlier_years_needs_the_name_of_an_input_or_rule() -> None:
    text = ANNUAL.replace("BANKING", "none").replace(
        "rule annual_obligation", "rule odd = earlier_years(2 tCO2e)\n  rule annual_obligation"
    )
    codes = [d.code for d in compile_text(text, "a.scheme").diagnostics]
    assert "type-mismatch" in codes


def _cli(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _files(tmp_path: Path) -> tuple[Path, Path]:
    scheme = tmp_path / "annual.scheme"
    scheme.write_text(ANNUAL.replace("BANKING", "unlimited"))
    data = tmp_path / "data.csv"
    data.write_text(
        "id,year,emissions,held.CCA,held.ARBOC\n"
        "E1,2021,100000,30000,5000\nE1,2022,100000,20000,0\nE1,2023,100000,200000,0\n"
    )
    return scheme, data


def test_run_writes_a_year_column_and_both_engines_agree(tmp_path: Path) -> None:
    scheme, data = _files(tmp_path)
    outputs = {}
    for engine in ("reference", "columnar"):
        out = tmp_path / f"{engine}.csv"
        code, output = _cli("run", scheme, "--participants", data, "--engine", engine, "-o", out)
        assert code == 0, output
        assert "using the reference engine" not in output  # the columnar engine runs the years
        outputs[engine] = out.read_text()
    assert outputs["reference"] == outputs["columnar"]
    header, *lines = outputs["reference"].splitlines()
    assert header.startswith("participant,period,year,covered,")
    assert [line.split(",")[:3] for line in lines] == [
        ["E1", "cp4", "2021"], ["E1", "cp4", "2022"], ["E1", "cp4", "2023"]
    ]


def test_explain_names_the_year_and_shows_the_earlier_sums(tmp_path: Path) -> None:
    scheme, data = _files(tmp_path)
    code, output = _cli(
        "explain", scheme, "--participants", data, "--id", "E1", "--rule", "obligation"
    )
    assert code == 0, output
    assert "annual: participant E1, period cp4, year 2023 (" in output
    assert (
        "obligation = 100,000 t CO2e + 200,000 t CO2e − 60,000 t CO2e = 240,000 t CO2e"
        in output
    )
    assert "earlier_years.obligation = 60,000 t CO2e — obligation summed over 2021, 2022" in output


def test_a_data_file_missing_a_year_writes_nothing(tmp_path: Path) -> None:
    scheme, data = _files(tmp_path)
    data.write_text("id,year,emissions\nE1,2021,100000\nE1,2023,100000\n")
    out = tmp_path / "out.csv"
    code, output = _cli("run", scheme, "--participants", data, "-o", out)
    assert code == 1 and not out.exists()
    assert "data.csv:2:year: participant 'E1' has no row for 2022 of period 'cp4'" in output


def test_fmt_keeps_by_year(tmp_path: Path) -> None:
    scheme, _ = _files(tmp_path)
    _cli("fmt", scheme)
    assert "  period cp4 = 2021 .. 2023 by year\n" in scheme.read_text()


# ---- both engines, generated: years as columnar steps --------------------------------------

YEARS = ((2021, 2022, 2023), (2024, 2025, 2026))


@st.composite
def annual_runs(draw: st.DrawFn) -> tuple[str, Dataset]:
    banking = draw(st.sampled_from(("none", "unlimited")))
    text = ANNUAL.replace("BANKING", banking)
    if draw(st.booleans()):
        text = text.replace("floor(4 % of obligation)", "800 tCO2e")
    records, holdings = [], []
    for index in range(draw(st.integers(1, 4))):
        who = f"E{index}"
        for years in YEARS[: draw(st.integers(1, 2))]:
            for year in years:
                values = {
                    "emissions": D(draw(st.sampled_from(("0", "1000", "33333.3", "100000")))),
                }
                for unit in ("CCA", "ARBOC"):
                    if draw(st.booleans()):
                        values[f"held.{unit}"] = D(
                            draw(st.sampled_from(("0", "500", "12000.5", "40000")))
                        )
                records.append(Record(who, None, values, len(records) + 2, "<gen>", year=year))
        if draw(st.booleans()):
            holdings.append(Holding(who, "cp4", "ARBOC", D(draw(st.sampled_from(("700", "9000"))))))
    return text, Dataset(tuple(draw(st.permutations(records))), tuple(holdings))


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(case=annual_runs())
def test_generated_years_agree_between_engines(case: tuple[str, Dataset]) -> None:
    text, dataset = case
    scheme = compiled(text)
    actual, reason = columnar.run_with_reason(scheme, dataset)
    assert reason is None, reason.reason
    assert_same_rows(actual, run(scheme, dataset))


def test_explain_shows_a_year_as_a_year(tmp_path: Path) -> None:
    scheme = tmp_path / "yr.scheme"
    scheme.write_text(
        "scheme yr {\n  calendar calendar_year\n  period cp = 2021 .. 2022 by year\n"
        "  participant e { emissions: tCO2e }\n  rule later = year - 2000\n"
        "  obligation = emissions + later * 1 tCO2e\n}\n"
    )
    data = tmp_path / "yr.csv"
    data.write_text("id,year,emissions\nA,2021,5\nA,2022,7\n")
    code, output = _cli("explain", scheme, "--participants", data, "--id", "A", "--rule", "later")
    assert code == 0, output
    assert "later = 2022 − 2000 = 22" in output  # a number beside year is a year too: not 2,022 or 2,000
