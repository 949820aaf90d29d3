"""One rendering environment: scheme text is escaped and linked the same way in every document.

The fixture's two linked schemes carry HTML, scripts, `javascript:` addresses, Markdown
links, emphasis and table separators, and a source address with `&` in its query. Every
HTML and Markdown document ETSL writes (scheme pages, the index, comparisons, linkage
reports) must show that text inert, escaped exactly as the policy says, and link only the
`http(s)` address, written correctly for its format.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from etsl.compiler.driver import compile_paths
from etsl.compiler.model import SchemeModel
from etsl.documents.compare import comparison
from etsl.documents.compare import render as render_comparison
from etsl.documents.linkage_report import render_document
from etsl.documents.render import environment, md_escape, render_string, safe_url
from etsl.documents.site import site
from etsl.linkage.network import analyse_network
from etsl.linkage.pair import check_pair
from markupsafe import escape

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "cases" / "render" / "hostile_pair.scheme"
CONDITIONS = "Fees <b>&</b> *x* | [y](javascript:alert(1))"
JURISDICTION = (
    "Ministry | of *Pipes* & [Brackets](http://evil.example/x) <img src=x onerror=alert(1)>"
)
QUERY_URL = "https://example.org/rules?part=1&lang=en"


@pytest.fixture(scope="module")
def models() -> list[SchemeModel]:
    compilation = compile_paths([FIXTURE])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return [c.model for c in compilation.schemes.values()]


@pytest.fixture(scope="module")
def documents(models: list[SchemeModel]) -> dict[str, str]:
    """Every HTML and Markdown document of the fixture, by a name ending in its format."""
    out: dict[str, str] = {}
    for fmt in ("html", "md"):
        out.update({f"site/{name}": text for name, text in site(models, fmt).items()})
        out[f"compare.{fmt}"] = render_comparison(comparison(models), fmt)
        out[f"network.{fmt}"] = render_document([], analyse_network(models), fmt)
        out[f"pair.{fmt}"] = render_document([check_pair(*models)], None, fmt)
    return out


def formats(documents: dict[str, str], fmt: str) -> dict[str, str]:
    """The documents of one format (the search page holds page text as JSON; see below)."""
    return {
        name: text
        for name, text in documents.items()
        if name.endswith(f".{fmt}") and name != "site/search.html"
    }


def test_every_kind_of_document_is_checked(documents: dict[str, str]) -> None:
    html = set(formats(documents, "html"))
    assert {"site/index.html", "site/hostile_a.html", "site/hostile_a-factsheet.html",
            "site/glossary.html", "compare.html", "network.html", "pair.html"} <= html
    assert len(formats(documents, "md")) == 6


def test_the_search_index_cannot_leave_its_script_element(documents: dict[str, str]) -> None:
    page = documents["site/search.html"]
    index = page[page.index('id="search-index">'):page.index("</script>")]
    assert "<" not in index.removeprefix('id="search-index">') and "Ministry" in index
    assert page.count("<script") == 2 and "Content-Security-Policy" in page


def test_nothing_executable_or_external_survives(documents: dict[str, str]) -> None:
    for name, text in documents.items():
        lower = text.lower()
        tags = ("<iframe", "<img", "<b>") if name == "site/search.html" else (
            "<script", "<iframe", "<img", "<b>")
        for tag in tags:
            assert tag not in lower, (name, tag)
        assert not re.search(r"""href=["']?\s*javascript""", lower), name
        if name.endswith(".md"):  # a Markdown link needs an unescaped `](`
            assert not re.search(r"(?<!\\)\]\((javascript|http://evil)", lower), name
            assert "<javascript" not in lower, name


def test_scheme_text_is_escaped_identically_in_every_html_document(
    documents: dict[str, str],
) -> None:
    seen = 0
    for name, text in formats(documents, "html").items():
        for hostile in (CONDITIONS, JURISDICTION):
            if "Fees" in text and hostile == CONDITIONS or "Ministry" in text and hostile != CONDITIONS:
                assert str(escape(hostile)) in text, (name, hostile)
                seen += 1
    assert seen >= 4


def test_scheme_text_is_escaped_identically_in_every_markdown_document(
    documents: dict[str, str],
) -> None:
    seen = 0
    for name, text in formats(documents, "md").items():
        for hostile, marker in ((CONDITIONS, "Fees"), (JURISDICTION, "Ministry")):
            if marker in text:
                assert str(md_escape(hostile)) in text, (name, hostile)
                assert hostile not in text, (name, hostile)
                seen += 1
    assert seen >= 4


def test_source_addresses_are_linked_correctly_for_each_format(
    documents: dict[str, str],
) -> None:
    linked = {"html": 0, "md": 0}
    for name, text in documents.items():
        fmt = name.rsplit(".", 1)[1]
        assert "&amp;amp;" not in text, name
        if fmt == "md":
            assert not re.search(r"<https?://[^>]*&amp;", text), f"{name}: entity in autolink"
            linked["md"] += f"<{QUERY_URL}>" in text
        else:
            linked["html"] += 'href="https://example.org/rules?part=1&amp;lang=en"' in text
    assert linked["html"] >= 3 and linked["md"] >= 3, linked


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("HTTP://EXAMPLE.ORG/x", "HTTP://EXAMPLE.ORG/x"),
        ("https://example.org/a b<c>\"d\"|e", "https://example.org/a%20b%3Cc%3E%22d%22%7Ce"),
        ("https://example.org/環境", "https://example.org/%E7%92%B0%E5%A2%83"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        ("ftp://example.org/x", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_markdown_templates_escape_values_the_view_did_not_mark() -> None:
    text = render_string("{{ value }} {{ value|code }} <{{ link|url }}>", "t.md.j2",
                         value="[x](javascript:y) | *z*", link="https://a.example/?p=1&q=2")
    assert text == r"\[x\](javascript:y) \| \*z\* `[x](javascript:y) / *z*` " \
                   "<https://a.example/?p=1&q=2>"


def test_html_templates_autoescape_and_link_only_web_addresses() -> None:
    text = render_string('<a href="{{ a|url }}">{{ a }}</a><a href="{{ b|url }}">', "t.html.j2",
                         a="https://a.example/?p=1&q=2", b="javascript:alert(1)")
    assert text == '<a href="https://a.example/?p=1&amp;q=2">https://a.example/?p=1&amp;q=2' \
                   '</a><a href="">'


def test_printing_nothing_is_a_bug_not_the_word_none() -> None:
    with pytest.raises(ValueError, match="printed None"):
        render_string("{{ value }}", "t.html.j2", value=None)


def test_one_environment_serves_every_document() -> None:
    env = environment()
    assert env is environment() and env.autoescape is True
    names = set(env.list_templates())
    assert {"link.html.j2", "link.md.j2", "scheme.html.j2", "compare.md.j2"} <= names
