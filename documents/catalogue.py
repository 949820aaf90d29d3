"""docs/schemes.md: the catalogue of the bundled scheme library, generated from the files.

python -m etsl.documents.catalogue > docs/schemes.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.compiler.model import SchemeModel

HEADER = """# The scheme library

The schemes bundled in `schemes/` (installed as `etsl.schemes`), one line each. This page
is generated from the files by `python -m etsl.documents.catalogue > docs/schemes.md`;
a test keeps it current. Every file compiles clean, is formatted, cites a source for its
parameters and carries examples that `etsl test` runs.

| scheme | file | jurisdiction | kind | participation | periods | status | examples |
|---|---|---|---|---|---|---|---|
"""


def _periods(model: SchemeModel) -> str:
    if not model.periods:
        return "—"
    first, last = model.periods[0], model.periods[-1]
    span = f"{first.start}–{last.end}"
    return f"{len(model.periods)} ({span})"


def _cell(text: str | None) -> str:
    return (text or "—").replace("|", "\\|")


def line(compiled: CompiledScheme, root: Path) -> str:
    model = compiled.model
    path = Path(model.path)
    shown = path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path
    cells = [
        f"**{_cell(model.title or model.name)}** (`{model.name}`)",
        f"`{shown}`",
        _cell(model.meta_value("jurisdiction")),
        _cell(model.meta_value("kind")),
        _cell(model.meta_value("participation")),
        _periods(model),
        _cell(model.meta_value("status")),
        str(len(model.examples)),
    ]
    return "| " + " | ".join(cells) + " |"


def render(root: Path) -> str:
    compilation = compile_paths([root / "schemes"])
    by_path = sorted(compilation.schemes.values(), key=lambda c: c.model.path)
    return HEADER + "\n".join(line(c, root) for c in by_path) + "\n"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    sys.stdout.write(render(root.resolve()))


if __name__ == "__main__":
    main()
