"""Linkage checks: one fixture pair per check, real library pairs, rates, CLI, generated docs."""

from __future__ import annotations

import json
import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.driver import compile_paths, compile_text
from etsl.compiler.model import SchemeModel
from etsl.linkage.checks import CATALOGUE
from etsl.linkage.facts import SEVERITIES, Rates
from etsl.linkage.pair import RateError, check_pair, parse_rate, parse_rates

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "linkage"
WORLD = ROOT / "schemes" / "world"
PAIR_CASES = sorted(p for p in CASES.glob("*.scheme") if not p.name.startswith("network-"))


def models(*paths: Path) -> dict[str, SchemeModel]:
    compilation = compile_paths(list(paths))
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    return {name: c.model for name, c in compilation.schemes.items()}


def expected(path: Path) -> set[str]:
    match = re.search(r"^# expect: (.*)$", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path.name} has no '# expect:' line"
    return set() if match[1] == "(nothing)" else {c.strip() for c in match[1].split(",")}


def codes(a: SchemeModel, b: SchemeModel, rates: Rates | None = None) -> set[str]:
    return {f.code for f in check_pair(a, b, rates).findings}


# ---- the catalogue -------------------------------------------------------------------------


def test_catalogue_entries_are_complete() -> None:
    for code, check in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", code), code
        assert check.code == code and check.severity in SEVERITIES
        assert check.title and check.rationale and check.remedy and check.example, code
        assert check.sources, f"{code} names no source for its criterion"


def test_every_linkage_code_is_registered_once() -> None:
    from etsl.compiler.codes import CODES
    from etsl.linkage.network import NETWORK_CODES

    linkage = {name for name, code in CODES.items() if code.area == "linkage"}
    assert linkage == set(CATALOGUE) | {c.name for c in NETWORK_CODES}
    for code, check in CATALOGUE.items():
        assert check.title == CODES[code].summary.rstrip(".") and check.remedy == CODES[code].fix


def test_remedies_are_plain_words_and_commands_go_to_the_how_to_line() -> None:
    """Regression: CLI syntax (`--rate …`) and scheme syntax in remedies."""
    for code, check in CATALOGUE.items():
        assert "`" not in check.remedy and "--" not in check.remedy, code
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", check.remedy), f"identifier in {code}"
    assert "--rate" in CATALOGUE["penalty-needs-rate"].how_to


def test_every_check_has_an_isolating_fixture() -> None:
    fixtures = {p.stem for p in PAIR_CASES} - {"baseline"}
    assert fixtures == set(CATALOGUE), "one tests/cases/linkage/<code>.scheme per check"


def test_blockers_are_the_eu_article_25_criteria() -> None:
    blockers = {c.code for c in CATALOGUE.values() if c.severity == "blocker"}
    assert blockers == {"participation-voluntary", "cap-type-incompatible"}


# ---- fixtures: each isolates its check ------------------------------------------------------


@pytest.mark.parametrize("path", PAIR_CASES, ids=lambda p: p.stem)
def test_fixture_fires_exactly_its_checks(path: Path) -> None:
    found = models(path)
    assert codes(found["a"], found["b"]) == expected(path)


@pytest.mark.parametrize("path", PAIR_CASES, ids=lambda p: p.stem)
def test_findings_do_not_depend_on_the_order_of_the_pair(path: Path) -> None:
    found = models(path)
    assert codes(found["a"], found["b"]) == codes(found["b"], found["a"])


@pytest.mark.parametrize("path", PAIR_CASES, ids=lambda p: p.stem)
def test_findings_carry_evidence_from_both_schemes(path: Path) -> None:
    found = models(path)
    report = check_pair(found["a"], found["b"])
    for finding in report.findings:
        schemes = [e.scheme for e in finding.evidence]
        assert set(schemes) == {"a", "b"}, (finding.code, schemes)
        assert schemes == sorted(schemes), "evidence of scheme a comes first"
        assert all(Path(e.path).name == path.name for e in finding.evidence)


def test_findings_are_ordered_by_severity() -> None:
    found = models(ROOT / "schemes/world/eu_ets.scheme", ROOT / "schemes/japan/jvets.scheme")
    report = check_pair(found["eu_ets"], found["jvets"])
    ranks = [SEVERITIES.index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks) and report.findings[0].severity == "blocker"


def test_citation_of_the_evidence_is_resolved_to_its_source() -> None:
    found = models(CASES / "participation-voluntary.scheme")
    evidence = check_pair(found["a"], found["b"]).findings[0].evidence
    assert [str(e.value) for e in evidence] == ["mandatory", "voluntary"]
    assert [e.field for e in evidence] == ["meta.participation"] * 2


