"""`etsl docs`: plain-language rules, figures, golden Markdown, safe self-contained HTML."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.compiler.model import SchemeModel
from etsl.documents.figures.graph import Node, layout
from etsl.documents.figures.scales import short_number, ticks
from etsl.documents.figures.svg import n
from etsl.documents.figures.timeline import Bar, timeline
from etsl.documents.i18n import language
from etsl.documents.prose import (
    Lexicon,
    Term,
    lexicon,
    phrase,
    rule_sentence,
)
from etsl.documents.render import environment, md_escape
from etsl.documents.scheme_page import scheme_page
from etsl.documents.site import site, write_site
from etsl.documents.wording import number_words, unit_words

from etsl.cli import cli
from etsl.system_paths import year_paths

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "docs"
LIBRARY = ROOT / "schemes"


def model(name: str) -> SchemeModel:
    compilation = compile_paths([CASES / f"{name}.scheme"])
    assert compilation.ok, compilation.diagnostics
    return next(iter(compilation.schemes.values())).model


@pytest.fixture(scope="module")
def tokyo() -> SchemeModel:
    return model("tokyo")


# ---- plain language -------------------------------------------------------------------------

LEX = Lexicon(
    "facility",
    {
        "base_emissions": Term("base_emissions", "input", "its base emissions", "tCO2/yr"),
        "reduction_factor": Term("reduction_factor", "table", "its reduction factor"),
        "shortfall": Term("shortfall", "rule", "its shortfall", "tCO2e"),
        "interim": Term("interim", "input", "its interim", "bool"),
        "threshold": Term("threshold", "param", "the threshold (1,500 kL oil-equivalent a year)"),
        "category": Term("category", "input", "its category"),
        "period": Term("period", "period", "the period"),
    },
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "floor(base_emissions * years(period) * (1 - reduction_factor))",
            "its base emissions × the years in the period × (1 − its reduction factor), "
            "rounded down to whole tonnes",
        ),
        ("ceil(1.3 * shortfall)", "1.3 × its shortfall, rounded up to whole tonnes"),
        (
            "round(shortfall, 2) + 1 tCO2e",
            "(its shortfall rounded (halves up) to 2 decimal places) + 1 t CO₂e",
        ),
        ("floor(shortfall / 3) + 0 tCO2e", "(its shortfall ÷ 3 rounded down) + zero"),
        ("floor(shortfall + 1 tCO2e) * 2", "((its shortfall + 1 t CO₂e) rounded down) × 2"),
        (
            "max(0 tCO2e, min(shortfall, 3 tCO2e) - 1 tCO2e)",
            "(the smaller of its shortfall and 3 t CO₂e) − 1 t CO₂e (but not less than zero)",
        ),
        ("years(period) * held(CER)", "the years in the period × the CER units held"),
        ("min(shortfall, 5 tCO2e)", "the smaller of its shortfall and 5 t CO₂e"),
        ("max(shortfall, 1 tCO2e, 2 tCO2e)", "the largest of its shortfall, 1 t CO₂e and 2 t CO₂e"),
        ("max(0 tCO2e, shortfall - 1 tCO2e)", "its shortfall − 1 t CO₂e (but not less than zero)"),
        ("years(first) * base_emissions", "the years in period first × its base emissions"),
        ("co2e(shortfall)", "its shortfall in CO₂ equivalent"),
        ("held(CER) + eligible(ERU)", "the CER units held + the eligible ERU units"),
        ("abs(-shortfall)", "the absolute value of −its shortfall"),
        ("1 / 3 of shortfall", "1/3 of its shortfall"),
        ("8 % of (shortfall + shortfall)", "8 % of (its shortfall + its shortfall)"),
        (
            "if category in {office} then 1 tCO2e else if interim then 2 tCO2e else 0 tCO2e",
            "if its category is office, 1 t CO₂e; if “interim” holds, 2 t CO₂e; otherwise zero",
        ),
        (
            "1 tCO2e + (if interim then 1 tCO2e else 2 tCO2e)",
            "1 t CO₂e + (1 t CO₂e if “interim” holds; otherwise 2 t CO₂e)",
        ),
        ("not category in {office, factory}", "its category is neither office nor factory"),
        ("not category in {a, b, c}", "its category is none of a, b, c"),
        ("category in {a, b, c}", "its category is a, b or c"),
        (
            "shortfall >= 1 tCO2e and shortfall < 2 tCO2e or not interim",
            "its shortfall is at least 1 t CO₂e and its shortfall is less than 2 t CO₂e or "
            "“interim” does not hold",
        ),
        ("shortfall > 0 tCO2e or interim", "it has a shortfall or “interim” holds"),
        ("shortfall > 1 tCO2e", "its shortfall is more than 1 t CO₂e"),
        ("shortfall >= 0 tCO2e", "its shortfall is at least zero"),
        ("interim and not interim", "“interim” holds and “interim” does not hold"),
        ("holding.vintage >= 2013", "the holding's vintage is 2013 or later"),
        ("year < 2021", "year is before 2021"),
        ("holding.vintage >= 12", "the holding's vintage is at least 12"),
        (
            "issuer.base_emissions <= 150000 tCO2/yr",
            "the issuer's base emissions are at most 150,000 t CO₂ a year",
        ),
        (
            "threshold == 1500 kL_oe/yr",
            "the threshold (1,500 kL oil-equivalent a year) is 1,500 kL oil-equivalent a year",
        ),
        ("100 EUR/tCO2e * shortfall", "100 EUR per t CO₂e × its shortfall"),
        ("unknown_name * 2", "unknown name × 2"),
        ("mystery(shortfall)", "mystery(its shortfall)"),
        ("2014-04-01", "1 April 2014"),
        ("this is not a formula", "this is not a formula"),
    ],
)
def test_phrase_renders_every_node_type(text: str, expected: str) -> None:
    assert phrase(text, LEX, "tCO2e") == expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("tCO2e", "t CO₂e"),
        ("ktCO2e", "kt CO₂e"),
        ("tCH4", "t CH₄"),
        ("short_tCO2", "short tons CO₂"),
        ("kL_oe/yr", "kL oil-equivalent a year"),
        ("USD/tCO2e", "USD per t CO₂e"),
        ("", ""),
        ("MWh", "MWh"),
    ],
)
def test_unit_words(unit: str, expected: str) -> None:
    assert unit_words(unit) == expected


def test_numbers_are_grouped_but_years_are_not() -> None:
    assert number_words(Decimal("1571583007")) == "1,571,583,007"
    assert number_words(Decimal("-0.25")) == "−0.25"
    assert phrase("2021 + 12000", LEX) == "2021 + 12,000"


def test_rule_sentences_read_like_the_brief(tokyo: SchemeModel) -> None:
    lex = lexicon(tokyo)
    cap, covered = tokyo.rule("cap"), tokyo.rule("covered")
    assert cap is not None and covered is not None
    assert rule_sentence(cap, lex) == (
        "Each facility's cap for a period is its base emissions × the years in the period × "
        "(1 − its reduction factor), rounded down to whole tonnes."
    )
    assert rule_sentence(covered, lex) == (
        "A facility is covered when its energy use is at least 1,500 kL oil-equivalent a year."
    )
    obligation = tokyo.rule("obligation")
    assert obligation is not None and rule_sentence(obligation, lex) == (
        "Each facility's obligation for a period: if it is covered, its emissions in CO₂ "
        "equivalent; otherwise zero."
    )


def test_boolean_rules_and_constant_coverage() -> None:
    market, pledge = model("market"), model("voluntary")
    covered = pledge.rule("covered")
    assert (
        covered is not None
        and rule_sentence(covered, lexicon(pledge)) == "Every company is covered."
    )
    covered = market.rule("covered")
    assert (
        covered is not None
        and rule_sentence(covered, lexicon(market))
        == "An installation is covered when its capacity is at least 20 MW."
    )


# ---- figures ---------------------------------------------------------------------------------


def test_ticks_are_round_numbers() -> None:
    assert ticks(Decimal(0), Decimal("0.17")) == [
        Decimal(0),
        Decimal("0.05"),
        Decimal("0.10"),
        Decimal("0.15"),
        Decimal("0.20"),
    ]
    assert short_number(Decimal("1571583007")) == "1.57 bn"
    assert short_number(Decimal("0.08"), percent=True) == "8 %"
    assert n(Decimal("12.345")) == "12.3"


def test_timeline_escapes_labels() -> None:
    markup = str(timeline([Bar("p<1>", "<script>x</script>", Decimal(2010), Decimal(2015))]))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert markup.startswith("<svg ") and "xmlns" not in markup


def test_graph_layers_put_values_before_the_rules_that_use_them() -> None:
    nodes = [Node(n, "rule") for n in ("a", "b", "c", "d")]
    plan = layout(nodes, [("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")])
    depth = {name: i for i, layer in enumerate(plan.layers) for name in layer}
    assert depth["a"] < depth["b"] < depth["c"]
    assert depth["d"] == depth["c"] - 1  # an input sits just before its consumer
    long_edge = next(r for r in plan.routes if r[0] == "a" and r[-1] == "c")
    assert len(long_edge) == 3 and long_edge[1].startswith("~")  # one waypoint


def compiled(name: str) -> CompiledScheme:
    return next(iter(compile_paths([CASES / f"{name}.scheme"]).schemes.values()))


def test_page_has_the_figures_the_scheme_defines(tokyo: SchemeModel) -> None:
    keys = [f.key for f in scheme_page(tokyo, paths=year_paths(compiled("tokyo"))).figures]
    assert keys[:2] == ["timeline", "graph"]
    assert "table-reduction_factor" in keys and any(k.startswith("prices-") for k in keys)
    market = compiled("market")
    keys = [f.key for f in scheme_page(market.model, paths=year_paths(market)).figures]
    assert "cap" in keys and "prices-EUR/tCO2e" in keys
    # documents never evaluate: without the system level's paths there is no cap or price chart
    alone = [f.key for f in scheme_page(market.model).figures]
    assert "cap" not in alone and not any(k.startswith("prices-") for k in alone)
    assert [f.key for f in scheme_page(model("hostile")).figures] == ["graph"]


def test_price_paths_are_drawn_from_the_system_level_before_inflation() -> None:
    market = compiled("market")
    page = scheme_page(market.model, paths=year_paths(market))
    figure = next(f for f in page.figures if f.key.startswith("prices"))
    text = str(figure.svg)
    assert "Price floor (+5 % a year)" in text and "before CPI" in text
    floor = next(row for row in figure.data if row[0].startswith("Price floor"))
    # 20 × 1.05 a year, rounded half up to the cent each year as the scheme's price path is
    assert floor[1:4] == (
        "2022: 20 EUR per t CO₂e",
        "2023: 21 EUR per t CO₂e",
        "2024: 22.05 EUR per t CO₂e",
    )


# ---- Markdown (golden pages: tests/test_golden_docs.py) ------------------------------------------


def test_markdown_site_writes_figures_beside_pages(tmp_path: Path) -> None:
    files = site([model("tokyo")], "md")
    write_site(files, tmp_path)
    page = (tmp_path / "tokyo_cat.md").read_text(encoding="utf-8")
    for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page):
        figure = tmp_path / target
        assert figure.exists(), target
        assert figure.read_text(encoding="utf-8").startswith(
            '<svg xmlns="http://www.w3.org/2000/svg"'
        )


# ---- HTML: valid, self-contained, safe ---------------------------------------------------------


def parse_strict(text: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


class Links(HTMLParser):
    """Collects every URL-valued attribute and inline style/url() reference."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "poster", "srcset", "data"):
                self.urls.append((tag, name, value or ""))
            if name.startswith("on"):
                raise AssertionError(f"event handler attribute {name} on <{tag}>")


