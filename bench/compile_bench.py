"""Compiler benchmarks: a generated 5,000-rule scheme compiled in process, and cold `etsl
check` of one bundled scheme and of the whole library as new processes, each with the caches
empty, with only the parse cache filled (compiler/cache.py) and with the program cache filled
too (compiler/program_cache.py, which `etsl check` reads); `etsl --help`. Medians of CPU
time (user + system: wall time on a shared machine is mostly the wait for a core); not a
timed test.

Commands run as a user runs them: a new process each time, with Python's bytecode files in
place (PYTHONDONTWRITEBYTECODE is removed from their environment and one uncounted run writes
them), and caches of their own in a temporary folder: emptied before each run for "caches
empty", the program cache emptied for "parse cached"."""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPERATORS = ("+", "-")
ONE_SCHEME = "schemes/japan/tokyo_cat.scheme"


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


def compile_generated(folder: Path, rules: int = 5000, repeat: int = 3) -> dict[str, float]:
    """CPU seconds of compiling the generated scheme as a file, in one process: caches empty
    (the parse table already loaded: it is loaded once per process, and `etsl check`'s row
    counts it), parse cached, and read back from the program cache; medians, the three in
    turn."""
    from etsl.compiler import program_cache
    from etsl.compiler.cache import FOLDER
    from etsl.compiler.driver import compile_paths
    from etsl.compiler.parse import parser

    parser()
    path = folder / "generated.scheme"
    path.write_text(generated_scheme(rules), encoding="utf-8")
    caches = folder / "cache"
    os.environ["ETSL_CACHE_DIR"] = str(caches)
    emptied = {"caches empty": (FOLDER, program_cache.FOLDER), "parse cached": (program_cache.FOLDER,),
               "program cached": ()}
    assert compile_paths([path], reuse=True).ok  # fills both caches
    timings: dict[str, list[float]] = {label: [] for label in emptied}
    for _ in range(repeat):
        for label, folders in emptied.items():
            for name in folders:
                shutil.rmtree(caches / name, ignore_errors=True)
            start = time.process_time()
            result = compile_paths([path], reuse=True)
            timings[label].append(time.process_time() - start)
            assert result.ok, [d.message for d in result.diagnostics][:3]
    return {label: statistics.median(values) for label, values in timings.items()}


def command_cpu_seconds(args: list[str], env: dict[str, str], emptied: tuple[Path, ...] = (),
                        repeat: int = 5) -> float:
    """Median CPU time (user + system) of `etsl ARGS` in a new process, after one run that is
    not counted; the folders `emptied` are removed before each run."""

    def run() -> float:
        for folder in emptied:
            shutil.rmtree(folder, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "etsl", *args], cwd=REPO, capture_output=True,
                       check=False, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    run()
    return statistics.median(run() for _ in range(repeat))


def main() -> list[tuple[str, ...]]:
    with tempfile.TemporaryDirectory(prefix="etsl-bench-cache-") as temporary:
        previous = os.environ.get("ETSL_CACHE_DIR")
        try:
            rows = _rows(Path(temporary))
        finally:
            if previous is None:
                os.environ.pop("ETSL_CACHE_DIR", None)
            else:
                os.environ["ETSL_CACHE_DIR"] = previous
    print_table(("compiler benchmark (CPU, medians)", "caches empty", "parse cached",
                 "program cached", "goal"), rows)
    return rows


def _rows(folder: Path) -> list[tuple[str, ...]]:
    from etsl.compiler import program_cache
    from etsl.compiler.cache import FOLDER

    generated = compile_generated(folder)
    rows = [("compile a generated 5,000-rule scheme (in process)",
             *(f"{seconds:.3f} s" for seconds in generated.values()), "≤ 0.5 s")]
    caches = folder / "commands"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",
                                                             "ETSL_NO_CACHE")}
    env["ETSL_CACHE_DIR"] = str(caches)
    emptied = {"caches empty": (caches / FOLDER, caches / program_cache.FOLDER),
               "parse cached": (caches / program_cache.FOLDER,), "program cached": ()}
    for label, args, repeat, goal in (
        (f"cold `etsl check {ONE_SCHEME}`", ["check", ONE_SCHEME], 7, "≤ 0.3 s"),
        ("cold `etsl check schemes/` (whole library)", ["check", "schemes/"], 3, "—"),
    ):
        seconds = [command_cpu_seconds(args, env, folders, repeat) for folders in emptied.values()]
        rows.append((label, *(f"{s:.3f} s" for s in seconds), goal))
    help_seconds = command_cpu_seconds(["--help"], env, repeat=5)
    rows.append(("`etsl --help`", f"{help_seconds:.3f} s", "—", "—", "< 0.5 s"))
    return rows


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows as a Markdown table."""
    for row in (header, tuple("---" for _ in header), *rows):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