@pytest.mark.parametrize("fine, rate", [
    ("fine 100 EUR/tCO2e * shortfall", Decimal("100")),
    ("fine shortfall * 40 EUR/tCO2e", Decimal("40")),
    ("fine 100 EUR/ktCO2e * shortfall", Decimal("0.1")),
    ("fine 3 * 100 EUR/tCO2e * shortfall", None),
    ("fine up to 500000 EUR", None),
    ("fine from 50 EUR/tCO2e * shortfall up to 100 EUR/tCO2e * shortfall", Decimal("50")),
    ("fine from 5000 EUR up to 100 EUR/tCO2e * shortfall", None),
])
def test_only_fines_per_tonne_of_shortfall_are_compared(fine: str, rate: Decimal | None) -> None:
    from etsl.linkage.amounts import fine_per_tonne

    text = (CASES / "baseline.scheme").read_text(encoding="utf-8")
    text = text.replace("fine 100 EUR/tCO2e * shortfall", fine, 1)
    path = CASES / "baseline.scheme"
    compilation = compile_text(text, str(path))
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    found = fine_per_tonne(compilation.schemes["a"].model)
    assert (found.low if found else None) == rate


# ---- exchange rates ------------------------------------------------------------------------------


def test_penalties_in_different_currencies_need_a_rate() -> None:
    found = models(CASES / "penalty-needs-rate.scheme")
    assert "penalty-needs-rate" in codes(found["a"], found["b"])
    assert "penalty-level-differs" not in codes(found["a"], found["b"])


@pytest.mark.parametrize("rate", ["EUR/JPY=160", "JPY/EUR=0.00625"])
def test_an_exact_rate_makes_penalties_equal(rate: str) -> None:
    found = models(CASES / "penalty-needs-rate.scheme")
    found_codes = codes(found["a"], found["b"], parse_rates([rate]))
    assert not {"penalty-needs-rate", "penalty-level-differs"} & found_codes
    assert "currency-differs" in found_codes


def test_a_different_rate_reports_the_converted_penalty() -> None:
    found = models(CASES / "penalty-needs-rate.scheme")
    report = check_pair(found["a"], found["b"], parse_rates(["EUR/JPY=150"]))
    finding = next(f for f in report.findings if f.code == "penalty-level-differs")
    # Said to the cent, "about" when rounded (not "= 106.666666666666666667 EUR").
    assert "(about 106.67 EUR at EUR/JPY=150)" in finding.message.text()
    assert report.rates == ("EUR/JPY=150",)
    exact = check_pair(found["a"], found["b"], parse_rates(["EUR/JPY=125"]))
    finding = next(f for f in exact.findings if f.code == "penalty-level-differs")
    assert "(= 128 EUR at EUR/JPY=125)" in finding.message.text()


def test_rate_conversion_is_exact_decimal() -> None:
    rates = parse_rates(["EUR/JPY=160"])
    assert rates.convert(Decimal("100"), "EUR", "JPY") == Decimal("16000")
    assert rates.convert(Decimal("16000"), "JPY", "EUR") == Decimal("100")
    assert rates.convert(Decimal("1"), "EUR", "USD") is None


@pytest.mark.parametrize("text", ["EURJPY=160", "EUR/XYZ=1", "EUR/JPY=abc", "EUR/JPY=0",
                                  "EUR/EUR=1", "EUR/JPY=-3", "EUR/JPY=inf"])
def test_malformed_rates_are_errors_with_a_fix(text: str) -> None:
    with pytest.raises(RateError) as problem:
        parse_rate(text)
    assert text in str(problem.value) or "unknown currency" in str(problem.value)


# ---- real pairs from the library ------------------------------------------------------------------


def library_pair(a: str, b: str) -> tuple[SchemeModel, SchemeModel]:
    paths = [ROOT / "schemes" / a, ROOT / "schemes" / b]
    found = models(*paths)
    first, second = (next(m for m in found.values() if Path(m.path).resolve() == p.resolve())
                     for p in paths)
    return first, second


@pytest.mark.parametrize("a, b", [
    ("japan/tokyo_cat.scheme", "japan/saitama_tset.scheme"),
    ("world/eu_ets.scheme", "world/swiss_ets.scheme"),
    ("world/california.scheme", "world/quebec.scheme"),
])
def test_real_links_are_declared_by_both_sides_without_blocker(a: str, b: str) -> None:
    first, second = library_pair(a, b)
    report = check_pair(first, second)
    assert set(report.declared_by) == {first.name, second.name}
    assert report.blockers == [], [f.message.text() for f in report.blockers]
    assert not {"link-one-sided", "link-direction-mismatch"} & {f.code for f in report.findings}