def fixture_pages() -> dict[str, str]:
    models = [model(n) for n in ("tokyo", "market", "voluntary", "hostile")]
    return dict(site(models, "html"))


@pytest.fixture(scope="module")
def html_pages() -> dict[str, str]:
    return fixture_pages()


def test_every_page_is_valid_html5(html_pages: dict[str, str]) -> None:
    schemes = {"tokyo_cat", "harbour_ets", "pledge", "hostile"}
    assert set(html_pages) == {"index.html", "glossary.html", "search.html"} | {
        f"{name}{suffix}.html" for name in schemes for suffix in ("", "-factsheet")
    }
    for text in html_pages.values():
        parse_strict(text)


def test_library_pages_are_valid_html5() -> None:
    compilation = compile_paths(
        [LIBRARY / "japan/tokyo_cat.scheme", LIBRARY / "world/eu_ets.scheme"]
    )
    models = [s.model for s in compilation.schemes.values()]
    assert compilation.ok and len(models) == 2, compilation.diagnostics
    for text in site(models, "html").values():
        parse_strict(text)


def test_no_external_assets_only_citation_links(html_pages: dict[str, str]) -> None:
    for name, text in html_pages.items():
        links = Links()
        links.feed(text)
        assert links.scripts == (2 if name == "search.html" else 0), name
        assert "<script src" not in text
        assert "@import" not in text and "url(http" not in text.replace(" ", "")
        for tag, attribute, value in links.urls:
            if value.startswith(("http://", "https://")):
                assert (tag, attribute) == ("a", "href"), (name, tag, attribute, value)
                assert text.count(f'href="{value}"') >= 1
                sources = text[text.index('id="sources"') :]
                assert value in sources, f"{value} is not a cited source"
            else:
                assert re.fullmatch(r"#[\w.-]+|[\w.-]+\.html(#[\w.-]+)?", value), (name, value)


