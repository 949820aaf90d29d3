r'''CSV as ETSL writes it: one way to quote cells, and no cell a spreadsheet would run.

Spreadsheet programs read a cell that starts with `=`, `+`, `-` or `@` (some also a tab or a
carriage return) as a formula, so a participant id such as `=HYPERLINK("http://…","click")`
would become a live link when a results file is opened ("CSV injection"). As OWASP
recommends, every CSV ETSL writes — results of both engines, sweeps, comparisons — puts an
apostrophe before such a cell, unless the cell is a plain number (`-5`, `-0.25`), which
spreadsheets read as a number. `raw=True` (`--raw-csv`) writes cells unchanged, for programs.

    >>> print(spreadsheet_safe('=HYPERLINK("http://evil.example/","click")'))
    '=HYPERLINK("http://evil.example/","click")
    >>> spreadsheet_safe("-5"), spreadsheet_safe("-x")
    ('-5', "'-x")
    >>> print(csv_line(["F,1", 'say "hi"', "#3", ""]), end="")
    "F,1","say ""hi""","#3",

Cells are quoted exactly as DuckDB's CSV writer quotes them (the columnar engine streams its
results with COPY; the two engines' files must be byte-identical): a cell containing a
comma, a double quote, a line break (CR or LF) or `#` is put in double quotes, with quotes
inside doubled. The columnar engine applies `spreadsheet_safe` in SQL
(runtime/columnar/results.py builds it from FORMULA_STARTS and PLAIN_NUMBER).
'''

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import IO

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Cells that start with one of them but are read as numbers, left as they are.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
#: What is put before a formula-like cell.
ESCAPE = "'"
_NEEDS_QUOTES = re.compile(r'[,"\r\n#]')


def spreadsheet_safe(cell: str) -> str:
    """The cell with an apostrophe before it when a spreadsheet would run it as a formula."""
    if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell):
        return ESCAPE + cell
    return cell


def csv_field(cell: str) -> str:
    """One cell, quoted when it must be."""
    if _NEEDS_QUOTES.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_line(cells: Sequence[str], raw: bool = False) -> str:
    """One CSV line (LF-terminated); formula-like cells neutralised unless `raw`."""
    shown = cells if raw else [spreadsheet_safe(c) for c in cells]
    return ",".join(csv_field(c) for c in shown) + "\n"


def write_rows(stream: IO[str], rows: Iterable[Sequence[str]], raw: bool = False) -> None:
    """Write rows of text cells (the header first) to an open text stream."""
    for row in rows:
        stream.write(csv_line(row, raw))


def csv_text(rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    """Rows of text cells (the header first) as CSV text."""
    return "".join(csv_line(row, raw) for row in rows)
