"""The reference engine: hand-computed cases, several periods, surrender, errors as data."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from etsl.compiler.driver import CompiledScheme, compile_text
from etsl.runtime.records import Dataset, Holding, Record, Value
from etsl.runtime.reference.sequence import run
from etsl.runtime.results.model import MissingDependency, Results, RunOptions
from etsl.runtime.run import UnknownEngine, available_engines, engine

TOKYO = """
scheme tokyo_test "Tokyo cap-and-trade (test copy)" {
  source ordinance "Tokyo Metropolitan Environmental Security Ordinance"
  calendar fiscal_year from April
  period first  = FY2010 .. FY2014
  period second = FY2015 .. FY2019
  period third  = FY2020 .. FY2024
  gases CO2 gwp AR4
  participant facility {
    category:       {office, factory}
    energy_use:     kL_oe/yr
    base_emissions: tCO2/yr
    emissions:      tCO2
  }
  covered when energy_use >= 1500 kL_oe/yr
  table reduction_factor by category, period {
    | category | first | second | third |
    | office   | 8 %   | 17 %   | 27 %  |
    | factory  | 6 %   | 15 %   | 25 %  |
  } cite ordinance "art. 5"
  cap = floor(base_emissions * years(period) * (1 - reduction_factor)) cite ordinance "art. 5-11"
  rule required_reduction = base_emissions * years(period) - cap
  units {
    allowance tokyo_allowance
    credit excess_reduction
    credit outside_tokyo { origin = outside }
  }
  surrender {
    accept tokyo_allowance, excess_reduction
    accept outside_tokyo up to required_reduction / 3
  }
  banking next_period
  borrowing none
  penalty non_compliance when shortfall > 0 tCO2 {
    order ceil(1.3 * shortfall)
    fine up to 500000 JPY
    publish
  }
}
"""

OFFICE = {"category": "office", "energy_use": D(2000), "base_emissions": D(10000)}


def compiled(text: str, name: str | None = None) -> CompiledScheme:
    compilation = compile_text(text, "test.scheme")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    schemes = compilation.schemes
    return schemes[name] if name else next(iter(schemes.values()))


@pytest.fixture(scope="module")
def tokyo() -> CompiledScheme:
    return compiled(TOKYO)


def record(participant: str, period: str | None, row: int = 0, **values: Value) -> Record:
    return Record(participant, period, values, row=row, source="data.csv")


def run_one(
    scheme: CompiledScheme, *records: Record, holdings: tuple[Holding, ...] = (), **options: object
) -> Results:
    return run(scheme, Dataset(records, holdings), RunOptions(**options))  # type: ignore[arg-type]


# ---- hand-computed Tokyo cases ------------------------------------------------------------
# Caps, shortfalls, credit limits, float traps and coverage are engine cases in
# tests/cases/engine/caps.scheme, run through every engine by tests/test_engine_cases.py.


# ---- several periods ---------------------------------------------------------------------------


def test_surplus_banks_into_the_next_period(tokyo: CompiledScheme) -> None:
    # first: cap 46,000, emissions 45,000 → surplus 1,000 banked
    # second: cap floor(10,000 × 5 × 0.83) = 41,500; emissions 42,000; carry_in 1,000
    #         → shortfall 0, surplus 500
    results = run_one(
        tokyo,
        record("F1", "second", **OFFICE, emissions=D(42000)),
        record("F1", "first", **OFFICE, emissions=D(45000)),
    )
    first, second = results.row("F1", "first"), results.row("F1", "second")
    assert first.values["banked"] == D(1000)
    assert second.values["carry_in"] == D(1000)
    assert second.values["shortfall"] == 0 and second.values["surplus"] == D(500)
    assert [r.period for r in results.rows] == ["second", "first"]  # data order


def test_a_gap_between_periods_carries_nothing(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record("F1", "first", **OFFICE, emissions=D(45000)),
        record("F1", "third", **OFFICE, emissions=D(40000)),
    )
    assert results.row("F1", "third").values["carry_in"] == 0


def test_period_option_reports_one_period_but_carries_earlier_ones(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record("F1", "first", **OFFICE, emissions=D(45000)),
        record("F1", "second", **OFFICE, emissions=D(42000)),
        period="second",
    )
    assert [r.period for r in results.rows] == ["second"]
    assert results.rows[0].values["carry_in"] == D(1000)


def test_carry_in_given_in_the_data_starts_a_chain(tokyo: CompiledScheme) -> None:
    row = run_one(
        tokyo, record("F1", "second", **OFFICE, emissions=D(42000), carry_in=D(600))
    ).rows[0]
    assert row.values["carry_in"] == D(600) and row.values["shortfall"] == 0


MAKE_GOOD = TOKYO.replace(
    """    order ceil(1.3 * shortfall)
    fine up to 500000 JPY
    publish""",
    """    make_good shortfall
    deduct 0.3 * shortfall""",
)


def test_make_good_and_deductions_carry_over() -> None:
    # first: short 1,000 → make_good 1,000 owed next period, deduct 300 from next carry_in
    # second: cap 41,500; emissions 40,000; owed_in 1,000; carry_in −300
    #         shortfall = max(0, 40,000 + 1,000 − (41,500 − 300)) = 0
    #         surplus   = 41,500 − 300 − 40,000 − 1,000 = 200
    scheme = compiled(MAKE_GOOD)
    results = run_one(
        scheme,
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F1", "second", **OFFICE, emissions=D(40000)),
    )
    first, second = results.row("F1", "first"), results.row("F1", "second")
    assert first.total("make_good") == D(1000) and first.total("deduct") == D(300)
    assert second.values["owed_in"] == D(1000)
    assert second.values["carry_in"] == D(-300)
    assert second.values["shortfall"] == 0 and second.values["surplus"] == D(200)


def test_make_good_owed_raises_the_next_shortfall() -> None:
    scheme = compiled(MAKE_GOOD)
    results = run_one(
        scheme,
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F1", "second", **OFFICE, emissions=D(41500)),
    )
    # 41,500 + 1,000 owed − (41,500 − 300) = 1,300
    assert results.row("F1", "second").values["shortfall"] == D(1300)


def borrowing(mode: str, limit: str = "") -> CompiledScheme:
    return compiled(TOKYO.replace("borrowing none", f"borrowing {mode} {limit}"))


def test_borrowing_covers_a_shortfall_from_the_next_period() -> None:
    # first short 1,000; may borrow up to 400 from second → shortfall 600, owed 400 next
    results = run_one(
        borrowing("next_period", "up to 400 tCO2e"),
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F1", "second", **OFFICE, emissions=D(40000)),
    )
    first, second = results.row("F1", "first"), results.row("F1", "second")
    assert first.values["borrowed"] == D(400)
    assert first.values["carry_in"] == D(400)
    assert first.values["shortfall"] == D(600)
    assert first.total("order") == D(780)  # ceil(1.3 × 600)
    assert second.values["owed_in"] == D(400)
    assert second.values["borrowed"] == 0


def test_borrowing_the_whole_shortfall_avoids_the_penalty() -> None:
    results = run_one(borrowing("unlimited"), record("F1", "first", **OFFICE, emissions=D(47000)))
    row = results.rows[0]
    assert row.values["borrowed"] == D(1000)
    assert row.values["shortfall"] == 0 and row.consequences == ()


@pytest.mark.parametrize(("mode", "borrowed"), [("next_period", "0"), ("unlimited", "2000")])
def test_next_period_borrowing_cannot_roll_over(mode: str, borrowed: str) -> None:
    # first borrows 1,000; second (cap 41,500, emissions 42,500, owes 1,000) is short 2,000
    results = run_one(
        borrowing(mode),
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F1", "second", **OFFICE, emissions=D(42500)),
    )
    assert results.row("F1", "second").values["borrowed"] == D(borrowed)


def test_the_last_period_cannot_borrow() -> None:
    results = run_one(borrowing("unlimited"), record("F1", "third", **OFFICE, emissions=D(40000)))
    row = results.rows[0]
    assert row.values["borrowed"] == 0 and row.values["shortfall"] == D(3500)


def test_borrowing_none_has_no_borrowed_column(tokyo: CompiledScheme) -> None:
    assert "borrowed" not in run_one(tokyo).rule_names


# ---- errors are data, not tracebacks --------------------------------------------------------------

INTENSITY = """
scheme intensity "Intensity" {
  period p = 2020 .. 2020
  participant plant { output: t  emissions: tCO2  note_base: tCO2 }
  rule intensity = emissions / output
  target = 0.5 tCO2/t * output
  rule informational = note_base * 2
  rule safe = if output > 0 t then emissions / output else 0 tCO2/t
  penalty when shortfall > 0 tCO2 { fine 100 EUR/tCO2e * shortfall }
}
"""


def test_division_by_zero_names_participant_period_and_rule() -> None:
    results = run_one(
        compiled(INTENSITY),
        record("A", "p", row=2, output=D(100), emissions=D(60), note_base=D(1)),
        record("B", "p", row=3, output=D(0), emissions=D(60), note_base=D(1)),
    )
    good, bad = results.row("A"), results.row("B")
    assert good.ok and good.values["intensity"] == D("0.6")
    assert good.total("fine") == D(1000)
    (error,) = bad.errors
    assert (error.participant, error.period, error.rule) == ("B", "p", "intensity")
    assert "division by zero" in error.message
    assert error.render().startswith(
        "data.csv:3: error: participant 'B', period 'p': "
        "cannot compute 'intensity': division by zero"
    )
    assert bad.values["intensity"] is None
    assert bad.values["safe"] == 0  # only the branch taken is evaluated
    # target 0 t, shortfall 60 t: the penalty does not depend on the failed rule
    assert results.to_records()[1]["fine"] == D(6000)


def test_consequences_are_unknown_when_the_condition_fails(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record(
            "F9",
            "first",
            category="warehouse",
            energy_use=D(2000),
            base_emissions=D(100),
            emissions=D(400),
        ),
    )
    record_ = results.to_records()[0]
    assert record_["fine"] is None and record_["publish"] is None
    assert not results.rows[0].consequences_known


def test_sums_never_round(tokyo: CompiledScheme) -> None:
    big = {
        "category": "office",
        "energy_use": D(2000),
        "base_emissions": D(10) ** 30,
        "emissions": D(0),
    }
    held = (Holding("F1", "first", "outside_tokyo", D(10) ** 40),)
    results = run_one(
        tokyo, record("F1", "first", **big), record("F2", "first", **big), holdings=held
    )
    # required reduction 5e30 − 4.6e30 = 4e29; a third of it has 48 significant digits
    third = D("133333333333333333333333333333.333333333333333333")
    assert results.rows[0].eligible["outside_tokyo"] == third
    assert results.summary().total_cap == D("9.2E+30")
    # surplus = cap + third (no emissions); the total has 49 significant digits
    assert results.summary().total_surplus == D(
        "9333333333333333333333333333333.333333333333333333"
    )


def test_missing_table_row_names_participant_and_table(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record(
            "F9",
            "first",
            category="warehouse",
            energy_use=D(2000),
            base_emissions=D(100),
            emissions=D(400),
        ),
    )
    (error,) = results.errors
    assert error.participant == "F9" and error.rule == "reduction_factor"
    assert "no entry for category = warehouse, period = first" in error.message
    row = results.rows[0]
    assert row.values["cap"] is None and row.values["shortfall"] is None
    assert row.values["obligation"] == D(400)


def test_missing_required_input_is_an_error(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo, record("F1", "first", category="office", energy_use=D(2000), emissions=D(400))
    )
    (error,) = results.errors  # reported once, where it was first needed
    assert error.rule == "cap" and error.message == "missing input 'base_emissions'"


def test_missing_input_of_an_unneeded_rule_is_not_an_error() -> None:
    row = run_one(compiled(INTENSITY), record("A", "p", output=D(100), emissions=D(40))).rows[0]
    assert row.ok and row.values["informational"] is None
    assert row.values["shortfall"] == 0


def test_float_input_is_an_error_not_a_traceback(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record(
            "F1", "first", category="office", energy_use=2000.5, base_emissions=D(1), emissions=D(1)
        ),
    )
    assert "binary float" in results.errors[0].message


def test_rows_without_a_usable_period_are_problems(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record("F1", None, **OFFICE, emissions=D(1)),
        record("F2", "fourth", **OFFICE, emissions=D(1)),
        record("F3", "first", row=4, **OFFICE, emissions=D(1)),
        record("F3", "first", row=5, **OFFICE, emissions=D(1)),
    )
    messages = [e.message for e in results.problems]
    assert "several (first, second, third)" in messages[0]
    assert messages[1] == "unknown period 'fourth'"
    assert "second row for period 'first' (first: row 4)" in messages[2]
    assert [r.participant for r in results.rows] == ["F3"]


# ---- surrender --------------------------------------------------------------------------------------

SURRENDER = """
scheme credits "Credits" {
  period p = 2020 .. 2020
  participant firm { emissions: tCO2e  base_emissions: tCO2/yr }
  units {
    allowance A
    credit C1 { origin = domestic }
    credit C2
    credit C3
    credit unlisted
  }
  surrender {
    accept A
    accept C1 where holding.vintage >= 2013 and issuer.base_emissions <= 150000 tCO2/yr
    accept C2, C3 up to 80 tCO2e
    accept C1 up to 5 tCO2e where holding.origin in {domestic}
    limit C1, C2 up to 100 tCO2e
  }
}
"""


def test_accepts_filters_and_combined_limits() -> None:
    scheme = compiled(SURRENDER)
    held = (
        Holding("X", None, "A", D(7)),
        Holding("X", "p", "C1", D(60), {"vintage": D(2014), "issuer_base_emissions": D(100)}),
        Holding("X", "p", "C1", D(30), {"vintage": D(2012), "issuer_base_emissions": D(100)}),
        Holding("X", "p", "C1", D(20), {"vintage": D(2015), "issuer_base_emissions": D(10**6)}),
        Holding("X", "p", "C2", D(70)),
        Holding("X", "p", "C3", D(50)),
        Holding("X", "p", "unlisted", D(999)),
        Holding("X", "other", "A", D(1000)),  # another period: not counted
    )
    row = run_one(scheme, record("X", "p", emissions=D(500)), holdings=held).rows[0]
    # C1: 60 pass the first filter; of the other 50 (origin declared domestic) 5 are accepted
    #     by the later clause → 65. C2, C3 share 80: C2 70, C3 10. Limit C1, C2 up to 100:
    #     C1 = 65, C2 = 35.
    assert dict(row.eligible) == {
        "A": D(7),
        "C1": D(65),
        "C2": D(35),
        "C3": D(10),
        "unlisted": D(0),
    }
    assert row.values["surrendered"] == D(117)


def test_an_absent_holding_attribute_matches_nothing() -> None:
    scheme = compiled(SURRENDER)
    held = (Holding("X", "p", "C1", D(60)),)  # no vintage, no issuer attribute
    row = run_one(scheme, record("X", "p", emissions=D(500)), holdings=held).rows[0]
    assert row.ok and row.eligible["C1"] == D(5)  # only the origin clause (declared) accepts


def test_wide_held_columns_are_holdings() -> None:
    scheme = compiled(SURRENDER)
    row = run_one(scheme, record("X", "p", emissions=D(500), **{"held.A": D(40)})).rows[0]
    assert row.eligible["A"] == D(40)


# ---- values ----------------------------------------------------------------------------------

# GWP, period lengths, '*' rows and rounding: tests/cases/engine/values.scheme.


def test_summary_totals(tokyo: CompiledScheme) -> None:
    results = run_one(
        tokyo,
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F2", "first", **OFFICE, emissions=D(40000)),
        record(
            "F3",
            "first",
            category="factory",
            energy_use=D(100),
            base_emissions=D(10),
            emissions=D(5),
        ),
    )
    summary = results.summary()
    assert (summary.rows, summary.participants, summary.participants_covered) == (3, 3, 2)
    # F3 is not covered: its cap, floor(10 × 5 × 0.94) = 47, is not in the total
    assert summary.total_cap == D(46000 * 2)
    assert summary.by_category.get("factory") is not None
    assert summary.by_category["factory"].cap == 0
    assert summary.total_obligation == D(87000)
    assert summary.total_shortfall == D(1000) and summary.non_compliant == 1
    assert summary.consequences["fine"].amount == D(500000)
    assert summary.consequences["publish"].count == 1
    assert summary.by_category["office"].rows == 2
    assert summary.total_target is None


# ---- result files -------------------------------------------------------------------------------


def test_writers_round_trip(tokyo: CompiledScheme, tmp_path: Path) -> None:
    held = (Holding("F1", "first", "outside_tokyo", D(2000)),)
    results = run_one(
        tokyo,
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F2", "first", **OFFICE, emissions=D(47000)),
        holdings=held,
    )
    results.write(tmp_path / "out.csv")
    header, *lines = (tmp_path / "out.csv").read_text().splitlines()
    first, second = (dict(zip(header.split(","), line.split(","), strict=True)) for line in lines)
    assert first["cap"] == "46000" and first["eligible.outside_tokyo"] == "1333.333333333333333333"
    assert first["surplus"] == "333.333333333333333333" and first["publish"] == "false"
    assert second["publish"] == "true" and second["fine_is_maximum"] == "true"
    assert second["fine"] == "500000" and first["error"] == ""
    results.write(tmp_path / "out.json")
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["format"] == "etsl.results/1"
    assert document["rows"][0]["surplus"] == "333.333333333333333333"
    assert document["rows"][1]["publish"] is True
    assert document["summary"]["total_cap"] == "92000"
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    results.write(tmp_path / "out.parquet")
    table = pyarrow_parquet.read_table(tmp_path / "out.parquet").to_pylist()
    assert table[0]["cap"] == D(46000)
    assert table[0]["eligible.outside_tokyo"] == D("1333.333333333333333333")
    assert table[1]["publish"] is True


def test_unknown_suffix_writes_nothing(tokyo: CompiledScheme, tmp_path: Path) -> None:
    results = run_one(tokyo, record("F1", "first", **OFFICE, emissions=D(47000)))
    with pytest.raises(ValueError, match="cannot write '.txt'"):
        results.write(tmp_path / "out.txt")
    assert list(tmp_path.iterdir()) == []


def test_dataframes(tokyo: CompiledScheme) -> None:
    results = run_one(tokyo, record("F1", "first", **OFFICE, emissions=D(47000)))
    pytest.importorskip("pandas")
    frame = results.to_pandas()
    assert frame.loc[0, "cap"] == D(46000) and list(frame.columns) == results.columns()
    try:
        import polars  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependency, match="pip install polars"):
            results.to_polars()
    else:
        assert results.to_polars()["cap"].to_list() == [D(46000)]


def test_engine_registry() -> None:
    assert "reference" in available_engines()
    assert engine("reference") is run
    with pytest.raises(UnknownEngine, match="available: reference"):
        engine("no_such_engine")


def test_progress_is_reported_per_participant(tokyo: CompiledScheme) -> None:
    seen: list[tuple[int, int]] = []
    run(
        tokyo,
        Dataset(
            (
                record("F1", "first", **OFFICE, emissions=D(1)),
                record("F2", "first", **OFFICE, emissions=D(1)),
            )
        ),
        RunOptions(progress=lambda done, total: seen.append((done, total))),
    )
    assert seen == [(1, 2), (2, 2)]


def test_api_run_accepts_dicts(tokyo: CompiledScheme) -> None:
    from etsl.api import DataError, Scheme

    scheme = Scheme(tokyo)
    results = scheme.run(
        [
            {
                "participant": "F1",
                "period": "first",
                "category": "office",
                "energy_use": 2000,
                "base_emissions [ktCO2/yr]": "10",
                "emissions": D(47000),
                "held.outside_tokyo": 500,
            }
        ]
    )
    row = results.rows[0]
    assert row.values["cap"] == D(46000) and row.eligible["outside_tokyo"] == D(500)
    assert scheme.run(Dataset(())).rows == ()
    with pytest.raises(DataError, match="<data>:2:energy_use"):
        scheme.run(
            [
                {
                    "id": "F1",
                    "period": "first",
                    "category": "office",
                    "energy_use": "lots",
                    "base_emissions": 1,
                    "emissions": 1,
                }
            ]
        )