def test_eu_with_china_is_blocked_by_the_intensity_cap() -> None:
    eu, china = library_pair("world/eu_ets.scheme", "world/china_ets.scheme")
    report = check_pair(eu, china)
    assert [f.code for f in report.blockers] == ["cap-type-incompatible"]
    assert "intensity" in report.blockers[0].message.text()


def test_eu_with_jvets_is_blocked_by_voluntary_participation() -> None:
    eu, jvets = library_pair("world/eu_ets.scheme", "japan/jvets.scheme")
    report = check_pair(eu, jvets)
    assert "participation-voluntary" in [f.code for f in report.blockers]
    assert report.verdict == "blocked"


def test_price_ceiling_of_california_is_not_compared_with_quebec_prices_not_stated() -> None:
    """Regression: "california has a price ceiling … quebec has none" although Québec's
    scheme states a minimum auction price and not whether it has a ceiling (not stated is
    not none)."""
    california, quebec = library_pair("world/california.scheme", "world/quebec.scheme")
    report = check_pair(california, quebec)
    assert not {"price-ceiling-unilateral", "price-floor-unilateral"} & {f.code for f in report.findings}
    gaps = [f.message.text() for f in report.findings if f.code == "price-control-not-stated"]
    assert any("price ceiling" in m and "'quebec'" in m for m in gaps), gaps
    assert not any("has none" in f.message.text() for f in report.findings)


def test_credit_accepted_on_one_side_names_the_credit_type() -> None:
    california, quebec = library_pair("world/california.scheme", "world/quebec.scheme")
    messages = [f.message.text() for f in check_pair(california, quebec).findings
                if f.code == "credit-not-accepted"]
    assert any("'sector_based'" in m for m in messages), messages


# ---- the command line ---------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["link", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.output


