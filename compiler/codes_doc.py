"""Generate docs/diagnostics.md from the code registry and the golden cases (so it cannot drift).

python -m etsl.compiler.codes_doc > docs/diagnostics.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from etsl.compiler.codes import CODES

FIXES: dict[str, str] = {
    "file-not-found": "Check the path; `etsl check` accepts files and folders.",
    "file-unreadable": "Save the file as UTF-8 text.",
    "file-too-large": "Split the scheme: put shared catalogues in their own files and `import` them.",
    "syntax-error": "Follow the hint; each declaration starts with a keyword (see docs/language.md).",
    "unexpected-character": "Remove the character or move it into a string or `#` comment.",
    "unterminated-string": "Close the string on the same line.",
    "unexpected-end": "Close every `{` with `}`; finish the last declaration.",
    "nesting-too-deep": "Name intermediate results with `rule` instead of nesting brackets.",
    "unknown-keyword": "Use one of the declaration keywords; the hint suggests the closest.",
    "unknown-name": "Declare the name (input, `param`, `table` or `rule`) or fix its spelling.",
    "duplicate-name": "Rename one of the definitions, or delete one.",
    "duplicate-declaration": "Keep one declaration; merge their contents.",
    "unknown-value": "Use one of the values listed in the hint.",
    "unknown-unit": "Use a unit from docs/language.md#units, written without spaces (`tCO2e`, `kL_oe/yr`).",
    "unknown-source": 'Declare the source with `source ID "citation" url "…"` or fix the id.',
    "unknown-unit-type": "Declare the unit type in `units { … }` or fix its spelling.",
    "unknown-function": "Use a built-in function (docs/language.md#functions).",
    "import-not-found": "Fix the path; it is relative to the importing file.",
    "import-outside-tree": "Keep imported files under the scheme tree (the folder marked `.etslroot`), or pass `--import-path`.",
    "import-cycle": "Move what both files need into a third file that both import.",
    "unknown-base": "Import the file that defines the base scheme or catalogue.",
    "extends-cycle": "Make one scheme the base; a variant cannot be its own ancestor.",
    "unit-mismatch": "Convert one side so both have the same unit (e.g. multiply a price by tonnes).",
    "type-mismatch": "Use a value of the expected type (a condition, an enumeration value, a quantity).",
    "wrong-arity": "Pass the number of arguments the function takes.",
    "vocabulary-unit": "Make the formula produce tonnes of CO2e (multiply rates by years(period)).",
    "unknown-enum-value": "Use one of the enumeration's values.",
    "missing-gwp": "Declare the basis (`gases CO2, CH4 gwp AR5`), or pick a basis with a value for the gas.",
    "missing-input": "Declare `emissions: tCO2e` or define `obligation = …`.",
    "period-empty": "Swap the bounds.",
    "period-overlap": "Make periods follow each other without sharing years.",
    "period-bound-invalid": "Write bounds as `2013`, `FY2010` or `2014-01-01`.",
    "limit-out-of-range": "Write the share as a fraction (`1 / 3`) or a percentage (`8 %`) between 0 and 1.",
    "table-missing-row": "Add a row (or column) for each value, or a `*` row for all others.",
    "table-shape": "Give every row a key and one value per column; index by `period` or an enumeration input.",
    "table-unknown-key": "Use the dimension's values as keys.",
    "unused-rule": "Use it, expect it in an example, or remove it (a warning: `etsl check` still passes).",
    "unreachable-branch": "Remove the `if`, keeping the branch that is taken (a warning).",
    "link-unknown-scheme": "Check the scheme name, or add the partner scheme's file (a warning).",
    "example-unknown-name": "Give inputs, `period` and `held.UNIT`; expect rules, vocabulary values or consequence kinds.",
    "rule-cycle": "Break the cycle: one of the values must not depend on the others.",
}

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


def _case(root: Path, code: str) -> Path | None:
    for area in AREAS:
        path = root / "tests" / "cases" / area / "err" / f"{code}.scheme"
        if path.exists():
            return path
    return None


def _section(root: Path, code: str) -> list[str]:
    entry = CODES[code]
    lines = [f"### `{code}`", "", f"{entry.summary}", ""]
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
    lines += [f"**Fix:** {FIXES[code]}", ""]
    return lines


def render(root: Path) -> str:
    lines = [
        "# Diagnostics",
        "",
        "Every message `etsl check` (and every other command that compiles a scheme) can "
        "print, by stable code. Messages read `path:line:col: severity: message  [code]`, "
        "followed by the source line, carets under the problem and a hint. "
        "`--format json` gives the same as data. Errors make the command exit with 1; "
        "warnings do not.",
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
        for code in codes:
            lines += _section(root, code)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    sys.stdout.write(render(root))


if __name__ == "__main__":
    main()
