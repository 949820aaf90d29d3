"""What a policy reader sees on the bundled library's pages: no ETSL identifiers, no
half-translated Japanese (found reading every page of the published site)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from etsl.documents.citations import Footnotes
from etsl.documents.compare import card, comparison, render
from etsl.documents.figures.comparison import short_names
from etsl.documents.i18n import gettext, language
from etsl.documents.linkage_report import render_document
from etsl.documents.prose import Lexicon, phrase
from etsl.documents.scheme_page import scheme_page
from etsl.documents.scheme_text import translated
from etsl.documents.site import site
from etsl.documents.wording import followed_by
from etsl.linkage.checks import CATALOGUE
from etsl.linkage.network import analyse_network

from etsl.system_paths import year_paths
from tests.library import compiled_library, library

#: An identifier as ETSL writes it: `held.outside_tokyo`, `first_commitment`, `true`.
IDENTIFIER = re.compile(r"\b[a-z]+\.[a-z_]+\b|\b[a-z0-9]+_[a-z0-9_]+\b|^(true|false)$")


def example_cells(lang: str) -> list[tuple[str, str, str]]:
    cells = []
    with language(lang):
        for model in library():
            for example in scheme_page(model).examples:
                for name, value in example.given + example.expect:
                    cells.append((model.name, name, value))
    return cells


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_worked_examples_name_values_as_the_page_does(lang: str) -> None:
    leaks = [c for c in example_cells(lang) if IDENTIFIER.search(c[1]) or IDENTIFIER.search(c[2])]
    assert leaks == []


def test_japanese_worked_examples_name_every_value_in_japanese() -> None:
    """Price controls were named in English words (ceiling, floor, CCR trigger)."""
    english = [c for c in example_cells("ja") if re.fullmatch(r"[A-Za-z0-9 _.'-]+", c[1])]
    assert english == []


def example_rows(name: str, lang: str, title: str) -> dict[str, str]:
    model = next(m for m in library() if m.name == name)
    with language(lang):
        example = next(e for e in scheme_page(model).examples if e.title == title)
    return dict(example.given + example.expect)


TOKYO_OUTSIDE = "outside-Tokyo credits capped at a third of the required reduction"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            {
                "Category": "office",
                "Period": "First",
                "Held: outside Tokyo": "2,500 t CO₂",
                "Eligible after limits: outside Tokyo": "2,000 t CO₂",
                "Publication of the participant's name": "yes",
            },
        ),
        (
            "ja",
            {
                "区分": "事務所等",
                "期間": "第1計画期間",
                "保有量：都外クレジット": "2,500 t-CO₂",
                "上限適用後の適格量：都外クレジット": "2,000 t-CO₂",
                "罰金": "500,000円",
                "参加者名の公表": "はい",
            },
        ),
    ],
)
def test_the_tokyo_example_uses_the_page_terms(lang: str, expected: dict[str, str]) -> None:
    rows = example_rows("tokyo_cat", lang, TOKYO_OUTSIDE)
    assert {k: rows.get(k) for k in expected} == expected


#: Japanese clauses joined in their ending form (`…以下であるかつ…`, `…であること場合`).
UNJOINED = re.compile(r"(である|ない|超える|成り立つ|こと)、?かつ|こと場合")


def test_japanese_conditions_join_their_clauses() -> None:
    with language("ja"):
        pages = site(library(), "md", published=date(2025, 1, 31))
    found = {name: UNJOINED.findall(text) for name, text in pages.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


#: A Japanese sentence ended with an English full stop before the next one: `…ない）. データ…`.
ENGLISH_STOP = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff（）]\. [\u3000-\u30ff\u4e00-\u9fff]")


def test_japanese_notes_follow_a_description_with_a_japanese_full_stop() -> None:
    with language("ja"):
        pages = site(library(), "md", published=date(2025, 1, 31))
        assert followed_by("記載がない", "省略できる。") == "記載がない。省略できる。"
    found = {name: ENGLISH_STOP.findall(text) for name, text in pages.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert followed_by("Not stated", "It may be left out.") == "Not stated. It may be left out."
    assert followed_by("", "It may be left out.") == "It may be left out."


def test_a_surrender_condition_and_its_note_are_apart() -> None:
    tokyo = next(m for m in library() if m.name == "tokyo_cat")
    page = site([tokyo], "md", published=date(2025, 1, 31))["tokyo_cat.md"]
    row = next(line for line in page.splitlines() if line.startswith("| Saitama excess | Accept"))
    assert "shortfall is zero<br>Only from Saitama facilities" in row


def test_a_source_several_schemes_cite_names_each_of_them() -> None:
    japan = [m for m in library() if "/japan/" in m.path]
    entries = Footnotes(japan, "cmp").listed()
    slides = next(e for e in entries if e.id == "kobashi_2008" and e.scheme == "domestic_credit")
    assert "Tokyo Cap-and-Trade Program" in slides.title.split("; ")
    assert "Kyoto Protocol Target Achievement Plan (Japan)" in slides.title.split("; ")


def test_a_period_named_after_its_span_is_shown_once() -> None:
    trial = next(m for m in library() if m.name == "trial_integrated_market")
    assert [list(c.lines) for d, c in card(trial) if d.key == "periods"] == [["FY2008"]]


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_linkage_findings_name_schemes_and_units_in_words(fmt: str) -> None:
    models = [m for m in library() if m.name in ("california", "quebec", "eu_ets", "swiss_ets")]
    text = render_document([], analyse_network(models), fmt)
    assert "California accepts offset credit “sector-based” but Québec does not" in text
    assert re.findall(r"'[a-z][a-z0-9_]*'", text) == []
    assert "schemes/world/" not in text, "file paths are for the text report"


def test_linkage_report_in_japanese_names_schemes_in_japanese() -> None:
    models = [m for m in library() if m.name in ("california", "quebec")]
    with language("ja"):
        text = render_document([], analyse_network(models), "md")
    assert "## カリフォルニア州キャップ・アンド・トレード制度 — ケベック州" in text
    assert "「セクター別オフセット」" in text and "'sector_based'" not in text
    assert "**warning**" not in text and "Not linked to any analysed scheme" not in text


@pytest.mark.parametrize(
    ("name", "gases"),
    [("eu_ets", ["CO₂, N₂O, PFCs"]), ("korea_ets", ["CO₂, CH₄, N₂O, HFCs, PFCs, SF₆"])],
)
def test_the_gases_a_scheme_describes_are_on_its_card(name: str, gases: list[str]) -> None:
    model = next(m for m in library() if m.name == name)
    assert [list(c.lines) for d, c in card(model) if d.key == "gases"] == [gases]


def test_a_scheme_without_a_coverage_condition_does_not_claim_to_cover_everyone() -> None:
    # (nz_ets now states its coverage, Schedule 3 of the Act; the Keidanren plan states none.)
    plan = next(m for m in library() if m.name == "keidanren_vap")
    assert [list(c.lines) for d, c in card(plan) if d.key == "coverage"] == [
        ["Not stated in the sources"]
    ]


def test_a_target_is_read_with_the_rules_it_names() -> None:
    keidanren = next(m for m in library() if m.name == "keidanren_vap")
    lines = next(c.lines for d, c in card(keidanren) if d.key == "cap")
    assert lines[1].startswith(
        "Target: if its index is CO₂ total or CO₂ intensity, its CO₂ allowed"
    )
    assert lines[2].startswith(
        "CO₂ allowed: if its index is CO₂ intensity, its base intensity × its index target × "
        "its activity, rounded down to whole tonnes"
    )


def test_rounding_to_whole_tonnes_says_so() -> None:
    china = next(m for m in library() if m.name == "china_ets")
    cap = next(c.lines for d, c in card(china) if d.key == "cap")[1]
    assert cap.endswith("rounded to whole tonnes (halves up)") and "decimal places" not in cap


def test_japanese_scheme_page_has_no_english_punctuation_or_system_text() -> None:
    california = next(m for m in library() if m.name == "california")
    with language("ja"):
        page = site([california], "md", published=date(2025, 1, 31))["california.md"]
    assert "Values of the whole scheme" not in page and "制度全体の年ごとの値" in page
    assert "| 価格上限 |" in page and "価格上限：" not in page
    assert "オークション、無償割当：" in page


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("china_ets", "Trading started in 2021"),
        ("nz_ets", "Established in 2008"),
        ("eu_ets", "From 2005"),
    ],
)
def test_timing_agrees_between_the_overview_and_the_rows(name: str, start: str) -> None:
    model = next(m for m in library() if m.name == name)
    timing = [list(c.lines) for d, c in card(model) if d.key == "timing"]
    assert len(timing) == 1 and timing[0][0].startswith(start)


def test_the_japanese_index_names_jurisdictions_in_japanese() -> None:
    with language("ja"):
        index = site(library(), "md", published=date(2025, 1, 31))["index.md"]
    tokyo = next(line for line in index.splitlines() if "(tokyo_cat.md)" in line)
    assert "| 東京都 |" in tokyo and "Tokyo Metropolitan Government" not in tokyo
    cdm = next(line for line in index.splitlines() if "(cdm.md)" in line)
    assert cdm.rstrip().endswith("| — |"), "a programme without periods says so"


@pytest.mark.parametrize(
    ("lang", "name", "title"),
    [
        ("en", "World emissions trading systems", "World emissions trading systems: a comparison"),
        ("ja", "World emissions trading systems", "世界の排出量取引制度の比較"),
        ("ja", "Japanese schemes", "日本の制度の比較"),
        ("ja", "My own pick", "My own pickの比較"),
    ],
)
def test_comparisons_have_titles_in_the_language_of_the_page(
    lang: str, name: str, title: str
) -> None:
    from etsl.documents.compare import comparison_title

    with language(lang):
        assert comparison_title(name) == title


def test_a_price_that_names_a_rule_shows_what_the_rule_gives() -> None:
    eu = next(m for m in library() if m.name == "eu_ets")
    page = site([eu], "md")["eu_ets.md"]
    row = next(
        line for line in page.splitlines() if line.startswith("| Market stability reserve intake")
    )
    # A span of years reads as one: not "the year is 2019 or later and the year is 2030 or
    # earlier" (nor 「その年が2019年以降であり、かつその年が2030年以前である」).
    assert "if the year is 2019 to 2030, 24 %; otherwise 12 %" in row
    assert "the MSR intake rate" not in row
    with language("ja"):
        page = site([eu], "md")["eu_ets.md"]
    assert "その年が2019年から2030年までである場合は24 %、それ以外は12 %" in page


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("year >= 2019 and year <= 2030", "if year is 2019 to 2030,"),
        ("year <= 2030 and year >= 2019", "if year is 2019 to 2030,"),
        ("year >= 2019 and vintage <= 2030", "if year is 2019 or later and vintage is 2030 or"),
        ("year > 2019 and year <= 2030", "if year is after 2019 and year is 2030 or earlier,"),
    ],
)
def test_a_span_of_years_reads_as_one(condition: str, words: str) -> None:
    assert phrase(f"if {condition} then 24 % else 12 %", Lexicon(None, {})).startswith(words)


def test_fiscal_years_read_as_nendo_on_japanese_pages() -> None:
    """Japanese pages wrote `FY2010–FY2014`; a Japanese reader writes 2010年度–2014年度."""
    tokyo = next(m for m in library() if m.name == "tokyo_cat")
    with language("ja"):
        page = site([tokyo], published=date(2025, 1, 31))
    assert "2010年度–2029年度" in page["index.html"]
    assert "2010年度 – 2014年度" in page["tokyo_cat.html"]
    assert "FY2010" not in page["tokyo_cat-factsheet.html"].split("<footer")[0].split("出典")[0]
    with language("en"):
        assert "FY2010–FY2029" in site([tokyo], published=date(2025, 1, 31))["index.html"]


def test_the_index_gives_a_single_period_its_whole_span() -> None:
    """The Kyoto target plan's one period 2008–2012 was listed as "2008"."""
    plan = next(m for m in library() if m.name == "kyoto_target_plan")
    assert "2008–2012" in site([plan], published=date(2025, 1, 31))["index.html"]


