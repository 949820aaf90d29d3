"""Confidence on sources and citations: grammar, model, formatting and `etsl check --confidence`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from etsl.compiler.confidence import cited_values, confidence_of, doubtful
from etsl.compiler.driver import compile_text
from etsl.compiler.fmt import format_source
from etsl.compiler.model import SchemeModel
from etsl.compiler.source import SourceFile

from etsl.cli import cli
from tests.golden import REPO

TEXT = """scheme s "S" {
  source law "The Act" url "https://example.org/act" primary
  source sheet "A factsheet" secondary
  source note "A note"
  participant p {
    emissions: tCO2e
  }
  param rate = 100 EUR/tCO2e cite law "s. 5"
  param limit = 5 % cite sheet
  param share = 10 % cite law "s. 9" unconfirmed
  param plain = 1 % cite note
  cap = emissions cite note "p. 2" secondary
}
"""


def model(text: str = TEXT) -> SchemeModel:
    compilation = compile_text(text, "s.scheme")
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return compilation.schemes["s"].model


def test_sources_and_citations_carry_their_confidence() -> None:
    m = model()
    assert [(s.id, s.confidence) for s in m.sources] == [
        ("law", "primary"), ("sheet", "secondary"), ("note", None)]
    share = next(p for p in m.params if p.name == "share")
    assert share.cite is not None and share.cite.confidence == "unconfirmed"
    assert confidence_of(m, share.cite) == "unconfirmed", "a citation overrides its source"


def test_doubtful_lists_secondary_and_unconfirmed_values_only() -> None:
    found = [(v.what, v.confidence, v.citation.source) for v in doubtful(model())]
    assert found == [("param limit", "secondary", "sheet"),
                     ("param share", "unconfirmed", "law"),
                     ("rule cap", "secondary", "note")]
    assert len(cited_values(model())) == 5


def test_formatting_keeps_the_confidence_words() -> None:
    text, diagnostics = format_source(SourceFile.of("s.scheme", TEXT))
    assert not diagnostics and text is not None
    assert 'source sheet "A factsheet" secondary' in text
    assert 'cite law "s. 9" unconfirmed' in text and 'cite note "p. 2" secondary' in text
    assert format_source(SourceFile.of("s.scheme", text))[0] == text


def test_a_field_named_like_a_confidence_word_after_a_cite_is_a_located_error() -> None:
    text = 'scheme s {\n  source a "x"\n  participant p {\n    e: tCO2e cite a\n    primary: tCO2e\n  }\n}\n'
    compilation = compile_text(text, "s.scheme")
    assert not compilation.ok
    [problem] = compilation.diagnostics
    assert (problem.span.line, problem.code) == (5, "syntax-error")


def test_check_lists_doubtful_values(tmp_path: Path) -> None:
    path = tmp_path / "s.scheme"
    path.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--confidence"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "3 cited value(s) rest on a secondary or unconfirmed source:" in lines
    assert f"{path}:10:3: unconfirmed: s: param share (cite law 's. 9')" in lines
    result = CliRunner().invoke(cli, ["check", str(path), "--confidence", "--format", "json"])
    data = json.loads(result.output)
    assert {d["code"] for d in data["diagnostics"]} == {"unused-rule"}
    assert [v["what"] for v in data["confidence"]] == [
        "param limit", "param share", "rule cap"]
    plain = CliRunner().invoke(cli, ["check", str(path)])
    assert "secondary" not in plain.output, "without --confidence, nothing is listed"


SEVERAL = """scheme s "S" {
  source law "The Act" primary
  source sheet "A factsheet" secondary
  source note "A note"
  param both = 5 % cite law "s. 5", sheet "p. 2"
  param doubted = 6 % cite law "s. 6", note unconfirmed
  param settled = 7 % cite law "s. 7", note
}
"""


def test_a_value_citing_several_sources_is_as_settled_as_the_weakest() -> None:
    m = model(SEVERAL)
    found = [(v.what, v.confidence) for v in doubtful(m)]
    assert found == [("param both", "secondary"), ("param doubted", "unconfirmed")]
    settled = next(p for p in m.params if p.name == "settled")
    assert confidence_of(m, settled.cite) == "primary"
    both = next(p for p in m.params if p.name == "both")
    assert both.cite is not None
    assert [(c.source, c.locator) for c in both.cite.all()] == [("law", "s. 5"), ("sheet", "p. 2")]


def test_check_lists_every_citation_of_a_doubtful_value(tmp_path: Path) -> None:
    path = tmp_path / "s.scheme"
    path.write_text(SEVERAL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--confidence"])
    assert f"{path}:5:3: secondary: s: param both (cite law 's. 5', sheet 'p. 2')" in (
        result.output.splitlines())
    data = json.loads(CliRunner().invoke(
        cli, ["check", str(path), "--confidence", "--format", "json"]).output)
    assert data["confidence"][0]["also"] == [{"source": "sheet", "locator": "p. 2"}]


def test_check_lists_tokyos_reduction_table_for_its_secondary_fourth_period() -> None:
    result = CliRunner().invoke(cli, ["check", str(REPO / "schemes/japan/tokyo_cat.scheme"), "--confidence"])
    [line] = [x for x in result.output.splitlines() if "table reduction_factor" in x]
    assert ": secondary: tokyo_cat: table reduction_factor (cite tmg_2016 " in line
    assert "tmg_2023_bill 'fourth period'" in line


def test_a_participant_input_shows_its_sources_and_their_confidence() -> None:
    """Inputs cited sources that the page never showed: Tokyo's base emissions cite TMG and
    an ICAP news item, and California's market-wide `offsets_used` a secondary source."""
    from etsl.documents.scheme_page import scheme_page

    from tests.library import library

    models = {m.name: m for m in library()}
    base = next(i for i in scheme_page(models["tokyo_cat"]).inputs if i.name == "Base emissions")
    assert len(base.refs) == 2
    inputs = [i for g in scheme_page(models["california"]).groups for i in g.inputs]
    offsets = next(i for i in inputs if i.name == "Offsets used")
    assert [r.confidence for r in offsets.refs] == ["secondary"]
