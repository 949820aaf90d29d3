"""The publication in a real browser (headless Chromium): navigation and search, print
layout (A4, tables whole, one-page factsheets) and both languages, read back from the PDFs.

CI installs Chromium and a Japanese font (.ci/run); without Chromium these tests cannot run.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.compiler.model import SchemeModel
from etsl.documents.compare import comparison, comparison_title, render
from etsl.documents.figures.comparison import comparison_figures
from etsl.documents.i18n import gettext, language
from etsl.documents.linkage_report import render_document
from etsl.documents.pdf import chromium, print_site
from etsl.documents.site import ExtraDocument, site, write_site
from etsl.documents.wording import scheme_title
from etsl.linkage.network import analyse_network
from pypdf import PdfReader

from etsl.system_paths import year_paths

ROOT = Path(__file__).resolve().parent.parent
WORLD = (
    "eu_ets",
    "swiss_ets",
    "california",
    "quebec",
    "rggi",
    "korea_ets",
    "nz_ets",
    "uk_ets",
    "china_ets",
    "washington",
)
JAPAN = ("tokyo_cat", "saitama_tset", "jvets", "kyoto_japan", "gx_ets")
A4 = (595, 842)

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="headless Chromium is not installed (apt-get install chromium); .ci/run installs it",
)


@cache
def compiled() -> dict[str, CompiledScheme]:
    compilation = compile_paths([ROOT / "schemes"])
    assert compilation.ok
    return dict(compilation.schemes)


def models() -> dict[str, SchemeModel]:
    return {name: c.model for name, c in compiled().items()}


def compared(names: tuple[str, ...], title: str, filename: str) -> ExtraDocument:
    """The comparison of `names` with its charts, as `etsl docs --compare` adds it."""
    result = comparison([models()[n] for n in names])
    heading = comparison_title(title)
    paths = {n: year_paths(compiled()[n]) for n in names}
    charts = comparison_figures(result.schemes, paths)
    return ExtraDocument(
        heading, filename, lambda shell: render(result, "html", heading, shell, charts)
    )


def build(folder: Path, lang: str) -> dict[str, str]:
    """A site of four Japanese and ten world schemes, with two comparisons and linkage."""
    chosen = [models()[n] for n in (*JAPAN, *WORLD)]
    with language(lang):
        network = analyse_network(chosen)
        extras = [
            compared(WORLD, "World emissions trading systems", "compare-world.html"),
            compared(JAPAN, "Japanese schemes", "compare-japan.html"),
            ExtraDocument(
                "Linkage",
                "linkage.html",
                lambda shell: render_document([], network, "html", False, shell),
                section="linkage",
            ),
        ]
        files = site(chosen, "html", extras, date(2025, 1, 31), [("en", ""), ("ja", "ja/")])
    write_site(files, folder)
    return files


@pytest.fixture(scope="module", params=["en", "ja"])
def printed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    lang = request.param
    folder = tmp_path_factory.mktemp(f"site-{lang}")
    build(folder, lang)
    pages = [
        "index.html",
        "tokyo_cat.html",
        "compare-world.html",
        "linkage.html",
        "kyoto_japan.html",
        "gx_ets.html",
        *(f"{name}-factsheet.html" for name in (*JAPAN, *WORLD)),
    ]
    pdfs = print_site(folder, pages)
    return lang, folder, {name: PdfReader(_stream(data)) for name, data in pdfs.items()}


def _stream(data: bytes):  # noqa: ANN202
    import io

    return io.BytesIO(data)


def text_of(reader: PdfReader) -> str:
    """The PDF's text, normalised (NFKC: CJK radicals as ideographs) and without white space
    (extraction puts spaces between Latin and Japanese runs)."""
    text = "".join(page.extract_text() for page in reader.pages)
    return squeeze(text)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def size(page) -> tuple[int, int]:  # noqa: ANN001
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def positions(page) -> list[tuple[float, float, str]]:  # noqa: ANN001
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm, tm, font, font_size) -> None:  # noqa: ANN001
        if text.strip():
            found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text))

    page.extract_text(visitor_text=visit)
    return found


def test_scheme_pages_print_on_a4_portrait(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    for name in ("index.pdf", "tokyo_cat.pdf"):
        assert all(size(p) == A4 for p in pdfs[name].pages), name
    assert len(pdfs["tokyo_cat.pdf"].pages) >= 3
    words = (
        ("概要", "出典", "東京都総量削減義務と排出量取引制度")
        if lang == "ja"
        else ("Summary", "Sources", "Tokyo Cap-and-Trade Program")
    )
    for word in words:
        assert squeeze(word) in text_of(pdfs["tokyo_cat.pdf"]), (lang, word)


def test_every_factsheet_fits_one_page(printed) -> None:  # noqa: ANN001
    """GX-ETS's factsheet once printed its last two sources on a second page."""
    lang, _, pdfs = printed
    sheets = {name: len(pdf.pages) for name, pdf in pdfs.items() if "-factsheet" in name}
    assert len(sheets) == len(JAPAN) + len(WORLD)
    assert {name: count for name, count in sheets.items() if count != 1} == {}, lang