def test_a_period_label_that_repeats_its_name_is_not_said_twice() -> None:
    eu = next(m for m in library() if m.name == "eu_ets")
    items = scheme_page(eu).periods
    assert [i.description for i in items if i.name == "Phase 3"] == [""]


def test_japanese_linkage_lists_use_japanese_punctuation() -> None:
    """The unlinked schemes and the credits of indirect links were joined with ", "."""
    with language("ja"):
        page = render_document([], analyse_network(list(library())), "html")
    text = re.sub(r"<[^>]+>", "", page)
    assert "）、" in text and "）, " not in text
    assert re.search(r"[一-龥ぁ-んァ-ヶ）], [一-龥ぁ-んァ-ヶ（]", text) is None
    assert "CER、ERU" in text


def test_japanese_cards_join_with_japanese_commas() -> None:
    """'（双方向, 2010年9月17日から）' and input values '排出削減量, 新規植林・再植林'."""
    saitama = next(m for m in library() if m.name == "saitama_tset")
    with language("ja"):
        page = site([saitama], published=date(2025, 1, 31))["saitama_tset.html"]
    assert "双方向、2010年9月17日から" in page and "双方向, " not in page


def test_thirteen_schemes_side_by_side_are_two_tables_of_seven_and_six() -> None:
    """The Japanese comparison's one 13-column table overflowed at 1400 px and broke
    "Administrator" mid-word; split, every scheme keeps a column about twice as wide."""
    from etsl.documents.compare import comparison, render

    japanese = [m for m in library() if "/japan/" in m.path or "/kyoto/" in m.path]
    assert len(japanese) == 13
    page = render(comparison(japanese), "html")
    side = page[page.index('id="dimensions"') : page.index('id="sources"')]
    tables = re.findall(r'<table class="compare cols-(\d+)">(.*?)</table>', side, re.S)
    assert [int(count) for count, _ in tables] == [7, 6]
    heads = [re.findall(r'<th scope="col">', body) for _, body in tables]
    assert [len(h) for h in heads] == [8, 7], "each table repeats the dimension column"


