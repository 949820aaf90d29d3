"""Borrowing that varies by period (`borrowing none { during cycle2 next_period up to … }`):
China's borrowing, temporarily allowed in 2021-2022 and not in 2023-2024, through formatting,
the reference engine, documents and linkage."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.compiler.fmt import format_source
from etsl.compiler.source import SourceFile
from etsl.linkage.pair import check_pair
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import run as reference_run

from tests.golden import REPO

DOC = (REPO / "docs" / "language.md").read_text(encoding="utf-8")
TEXT = re.search(r"```etsl\n(scheme temporary_borrowing .*?)```", DOC, re.S)[1]  # type: ignore[index]
CHINA = REPO / "schemes" / "world" / "china_ets.scheme"
UNILATERAL = REPO / "tests" / "cases" / "linkage" / "borrowing-unilateral.scheme"


def compiled(text: str = TEXT) -> CompiledScheme:
    compilation = compile_text(text, "borrowing.scheme")
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    return next(iter(compilation.schemes.values()))


def test_fmt_keeps_the_block() -> None:
    assert format_source(SourceFile.of("borrowing.scheme", TEXT))[0] == TEXT


def test_the_mode_of_each_period() -> None:
    borrowing = compiled().program.borrowing
    assert borrowing is not None
    assert borrowing.in_period("cycle1")[0] == "none"
    assert borrowing.in_period("cycle2")[0] == "next_period"
    assert borrowing.in_period("cycle2")[1] is not None
    assert compiled().program.borrows


def test_the_engine_borrows_only_in_the_period_that_allows_it() -> None:
    records = tuple(
        Record("U", period, {"emissions": Decimal(1200), "allocated": Decimal(1000)})
        for period in ("cycle1", "cycle2", "cycle3")
    )
    results = reference_run(compiled(), Dataset(records))
    borrowed = {r.period: r.values["borrowed"] for r in results.rows}
    assert borrowed == {"cycle1": 0, "cycle2": Decimal(100), "cycle3": 0}
    owed = {r.period: r.values["owed_in"] for r in results.rows}
    assert owed["cycle3"] == Decimal(100)  # what cycle2 borrowed is owed in cycle3


def test_a_scheme_that_borrows_in_some_period_does_not_state_none() -> None:
    model = compiled().model
    assert model.borrowing is not None and model.borrowing.during[0].periods == ["cycle2"]
    assert model.features["borrowing"].status == "declared"
    none = compiled(TEXT.replace("during cycle2 next_period", "during cycle2 none")).model
    assert none.features["borrowing"].status == "none"


def test_an_unknown_period_is_a_located_error() -> None:
    compilation = compile_text(TEXT.replace("during cycle2", "during cycle9"), "b.scheme")
    (problem,) = [d for d in compilation.diagnostics if d.code == "unknown-name"]
    assert "cycle9" in problem.message and problem.span.line == 11


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "**Borrowing in cycle 2**: From the next period only"),
        ("ja", "**第2履行期のボローイング**: 次の期間からに限り認める"),
    ],
)
def test_documents_list_the_mode_of_china_s_second_cycle(lang: str, words: str) -> None:
    from etsl.documents.i18n import language
    from etsl.documents.site import site

    model = compile_paths([CHINA]).schemes["china_ets"].model
    with language(lang):
        page = site([model], "md")["china_ets.md"]
    assert words in page


def test_china_borrows_half_a_large_gap_in_2021_2022_only() -> None:
    program = compile_paths([CHINA]).schemes["china_ets"].program
    assert program.borrowing is not None
    assert [program.borrowing.in_period(p)[0] for p in program.period_names] == [
        "none",
        "next_period",
        "none",
    ]


def test_linkage_names_the_periods_of_one_sided_borrowing(tmp_path: Path) -> None:
    text = UNILATERAL.read_text(encoding="utf-8").replace(
        "  borrowing next_period\n", "  borrowing none {\n    during p1 next_period\n  }\n", 1
    )
    compilation = compile_text(text, str(UNILATERAL))
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    a, b = (compilation.schemes[n].model for n in ("a", "b"))
    finding = next(f for f in check_pair(a, b).findings if f.code == "borrowing-unilateral")
    assert "allows borrowing in p1" in finding.message.text()
    assert finding.evidence[0].field == "borrowing during p1"


def test_the_factsheet_names_the_period_and_leaves_its_rule_to_the_full_page() -> None:
    """China's factsheet ran onto a second page with the 2021-2022 rule and its source."""
    from etsl.documents.site import site

    model = compile_paths([CHINA]).schemes["china_ets"].model
    pages = site([model], "html")
    sheet, full = pages["china_ets-factsheet.html"], pages["china_ets.html"]
    assert "Not allowed (cycle 2: see the full page)" in sheet
    assert "climatecooperation.cn" not in sheet and "climatecooperation.cn" in full
    assert "In cycle 2: from the next period only" in full
