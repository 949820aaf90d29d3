"""Inlay hints for the units the checker inferred, and code lenses that run examples.

inlay_hints(analysis)        # `rule required_reduction: t CO2e = …`
code_lenses(analysis)        # ▶ Run 3 examples · ✓ passes · ✗ 1 value differs
run_examples_text(analysis)  # what the "run" command reports
"""

from __future__ import annotations

from lsprotocol import types

from etsl.compiler import ast
from etsl.compiler.display import display_unit
from etsl.compiler.driver import CompiledScheme
from etsl.lsp.positions import position_at, span_range
from etsl.lsp.symbols import words
from etsl.lsp.workspace import Analysis
from etsl.runtime.examples import ExampleOutcome, render_outcome, run_examples

RUN_EXAMPLES = "etsl.runExamples"


def example_outcomes(analysis: Analysis, compiled: CompiledScheme) -> list[ExampleOutcome]:
    """The scheme's examples run by the reference engine (once per analysis)."""
    outcomes: list[ExampleOutcome] = analysis.memo(
        f"examples:{compiled.name}", lambda: run_examples(compiled)
    )
    return outcomes


# ---- inlay hints -------------------------------------------------------------------------------


def _named(scheme: ast.Scheme) -> list[ast.Rule | ast.Param]:
    return [d for d in scheme.decls if isinstance(d, ast.Rule | ast.Param)]


def _name_end(analysis: Analysis, decl: ast.Rule | ast.Param) -> int | None:
    for word, start in words(analysis.text, decl.span.start, decl.span.end):
        if word == decl.name:
            return start + len(word)
    return None


def inlay_hints(analysis: Analysis, within: types.Range | None = None) -> list[types.InlayHint]:
    """`: unit` after the name of every rule and parameter of this file, as inferred."""
    hints = []
    for scheme in analysis.module.schemes if analysis.module else ():
        compiled = analysis.compiled(scheme.name)
        if compiled is None:
            continue
        for decl in _named(scheme):
            unit = compiled.program.unit_of(decl.name)
            end = _name_end(analysis, decl)
            if not unit or end is None:
                continue
            position = position_at(analysis.source, end)
            if within is not None and not within.start.line <= position.line <= within.end.line:
                continue
            label = "yes/no" if unit == "bool" else display_unit(unit)
            hints.append(
                types.InlayHint(
                    position, f": {label}", kind=types.InlayHintKind.Type, padding_left=False
                )
            )
    return hints


# ---- code lenses -------------------------------------------------------------------------------


def _status(outcome: ExampleOutcome) -> str:
    if outcome.passed:
        return "✓ passes"
    wrong = len(outcome.mismatches) + len(outcome.problems)
    return f"✗ {wrong} value{'s' if wrong != 1 else ''} differ{'' if wrong != 1 else 's'}"


def code_lenses(analysis: Analysis) -> list[types.CodeLens]:
    """Above each scheme: run its examples; above each example: whether it passes."""
    lenses = []
    for scheme in analysis.module.schemes if analysis.module else ():
        compiled = analysis.compiled(scheme.name)
        examples = [d for d in scheme.decls if isinstance(d, ast.Example)]
        if compiled is None or not examples:
            continue
        head = span_range(analysis.source, scheme.span)
        arguments = [analysis.path.as_uri(), scheme.name]
        title = f"▶ Run {len(examples)} example{'s' if len(examples) != 1 else ''}"
        lenses.append(types.CodeLens(head, types.Command(title, RUN_EXAMPLES, arguments=arguments)))
        outcomes = {o.title: o for o in example_outcomes(analysis, compiled)}
        for example in examples:
            outcome = outcomes.get(example.title)
            if outcome is not None:
                where = span_range(analysis.source, example.span)
                command = types.Command(
                    _status(outcome), RUN_EXAMPLES, arguments=[*arguments, example.title]
                )
                lenses.append(types.CodeLens(where, command))
    return lenses


def run_examples_text(analysis: Analysis, scheme: str, title: str | None = None) -> str:
    """The examples' outcomes as `etsl test` prints them."""
    compiled = analysis.compiled(scheme)
    if compiled is None:
        return f"'{scheme}' does not compile; fix its errors first"
    outcomes = [
        o for o in example_outcomes(analysis, compiled) if title is None or o.title == title
    ]
    if not outcomes:
        return (
            f"'{scheme}' has no example named {title!r}" if title else f"'{scheme}' has no examples"
        )
    passed = sum(o.passed for o in outcomes)
    lines = [render_outcome(o) for o in outcomes]
    return "\n".join(lines + [f"{passed} passed, {len(outcomes) - passed} failed"])
