"""Explanations: formulas with values, derivation trees and the etsl.trace/1 document."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from etsl.compiler.driver import CompiledScheme
from etsl.runtime.records import Holding
from etsl.runtime.reference.explain import (
    display_unit,
    entry_line,
    explain_json,
    explain_text,
    format_number,
    format_value,
    substitute,
)
from etsl.runtime.results.trace import TRACE_FORMAT, Trace

from tests.test_reference_engine import MAKE_GOOD, OFFICE, TOKYO, compiled, record, run_one


@pytest.fixture(scope="module")
def tokyo() -> CompiledScheme:
    return compiled(TOKYO)


def trace_of(
    scheme: CompiledScheme, *records: object, index: int = 0, holdings: tuple[Holding, ...] = ()
) -> Trace:
    results = run_one(scheme, *records, holdings=holdings, trace=True)  # type: ignore[arg-type]
    trace = results.rows[index].trace
    assert trace is not None
    return trace


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("46000", "46,000"),
        ("46000.000", "46,000"),
        ("1333.333333333333333333", "1,333.333333333333333333"),
        ("-1234.50", "-1,234.5"),
        ("0.08", "0.08"),
        ("-0", "0"),
        ("1E+3", "1,000"),
    ],
)
def test_numbers_are_exact_with_thousands_separators(value: str, text: str) -> None:
    assert format_number(D(value)) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (D("0.08"), "%", "8 %"),
        (D(10000), "tCO2e/yr", "10,000 t CO2e/yr"),
        (D(5), "kL_oe/yr", "5 kL_oe/yr"),
        (True, "", "true"),
        ("office", "", "office"),
        (D(500000), "JPY", "500,000 JPY"),
        (None, "", "(not computed)"),
        (D(2), "tCH4", "2 t CH4"),
    ],
)
def test_values_with_units(value: object, unit: str, text: str) -> None:
    assert format_value(value, unit) == text  # type: ignore[arg-type]


def test_display_units() -> None:
    assert display_unit("ktCO2e") == "kt CO2e" and display_unit("EUR/tCO2e") == "EUR/t CO2e"


def test_the_cap_line_reads_like_the_hand_computation(tokyo: CompiledScheme) -> None:
    trace = trace_of(tokyo, record("F1", "first", **OFFICE, emissions=D(47000)))
    assert entry_line(trace.entry("cap")) == (
        "cap = floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %)) = 46,000 t CO2e — reduction_factor "
        "for office in period first, Tokyo Metropolitan Environmental Security Ordinance, "
        "art. 5-11"
    )


def test_if_shows_the_branch_taken_and_why(tokyo: CompiledScheme) -> None:
    trace = trace_of(tokyo, record("F1", "first", **OFFICE, emissions=D(47000)))
    line = entry_line(trace.entry("shortfall"))
    assert line.startswith(
        "shortfall = max(0 t CO2e, 47,000 t CO2e + 0 t CO2e − "
        "(46,000 t CO2e + 0 t CO2e) − 0 t CO2e) = 1,000 t CO2e"
    )
    assert "covered is true" in line and "default rule" in line
    assert "if covered" not in line


def test_the_tree_shows_each_value_once(tokyo: CompiledScheme) -> None:
    text = explain_text(trace_of(tokyo, record("F1", "first", row=2, **OFFICE, emissions=D(47000))))
    lines = text.splitlines()
    assert lines[0] == "tokyo_test: participant F1, period first (data.csv row 2)"
    assert "├─ covered = true (see above)" in lines
    assert sum(line.lstrip("│├└─ ").startswith("cap = floor(") for line in lines) == 1
    assert any(
        line.endswith("base_emissions = 10,000 t CO2e/yr — input, data.csv row 2") for line in lines
    )
    penalty = next(line for line in lines if line.startswith("penalty.non_compliance ="))
    assert penalty == (
        "penalty.non_compliance = 1,000 t CO2e > 0 t CO2 = true — order 1,300 "
        "t CO2e, fine up to 500,000 JPY, publish"
    )


def test_surrender_steps_are_explained(tokyo: CompiledScheme) -> None:
    trace = trace_of(
        tokyo,
        record("F1", "first", **OFFICE, emissions=D(47000)),
        holdings=(Holding("F1", "first", "outside_tokyo", D(2000)),),
    )
    assert entry_line(trace.entry("eligible.outside_tokyo")) == (
        "eligible.outside_tokyo = 1,333.333333333333333333 t CO2e — accept outside_tokyo up "
        "to required_reduction / 3 (= 1,333.333333333333333333 t CO2e): 2,000 t CO2e "
        "accepted, capped at 1,333.333333333333333333 t CO2e"
    )
    assert "eligible.outside_tokyo" in trace.entry("surrendered").children
    assert "eligible.excess_reduction" not in trace.entry("surrendered").children


def test_carry_over_is_explained() -> None:
    scheme = compiled(MAKE_GOOD)
    trace = trace_of(
        scheme,
        record("F1", "first", **OFFICE, emissions=D(47000)),
        record("F1", "second", **OFFICE, emissions=D(40000)),
        index=1,
    )
    assert entry_line(trace.entry("carry_in")) == (
        "carry_in = -300 t CO2e — banked 0 t CO2e in period first, less 300 t CO2e deducted "
        "in period first"
    )
    assert entry_line(trace.entry("owed_in")) == (
        "owed_in = 1,000 t CO2e — make-good of 1,000 t CO2e in period first"
    )


def test_values_that_could_not_be_computed(tokyo: CompiledScheme) -> None:
    trace = trace_of(
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
    assert entry_line(trace.entry("reduction_factor")).startswith(
        "reduction_factor = not computed — table 'reduction_factor' has no entry for "
        "category = warehouse, period = first"
    )
    assert trace.entry("cap").error == (
        "uses 'reduction_factor', which could not be computed: "
        "table 'reduction_factor' has no entry for category = "
        "warehouse, period = first"
    )


def test_trace_document(tokyo: CompiledScheme) -> None:
    trace = trace_of(tokyo, record("F1", "first", row=2, **OFFICE, emissions=D(47000)))
    document = json.loads(json.dumps(trace.to_json("cap")))
    assert document["format"] == TRACE_FORMAT == "etsl.trace/1"
    assert (document["participant"], document["period"], document["root"]) == ("F1", "first", "cap")
    assert set(document["values"]) == {"cap", "reduction_factor", "category", "base_emissions"}
    cap = document["values"]["cap"]
    assert cap["value"] == "46000" and cap["unit"] == "tCO2e"
    assert cap["formula"] == "floor(base_emissions * years(period) * (1 - reduction_factor))"
    assert cap["location"] == "test.scheme:21:3"
    assert cap["inputs"] == {"base_emissions": "10000"}
    assert cap["children"] == ["reduction_factor"]
    assert document["values"]["reduction_factor"]["value"] == "0.08"
    full = explain_json([trace])
    assert full["format"] == "etsl.explanation/1" and len(full["traces"]) == 1
    assert "penalty.non_compliance" in full["traces"][0]["values"]


def test_substitute_without_values_prints_the_formula() -> None:
    program = compiled(
        "scheme s { param a = 2  param b = 4 tCO2e  param c = 1 tCO2e\n"
        "rule x = if a > 1 then b / 2 else -c }"
    ).program
    assert substitute(program.rules["x"].expr, {}, program) == "if a > 1 then b ÷ 2 else −c"
