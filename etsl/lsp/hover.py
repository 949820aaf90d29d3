"""Hover: what a name means, in the words the documents use.

For a rule, parameter, table or input: the plain-language sentence (documents/prose.py),
its unit, its description and citation (with the source's full reference and address),
and its value in the example under the cursor (or the scheme's first example), computed by
the reference engine. Built-in functions, units and vocabulary values get their summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsprotocol import types

from etsl.compiler.builtins import BUILTINS
from etsl.compiler.display import display_unit, format_value
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.enums import ALL as VOCABULARIES
from etsl.compiler.model import Citation, SchemeModel
from etsl.compiler.units import SYMBOLS, dims_name
from etsl.compiler.vocabulary import MEANINGS
from etsl.documents.prose import Lexicon, formula_phrase, lexicon, rule_sentence, unit_words
from etsl.lsp.positions import span_range
from etsl.lsp.symbols import word_at
from etsl.lsp.workspace import Analysis

Section = list[str]


def hover(analysis: Analysis, offset: int) -> types.Hover | None:
    """The hover card for the word at an offset, or None when there is nothing to say."""
    found = word_at(analysis.text, offset)
    if found is None:
        return None
    word, start = found
    lines = _describe(analysis, word, offset)
    if not lines:
        return None
    span = analysis.source.span(start, start + len(word))
    return types.Hover(
        contents=types.MarkupContent(types.MarkupKind.Markdown, "\n\n".join(lines)),
        range=span_range(analysis.source, span),
    )


def _describe(analysis: Analysis, word: str, offset: int) -> Section:
    scheme = analysis.scheme_at(offset)
    compiled = analysis.compiled(scheme.name) if scheme is not None else None
    if compiled is not None:
        lines = _name_card(analysis, compiled, word, offset)
        if lines:
            return lines
    for describe in DESCRIBERS:
        lines = describe(word)
        if lines:
            return lines
    return []


# ---- names of a compiled scheme ------------------------------------------------------------


def _words(analysis: Analysis, compiled: CompiledScheme) -> Lexicon:
    lex: Lexicon = analysis.memo(f"lexicon:{compiled.name}", lambda: lexicon(compiled.model))
    return lex


def _name_card(analysis: Analysis, compiled: CompiledScheme, name: str, offset: int) -> Section:
    program = compiled.program
    kind = program.kind_of(name)
    if kind is None or (kind.value == "runtime" and name not in MEANINGS):
        return []
    model, lex = compiled.model, _words(analysis, compiled)
    unit = program.unit_of(name)
    head = f"**{name}** · {kind.value}" + (f" · `{display_unit(unit)}`" if unit else "")
    lines = [head]
    lines += _sentence(model, lex, name)
    about = program.about(name)
    if about.description:
        lines.append(f"_{about.description}_")
    lines += _citation(model, _cite_of(model, name))
    lines += _example_value(analysis, compiled, name, unit, offset)
    return lines


def _sentence(model: SchemeModel, lex: Lexicon, name: str) -> Section:
    rule = model.rule(name)
    if rule is not None:
        text = rule_sentence(rule, lex)
        return [text, f"```etsl\n{rule.formula.text}\n```"]
    param = next((p for p in model.params if p.name == name), None)
    if param is not None:
        phrase = formula_phrase(param.formula, lex)
        return [f"The {name.replace('_', ' ')} is {phrase}." if phrase else ""]
    term = lex.terms.get(name)
    if term is not None and term.kind in ("input", "table"):
        what = "An input of each participant" if term.kind == "input" else "A decision table"
        unit = f", in {unit_words(term.unit)}" if term.unit and term.unit != "bool" else ""
        return [f"{what}{unit}: {term.words}."]
    return []


def _cite_of(model: SchemeModel, name: str) -> Citation | None:
    groups: list[Any] = [model.rules, model.params, model.tables]
    if model.participant is not None:
        groups.append(model.participant.inputs)
    for group in groups:
        item = next((x for x in group if x.name == name), None)
        if item is not None:
            cite: Citation | None = item.cite
            return cite
    return None


def _citation(model: SchemeModel, cite: Citation | None) -> Section:
    """One line per citation (`cite a "x", b "y"`: two)."""
    return [line for c in cite.all() for line in _one_citation(model, c)] if cite else []


def _one_citation(model: SchemeModel, cite: Citation) -> Section:
    source = next((s for s in model.sources if s.id == cite.source), None)
    text = source.citation if source else cite.source
    where = f", {cite.locator}" if cite.locator else ""
    link = f" <{source.url}>" if source and source.url else ""
    # A confidence grade is shown when the model records one for the citation.
    confidence = getattr(cite, "confidence", None)
    graded = f" (confidence: {confidence})" if confidence else ""
    return [f"Source `{cite.source}`: {text}{where}{graded}{link}"]


def _example_value(
    analysis: Analysis, compiled: CompiledScheme, name: str, unit: str, offset: int
) -> Section:
    from etsl.lsp.lenses import example_outcomes

    outcomes = example_outcomes(analysis, compiled)
    if not outcomes:
        return []
    chosen = next(
        (
            o
            for o in outcomes
            if o.span.path == analysis.source.path and o.span.start <= offset <= o.span.end
        ),
        outcomes[0],
    )
    if chosen.result is None:
        return []
    try:
        value = chosen.result.value(name)
    except KeyError:
        return []
    return [f'In example "{chosen.title}": **{format_value(value, unit)}**']


# ---- words of the language ----------------------------------------------------------------------


def _builtin_card(word: str) -> Section:
    builtin = BUILTINS.get(word)
    if builtin is None:
        return []
    return [f"**{word}** · built-in function", builtin.summary]


def _unit_card(word: str) -> Section:
    unit = SYMBOLS.get(word)
    if unit is None:
        return []
    base = dims_name(unit.dims) or "a plain number"
    scale = "" if unit.scale == 1 else f" = {format_value(unit.scale, base)}"
    return [f"**{word}** · unit", f"{unit_words(word)}: 1 {word}{scale} ({base})"]


def _vocabulary_card(word: str) -> Section:
    for vocabulary in VOCABULARIES:
        choice = vocabulary.choice(word)
        if choice is not None:
            kind = f" ({choice.kind})" if choice.kind else ""
            return [f"**{word}** · {vocabulary.name}{kind}", choice.words]
    meaning = MEANINGS.get(word)
    return [f"**{word}** · vocabulary", meaning] if meaning else []


DESCRIBERS: tuple[Callable[[str], Section], ...] = (_builtin_card, _unit_card, _vocabulary_card)