def test_script_strings_are_inert(html_pages: dict[str, str]) -> None:
    page = html_pages["hostile.html"]
    assert "<script" not in page.lower() and "<iframe" not in page.lower()
    assert "<img" not in page.lower() and "javascript:" not in page.split("(javascript")[0]
    assert 'href="javascript' not in page
    assert "&lt;script&gt;alert(&#39;rule&#39;)&lt;/script&gt;" in page
    index = html_pages["index.html"]
    assert "<script" not in index.lower() and "&lt;script&gt;" in index
    md = site([model("hostile")], "md")["hostile.md"]
    assert "<script" not in md.lower() and "<iframe" not in md.lower()
    assert "](javascript" not in md and "<javascript" not in md
    assert r"Ministry \| of \*Pipes\* &amp; \[Brackets\](http://evil.example/x) &lt;img" in md


def test_markdown_table_rows_keep_their_columns() -> None:
    md = site([model("hostile"), model("market")], "md")
    for text in md.values():
        block: list[int] = []
        for line in [*text.splitlines(), ""]:
            if line.startswith("|"):
                block.append(len(re.findall(r"(?<!\\)\|", line)))
            elif block:
                assert len(set(block)) == 1, block
                block = []


def test_defaults_citations_and_sources_are_shown(html_pages: dict[str, str]) -> None:
    page = html_pages["tokyo_cat.html"]
    article = page[page.index('id="rule-shortfall"') :]
    assert 'class="badge default"' in article[: article.index("</article>")]
    cap = page[page.index('id="rule-cap"') :]
    assert 'class="badge default"' not in cap[: cap.index("</article>")]
    assert '<a class="cite" href="#src-ordinance"' in page and "[1, art 5]" in page
    market = html_pages["harbour_ets.html"]
    assert (
        "Cited at: s. 3; s. 4; s. 5; s. 10; s. 11; s. 20; s. 21; Sch. 1; Sch. 2; s. 30; "
        "s. 31</span>" in market
    )  # every locator, in the order the page cites them


