"""The compiler's CLI commands: exit codes, formats, atomic output, start-up time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.golden import REPO

OK = REPO / "tests" / "cases" / "language" / "ok" / "minimal.scheme"
BAD = REPO / "tests" / "cases" / "types" / "err" / "unit-mismatch.scheme"


def etsl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "etsl", *args], capture_output=True, text=True,
                          cwd=cwd)


def test_check_clean_file_exits_0() -> None:
    run = etsl("check", str(OK))
    assert run.returncode == 0
    assert "0 error(s)" in run.stdout


def test_check_errors_exit_1_with_location() -> None:
    run = etsl("check", str(BAD.relative_to(REPO)))
    assert run.returncode == 1
    assert "tests/cases/types/err/unit-mismatch.scheme:3:16: error: cannot add" in run.stdout


def test_check_usage_error_exits_2() -> None:
    assert etsl("check").returncode == 2
    assert etsl("check", "--no-such-option", str(OK)).returncode == 2


def test_check_json() -> None:
    run = etsl("check", "--format", "json", str(BAD))
    data = json.loads(run.stdout)
    assert data["format"] == "etsl.diagnostics/1"
    assert data["diagnostics"][0]["code"] == "unit-mismatch"
    assert data["diagnostics"][0]["line"] == 3


def test_check_folder_recurses() -> None:
    run = etsl("check", "tests/cases/validation")
    assert run.returncode == 1
    assert "[period-overlap]" in run.stdout and "[table-shape]" in run.stdout


def test_no_colour_when_not_a_tty() -> None:
    assert "\x1b[" not in etsl("check", str(BAD)).stdout


def test_fmt_check_and_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "messy.scheme"
    path.write_text("scheme s {kind   cap_and_trade}\n")
    assert etsl("fmt", "--check", str(path)).returncode == 1
    assert path.read_text() == "scheme s {kind   cap_and_trade}\n"
    assert etsl("fmt", str(path)).returncode == 0
    assert path.read_text() == "scheme s {\n  kind cap_and_trade\n}\n"
    assert etsl("fmt", "--check", str(path)).returncode == 0


def test_fmt_refuses_broken_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.scheme"
    path.write_text("scheme s { rule x 5 }")
    run = etsl("fmt", str(path))
    assert run.returncode == 1
    assert "a rule needs '=' after its name" in run.stdout
    assert path.read_text() == "scheme s { rule x 5 }"


def test_export_model_json(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    assert etsl("export", str(OK), "-o", str(out)).returncode == 0
    model = json.loads(out.read_text())
    assert model["format"] == "etsl.scheme/1"
    assert model["name"] == "minimal"
    assert next(r for r in model["rules"] if r["name"] == "cap")["formula"]["text"] == "100 tCO2e"


def test_export_of_bad_scheme_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    assert etsl("export", str(BAD), "-o", str(out)).returncode == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_graph_dot_and_json() -> None:
    dot = etsl("graph", str(OK)).stdout
    assert '"rule:cap" -> "rule:shortfall"' in dot
    data = json.loads(etsl("graph", "--format", "json", str(OK)).stdout)
    assert {"from": "rule:cap", "to": "rule:shortfall"}.items() <= next(
        e for e in data["edges"] if e["from"] == "rule:cap" and e["to"] == "rule:shortfall").items()


def test_schema_is_json_schema() -> None:
    data = json.loads(etsl("schema").stdout)
    assert data["title"] == "SchemeModel"
    assert "rules" in data["properties"]


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys; from etsl.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('lark', 'pydantic', 'networkx', 'jinja2', 'duckdb', 'rich') "
            "if m in sys.modules]\nprint(heavy)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_check_does_not_import_graph_or_engine_libraries() -> None:
    """`etsl check` compiles a scheme whole (rule graph and cycle test included) without
    networkx, pydantic or the engines' libraries: importing them costs more than the check."""
    code = ("import sys; from etsl.cli import cli\n"
            "try:\n    cli(['check', 'schemes/world/eu_ets.scheme'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('networkx', 'pydantic', 'duckdb', 'sqlglot', 'jinja2') "
            "if m in sys.modules]\nprint(heavy)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert "0 error(s)" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"


#: What a first `etsl check` (no cache) has no use for: the graph, model and engine libraries,
#: and the standard library's heavier corners (importlib.metadata and the email package come
#: with the GWP package's `__init__`, ctypes and subprocess with the atomic folder swap,
#: zipfile with importlib.resources).
NOT_FOR_A_COLD_CHECK = (
    "networkx", "pydantic", "duckdb", "sqlglot", "jinja2", "rich", "globalwarmingpotentials",
    "importlib.metadata", "email", "ctypes", "subprocess", "importlib.resources", "zipfile",
)


def test_a_cold_check_imports_only_what_checking_needs() -> None:
    code = ("import sys; from etsl.cli import cli\n"
            "try:\n    cli(['check', 'schemes/japan/tokyo_cat.scheme'])\n"
            "except SystemExit:\n    pass\n"
            f"print([m for m in {NOT_FOR_A_COLD_CHECK!r} if m in sys.modules])")
    env = {**os.environ, "ETSL_NO_CACHE": "1"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         env=env)
    assert "0 error(s)" in run.stdout, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"
