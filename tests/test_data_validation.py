"""Participant data validation: every class of bad data gets a located message with a hint."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from etsl.compiler.driver import CompiledScheme, compile_text
from etsl.runtime.data.load import (
    DataProblem,
    MappingError,
    load_dataset,
    load_mapping,
    read_mapping,
    render_problems,
)
from etsl.runtime.records import Dataset

SCHEME = """
scheme test_data "Data test scheme" {
  kind cap_and_trade
  calendar fiscal_year from April
  period first = FY2010 .. FY2014
  period second = FY2015 .. FY2019
  gases CO2 gwp AR4
  participant facility {
    category:       {office, factory}
    energy_use:     kL_oe/yr
    base_emissions: tCO2/yr
    emissions:      tCO2
    heat:           GJ
    verified:       bool
    opened:         date
    change:         tCO2
  }
  covered when energy_use >= 1500 kL_oe/yr and verified and opened <= 2012-01-01
  cap = floor(base_emissions * years(period)) + change
  rule energy = heat
  units {
    allowance allowance
    credit outside "Outside" { origin = outside }
    credit linked from other_scheme
  }
  surrender {
    accept allowance, outside
    accept linked where issuer.base_emissions <= 150000 tCO2/yr
  }
}
"""

ONE_PERIOD = """
scheme one_period "One period" {
  kind cap_and_trade
  calendar calendar_year
  period only = 2013 .. 2020
  gases CO2 gwp AR4
  participant facility {
    emissions: tCO2
  }
  cap = 100 tCO2
}
"""

HEADER = "id,period,category,energy_use,base_emissions,emissions,heat,verified,opened,change"
GOOD = "F1,first,office,2000,10000,47000,12.5,true,2010-04-01,-5"


@cache
def scheme(text: str = SCHEME) -> CompiledScheme:
    compilation = compile_text(text, "test.scheme")
    assert compilation.ok, compilation.diagnostics
    return next(iter(compilation.schemes.values()))


def load(tmp_path: Path, text: str, name: str = "data.csv", compiled: str = SCHEME,
         **options: Any) -> tuple[Dataset | None, list[DataProblem]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result: tuple[Dataset | None, list[DataProblem]] = load_dataset(
        path, scheme(compiled), **options)
    return result


def rendered(tmp_path: Path, text: str, **options: Any) -> list[str]:
    """Problems as `file:row:column: message`, with the tmp folder left out."""
    dataset, problems = load(tmp_path, text, **options)
    assert dataset is None
    return [p.render().replace(f"{tmp_path}/", "") for p in problems]


def one(tmp_path: Path, text: str, **options: Any) -> DataProblem:
    dataset, problems = load(tmp_path, text, **options)
    assert dataset is None
    assert len(problems) == 1, render_problems(problems)
    return problems[0]


def table(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def test_good_table_loads_with_exact_values(tmp_path: Path) -> None:
    dataset, problems = load(tmp_path, table(GOOD))
    assert problems == []
    assert dataset is not None
    record = dataset.records[0]
    assert (record.participant, record.period, record.row) == ("F1", "first", 2)
    assert record.values["emissions"] == Decimal("47000")
    assert record.values["heat"] == Decimal("12.5")
    assert record.values["verified"] is True
    assert str(record.values["opened"]) == "2010-04-01"
    assert record.values["change"] == Decimal("-5")


# ---- columns ------------------------------------------------------------------------------


def test_missing_column_suggests_a_close_header(tmp_path: Path) -> None:
    text = table(GOOD, header=HEADER.replace(",emissions,heat", ",emision,heat"))
    problem = one(tmp_path, text)
    assert problem.render().endswith(
        "data.csv:1: missing column 'emissions'  [data-missing-column]\n  hint: did you mean 'emision'?")


def test_missing_column_without_a_close_header_names_the_input(tmp_path: Path) -> None:
    text = table("F1,first,office,2000,10000,47000,true,2010-04-01,-5",
                 header=HEADER.replace(",heat", ""))
    problem = one(tmp_path, text)
    assert problem.message == "missing column 'heat'"
    assert problem.hint == "add the column; 'heat' is an input of participant 'facility'"


def test_missing_id_column(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD, header=HEADER.replace("id,", "name,")))
    assert problem.message == "missing column 'id'"
    assert problem.hint is not None and "'id'" in problem.hint


def test_unknown_column_is_an_error_only_when_strict(tmp_path: Path) -> None:
    text = table(GOOD + ",x", header=HEADER + ",categry2")
    dataset, problems = load(tmp_path, text)
    assert dataset is not None and problems == []
    problem = one(tmp_path, text, strict=True)
    assert problem.render().endswith("data.csv:1:categry2: unknown column 'categry2'  [data-unknown-column]\n"
                                     "  hint: did you mean 'category'?")


def test_repeated_column(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD + ",3", header=HEADER + ",heat"))
    assert problem.message == "column 'heat' appears twice"


def test_empty_file(tmp_path: Path) -> None:
    assert rendered(tmp_path, "") == [
        "data.csv: the file is empty  [data-empty]\n  hint: the first row must name the columns, "
        "e.g. id,category,emissions"]


def test_header_without_rows(tmp_path: Path) -> None:
    assert rendered(tmp_path, HEADER + "\n") == [
        "data.csv: the file has a header but no participants  [data-empty]\n"
        "  hint: add one row per participant"]


def test_ragged_row(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD + ",1,2"))
    assert problem.message == "the row has 12 values but the header names 10 columns"
    assert (problem.row, problem.column) == (2, "")


# ---- cell values ------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "value", "message", "hint"), [
    ("heat", "abc", "'abc' is not a number", "write a plain decimal number such as 1234.5"),
    ("heat", "1,234.5", "'1,234.5' is not a number",
     "write plain decimals: no thousands separators, '.' as the decimal point"),
    ("heat", "12 GJ", "'12 GJ' is not a number",
     "write the unit in the column header instead, e.g. 'heat [GJ]'"),
    ("heat", "inf", "'inf' is not a finite number", "give 'heat' a finite value"),
    ("verified", "maybe", "'maybe' is not true or false", "write true or false for 'verified'"),
    ("opened", "2010-13-01", "'2010-13-01' is not a date",
     "write dates as YYYY-MM-DD, e.g. 2014-03-31"),
    ("category", "ofice", "'ofice' is not a valid 'category'", "did you mean 'office'?"),
    ("category", "shop", "'shop' is not a valid 'category'", "expected one of: office, factory"),
    ("period", "frist", "'frist' is not a period of scheme 'test_data'",
     "did you mean 'first'?"),
    ("emissions", "", "'emissions' is blank", "every row needs a value for 'emissions'"),
    ("emissions", "NaN", "'emissions' is NaN", "every row needs a value for 'emissions'; "
     "NaN usually stands for an empty cell in the program that wrote the file"),
    ("emissions", "-1", "'emissions' is negative (-1)",
     "'emissions' is an amount and cannot be below zero"),
    ("energy_use", "-1500", "'energy_use' is negative (-1500)",
     "'energy_use' is an amount and cannot be below zero"),
    ("heat", "0.1234567890123456789", "'0.1234567890123456789' has more than 18 decimal places",
     "round it to at most 18 decimal places (ETSL's precision)"),
    ("heat", "1" * 39, f"'{'1' * 39}' has more than 38 significant digits",
     "ETSL numbers have at most 38 digits, 18 of them after the decimal point"),
])
def test_bad_cell(tmp_path: Path, column: str, value: str, message: str, hint: str) -> None:
    cells = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    cells[column] = f'"{value}"' if "," in value else value
    problem = one(tmp_path, table(",".join(cells.values())))
    assert (problem.row, problem.column, problem.message, problem.hint) == (
        2, column, message, hint)


def test_negative_values_allowed_where_meaningful(tmp_path: Path) -> None:
    dataset, problems = load(tmp_path, table(GOOD.replace(",-5", ",-12.25")))
    assert problems == [] and dataset is not None
    assert dataset.records[0].values["change"] == Decimal("-12.25")


def test_precision_limits_are_inclusive(tmp_path: Path) -> None:
    row = GOOD.replace(",12.5,", ",0.123456789012345678,").replace(",-5", "," + "9" * 20)
    dataset, problems = load(tmp_path, table(row))
    assert problems == [] and dataset is not None
    assert dataset.records[0].values["heat"] == Decimal("0.123456789012345678")


def test_trailing_zeros_do_not_count_as_precision(tmp_path: Path) -> None:
    dataset, problems = load(tmp_path, table(GOOD.replace(",12.5,", ",12.50000000000000000000,")))
    assert problems == [] and dataset is not None


def test_duplicate_participant_in_the_same_period(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD, GOOD.replace("F1,first", "F2,first"), GOOD))
    assert problem.render().endswith(
        "data.csv:4:id: participant 'F1' appears twice for period 'first'  [data-duplicate-row]\n"
        "  hint: its first row is row 2; give each participant one row per period")


def test_same_participant_in_two_periods_is_fine(tmp_path: Path) -> None:
    dataset, problems = load(tmp_path, table(GOOD, GOOD.replace("first", "second")))
    assert problems == [] and dataset is not None
    assert [r.period for r in dataset.records] == ["first", "second"]


def test_duplicate_found_even_when_the_row_has_other_problems(tmp_path: Path) -> None:
    messages = [p.message for p in load(tmp_path, table(GOOD, GOOD.replace("office", "x")))[1]]
    assert "participant 'F1' appears twice for period 'first'" in messages


def test_missing_participant_id(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD.replace("F1", "")))
    assert (problem.column, problem.message) == ("id", "'id' is blank")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    bad = "F2,third,shop,-1,x,,1.5.5,perhaps,yesterday,0"
    lines = rendered(tmp_path, table(GOOD, bad, GOOD), strict=True)
    located = [line.split("\n")[0].split(": ")[0] for line in lines]
    assert located == ["data.csv:3:period", "data.csv:3:category", "data.csv:3:energy_use",
                       "data.csv:3:base_emissions", "data.csv:3:emissions", "data.csv:3:heat",
                       "data.csv:3:verified", "data.csv:3:opened", "data.csv:4:id"]


# ---- periods ----------------------------------------------------------------------------


def test_period_column_required_with_several_periods(tmp_path: Path) -> None:
    header = HEADER.replace("id,period,", "id,")
    problem = one(tmp_path, table(GOOD.replace("F1,first,", "F1,"), header=header))
    assert problem.message == "missing column 'period'"
    assert problem.hint == ("scheme 'test_data' has several periods (first, second): add a "
                            "'period' column, or choose one period to run")


def test_period_option_gives_rows_their_period(tmp_path: Path) -> None:
    header = HEADER.replace("id,period,", "id,")
    dataset, problems = load(tmp_path, table(GOOD.replace("F1,first,", "F1,"), header=header),
                             period="second")
    assert problems == [] and dataset is not None
    assert dataset.records[0].period == "second"


def test_period_option_keeps_rows_of_other_periods(tmp_path: Path) -> None:
    dataset, problems = load(tmp_path, table(GOOD, GOOD.replace("first", "second")),
                             period="second")
    assert problems == [] and dataset is not None
    assert [(r.period, r.row) for r in dataset.records] == [("first", 2), ("second", 3)]


def test_period_option_must_name_a_period(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD), period="secnd")
    assert problem.render().endswith(
        "data.csv: period 'secnd' is not a period of scheme 'test_data'  [data-unknown-value]\n"
        "  hint: did you mean 'second'?")


def test_single_period_scheme_needs_no_period_column(tmp_path: Path) -> None:
    dataset, problems = load(tmp_path, "id,emissions\nA,5\n", compiled=ONE_PERIOD)
    assert problems == [] and dataset is not None
    assert dataset.records[0].period == "only"


# ---- header units -----------------------------------------------------------------------


def test_header_unit_of_another_kind(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD, header=HEADER.replace(",emissions,", ",emissions [MWh],")))
    assert problem.render().endswith(
        "data.csv:1:emissions [MWh]: unit 'MWh' cannot be converted to 'tCO2', the unit of "
        "'emissions'  [data-unit]\n  hint: 'MWh' measures GJ and 'tCO2' measures tCO2e; use a unit of the "
        "same kind")


def test_header_unit_conversion_keeps_every_digit(tmp_path: Path) -> None:
    big = "12345678901234567890.123456789012345678"
    header = HEADER.replace(",emissions,", ",emissions [MtCO2],")
    dataset, problems = load(tmp_path, table(GOOD.replace(",47000,", f",{big},"),
                                             header=header))
    assert problems == [] and dataset is not None
    expected = Decimal("12345678901234567890123456.789012345678")
    assert dataset.records[0].values["emissions"] == expected


def test_unknown_header_unit(tmp_path: Path) -> None:
    header = HEADER.replace(",emissions,", ",emissions [ktC02],")
    problem = one(tmp_path, table(GOOD, header=header))
    assert problem.message == "unknown unit 'ktC02' in the column header"
    assert problem.hint == "did you mean 'ktCO2'?"


def test_unit_on_a_column_that_is_not_a_quantity(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD, header=HEADER.replace("category", "category [t]")))
    assert problem.message == "'category' is not a quantity, so its header cannot name a unit"


# ---- holdings -----------------------------------------------------------------------------


HOLDINGS = "participant,unit,quantity,vintage,period,issuer_base_emissions [ktCO2/yr]\n"


def load_with_holdings(tmp_path: Path, holdings: str, wide: str | None = None,
                       **options: Any) -> tuple[Dataset | None, list[DataProblem]]:
    (tmp_path / "held.csv").write_text(holdings, encoding="utf-8")
    return load(tmp_path, wide or table(GOOD), holdings=tmp_path / "held.csv", **options)


def test_holdings_table_rows_and_attributes(tmp_path: Path) -> None:
    text = HOLDINGS + "F1,linked,10.5,2012,first,120\nF1,outside,3,,,\n"
    dataset, problems = load_with_holdings(tmp_path, text)
    assert problems == [] and dataset is not None
    linked, outside = dataset.holdings
    assert (linked.unit, linked.quantity, linked.period, linked.row) == (
        "linked", Decimal("10.5"), "first", 2)
    assert linked.attributes == {"issuer_scheme": "other_scheme", "vintage": Decimal(2012),
                                 "issuer_base_emissions": Decimal(120000)}
    assert (outside.period, outside.attributes) == (None, {"origin": "outside"})


def test_unknown_unit_type_in_holdings(tmp_path: Path) -> None:
    dataset, problems = load_with_holdings(tmp_path, HOLDINGS + "F1,outsde,3,,,\n")
    assert dataset is None
    assert [p.render().replace(f"{tmp_path}/", "") for p in problems] == [
        "held.csv:2:unit: 'outsde' is not a unit type of scheme 'test_data'  [data-unknown-value]\n"
        "  hint: did you mean 'outside'?"]


def test_unknown_unit_type_in_a_held_column(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD + ",4", header=HEADER + ",held.alowance"))
    assert problem.render().endswith(
        "data.csv:1:held.alowance: unknown unit type 'alowance' in column 'held.alowance'  [data-unknown-column]\n"
        "  hint: did you mean 'allowance'?")


def test_held_columns_become_holdings(tmp_path: Path) -> None:
    header = HEADER + ",held.outside [kt CO2e],held_allowance,carry_in"
    dataset, problems = load(tmp_path, table(GOOD + ",0.25,0,7", header=header))
    assert problems == [] and dataset is not None
    (holding,) = dataset.holdings
    assert (holding.unit, holding.quantity, holding.attributes) == (
        "outside", Decimal("250.00"), {"origin": "outside"})
    assert dataset.records[0].values["carry_in"] == Decimal(7)
    assert "held.outside" not in dataset.records[0].values


def test_negative_holdings(tmp_path: Path) -> None:
    problem = one(tmp_path, table(GOOD + ",-4", header=HEADER + ",held.outside"))
    assert problem.message == "'held.outside' is negative (-4)"
    dataset, problems = load_with_holdings(tmp_path, HOLDINGS + "F1,outside,-3,,,\n")
    assert dataset is None and [p.message for p in problems] == ["'quantity' is negative (-3)"]


def test_holdings_missing_columns(tmp_path: Path) -> None:
    dataset, problems = load_with_holdings(tmp_path, "participant,unit,amount\nF1,outside,3\n")
    assert dataset is None
    assert [(p.message, p.hint) for p in problems] == [
        ("missing column 'quantity'", "add a 'quantity' column with the amount held, in tCO2e")]


def test_holdings_accept_id_for_participant(tmp_path: Path) -> None:
    dataset, problems = load_with_holdings(tmp_path, "id,unit,quantity\nF1,outside,3\n")
    assert problems == [] and dataset is not None
    assert dataset.holdings[0].participant == "F1"


def test_holding_of_an_unknown_participant_is_a_warning(tmp_path: Path) -> None:
    dataset, problems = load_with_holdings(tmp_path, "id,unit,quantity\nF9,outside,3\n")
    assert dataset is not None
    assert [p.render().replace(f"{tmp_path}/", "") for p in problems] == [
        "held.csv:2:participant: warning: participant 'F9' is not in the participant table  [data-unknown-participant]\n"
        "  hint: check the id; this holding is not used"]


def test_holdings_periods(tmp_path: Path) -> None:
    text = HOLDINGS + "F1,outside,1,,first,\nF1,outside,2,,second,\nF1,outside,3,,,\n"
    dataset, problems = load_with_holdings(tmp_path, text)
    assert problems == [] and dataset is not None
    assert [h.quantity for h in dataset.holdings_of("F1", "first")] == [Decimal(1), Decimal(3)]
    assert [h.quantity for h in dataset.holdings_of("F1", "second")] == [Decimal(2), Decimal(3)]


def test_strict_makes_warnings_errors(tmp_path: Path) -> None:
    dataset, problems = load_with_holdings(tmp_path, "id,unit,quantity\nF9,outside,3\n",
                                           strict=True)
    assert dataset is None
    assert [(p.severity, p.message) for p in problems] == [
        ("error", "participant 'F9' is not in the participant table")]


def test_holdings_are_checked_even_when_the_participant_table_is_unreadable(
        tmp_path: Path) -> None:
    (tmp_path / "held.csv").write_text("participant,unit,quantity\nF1,outsde,1\n")
    dataset, problems = load_dataset(tmp_path / "missing.csv", scheme(),
                                     holdings=tmp_path / "held.csv")
    assert dataset is None
    assert [p.message for p in problems] == [
        "file not found", "'outsde' is not a unit type of scheme 'test_data'"]


# ---- mapping ----------------------------------------------------------------------------


def test_mapping_renames_columns_and_can_add_units(tmp_path: Path) -> None:
    header = HEADER.replace("id,", "Facility ID,").replace(",emissions,", ",CO2 kt,")
    mapping = {"Facility ID": "id", "CO2 kt": "emissions [kt CO2]"}
    dataset, problems = load(tmp_path, table(GOOD.replace(",47000,", ",47.5,"), header=header),
                             mapping=mapping)
    assert problems == [] and dataset is not None
    assert dataset.records[0].values["emissions"] == Decimal("47500.0")


def test_mapping_to_an_unknown_input(tmp_path: Path) -> None:
    header = HEADER.replace(",emissions,", ",CO2,")
    dataset, problems = load(tmp_path, table(GOOD, header=header), mapping={"CO2": "emision"})
    assert dataset is None
    assert [(p.column, p.message, p.hint) for p in problems][0] == (
        "CO2", "the mapping gives column 'CO2' to 'emision', which the scheme does not define",
        "did you mean 'emissions'?")


def test_mapping_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "mapping.txt"
    path.write_text('# columns of the 2014 survey\n[columns]\nFacility ID = id\n'
                    '"CO2 (kt)" = "emissions [kt CO2]"  \nenergy = energy_use # kL\n\n')
    assert load_mapping(path) == {"Facility ID": "id", "CO2 (kt)": "emissions [kt CO2]",
                                  "energy": "energy_use"}


def test_bad_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.txt"
    path.write_text("id\na = b\na = c\n = x\n")
    mapping, problems = read_mapping(path)
    assert mapping == {"a": "b"}
    assert [(p.row, p.message) for p in problems] == [
        (1, "expected 'column = input'"), (3, "column 'a' is mapped twice"),
        (4, "expected 'column = input'")]
    with pytest.raises(MappingError) as raised:
        load_mapping(path)
    assert raised.value.problems == problems


# ---- rendering ----------------------------------------------------------------------------


def test_render_problems_counts_and_limits() -> None:
    problems = [DataProblem("data-blank", "d.csv", 2, "x", "bad"),
                DataProblem("data-blank", "d.csv", 3, "x", "worse"),
                DataProblem("data-unknown-participant", "d.csv", 4, "", "odd", severity="warning")]
    assert render_problems(problems) == (
        "d.csv:2:x: bad  [data-blank]\nd.csv:3:x: worse  [data-blank]\n"
        "d.csv:4: warning: odd  [data-unknown-participant]\n2 errors, 1 warning in the data")
    assert render_problems(problems, limit=1) == (
        "d.csv:2:x: bad  [data-blank]\n… and 2 more\n2 errors, 1 warning in the data")


def test_data_problems_need_a_registered_code() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        DataProblem("no-such-code", "d.csv", 2, "x", "bad")
    problem = DataProblem("data-blank", "d.csv", 2, "x", "bad", "fill it")
    assert problem.to_dict() == {"code": "data-blank", "severity": "error", "path": "d.csv",
                                 "row": 2, "column": "x", "message": "bad", "hint": "fill it"}


# ---- docs/data.md -----------------------------------------------------------------------------


DOC = Path(__file__).resolve().parent.parent / "docs" / "data.md"
BLOCK = re.compile(r"^```(\w+)[ \t]*([^\n]*)\n(.*?)^```", re.S | re.M)


def doc_examples() -> list[tuple[dict[str, str], dict[str, str], str]]:
    """(files so far, options, expected output) for every ```output block of the page."""
    files: dict[str, str] = {}
    examples = []
    for language, info, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if language == "output":
            options = dict(o.partition("=")[::2] for o in info.split())
            examples.append((dict(files), options, body.rstrip("\n")))
        elif info.strip():
            files[info.strip()] = body
    return examples


def test_doc_has_examples() -> None:
    assert len(doc_examples()) >= 5


@pytest.mark.parametrize("index", range(len(doc_examples())))
def test_doc_example(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files, options, expected = doc_examples()[index]
    text = DOC.read_text(encoding="utf-8")
    doc_scheme = scheme(re.findall(r"```etsl\n(.*?)```", text, re.S)[0])
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    mapping = load_mapping(Path(options["mapping"])) if "mapping" in options else None
    holdings = Path(options["holdings"]) if "holdings" in options else None
    _, problems = load_dataset(Path(options["data"]), doc_scheme, holdings=holdings,
                               mapping=mapping, strict="strict" in options,
                               period=options.get("period") or None)
    assert render_problems(problems) == expected


def test_mapping_file_quotes_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text("[columns]\n'Tonnes = CO2' = \"emissions\"  # t\n\"a#b\" = 'held.x'\n"
                    "plain = id # note\n")
    assert load_mapping(path) == {"Tonnes = CO2": "emissions", "a#b": "held.x", "plain": "id"}
