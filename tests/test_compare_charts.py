"""The comparison's charts (documents/figures/comparison.py): what each draws for given
models and paths, what it leaves out and why, and the `--rate` option of `etsl compare`."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.model import SchemeModel
from etsl.documents.figures.comparison import ComparedFigure, comparison_figures, short_names
from etsl.documents.figures.scheme import YearPath
from etsl.documents.i18n import language
from etsl.linkage.facts import Rates

from etsl.cli import cli
from tests.library import library, library_paths

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "schemes" / "world"


def schemes(*names: str) -> list[SchemeModel]:
    by_name = {m.name: m for m in library()}
    return [by_name[n] for n in names]


def texts(figure: ComparedFigure) -> list[str]:
    """The words the figure's SVG draws (its <text> elements)."""
    return [html.unescape(t) for t in re.findall(r"<text [^>]*>([^<]*)</text>", str(figure.svg))]


def by_key(figures: tuple[ComparedFigure, ...]) -> dict[str, ComparedFigure]:
    return {f.key: f for f in figures}


def test_short_names_are_words_readers_know_not_identifiers() -> None:
    models = schemes("california", "quebec", "eu_ets", "rggi", "tokyo_cat", "saitama_tset")
    assert list(short_names(models).values()) == [
        "California",
        "Québec",
        "EU ETS",
        "RGGI",
        "Tokyo",
        "Saitama Prefecture",
    ]
    with language("ja"):
        shown = short_names(models)
    assert shown["california"] == "カリフォルニア州" and shown["tokyo_cat"] == "東京都"
    assert shown["eu_ets"] == "EU ETS"


def test_the_timeline_draws_each_schemes_periods_and_marks_links_once() -> None:
    models = schemes("tokyo_cat", "saitama_tset", "domestic_credit", "jvets")
    timeline = by_key(comparison_figures(models, {}))["timeline"]
    drawn = texts(timeline)
    assert {"Tokyo", "Saitama Prefecture", "JVETS"} <= set(drawn)
    assert "tokyo_cat" not in str(timeline.svg)
    assert drawn.count("Tokyo–Saitama Prefecture 2010") == 1  # both declare the link
    assert str(timeline.svg).count("<rect") == 4 + 4 + 7  # Tokyo, Saitama, JVETS periods
    assert timeline.rows[0] == ("Tokyo", "FY2010–FY2014; FY2015–FY2019; FY2020–FY2024; FY2025–FY2029")
    assert timeline.rows[-1] == ("Tokyo–Saitama Prefecture link", "since 17 September 2010")
    assert timeline.omitted == (
        ("No dated periods or phases in the model", ("Domestic Credit System",)),
    )
    assert {"Period or phase (shades alternate)", "Link starts (both schemes marked)"} <= set(drawn)


def test_a_proposed_link_is_not_marked_as_started() -> None:
    tokyo, saitama = schemes("tokyo_cat", "saitama_tset")
    proposed = [link.model_copy(update={"status": "proposed"}) for link in tokyo.links]
    tokyo = tokyo.model_copy(update={"links": proposed})
    saitama = saitama.model_copy(update={"links": []})
    timeline = by_key(comparison_figures([tokyo, saitama], {}))["timeline"]
    assert "Tokyo–Saitama Prefecture 2010" not in texts(timeline)
    assert all("link" not in row[0] for row in timeline.rows)


def test_a_link_to_a_scheme_not_compared_is_not_marked() -> None:
    timeline = by_key(comparison_figures(schemes("california", "eu_ets"), {}))["timeline"]
    assert "Link starts (both schemes marked)" not in texts(timeline)
    assert all("link" not in row[0] for row in timeline.rows)


