"""Chains in the columnar engine: several periods of one participant, evaluated step by step
(runtime/columnar/chains.py), must agree exactly with the reference engine
(runtime/reference/sequence.py and ledger.py define what one period hands the next).

Hypothesis writes chains of 2-4 periods with offset limits, banking none / next_period /
unlimited, make-good and deductions of `excess` and `owed_unpaid`, and participant tables
whose participants skip periods, come in any order and give their holdings as columns or
holdings rows; every value of every row must equal the reference engine's.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.records import DataFiles, Dataset, Holding, Record
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.run import run_files
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.test_columnar_differential import assert_same_rows

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"
PERIODS = ("p1", "p2", "p3", "p4")
AMOUNTS = ("0", "1", "400", "1500", "333.3", "2500.5", "10000", "0.000001", "99999.99")


def scheme_text(
    periods: int, banking: str, limit: str, consequence: str, factor: str, extra: str = ""
) -> str:
    lines = [f"  period {p} = {2011 + 2 * i} .. {2012 + 2 * i}" for i, p in
             enumerate(PERIODS[:periods])]
    return "\n".join([
        "scheme chain {",
        *lines,
        "  participant entity { emissions: tCO2e  base: tCO2e/yr }",
        "  units { allowance a1  offset c1  credit c2 }",
        f"  cap = base * years(period) * {factor}",
        "  surrender {",
        "    accept a1",
        f"    accept c1, c2 up to {limit}",
        "  }",
        f"  banking {banking}",
        "  penalty late when shortfall > 0 tCO2e {",
        "    fine 100 EUR/tCO2e * ceil(shortfall)",
        f"    {consequence}",
        "  }",
        extra,
        "}",
    ]) + "\n"


@st.composite
def schemes(draw: st.DrawFn) -> tuple[int, str]:
    periods = draw(st.integers(2, 4))
    text = scheme_text(
        periods,
        draw(st.sampled_from(("none", "next_period", "unlimited"))),
        draw(st.sampled_from(("8 % of obligation", "1 / 3 of cap", "500 tCO2e", "cap / 3"))),
        draw(st.sampled_from((
            "make_good 4 * excess + owed_unpaid", "make_good excess + owed_unpaid",
            "deduct 1.3 * excess", "make_good excess\n    deduct 0.3 * excess", "publish",
        ))),
        draw(st.sampled_from(("0.92", "1", "1 / 3", "0.94"))),
    )
    return periods, text


def amounts() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.sampled_from(AMOUNTS).map(Decimal),
        st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False,
                    allow_infinity=False),
    )


@st.composite
def chains(draw: st.DrawFn, periods: int) -> Dataset:
    records, holdings = [], []
    for index in range(draw(st.integers(1, 6))):
        participant = f"P{index}"
        steps = draw(st.lists(st.sampled_from(PERIODS[:periods]), min_size=1, max_size=periods,
                              unique=True))
        for period in steps:
            values: dict[str, Any] = {
                "emissions": draw(amounts()),
                "base": Decimal(draw(st.sampled_from(("430", "1000", "3450", "0.1", "47000")))),
            }
            if draw(st.booleans()):
                values["carry_in"] = draw(amounts())  # used only after a gap
            for unit in ("a1", "c1", "c2"):
                amount = draw(st.one_of(st.none(), amounts()))
                if amount is not None and draw(st.booleans()):
                    values[f"held.{unit}"] = amount
                elif amount is not None:
                    holdings.append(Holding(participant, period, unit, amount))
            records.append(Record(participant, period, values, len(records) + 2, "<generated>"))
        if draw(st.booleans()):
            holdings.append(Holding(participant, None, "c1", draw(amounts())))
    order = draw(st.permutations(records))
    return Dataset(tuple(order), tuple(holdings))


def compiled_of(text: str) -> CompiledScheme:
    compilation = compile_text(text, "<generated>")
    errors = [d.message for d in compilation.diagnostics if d.severity == "error"]
    assert compilation.ok, errors
    return compilation.schemes["chain"]


#: Each example runs a query per step: a fifth of the profile's examples (dev 30, nightly 400).
EXAMPLES = max(10, settings.default.max_examples // 5)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
          deadline=None, max_examples=EXAMPLES)
@given(data=st.data())
def test_generated_chains_agree(data: st.DataObject) -> None:
    periods, text = data.draw(schemes())
    dataset = data.draw(chains(periods))
    compiled = compiled_of(text)
    actual, reason = columnar.run_with_reason(compiled, dataset)
    expected = reference_run(compiled, dataset)
    event(f"engine: {actual.engine}" + (f" ({reason.reason[:40]})" if reason else ""))
    # the one fallback allowed: an exact value beyond DECIMAL(38) (docs/columnar.md, limits)
    assert reason is None or reason.reason.startswith("a value does not fit"), reason.reason
    assert actual.engine == ("columnar" if reason is None else "reference")
    assert_same_rows(actual, expected)
    assert [p.message for p in actual.problems] == [p.message for p in expected.problems]


# ---- files: `etsl run --engine columnar` on a table with several periods per participant ------


CHAIN_CSV = """id,period,emissions,base,held.a1,held.c1,carry_in
F1,p1,47000,10000,40000,5000,
F1,p2,52000,10000,30000,,
F2,p1,2021,430,,,
F1,p3,16300,10000,50000,2500.5,
F2,p3,4800,1000,4000,333.3,120
F2,p2,1000.5,430,900,0.000001,
"""


def run_both_files(compiled: CompiledScheme, path: Path, out: Path) -> tuple[bytes, bytes, Any]:
    written, notices = [], []
    for engine_name in ("columnar", "reference"):
        outcome = run_files(compiled, DataFiles(path), engine_name)
        assert outcome.results is not None, outcome.problems
        target = out / f"{engine_name}.csv"
        outcome.results.write(target)
        written.append(target.read_bytes())
        notices += outcome.notices if engine_name == "columnar" else []
    return written[0], written[1], notices


@pytest.mark.parametrize("banking", ["none", "next_period", "unlimited"])
def test_chained_file_is_evaluated_by_the_columnar_engine(banking: str, tmp_path: Path) -> None:
    compiled = compiled_of(scheme_text(3, banking, "8 % of obligation",
                                       "make_good 4 * excess + owed_unpaid", "0.94"))
    path = tmp_path / "facilities.csv"
    path.write_text(CHAIN_CSV)
    columnar_bytes, reference_bytes, notices = run_both_files(compiled, path, tmp_path)
    assert notices == []  # no fallback: the columnar engine evaluated the chains itself
    assert columnar_bytes == reference_bytes
    lines = columnar_bytes.decode().splitlines()
    assert len(lines) == 7 and lines[1].startswith("F1,p1,")  # data order


FALLBACKS = [
    (scheme_text(2, "unlimited {\n    limit c1 up to 100 tCO2e\n  }", "500 tCO2e", "publish",
                 "1"), "banking rules on carried lots"),
    (scheme_text(2, "unlimited", "500 tCO2e", "make_good excess + owed_unpaid with a1 at least "
                 "50 %", "1"), "make-good owed with a unit mix"),
]


def test_a_chosen_period_gets_what_earlier_periods_carry_into_it(tmp_path: Path) -> None:
    # `etsl run --period p2`: p1 is still evaluated for what it carries into p2 (the columnar
    # engine used to evaluate p2 alone, with carry_in and owed_in 0)
    compiled = compiled_of(scheme_text(3, "unlimited", "8 % of obligation",
                                       "make_good 4 * excess + owed_unpaid", "0.94"))
    path = tmp_path / "facilities.csv"
    path.write_text(CHAIN_CSV)
    outcomes = {e: run_files(compiled, DataFiles(path, period="p2"), e)
                for e in ("columnar", "reference")}
    rows = {e: o.results.rows for e, o in outcomes.items() if o.results is not None}
    assert outcomes["columnar"].notices == ()
    assert [(r.values["carry_in"], r.values["owed_in"]) for r in rows["columnar"]] == [
        (Decimal("15560.00"), 0), (0, Decimal("4850.40"))]
    assert_same_rows(outcomes["columnar"].results, outcomes["reference"].results)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "reason"), FALLBACKS, ids=["banking rules", "unit mix"])
def test_chains_the_engine_leaves_to_the_reference_engine_say_why(text: str, reason: str) -> None:
    compiled = compiled_of(text)
    dataset = Dataset(tuple(
        Record("E1", p, {"emissions": Decimal(1000), "base": Decimal(400), "held.c1": Decimal(300),
                         "held.a1": Decimal(500)}) for p in ("p1", "p2")))
    actual, fallback = columnar.run_with_reason(compiled, dataset)
    assert fallback is not None and fallback.reason.startswith(reason)
    assert_same_rows(actual, reference_run(compiled, dataset))


# ---- the bundled California scheme (kept by year) over a generated multi-year file -------------


def test_california_multi_year_file_agrees(tmp_path: Path) -> None:
    compilation = compile_paths([SCHEMES / "world" / "california.scheme"])
    compiled = compilation.schemes["california"]
    rows = ["id,type,year,emissions,annual_emissions,held.CCA,held.ARBOC"]
    for index in range(12):
        for year in range(2018, 2027):
            emissions = 20000 + 37337 * index + 1013 * (year - 2018) * (index % 3)
            held = (emissions * (index % 4)) // 3
            rows.append(f"E{index},entity,{year},{emissions},{emissions},{held},{(index * 997) % 5000}")
    path = tmp_path / "entities.csv"
    path.write_text("\n".join(rows) + "\n")
    columnar_bytes, reference_bytes, notices = run_both_files(compiled, path, tmp_path)
    assert columnar_bytes == reference_bytes
    assert len(columnar_bytes.decode().splitlines()) == 1 + 12 * 9
    # years are columnar steps now (tests/test_years.py); what still goes to the reference
    # engine here is California's unit mix for the untimely surrender
    assert notices == ["columnar engine: make-good owed with a unit mix (settled lot by lot); "
                       "using the reference engine"]