@pytest.mark.parametrize(
    ("name", "rule"), [("california", "annual_cap"), ("uk_ets", "trading_period_cap")]
)
def test_a_market_wide_cap_rule_gives_the_basic_table_its_amount(name: str, rule: str) -> None:
    """California's allowance budgets (§95841) and the UK's trading-period cap are rules of
    the system level; the Basic Scheme table said "Not stated in the sources" for both."""
    from etsl.documents.compare import comparison

    model = next(m for m in library() if m.name == name)
    amount = comparison([model]).basic[0][-1]
    assert list(amount.lines) == [model.rule(rule).description]


@pytest.mark.parametrize(
    ("lang", "phase"), [("en", "Phase 1: 1,686.3"), ("ja", "第1次計画期間：1,686.3")]
)
def test_a_cap_table_in_the_basic_table_names_its_periods_in_words(lang: str, phase: str) -> None:
    """Korea's phase caps were listed as `phase1: 1,686.3 Mt CO₂e; phase2: …`. In Japanese
    they take Korea's own term for its phases (第1次計画期間, 계획기간)."""
    korea = next(m for m in library() if m.name == "korea_ets")
    with language(lang):
        page = render(comparison([korea]), "md")
    assert phase in page and "phase1" not in page


@pytest.mark.parametrize(
    ("lang", "name", "head"),
    [
        ("ja", "korea_ets", "計画期間3期："),
        ("ja", "rggi", "遵守期間6期："),
        ("ja", "eu_ets", "フェーズ4期："),
        ("ja", "nz_ets", "5期："),
        ("en", "korea_ets", "3 phases:"),
        ("en", "rggi", "6 periods:"),
    ],
)
def test_the_basic_table_counts_periods_in_the_schemes_own_term(
    lang: str, name: str, head: str
) -> None:
    """Korea's Phase cell read 3フェーズ above periods named 第1次計画期間: the count now
    takes the word the scheme's own period names share (計画期間3期), else a plain count."""
    model = next(m for m in library() if m.name == name)
    with language(lang):
        phase = comparison([model]).basic[0][4]
    assert phase.lines[0] == head


