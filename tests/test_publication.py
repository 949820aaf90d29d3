"""The publication: site shell, languages, grouping, glossary, search, factsheets, confidence."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_text
from etsl.documents import messages
from etsl.documents.i18n import UnknownLanguage, language, translations
from etsl.documents.search import SCRIPT, script_hash
from etsl.documents.site import site

from etsl.cli import cli
from tests.library import library

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = date(2025, 1, 31)


@cache
def pages(lang: str, fmt: str = "html") -> dict[str, str]:
    with language(lang):
        return site(library(), fmt, published=PUBLISHED, languages=[("en", ""), ("ja", "ja/")])


def test_translation_catalogues_are_current() -> None:
    assert messages.main(["--check"]) == 0, "run python -m etsl.documents.messages, translate"


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownLanguage, match="choose one of en, ja"):
        translations("fr")


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_bundled_scheme_renders_in_both_languages(lang: str, fmt: str) -> None:
    files = pages(lang, fmt)
    for model in library():
        text = files[f"{model.name}.{fmt}"]
        visible = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<code.*?</code>|```.*?```|`[^`]*`",
                         "", text, flags=re.S)
        assert not re.search(r"\bNone\b|\{\w*\}|%\(\w+\)s", visible), (model.name, lang)
        if lang == "ja":
            assert "概要" in text and "出典" in text
            assert ">Summary</h2>" not in visible and "## Summary" not in visible
        if fmt == "html":
            assert f'<html lang="{lang}">' in text


def test_pages_link_to_their_translation() -> None:
    english, japanese = pages("en")["tokyo_cat.html"], pages("ja")["tokyo_cat.html"]
    assert 'href="ja/tokyo_cat.html" hreflang="ja">日本語</a>' in english
    assert 'href="tokyo_cat.html" hreflang="en">English</a>' in japanese.replace("../", "")
    assert "東京都総量削減義務と排出量取引制度</h1>" in japanese, "official Japanese title"


def test_the_index_groups_schemes_and_states_their_status() -> None:
    index = pages("en")["index.html"]
    headings = re.findall(r"<h2>([^<]+)</h2>", index)
    assert headings[:3] == ["Japan", "Other jurisdictions", "Crediting and offset programmes"]
    japan = index[index.index(">Japan<"):index.index(">Other jurisdictions<")]
    assert "Tokyo Cap-and-Trade Program" in japan and "EU Emissions" not in japan
    crediting = index[index.index(">Crediting and offset programmes<"):]
    assert "Clean Development Mechanism" in crediting and "J-VER" in crediting
    rows = re.findall(r"<tr><td><a href=\"[^\"]+\">[^<]+</a></td>(.*?)</tr>", index, re.S)
    assert rows and all(r.count("<td>") >= 4 for r in rows)
    assert "Published 31 January 2025" in index


def test_every_page_has_the_shell_and_cross_links() -> None:
    files = pages("en")
    for name, text in files.items():
        assert 'class="masthead"' in text and "<footer" in text, name
        assert 'href="index.html"' in text and 'href="glossary.html"' in text, name
    tokyo = files["tokyo_cat.html"]
    assert 'href="saitama_tset.html"' in tokyo and 'href="tokyo_cat-factsheet.html"' in tokyo
    assert 'href="tokyo_cat.html"' in files["tokyo_cat-factsheet.html"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))


def test_every_internal_link_reaches_a_page_and_an_anchor() -> None:
    files = pages("en")
    parsed = {}
    for name, text in files.items():
        parser = _Links()
        parser.feed(text)
        parsed[name] = parser
    for name, parser in parsed.items():
        for href in parser.hrefs:
            if href.startswith(("http://", "https://", "ja/")):
                continue
            target, _, anchor = href.partition("#")
            target = target or name
            assert target in files, (name, href)
            assert not anchor or anchor in parsed[target].ids, (name, href)


def test_the_glossary_lists_the_abbreviations_the_pages_use() -> None:
    glossary = pages("en")["glossary.html"]
    for term in ("JPA", "TNAC", "LRF", "KCU", "ARBOC", "CER", "CDM"):
        assert f'<th scope="row">{term}</th>' in glossary, term
    assert "Linear reduction factor" in glossary
    assert "線形削減係数" in pages("ja")["glossary.html"]


def test_search_works_offline_with_one_allowed_script() -> None:
    page = pages("en")["search.html"]
    assert script_hash(SCRIPT) in page and f"<script>{SCRIPT}</script>" in page
    assert "default-src 'none'" in page and "connect-src" not in page
    index = page[page.index('id="search-index">') + 18:]
    assert '"page":"Tokyo Cap-and-Trade Program"' in index and "tokyo_cat.html#rules" in index
    assert 'action="search.html"' in pages("en")["index.html"]


def test_factsheets_list_only_the_sources_they_cite() -> None:
    sheet, full = pages("en")["eu_ets-factsheet.html"], pages("en")["eu_ets.html"]
    listed = lambda text: re.findall(r'<li id="src-[^"]+" value="(\d+)"', text)  # noqa: E731
    assert 0 < len(listed(sheet)) < len(listed(full))
    for number in listed(sheet):
        assert f'>[{number}' in sheet, f"source {number} is listed but not cited"


CONFIDENT = """scheme s "S" {
  source law "The Act" url "https://example.org/act"
  source sheet "A factsheet" secondary
  participant p { emissions: tCO2e }
  param rate = 100 EUR/tCO2e "Rate" cite law "s. 5"
  param limit = 5 % "Limit" cite sheet
  param share = 10 % "Share" cite law "s. 9" unconfirmed
}
"""


def test_non_primary_values_are_marked_in_every_format() -> None:
    model = compile_text(CONFIDENT, "s.scheme").schemes["s"].model
    html = site([model], "html")["s.html"]
    row = lambda name: html[html.index(f'id="param-{name}"'):].split("</tr>")[0]  # noqa: E731
    assert 'class="confidence secondary">secondary source' in row("limit")
    assert 'class="confidence unconfirmed">unconfirmed' in row("share")
    assert "confidence" not in row("rate")
    assert "2 values on this page rest on secondary or unconfirmed sources" in html
    markdown = site([model], "md")["s.md"]
    assert "*(secondary source)*" in markdown and "*(unconfirmed)*" in markdown
    with language("ja"):
        assert "二次資料" in site([model], "html")["s.html"]


def test_cli_writes_both_languages_and_refuses_a_bad_date(tmp_path: Path) -> None:
    runner = CliRunner()
    fixture = str(ROOT / "tests" / "cases" / "docs" / "tokyo.scheme")
    result = runner.invoke(cli, ["docs", fixture, "-o", str(tmp_path / "s"), "--lang", "en",
                                 "--lang", "ja", "--date", "2025-01-31"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / "ja" / "tokyo_cat.html").exists()
    assert "2025年1月31日発行" in (tmp_path / "s" / "ja" / "index.html").read_text("utf-8")
    result = runner.invoke(cli, ["docs", fixture, "-o", str(tmp_path / "t"), "--date", "31/01"])
    assert result.exit_code == 2 and "--date" in result.output and not (tmp_path / "t").exists()


def test_pdf_without_chromium_is_a_message_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("ETSL_CHROMIUM", str(tmp_path / "no-such-browser"))
    fixture = str(ROOT / "tests" / "cases" / "docs" / "tokyo.scheme")
    result = CliRunner().invoke(cli, ["docs", fixture, "-o", str(tmp_path / "pdf"),
                                      "--format", "pdf"])
    assert result.exit_code == 1 and "apt-get install chromium" in result.output
    assert not (tmp_path / "pdf").exists() and "Traceback" not in result.output


SETTLEMENT = """scheme s "S" {
  participant entity { emissions: tCO2e }
  units {
    allowance CCA
    offset deb "Offsets with direct benefits"
    offset non_deb "Offsets without them"
  }
  surrender {
    accept CCA
    accept deb, non_deb up to 5 % of obligation
    limit deb at least 50 % among deb, non_deb
  }
  penalty untimely when shortfall > 0 tCO2e {
    make_good 4 * excess + owed_unpaid with CCA at least 75 % within 5 day
  }
}
"""


@pytest.mark.parametrize(("lang", "share", "mix"), [
    ("en", "DEB: at least 50 % of DEB and non-DEB",
     "4 × its excess emissions + its units still owed, with CCA at least 75 %, within 5 days"),
    ("ja", "DEB：DEB及びnon-DEBの50 %以上", "（うちCCAが75 %以上）（5日以内）"),
])
def test_share_clauses_and_unit_mixes_are_worded(lang: str, share: str, mix: str) -> None:
    compilation = compile_text(SETTLEMENT, "s.scheme")
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    with language(lang):
        page = site([compilation.schemes["s"].model], "md")["s.md"]
    assert share in page and mix in page
