"""Participant data readers: CSV, JSON, Parquet and Excel round trips, exact numbers, units."""

from __future__ import annotations

import codecs
import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.data.load import DataProblem, load_dataset
from etsl.runtime.data.readers import cell_text, read_table, sniff_delimiter
from etsl.runtime.records import Dataset

ROOT = Path(__file__).resolve().parent.parent
SCHEME = """
scheme readers "Reader test scheme" {
  kind cap_and_trade
  calendar calendar_year
  period only = 2013 .. 2020
  gases CO2 gwp AR4
  participant facility {
    category:  {office, factory}
    emissions: tCO2
    heat:      GJ
    verified:  bool
    opened:    date
  }
  covered when verified and opened <= 2020-01-01 and heat >= 0 GJ
  cap = 100 tCO2
  units {
    credit outside
  }
  surrender {
    accept outside
  }
}
"""
HEADER = ["id", "category", "emissions", "heat", "verified", "opened"]
ROWS = [["F1", "office", "47000.25", "0.1", "true", "2014-04-01"],
        ["F2", "factory", "123456789012345678.123456789", "3", "false", "2015-01-31"]]
EXPECTED = [("F1", "office", Decimal("47000.25"), Decimal("0.1"), True, date(2014, 4, 1)),
            ("F2", "factory", Decimal("123456789012345678.123456789"), Decimal(3), False,
             date(2015, 1, 31))]


@cache
def scheme() -> CompiledScheme:
    compilation = compile_text(SCHEME, "readers.scheme")
    assert compilation.ok, compilation.diagnostics
    return compilation.schemes["readers"]


def values(dataset: Dataset | None) -> list[tuple[object, ...]]:
    assert dataset is not None
    return [(r.participant, *(r.values[c] for c in HEADER[1:])) for r in dataset.records]


def load(path: Path, **options: Any) -> tuple[Dataset | None, list[DataProblem]]:
    result: tuple[Dataset | None, list[DataProblem]] = load_dataset(path, scheme(), **options)
    return result


def write_csv(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    lines = [delimiter.join(row) for row in [HEADER, *ROWS]]
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


# ---- CSV ------------------------------------------------------------------------------------


def test_csv_round_trip_is_exact(tmp_path: Path) -> None:
    dataset, problems = load(write_csv(tmp_path / "data.csv"))
    assert problems == []
    assert values(dataset) == EXPECTED
    assert dataset is not None and dataset.records[1].row == 3


@pytest.mark.parametrize(("delimiter", "encoding", "name"), [
    (";", "utf-8-sig", "excel.csv"),
    ("\t", "utf-8", "data.tsv"),
    (",", "utf-8-sig", "bom.csv"),
    ("\t", "utf-16", "unicode.txt"),
])
def test_csv_dialects(tmp_path: Path, delimiter: str, encoding: str, name: str) -> None:
    path = write_csv(tmp_path / name, delimiter, encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(codecs.BOM_UTF8)
    dataset, problems = load(path)
    assert problems == []
    assert values(dataset) == EXPECTED


def test_semicolon_csv_with_decimal_commas_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id;category;emissions;heat;verified;opened\n"
                    "F1;office;47000,25;1;true;2014-04-01\n", encoding="utf-8-sig")
    dataset, problems = load(path)
    assert dataset is None
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "emissions", "'47000,25' is not a number")]


def test_quoted_cells_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text('id,category,emissions,heat,verified,opened\n\n"F,1",office,"1",2,TRUE,'
                    "2014-04-01\n,,,,,\n")
    dataset, problems = load(path)
    assert problems == []
    assert dataset is not None and [(r.participant, r.row) for r in dataset.records] == [
        ("F,1", 3)]


def test_sniff_delimiter_ignores_quoted_delimiters() -> None:
    assert sniff_delimiter('"a;b;c",x,y\n1;2;3;4;5\n') == ","
    assert sniff_delimiter("a;b;c\n") == ";"
    assert sniff_delimiter("a\tb\n") == "\t"
    assert sniff_delimiter("single\n") == ","


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes("id,category\nF1,bureau\xe9\n".encode("latin-1"))
    dataset, problems = load(path)
    assert dataset is None
    assert [(p.message, p.hint) for p in problems] == [
        ("the file is not UTF-8 text (byte 21)", "save it as 'CSV UTF-8'")]


