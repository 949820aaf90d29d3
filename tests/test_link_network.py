"""The link network: reciprocity, linked markets, indirect flows, diagnostics and the SVG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths, compile_text
from etsl.compiler.model import SchemeModel
from etsl.documents.figures.comparison import brief_name
from etsl.documents.figures.network import network_svg
from etsl.documents.i18n import language
from etsl.documents.linkage_report import render_document
from etsl.documents.wording import scheme_title
from etsl.linkage.network import (
    Flow,
    NetworkReport,
    analyse_network,
)

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "linkage"
SVG = "{http://www.w3.org/2000/svg}"


def models(*paths: Path) -> list[SchemeModel]:
    compilation = compile_paths(list(paths))
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return [c.model for c in compilation.schemes.values()]


def network(name: str) -> NetworkReport:
    return analyse_network(models(CASES / name))


def flows(items: tuple[Flow, ...]) -> set[tuple[str, str, str, bool]]:
    return {(f.what, f.origin, f.reaches, f.indirect) for f in items}


# ---- a chain of three schemes ---------------------------------------------------------------


def test_chain_is_one_market_with_an_indirect_pair() -> None:
    report = network("network-chain.scheme")
    assert report.components == (("a", "b", "c"),) and report.unlinked == ()
    assert [(p.a, p.b, p.path) for p in report.indirect_pairs] == [("a", "c", ("a", "b", "c"))]
    assert report.reciprocity == () and report.diagnostics == ()


def test_credit_reaches_a_banning_scheme_only_indirectly() -> None:
    report = network("network-chain.scheme")
    cer = {f for f in flows(report.credit_flows) if f[0] == "CER"}
    assert ("CER", "a", "c", True) in cer, "a's CER reaches c through b"
    assert not any(f[2] == "b" for f in cer), "b accepts CER itself"
    flow = next(f for f in report.credit_flows if (f.origin, f.reaches) == ("a", "c"))
    assert flow.path == ("a", "b", "c")
    assert [e.scheme for e in flow.evidence] == ["a", "c"]


def test_the_direct_pair_reports_do_not_see_the_indirect_flow() -> None:
    report = network("network-chain.scheme")
    assert [(p.a.name, p.b.name) for p in report.pairs] == [("a", "b"), ("b", "c")]
    ab = report.pairs[0]
    assert "credit-not-accepted" not in {f.code for f in ab.findings}


def test_ceilings_flow_downstream_and_floors_along_two_way_links() -> None:
    report = network("network-chain.scheme")
    assert flows(report.price_flows) == {
        ("ceiling", "a", "c", True), ("ceiling", "b", "c", False),
        ("floor", "c", "b", False), ("floor", "c", "a", True)}


def test_one_way_link_carries_ceiling_and_credits_but_not_floors() -> None:
    report = network("network-one-way.scheme")
    assert [(e.source, e.target, e.declared_by) for e in report.edges] == [("x", "y", ("x", "y"))]
    assert flows(report.price_flows) == {("ceiling", "x", "y", False)}
    assert flows(report.credit_flows) == {("x_offset", "x", "y", False)}
    [flow] = report.credit_flows
    assert flow.route.text() == "by freeing allowances that cross the link (X_allowance)"
    pair = report.pairs[0]
    found = {f.code for f in pair.findings}
    assert "price-floor-unilateral" not in found and "price-ceiling-unilateral" in found
    assert not any("y_offset" in f.message.text() for f in pair.findings)


# ---- declarations that do not match ---------------------------------------------------------------


def test_reciprocity_and_direction_mismatch() -> None:
    report = network("network-declarations.scheme")
    issues = {(i.code, i.schemes) for i in report.reciprocity}
    assert issues == {("link-one-sided", ("p", "q")), ("link-direction-mismatch", ("p", "t")),
                      ("link-target-missing", ("r", "nowhere"))}
    one_sided = next(i for i in report.reciprocity if i.code == "link-one-sided")
    assert one_sided.message.text() == \
        "'p' declares a two-way link to 'q', which does not declare it back"


def test_reciprocity_and_the_pair_report_use_the_same_words() -> None:
    from etsl.linkage.pair import check_pair

    found = {m.name: m for m in models(CASES / "network-declarations.scheme")}
    pair = check_pair(found["p"], found["q"])
    report = network("network-declarations.scheme")
    network_words = next(i.message.text() for i in report.reciprocity if i.code == "link-one-sided")
    assert [f.message.text() for f in pair.findings if f.code == "link-one-sided"] == [network_words]


def test_dangling_link_target_cannot_be_confirmed() -> None:
    report = network("network-declarations.scheme")
    [problem] = [i for i in report.reciprocity if i.code == "link-target-missing"]
    assert "'nowhere'" in problem.message.text() and "cannot be checked" in problem.message.text()
    assert problem.evidence[0].scheme == "r" and problem.hint
    assert report.diagnostics == ()
    assert report.unlinked == ("r",)
    assert report.components == (("p", "q", "t"),)


def test_link_to_a_library_scheme_not_analysed_hints_at_the_library() -> None:
    tokyo = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
    report = analyse_network(models(tokyo))
    [problem] = report.reciprocity
    assert "saitama_tset" in problem.message.text() and "bundled library" in (problem.hint.text() if problem.hint else "")
    assert report.pairs == () and report.components == () and report.diagnostics == ()


def test_a_missing_target_is_never_summarised_as_declared_by_both_sides() -> None:
    """Regression: "Every link is declared by both sides" printed above a
    link-target-missing finding."""
    tokyo = ROOT / "schemes" / "japan" / "tokyo_cat.scheme"
    text = render_document([], analyse_network(models(tokyo)), "text")
    reciprocity = text.split("Reciprocity")[1].split("Pairs linked only indirectly")[0]
    assert "link-target-missing" in reciprocity and "declared by both sides" not in reciprocity


def test_link_to_itself_is_a_diagnostic() -> None:
    text = 'scheme solo "Solo" {\n  participant p { emissions: tCO2e }\n  link solo two_way\n}\n'
    compilation = compile_text(text, "solo.scheme")
    assert compilation.ok
    report = analyse_network([compilation.schemes["solo"].model])
    assert [d.code for d in report.diagnostics] == ["link-to-self"]


def test_no_schemes_is_an_empty_network() -> None:
    report = analyse_network([])
    assert report.components == () and not report.blocked
    ET.fromstring(network_svg(report))


# ---- real links -------------------------------------------------------------------------------------


def test_library_network_has_three_reciprocal_markets() -> None:
    names = ["japan/tokyo_cat.scheme", "japan/saitama_tset.scheme", "world/eu_ets.scheme",
             "world/swiss_ets.scheme", "world/california.scheme", "world/quebec.scheme"]
    paths = [ROOT / "schemes" / n for n in names]
    report = analyse_network(models(*paths))
    assert report.components == (("california", "quebec"), ("eu_ets", "swiss_ets"),
                                 ("saitama_tset", "tokyo_cat"))
    assert report.reciprocity == ()
    assert [(p.a, p.b, p.path) for p in report.indirect_pairs if p.path] == []
    assert not report.blocked and len(report.pairs) == 3


def test_schemes_accepting_the_same_credits_are_linked_indirectly() -> None:
    """Regression: "Pairs linked only indirectly: None" although CERs are accepted by five
    bundled systems (at overlapping times)."""
    names = ["world/eu_ets.scheme", "japan/kyoto_japan.scheme", "japan/kyoto_target_plan.scheme",
             "japan/trial_integrated_market.scheme", "japan/meti_design.scheme"]
    report = analyse_network(models(*(ROOT / "schemes" / n for n in names)))
    through_cer = {(p.a, p.b) for p in report.indirect_pairs if "CER" in p.credits}
    assert ("eu_ets", "kyoto_japan") in through_cer
    assert all(p.path == () for p in report.indirect_pairs), "none of them is linked"
    text = render_document([], report, "text")
    assert "eu_ets and kyoto_japan: through credits both accept at the same time" in text


def test_credit_accepted_only_before_a_chain_operates_does_not_flow() -> None:
    text = (CASES / "network-chain.scheme").read_text(encoding="utf-8")
    text = text.replace("accept CER up to 10 % of obligation\n  }\n  price ceiling 65 EUR/tCO2e"
                        " from 2021\n  link b two_way\n",
                        "accept CER up to 10 % of obligation where period in {p0}\n  }\n"
                        "  price ceiling 65 EUR/tCO2e from 2021\n  link b two_way since 2021-01-01\n",
                        1)
    text = text.replace("scheme a \"Scheme A\" {\n",
                        "scheme a \"Scheme A\" {\n  period p0 = 2015 .. 2020\n  period p1 = 2021 .. 2025\n", 1)
    compilation = compile_text(text, str(CASES / "network-chain.scheme"))
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    report = analyse_network([c.model for c in compilation.schemes.values()])
    assert not any(f.origin == "a" for f in report.credit_flows)


# ---- drawing and documents ---------------------------------------------------------------------


def test_svg_is_well_formed_with_one_node_per_scheme() -> None:
    report = network("network-declarations.scheme")
    root = ET.fromstring(network_svg(report))
    circles = root.findall(f"{SVG}g/{SVG}circle")
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert len(circles) == 4 and {"p", "q", "r", "t"} <= labels
    lines = root.findall(f"{SVG}line")
    assert len(lines) == 2, "p-q and p-t"
    assert sum(1 for line in lines if line.get("stroke-dasharray")) == 1, "p-q is one-sided"


def test_library_network_in_japanese_shows_whole_titles_and_level_links() -> None:
    """Japanese titles were cut to fit 215 px (カリフォルニア州キャップ・ア…); the two schemes
    of each linked pair now face each other on one row, every title whole on two lines at most."""
    library = models(ROOT / "schemes")
    with language("ja"):
        titles = {m.name: scheme_title(m.title, m.name) for m in library}
        root = ET.fromstring(
            network_svg(analyse_network(library), lambda name: brief_name(titles[name], name))
        )
    groups = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}circle") is not None]
    shown = {g.findtext(f"{SVG}title"): "".join(t.text or "" for t in g.iter(f"{SVG}text"))
             for g in groups}
    assert len(shown) == len(library)
    assert {title: text for title, text in shown.items() if text != title} == {}
    assert max(len(g.findall(f"{SVG}text")) for g in groups) <= 2
    for line in root.iter(f"{SVG}line"):
        assert line.get("y1") == line.get("y2"), "a linked pair shares a row"


def test_svg_escapes_names_and_uses_the_pair_verdict_colour() -> None:
    report = network("network-chain.scheme")
    svg = network_svg(report)
    assert svg.count("<line ") == 2 and 'stroke="#b9770e"' in svg
    assert "marker-start" in svg and "marker-end" in svg


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html"])
def test_network_documents_render(fmt: str) -> None:
    report = network("network-chain.scheme")
    text = render_document([], report, fmt)
    path = "a → b → c" if fmt == "text" else "Scheme A → Scheme B → Scheme C"
    assert path in text or fmt == "json"
    if fmt == "json":
        data = json.loads(text)
        assert data["network"]["components"] == [["a", "b", "c"]]
        assert data["network"]["credit_flows"][0]["path"] == ["a", "b", "c"]
    if fmt in ("md", "html"):
        assert "<svg" in text and "Credits reaching schemes that do not accept them" in text
    if fmt == "text":
        assert "offset" not in text and "credit 'CER' of a reaches c through the chain a → b → c" \
            in text


def test_cli_network_over_a_folder(tmp_path: Path) -> None:
    for name in ("network-chain.scheme", "network-one-way.scheme"):
        (tmp_path / name).write_text((CASES / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    target = tmp_path / "out" / "network.html"
    result = CliRunner().invoke(cli, ["link", str(tmp_path), "--format", "html",
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert "Links between 5 schemes" in html


def test_cli_network_exit_status_follows_pair_blockers() -> None:
    result = CliRunner().invoke(cli, ["link", str(CASES / "participation-voluntary.scheme")])
    assert result.exit_code == 1, result.output
    assert "participation-voluntary" in result.output


def test_node_and_verdict_colours_are_distinct_and_each_in_the_legend() -> None:
    """Regression: orange filled a linked market's circles and also drew the "linkable, with
    warnings" lines; every colour now means one thing, and the legend names each."""
    root = ET.fromstring(network_svg(analyse_network(models(ROOT / "schemes"))))
    groups = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}circle") is not None]
    fills = {g.find(f"{SVG}circle").get("fill") for g in groups}  # type: ignore[union-attr]
    strokes = {line.get("stroke") for line in root.iter(f"{SVG}line")}
    assert fills and strokes and not fills & strokes
    assert len(fills) == 4, "three linked markets and the unlinked schemes"
    swatches = {c.get("fill") for c in root.findall(f"{SVG}circle")}
    swatches |= {p.get("stroke") for p in root.findall(f"{SVG}path")}
    assert fills | strokes <= swatches, "every colour drawn has a legend entry"
    labels = " ".join(t.text or "" for t in root.findall(f"{SVG}text"))
    assert "linked market: california, quebec" in labels
    assert "linked with no other scheme" in labels and "Link: linkable, with warnings" in labels