def test_a_lone_cap_is_indexed_to_its_first_year_after_which_it_never_rises() -> None:
    models = schemes("california", "quebec", "korea_ets", "china_ets")
    paths = {
        "california": (
            YearPath(
                "annual_cap", "tCO2e", ((2013, Decimal(162800000)), (2014, Decimal(159700000)))
            ),
        ),
        "quebec": (YearPath("annual_cap", "tCO2e", ((2013, Decimal(23200000)),)),),
    }
    cap = by_key(comparison_figures(models, paths))["cap-index"]
    assert cap.rows == (("California", "2013", "162,800,000 t CO₂e", "2013: 100.0; 2014: 98.1"),)
    assert "Index, 2013 = 100" in texts(cap)
    assert "California" in texts(cap)  # the legend names the line
    assert cap.omitted == (
        ("Cap computed for fewer than two years without participants' data", ("Québec",)),
        ("No cap for the whole system by year in the model", ("Korea ETS",)),
        ("Cap or target set for each participant, not as a total by year", ("China National ETS",)),
    )


def test_caps_are_indexed_to_the_first_common_year_after_which_no_cap_rises() -> None:
    """California's and Québec's caps rise in 2015 (wider coverage) and Québec's in 2021: an
    index on 2013 would show California at 242 and Québec at 281, hiding the declines."""
    cap = by_key(comparison_figures(schemes("california", "quebec", "eu_ets"), library_paths()))[
        "cap-index"
    ]
    assert "Index, 2021 = 100" in texts(cap)
    assert "2021 = 100: the first year every scheme drawn has a cap for" in cap.caption
    rows = {row[0]: row for row in cap.rows}
    assert rows["California"][1:3] == ("2021", "320,800,000 t CO₂e")
    assert rows["Québec"][1:3] == ("2021", "55,260,000 t CO₂e")
    assert rows["Québec"][3].startswith("2021: 100.0; 2022: 97.8; 2023: 95.5")
    assert all(row[3].startswith("2021: 100.0") for row in cap.rows)


def test_caps_without_a_common_base_year_keep_their_own() -> None:
    early = YearPath(
        "cap", "tCO2e", ((2013, Decimal(10)), (2014, Decimal(12)), (2015, Decimal(11)))
    )
    late = YearPath("cap", "tCO2e", ((2030, Decimal(4)), (2031, Decimal(3))))
    models = schemes("california", "quebec")
    cap = by_key(comparison_figures(models, {"california": (early,), "quebec": (late,)}))[
        "cap-index"
    ]
    assert "Index, each scheme's base year = 100" in texts(cap)
    assert [row[1] for row in cap.rows] == ["2014", "2030"]
    assert cap.rows[0][3] == "2014: 100.0; 2015: 91.7"


def test_without_any_yearly_cap_the_chart_says_so_and_draws_nothing() -> None:
    cap = by_key(comparison_figures(schemes("tokyo_cat", "saitama_tset"), {}))["cap-index"]
    assert str(cap.svg) == "" and cap.rows == ()
    assert cap.caption == "No compared scheme's model gives a cap for the whole system by year."


def test_price_controls_are_drawn_per_currency_from_the_computed_paths() -> None:
    models = schemes("california", "uk_ets", "eu_ets", "quebec")
    figures = by_key(comparison_figures(models, library_paths()))
    assert [k for k in figures if k.startswith("prices")] == [
        "prices-USD-tCO2e",
        "prices-GBP-tCO2e",
    ]
    usd, gbp = figures["prices-USD-tCO2e"], figures["prices-GBP-tCO2e"]
    assert [row[0] for row in usd.rows] == [
        "California: Auction reserve price",
        "California: Price ceiling",
    ]
    assert usd.rows[1][2].startswith("2021: 65; 2022: 68.25; 2023: 71.66")
    assert "stroke-dasharray" in str(usd.svg)  # the auction reserve price is a floor
    assert "own currency" in usd.caption and usd.omitted == ()
    assert gbp.omitted_title == "In no price chart:"
    assert gbp.omitted == (
        ("Price controls not amounts of money by year (quantities, shares or rules)", ("EU ETS",)),
        ("No price controls stated in the sources", ("Québec",)),
    )


def test_with_rates_the_price_controls_share_one_currency_and_say_the_rates() -> None:
    models = schemes("california", "uk_ets")
    rates = Rates((("USD", "GBP", Decimal("0.8")),))
    figures = by_key(comparison_figures(models, library_paths(), rates))
    chart = figures["prices-GBP-tCO2e"]
    assert [k for k in figures if k.startswith("prices")] == ["prices-GBP-tCO2e"]
    california = dict((row[0], row[2]) for row in chart.rows)["California: Price ceiling"]
    assert california.startswith("2021: 52; 2022: 54.6; 2023: 57.33")  # 65, 68.25, 71.66 USD
    assert chart.caption.endswith("Converted into GBP at the rates given (USD/GBP=0.8).")


