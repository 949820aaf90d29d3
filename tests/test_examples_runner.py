"""`example` blocks: given values in, expected values compared exactly, diffs out."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_paths
from etsl.runtime.examples import render_outcome, run_examples

from tests.test_reference_engine import TOKYO, compiled

ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = (
    TOKYO.rstrip().removesuffix("}")
    + """
  example "office over its cap" {
    given category = office, base_emissions = 10000 tCO2/yr, energy_use = 2000 kL_oe/yr,
          emissions = 47000 tCO2, period = first
    expect cap = 46000 tCO2, shortfall = 1000 tCO2, order = 1300 tCO2e,
           fine = 500000 JPY, publish = true
  }
  example "credits, units and the default period" {
    given category = office, base_emissions = 10 ktCO2/yr, energy_use = 2000 kL_oe/yr,
          emissions = 47 ktCO2, held.outside_tokyo = 2000 tCO2e, held.excess_reduction = 300 tCO2e
    expect eligible.outside_tokyo = 1333.333333333333333333 tCO2e,
           eligible.excess_reduction = 0.3 ktCO2e, shortfall = 0 tCO2, publish = false,
           fine = 0 JPY
  }
  example "carried-in units" {
    given category = office, base_emissions = 10000 tCO2/yr, energy_use = 2000 kL_oe/yr,
          emissions = 47000 tCO2, carry_in = 1500 tCO2e
    expect shortfall = 0 tCO2, surplus = 500 tCO2
  }
  example "wrong on purpose" {
    given category = factory, base_emissions = 10000 tCO2/yr, energy_use = 2000 kL_oe/yr,
          emissions = 47000 tCO2, period = first
    expect cap = 46000 tCO2, shortfall = 1000 tCO2, publish = false
  }
  example "cannot compute" {
    given category = office, energy_use = 2000 kL_oe/yr, emissions = 47000 tCO2
    expect cap = 46000 tCO2, covered = true
  }
}
"""
)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    return {o.title: o for o in run_examples(compiled(EXAMPLES))}


def test_passing_examples(outcomes: dict[str, object]) -> None:
    for title in (
        "office over its cap",
        "credits, units and the default period",
        "carried-in units",
    ):
        outcome = outcomes[title]
        assert outcome.passed, render_outcome(outcome)  # type: ignore[attr-defined]
        assert render_outcome(outcome) == f'PASS tokyo_test: "{title}"'  # type: ignore[arg-type]


def test_a_failing_example_shows_a_diff(outcomes: dict[str, object]) -> None:
    outcome = outcomes["wrong on purpose"]
    assert not outcome.passed  # type: ignore[attr-defined]
    # factory: cap = floor(10,000 × 5 × 0.94) = 47,000; shortfall 0
    assert [(m.name, m.expected, m.actual) for m in outcome.mismatches] == [  # type: ignore[attr-defined]
        ("cap", D(46000), D(47000)),
        ("shortfall", D(1000), D(0)),
    ]
    lines = render_outcome(outcome).splitlines()  # type: ignore[arg-type]
    assert lines[0].startswith('FAIL tokyo_test: "wrong on purpose"  (test.scheme:')
    assert lines[1].startswith("  test.scheme:") and lines[1].endswith(": cap")
    assert lines[2:4] == ["    - expected 46,000 t CO2e", "    + actual   47,000 t CO2e"]
    assert lines[5:7] == ["    - expected 1,000 t CO2e", "    + actual   0 t CO2e"]


def test_a_value_that_cannot_be_computed_says_why(outcomes: dict[str, object]) -> None:
    outcome = outcomes["cannot compute"]
    (mismatch,) = outcome.mismatches  # type: ignore[attr-defined]
    assert mismatch.name == "cap" and mismatch.actual is None
    assert mismatch.reason == "missing input 'base_emissions'"
    assert "+ actual   not computed (missing input 'base_emissions')" in render_outcome(outcome)  # type: ignore[arg-type]


def test_library_tokyo_examples_pass() -> None:
    path = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
    compilation = compile_paths([path])
    assert compilation.ok
    results = run_examples(compilation.schemes["tokyo_cat"])
    assert len(results) >= 5
    assert [render_outcome(o) for o in results if not o.passed] == []
