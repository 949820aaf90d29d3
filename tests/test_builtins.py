"""One meaning of each built-in and each vocabulary: every engine implements every
registered built-in, the type checker has a rule for each signature, and the grammar's
keywords and the vocabularies agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from etsl.compiler import enums
from etsl.compiler.builtins import BUILTINS, Signature
from etsl.compiler.driver import compile_text
from etsl.compiler.infer import SIGNATURE_RULES as TYPE_RULES
from etsl.documents.prose import formula_phrase, lexicon
from etsl.runtime.columnar.sql.builtins import IMPLEMENTATIONS as SQL
from etsl.runtime.reference.builtins import IMPLEMENTATIONS as REFERENCE

REPO = Path(__file__).resolve().parent.parent
ENGINES = {"reference": REFERENCE, "columnar (SQL)": SQL}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_implements_every_builtin(engine: str) -> None:
    missing = sorted(set(BUILTINS) - set(ENGINES[engine]))
    extra = sorted(set(ENGINES[engine]) - set(BUILTINS))
    assert not missing, f"the {engine} engine lacks: {', '.join(missing)}"
    assert not extra, f"the {engine} engine implements unregistered built-ins: {extra}"


def test_every_signature_has_a_type_rule() -> None:
    assert set(TYPE_RULES) == set(Signature)


def test_every_builtin_is_documented() -> None:
    text = (REPO / "docs" / "language.md").read_text(encoding="utf-8")
    missing = [name for name in BUILTINS if f"`{name}(" not in text]
    assert not missing, f"docs/language.md does not show: {missing}"


def test_every_builtin_is_worded_from_its_registry_row() -> None:
    for name, builtin in BUILTINS.items():
        assert builtin.words, name
        for template in builtin.words:
            placeholders = re.findall(r"\{(\d+|list)(?::(\w+))?\}", template)
            assert placeholders, (name, template)
            assert all(level in ("", "atom", "product", "sum") for _, level in placeholders)


SCHEME = """
scheme s {
  gases CO2, CH4 gwp AR5
  period first = 2013 .. 2015 by year
  participant p { e: tCH4  a: tCO2e }
  units { allowance u }
  rule r1 = floor(a / 3, 2) + earlier_years(a)
  rule r2 = ceil(a) + round(a, 1) + abs(a) + min(a, a, a) + max(a, a)
  rule r3 = co2e(e) * years(period) / 1 yr + held(u) + eligible(u)
}
"""


def test_every_builtin_reads_as_words_in_documents() -> None:
    compilation = compile_text(SCHEME)
    assert compilation.ok, compilation.diagnostics
    model = compilation.schemes["s"].model
    lex = lexicon(model)
    used = set()
    for rule in model.rules:
        if rule.name in ("r1", "r2", "r3"):
            text = formula_phrase(rule.formula, lex)
            assert text is not None and not re.search(r"\b(floor|ceil|max|co2e)\(", text), text
            used |= {n for n in BUILTINS if re.search(rf"\b{n}\(", rule.formula.text)}
    assert used == set(BUILTINS)


# ---- vocabularies ----------------------------------------------------------------------------

GRAMMAR = (REPO / "grammar" / "scheme.lark").read_text(encoding="utf-8")


def _keywords(rule: str) -> set[str]:
    body = re.search(rf"^!?{rule}:(.*?)(?=^\S|\Z)", GRAMMAR, re.M | re.S)
    assert body is not None, rule
    return set(re.findall(r'"(\w+)"', body.group(1)))


@pytest.mark.parametrize(
    "rule, vocabulary",
    [
        ("consequence_kind", enums.CONSEQUENCE_KINDS),
        ("bank_mode", enums.BANK_MODES),
        ("link_direction", enums.LINK_DIRECTIONS),
        ("unit_kind", enums.UNIT_KINDS),
        ("confidence", enums.CONFIDENCE),
    ],
)
def test_grammar_keywords_and_vocabularies_agree(rule: str, vocabulary: enums.Vocabulary) -> None:
    assert _keywords(rule) == set(vocabulary.values_of())


def test_every_vocabulary_value_has_words() -> None:
    for vocabulary in enums.ALL:
        values = vocabulary.values_of()
        assert len(values) == len(set(values)), vocabulary.name
        for choice in vocabulary:
            assert choice.words.strip() and "_" not in choice.words, choice


def test_price_controls_are_classified_for_linkage() -> None:
    kinds = {c.kind for c in enums.PRICE_CONTROLS}
    assert kinds <= {"floor", "ceiling", "supply", "reference"}
    assert enums.PRICE_CONTROLS.kind("tier_1") == "ceiling"


def test_checker_accepts_exactly_the_vocabulary() -> None:
    for price in enums.PRICE_CONTROLS.values_of():
        text = f"scheme s {{ price {price} 10 USD/tCO2e }}"
        assert compile_text(text).ok, price
    bad = compile_text("scheme s { price tier_9 10 USD/tCO2e }")
    assert [d.code for d in bad.diagnostics] == ["unknown-value"]
