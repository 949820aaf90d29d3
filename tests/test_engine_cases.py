"""Engine cases as data: every `example` in tests/cases/engine/*.scheme and in the bundled
library, evaluated by every registered engine, must give exactly the expected values.

The cases hold the language's semantics (caps from tables, float traps, shares that divide
last, surrender limits in order, carried and owed units, GWP, rounding, nested and/or);
an engine that computes any of them differently fails here, naming the example.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.runtime.examples import render_outcome, run_examples
from etsl.runtime.run import available_engines

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "cases" / "engine"


def _schemes(folder: Path) -> list[CompiledScheme]:
    compilation = compile_paths([folder])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return [compilation.schemes[name] for name in sorted(compilation.schemes)]


CASE_SCHEMES = _schemes(CASES)
LIBRARY = _schemes(REPO / "schemes")


def test_every_case_file_compiles_clean_and_has_examples() -> None:
    files = sorted(CASES.glob("*.scheme"))
    assert len(CASE_SCHEMES) >= len(files) >= 4
    assert all(s.program.examples for s in CASE_SCHEMES)


@pytest.mark.parametrize("engine", available_engines())
@pytest.mark.parametrize("scheme", CASE_SCHEMES + LIBRARY, ids=lambda s: s.name)
def test_examples_pass_on_every_engine(scheme: CompiledScheme, engine: str) -> None:
    outcomes = run_examples(scheme, engine)
    failures = [render_outcome(o) for o in outcomes if not o.passed]
    assert len(outcomes) == len(scheme.program.examples)
    assert not failures, f"{engine} engine:\n" + "\n".join(failures)