# ---- header units ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["emissions [ktCO2]", "emissions [kt CO2]",
                                    "emissions[ kt CO2 ]", "emissions [ktCO2e]"])
def test_header_unit_kilotonnes_to_tonnes_exactly(tmp_path: Path, header: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(f"id,category,{header},heat [MWh],verified,opened\n"
                    "F1,office,0.001,0.1,true,2014-04-01\nF2,office,47.123456789,1,no,2014-04-01\n")
    dataset, problems = load(path)
    assert problems == []
    assert dataset is not None
    assert [r.values["emissions"] for r in dataset.records] == [Decimal(1), Decimal("47123.456789")]
    assert [r.values["heat"] for r in dataset.records] == [Decimal("0.36"), Decimal("3.6")]


# ---- JSON ---------------------------------------------------------------------------------


def json_records() -> list[dict[str, object]]:
    return [dict(zip(HEADER, row, strict=True)) for row in ROWS]


def test_json_array_round_trip_keeps_number_text(tmp_path: Path) -> None:
    text = json.dumps(json_records())
    for number in ("47000.25", "123456789012345678.123456789", "0.1", "3"):
        text = text.replace(f'"{number}"', number)  # real JSON numbers, never floats
    text = text.replace('"true"', "true").replace('"false"', "false")
    path = tmp_path / "data.json"
    path.write_text(text)
    dataset, problems = load(path)
    assert problems == []
    assert values(dataset) == EXPECTED


def test_json_records_object(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"scheme": "readers", "records": json_records()}))
    dataset, problems = load(path)
    assert problems == []
    assert values(dataset) == EXPECTED


@pytest.mark.parametrize(("text", "row", "message"), [
    ('[{"id": "F1",}]', 0, "invalid JSON: Expecting property name enclosed in double quotes "
     "(line 1, column 14)"),
    ('{"rows": []}', 0, 'expected a JSON array of records or an object with a "records" array'),
    ('[["F1"]]', 2, "the record is not a JSON object"),
    ("  ", 0, "the file is empty"),
])
def test_bad_json(tmp_path: Path, text: str, row: int, message: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(text)
    dataset, problems = load(path)
    assert dataset is None
    assert (problems[0].row, problems[0].message) == (row, message)


def test_json_nested_value(tmp_path: Path) -> None:
    records = json_records()
    records[0]["heat"] = {"value": 1}
    path = tmp_path / "data.json"
    path.write_text(json.dumps(records))
    dataset, problems = load(path)
    assert dataset is None
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "heat", "the value is not a single number, text or true/false"),
        (2, "heat", "'heat' is blank")]


# ---- Parquet ------------------------------------------------------------------------------


def test_parquet_round_trip_decimals_exact_and_floats_warned(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "id": ["F1", "F2"],
        "category": ["office", "factory"],
        "emissions": pa.array([Decimal("47000.25"), Decimal("123456789012345678.123456789")],
                              pa.decimal128(38, 9)),
        "heat": pa.array([0.1, 3.0], pa.float64()),
        "verified": [True, False],
        "opened": pa.array([date(2014, 4, 1), date(2015, 1, 31)], pa.date32()),
    })
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    dataset, problems = load(path)
    assert [(p.severity, p.column, p.message) for p in problems] == [
        ("warning", "heat", "binary floating-point column: values are read from their "
         "shortest decimal form")]
    assert values(dataset) == [
        ("F1", "office", Decimal("47000.250000000"), Decimal("0.1"), True, date(2014, 4, 1)),
        ("F2", "factory", Decimal("123456789012345678.123456789"), Decimal("3.0"), False,
         date(2015, 1, 31))]


def test_parquet_strings_and_integers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": ["F1"], "category": ["office"], "emissions": ["47000.25"],
                      "heat": pa.array([3], pa.int64()), "verified": ["true"],
                      "opened": ["2014-04-01"]})
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    dataset, problems = load(path)
    assert problems == []
    assert values(dataset) == [("F1", "office", Decimal("47000.25"), Decimal(3), True,
                                date(2014, 4, 1))]


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    path.write_bytes(b"not parquet at all")
    dataset, problems = load(path)
    assert dataset is None
    assert problems[0].message.startswith("cannot read the Parquet file:")


