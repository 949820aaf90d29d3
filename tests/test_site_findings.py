"""What a policy reader once found on the published site and must not find again: grammar
slips, developer artefacts and identifiers in sentences, in English and Japanese.

The pages read are the golden pages (tests/golden/docs, kept equal to what `etsl docs`
renders by tests/test_golden_docs.py) and the linkage report on the whole library. Each
phrase is one reader's finding; the findings that need a computation (linkage, print
layout) have their own tests in tests/test_linkage*.py and tests/test_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_paths
from etsl.documents.i18n import language
from etsl.documents.linkage_report import render_document
from etsl.documents.site import site
from etsl.linkage.network import analyse_network

from tests.library import library

GOLDEN = Path(__file__).resolve().parent / "golden" / "docs"

#: finding → a pattern of what the reader saw.
FOUND = {
    "a jurisdiction read as a participant type": r"Each participant is an? (japan|tokyo|eu)\b",
    "an article before a consonant": r"\b[Aa]n unit",
    "a unit symbol glued to a gas name": r"\bt(HFC|PFC|SF6|N2O|CH4)s?\b",
    "a unit's identifier in a sentence": r"\bits ar cdm cap\b",
    "a note for the library's authors": r"sourced facts|No `gases` line",
    "a scheme file's line number": r"\.scheme:\d+",
    "a note on floating point": r"float trap",
    "a command for developers": r"checked by `?etsl|`etsl test`",
    "a source's key shown as its reference": r"(?<![#(-])\[[a-z]+_[a-z0-9_]+\]",
    "a section of the library's facts file": r"\(facts §",
    "a factor applied to a sum without brackets": r"\b1 − \d+ % of\b",
    "a comparison without its own title": r"Scheme comparison",
    "a bare year in a Japanese sentence (2013から, not 2013年から)": r"(?<!\d)(19|20)\d\dから",
    "a year compared as a number (2021以上, not 2021年以降)": r"(?<!\d)(19|20)\d\d(以上|以下|未満)",
    "a year compared as an amount (the year is at least 2019)": (
        r"\b(year|vintage) is (at least|at most|more than|less than) (19|20)\d\d\b"
    ),
    "a price control named by its identifier (a price ceiling (ceiling))": (
        r"price (ceiling|floor) \((ceiling|floor|auction reserve)\)"
    ),
    "scheme syntax in a finding (penalty none)": r"penalty none",
    "a span of dates written as in scheme files (2011-04-01 .. 2015-03-31)": (
        r"(\d|FY\d{4}) \.\. (\d|FY)"
    ),
    "a gas without its subscript (CH4, NF3)": r"\b(CH4|NF3|SF6|N2O)\b",
    "an abbreviation of the regulation's symbol read as a word (the lo 2026)": r"\b[Tt]he lo\b",
    "borrowing carried into the next period, as banking is": (
        r"[Bb]orrowing.*[Ii]nto the next|ボローイング.*次の(期間|フェーズ)に限り"
    ),
    "a price said twice (10 USD/tCO2e (10 USD/t CO2e": r"tCO2e \(\d",
    "a product written with the letter x (1990 emissions x 5)": (
        r"(?:[\d)%]|emissions|intensity|index|factor|production|level) x [\w(]"
    ),
    "a period written as the library's shorthand (P2 (H27-R1))": r"\bP[1-5] \(|\bH\d\d-",
    "a period named by a bare word (the period is third)": (
        r"\bperiod is (first|second|third|fourth|fifth|pilot)\b"
    ),
    "a calculation written for the library's authors (10 * 1.025^2 = 10.50625 -> 10.51)": (
        r"\bround\(\)|\d \* \d|\d\^\d| -(>|&gt;) "
    ),
}

#: A word ETSL writes for a name (`offset_limit`), outside formulas, code and addresses.
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


def prose(text: str) -> Iterator[str]:
    """The lines a reader reads as sentences: no fenced or indented formulas, inline code
    (Markdown or HTML), HTML tags or link targets."""
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            continue
        line = re.sub(r"`[^`]*`|<code>.*?</code>|<style>.*", "", line)
        line = re.sub(r"<[^>]*>", "", line)
        yield re.sub(r"\]\([^)]*\)", "]", line)


def golden_pages() -> list[Path]:
    return sorted(GOLDEN.glob("*/*.md"))


@cache
def linkage_report(lang: str) -> str:
    with language(lang):
        return render_document([], analyse_network(list(library())), "html")


def documents() -> Iterator[tuple[str, str]]:
    for path in golden_pages():
        yield f"{path.parent.name}/{path.name}", path.read_text(encoding="utf-8")
    for lang in ("en", "ja"):
        yield f"{lang}/linkage.html", linkage_report(lang)


def test_the_golden_pages_cover_both_languages() -> None:
    langs = {path.parent.name for path in golden_pages()}
    assert langs == {"en", "ja"} and len(golden_pages()) >= 50


@pytest.mark.parametrize("finding", sorted(FOUND))
def test_no_page_says_what_a_reader_once_found(finding: str) -> None:
    pattern = re.compile(FOUND[finding])
    seen = [
        (name, match.group())
        for name, text in documents()
        for line in prose(text)
        for match in pattern.finditer(line)
    ]
    assert seen == [], finding


def test_sentences_name_things_in_words_not_identifiers() -> None:
    seen = {
        (name, word)
        for name, text in documents()
        for line in prose(text)
        for word in IDENTIFIER.findall(line)
    }
    assert seen == set()


@pytest.mark.parametrize(
    ("line", "finding"),
    [
        ("Each participant is a japan.", "a jurisdiction read as a participant type"),
        ("Accepts an unit of the scheme.", "an article before a consonant"),
        ("Gases: 10 tHFCs", "a unit symbol glued to a gas name"),
        ("Capped at its ar cdm cap.", "a unit's identifier in a sentence"),
        ("The rule is defined at tokyo_cat.scheme:70.", "a scheme file's line number"),
        ("Offices 8 % [tmg_2016]", "a source's key shown as its reference"),
        ("Cap: 1 − 30 % of 1,000 t", "a factor applied to a sum without brackets"),
        (
            "| 開始時期 | 2013から |",
            "a bare year in a Japanese sentence (2013から, not 2013年から)",
        ),
        (
            "California has a price ceiling (ceiling).",
            "a price control named by its identifier (a price ceiling (ceiling))",
        ),
        (
            "Saitama declares no consequence (penalty none).",
            "scheme syntax in a finding (penalty none)",
        ),
        (
            "period first (2011-04-01 .. 2015-03-31)",
            "a span of dates written as in scheme files (2011-04-01 .. 2015-03-31)",
        ),
        (
            "second (FY2015 .. FY2019)",
            "a span of dates written as in scheme files (2011-04-01 .. 2015-03-31)",
        ),
        ("Only Swiss ETS covers CH4, HFCs, NF3, SF6.", "a gas without its subscript (CH4, NF3)"),
        (
            "+ (the lo 2026 (6 %) of its emissions)",
            "an abbreviation of the regulation's symbol read as a word (the lo 2026)",
        ),
        (
            "| Borrowing in cycle 2 | Into the next period only",
            "borrowing carried into the next period, as banking is",
        ),
        (
            "'california' 10 USD/tCO2e (10 USD/t CO2e (auction reserve",
            "a price said twice (10 USD/tCO2e (10 USD/t CO2e",
        ),
        (
            "| CCR trigger | 10 * 1.025^2 = 10.50625 -> 10.51 (round() would work in USD",
            "a calculation written for the library's authors (10 * 1.025^2 = 10.50625 -> 10.51)",
        ),
        (
            "When its shortfall is more than zero and the period is third: Fine",
            "a period named by a bare word (the period is third)",
        ),
        ("Emissions allowed over 2008-2012: 1990 emissions x 5 x (1 - 6 %)",
         "a product written with the letter x (1990 emissions x 5)"),
        ("| Second | Period | FY2015 – FY2019 | 5 | P2 (H27-R1) |",
         "a period written as the library's shorthand (P2 (H27-R1))"),
        (
            "CO2 intensity index 1.00 -&gt; 0.78",
            "a calculation written for the library's authors (10 * 1.025^2 = 10.50625 -> 10.51)",
        ),
    ],
)
def test_each_pattern_finds_what_the_reader_saw(line: str, finding: str) -> None:
    assert re.search(FOUND[finding], next(prose(line)))


#: A quantity in tonnes as English pages write it (`1,686.3 Mt CO₂e`, `t CO₂e`), where
#: Japanese official style writes `百万t-CO₂e` and `t-CO₂e`.
ENGLISH_TONNES = re.compile(r"(?<![A-Za-z])[kMG]?t CO₂e?|\bMt\b")
#: A numbered reference: its title is quoted as published, in any language.
REFERENCE = re.compile(r"^\d+\. <a id=")


def test_japanese_quantities_are_in_the_japanese_official_style() -> None:
    """The generator wrote "Mt CO₂e" on Japanese pages (nz_ets: 34.5 Mt CO₂e)."""
    seen = [
        (name, line[:80])
        for name, text in documents()
        if name.startswith("ja/")
        for line in text.splitlines()
        if not REFERENCE.match(line) and ENGLISH_TONNES.search(line)
    ]
    assert seen == []
    assert ENGLISH_TONNES.search("| 2022年 | 34.5 Mt CO₂e |")


def test_japanese_sentences_end_with_a_japanese_full_stop() -> None:
    """The linkage page ended its list of unlinked schemes with `制度.`, and each pair's
    line `リンクを宣言した制度：…制度.`."""
    english_stop = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff）」](\.)(?=\s|<|$)")
    seen = [
        (name, line[max(0, m.start() - 20) : m.end()])
        for name, text in documents()
        if name.startswith("ja/")
        for line in prose(text)
        for m in english_stop.finditer(line)
    ]
    assert seen == []


def test_a_cell_cites_a_source_once() -> None:
    """China's, New Zealand's and Québec's cells showed `[18] [18]`: two long locators of
    one source, each shown as the source's number."""
    twice = re.compile(r"(\[\\\[\d+\\\]\]\(#[\w-]+\)) \1")
    seen = [
        (path.name, m.group(1))
        for path in golden_pages()
        for m in twice.finditer(path.read_text(encoding="utf-8"))
    ]
    assert seen == []