def test_long_locators_move_to_the_sources_list() -> None:
    page = scheme_page(model("tokyo"))
    assert all(len(r.label) < 30 for rule in page.rules for r in rule.refs)


def test_templates_autoescape_and_translate() -> None:
    env = environment()
    assert env.autoescape is True
    assert "jinja2.ext.InternationalizationExtension" in env.extensions
    page = site([model("voluntary")], "html")["pledge.html"]
    assert ">Summary</h2>" in page and '<html lang="en">' in page
    with language("ja"):
        page = site([model("voluntary")], "html")["pledge.html"]
    assert ">概要</h2>" in page and ">出典</h2>" in page and '<html lang="ja">' in page
    assert ">Summary</h2>" in site([model("voluntary")], "html")["pledge.html"], (
        "the language applies inside the block only"
    )


def test_md_escape_keeps_tables_and_markup_inert() -> None:
    assert str(md_escape("a | b <c> *d* [e]")) == r"a \| b &lt;c&gt; \*d\* \[e\]"


# ---- command line -----------------------------------------------------------------------------


def test_cli_docs_html_and_markdown(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "docs",
            str(CASES / "tokyo.scheme"),
            str(CASES / "market.scheme"),
            "-o",
            str(tmp_path / "html"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "html").iterdir()) == [
        ".etsl-site",
        "glossary.html",
        "harbour_ets-factsheet.html",
        "harbour_ets.html",
        "index.html",
        "search.html",
        "tokyo_cat-factsheet.html",
        "tokyo_cat.html",
    ]
    result = runner.invoke(
        cli,
        [
            "docs",
            str(CASES / "market.scheme"),
            "-o",
            str(tmp_path / "md"),
            "--format",
            "md",
            "--scheme",
            "harbour_ets",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "md" / "harbour_ets.md").exists()
    assert (tmp_path / "md" / "figures" / "harbour_ets-timeline.svg").exists()


def test_cli_docs_errors_leave_no_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.scheme"
    broken.write_text('scheme broken "B" {\n  cap = 1 tCO2e + 1 JPY\n}\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["docs", str(broken), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "broken.scheme:2" in result.output and not (tmp_path / "out").exists()
    result = runner.invoke(
        cli, ["docs", str(CASES / "tokyo.scheme"), "-o", str(tmp_path / "o2"), "--scheme", "nope"]
    )
    assert result.exit_code == 2 and "no scheme named 'nope'" in result.output
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["docs", str(CASES / "tokyo.scheme"), "-o", str(blocker / "sub")])
    assert result.exit_code == 1 and "cannot write" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_documented_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `$ etsl …` line in docs/documents.md runs and exits 0 (from a copy of the
    fixtures, so the outputs land in a temporary folder)."""
    text = (ROOT / "docs" / "documents.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\$ etsl (.+)$", text, re.M)
    assert len(commands) >= 6
    shutil.copytree(CASES, tmp_path / "tests" / "cases" / "docs")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(cli, command.split())
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "site" / "tokyo_cat.html").exists()
    assert (tmp_path / "changes.json").exists()


# ---- in a real browser ---------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


def png_pixels(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct colours of an 8-bit RGB/RGBA PNG (a tiny decoder)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    size = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * size
    previous, colours = bytearray(stride), set[bytes]()
    for row in range(height):
        kind, line = (
            raw[row * (stride + 1)],
            bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - size] if i >= size else 0
            b, c = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if row % 7 == 0:
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, size * 5))
        previous = line
    return width, height, colours


def screenshot(page: Path, out: Path) -> str:
    profile = tempfile.mkdtemp(prefix="etsl-chromium-")
    try:
        result = subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--hide-scrollbars",
                f"--screenshot={out}",
                "--window-size=1200,2000",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return result.stderr


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed "
    "(apt-get install -y chromium) — browser rendering not checked",
)
def test_pages_render_in_a_browser(tmp_path: Path) -> None:
    from etsl.documents.compare import comparison, render

    files = site([model("tokyo")], "html")
    write_site(files, tmp_path)
    (tmp_path / "compare.html").write_text(
        render(comparison([model("tokyo"), model("market"), model("voluntary")]), "html"),
        encoding="utf-8",
    )
    for page in ("tokyo_cat.html", "compare.html"):
        out = tmp_path / f"{page}.png"
        log = screenshot(tmp_path / page, out)
        assert "Uncaught" not in log and "ERROR:CONSOLE" not in log, log
        width, height, colours = png_pixels(out.read_bytes())
        assert (width, height) == (1200, 2000)
        assert len(colours) > 20, f"{page} looks blank ({len(colours)} colours)"


def test_a_factsheet_states_what_its_surrender_limits_amount_to() -> None:
    """'up to its offset limit' alone tells a reader nothing: the factsheet lists the limit
    rules and tables the surrender clauses read, with their numbers."""
    compilation = compile_paths([LIBRARY / "world/washington.scheme"])
    assert compilation.ok, compilation.diagnostics
    pages = site([s.model for s in compilation.schemes.values()], "html")
    sheet = pages["washington-factsheet.html"]
    assert "WA offset</strong>: up to its offset limit" in sheet
    assert "<li>Offset usage limit: CP1 5 %, CP2 4 %</li>" in sheet