# ---- Excel --------------------------------------------------------------------------------


def write_xlsx(path: Path, sheet: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    first.append(["this sheet is not the data"])
    data = book.create_sheet(sheet) if sheet else first
    if sheet is None:
        data.delete_rows(1)
        book.move_sheet(data, -1)
    data.append(HEADER)
    data.append(["F1", "office", 47000.25, 0.1, True, datetime(2014, 4, 1)])
    data.append(["F2", "factory", "123456789012345678.123456789", 3, False, "2015-01-31"])
    book.save(path)
    return path


def test_xlsx_round_trip_first_sheet(tmp_path: Path) -> None:
    dataset, problems = load(write_xlsx(tmp_path / "data.xlsx"))
    assert problems == []
    assert values(dataset) == EXPECTED


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", sheet="Facilities")
    dataset, problems = load(Path(f"{path}#Facilities"))
    assert problems == []
    assert values(dataset) == EXPECTED
    dataset, problems = load(Path(f"{path}#Facilitys"))
    assert dataset is None
    assert [(p.message, p.hint) for p in problems] == [
        ("no sheet named 'Facilitys'", "did you mean 'Facilities'?")]


def test_xlsx_numeric_cells_read_through_their_decimal_text(tmp_path: Path) -> None:
    assert cell_text(0.1) == "0.1"
    assert cell_text(47000.25) == "47000.25"
    assert cell_text(1e-7) == "1E-7"
    assert cell_text(3) == "3"
    assert cell_text(True) == "true"
    assert cell_text(datetime(2014, 4, 1)) == "2014-04-01"
    assert cell_text(Decimal("1.50")) == "1.50"


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("id,category\n")
    dataset, problems = load(path)
    assert dataset is None
    assert problems[0].message.startswith("cannot read the Excel file:")
    assert problems[0].hint == "save it from Excel as an .xlsx workbook"


# ---- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "message", "hint"), [
    ("missing.csv", "file not found", None),
    ("data.ods", "unsupported file type '.ods'", "use .csv, .tsv, .json, .parquet or .xlsx"),
    ("old.xls", "old-style .xls workbooks are not supported",
     "save it from Excel as an .xlsx workbook, or as CSV UTF-8"),
])
def test_file_problems(tmp_path: Path, name: str, message: str, hint: str | None) -> None:
    if name != "missing.csv":
        (tmp_path / name).write_bytes(b"x")
    dataset, problems = load(tmp_path / name)
    assert dataset is None
    assert [(p.row, p.column, p.message, p.hint) for p in problems] == [(0, "", message, hint)]
    assert problems[0].render().startswith(f"{tmp_path / name}: {message}")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    table, problems = read_table(tmp_path)
    assert table is None and problems[0].message == "this is a folder, not a data file"


# ---- the Tokyo example ----------------------------------------------------------------------


def tokyo() -> CompiledScheme:
    compilation = compile_paths([ROOT / "schemes" / "japan" / "tokyo_cat.scheme"])
    assert compilation.ok
    return compilation.schemes["tokyo_cat"]


def test_tokyo_example_data_loads_cleanly() -> None:
    examples = ROOT / "examples"
    dataset, problems = load_dataset(examples / "tokyo_facilities.csv", tokyo(),
                                     holdings=examples / "tokyo_holdings.csv", strict=True)
    assert problems == []
    assert dataset is not None
    assert len(dataset.records) == 300
    offices = sum(r.values["category"] == "office" for r in dataset.records)
    assert 150 <= offices <= 210
    below = sum(r.values["energy_use"] < 1500 for r in dataset.records)
    assert 10 <= below <= 80
    saitama = [h for h in dataset.holdings if h.unit == "saitama_excess"]
    assert saitama and all(h.attributes["issuer_scheme"] == "saitama_tset" for h in saitama)


def test_tokyo_example_data_is_what_the_generator_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_tokyo",
                                                  ROOT / "examples" / "generate_tokyo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    facilities, holdings = module.generate()
    assert facilities == (ROOT / "examples" / "tokyo_facilities.csv").read_text()
    assert holdings == (ROOT / "examples" / "tokyo_holdings.csv").read_text()
