"""Data, evaluation and scenario codes: every one is produced by a case whose output is golden.

A case is tests/cases/<area>/err/<code>.cmd — an `etsl …` command (or `python SCRIPT`) run in
a copy of that folder — and <code>.expected, what it prints on standard error (stdout for
scripts). docs/diagnostics.md shows each command, its input and its output.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.codes import CODES

from etsl.cli import cli
from tests.golden import REPO, check_golden

AREAS = ("data", "evaluation", "scenario")
CASES = sorted(p for area in AREAS for p in (REPO / "tests" / "cases" / area / "err").glob("*.cmd"))
HEADER = "id,period,category,energy_use,base_emissions,emissions,audited,joined\n"


def _long_cell() -> bytes:
    row = "F" + "x" * 131_072 + ",first,office,2000,10000,47000,true,2009-04-01\n"
    return (HEADER + row).encode()


def _float_column() -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    names = HEADER.strip().split(",")
    cells = ["F001", "first", "office", "2000", "10000", None, "true", "2009-04-01"]
    columns = {n: pa.array([c]) for n, c in zip(names, cells, strict=True)}
    columns["emissions"] = pa.array([47000.5], pa.float64())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


#: Inputs that cannot be checked-in text files, made when a case runs.
GENERATED = {
    "data-cell-too-long.csv": _long_cell,
    "data-float-column.parquet": _float_column,
}


def run_case(case: Path, folder: Path) -> str:
    """Run a case's command in a copy of its folder; what it prints (errors for etsl)."""
    shutil.copytree(case.parent, folder, dirs_exist_ok=True)
    for name, make in GENERATED.items():
        (folder / name).write_bytes(make())
    words = shlex.split(case.read_text(encoding="utf-8"), comments=True)
    if words[0] == "python":
        done = subprocess.run(
            [sys.executable, *words[1:]], cwd=folder, capture_output=True, text=True, check=False
        )
        return done.stdout + done.stderr
    assert words[0] == "etsl", case
    with _inside(folder):
        result = CliRunner().invoke(cli, words[1:], prog_name="etsl")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.stderr


class _inside:
    def __init__(self, folder: Path) -> None:
        self.folder, self.before = folder, Path.cwd()

    def __enter__(self) -> None:
        import os

        os.chdir(self.folder)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.before)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_prints_its_code(case: Path, tmp_path: Path, update_golden: bool) -> None:
    output = run_case(case, tmp_path / "case")
    assert f"[{case.stem}]" in output, output
    check_golden(case.with_suffix(".expected"), output, update_golden)


def test_every_data_and_evaluation_code_has_a_case() -> None:
    covered = {p.stem for p in CASES}
    wanted = {name for name, code in CODES.items() if code.area in AREAS}
    assert not wanted - covered, f"codes without a case: {sorted(wanted - covered)}"
    assert not covered - wanted, f"cases without a code: {sorted(covered - wanted)}"