def test_a_currency_no_rate_joins_stays_in_its_own_chart() -> None:
    models = schemes("california", "uk_ets", "nz_ets")
    rates = Rates((("USD", "GBP", Decimal("0.8")),))
    figures = by_key(comparison_figures(models, library_paths(), rates))
    assert [k for k in figures if k.startswith("prices")] == [
        "prices-GBP-tCO2e",
        "prices-NZD-tCO2e",
    ]
    assert figures["prices-NZD-tCO2e"].caption.endswith(
        "Converted into GBP at the rates given (USD/GBP=0.8); a currency no rate joins to it "
        "stays as it is."
    )


def test_a_rate_joining_no_two_compared_currencies_is_not_used() -> None:
    models = schemes("california", "nz_ets")
    rates = Rates((("EUR", "JPY", Decimal("160")),))
    figures = by_key(comparison_figures(models, library_paths(), rates))
    assert {"prices-USD-tCO2e", "prices-NZD-tCO2e"} <= set(figures)
    assert "own currency" in figures["prices-USD-tCO2e"].caption


def test_no_price_controls_anywhere_is_said_in_words() -> None:
    figures = by_key(comparison_figures(schemes("tokyo_cat", "korea_ets"), {}))
    prices = figures["prices"]
    assert str(prices.svg) == ""
    assert prices.caption == "No compared scheme states price controls in money by year."
    assert prices.omitted == (("No price controls stated in the sources", ("Tokyo", "Korea ETS")),)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_compare_writes_the_charts_section(lang: str, tmp_path: Path) -> None:
    out = tmp_path / "world.html"
    result = CliRunner().invoke(
        cli, ["compare", str(WORLD), "--lang", lang, "--rate", "USD/GBP=0.79", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    heading = "図" if lang == "ja" else "Charts"
    assert f'<section id="charts">\n<h2>{heading}</h2>' in page
    for key in ("timeline", "cap-index", "prices-GBP-tCO2e"):
        assert f'id="fig-{key}"' in page
    assert "USD/GBP=0.79" in page


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("USD=0.79", "'USD=0.79' is not an exchange rate; write BASE/QUOTE=VALUE"),
        ("USD/XYZ=2", "unknown currency XYZ in 'USD/XYZ=2'"),
        ("USD/GBP=0", "'USD/GBP=0' must relate two different currencies by a positive number"),
    ],
)
def test_a_bad_rate_is_a_message_and_nothing_is_written(
    rate: str, message: str, tmp_path: Path
) -> None:
    out = tmp_path / "world.html"
    result = CliRunner().invoke(cli, ["compare", str(WORLD), "--rate", rate, "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_docs_refuses_a_bad_rate_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["docs", str(WORLD), "-o", str(out), "--compare", f"W={WORLD}", "--rate", "1USD"]
    )
    assert result.exit_code == 2, result.output
    assert "'1USD' is not an exchange rate" in result.output
    assert not out.exists()


def test_every_period_bar_is_named_on_the_japanese_world_timeline() -> None:
    """第1遵守期間 is wider than California's bars on the world timeline, which used to be
    left blank: a bar too narrow for its name carries the name's ordinal (第1)."""
    names = ("california", "quebec", "rggi", "eu_ets", "korea_ets", "uk_ets")
    with language("ja"):
        drawn = texts(by_key(comparison_figures(schemes(*names), {}))["timeline"])
    ordinals = [f"第{n}" for n in range(1, 7)]
    for scheme in ("カリフォルニア州", "ケベック州", "RGGI"):
        start = drawn.index(scheme) + 1
        assert drawn[start : start + 6] == ordinals, (scheme, drawn[start : start + 6])
    assert "第3次計画期間" in drawn and "第2割当期間" in drawn  # wide enough: named in full
    periods = sum(len(m.periods) for m in schemes(*names))
    assert sum(text.startswith("第") for text in drawn) == periods
