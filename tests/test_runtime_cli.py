"""`etsl run`, `etsl explain` and `etsl test` from the command line."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from etsl.cli import cli
from tests.test_examples_runner import EXAMPLES
from tests.test_reference_engine import INTENSITY, TOKYO

DATA = """id,period,category,energy_use,base_emissions,emissions,held.outside_tokyo
F1,first,office,2000,10000,47000,
F2,first,factory,2000,3450,16000,
F1,second,office,2000,10000,40000,
F3,first,office,1400,2500,13000,500
"""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "tokyo.scheme").write_text(TOKYO)
    (tmp_path / "data.csv").write_text(DATA)
    (tmp_path / "holdings.csv").write_text(
        "participant,unit,quantity,period\nF1,excess_reduction,250,first\n"
    )
    return tmp_path


def run_args(files: Path, *extra: str | Path) -> list[str | Path]:
    return [
        "run",
        files / "tokyo.scheme",
        "--participants",
        files / "data.csv",
        "--engine",
        "reference",
        *extra,
    ]


def test_run_prints_rows_and_summary(files: Path) -> None:
    result = invoke(*run_args(files))
    assert result.exit_code == 0, result.output
    assert "tokyo_test: results" in result.output
    assert "tokyo_test: summary (reference engine)" in result.output
    assert "total cap (covered participants)" in result.output
    assert "103,715 t CO2e" in result.output  # F3 is not covered: its 11,500 t are not summed
    assert "fine up to 500,000 JPY; publish" in result.output


def test_run_writes_csv_json_and_parquet(files: Path) -> None:
    result = invoke(*run_args(files, "--holdings", files / "holdings.csv", "-o", files / "out.csv"))
    assert result.exit_code == 0, result.output
    header, *rows = (files / "out.csv").read_text().splitlines()
    columns = header.split(",")
    f1 = dict(zip(columns, rows[0].split(","), strict=True))
    assert (f1["participant"], f1["period"], f1["cap"]) == ("F1", "first", "46000")
    assert f1["eligible.excess_reduction"] == "250" and f1["shortfall"] == "750"
    f1_second = dict(zip(columns, rows[2].split(","), strict=True))
    assert f1_second["carry_in"] == "0" and f1_second["surplus"] == "1500"
    assert "wrote 4 rows" in result.output
    assert invoke(*run_args(files, "-o", files / "out.json")).exit_code == 0
    document = json.loads((files / "out.json").read_text())
    assert document["summary"]["non_compliant"] == 1
    pytest.importorskip("pyarrow")
    assert invoke(*run_args(files, "-o", files / "out.parquet")).exit_code == 0
    assert (files / "out.parquet").stat().st_size > 0


def test_run_one_period(files: Path) -> None:
    result = invoke(*run_args(files, "--period", "second", "-o", files / "out.csv"))
    assert result.exit_code == 0, result.output
    assert len((files / "out.csv").read_text().splitlines()) == 2


def test_evaluation_errors_exit_1_without_output(files: Path) -> None:
    (files / "intensity.scheme").write_text(INTENSITY)
    (files / "plants.csv").write_text("id,output,emissions,note_base\nA,100,60,1\nB,0,60,1\n")
    args = [
        "run",
        files / "intensity.scheme",
        "--participants",
        files / "plants.csv",
        "-o",
        files / "out.csv",
        "--engine",
        "reference",
    ]
    result = invoke(*args)
    assert result.exit_code == 1
    assert (
        "participant 'B', period 'p': cannot compute 'intensity': division by zero" in result.output
    )
    assert not (files / "out.csv").exists()
    assert list(files.glob(".out.csv*")) == []
    result = invoke(*args, "--allow-errors")
    assert result.exit_code == 0
    text = (files / "out.csv").read_text()
    assert "intensity: division by zero in 'emissions / output'" in text


def test_bad_options_are_usage_errors(files: Path) -> None:
    result = invoke(*run_args(files, "-o", files / "out.txt"))
    assert result.exit_code == 2 and "cannot write '.txt' files" in result.output
    result = invoke(*run_args(files, "--engine", "quantum"))
    assert result.exit_code == 2 and "unknown engine 'quantum'" in result.output
    result = invoke(*run_args(files, "--period", "frist"))
    assert result.exit_code == 2 and "did you mean 'first'?" in result.output
    assert not (files / "out.txt").exists()


def test_bad_data_is_reported_by_the_reader(files: Path) -> None:
    (files / "bad.csv").write_text(
        "id,period,category,energy_use,base_emissions,emissions\nF1,first,office,lots,10000,47000\n"
    )
    result = invoke(
        "run", files / "tokyo.scheme", "--participants", files / "bad.csv", "--engine", "reference"
    )
    assert result.exit_code == 1 and "bad.csv:2:energy_use" in result.output


def test_the_default_engine_agrees_with_the_reference(files: Path) -> None:
    (files / "one.csv").write_text(
        "\n".join(line for line in DATA.splitlines() if "second" not in line) + "\n"
    )
    base = ["run", files / "tokyo.scheme", "--participants", files / "one.csv", "-o"]
    assert invoke(*base, files / "default.csv").exit_code == 0
    assert invoke(*base, files / "reference.csv", "--engine", "reference").exit_code == 0
    assert (files / "default.csv").read_text() == (files / "reference.csv").read_text()


def test_explain_text(files: Path) -> None:
    result = invoke(
        "explain",
        files / "tokyo.scheme",
        "--participants",
        files / "data.csv",
        "--id",
        "F1",
        "--period",
        "first",
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("tokyo_test: participant F1, period first")
    assert "cap = floor(10,000 t CO2e/yr × 5 yr × (1 − 8 %)) = 46,000 t CO2e" in result.output
    assert "period second" not in result.output


def test_explain_both_periods_and_one_rule(files: Path) -> None:
    result = invoke(
        "explain",
        files / "tokyo.scheme",
        "--participants",
        files / "data.csv",
        "--id",
        "F1",
        "--rule",
        "carry_in",
    )
    assert result.exit_code == 0, result.output
    assert "carry_in = 0 t CO2e — banked 0 t CO2e in period first" in result.output
    assert "period first" in result.output and "period second" in result.output


def test_explain_json(files: Path) -> None:
    result = invoke(
        "explain",
        files / "tokyo.scheme",
        "--participants",
        files / "data.csv",
        "--id",
        "F2",
        "--rule",
        "cap",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    (trace,) = document["traces"]
    assert trace["format"] == "etsl.trace/1" and trace["root"] == "cap"
    assert trace["values"]["cap"]["value"] == "16215"


def test_explain_unknown_participant_or_rule(files: Path) -> None:
    base = ["explain", files / "tokyo.scheme", "--participants", files / "data.csv"]
    result = invoke(*base, "--id", "F11")
    assert result.exit_code == 2 and "no participant 'F11'" in result.output
    result = invoke(*base, "--id", "F1", "--rule", "kap")
    assert result.exit_code == 2 and "did you mean 'cap'?" in result.output
    result = invoke(*base, "--id", "F2", "--period", "second")
    assert result.exit_code == 2 and "has no row for period 'second'" in result.output


def test_test_command_passes_and_fails(files: Path) -> None:
    (files / "examples.scheme").write_text(EXAMPLES)
    result = invoke("test", files / "examples.scheme", "-k", "office over")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        'PASS tokyo_test: "office over its cap"',
        "1 example(s): 1 passed, 0 failed",
    ]
    result = invoke("test", files / "examples.scheme")
    assert result.exit_code == 1
    assert 'FAIL tokyo_test: "wrong on purpose"' in result.output
    assert "    - expected 46,000 t CO2e" in result.output
    assert result.output.rstrip().endswith("5 example(s): 3 passed, 2 failed")


def test_test_command_reports_schemes_that_do_not_compile(files: Path) -> None:
    (files / "broken.scheme").write_text('scheme broken "B" { rule x = y }')
    result = invoke("test", files / "broken.scheme", files / "tokyo.scheme")
    assert result.exit_code == 1
    assert "unknown name 'y'" in result.output
    assert "some schemes did not compile" in result.output


# ---- docs/runtime.md: every file and command on the page -------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "runtime.md"
BLOCK = re.compile(r"^```(\w+)(?: (\S+))?\n(.*?)^```$", re.M | re.S)


def doc_blocks() -> list[tuple[str, str | None, str]]:
    return [(m.group(1), m.group(2), m.group(3)) for m in BLOCK.finditer(DOC.read_text())]


def test_runtime_doc_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = doc_blocks()
    inputs = [
        (name, text)
        for kind, name, text in blocks
        if name and kind in ("etsl", "csv") and name != "results.csv"
    ]
    for name, text in inputs:
        Path(name).write_text(text)
    commands = [text for kind, _, text in blocks if kind == "console"]
    assert len(commands) >= 5
    for text in commands:
        command, *expected = text.rstrip("\n").split("\n")
        assert command.startswith("$ etsl ")
        result = invoke(*shlex.split(command)[2:])
        assert result.output.rstrip("\n").split("\n") == expected, command
    written = next(text for _, name, text in blocks if name == "results.csv")
    assert Path("results.csv").read_text() == written
    python = next(text for kind, _, text in blocks if kind == "python")
    namespace: dict[str, object] = {}
    exec(compile(python, str(DOC), "exec"), namespace)  # noqa: S102
    assert namespace["results"].row("F002", "first").value("shortfall") == 485  # type: ignore[attr-defined]
    assert Path("out.parquet").exists()


def test_the_progress_bar_waits_a_second_and_needs_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from etsl.commands import data_options

    progress = data_options.LazyProgress("evaluating")
    progress(1, 10)
    assert progress.bar is None  # less than a second: nothing shown
    progress.show_at = 0
    progress(2, 10)
    assert progress.bar is None and progress.show_at == float("inf")  # not a terminal
    monkeypatch.setattr(data_options, "console", _terminal)
    shown = data_options.LazyProgress("evaluating")
    shown.show_at = 0
    shown(3, 10)
    assert shown.bar is not None
    shown.close()


def _terminal(stderr: bool = False) -> object:
    """A rich console that claims to be a terminal."""
    from io import StringIO

    from rich.console import Console

    return Console(file=StringIO(), force_terminal=True)


def test_map_reads_a_mapping_file(tmp_path: Path) -> None:
    """`--map @FILE` renames columns from a mapping file; a bad file is a usage error."""
    from click.testing import CliRunner

    from etsl.cli import cli

    scheme = tmp_path / "s.scheme"
    scheme.write_text('scheme s { participant p { emissions: tCO2e }\n cap = 100 tCO2e }\n')
    data = tmp_path / "d.csv"
    data.write_text("Facility,CO2 (t)\nF1,120\n")
    mapping = tmp_path / "mapping.txt"
    mapping.write_text("Facility = id\nCO2 (t) = emissions\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["run", str(scheme), "--participants", str(data),
                                      "--map", f"@{mapping}", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "F1,,true,100,120,20" in out.read_text()
    mapping.write_text("Facility\n")
    result = CliRunner().invoke(cli, ["run", str(scheme), "--participants", str(data),
                                      "--map", f"@{mapping}", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "the mapping file has problems" in result.output
    assert not (tmp_path / "x.csv").exists()