def test_cli_pair_exit_status_follows_blockers(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked.scheme"
    blocked.write_text((CASES / "participation-voluntary.scheme").read_text(encoding="utf-8"),
                       encoding="utf-8")
    status, output = run(str(blocked))
    assert status == 1 and "participation-voluntary" in output
    status, output = run(str(CASES / "baseline.scheme"))
    assert status == 0 and "compatible" in output


def test_cli_evidence_is_worded_as_on_the_page_and_the_field_stays_in_json() -> None:
    """The text report printed model paths (`price_kinds[ceiling] = …`, `meta.currency = USD`)
    where the page shows the value in words; the JSON report keeps the field."""
    pair = [str(WORLD / "california.scheme"), str(WORLD / "quebec.scheme")]
    _, output = run(*pair)
    evidence = [line for line in output.splitlines() if line.startswith(("  california:", "  quebec:"))]
    assert evidence and not [line for line in evidence if re.search(r"^  \w+: [\w.\[\], ]+ = ", line)]
    assert "  quebec: not stated in the scheme" in output and "price_kinds[" not in output
    data = json.loads(run(*pair, "--format", "json")[1])
    fields = {e["field"] for f in data["pairs"][0]["findings"] for e in f["evidence"]}
    assert "price_kinds[ceiling]" in fields


def test_cli_json_is_a_report_document(tmp_path: Path) -> None:
    status, output = run(str(CASES / "cap-type-incompatible.scheme"), "--format", "json")
    data = json.loads(output)
    assert status == 1 and data["format"] == "etsl.link/1"
    pair = data["network"]["pairs"][0]
    assert pair["verdict"] == "blocked" and pair["counts"]["blocker"] == 1
    assert re.search(r"cap-type-incompatible\.scheme:\d+:\d+$", pair["findings"][0]["evidence"][0]["where"])


def test_cli_two_files_are_a_pair_in_argument_order(tmp_path: Path) -> None:
    text = (CASES / "penalty-level-differs.scheme").read_text(encoding="utf-8")
    first, second = text.split('scheme b "Scheme B"')
    (tmp_path / "a.scheme").write_text(first, encoding="utf-8")
    (tmp_path / "b.scheme").write_text('scheme b "Scheme B"' + second, encoding="utf-8")
    status, output = run(str(tmp_path / "b.scheme"), str(tmp_path / "a.scheme"),
                         "--format", "json")
    data = json.loads(output)
    assert status == 0 and data["network"] is None
    assert (data["pairs"][0]["a"]["name"], data["pairs"][0]["b"]["name"]) == ("b", "a")


def test_cli_network_flag_analyses_two_files_as_a_network(tmp_path: Path) -> None:
    text = (CASES / "baseline.scheme").read_text(encoding="utf-8")
    first, second = text.split('scheme b "Scheme B"')
    (tmp_path / "a.scheme").write_text(first, encoding="utf-8")
    (tmp_path / "b.scheme").write_text('scheme b "Scheme B"' + second, encoding="utf-8")
    status, output = run(str(tmp_path / "a.scheme"), str(tmp_path / "b.scheme"), "--network",
                         "--format", "json")
    data = json.loads(output)
    assert status == 0 and data["network"]["components"] == [["a", "b"]]


def test_cli_html_escapes_scheme_text(tmp_path: Path) -> None:
    text = (CASES / "link-conditions-differ.scheme").read_text(encoding="utf-8")
    hostile = text.replace("No unit may be surrendered twice", "<script>alert(1)</script>")
    (tmp_path / "x.scheme").write_text(hostile, encoding="utf-8")
    for fmt in ("html", "md"):
        status, output = run(str(tmp_path / "x.scheme"), "--format", fmt)
        assert status == 0 and "&lt;script&gt;alert(1)&lt;/script&gt;" in output
        assert "<script>" not in output


def test_cli_bad_rate_is_a_message_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    status, output = run(str(CASES / "baseline.scheme"), "--rate", "EUR-JPY", "-o", str(target))
    assert status == 2 and "BASE/QUOTE=VALUE" in output and not target.exists()


def test_cli_unknown_argument_is_a_usage_error() -> None:
    status, output = run("no_such_scheme_anywhere", "eu_ets")
    assert status == 2 and "neither a file" in output


def test_cli_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    status, output = run(str(tmp_path / "missing.scheme"), str(CASES / "baseline.scheme"))
    assert status == 1 and "does not exist" in output


def test_cli_scheme_with_errors_writes_no_report(tmp_path: Path) -> None:
    broken = tmp_path / "broken.scheme"
    broken.write_text('scheme a "A" { cap = 1 tCO2 + 1 JPY }\n', encoding="utf-8")
    target = tmp_path / "out.md"
    status, _ = run(str(broken), "--format", "md", "-o", str(target))
    assert status == 1 and not target.exists()


def test_cli_writes_the_report_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    status, _ = run(str(CASES / "baseline.scheme"), "--format", "md", "-o", str(target))
    assert status == 0 and target.read_text(encoding="utf-8").startswith("# Links between")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


# ---- docs/linkage.md --------------------------------------------------------------------------------


def test_docs_page_is_generated_from_the_catalogue(update_golden: bool) -> None:
    from etsl.linkage_doc import render

    page = ROOT / "docs" / "linkage.md"
    if update_golden:
        page.write_text(render(), encoding="utf-8")
    assert page.read_text(encoding="utf-8") == render(), \
        "run: python -m etsl.linkage_doc > docs/linkage.md"
    from etsl.linkage.network import NETWORK_CODES

    for code in [*CATALOGUE, *(c.name for c in NETWORK_CODES)]:
        assert f"### `{code}`" in page.read_text(encoding="utf-8")
        assert f"(linkage.md#{code})" in (ROOT / "docs" / "diagnostics.md").read_text(
            encoding="utf-8"), f"diagnostics.md does not link {code} to linkage.md"


def doc_examples() -> list[tuple[list[str], int]]:
    text = (ROOT / "docs" / "linkage.md").read_text(encoding="utf-8")
    found = re.findall(r"^\$ etsl link (.*?)\s+# exit (\d)$", text, re.M)
    return [(shlex.split(args), int(status)) for args, status in found]


@pytest.mark.parametrize("args, status", doc_examples(), ids=lambda x: str(x))
def test_docs_examples_run_with_the_stated_exit_status(args: list[str], status: int,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = [str(tmp_path / a) if a.endswith(".html") else a for a in args]
    result = CliRunner().invoke(cli, ["link", *args])
    assert result.exit_code == status, result.output


# ---- regressions: findings a policy expert would not sign -----------------------------------------


def report_of(a: str, b: str, rates: Rates | None = None):  # type: ignore[no-untyped-def]
    first, second = library_pair(a, b)
    return check_pair(first, second, rates)


def messages(report, code: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message.text() for f in report.findings if f.code == code]


def test_linked_instruments_are_used_interchangeably() -> None:
    """California and Québec use each other's allowances and offsets as their own (17 CCR
    §95942): 'quebec accepts QC_offset but california does not' was false."""
    report = report_of("world/california.scheme", "world/quebec.scheme")
    found = messages(report, "credit-not-accepted")
    assert not any("'QC_offset'" in m or "'ARBOC_non_deb'" in m for m in found), found
    assert any("'sector_based'" in m and "by freeing allowances that cross the link" in m
               for m in found), found


def test_verification_is_not_judged_from_the_word_verified() -> None:
    assert "mrv-verification-unstated" not in CATALOGUE
    report = report_of("world/california.scheme", "world/quebec.scheme")
    assert not any("verif" in f.message.text() for f in report.findings)


def test_a_credit_only_link_frees_no_allowances() -> None:
    """Tokyo–Saitama links credits only: 'renewable_energy / other_gas / outside_tokyo reach
    saitama_tset indirectly' was false."""
    report = report_of("japan/tokyo_cat.scheme", "japan/saitama_tset.scheme")
    assert messages(report, "credit-not-accepted") == []
    assert not any(name in f.message.text() for f in report.findings
                   for name in ("renewable_energy", "other_gas", "outside_tokyo"))


def test_credits_not_stated_by_the_partner_are_not_compared() -> None:
    report = report_of("world/eu_ets.scheme", "world/swiss_ets.scheme")
    assert messages(report, "credit-not-accepted") == []
    assert any("credits" in m and "'swiss_ets'" in m
               for m in messages(report, "feature-undeclared"))


def test_a_scheme_without_a_stated_fine_is_not_said_to_have_none() -> None:
    """A side whose penalty only makes good the shortfall states no fine: the report said
    "'b' has no fine", which no source says."""
    text = (CASES / "penalty-not-comparable.scheme").read_text(encoding="utf-8")
    head, tail = text.split('scheme b "Scheme B"')
    fine = "    fine up to 500000 EUR\n"
    assert fine in tail
    compilation = compile_text(head + 'scheme b "Scheme B"' + tail.replace(fine, "", 1),
                               str(CASES / "penalty-not-comparable.scheme"))
    assert compilation.ok
    report = check_pair(compilation.schemes["a"].model, compilation.schemes["b"].model)
    [found] = messages(report, "penalty-not-comparable")
    assert "'b' states no fine" in found and "has no fine" not in found


def test_the_swiss_sanction_is_compared_with_the_eu_penalty() -> None:
    """Switzerland's CO2 Act Art. 21(1) (CHF 125 a tonne not covered by allowances, read in
    a copy of the Act) replaces "'swiss_ets' states no fine": the two fines are per tonne and
    only the exchange rate is missing."""
    report = report_of("world/eu_ets.scheme", "world/swiss_ets.scheme")
    assert messages(report, "penalty-not-comparable") == []
    [needs_rate] = [f for f in report.findings if f.code == "penalty-needs-rate"]
    assert "EUR and CHF" in needs_rate.message.text()
    assert "125 francs per tonne" in str(needs_rate.evidence)
    converted = report_of("world/eu_ets.scheme", "world/swiss_ets.scheme",
                          parse_rates(["EUR/CHF=0.95"]))
    [level] = messages(converted, "penalty-level-differs")
    assert "125 CHF/tCO2e" in level


def test_eu_lrf_selected_by_a_rule_is_compared_with_the_swiss_rate() -> None:
    report = report_of("world/eu_ets.scheme", "world/swiss_ets.scheme")
    [found] = messages(report, "cap-decline-differs")
    assert "4.3 % (from 2024)" in found
    assert "4.4 % (from 2028)" in found
    assert "by 2.2 % a year in 'swiss_ets'" in found
    assert "from 2020-01-01" in found


def test_california_and_quebec_caps_are_compared_from_their_budgets() -> None:
    """Neither states a decline rate, but both state a cap for each year: 'neither states an
    annual cap decline' left the comparison out. Published figures: 17 CCR §95841 Table 6-2
    (California's budget 320.8 M in 2021, 200.5 M in 2030: ICAP's California factsheet puts
    the decline at about 4 % a year 2021-2030); Québec's caps by O.C. 1126-2017 (55.26 M in
    2021, 44.14 M in 2030: 1.24 M a year, 2.2 % of 2021's cap)."""
    report = report_of("world/california.scheme", "world/quebec.scheme")
    assert messages(report, "stringency-not-comparable") == []
    [found] = messages(report, "cap-decline-differs")
    assert "from 2014-01-01" in found
    assert "2021-2030: 4.2 % a year in 'california', 2.2 % in 'quebec'" in found
    assert "2015-2020: 3.1 % a year in 'california', 3.2 % in 'quebec'" in found
    assert "2014-2015" not in found, "a cap that rises (coverage added in 2015) starts anew"
    [evidence] = [f.evidence for f in report.findings if f.code == "cap-decline-differs"]
    assert "200.5 Mt CO2e in 2030" in evidence[0].value.text()  # type: ignore[union-attr]
    assert "44.14 Mt CO2e in 2030" in evidence[1].value.text()  # type: ignore[union-attr]


def test_cap_trajectories_that_decline_alike_are_not_a_finding() -> None:
    california, quebec = library_pair("world/california.scheme", "world/quebec.scheme")
    assert not messages(check_pair(california, california), "cap-decline-differs")
    from etsl.linkage.caps import Stretch, cap_path

    path = cap_path(quebec)
    assert path is not None and Stretch(2021, 2030).rate(path) == Decimal("0.022")


def test_tokyo_and_saitama_reduction_factors_are_compared() -> None:
    """'cap stringency cannot be compared' was false: both have per-period factors."""
    report = report_of("japan/tokyo_cat.scheme", "japan/saitama_tset.scheme")
    assert messages(report, "stringency-not-comparable") == []
    [found] = messages(report, "reduction-factors-differ")
    assert "third (FY2020 to FY2024): 'tokyo_cat' 27 % (office), 25 % (factory), " \
           "'saitama_tset' 22 % (office), 20 % (factory)" in found
    assert "first" not in found, "the first periods' 8 % and 6 % agree"


def test_the_saitama_issuer_conditions_are_discussed() -> None:
    report = report_of("japan/tokyo_cat.scheme", "japan/saitama_tset.scheme")
    found = messages(report, "partner-units-restricted")
    assert any("'saitama_excess'" in m and "issuer.base_emissions <= 150000 tCO2/yr" in m
               and "issuer.shortfall == 0 tCO2" in m for m in found), found


def _eu_swiss_linked_since(since: str) -> tuple[SchemeModel, SchemeModel]:
    pair = []
    for name in ("eu_ets", "swiss_ets"):
        path = ROOT / "schemes" / "world" / f"{name}.scheme"
        text = path.read_text(encoding="utf-8").replace("since 2020-01-01", f"since {since}")
        text = text.replace("not_stated borrowing, credits",
                            "credits none\n  not_stated borrowing")
        compilation = compile_text(text, str(path))
        assert compilation.ok, [str(d) for d in compilation.diagnostics]
        pair.append(compilation.schemes[name].model)
    return pair[0], pair[1]


def test_credits_accepted_only_before_the_link_began_are_no_flow_through_it() -> None:
    """EU CERs and ERUs: accepted until 2020; neither system accepts them from 2021. (The Swiss
    file does not state its credits; stated as none here, the comparison is time-aware.)"""
    eu, swiss = _eu_swiss_linked_since("2021-01-01")
    assert messages(check_pair(eu, swiss), "credit-not-accepted") == []
    eu, swiss = _eu_swiss_linked_since("2020-01-01")
    found = messages(check_pair(eu, swiss), "credit-not-accepted")
    assert len(found) == 2 and all(
        "accepted only in" in m and "until 2020-12-31; the link operates from 2020-01-01" in m
        for m in found), found


def test_price_levels_are_compared_in_a_common_currency() -> None:
    found = models(CASES / "price-needs-rate.scheme")
    assert not {"price-levels-differ", "price-needs-rate"} & codes(
        found["a"], found["b"], parse_rates(["EUR/JPY=160"]))
    report = check_pair(found["a"], found["b"], parse_rates(["EUR/JPY=150"]))
    [message] = messages(report, "price-levels-differ")
    assert "about 10.67 EUR/t CO2e" in message and "the floor of 'b' binds both sides" in message


def test_price_levels_per_short_ton_are_converted_to_tonnes() -> None:
    report = report_of("world/california.scheme", "world/rggi.scheme")
    [message] = messages(report, "price-levels-differ")
    assert "13 USD/short ton CO2 = 14.33 USD/t CO2e (cost containment reserve trigger" in message
    assert "the ceiling of 'rggi' binds both sides" in message


def test_a_price_level_is_said_once_and_rounded_to_the_cent() -> None:
    """The reader saw '10 USD/tCO2e (10 USD/t CO2e (auction reserve price …, plus cpi))' and
    '14.330047042017042752 USD/t CO2e'."""
    report = report_of(
        "world/california.scheme", "world/uk_ets.scheme", parse_rates(["GBP/USD=1.25"])
    )
    [floor, ceiling] = messages(report, "price-levels-differ")
    assert "'california' 10 USD/t CO2e (auction reserve price from 2012, rising 5 % plus CPI)" \
        in floor
    assert "about 57.5 USD/t CO2e" in ceiling
    rggi = messages(report_of("world/california.scheme", "world/rggi.scheme"), "price-levels-differ")
    assert not re.search(r"\d\.\d{3}", rggi[0])


@pytest.mark.parametrize("case, removed, code, feature", [
    ("borrowing-unilateral", "  borrowing none\n", "borrowing-unilateral", "borrowing"),
    ("penalty-missing", "  penalty none\n", "penalty-missing", "penalties"),
])
def test_a_feature_not_stated_is_not_none(case: str, removed: str, code: str,
                                          feature: str) -> None:
    text = (CASES / f"{case}.scheme").read_text(encoding="utf-8")
    head, tail = text.split('scheme b "Scheme B"')
    assert removed in tail
    compilation = compile_text(head + 'scheme b "Scheme B"' + tail.replace(removed, "", 1),
                               str(CASES / f"{case}.scheme"))
    assert compilation.ok
    report = check_pair(compilation.schemes["a"].model, compilation.schemes["b"].model)
    assert code not in {f.code for f in report.findings}
    assert any(feature in m and "'b'" in m for m in messages(report, "feature-undeclared"))


LIBRARY_PAIRS = [("world/california.scheme", "world/quebec.scheme"),
                 ("world/eu_ets.scheme", "world/swiss_ets.scheme"),
                 ("japan/tokyo_cat.scheme", "japan/saitama_tset.scheme")]


@pytest.mark.parametrize("a, b", LIBRARY_PAIRS)
def test_pair_and_network_reports_use_the_same_words(a: str, b: str) -> None:
    """The network said 'directly' where the pair report said 'indirectly'."""
    from etsl.linkage.network import analyse_network

    first, second = library_pair(a, b)
    report = check_pair(first, second)
    network = analyse_network([first, second])
    for flow in network.credit_flows:
        assert any(f"'{flow.what}'" in m and flow.route.text() in m
                   for m in messages(report, "credit-not-accepted")), flow
    words = " ".join(f.message.text() for f in report.findings)
    assert "directly" not in words and "indirectly" not in words


def test_a_list_of_cap_types_with_an_intensity_cap_is_not_absolute() -> None:
    text = (CASES / "cap-type-incompatible.scheme").read_text(encoding="utf-8")
    text = text.replace("cap_type intensity", "cap_type absolute, intensity", 1)
    compilation = compile_text(text, str(CASES / "cap-type-incompatible.scheme"))
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    a, b = compilation.schemes["a"].model, compilation.schemes["b"].model
    [finding] = check_pair(a, b).blockers
    assert finding.code == "cap-type-incompatible" and "'intensity'" in finding.message.text()
    assert "cap-type-incompatible" in codes(b, a), "b is not absolute everywhere, a is"


@pytest.mark.parametrize("a, b, rate", [
    ("world/california.scheme", "world/quebec.scheme", "USD/CAD=1.35"),
    ("world/eu_ets.scheme", "world/swiss_ets.scheme", "EUR/CHF=0.94"),
])
def test_amounts_across_currencies_read_right_with_a_rate(a: str, b: str, rate: str) -> None:
    """With `--rate` the currencies are compared at the rate given (either way round); price
    levels are compared only where both sides state a floor or ceiling per tonne (Québec and
    Switzerland state no price controls here, which is said, not read as 'has none')."""
    partner = library_pair(a, b)[1]
    for given in (rate, f"{rate[4:7]}/{rate[:3]}=2"):
        report = report_of(a, b, parse_rates([given]))
        [found] = messages(report, "currency-differs")
        assert found.endswith(f"amounts are compared at {given}"), found
        assert not {"price-needs-rate", "penalty-needs-rate"} & codes_of(report)
        assert not {"price-floor-unilateral", "price-ceiling-unilateral"} & codes_of(report)
        if not partner.price_controls and not partner.price_measures:
            assert any("price controls" in m for m in messages(report, "feature-undeclared"))
        for level in messages(report, "price-levels-differ"):
            assert f"at {given}" in level or "about" in level, level
    report = report_of(a, b)
    assert messages(report, "currency-differs")[0].endswith(
        "amounts are compared only with an exchange rate between them")


def codes_of(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in report.findings}


EVIDENCE_PAIRS = [*LIBRARY_PAIRS, ("world/california.scheme", "world/rggi.scheme"),
                  ("world/eu_ets.scheme", "world/china_ets.scheme"),
                  ("japan/tokyo_cat.scheme", "japan/jvets.scheme")]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("a, b", EVIDENCE_PAIRS)
def test_evidence_is_in_words_not_scheme_syntax(a: str, b: str, lang: str) -> None:
    """Regression: evidence lines quoted scheme text (`accept ARBOC, sector_based up to
    offset_limit`, `price auction_reserve 10 USD/tCO2e … plus cpi`, `link quebec two_way
    since …`): they now say what each scheme declares by its terms and descriptions."""
    from etsl.documents.i18n import language
    from etsl.documents.linkage_report import render_document
    from etsl.documents.scheme_text import translated
    from etsl.linkage.said import Said

    first, second = library_pair(a, b)
    with language(lang):
        report = check_pair(translated(first), translated(second), parse_rates(["USD/CAD=1.35"]))
        assert all(isinstance(e.value, Said) for f in report.findings for e in f.evidence)
        page = render_document([report], None, "md")
    cells = [row.split(" | ")[1] for row in page.splitlines()
             if row.startswith("| ") and row.count(" | ") >= 2]
    assert len(cells) > 4
    for cell in cells:
        assert "`" not in cell and not re.search(r"\b[a-z]+_[a-z_]+\b", cell), cell
        assert not re.match(r"accept [A-Z]|price [a-z_]+ [\d-]|link [a-z_]+ \w+_way", cell), cell


def test_a_stated_decline_rate_is_not_compared_with_a_computed_one() -> None:
    """The EU states its LRF (2.2 % of the 2010 cap); its cap for 2021 fell with the United
    Kingdom's exit, so a decline computed from its caps (4.3 % a year 2018-2023) against
    RGGI's computed 2.8 % was not a like-for-like comparison."""
    report = report_of("world/eu_ets.scheme", "world/rggi.scheme")
    assert messages(report, "cap-decline-differs") == []
    [found] = messages(report, "stringency-not-comparable")
    assert "'eu_ets' states an annual cap decline, 'rggi' a cap for each year" in found
    report = report_of("world/california.scheme", "world/rggi.scheme")
    [found] = messages(report, "cap-decline-differs")
    assert "2018-2026: 3.6 % a year in 'california', 2.8 % in 'rggi'" in found


def test_gases_covered_by_one_side_only_name_no_empty_side() -> None:
    """RGGI (CO2) against Québec (seven gases) read "only RGGI covers none"; a side whose
    gases the other also covers is left out of the sentence."""
    [found] = messages(report_of("world/rggi.scheme", "world/quebec.scheme"), "gases-differ")
    assert "covers none" not in found and found.startswith("only 'quebec' covers CH4")
    [found] = messages(report_of("world/quebec.scheme", "world/rggi.scheme"), "gases-differ")
    assert found.startswith("only 'quebec' covers CH4")


def test_california_and_quebec_gases_and_scope_agree() -> None:
    """Québec's gases and scope are stated in California's terms: the linked pair reports
    neither a gap in them nor a difference."""
    report = report_of("world/california.scheme", "world/quebec.scheme")
    assert not {"gases-differ", "scope-differs"} & {f.code for f in report.findings}
    assert not any("gases" in m or "scope" in m for m in messages(report, "feature-undeclared"))


def _voluntary_citing_two_texts(tmp_path: Path) -> Path:
    text = (CASES / "participation-voluntary.scheme").read_text(encoding="utf-8").replace(
        "  participation voluntary\n",
        '  source act "The B Act" primary\n  source notice "A notice on the B Act" url '
        '"https://example.org/notice" secondary\n'
        '  participation voluntary cite act "art. 2", notice "p. 4"\n')
    path = tmp_path / "voluntary.scheme"
    path.write_text(text, encoding="utf-8")
    return path


def test_evidence_names_every_source_a_declaration_cites(tmp_path: Path) -> None:
    found = models(_voluntary_citing_two_texts(tmp_path))
    b = check_pair(found["a"], found["b"]).findings[0].evidence[1]
    assert (b.source, b.locator, b.citation) == ("act", "art. 2", "The B Act")
    [also] = b.also
    assert (also.source, also.locator, also.citation, also.url) == (
        "notice", "p. 4", "A notice on the B Act", "https://example.org/notice")
    _, output = run(str(tmp_path / "voluntary.scheme"))
    assert "cite act, art. 2; notice, p. 4" in output
    out = tmp_path / "report.md"
    run(str(tmp_path / "voluntary.scheme"), "--format", "md", "-o", str(out))
    assert "The B Act, art. 2; A notice on the B Act, p. 4 <https://example.org/notice>" in (
        out.read_text(encoding="utf-8"))
