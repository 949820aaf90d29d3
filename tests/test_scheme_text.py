"""Scheme text (descriptions, timing, labels …) on Japanese pages: the per-folder catalogues
of documents/scheme_text.py, how they are extracted, and the mark on what has no
translation yet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths
from etsl.compiler.model import SchemeModel
from etsl.documents.compare import comparison, render
from etsl.documents.figures.comparison import comparison_figures
from etsl.documents.i18n import language
from etsl.documents.scheme_messages import main, problems, template_catalog, updated
from etsl.documents.scheme_text import catalogue_path, translated
from etsl.documents.site import site

from etsl.cli import cli
from tests.library import ROOT, library

SCHEME = """\
scheme harbour "Harbour scheme" {
  jurisdiction "Harbour City"
  administrator "Harbour Office"
  description "A small scheme for the harbour." cite law
  timing "Starts in 2030."
  source law "Harbour Act, section 4 (never translated)"
  period p1 = 2030 .. 2032 "First period" cite law "s. 4(2) locator"
  participant ship "A ship calling at the harbour" {
    emissions: tCO2e "Emissions while berthed"
  }
  cap = 100 tCO2e "Each ship's cap" cite law
}
"""
WORDS = {
    "A small scheme for the harbour.": "港の小さな制度。",
    "Starts in 2030.": "2030年開始。",
    "First period": "第1期間",
    "Harbour Office": "港湾局",
    "A ship calling at the harbour": "入港する船舶",
    "Emissions while berthed": "停泊中の排出量",
    "p1": "第1港湾期間",  # the period's name: the heading of its row
}


def harbour(folder: Path) -> SchemeModel:
    (folder / "harbour.scheme").write_text(SCHEME, encoding="utf-8")
    compilation = compile_paths([folder])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return next(iter(compilation.schemes.values())).model


def translate(folder: Path, words: dict[str, str]) -> None:
    """Extract the folder's catalogue, translate `words`, compile it (as a translator does)."""
    assert main([str(folder)]) == 0
    path = catalogue_path(folder, "ja")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    for message in catalog:
        message.string = words.get(str(message.id), message.string)
        assert not message.id or message.context == "harbour"  # every string in its scheme
    with path.open("wb") as handle:
        write_po(handle, catalog)
    with catalogue_path(folder, "ja", ".mo").open("wb") as handle:
        write_mo(handle, catalog)


def test_extraction_collects_prose_but_not_citations(tmp_path: Path) -> None:
    harbour(tmp_path)
    ids = {str(m.id) for m in template_catalog(tmp_path) if m.id}
    assert ids == {*WORDS, "Each ship's cap"}
    locations = {str(m.id): m.locations for m in template_catalog(tmp_path) if m.id}
    assert locations["First period"] == [("harbour.periods[p1].label", None)]


def test_japanese_pages_show_the_catalogue_and_mark_the_rest(tmp_path: Path) -> None:
    model = harbour(tmp_path)
    translate(tmp_path, WORDS)
    with language("ja"):
        page = site([model], published=date(2025, 1, 31))["harbour.html"]
    for japanese in WORDS.values():
        assert japanese in page
    assert "A small scheme for the harbour." not in page
    assert "【未翻訳】Each ship&#39;s cap" in page
    assert "Harbour Act, section 4 (never translated)" in page
    assert "s. 4(2) locator" in page


def test_english_pages_are_unchanged(tmp_path: Path) -> None:
    model = harbour(tmp_path)
    translate(tmp_path, WORDS)
    assert translated(model) == model  # English prose is kept word for word
    with language("en"):
        page = site([model], published=date(2025, 1, 31))["harbour.html"]
    assert "A small scheme for the harbour." in page
    assert "not yet translated" not in page


def test_gases_in_scheme_prose_are_typeset_in_both_languages(tmp_path: Path) -> None:
    """A scheme's prose wrote `CO2 emissions` (エネルギー起源CO2) beside the documents' own
    `t CO₂e`; units inside words (`tCO2e`), names and addresses are left as written."""
    model = harbour(tmp_path)
    said = "CO2 and CH4 from ships (1 tCO2e each; see https://example.org/CO2)"
    meta = {
        **model.meta,
        "description": model.meta["description"].model_copy(update={"value": said}),
    }
    shown = translated(model.model_copy(update={"meta": meta}))
    typeset = "CO₂ and CH₄ from ships (1 tCO2e each; see https://example.org/CO2)"
    assert shown.meta["description"].value == typeset
    with language("ja"):  # no catalogue here: shown in English, marked, and typeset
        shown = translated(model.model_copy(update={"meta": meta}))
    assert shown.meta["description"].value == f"【未翻訳】{typeset}"


