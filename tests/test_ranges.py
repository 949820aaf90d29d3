"""A consequence with a lower and an upper bound (`fine from A up to B`): China's Interim
Regulations (2024) Art. 24 fine of 5 to 10 times the average price per allowance not
surrendered, through formatting, results, engines, documents and the China scheme."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.compiler.fmt import format_source
from etsl.compiler.model import SchemeModel
from etsl.compiler.printer import common_multiple
from etsl.compiler.source import SourceFile
from etsl.linkage.pair import check_pair, parse_rates
from etsl.runtime.columnar import engine as columnar
from etsl.runtime.columnar.sql.compile import compile_query, table_layout
from etsl.runtime.columnar.sql.types import DUCKDB, SPARK, Flavour
from etsl.runtime.examples import examples_dataset
from etsl.runtime.fixed.engine import unsupported
from etsl.runtime.reference.explain import consequence_note
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.results.model import ConsequenceResult

from etsl.cli import cli
from tests.golden import REPO

RANGED = REPO / "tests" / "cases" / "language" / "ok" / "ranged_fine.scheme"
CHINA = REPO / "schemes" / "world" / "china_ets.scheme"


def compiled(path: Path = RANGED) -> CompiledScheme:
    compilation = compile_paths([path])
    assert compilation.ok
    return next(iter(compilation.schemes.values()))


def test_fmt_prints_a_range_as_written() -> None:
    line = "    fine from 5 * average_price * shortfall up to 10 * average_price * shortfall"
    text = RANGED.read_text(encoding="utf-8")
    assert line in text
    assert format_source(SourceFile.of(str(RANGED), text))[0] == text


def test_a_range_is_lowered_with_both_bounds() -> None:
    (penalty,) = compiled().program.penalties
    first, second, publish = penalty.consequences
    assert first.lower is not None and first.limit is not None and first.amount is None
    assert second.lower is not None and publish.lower is None
    assert compiled().program.ranged_kinds == ("fine",)


def test_results_carry_the_minimum_beside_the_maximum() -> None:
    scheme = compiled()
    results = reference_run(scheme, examples_dataset(scheme))
    assert results.columns()[-5:] == ["fine", "fine_is_maximum", "fine_minimum", "publish", "error"]
    short, compliant = results.to_records()
    assert short["fine"] == Decimal("11202000") and short["fine_is_maximum"] is True
    assert short["fine_minimum"] == Decimal("5601000")
    assert compliant["fine"] == Decimal(0) and compliant["fine_minimum"] == Decimal(0)


def test_schemes_without_a_range_keep_their_columns() -> None:
    scheme = compiled(REPO / "tests" / "cases" / "language" / "ok" / "minimal.scheme")
    results = reference_run(scheme, examples_dataset(scheme))
    assert not [c for c in results.columns() if c.endswith("_minimum")]


def test_the_least_of_a_consequence() -> None:
    ranged = ConsequenceResult("p", "fine", Decimal(10), "EUR", True, minimum=Decimal(5))
    capped = ConsequenceResult("p", "fine", Decimal(10), "EUR", True)
    fixed = ConsequenceResult("p", "fine", Decimal(10), "EUR")
    assert [c.least for c in (ranged, capped, fixed)] == [Decimal(5), Decimal(0), Decimal(10)]
    assert consequence_note(ranged) == "fine from 5 EUR up to 10 EUR"


def test_the_columnar_engine_writes_the_same_file(tmp_path: Path) -> None:
    scheme = compiled()
    dataset = examples_dataset(scheme)
    actual, reason = columnar.run_with_reason(scheme, dataset)
    assert reason is None, reason
    assert actual.engine == "columnar"
    actual.write(tmp_path / "columnar.csv")
    reference_run(scheme, dataset).write(tmp_path / "reference.csv")
    text = (tmp_path / "columnar.csv").read_text(encoding="utf-8")
    assert "fine_minimum" in text.splitlines()[0]
    assert text == (tmp_path / "reference.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("flavour", [DUCKDB, SPARK], ids=["duckdb", "spark"])
def test_the_sql_computes_the_lower_bound(flavour: Flavour) -> None:
    scheme = compiled()
    layout = table_layout(scheme.program, "participants", (18, 4), None)
    query = compile_query(scheme, layout, flavour)
    assert not isinstance(query, Exception)
    text = query.sql(flavour.name)
    assert "$minimum.unsurrendered.0" in text and "fine_minimum" not in text


def test_the_summary_totals_the_least_beside_the_amount() -> None:
    scheme = compiled()
    dataset = examples_dataset(scheme)
    columnar_results, reason = columnar.run_with_reason(scheme, dataset)
    assert reason is None, reason
    for summary in (reference_run(scheme, dataset).summary(), columnar_results.summary()):
        fine, publish = summary.consequences["fine"], summary.consequences["publish"]
        assert (fine.count, fine.amount, fine.minimum) == (1, Decimal(11202000), Decimal(5601000))
        assert publish.minimum is None and "minimum" not in publish.to_dict()
        assert summary.to_dict()["consequences"]["fine"]["minimum"] == "5601000"


def test_etsl_run_prints_the_least_in_its_summary(tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    data.write_text("id,emissions,average_price\nshort,17000,70\nshort2,1500,70\nok,900,70\n")
    printed = []
    for engine in ("columnar", "reference"):
        result = CliRunner().invoke(cli, ["run", str(RANGED), "--participants", str(data),
                                          "--engine", engine])
        assert result.exit_code == 0, result.output
        printed.append(result.output.split(": summary")[1].split("\n", 1)[1])
    assert printed[0] == printed[1]
    # short: 5,601,000 to 11,202,000; short2: 500 t × 70 × 5 + 1,000 = 176,000 to 352,000
    assert re.search(r"│ consequence: fine\s+│\s+2 rows, 11,554,000 CNY "
                     r"\(at least 5,777,000 CNY\) │", printed[0])
    assert re.search(r"│ consequence: publish\s+│\s+2 rows │", printed[0])


def test_the_fixed_engine_leaves_a_range_to_the_columnar_engine() -> None:
    reason = unsupported(compiled().program)
    assert reason is not None and "range" in reason


@pytest.mark.parametrize(
    ("lower", "upper", "found"),
    [
        ("5 * price * shortfall", "10 * price * shortfall", ("5", "10", "price * shortfall")),
        ("1.5 * a / b", "3 * a / b", ("1.5", "3", "a / b")),
        ("5 * a + b", "10 * a + b", None),  # (5 × a) + b is not 5 × (a + b)
        ("5 * a", "10 * b", None),
        ("100 CNY", "200 CNY", None),
    ],
)
def test_a_range_of_multiples_of_one_formula(
    lower: str, upper: str, found: tuple[str, str, str] | None
) -> None:
    assert common_multiple(lower, upper) == found


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "5 to 10 times its average price × its shortfall"),
        ("ja", "平均価格 × 不足量の5倍以上10倍以下"),
    ],
)
def test_documents_read_the_range_of_china_s_fine(lang: str, words: str) -> None:
    from etsl.documents.i18n import language
    from etsl.documents.site import site

    model = compiled(CHINA).model
    with language(lang):
        pages = site([model], "md")
    page = pages[f"{model.name}.md"]
    assert words in page
    assert "cannot be written" not in page and "記述できない" not in page


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "1,000 CNY to 2,000 CNY"), ("ja", "1,000 CNY以上2,000 CNY以下")],
)
def test_documents_read_other_ranges_as_from_to(lang: str, words: str) -> None:
    from etsl.documents.i18n import language
    from etsl.documents.site import site

    model = compiled().model
    with language(lang):
        page = site([model], "md")[f"{model.name}.md"]
    assert words in page


def test_china_s_example_expects_both_bounds() -> None:
    scheme = compiled(CHINA)
    results = reference_run(scheme, examples_dataset(scheme))
    row = next(r for r in results.rows if r.period == "cycle3")
    assert row.total("fine") == Decimal("11200000")
    assert row.minimum("fine") == Decimal("5600000")
    assert row.value("fine.minimum") == Decimal("5600000")


def test_an_example_may_not_expect_the_minimum_as_given() -> None:
    text = RANGED.read_text(encoding="utf-8").replace(
        "given emissions = 17000 tCO2e,", "given fine.minimum = 1 CNY, emissions = 17000 tCO2e,"
    )
    compilation = compile_text(text, "ranged.scheme")
    assert "example-unknown-name" in {d.code for d in compilation.diagnostics}


# ---- linkage: fine ranges compared as ranges ----------------------------------------------------

LINKAGE = REPO / "tests" / "cases" / "linkage"


def _with_fine(scheme: str, fine: str, path: Path) -> dict[str, SchemeModel]:
    """The schemes of a linkage fixture with the first fine of one scheme replaced."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"scheme {scheme} ")
    tail = re.sub(r"fine [^\n]*", fine, text[start:], count=1)
    compilation = compile_text(text[:start] + tail, str(path))
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return {name: c.model for name, c in compilation.schemes.items()}