def test_the_rule_graph_names_values_the_engine_supplies_in_japanese() -> None:
    """The Japanese Kyoto page's rule graph showed 'carry in', 'surrendered' and 'owed in':
    values the engine supplies, not names of the scheme, were missing from the catalogue."""
    kyoto = next(m for m in library() if m.name == "kyoto_japan")
    with language("ja"):
        page = site([kyoto], published=date(2025, 1, 31))["kyoto_japan.html"]
    assert "前期間からの繰越量" in page and "償却量" in page
    assert "carry in" not in page and "owed in" not in page


def banking_rows(name: str, lang: str) -> dict[str, str]:
    with language(lang):
        model = next(m for m in library() if m.name == name)
        return {b.name: b.columns[0] for b in scheme_page(model).banking}


def test_banking_rows_read_as_sentences_in_both_languages() -> None:
    """China's 2021-2022 borrowing read "… only, at most if its shortfall is at least 10 % …",
    and the Japanese page joined the limit with an English comma (認める（期限なし）, 上限 …)."""
    china = banking_rows("china_ets", "en")
    # borrowed from the next period, not carried into it as banking is
    assert china["Borrowing in cycle 2"].startswith("From the next period only; its limit: if ")
    assert not [row for row in china.values() if "at most if" in row]
    for name in ("china_ets", "tokyo_cat", "eu_ets"):
        rows = banking_rows(name, "ja")
        assert rows and not [r for r in rows.values() if ", " in r], rows
    assert banking_rows("china_ets", "ja")["バンキング"].startswith(
        "認める（期限なし）（上限 10,000"
    )


