"""End-to-end pandas + numpy peer: read CSV, evaluate in float64, write CSV.

Written as a typical analyst script would be (pandas defaults throughout), so
its end-to-end timing includes parsing and formatting.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

FINE_JPY = 500_000
OUTPUT_COLUMNS = ("cap", "required_reduction", "eligible_outside", "shortfall", "order", "fine")


def evaluate(df: pd.DataFrame) -> pd.DataFrame:
    """Evaluate a facility frame (columns as in the benchmark CSV)."""
    factor = np.where(df["category"] == "office", 0.92, 0.94)
    base5 = df["base_emissions"].to_numpy(np.float64) * 5
    cap = np.floor(base5 * factor)
    required = base5 - cap
    eligible = np.minimum(df["outside_credits"].to_numpy(np.float64), required / 3)
    shortfall = np.maximum(0.0, df["emissions"].to_numpy(np.float64) - cap - eligible)
    return pd.DataFrame(
        {
            "id": df["id"],
            "cap": cap.astype(np.int64),
            "required_reduction": required,
            "eligible_outside": eligible,
            "shortfall": shortfall,
            "order": np.ceil(1.3 * shortfall).astype(np.int64),
            "fine": np.where(shortfall > 0, FINE_JPY, 0),
        }
    )


def run(csv_in: str | Path, csv_out: str | Path) -> pd.DataFrame:
    """Read ``csv_in``, evaluate, write ``csv_out``; return the result frame."""
    result = evaluate(pd.read_csv(csv_in))
    result.to_csv(csv_out, index=False)
    return result


def read_results(csv_out: str | Path) -> dict[str, np.ndarray]:
    """Read a results CSV back as arrays (for ``compare.mismatches``)."""
    df = pd.read_csv(csv_out)
    return {name: df[name].to_numpy() for name in ("id", *OUTPUT_COLUMNS)}


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
