"""Tokyo's fourth compliance period (FY2025–FY2029): its dates, its published rates (50 % for
office buildings, 48 % for factories), where each is cited from, and the index's span."""

from __future__ import annotations

from decimal import Decimal

import pytest
from etsl.compiler.model import SchemeModel
from etsl.runtime.examples import run_examples

from tests.library import compiled_library, library
from tests.test_golden_docs import library_site


def tokyo() -> SchemeModel:
    return next(m for m in library() if m.name == "tokyo_cat")


def test_the_fourth_period_runs_fy2025_to_fy2029_from_tmgs_reform_page() -> None:
    fourth = tokyo().periods[-1]
    assert (fourth.name, fourth.start, fourth.end, fourth.years) == ("fourth", "FY2025", "FY2029", "5")
    assert (fourth.start_date, fourth.end_date) == ("2025-04-01", "2030-03-31")
    assert fourth.cite is not None and fourth.cite.source == "tmg_reform"
    source = next(s for s in tokyo().sources if s.id == "tmg_reform")
    assert source.confidence == "primary" and source.url == "https://tokyo-seidokaisei.jp/summary"


def test_the_fourth_period_rates_are_tmgs_published_ones_and_no_copy_of_the_third() -> None:
    table = next(t for t in tokyo().tables if t.name == "reduction_factor")
    assert table.entries["office/fourth"] == "50 %" and table.entries["factory/fourth"] == "48 %"
    assert table.entries["office/third"] == "27 %" and table.entries["factory/third"] == "25 %"
    # The rates were read in a cached copy of TMG's release, so that source is secondary.
    release = next(s for s in tokyo().sources if s.id == "tmg_2023_bill")
    assert release.confidence == "secondary"
    assert "50 %" in release.citation and "48 %" in release.citation


@pytest.mark.parametrize(("title", "cap", "required"), [
    ("fourth-period office at 50 %", Decimal(25000), Decimal(25000)),  # 10,000 t x 5 x 0.50
    ("fourth-period factory at 48 %", Decimal(8970), Decimal(8280)),  # 3,450 t x 5 x 0.52
])
def test_the_fourth_period_caps_come_from_the_published_rates(
    title: str, cap: Decimal, required: Decimal
) -> None:
    outcome = next(o for o in run_examples(compiled_library().schemes["tokyo_cat"]) if o.title == title)
    assert outcome.passed and outcome.result is not None
    assert outcome.result.period == "fourth"
    assert (outcome.result.value("cap"), outcome.result.value("required_reduction")) == (cap, required)


@pytest.mark.parametrize(("lang", "span"), [("en", "FY2010–FY2029"), ("ja", "2010年度–2029年度")])
def test_the_index_shows_tokyo_through_fy2029(lang: str, span: str) -> None:
    line = next(x for x in library_site(lang)["index.md"].splitlines() if "(tokyo_cat.md)" in x)
    assert line.endswith(f"| {span} |")


@pytest.mark.parametrize(("lang", "mark"), [("en", "*(secondary source)*"), ("ja", "*(二次資料)*")])
def test_the_rate_table_cites_each_period_from_its_own_source(lang: str, mark: str) -> None:
    """The table cites TMG's 2016 release for P1 and P2, ICAP for P3 and TMG's 2023 release
    for P4; the page shows each reference with its locator, the last marked secondary."""
    table = next(t for t in tokyo().tables if t.name == "reduction_factor")
    assert table.cite is not None
    assert [(c.source, c.locator) for c in table.cite.all()] == [
        ("tmg_2016", "first and second periods"),
        ("icap_2021", "third period"),
        ("tmg_2023_bill", "fourth period"),
    ]
    page = library_site(lang)["tokyo_cat.md"].splitlines()
    heading = next(i for i, x in enumerate(page) if x == '<a id="table-reduction_factor"></a>')
    refs = page[heading + 2]
    assert refs.endswith(
        "[\\[2\\]](#src-tmg_2016) [\\[7, third period\\]](#src-icap_2021) "
        f"[\\[20, fourth period\\]](#src-tmg_2023_bill) {mark}"
    )
    listed = next(x for x in page if x.startswith('2. <a id="src-tmg_2016"></a>'))
    assert listed.endswith("first and second periods")