@pytest.mark.parametrize(
    ("name", "lang", "words"),
    [
        ("eu_ets", "en", "Within the phase only"),
        ("eu_ets", "ja", "フェーズ内に限り認める"),
        ("california", "en", "Within the compliance period only"),
    ],
)
def test_borrowing_within_a_period_says_the_schemes_kind_of_period(
    name: str, lang: str, words: str
) -> None:
    """The EU's compliance is annual; its borrowing within the phase read "Within the compliance
    period only"."""
    rows = banking_rows(name, lang)
    assert rows["Borrowing" if lang == "en" else "ボローイング"].startswith(words)


AXIS_LABEL = re.compile(r'text-anchor="end"[^>]*>([^<]*)</text>')


@pytest.mark.parametrize(
    ("lang", "name", "labels", "absent"),
    [
        ("ja", "eu_ets", {"25億"}, {" bn", " M", " k"}),
        ("ja", "gx_ets", {"5,000"}, {" k"}),
        ("en", "gx_ets", {"5,000"}, {" k"}),
    ],
)
def test_chart_axes_count_in_the_words_of_the_page(
    lang: str, name: str, labels: set[str], absent: set[str]
) -> None:
    """Japanese charts labelled their axes `2.5 bn`, `80 M` and `5 k`: English
    abbreviations a Japanese reader does not use (25億, 8,000万), and `5 k` yen reads as
    developer shorthand in either language (5,000)."""
    compiled = compiled_library().schemes[name]
    with language(lang):
        page = site([compiled.model], paths={name: year_paths(compiled)})[f"{name}.html"]
    shown = set(AXIS_LABEL.findall(page))
    assert labels <= shown
    assert not [s for s in shown for word in absent if s.endswith(word)]


#: Identifier parts read as words that English writes otherwise (found on the EU ETS,
#: Tokyo, California, China, UK and GX-ETS pages).
SPLIT_WORDS = re.compile(
    r"(?<![\w-])(one off|sector based|pre allocation|small midsize|other gas(?! credits)|hfc23"
    r"|afforestation (and )?reforestation|\d+mw|[Cc]bam|[Aa]pcr|Hse|annex 1|J Credit|gx ETS"
    r"|TCER|LCER)(?!\w)"
)