def test_a_folder_without_a_catalogue_is_marked_throughout(tmp_path: Path) -> None:
    model = harbour(tmp_path)
    with language("ja"):
        shown = translated(model)
        compared = render(comparison([model]), "html")
    assert shown.meta["timing"].value == "【未翻訳】Starts in 2030."
    assert shown.periods[0].label == "【未翻訳】First period"
    assert shown.sources == model.sources
    assert "【未翻訳】Starts in 2030." in compared


def test_check_reports_new_text_and_missing_translations(tmp_path: Path) -> None:
    harbour(tmp_path)
    assert problems(tmp_path, "ja") == ([f"{catalogue_path(tmp_path, 'ja')} is missing"], [])
    translate(tmp_path, WORDS)
    stale, untranslated = problems(tmp_path, "ja")
    assert stale == []
    assert untranslated == [
        f'{catalogue_path(tmp_path, "ja")}: no translation of "Each ship\'s cap" (harbour)'
    ]
    assert main(["--check", "--allow-untranslated", str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 1
    text = (tmp_path / "harbour.scheme").read_text(encoding="utf-8")
    (tmp_path / "harbour.scheme").write_text(text.replace("Starts in 2030.", "From 2030."))
    stale, _ = problems(tmp_path, "ja")
    path = catalogue_path(tmp_path, "ja")
    assert stale == [f"{path}: 'From 2030.' (harbour) is not in the catalogue"]


def test_updating_keeps_translations_and_drops_what_no_scheme_says(tmp_path: Path) -> None:
    harbour(tmp_path)
    translate(tmp_path, WORDS)
    text = (tmp_path / "harbour.scheme").read_text(encoding="utf-8")
    (tmp_path / "harbour.scheme").write_text(text.replace("Starts in 2030.", "From 2030."))
    po, _mo = updated(tmp_path, "ja")
    assert "港の小さな制度。" in po.decode()
    assert "Starts in 2030." not in po.decode()


def _two_harbours(folder: Path) -> list[SchemeModel]:
    """Two schemes saying the same words about periods of the same name."""
    harbour(folder)
    other = SCHEME.replace("scheme harbour", "scheme port").replace("Harbour scheme", "Port")
    (folder / "port.scheme").write_text(other, encoding="utf-8")
    compilation = compile_paths([folder])
    return sorted((c.model for c in compilation.schemes.values()), key=lambda m: m.name)


def test_two_schemes_saying_the_same_words_get_their_own_translations(tmp_path: Path) -> None:
    """Scheme text was keyed by its English alone: the same words in two schemes had one
    translation (RGGI's control periods were named with California's term)."""
    harbour_model, port = _two_harbours(tmp_path)
    assert main([str(tmp_path)]) == 0
    path = catalogue_path(tmp_path, "ja")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    catalog.get("First period", "harbour").string = "第1期間"
    catalog.get("First period", "port").string = "第1遵守期間"
    catalog.get("p1", "harbour").string = "第1港湾期間"
    catalog.get("p1", "port").string = "第1港期間"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    assert main([str(tmp_path)]) == 0  # compiles the .mo
    with language("ja"):
        pages = site([harbour_model, port], published=date(2025, 1, 31))
    assert "第1期間" in pages["harbour.html"] and "第1遵守期間" not in pages["harbour.html"]
    assert "第1遵守期間" in pages["port.html"] and "第1期間" not in pages["port.html"]
    assert "第1港湾期間" in pages["harbour.html"] and "第1港期間" not in pages["harbour.html"]
    assert "第1港期間" in pages["port.html"] and "第1港湾期間" not in pages["port.html"]


def test_updating_gives_a_translation_without_context_to_each_scheme(tmp_path: Path) -> None:
    """The migration of catalogues written before contexts: nothing translated is lost."""
    _two_harbours(tmp_path)
    old = template_catalog(tmp_path)
    flat = Catalog(locale="ja", domain="etsl-schemes")
    for message in old:
        if message.id and message.id != "p1":
            found = flat.get(message.id)
            if found is None:
                flat.add(message.id, f"訳：{message.id}", locations=list(message.locations),
                         user_comments=["term of the Harbour Act"])
            else:
                found.locations.extend(message.locations)
    path = catalogue_path(tmp_path, "ja")
    path.parent.mkdir()
    with path.open("wb") as handle:
        write_po(handle, flat)
    po, _mo = updated(tmp_path, "ja")
    with catalogue_path(tmp_path, "ja").open("wb") as handle:
        handle.write(po)
    with path.open("rb") as handle:
        new = read_po(handle, locale="ja")
    for message in (m for m in flat if m.id):
        for scheme in ("harbour", "port"):
            found = new.get(message.id, scheme)
            assert found is not None and found.string == f"訳：{message.id}"
            assert found.user_comments == ["term of the Harbour Act"]
    assert not [m.id for m in new if m.id and not m.context]


@pytest.mark.parametrize("folder", ["japan", "kyoto", "world"])
def test_every_bundled_scheme_folder_is_translated_in_full(folder: str) -> None:
    """python -m etsl.documents.scheme_messages --check schemes/world"""
    assert problems(ROOT / "schemes" / folder, "ja") == ([], [])


def test_the_tokyo_page_uses_the_official_terms() -> None:
    tokyo = next(m for m in library() if m.name == "tokyo_cat")
    with language("ja"):
        page = site([tokyo], published=date(2025, 1, 31))["tokyo_cat.html"]
    for term in ("削減義務率", "東京都環境局", "都外クレジット", "超過削減量"):
        assert term in page
    assert "【未翻訳】" not in page.split("<footer")[0]  # only the footer explains the mark


def test_each_world_scheme_names_its_periods_in_its_own_terms() -> None:
    """RGGI's control periods were 規制期間 in its text and California's 遵守期間 in its
    period names; Switzerland's periods took Tokyo's 計画期間 and the EU's 試行期間."""
    schemes = {m.name: m for m in library() if m.name in {"rggi", "swiss_ets"}}
    with language("ja"):
        pages = site(list(schemes.values()), published=date(2025, 1, 31))
    rggi = pages["rggi.html"].split("<footer")[0]
    assert "第1遵守期間" in rggi and "規制期間" not in rggi
    swiss = pages["swiss_ets.html"].split("<footer")[0]
    assert "第1義務期間" in swiss and "自主参加期間" in swiss
    assert "計画期間" not in swiss and "試行期間" not in swiss


def test_a_comparison_names_each_schemes_periods_in_its_own_terms() -> None:
    """The Japanese comparison wrote Switzerland's periods with Tokyo's 計画期間 (in its
    Periods row and its timeline) while the Swiss page wrote 義務期間."""
    chosen = [m for m in library() if m.name in {"rggi", "swiss_ets", "tokyo_cat"}]
    with language("ja"):
        result = comparison(chosen)
        figures = comparison_figures(result.schemes, {})
    row = next(r for r in result.rows if r.key == "periods")
    cells = {m.name: "".join(c.lines) for m, c in zip(result.schemes, row.cells, strict=True)}
    assert "第1義務期間" in cells["swiss_ets"] and "計画期間" not in cells["swiss_ets"]
    assert "第1遵守期間" in cells["rggi"] and "計画期間" not in cells["rggi"]
    assert "第1計画期間" in cells["tokyo_cat"]
    timeline = str(next(f for f in figures if f.key == "timeline").svg)
    assert "自主参加期間" in timeline and "第2義務期間" in timeline
    assert "試行期間" not in timeline


def test_the_japanese_linkage_page_quotes_scheme_text_in_japanese(tmp_path: Path) -> None:
    """Its evidence quoted a scheme's own words in English: （制度の記述：The sources cited …）."""
    world = ROOT / "schemes" / "world"
    result = CliRunner().invoke(cli, ["docs", str(world / "eu_ets.scheme"),
                                      str(world / "swiss_ets.scheme"), "--linkage",
                                      "--lang", "ja", "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "linkage.html").read_text(encoding="utf-8").split("<footer")[0]
    assert "（制度ファイルの注記：CO₂法（参照した第19条、" in page
    assert "The sources cited" not in page and "【未翻訳】" not in page
