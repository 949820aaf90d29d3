"""Generate docs/diagnostics.md from the code registry and the golden cases (so it cannot drift).

python -m etsl.compiler.codes_doc > docs/diagnostics.md

Compiler codes are shown with their failing case (tests/cases/<area>/err/<code>.scheme) and
what `etsl check` prints; data and evaluation codes with their case's command
(tests/cases/<area>/err/<code>.cmd), its input file and what the command prints
(tests/test_problem_codes.py runs every one and compares).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from etsl.compiler.codes import CODES

DYNAMIC_EXAMPLES = {
    "file-not-found": (
        "etsl check missing.scheme",
        "missing.scheme:1:1: error: 'missing.scheme' does not exist  [file-not-found]",
    ),
    "file-unreadable": (
        "etsl check picture.scheme   # a PNG renamed",
        "picture.scheme:1:1: error: the file is not UTF-8 text (byte 0)  [file-unreadable]",
    ),
    "file-too-large": (
        "etsl check huge.scheme   # 5 MB",
        "huge.scheme:1:1: error: the file has 5,000,000 characters; the limit is 2,000,000  [file-too-large]",
    ),
}

AREAS = ("syntax", "names", "imports", "types", "validation", "graph")
#: Areas whose cases are commands run on data (tests/cases/<area>/err/<code>.cmd).
COMMAND_AREAS = ("data", "evaluation", "scenario")
#: Shown once at the top of an area (for command areas, followed by the schemes its cases run).
AREA_INTRODUCTIONS = {
    "data": "Problems in participant data files (docs/data.md), found by the data reader "
    "before anything is evaluated. Each prints as `file:row:column: message  [code]` with "
    "a hint; `etsl run` exits 1 without evaluating when any is an error. The examples "
    "run this scheme (`facilities.scheme`):",
    "evaluation": "Values that cannot be computed for one participant (docs/runtime.md). "
    "Each names the data row, the participant, period and value, and the scheme location; "
    "`etsl run` exits 1 and writes nothing unless `--allow-errors` is given. The examples "
    "run these schemes (`plants.scheme`, `noperiod.scheme`):",
    "scenario": "Problems in scenario files of `etsl simulate` (docs/simulate.md) and "
    "simulations that cannot go on. Each names the scenario file and the key (or the year and "
    "value); `etsl simulate` exits 1 and writes nothing. The examples simulate this scheme "
    "(`market.scheme`):",
    "linkage": "Findings of `etsl link` (pair checks and the network's declarations), printed "
    "as `severity: message  [code]` with the evidence from both schemes, a remedy and a "
    "how-to line.",
}
MAX_SHOWN_INPUT = 2000


def _case(root: Path, code: str) -> Path | None:
    for area in AREAS:
        path = root / "tests" / "cases" / area / "err" / f"{code}.scheme"
        if path.exists():
            return path
    return None


def _command_case(root: Path, area: str, code: str) -> list[str]:
    """The command of a data or evaluation case, its input and what it prints."""
    folder = root / "tests" / "cases" / area / "err"
    command = (folder / f"{code}.cmd").read_text(encoding="utf-8").strip()
    expected = folder / f"{code}.expected"
    lines = []
    for word in shlex.split(command, comments=True):
        shown = folder / word.lstrip("@")
        if shown.suffix not in (".scheme", ".cmd") and shown.is_file():
            lines += _input_block(shown)
    output = expected.read_text(encoding="utf-8").rstrip() if expected.exists() else ""
    return lines + ["```", f"$ {command}", output, "```", ""]


def _input_block(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    if len(text) > MAX_SHOWN_INPUT:
        return []
    language = {".csv": "csv", ".py": "python"}.get(path.suffix, "text")
    return [f"`{path.name}`:", "", f"```{language}", text.rstrip(), "```", ""]


def _introduction(root: Path, area: str) -> list[str]:
    folder = root / "tests" / "cases" / area / "err"
    lines = [AREA_INTRODUCTIONS[area], ""]
    for scheme in sorted(folder.glob("*.scheme")):
        lines += ["```etsl", scheme.read_text(encoding="utf-8").rstrip(), "```", ""]
    return lines


def _section(root: Path, code: str) -> list[str]:
    entry = CODES[code]
    lines = [f"### `{code}`", "", f"{entry.summary}", ""]
    if entry.area == "linkage":
        lines += [
            f"The criterion, its sources and an example: [linkage.md](linkage.md#{code}).",
            "",
        ]
    if entry.area in COMMAND_AREAS:
        return lines + _command_case(root, entry.area, code) + [f"**Fix:** {entry.fix}", ""]
    case = _case(root, code)
    if case is not None:
        expected = case.with_suffix(".expected")
        lines += [
            "Failing example:",
            "",
            "```",
            case.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
            "`etsl check` prints:",
            "",
            "```",
            expected.read_text(encoding="utf-8").rstrip() if expected.exists() else "",
            "```",
            "",
        ]
    elif code in DYNAMIC_EXAMPLES:
        command, output = DYNAMIC_EXAMPLES[code]
        lines += ["Example:", "", "```", f"$ {command}", output, "```", ""]
    lines += [f"**Fix:** {entry.fix}", ""]
    return lines


def render(root: Path) -> str:
    lines = [
        "# Diagnostics",
        "",
        "Every message `etsl check` (and every other command that compiles a scheme) can "
        "print, by stable code. Messages read `path:line:col: severity: message  [code]`, "
        "followed by the source line, carets under the problem and a hint. "
        "`--format json` gives the same as data. Errors make the command exit with 1; "
        "warnings do not. Problems in participant data ([data](#data)) and values that "
        "cannot be computed ([evaluation](#evaluation)) carry codes from the same registry, "
        "at the end of their first line and as `code` in JSON results.",
        "",
        "This page is generated by `python -m etsl.compiler.codes_doc > docs/diagnostics.md` "
        "from the code registry (compiler/codes.py) and the golden cases in tests/cases; "
        "a test keeps it current.",
        "",
    ]
    areas: dict[str, list[str]] = {}
    for code, entry in CODES.items():
        areas.setdefault(entry.area, []).append(code)
    for area, codes in areas.items():
        lines += [f"## {area.capitalize()}", ""]
        if area in COMMAND_AREAS:
            lines += _introduction(root, area)
        elif area in AREA_INTRODUCTIONS:
            lines += [AREA_INTRODUCTIONS[area], ""]
        for code in codes:
            lines += _section(root, code)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    sys.stdout.write(render(root))


if __name__ == "__main__":
    main()