def test_english_pages_write_identifier_words_as_readers_do() -> None:
    """`One off cut`, `Cbam free allocation cut`, `hfc23`, `coal 300mw plus`, `sector
    based`, `small midsize`: identifier parts were shown as if they were words; and a
    table cell beginning with `tCER` capitalised it to `TCER`."""
    pages = site(library(), "md", published=date(2025, 1, 31))
    found = {
        (name, hit.group(0))
        for name, text in pages.items()
        for line in text.splitlines()
        if "`" not in line  # formulas keep their identifiers
        for hit in SPLIT_WORDS.finditer(line)
    }
    assert found == set()


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("eu_ets", "Direct emissions"),
        ("korea_ets", "Direct emissions, indirect emissions (purchased electricity and heat)"),
    ],
)
def test_the_scope_on_a_card_begins_like_its_neighbours(name: str, scope: str) -> None:
    """Every summary cell began with a capital (Mandatory, Absolute cap, Grandfathering …)
    except Scope: 'direct emissions'."""
    model = next(m for m in library() if m.name == name)
    assert [list(c.lines) for d, c in card(model) if d.key == "scope"] == [[scope]]


def test_why_a_linkage_finding_matters_is_said_without_scheme_syntax() -> None:
    """The linkage page's 'Why it matters' lines read `(price none, credits none, …)`,
    `not_stated …` and `(price ceiling not_stated)`: ETSL syntax belongs on the 'How to'
    line, for the scheme's author; the reason is for the analyst."""
    for lang in ("en", "ja"):
        with language(lang):
            why = {code: gettext(check.rationale) for code, check in CATALOGUE.items()}
        assert {code: text for code, text in why.items() if "`" in text} == {}, lang


@pytest.mark.parametrize(
    ("lang", "said", "how_to"),
    [
        ("en", "only where the issuer's shortfall is zero: units of", "How to:"),
        ("ja", "「超過削減量」を、発行者の不足量が0である場合に限り受け入れる", "手順："),
    ],
)
def test_a_linkage_finding_words_the_condition_it_quotes(lang: str, said: str, how_to: str) -> None:
    """Tokyo–Saitama read 'accepts “excess reduction” … only where issuer.shortfall == 0
    tCO2' (「issuer.shortfall == 0 tCO2」の場合に限り): the scheme's condition as code,
    where the scheme pages word it. Only the 'How to' line keeps the syntax."""
    models = [m for m in library() if m.name in ("tokyo_cat", "saitama_tset")]
    with language(lang):
        text = render_document([], analyse_network(models), "md")
    assert said in text
    leaks = [line for line in text.splitlines() if "issuer." in line and how_to not in line]
    assert leaks == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_navigation_names_the_glossary_as_its_page_does(lang: str) -> None:
    """The Japanese navigation said 用語集 for a page titled 略語集 (abbreviations only)."""
    with language(lang):
        page = site(library()[:1], published=date(2025, 1, 31))["glossary.html"]
    nav = re.search(r'<a [^>]*href="glossary.html"[^>]*>([^<]*)</a>', page)
    title = re.search(r"<h1>([^<]*)</h1>", page)
    assert nav is not None and title is not None
    assert title.group(1).startswith(nav.group(1))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_linkage_page_names_schemes_as_the_comparison_charts_do(lang: str) -> None:
    """The network figure and the findings mixed whole titles ('Tokyo Cap-and-Trade
    Program', 'Swiss Emissions Trading Scheme') with identifier words ('Saitama TSET',
    'Kyoto target plan'), in one sentence; the world comparison's charts call the same
    schemes 'Tokyo', 'Saitama Prefecture', 'Swiss ETS'."""
    models = list(library())
    with language(lang):
        short = short_names(models)
        page = render_document([], analyse_network(models), "html", models=models)
    drawn = set(re.findall(r"<text [^>]*>([^<]+)</text>", page))
    assert {short[n] for n in ("tokyo_cat", "saitama_tset", "swiss_ets", "eu_ets")} <= drawn
    said = {
        "en": "<p>Tokyo accepts “Saitama excess” from Saitama Prefecture only where",
        "ja": "<p>東京都は埼玉県目標設定型排出量取引制度の「埼玉県の超過削減量」を",
    }
    assert said[lang] in page


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("en", ["394.5 Mt CO₂e in 2015", "65 USD/t CO₂e from 2021"], ["CO2e"]),
        (
            "ja",
            ["65 USD/t-CO₂e（2021年から）、毎年5 %にその年のインフレ率を加えて上昇"],
            ["CO2e", "インフレ率："],
        ),
    ],
)
def test_linkage_evidence_writes_amounts_as_the_pages_do(
    lang: str, expected: list[str], absent: list[str]
) -> None:
    """California–Québec evidence read '394.5 Mt CO2e' and '65 USD/t CO2e' beside pages that
    write CO₂e (t-CO₂e in Japanese), and the Japanese ceiling rose 'by 5 % plus
    その年のインフレ率：入手可能な…によるを加えて': the whole description of the index, cut
    at an English colon only."""
    models = [m for m in library() if m.name in ("california", "quebec")]
    with language(lang):
        text = render_document([], analyse_network([translated(m) for m in models]), "md")
    found = [line for line in text.splitlines() if not re.search(r"\*(How to:|手順：)\*", line)]
    assert all(any(e in line for line in found) for e in expected)
    assert [line for line in found for a in absent if a in line and "http" not in line] == []


