"""Linkage findings are messages (id, template, values): English reports print them as
before, and the Japanese linkage page says every finding, reason, remedy and how-to line in
Japanese."""

from __future__ import annotations

import json
import re
import string

import pytest
from etsl.documents.i18n import gettext, language, pgettext
from etsl.documents.linkage_report import render_document
from etsl.linkage.checks import CATALOGUE
from etsl.linkage.network import analyse_network, plain_report
from etsl.linkage.said import TEMPLATES, Listing, Scheme, Template, Term, terms

from tests.library import library

#: The pairs whose findings cover every area of the catalogue the library triggers.
NAMES = ("california", "quebec", "eu_ets", "swiss_ets", "tokyo_cat", "saitama_tset", "rggi")
#: A run of three English words: what a Japanese sentence must not contain outside code.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){2,}\b")
#: Code spans, URLs and citations (never translated) are removed before looking.
UNTRANSLATED = re.compile(r"`[^`]*`|<code[^>]*>.*?</code>|https?://\S+|\([^)]*\)")


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def network_report() -> object:
    return analyse_network([m for m in library() if m.name in NAMES])


def test_a_message_is_said_in_english_from_its_template() -> None:
    said = Template("example", "{a} accepts {units}; {b} accepts {none}")(
        a=Scheme("quebec"), b=Scheme("rggi"), units=terms(["QC_offset", "ARBOC"], "and"),
        none=Listing(()),
    )
    assert said.text() == "'quebec' accepts 'QC_offset' and 'ARBOC'; 'rggi' accepts none"
    assert str(said) == said.text()


def test_a_template_refuses_values_it_does_not_name() -> None:
    with pytest.raises(AssertionError):
        Template("example", "{a} links")(a=Scheme("a"), b=Term("b"))


@pytest.mark.parametrize(
    "said", sorted(TEMPLATES.values(), key=lambda t: t.id), ids=lambda t: str(t.id)
)
def test_every_translation_names_the_values_of_its_template(said: Template) -> None:
    with language("ja"):
        translated = pgettext("linkage", said.template)
    words = re.sub(r"\{\w+\}|`[^`]*`", "", said.template)
    assert translated != said.template or not re.search("[a-z]{3}", words), said.id
    assert _fields(translated) == _fields(said.template), said.id


def test_json_keeps_english_messages_and_adds_their_data() -> None:
    report = analyse_network([m for m in library() if m.name in ("california", "quebec")])
    data = json.loads(plain_report([], report, "json"))
    finding = next(f for f in data["pairs"][0]["findings"] if f["code"] == "credit-not-accepted")
    assert finding["message"].startswith("'california' accepts offset credit 'sector_based'")
    assert finding["message_said"]["id"] == "credit-not-accepted"
    assert {"scheme": "quebec", "quoted": True} in [v for _, v in finding["message_said"]["values"]]


def _japanese_lines(html: str) -> list[str]:
    """The finding, reason, remedy and how-to paragraphs of a linkage page."""
    sections = html.split('<div class="finding ')[1:]
    lines = []
    for section in sections:
        for paragraph in re.findall(r"<p[^>]*>(.*?)</p>", section, re.S):
            if "判断基準" in paragraph:
                continue  # the criterion: the titles of the sources, never translated
            text = re.sub(r"<[^>]+>", "", UNTRANSLATED.sub("", paragraph))
            lines.append(text)
    return lines


def test_the_japanese_linkage_page_says_its_findings_in_japanese() -> None:
    with language("ja"):
        html = render_document([], network_report(), "html")
    lines = _japanese_lines(html)
    assert len(lines) > 40
    english = [line for line in lines if ENGLISH_RUN.search(line)]
    assert english == []
    assert "受け入れるが" in html and "重要な理由" in html
    assert "Why it matters" not in html and "accepts" not in "".join(lines)


def test_every_check_is_explained_in_japanese() -> None:
    with language("ja"):
        for check in CATALOGUE.values():
            for text in (check.rationale, check.remedy, check.how_to):
                if re.search("[a-z]{3}", re.sub(r"`[^`]*`", "", text)):
                    assert gettext(text) != text, (check.code, text)


def test_english_findings_read_as_sentences_on_the_page() -> None:
    html = render_document([], network_report(), "html")
    assert "<p>Neither " in html or "<p>California accepts offset credit" in html
    assert re.search(r"<p>California accepts offset credit “sector-based” but Québec does not: "
                     r"its tonnes reach Québec by freeing allowances that cross the link "
                     r"\([^)]*\)\.</p>", html)
