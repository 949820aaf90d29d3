"""A price paid in lieu of allowances (`price ceiling … paid in lieu`): the tonnes and the
amount paid, the shortfall and surplus around them, explanations, formatting, the model.

The engines agree on it in tests/test_columnar_system.py (the generated ceiling is paid in
lieu); the misuse codes have golden cases in tests/cases/{types,validation}/err/in-lieu-*.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_text
from etsl.compiler.fmt import format_source
from etsl.compiler.source import SourceFile
from etsl.runtime.examples import run_example

from etsl.cli import cli
from tests.golden import REPO

DOC_BLOCK = next(
    block
    for block in re.findall(
        r"```etsl\n(.*?)```", (REPO / "docs" / "language.md").read_text(encoding="utf-8"), re.S
    )
    if "paid in lieu" in block
)


def compiled(text: str = DOC_BLOCK) -> CompiledScheme:
    compilation = compile_text(text)
    assert compilation.ok, compilation.diagnostics
    (scheme,) = compilation.schemes.values()
    return scheme


def test_the_documented_examples_pass() -> None:
    program = compiled().program
    outcomes = [run_example(program, example) for example in program.examples]
    assert len(outcomes) == 2 and all(o.passed for o in outcomes), outcomes


def test_the_results_exist_only_with_a_price_paid_in_lieu() -> None:
    rules = list(compiled().program.rules)
    assert rules.index("paid_in_lieu") + 1 == rules.index("paid_in_lieu_amount")
    assert rules.index("paid_in_lieu_amount") < rules.index("shortfall")
    without_examples = DOC_BLOCK.split("  example")[0] + "}\n"
    plain = compiled(without_examples.replace(" paid in lieu", "")).program.rules
    assert "paid_in_lieu" not in plain and "paid_in_lieu_amount" not in plain


def _files(tmp_path: Path) -> list[str]:
    (tmp_path / "s.scheme").write_text(DOC_BLOCK, encoding="utf-8")
    (tmp_path / "companies.csv").write_text(
        "id,period,emissions,free_allowances,held.allowance\n"
        "A,fy2026,120000,100000,5000\n"
        "B,fy2027,120000,100000,5000\n"
        "C,fy2027,90000,100000,0\n",
        encoding="utf-8",
    )
    return [str(tmp_path / "s.scheme"), "--participants", str(tmp_path / "companies.csv")]


@pytest.mark.parametrize("engine", ["columnar", "reference"])
def test_run_pays_at_the_price_of_each_rows_year(tmp_path: Path, engine: str) -> None:
    out = tmp_path / f"{engine}.csv"
    result = CliRunner().invoke(cli, ["run", *_files(tmp_path), "-o", str(out), "--engine", engine])
    assert result.exit_code == 0, result.output
    assert f"summary ({engine} engine)" in result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith(
        "participant,period,covered,cap,obligation,paid_in_lieu,paid_in_lieu_amount,shortfall,"
        "surplus,"
    )
    assert rows[1].startswith("A,fy2026,true,100000,120000,15000,64500000,0,0,")  # × 4,300
    assert rows[2].startswith("B,fy2027,true,100000,120000,15000,66435000,0,0,")  # × 4,429
    assert rows[3].startswith("C,fy2027,true,100000,90000,0,0,0,10000,")


def test_explain_shows_the_amount_with_the_price_of_the_year(tmp_path: Path) -> None:
    args = ["explain", *_files(tmp_path), "--id", "B"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (
        "paid_in_lieu_amount = 15,000 t CO2e × 4,429 JPY/t CO2e = 66,435,000 JPY" in result.output
    )
    assert "└─ ceiling = 4,429 JPY/t CO2e — system value of 2027" in result.output
    assert (
        "shortfall = max(0 t CO2e, 120,000 t CO2e + 0 t CO2e − (100,000 t CO2e + 0 t CO2e)"
        " − 5,000 t CO2e − 15,000 t CO2e) = 0 t CO2e" in result.output
    )


def _formatted(text: str) -> str:
    formatted, problems = format_source(SourceFile.of("s.scheme", text))
    assert formatted is not None and not problems, problems
    return formatted


def test_fmt_keeps_paid_in_lieu() -> None:
    formatted = _formatted(DOC_BLOCK)
    assert (
        'price ceiling 4300 JPY/tCO2e from 2026 rising 3 % paid in lieu "Illustrative values"'
        in formatted
    )
    assert _formatted(formatted) == formatted


def test_the_model_says_the_price_is_paid_in_lieu() -> None:
    (price,) = compiled().model.price_controls
    assert price.paid_in_lieu and price.from_year == 2026


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "A participant may pay this price per tonne instead of surrendering allowances"),
        ("ja", "排出枠を償却する代わりに、この価格をトン当たりで支払うことができる"),
    ],
)
def test_the_scheme_page_says_the_price_may_be_paid_in_lieu(lang: str, words: str) -> None:
    from etsl.documents.i18n import language
    from etsl.documents.site import site

    model = compiled().model
    with language(lang):
        pages = site([model], "md")
    page = next(text for name, text in pages.items() if name == f"{model.name}.md")
    assert words in page
    without_examples = DOC_BLOCK.split("  example")[0] + "}\n"
    plain = compiled(without_examples.replace(" paid in lieu", "")).model
    with language(lang):
        other = site([plain], "md")[f"{plain.name}.md"]
    assert words not in other