def test_japanese_pages_write_yen_as_japanese_publications_do() -> None:
    """The Japanese GX-ETS page read "4,300 JPY/t-CO₂" and "50万円以下の罰金" beside
    "上限 500,000 JPY"; Japanese publications write 4,300円/t-CO₂."""
    from decimal import Decimal

    from etsl.documents.linkage_report import gas_symbols
    from etsl.documents.wording import quantity_words, whole_unit

    with language("ja"):
        assert quantity_words(Decimal(4300), "JPY/tCO2") == "4,300円/t-CO₂"
        assert quantity_words(Decimal(500000), "JPY") == "500,000円"
        assert quantity_words(Decimal(40), "EUR/tCO2e") == "40 EUR/t-CO₂e"
        assert whole_unit("JPY") == "1円"
        assert gas_symbols("1,700 JPY/t CO2e") == "1,700円/t-CO₂e"
    with language("en"):
        assert quantity_words(Decimal(4300), "JPY/tCO2") == "4,300 JPY per t CO₂"
        assert gas_symbols("1,700 JPY/t CO2e") == "1,700 JPY/t CO₂e"


def test_a_formula_reads_a_price_control_by_its_name_in_words() -> None:
    """GX-ETS's penalty read "110 % of its shortfall × ceiling", and its rounded prices were
    labelled "Upper price yen"."""
    from etsl.documents.compare import comparison

    with language("en"):
        gx = next(m for m in library() if m.name == "gx_ets")
        penalties = next(r for r in comparison([gx]).rows if r.key == "penalties")
        assert penalties.cells[0].text.endswith("110 % of its shortfall × the price ceiling")
        page = scheme_page(gx)
        names = {name for example in page.examples for name, _ in example.expect}
        assert "Upper reference price" in names and "Upper price yen" not in names


def test_koreas_coverage_names_its_two_thresholds_in_plain_words() -> None:
    """Korea's coverage read "its entity annual emissions … or its facility annual emissions"."""
    from etsl.documents.compare import comparison

    with language("en"):
        korea = next(m for m in library() if m.name == "korea_ets")
        coverage = next(r for r in comparison([korea]).rows if r.key == "coverage").cells[0].text
    assert coverage.startswith(
        "Covered when its annual emissions are at least 125,000 t CO₂e a year or its largest "
        "facility emissions are at least 25,000 t CO₂e a year"
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", {"Yes or no", "Number without a unit"}),
        ("ja", {"該当又は非該当", "数値（単位なし）"}),
    ],
)
def test_an_input_without_a_unit_says_what_it_holds(lang: str, words: set[str]) -> None:
    """The participant-data tables showed the type names `bool` and `number` to readers, in
    English and in Japanese (補正係数 | number)."""
    with language(lang):
        shown = {
            item.columns[0]
            for model in library()
            for item in scheme_page(model).inputs
            if item.columns
        }
    assert words <= shown and not shown & {"bool", "number"}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_factsheet_numbers_its_sources_from_one_without_gaps(lang: str) -> None:
    """Regression: a factsheet kept the full page's numbers, so its sources read [3], [7],
    [12]…; each sheet now numbers the sources it cites 1..n, in the order it cites them, and
    every mark links to the entry bearing its number."""
    with language(lang):
        pages = site(list(library()), "html")
    sheets = {name: text for name, text in pages.items() if name.endswith("-factsheet.html")}
    assert len(sheets) == len(library())
    for name, text in sheets.items():
        entries = re.findall(r'<li id="([^"]+)" value="(\d+)">', text)
        assert [int(v) for _id, v in entries] == list(range(1, len(entries) + 1)), name
        marks = re.findall(r'<a class="cite" href="#([^"]+)"[^>]*>\[(\d+)', text)
        assert marks, name
        assert [int(n) for _a, n in dict.fromkeys(marks)] == sorted(
            {int(n) for _a, n in marks}
        ), f"{name}: first cited in order"
        assert set(marks) == {(a, v) for a, v in entries}, f"{name}: each mark names its entry"


