"""What people read: Markdown links, the sweep table, the run summary."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from etsl.compiler.driver import compile_text
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import run

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "tokyo_bench.scheme"
AUTOLINK = re.compile(r"<(https?://[^>]*)>")
LINKED = """scheme a "A" {
  source law "The Act" url "https://example.org/act?part=2&section=5"
  period p = 2020 .. 2020
  participant firm { emissions: tCO2e }
  cap = 100 tCO2e cite law "s. 5"
}
"""


def etsl(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_markdown_autolinks_keep_ampersands(tmp_path: Path) -> None:
    """CommonMark does not decode entities inside <…>: `&amp;` there is a broken link."""
    scheme = tmp_path / "a.scheme"
    scheme.write_text(LINKED)
    other = tmp_path / "b.scheme"
    other.write_text(LINKED.replace('scheme a "A"', 'scheme b "B"'))
    code, _ = etsl("docs", scheme, other, "-o", tmp_path / "site", "--format", "md",
                   "--compare", f"Both={scheme},{other}", "--linkage")
    assert code == 0
    pages = [p.read_text() for p in (tmp_path / "site").glob("*.md")]
    code, compared = etsl("compare", scheme, other)
    links = [url for text in [*pages, compared] for url in AUTOLINK.findall(text)]
    assert "https://example.org/act?part=2&section=5" in links
    assert not [url for url in links if "&amp;" in url or " " in url]


def test_sweep_table_shows_the_key_of_every_varied_name(tmp_path: Path) -> None:
    data = tmp_path / "facilities.csv"
    data.write_text("id,category,base_emissions,emissions,outside_credits\n"
                    "F1,office,10000,47000,\nF2,factory,430,2021,\n")
    code, output = etsl("sweep", BENCH, "--participants", data, "--map",
                        "outside_credits=held.outside_credits",
                        "--vary", "reduction_factor[office]=8%,10%",
                        "--vary", "reduction_factor[factory]=8%,10%",
                        "--vary", "limit[outside_credits]=0 tCO2,100 tCO2")
    assert code == 0, output
    header = next(line for line in output.splitlines() if "┃ scenario" in line)
    for name in ("reduction_factor[office]", "reduction_factor[factory]",
                 "limit[outside_credits]"):
        assert name in header


def test_ids_that_look_like_markup_are_printed_as_they_are(tmp_path: Path) -> None:
    data = tmp_path / "facilities.csv"
    data.write_text("id,category,base_emissions,emissions,outside_credits\n"
                    "[bold]F1[/bold],office,10000,47000,\n")
    code, output = etsl("run", BENCH, "--participants", data, "--map",
                        "outside_credits=held.outside_credits")
    assert code == 0 and "[bold]F1[/bold]" in output


SUMMARY = """scheme s "S" {
  period p = 2020 .. 2020
  participant firm { emissions: tCO2e  size: number }
  covered when size > 10
  cap = 1000 tCO2e
  penalty late when shortfall > 0 tCO2e {
    fine 100 JPY/tCO2e * shortfall
    publish
  }
}
"""


def test_summary_totals_caps_of_covered_participants_only(tmp_path: Path) -> None:
    compiled = compile_text(SUMMARY, "s.scheme").schemes["s"]
    records = tuple(Record(f"F{i}", "p", {"emissions": Decimal(e), "size": Decimal(s)}, i + 2)
                    for i, (e, s) in enumerate([(1200, 20), (900, 20), (5000, 5)]))
    summary = run(compiled, Dataset(records)).summary()
    assert summary.participants_covered == 2
    assert summary.total_cap == Decimal(2000)  # not 3000: F2 is not covered
    assert summary.by_category == {}
    (tmp_path / "s.scheme").write_text(SUMMARY)
    (tmp_path / "data.csv").write_text("id,emissions,size\nF0,1200,20\nF1,900,20\nF2,5000,5\n")
    outputs = []
    for engine in ("columnar", "reference"):
        code, output = etsl("run", tmp_path / "s.scheme", "--participants",
                            tmp_path / "data.csv", "--engine", engine)
        assert code == 0, output
        outputs.append(output.split(": summary")[1].split("\n", 1)[1])
    assert outputs[0] == outputs[1]
    assert "│ total cap (covered participants) │" in outputs[0]
    assert re.search(r"│ consequence: fine\s+│\s+1 row, 20,000 JPY │", outputs[0])
    assert re.search(r"│ consequence: publish\s+│\s+1 row │", outputs[0])


TWO_FINES = """scheme s "S" {
  period p = 2020 .. 2020
  participant firm { emissions: tCO2e }
  cap = 1000 tCO2e
  penalty late when shortfall > 0 tCO2e {
    fine 100 JPY/tCO2e * shortfall
    fine 5000 JPY
  }
  penalty large when shortfall > 100 tCO2e {
    fine 10000 JPY
    publish
  }
}
"""


def test_a_row_counts_once_for_each_kind_in_every_engine(tmp_path: Path) -> None:
    """Three fines on one row are one row fined: the count is of rows, the amount of fines."""
    (tmp_path / "s.scheme").write_text(TWO_FINES)
    (tmp_path / "data.csv").write_text("id,emissions\nF0,1200\nF1,1050\nF2,900\n")
    outputs = []
    for engine in ("columnar", "reference", "fixed"):
        code, output = etsl("run", tmp_path / "s.scheme", "--participants",
                            tmp_path / "data.csv", "--engine", engine)
        assert code == 0, output
        outputs.append(output.split(": summary")[1].split("\n", 1)[1])
    assert outputs[0] == outputs[1] == outputs[2]
    # F0: 20,000 + 5,000 + 10,000; F1: 5,000 + 5,000
    assert re.search(r"│ consequence: fine\s+│\s+2 rows, 45,000 JPY │", outputs[0])
    assert re.search(r"│ consequence: publish\s+│\s+1 row │", outputs[0])
