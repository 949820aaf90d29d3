"""numpy float64 peer: the rule set written the obvious way with binary floats."""

from __future__ import annotations

import numpy as np

Arrays = dict[str, np.ndarray]
FINE_JPY = 500_000.0


def prepare(table: Arrays) -> Arrays:
    """Float64 inputs (tonnes) from the int tenths, plus an office mask.

    ``t10 / 10`` is the correctly rounded double, the same as parsing the string.
    """
    return {
        "office": table["category"] == "office",
        "base": table["base_emissions_t10"] / 10.0,
        "emissions": table["emissions_t10"] / 10.0,
        "credits": table["outside_credits_t10"] / 10.0,
    }


def compute(x: Arrays) -> Arrays:
    """Evaluate prepared float64 inputs."""
    factor = np.where(x["office"], 0.92, 0.94)
    cap = np.floor(x["base"] * 5 * factor)
    required = x["base"] * 5 - cap
    eligible = np.minimum(x["credits"], required / 3)
    shortfall = np.maximum(0.0, x["emissions"] - cap - eligible)
    return {
        "cap": cap,
        "required_reduction": required,
        "eligible_outside": eligible,
        "shortfall": shortfall,
        "order": np.ceil(1.3 * shortfall),
        "fine": np.where(shortfall > 0, FINE_JPY, 0.0),
    }


def evaluate(table: Arrays) -> Arrays:
    """Evaluate a benchmark table (see ``bench.data.make_table``)."""
    return compute(prepare(table))