EMPTY_SECTIONS = {
    "en": ("No pair is linked only indirectly.", "No link names a scheme outside the analysis."),
    "ja": ("間接的にのみリンクしている組合せはない。", "分析対象外の制度へのリンクはない。"),
}


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_empty_linkage_section_says_what_is_absent(lang: str, fmt: str) -> None:
    """Regression: the linkage page answered empty sections with a bare "None." ("Pairs linked
    only indirectly: None."); each now says in words what is absent."""
    pair = [m for m in library() if m.name in ("tokyo_cat", "saitama_tset")]
    with language(lang):
        text = render_document([], analyse_network(pair), fmt, models=pair)
    assert "None." not in text and "なし。" not in text
    for words in EMPTY_SECTIONS[lang]:
        assert words in text


def test_chart_names_read_as_titles_cut_from_the_schemes_titles() -> None:
    """Regression: the charts fell back on identifier words ('Kyoto target plan', 'Trial
    integrated market') when a title was too long; they now cut the title to its core."""
    with language("en"):
        short = short_names(list(library()))
    assert short["kyoto_target_plan"] == "Kyoto Target Achievement Plan"
    assert short["trial_integrated_market"] == "Trial Integrated Market"
    assert short["meti_design"] == "METI design" and short["moe_trial_design"] == "MOE design"
    assert short["kyoto_japan"] == "Kyoto Protocol commitment periods", "a title that fits"


def test_a_comparison_shows_what_a_price_rule_gives_with_its_start_first() -> None:
    """The world comparison read "Market stability reserve intake rate: the MSR intake rate
    from 2019": the name of a rule where a designer needs 24 % and 12 %."""
    eu = next(m for m in library() if m.name == "eu_ets")
    page = render(comparison([eu]), "md")
    row = next(line for line in page.splitlines() if "intake rate" in line)
    assert "Market stability reserve intake rate from 2019: if the year is 2019" in row
    assert "24 %; otherwise 12 %<br>" in row and "the MSR intake rate" not in row


def test_amounts_in_short_tons_keep_their_unit_where_they_are_defined() -> None:
    """RGGI's caps, written in short tons, were defined on its page as "(t CO₂e)", and the
    regional cap computed from them read "Result: t CO₂e" without saying it is converted."""
    rggi = next(m for m in library() if m.name == "rggi")
    page = site([rggi], "md")["rggi.md"]
    assert "- **Cap 2018**: RGGI cap 2018 (short tons CO₂)" in page
    regional = page[page.index("### Regional cap") :]
    assert regional.split("<a id=")[0].count("(metric; short tons are converted at") == 1


def test_japanese_pages_write_the_yen_as_their_prices_do() -> None:
    """Tokyo's Japanese factsheet read 通貨 JPY beside prices written 4,300円."""
    tokyo = next(m for m in library() if m.name == "tokyo_cat")
    with language("ja"):
        currency = next(c.lines for d, c in card(tokyo) if d.key == "currency")
    assert currency == ("円",)
    assert next(c.lines for d, c in card(tokyo) if d.key == "currency") == ("JPY",)
