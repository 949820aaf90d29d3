"""Price controls stated one kind at a time (`price ceiling not_stated`, `price ceiling none`):
linkage says "has none" only of a side that has none of a kind (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler.driver import compile_paths
from etsl.compiler.model import SchemeModel
from etsl.linkage.pair import check_pair, parse_rates

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "cases" / "linkage" / "price-control-not-stated.scheme"
NOT_STATED_LINE = (
    'price ceiling not_stated "The sources read do not say whether there is a price ceiling."'
)


def _pair(tmp_path: Path, replacement: str) -> dict[str, SchemeModel]:
    text = FIXTURE.read_text(encoding="utf-8")
    assert NOT_STATED_LINE in text
    path = tmp_path / "pair.scheme"
    path.write_text(text.replace(NOT_STATED_LINE, replacement), encoding="utf-8")
    compilation = compile_paths([path])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return {name: c.model for name, c in compilation.schemes.items()}


def _codes(found: dict[str, SchemeModel]) -> set[str]:
    return {f.code for f in check_pair(found["a"], found["b"]).findings}


def test_a_ceiling_not_stated_is_not_compared_and_never_read_as_none(tmp_path: Path) -> None:
    codes = _codes(_pair(tmp_path, NOT_STATED_LINE))
    assert "price-control-not-stated" in codes
    assert "price-ceiling-unilateral" not in codes


def test_a_ceiling_stated_none_is_compared(tmp_path: Path) -> None:
    codes = _codes(_pair(tmp_path, 'price ceiling none "The regulation provides no ceiling."'))
    assert "price-ceiling-unilateral" in codes
    assert "price-control-not-stated" not in codes


def test_a_scheme_that_lists_its_price_controls_has_none_of_a_kind_it_does_not_list(
    tmp_path: Path,
) -> None:
    assert "price-ceiling-unilateral" in _codes(_pair(tmp_path, ""))


def test_the_model_carries_each_kind(tmp_path: Path) -> None:
    b = _pair(tmp_path, NOT_STATED_LINE)["b"]
    assert {k: v.status for k, v in b.price_kinds.items()} == {
        "floor": "none",
        "ceiling": "not_stated",
        "supply": "none",
    }
    assert b.price_kinds["ceiling"].location is not None


QUEBEC_PAIR = [
    ROOT / "schemes" / "world" / "california.scheme",
    ROOT / "schemes" / "world" / "quebec.scheme",
]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_california_quebec_never_says_quebec_has_none_of_a_control_it_does_not_state(
    lang: str,
) -> None:
    """Regression (issue 14): 'california has a price ceiling … quebec has none'."""
    from etsl.documents.i18n import language
    from etsl.documents.linkage_report import render_document
    from etsl.documents.scheme_text import translated

    compilation = compile_paths(QUEBEC_PAIR)
    ca, qc = compilation.schemes["california"].model, compilation.schemes["quebec"].model
    with language(lang):
        report = check_pair(translated(ca), translated(qc), parse_rates(["USD/CAD=1.35"]))
        page = render_document([report], None, "md")
    codes = {f.code for f in report.findings}
    for kind in ("ceiling", "floor"):
        if qc.price_kinds[kind].status != "none":
            assert f"price-{kind}-unilateral" not in codes
    assert "which states its price controls, has none" not in page
    assert "価格調整措置を記述しているケベック" not in page and "にはない" not in page


def test_a_measure_stated_without_a_level_is_a_control_of_its_kind() -> None:
    """Korea's Art. 23 market stabilisation measures: declared with no price level, they are
    its supply adjustment; its floor and ceiling are not stated."""
    paths = [
        ROOT / "schemes" / "world" / "california.scheme",
        ROOT / "schemes" / "world" / "korea_ets.scheme",
    ]
    compilation = compile_paths(paths)
    ca, kr = compilation.schemes["california"].model, compilation.schemes["korea_ets"].model
    assert [m.name for m in kr.price_measures] == ["supply_adjustment"]
    assert {k: v.status for k, v in kr.price_kinds.items()} == {
        "floor": "not_stated",
        "ceiling": "not_stated",
        "supply": "declared",
    }
    findings = check_pair(kr, ca).findings
    supply = [f for f in findings if f.code == "supply-adjustment-unilateral"]
    assert supply and "korea_ets" in {e.scheme for e in supply[0].evidence}
    assert "price-ceiling-unilateral" not in {f.code for f in findings}


def test_a_measure_contradicts_price_none(tmp_path: Path) -> None:
    path = tmp_path / "none.scheme"
    path.write_text(
        'scheme s "S" {\n  price none\n  price supply_adjustment "A reserve"\n}\n', encoding="utf-8"
    )
    codes = {d.code for d in compile_paths([path]).diagnostics}
    assert "none-contradicted" in codes


def _ceilings_reaching(found: dict[str, SchemeModel]) -> list[tuple[str, str]]:
    from etsl.linkage.network import analyse_network

    report = analyse_network(found.values())
    return [(f.origin, f.reaches) for f in report.price_flows if f.kind == "ceiling"]


def test_the_network_reports_a_ceiling_reaching_only_a_side_that_has_none(
    tmp_path: Path,
) -> None:
    """Regression (issue 14): the linkage page listed California's ceiling and auction
    reserve price as reaching Québec, 'a scheme without price controls', after Québec
    stated its floor and left its ceiling not stated."""
    assert _ceilings_reaching(_pair(tmp_path, NOT_STATED_LINE)) == []
    stated_none = _pair(tmp_path, 'price ceiling none "The regulation provides no ceiling."')
    assert _ceilings_reaching(stated_none) == [("a", "b")]


def test_no_price_control_of_california_is_said_to_reach_quebec() -> None:
    from etsl.linkage.network import analyse_network

    compilation = compile_paths(QUEBEC_PAIR)
    report = analyse_network(c.model for c in compilation.schemes.values())
    assert report.price_flows == ()
