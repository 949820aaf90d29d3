"""Sweep benchmark: `etsl sweep` over 1,000 scenarios × 10,000 facilities against a numpy
float64 script doing the same loop, each a whole process as a user runs it (CSV in, one row
of totals per scenario out), alternating, medians and the ratio pair by pair.

The scenarios vary the office reduction factor (40 values) and the limit on outside credits
(25 values) of bench/tokyo_bench.scheme; the peer computes the same totals (cap, shortfall,
non-compliant count, fines) in float64 for each scenario in a Python loop over numpy arrays.

    python bench/sweep_bench.py [--facilities 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCHEME = HERE / "tokyo_bench.scheme"
FACTORS = tuple(f"{5 + index * 0.25:g}%" for index in range(40))
LIMITS = tuple(f"{index * 40} tCO2" for index in range(25))

PEER = """
import sys
import numpy as np
import pandas as pd

frame = pd.read_csv(sys.argv[1])
office = (frame["category"] == "office").to_numpy()
base5 = frame["base_emissions"].to_numpy(np.float64) * 5
emissions = frame["emissions"].to_numpy(np.float64)
credits = frame["outside_credits"].to_numpy(np.float64)
rows = []
for factor in [float(f.rstrip("%")) / 100 for f in sys.argv[3].split(",")]:
    cap = np.floor(base5 * (1 - np.where(office, factor, 0.06)))
    for limit in [float(v.split()[0]) for v in sys.argv[4].split(",")]:
        eligible = np.minimum(credits, limit)
        shortfall = np.maximum(0.0, emissions - cap - eligible)
        short = shortfall > 0
        rows.append((factor, limit, cap.sum(), shortfall.sum(), short.sum(),
                     np.ceil(1.3 * shortfall).sum(), short.sum() * 500000.0))
pd.DataFrame(rows, columns=["factor", "limit", "total_cap", "total_shortfall",
                            "non_compliant", "order", "fine"]).to_csv(sys.argv[2], index=False)
"""


def commands(csv: Path, folder: Path) -> tuple[list[str], list[str]]:
    """(etsl sweep, the numpy float64 script), as argument lists."""
    etsl = [sys.executable, "-m", "etsl", "sweep", str(SCHEME), "--participants", str(csv),
            "--map", "outside_credits=held.outside_credits",
            "--vary", "reduction_factor[office]=" + ",".join(FACTORS),
            "--vary", "limit[outside_credits]=" + ",".join(LIMITS),
            "-o", str(folder / "etsl_sweep.csv")]
    script = folder / "numpy_sweep.py"
    script.write_text(PEER, encoding="utf-8")
    peer = [sys.executable, str(script), str(csv), str(folder / "numpy_sweep.csv"),
            ",".join(FACTORS), ",".join(LIMITS)]
    return etsl, peer


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(facilities: int = 10_000, repeat: int = 3) -> dict[str, float]:
    """Median seconds of each and the median of the paired ratios (ETSL ÷ numpy)."""
    sys.path.insert(0, str(REPO))
    from bench import data

    with tempfile.TemporaryDirectory(prefix="etsl-sweep-bench-") as temporary:
        folder = Path(temporary)
        csv = folder / "facilities.csv"
        data.write_csv(csv, facilities)
        etsl, peer = commands(csv, folder)
        env = {**os.environ, "ETSL_CACHE_DIR": str(folder / "cache")}
        env.pop("ETSL_NO_CACHE", None)
        _seconds(etsl, env), _seconds(peer, env)  # warm-up: caches, bytecode, page cache
        pairs = [(_seconds(etsl, env), _seconds(peer, env)) for _ in range(repeat)]
    return {
        "etsl": statistics.median(a for a, _ in pairs),
        "numpy": statistics.median(b for _, b in pairs),
        "ratio": statistics.median(a / b for a, b in pairs),
    }


def main(facilities: int = 10_000, repeat: int = 3) -> dict[str, float]:
    found = measure(facilities, repeat)
    scenarios = len(FACTORS) * len(LIMITS)
    print("| sweep | ETSL (`etsl sweep`) | numpy float64 loop | ETSL ÷ numpy | goal |")
    print("|---|---:|---:|---:|---|")
    print(f"| {scenarios:,} scenarios × {facilities:,} facilities, whole process | "
          f"{found['etsl']:.2f} s | {found['numpy']:.2f} s | {found['ratio']:.2f}× | ≤ 3× |")
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.facilities, arguments.repeat)