def test_the_japanese_footer_explains_the_untranslated_mark_only_beside_it(
    tmp_path: Path,
) -> None:
    """Every Japanese page's footer explained 【未翻訳】, also on pages without one."""
    rggi = [m for m in library() if m.name == "rggi"]
    (tmp_path / "harbour.scheme").write_text(HARBOUR, encoding="utf-8")
    compilation = compile_paths([tmp_path])
    harbour = [c.model for c in compilation.schemes.values()]  # no catalogue: marked
    with language("ja"):
        pages = site(rggi + harbour, published=date(2025, 1, 31))
    for name in ("rggi.html", "rggi-factsheet.html", "glossary.html"):
        assert "未翻訳" not in pages[name], name
    body, footer = pages["harbour.html"].split("<footer")
    assert "【未翻訳】A small scheme" in body
    assert "「【未翻訳】」と表示した文は翻訳がまだなく" in footer


HARBOUR = """\
scheme harbour "Harbour scheme" {
  jurisdiction "Harbour City"
  description "A small scheme for the harbour." cite law
  source law "Harbour Act"
  period p1 = 2030 .. 2032 "First period" cite law
  participant ship "A ship" {
    emissions: tCO2e "Emissions while berthed"
  }
  cap = 100 tCO2e "Each ship's cap" cite law
}
"""


def test_japanese_pages_name_a_holdings_attributes_in_japanese() -> None:
    """GX-ETS's JCM condition read 保有ユニットのvintageが2021以上である."""
    english = re.compile(r"保有ユニットの[A-Za-z]")
    seen = [
        (name, line[:80])
        for name, text in documents()
        if name.startswith("ja/")
        for line in prose(text)
        if english.search(line)
    ]
    assert seen == []


def test_the_japanese_factsheet_punctuates_its_lists_in_japanese() -> None:
    """GX-ETS's factsheet read 価格上限: 4,300 JPY/t CO₂ (開始 2026), 上昇率 毎年3 % and
    JCMクレジット: 条件 保有ユニットの…."""
    gx = [m for m in library() if m.name == "gx_ets"]
    with language("ja"):
        sheet = site(gx, published=date(2025, 1, 31))["gx_ets-factsheet.html"]
    assert "4,300円/t-CO₂（2026年から）、毎年3 %上昇" in sheet
    assert "（保有ユニットのビンテージが2021年以降である場合に限る）" in sheet
    assert "(開始" not in sheet and "上昇率" not in sheet and "条件 " not in sheet
