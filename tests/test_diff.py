"""`etsl diff`: additions, removals and changes between scheme versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths
from etsl.compiler.model import SchemeModel
from etsl.documents.diff import diff, to_json, to_markdown, to_text

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "docs"


@pytest.fixture(scope="module")
def pair() -> tuple[SchemeModel, SchemeModel]:
    compilation = compile_paths([CASES / "base.scheme", CASES / "variant.scheme"])
    assert compilation.ok, compilation.diagnostics
    return compilation.schemes["city_cat"].model, compilation.schemes["city_strict"].model


def test_variant_changes(pair: tuple[SchemeModel, SchemeModel]) -> None:
    changes = diff(*pair)
    assert [(c.section, c.name, c.kind) for c in changes] == [
        ("Metadata", "title", "changed"), ("Metadata", "extends", "added"),
        ("Parameters", "threshold", "changed"), ("Tables", "reduction_factor", "changed"),
        ("Rules", "required_reduction", "added")]
    threshold = changes[2]
    assert (threshold.old, threshold.new) == ("1500 kL_oe/yr", "1000 kL_oe/yr")
    assert threshold.new_words == "1,000 kL oil-equivalent a year"
    assert threshold.details == (("description", "Coverage threshold",
                                  "Lower coverage threshold"),)
    assert changes[3].details == (("cell office", "8 %", "10 %"),)
    assert changes[4].new_words == ("Each facility's required reduction for a period is its base "
                                    "emissions × the years in the period − its cap.")


def test_reverse_and_identity(pair: tuple[SchemeModel, SchemeModel]) -> None:
    old, new = pair
    assert diff(old, old) == []
    backwards = diff(new, old)
    assert ("Rules", "required_reduction", "removed") in [(c.section, c.name, c.kind)
                                                          for c in backwards]


def test_every_section_is_compared(tmp_path: Path) -> None:
    base = (CASES / "market.scheme").read_text(encoding="utf-8")
    edited = (base.replace("rising 5 %", "rising 6 %").replace("publish\n", "")
              .replace('link lagoon_ets inbound', 'link lagoon_ets two_way')
              .replace('phase phase2 = 2024 .. 2030', 'phase phase2 = 2024 .. 2032')
              .replace('credit CER "Certified', 'credit ERU "Emission reduction unit"\n    credit CER "Certified')
              .replace('up to 1000000 EUR', 'up to 2000000 EUR')
              .replace('banking unlimited', 'banking none'))
    path = tmp_path / "market.scheme"
    path.write_text(edited, encoding="utf-8")
    old = compile_paths([CASES / "market.scheme"]).schemes["harbour_ets"].model
    compiled = compile_paths([path])
    assert compiled.ok, compiled.diagnostics
    changes = {(c.section, c.name, c.kind) for c in diff(old, compiled.schemes["harbour_ets"].model)}
    assert {("Price controls", "floor", "changed"), ("Penalties", "excess", "changed"),
            ("Links", "lagoon_ets", "changed"), ("Periods", "phase2", "changed"),
            ("Units", "ERU", "added"), ("Support", "transition_fund", "changed"),
            ("Metadata", "banking", "changed"), ("Rules", "banked", "changed")} <= changes


def test_renderers(pair: tuple[SchemeModel, SchemeModel]) -> None:
    changes = diff(*pair)
    text = to_text(*pair, changes)
    assert "2 added, 0 removed, 3 changed" in text and "  ~ threshold (changed)" in text
    assert "      cell office: 8 % → 10 %" in text
    md = to_markdown(*pair, changes)
    assert "## Parameters" in md and "| changed | `threshold` | 1500 kL_oe/yr<br>*1,500" in md
    data = json.loads(to_json(*pair, changes))
    assert data["format"] == "etsl.diff/1" and data["summary"] == {
        "added": 2, "removed": 0, "changed": 3}
    assert data["changes"][3]["details"] == [{"field": "cell office", "old": "8 %",
                                              "new": "10 %"}]
    assert "no differences" in to_text(pair[0], pair[0], [])


def test_cli_two_files_one_variant_and_names(tmp_path: Path) -> None:
    runner = CliRunner()
    base, variant = str(CASES / "base.scheme"), str(CASES / "variant.scheme")
    two = runner.invoke(cli, ["diff", base, variant])
    assert two.exit_code == 0 and "~ threshold" in two.output
    one = runner.invoke(cli, ["diff", variant])
    assert one.exit_code == 0 and one.output == two.output
    named = runner.invoke(cli, ["diff", variant, "--scheme", "city_cat", "--scheme",
                                "city_strict", "--format", "json", "-o", str(tmp_path / "d.json")])
    assert named.exit_code == 0, named.output
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["summary"]["added"] == 2
    same = runner.invoke(cli, ["diff", base, base, "--exit-code"])
    assert same.exit_code == 0 and "no differences" in same.output
    differs = runner.invoke(cli, ["diff", base, variant, "--exit-code", "--format", "md"])
    assert differs.exit_code == 1 and differs.output.startswith("# Changes: `city_cat`")


def test_cli_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(CASES / "base.scheme")])
    assert result.exit_code == 2 and "extends no scheme" in result.output
    result = runner.invoke(cli, ["diff", str(CASES / "base.scheme"), "--scheme", "nope"])
    assert result.exit_code == 2 and "no scheme named 'nope'" in result.output
    result = runner.invoke(cli, ["diff", str(CASES / "base.scheme"), "--scheme", "a",
                                 "--scheme", "b", "--scheme", "c"])
    assert result.exit_code == 2 and "at most twice" in result.output