@pytest.mark.parametrize(
    ("fine_b", "said"),
    [
        # b's range holds a's 100 EUR: either may be the lower penalty as applied
        ("fine from 50 EUR/tCO2e * shortfall up to 150 EUR/tCO2e * shortfall", "overlap"),
        # b's whole range is below a's 100 EUR: b's is the lower penalty whatever is set
        ("fine from 20 EUR/tCO2e * shortfall up to 40 EUR/tCO2e * shortfall", "caps"),
        ("fine from 100 EUR/tCO2e * shortfall up to 100 EUR/tCO2e * shortfall", None),
    ],
)
def test_fine_ranges_are_compared_as_ranges(fine_b: str, said: str | None) -> None:
    found = _with_fine("b", fine_b, LINKAGE / "penalty-level-differs.scheme")
    report = check_pair(found["a"], found["b"])
    finding = next((f for f in report.findings if f.code == "penalty-level-differs"), None)
    if said is None:
        assert finding is None
        return
    assert finding is not None
    text = finding.message.text()
    assert ("the ranges overlap" in text) == (said == "overlap"), text
    assert ("caps the price" in text) == (said == "caps"), text
    low, high = re.findall(r"(\d+) EUR/tCO2e \* shortfall", fine_b)
    assert f"'b' {low}–{high} EUR/tCO2e" in text, text


def test_fine_ranges_in_two_currencies_are_converted_as_ranges() -> None:
    found = _with_fine(
        "b",
        "fine from 8000 JPY/tCO2e * shortfall up to 16000 JPY/tCO2e * shortfall",
        LINKAGE / "penalty-needs-rate.scheme",
    )
    codes = {f.code for f in check_pair(found["a"], found["b"]).findings}
    assert "penalty-needs-rate" in codes
    report = check_pair(found["a"], found["b"], parse_rates(["EUR/JPY=160"]))
    finding = next(f for f in report.findings if f.code == "penalty-level-differs")
    text = finding.message.text()
    assert "8000–16000 JPY/tCO2e (= 50–100 EUR at EUR/JPY=160)" in text, text
    assert "the ranges overlap" in text, text
