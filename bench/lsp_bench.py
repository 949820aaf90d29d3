"""Re-check latency of the language server: the time from an edit of an open bundled scheme
to its diagnostics (analysis of the new text plus the LSP diagnostics), as `etsl lsp` does
it in process, with its parse cache warm from the previous version of the text.

Each scheme is opened, then edited at ten places: a blank line inserted at 10 %, 30 %, 50 %,
70 % and 90 % of the file (every later declaration moves) and a trailing space added to a
line there (one declaration changes). Reports the median and the worst edit per scheme and
over the library; the goal is 100 ms."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_MS = 100.0


def edits(text: str) -> list[str]:
    """Ten edited versions of a scheme's text that keep it valid."""
    lines = text.split("\n")
    versions = []
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        at = int(len(lines) * fraction)
        versions.append("\n".join(lines[:at] + [""] + lines[at:]))
        spaced = lines[:at] + [lines[at] + " "] + lines[at + 1 :]
        versions.append("\n".join(spaced))
    return versions


def recheck_times(path: Path) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per edit for one scheme, each edit applied to the text the server
    holds. CPU time (this thread's) is what the work costs; wall time adds the waits of a
    machine shared with other work."""
    from etsl.lsp.report import lsp_diagnostics
    from etsl.lsp.workspace import Workspace

    workspace = Workspace([REPO / "schemes"])
    text = path.read_text(encoding="utf-8")
    workspace.open(path, text)
    workspace.analyse(path, text)
    timings = []
    for edited in edits(text):
        start, cpu = time.perf_counter(), time.thread_time()
        lsp_diagnostics(workspace.analyse(path, edited))
        timings.append((time.perf_counter() - start, time.thread_time() - cpu))
        workspace.analyse(path, text)  # back to the saved text, as an undo would
    return timings


def measure() -> dict[str, list[tuple[float, float]]]:
    return {
        str(path.relative_to(REPO)): recheck_times(path)
        for path in sorted((REPO / "schemes").rglob("*.scheme"))
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> list[tuple[str, str, str, str]]:
    results = measure()
    every = [t for times in results.values() for t in times]
    walls, cpus = [w for w, _ in every], [c for _, c in every]
    slowest = max(results, key=lambda name: statistics.median(w for w, _ in results[name]))
    goal = f"≤ {GOAL_MS:.0f} ms"
    rows = [
        (
            f"re-check after an edit: median of {len(every)} edits of {len(results)} schemes",
            _ms(statistics.median(walls)),
            _ms(statistics.median(cpus)),
            goal,
        ),
        (
            f"slowest scheme's median ({Path(slowest).name})",
            _ms(statistics.median(w for w, _ in results[slowest])),
            _ms(statistics.median(c for _, c in results[slowest])),
            goal,
        ),
        ("worst single edit", _ms(max(walls)), _ms(max(cpus)), goal),
    ]
    from bench.compile_bench import print_table

    print_table(("language server", "wall", "CPU", "goal"), rows)
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
