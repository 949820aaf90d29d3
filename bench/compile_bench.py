"""Compiler benchmarks: a generated 5,000-rule scheme, cold `etsl check` of one bundled scheme
and of the whole library, and `etsl --help` wall time. Reports medians; not a timed test."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPERATORS = ("+", "-")


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


def _median_seconds(action: object, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def compile_generated(rules: int = 5000, repeat: int = 3) -> float:
    from etsl.compiler.driver import compile_text

    text = generated_scheme(rules)

    def run() -> None:
        result = compile_text(text, "generated.scheme")
        assert result.ok, [d.message for d in result.diagnostics][:3]

    return _median_seconds(run, repeat)


def command_seconds(args: list[str], repeat: int = 5) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-m", "etsl", *args], cwd=REPO, capture_output=True,
                       check=False)

    return _median_seconds(run, repeat)


def main() -> list[tuple[str, str, str]]:
    one = ["check", "schemes/japan/tokyo_cat.scheme"]
    rows = [
        ("compile a generated 5,000-rule scheme", f"{compile_generated():.2f} s", "≤ 0.5 s"),
        ("cold `etsl check` of one bundled scheme", f"{command_seconds(one):.2f} s", "≤ 0.3 s"),
        ("cold `etsl check schemes/` (whole library)", f"{command_seconds(['check', 'schemes/'], 3):.2f} s", "—"),
        ("`etsl --help` wall time", f"{command_seconds(['--help']):.3f} s", "< 0.5 s"),
    ]
    print_table(("compiler benchmark", "median", "goal"), rows)
    return rows


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows as a Markdown table."""
    for row in (header, tuple("---" for _ in header), *rows):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
