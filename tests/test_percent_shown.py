"""Values written in % are shown in %, and a number beside `year` is shown as a year.

compiler/percent_shown.py decides which rules are shown in %: a rule whose every possible
result is written in % (a literal, a percentage parameter, table or input, or another such
rule), through `if` and `min`/`max`. runtime/reference/explain.py prints `year - 2013`,
not `year - 2,013`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler.driver import compile_paths
from etsl.runtime.reference.explain import substitute

SCHEME = """scheme shown "Percentages as written" {{
  participant installation {{
    emissions: tCO2e "Emissions"
  }}
  param limit = 10 % "A limit"
  {rules}
}}
"""


def _units(tmp_path: Path, rules: str) -> dict[str, str]:
    path = tmp_path / "shown.scheme"
    path.write_text(SCHEME.format(rules=rules), encoding="utf-8")
    compiled = compile_paths([path])
    assert compiled.ok, [str(d) for d in compiled.diagnostics]
    program = compiled.schemes["shown"].program
    return {name: program.unit_of(name) for name in program.rules}


@pytest.mark.parametrize(
    ("rule", "unit"),
    [
        ('rule r = if emissions > 5 tCO2e then 4.3 % else 2.2 % "r"', "%"),
        ('rule r = min(limit, 8 %) "r"', "%"),
        ('rule r = if emissions > 5 tCO2e then limit else 0 % "r"', "%"),
        ('rule r = if emissions > 5 tCO2e then 4.3 % else 0 "r"', ""),
        ('rule r = 1 - limit "r"', ""),
        ('rule r = limit of emissions "r"', "tCO2e"),
    ],
)
def test_a_rule_is_shown_in_percent_only_when_every_result_is_written_so(
    tmp_path: Path, rule: str, unit: str
) -> None:
    assert _units(tmp_path, rule)["r"] == unit


def test_a_rule_reading_a_percent_rule_is_shown_in_percent(tmp_path: Path) -> None:
    rules = 'rule b = max(a, 1 %) "b"\n  rule a = if emissions > 5 tCO2e then limit else 2 % "a"'
    assert _units(tmp_path, rules)["b"] == "%"


def test_the_eu_lrf_is_explained_as_a_percentage_and_years_as_years() -> None:
    root = Path(__file__).resolve().parents[1]
    compiled = compile_paths([root / "schemes/world/eu_ets.scheme"])
    system = compiled.schemes["eu_ets"].program.system
    assert system is not None
    assert system.program.unit_of("lrf") == "%"
    cap = system.program.rules["union_cap"].expr
    assert "(year − 2013)" in substitute(cap, {}, system.program)