def printed_sizes(page, wanted: re.Pattern[str]) -> list[float]:  # noqa: ANN001
    """The printed size (pt) of every text run on the page that is `wanted` in full."""
    found: list[float] = []

    def visit(text: str, cm, tm, font, font_size) -> None:  # noqa: ANN001
        if wanted.fullmatch(text.strip()):
            found.append(abs(font_size * tm[3] * cm[3]))

    page.extract_text(visitor_text=visit)
    return found


def test_the_factsheet_timeline_is_legible_at_a4(printed) -> None:  # noqa: ANN001
    """Its year labels once printed at 2.8 pt (the page's 760-unit figure in a 65 mm column)."""
    _, _, pdfs = printed
    for name in ("tokyo_cat-factsheet.pdf", "california-factsheet.pdf"):
        years = printed_sizes(pdfs[name].pages[0], re.compile(r"(19|20)\d\d"))
        assert len(years) >= 3, name
        assert min(years) >= 6, f"{name}: year labels print at {min(years):.1f} pt"


def test_japanese_factsheets_translate_the_scheme_text(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    text = text_of(pdfs["tokyo_cat-factsheet.pdf"])
    if lang == "ja":
        text = text.rsplit(squeeze("出典"), 1)[0]  # source titles are quoted as published
        assert squeeze("東京都環境局") in text and squeeze("削減義務率") in text
        assert "TMGBureauofEnvironment" not in text and "未翻訳" not in text
        california = text_of(pdfs["california-factsheet.pdf"]).rsplit(squeeze("出典"), 1)[0]
        assert squeeze("経済全体を対象とするキャップ・アンド・トレード") in california
        assert "未翻訳" not in california and "Economy-wide" not in california
    else:
        assert "TMGBureauofEnvironment" in text and "未翻訳" not in text


def test_wide_tables_print_whole_in_landscape(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    reader = pdfs["compare-world.pdf"]
    assert all(size(p) == (A4[1], A4[0]) for p in reader.pages), "comparisons print landscape"
    text = text_of(reader)
    with language(lang):
        titles = [scheme_title(models()[n].title, n) for n in WORLD]
    for title in titles:  # every column's heading is on the page, none cut away
        assert squeeze(title) in text, title
    last = "UK" if lang == "en" else "英国"
    assert last in text
    for page in reader.pages:
        width, height = size(page)
        for x, y, piece in positions(page):
            assert -1 <= x <= width + 1 and -1 <= y <= height + 1, f"{piece!r} off the page"


def test_a_heading_prints_on_the_page_of_its_table(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    heading, header = ("項目別の比較", "項目") if lang == "ja" else ("Side by side", "Dimension")
    pages = [squeeze(p.extract_text()) for p in pdfs["compare-world.pdf"].pages]
    page = next(text for text in pages if squeeze(heading) in text)
    assert squeeze(header) in page.split(squeeze(heading), 1)[1], "heading left alone"


def test_a_link_date_prints_on_one_line(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    since = "2010年9月17日" if lang == "ja" else "17 September 2010"
    heading = "他制度とのリンク" if lang == "ja" else "Links with other schemes"
    text = "".join(page.extract_text() for page in pdfs["tokyo_cat.pdf"].pages)
    table = text[text.index(heading) :].splitlines()[:12]  # the links table
    assert any(squeeze(since) in squeeze(line) for line in table), "the date is broken"


def test_linkage_page_prints_in_the_shell(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    text = text_of(pdfs["linkage.pdf"])
    assert squeeze("制度間のリンク" if lang == "ja" else "Links between") in text
    assert "ETSL" in text, "the masthead prints on every page"


def dump_dom(url: str, *flags: str) -> str:
    profile = tempfile.mkdtemp(prefix="etsl-chromium-")
    try:
        result = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                *flags,
                "--virtual-time-budget=3000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return result.stdout


def test_search_finds_pages_in_the_browser(printed) -> None:  # noqa: ANN001
    lang, folder, _ = printed
    query = "排出量取引" if lang == "ja" else "tokyo cap"
    dom = dump_dom((folder / "search.html").as_uri() + "?q=" + query)
    results = dom[dom.index('id="search-results"') :]
    assert 'href="tokyo_cat.html' in results or lang == "ja", results[:500]
    assert "<li>" in results and 'id="search-count"' in dom


def test_navigation_reaches_every_page_from_the_index(printed) -> None:  # noqa: ANN001
    _, folder, _ = printed
    dom = dump_dom((folder / "index.html").as_uri())
    for target in (
        "tokyo_cat.html",
        "tokyo_cat-factsheet.html",
        "compare-world.html",
        "linkage.html",
        "glossary.html",
        "search.html",
    ):
        assert f'href="{target}"' in dom or f'action="{target}"' in dom, target
        assert (folder / target).exists()


def test_linkage_and_comparison_print_in_the_language_of_the_site(printed) -> None:  # noqa: ANN001
    lang, _, pdfs = printed
    linkage = text_of(pdfs["linkage.pdf"])
    compared = text_of(pdfs["compare-world.pdf"])
    if lang == "ja":
        assert squeeze("重要な理由") in linkage and squeeze("受け入れるが") in linkage
        assert "Whyitmatters" not in linkage and "Remedy" not in linkage
        assert squeeze("世界の排出量取引制度の比較") in compared
    else:
        assert "Whyitmatters" in linkage
        assert squeeze("World emissions trading systems: a comparison") in compared


def test_index_columns_keep_their_words_whole(printed) -> None:  # noqa: ANN001
    """A long jurisdiction once squeezed the Japanese index's last columns to one
    character a line (ファ/ク/ト/シー/ト); every row's factsheet link prints on one line."""
    lang, _, pdfs = printed
    word = "ファクトシート" if lang == "ja" else "Factsheet"
    lines = [line for page in pdfs["index.pdf"].pages for line in page.extract_text().splitlines()]
    headers = 2  # the Japanese and the world table each head the column with the word
    assert sum(line.count(word) for line in lines) >= len(JAPAN) + len(WORLD) + headers


def test_the_first_page_of_a_scheme_is_filled(printed) -> None:  # noqa: ANN001
    """The Kyoto page once printed its lede alone and left page 1 half blank: the summary
    card, kept whole, went to page 2. Text now reaches the lower third of page 1."""
    _, _, pdfs = printed
    for name in ("tokyo_cat.pdf", "kyoto_japan.pdf"):
        lowest = min(y for _, y, _ in positions(pdfs[name].pages[0]))
        assert lowest < A4[1] / 3, f"{name}: page 1 ends {A4[1] - lowest:.0f} pt from the top"


def test_printed_unit_tables_keep_their_words_whole(printed) -> None:  # noqa: ANN001
    """Print once let the table layout squeeze short-word columns to a few letters a line
    ("Un/it", "Allo/wan/ce", "ク/レ/ジ/ッ/ト")."""
    lang, _, pdfs = printed
    header, kinds = (
        ("ユニット制度の種類", ("排出枠", "クレジット"))
        if lang == "ja"
        else ("UnitKind", ("Allowance", "Credit"))
    )
    lines = [
        squeeze(line)
        for page in pdfs["kyoto_japan.pdf"].pages
        for line in page.extract_text().splitlines()
    ]
    assert any(header in line for line in lines), "the units table's header is broken"
    for kind in kinds:
        assert any(line.startswith(("AAU", "RMU", "CER")) and kind in line for line in lines), kind


def test_printed_price_controls_and_consequences_keep_their_names_whole(printed) -> None:  # noqa: ANN001
    """GX-ETS printed in Japanese broke a control's and a consequence's name between any two
    characters beside a long description: 価格上/限, 措/置, 罰/金."""
    lang, _, pdfs = printed
    lines = [
        squeeze(line)
        for page in pdfs["gx_ets.pdf"].pages
        for line in page.extract_text().splitlines()
    ]
    heads = (
        ("措置値起点上昇率説明", "措置量説明")
        if lang == "ja"
        else ("ControlValueFrom", "ConsequenceAmount")
    )
    names = ("価格上限4,300", "罰金") if lang == "ja" else ("Fine",)
    assert all(any(line.startswith(h) for line in lines) for h in heads), heads
    assert all(any(line.startswith(n) for line in lines) for n in names), names


#: Appended to a copy of a page: lists every table cell whose text is wider than the cell.
OVERFLOW_PROBE = """<script>
const wide = [];
for (const cell of document.querySelectorAll("td, th")) {
  if (cell.scrollWidth > cell.clientWidth + 1) wide.push(cell.textContent.trim().slice(0, 60));
}
const out = document.createElement("pre");
out.id = "overflow";
out.textContent = JSON.stringify(wide);
document.body.appendChild(out);
</script>"""


def overflowing_cells(page: Path, width: int) -> list[str]:
    """The cells of `page` whose text runs out of them in a `width`-pixel-wide window."""
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", OVERFLOW_PROBE + "</body>"),
        encoding="utf-8",
    )
    try:
        dom = dump_dom(probe.as_uri(), f"--window-size={width},1000")
    finally:
        probe.unlink()
    found = re.search(r'<pre id="overflow">(.*?)</pre>', dom, re.S)
    assert found, dom[-500:]
    return json.loads(html.unescape(found.group(1)))


def test_table_cells_hold_their_text_on_a_wide_screen(printed) -> None:  # noqa: ANN001
    """At 1400 px the index wrote "Not stated in the sources" (キャップ・アンド・トレード in
    Japanese) over the next column, and 13-scheme tables ran text out of their cells."""
    lang, folder, _ = printed
    for name in (
        "index.html",
        "compare-world.html",
        "tokyo_cat.html",
        "kyoto_japan.html",
        "linkage.html",
    ):
        assert overflowing_cells(folder / name, 1400) == [], (lang, name)


def measured(folder: Path, page: str, script: str, window: str = "1000,900") -> object:
    """What `script` (JavaScript whose last statement is `return …;`) finds in `page` as laid
    out on screen: run on a copy of the page, its result read back from the dumped DOM."""
    copy = folder / f"measure-{page}"
    page_html = (folder / page).read_text(encoding="utf-8")
    probe = (
        "<script>window.addEventListener('load', () => { document.body.dataset.found ="
        f" JSON.stringify((() => {{ {script} }})()); }});</script>"
    )
    copy.write_text(page_html.replace("</body>", probe + "</body>"), encoding="utf-8")
    dom = dump_dom(copy.as_uri(), f"--window-size={window}")
    found = re.search(r'data-found="([^"]*)"', dom)
    assert found, f"the probe did not run on {page}"
    return json.loads(html.unescape(found.group(1)))


#: Index cells whose text is wider than the cell (it runs under the next column).
OVERFLOWING_CELLS = """
return [...document.querySelectorAll('table.catalogue th, table.catalogue td')]
  .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent.trim());
"""


@pytest.mark.parametrize("width", [1400, 1000, 800])
def test_index_cells_keep_their_text_inside_them(printed, width: int) -> None:  # noqa: ANN001
    """キャップ・アンド・トレード once ran under the Japanese index's status column (実施中);
    the English status column overflowed at 1000 px, and the Japanese factsheet link
    (ファクトシート) ran out of its column at 800 px."""
    lang, folder, _ = printed
    found = measured(folder, "index.html", OVERFLOWING_CELLS, f"{width},900")
    assert found == [], (lang, width)


#: Period-table cells of the first three columns (name, kind, span) set on more than one line.
BROKEN_PERIOD_CELLS = """
return [...document.querySelectorAll('#periods table tbody td:nth-child(-n+3)')].filter(cell => {
  const range = document.createRange(); range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).map(cell => cell.textContent.trim());
"""


def test_period_names_and_spans_stay_on_one_line(printed) -> None:  # noqa: ANN001
    """At 800 px the EU ETS page set 第1フェー/ズ and 2005 –/2007 on two lines each."""
    lang, folder, _ = printed
    assert measured(folder, "eu_ets.html", BROKEN_PERIOD_CELLS, "800,900") == [], lang


#: The network figure's scheme labels: the pairs whose boxes overlap, and those cut short.
NETWORK_LABELS = """
const boxes = [...document.querySelectorAll('figure svg g')].filter(g => g.querySelector('circle'))
  .flatMap(g => [...g.querySelectorAll('text')].map(t => [t.getBoundingClientRect(), t.textContent]));
const overlaps = [];
boxes.forEach(([a, s], i) => boxes.slice(i + 1).forEach(([b, t]) => {
  const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  if (x > 1 && y > 3) overlaps.push([s, t]);
}));
return {count: boxes.length, overlaps, cut: boxes.map(([, s]) => s).filter(s => s.includes('…'))};
"""


def test_network_labels_are_whole_and_apart(printed) -> None:  # noqa: ANN001
    """Japanese scheme titles were cut (カリフォルニア州キャップ・ア…) and overlapped at the
    bottom of the ellipse; each now has its own row, on two lines where it is long."""
    _, folder, _ = printed
    found = measured(folder, "linkage.html", NETWORK_LABELS)
    assert isinstance(found, dict) and found["count"] >= len(JAPAN) + len(WORLD)
    assert found["overlaps"] == [] and found["cut"] == []


#: The comparison's charts: each figure's drawn texts (with whether each lies inside its
#: figure), and the pairs of texts whose boxes overlap.
CHART_LABELS = """
return [...document.querySelectorAll('#charts figure')].map(figure => {
  const svg = figure.querySelector('svg');
  if (!svg) return {key: figure.id, texts: [], cut: [], overlaps: []};
  const frame = svg.getBoundingClientRect();
  const boxes = [...svg.querySelectorAll('text')].map(t => [t.getBoundingClientRect(), t.textContent]);
  const cut = boxes.filter(([b]) => b.left < frame.left - 1 || b.right > frame.right + 1
    || b.top < frame.top - 1 || b.bottom > frame.bottom + 1).map(([, s]) => s);
  const overlaps = [];
  boxes.forEach(([a, s], i) => boxes.slice(i + 1).forEach(([b, t]) => {
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (x > 1 && y > 2) overlaps.push([s, t]);
  }));
  return {key: figure.id, texts: boxes.map(([, s]) => s), cut, overlaps};
});
"""


@pytest.mark.parametrize("width", [1400, 800])
def test_comparison_charts_show_their_labels_whole_and_apart(printed, width: int) -> None:  # noqa: ANN001
    """The comparisons' charts name the schemes by their short names (not identifiers), in
    the page's language, every label inside its figure and none over another."""
    lang, folder, _ = printed
    names = {
        "compare-world.html": ("カリフォルニア州", "ケベック州") if lang == "ja" else ("California", "Québec"),
        "compare-japan.html": ("東京都", "JVETS") if lang == "ja" else ("Tokyo", "JVETS"),
    }
    for page, (first, second) in names.items():
        found = measured(folder, page, CHART_LABELS, f"{width},900")
        assert isinstance(found, list)
        figures = {f["key"]: f for f in found}
        assert {"fig-timeline", "fig-cap-index"} <= set(figures), (page, list(figures))
        timeline = figures["fig-timeline"]["texts"]
        assert first in timeline and second in timeline, (page, timeline)
        assert not any("_" in text for f in found for text in f["texts"]), "an identifier"
        for figure in found:
            assert figure["cut"] == [] and figure["overlaps"] == [], (page, width, figure)


def test_comparison_charts_print_whole(printed) -> None:  # noqa: ANN001
    """Each chart prints on one page: the first words its drawing shows (the link marks
    above the timeline's rows, the value axis's unit) and its caption below it share a
    page."""
    lang, _, pdfs = printed
    pages = [squeeze(p.extract_text()) for p in pdfs["compare-world.pdf"].pages]
    with language(lang):
        pairs = [
            ("California–Québec 2014" if lang == "en" else "カリフォルニア州–ケベック州 2014年",
             gettext("Periods, phases and links")),
            (
                gettext("Index, {year} = 100").format(year=2021),
                gettext("Caps on a common index"),
            ),
            (gettext("Period or phase (shades alternate)"), gettext("Periods, phases and links")),
        ]
    heading = squeeze("図" if lang == "ja" else "Charts")
    assert any(heading in page for page in pages)
    for top, caption in pairs:
        where = [i for i, page in enumerate(pages) if squeeze(top) in page]
        assert where, f"{top!r} is not printed"
        assert squeeze(caption) in pages[where[0]], f"{top!r} and {caption!r} on two pages"


#: Linkage-page cells set on several lines, narrower than four characters or fewer than four
#: characters a line.
NARROW_CELLS = """
return [...document.querySelectorAll('main table td, main table th')].filter(cell => {
  const text = cell.textContent.trim(); if (!text) return false;
  const size = parseFloat(getComputedStyle(cell).fontSize);
  const range = document.createRange(); range.selectNodeContents(cell);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  return lines > 1 && (cell.getBoundingClientRect().width < 4 * size || text.length / lines < 4);
}).map(cell => cell.textContent.trim());
"""


def test_linkage_cells_keep_four_characters_a_line_at_800_px(printed) -> None:  # noqa: ANN001
    """At 800 px the Japanese linkage page's credit-flow table set セクター別オフセット and
    オフセット・クレジット two or three characters a line."""
    lang, folder, _ = printed
    assert measured(folder, "linkage.html", NARROW_CELLS, "800,900") == [], lang
