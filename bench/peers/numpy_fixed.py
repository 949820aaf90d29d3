"""numpy int64 fixed-point peer: exact.

Units: inputs in tenths of a tonne (t10). A third of a tenth is carried as
thirtieths of a tonne (t30), so ``min(credits, required / 3)`` becomes
``min(3 * credits10, required10)`` in t30 and no division is ever rounded.
Outputs with a suffix name their unit; ``cap``, ``order``, ``fine`` are whole.
"""

from __future__ import annotations

import numpy as np

Arrays = dict[str, np.ndarray]
FINE_JPY = 500_000


def prepare(table: Arrays) -> Arrays:
    """Int64 tenths and the factor in percent (92 office, 94 factory)."""
    return {
        "factor_pct": np.where(table["category"] == "office", 92, 94).astype(np.int64),
        "base10": table["base_emissions_t10"],
        "emissions10": table["emissions_t10"],
        "credits10": table["outside_credits_t10"],
    }


def compute(x: Arrays) -> Arrays:
    """Evaluate prepared int64 inputs exactly."""
    base5_10 = x["base10"] * 5
    cap = base5_10 * x["factor_pct"] // 1000  # floor(base10/10 * 5 * pct/100)
    required10 = base5_10 - cap * 10
    eligible30 = np.minimum(3 * x["credits10"], required10)
    shortfall30 = np.maximum(0, 3 * x["emissions10"] - 30 * cap - eligible30)
    return {
        "cap": cap,
        "required_reduction_t10": required10,
        "eligible_outside_t30": eligible30,
        "shortfall_t30": shortfall30,
        "order": -(-13 * shortfall30 // 300),  # ceil(1.3 * shortfall30 / 30)
        "fine": np.where(shortfall30 > 0, FINE_JPY, 0),
    }


def evaluate(table: Arrays) -> Arrays:
    """Evaluate a benchmark table (see ``bench.data.make_table``)."""
    return compute(prepare(table))
