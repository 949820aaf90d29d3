"""Compiler benchmarks: a generated 5,000-rule scheme, cold `etsl check` of one bundled scheme
and of the whole library, and `etsl --help` wall time, each with the caches (the parse
cache, compiler/cache.py, and the program cache, compiler/program_cache.py, which `etsl
check` reads) warm and turned off. Reports medians; not a timed test.

Commands run as a user runs them: a new process each time, with Python's bytecode files in
place (PYTHONDONTWRITEBYTECODE is removed from their environment and one run warms them),
and a parse cache of their own in a temporary folder (warmed by that run)."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPERATORS = ("+", "-")
ONE_SCHEME = "schemes/world/eu_ets.scheme"


def generated_scheme(rules: int, seed: int = 5000) -> str:
    """A scheme whose rules form a random DAG over a few inputs, tables and parameters."""
    rng = random.Random(seed)
    lines = ["scheme generated \"Generated benchmark scheme\" {",
             "  participant p { category: {a, b, c}  base: tCO2e  emissions: tCO2e }",
             "  param factor = 0.92",
             "  table share by category {", "    | a | 8 % |", "    | b | 6 % |",
             "    | * | 5 % |", "  }"]
    names = ["base", "emissions"]
    for index in range(rules):
        left, right = rng.choice(names), rng.choice(names)
        shape = rng.randrange(5)
        expr = {
            0: f"{left} {rng.choice(OPERATORS)} {right}",
            1: f"floor({left} * factor)",
            2: f"max({left}, {right}) * (1 - share)",
            3: f"if category == a then {left} else {right} / 3",
            4: f"round({left} * {rng.randint(1, 9)} %, 2) + {right}",
        }[shape]
        name = f"r{index}"
        lines.append(f"  rule {name} = {expr}")
        names.append(name)
    lines.append(f"  cap = {names[-1]}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def compile_generated(rules: int = 5000, repeat: int = 3) -> float:
    """Compile the generated scheme's text in memory: every pass, the parse included."""
    from etsl.compiler.driver import compile_text
    from etsl.compiler.parse import parser

    parser()  # the parse table is loaded once per process, not per compile
    text = generated_scheme(rules)

    def run() -> None:
        result = compile_text(text, "generated.scheme")
        assert result.ok, [d.message for d in result.diagnostics][:3]

    return _median_seconds(run, repeat)


def compile_generated_cached(folder: Path, rules: int = 5000, repeat: int = 3) -> float:
    """Compile the generated scheme as a file whose parse is in the cache."""
    from etsl.compiler.driver import compile_paths

    path = folder / "generated.scheme"
    path.write_text(generated_scheme(rules), encoding="utf-8")

    def run() -> None:
        result = compile_paths([path])
        assert result.ok, [d.message for d in result.diagnostics][:3]

    run()  # fills the cache
    return _median_seconds(run, repeat)


def compile_generated_reused(folder: Path, rules: int = 5000, repeat: int = 5) -> tuple[float, float]:
    """(compile with the parse cache warm, read back from the program cache): CPU seconds of
    the generated scheme as a file, the two alternating in one process, medians."""
    from etsl.compiler.driver import compile_paths

    path = folder / "generated_reused.scheme"
    path.write_text(generated_scheme(rules), encoding="utf-8")
    assert compile_paths([path], reuse=True).ok  # fills both caches
    compiled, reused = [], []
    for _ in range(repeat):
        for timings, reuse in ((compiled, False), (reused, True)):
            start = time.process_time()
            compile_paths([path], reuse=reuse)
            timings.append(time.process_time() - start)
    return statistics.median(compiled), statistics.median(reused)


def command_seconds(args: list[str], env: dict[str, str], repeat: int = 5) -> float:
    """Median wall time of `etsl ARGS` in a new process, after one run that is not counted."""

    def run() -> None:
        subprocess.run([sys.executable, "-m", "etsl", *args], cwd=REPO, capture_output=True,
                       check=False, env=env)

    run()
    return _median_seconds(run, repeat)


def environments(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The commands' environments: parse cache in `folder`, and parse cache off."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",
                                                              "ETSL_NO_CACHE")}
    return {**base, "ETSL_CACHE_DIR": str(folder)}, {**base, "ETSL_NO_CACHE": "1"}


def main() -> list[tuple[str, ...]]:
    with tempfile.TemporaryDirectory(prefix="etsl-bench-cache-") as temporary:
        folder = Path(temporary)
        previous = os.environ.get("ETSL_CACHE_DIR")
        os.environ["ETSL_CACHE_DIR"] = str(folder / "cache")
        try:
            rows = _rows(folder)
        finally:
            if previous is None:
                os.environ.pop("ETSL_CACHE_DIR")
            else:
                os.environ["ETSL_CACHE_DIR"] = previous
    print_table(("compiler benchmark", "caches warm", "cache off", "warm ÷ off", "goal"),
                rows)
    return rows


def _rows(folder: Path) -> list[tuple[str, ...]]:
    cached, uncached = environments(folder / "cache")
    generated = compile_generated()
    generated_cached = compile_generated_cached(folder)
    rows = [("compile a generated 5,000-rule scheme (in process)", generated_cached, generated,
             "≤ 0.5 s")]
    compiled, reused = compile_generated_reused(folder)
    rows.append(("the same, read back from the program cache (CPU; warm = program cache, "
                 "off = parse cache only)", reused, compiled, "≤ 0.5 s"))
    for label, args, repeat, goal in (
        (f"cold `etsl check {ONE_SCHEME}`", ["check", ONE_SCHEME], 7, "≤ 0.3 s"),
        ("cold `etsl check schemes/` (whole library)", ["check", "schemes/"], 3, "—"),
        ("`etsl --help`", ["--help"], 5, "< 0.5 s"),
    ):
        warm = command_seconds(args, cached, repeat)
        off = command_seconds(args, uncached, repeat)
        rows.append((label, warm, off, goal))
    return [(label, f"{warm:.3f} s", f"{off:.3f} s", f"{warm / off:.2f}×", goal)
            for label, warm, off, goal in rows]


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows as a Markdown table."""
    for row in (header, tuple("---" for _ in header), *rows):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
