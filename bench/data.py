"""Synthetic facilities for the Tokyo-like benchmark (deterministic for a seed).

Quantities are carried both as strings with one decimal (``base_emissions`` …)
and as exact int64 tenths of a tonne (``base_emissions_t10`` …).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20101
QUANTITIES = ("base_emissions", "emissions", "outside_credits")
HEADER = "id,category," + ",".join(QUANTITIES)
WHOLE_SHARE = 0.25  # share of whole-tonne values (they trap floats more often)
OFFICE_SHARE = 0.6
CREDIT_HOLDER_SHARE = 0.30
MEDIAN_BASE_T = 5000.0

Table = dict[str, np.ndarray]


def _tenths(rng: np.random.Generator, tonnes: np.ndarray) -> np.ndarray:
    """Round to 0.1 t: ~25 % whole tonnes, the rest with a non-zero tenth digit."""
    whole = rng.random(tonnes.size) < WHOLE_SHARE
    digit = rng.integers(1, 10, size=tonnes.size)
    rounded = np.rint(tonnes).astype(np.int64) * 10
    tenths: np.ndarray = np.where(whole, rounded, np.floor(tonnes).astype(np.int64) * 10 + digit)
    return tenths


def _decimal_strings(t10: np.ndarray) -> np.ndarray:
    """Format non-negative int tenths as strings with one decimal ('1234.5')."""
    text = np.char.add(np.char.add((t10 // 10).astype(str), "."), (t10 % 10).astype(str))
    return text.astype(f"<U{int(np.char.str_len(text).max(initial=1))}")


def make_table(n: int, seed: int = SEED) -> Table:
    """Return ``n`` synthetic facilities as a dict of numpy arrays."""
    rng = np.random.default_rng(seed)
    office = rng.random(n) < OFFICE_SHARE
    base_t = np.clip(rng.lognormal(np.log(MEDIAN_BASE_T), 1.0, n), 1.0, 1e6)
    base10 = np.maximum(_tenths(rng, base_t), 10)
    cap = base10 * np.where(office, 92, 94) // 200  # exact whole-tonne cap
    emissions10 = _tenths(rng, cap * rng.uniform(0.85, 1.15, n))
    required10 = base10 * 5 - cap * 10
    holders = rng.random(n) < CREDIT_HOLDER_SHARE
    credits_t = required10 / 10 * rng.uniform(0.0, 2.0 / 3.0, n)  # ~half bind at 1/3
    credits10 = np.where(holders, _tenths(rng, credits_t), 0)
    table: Table = {
        "id": np.arange(1, n + 1, dtype=np.int64),
        "category": np.where(office, "office", "factory"),
    }
    for name, t10 in zip(QUANTITIES, (base10, emissions10, credits10), strict=True):
        table[name] = _decimal_strings(t10)
        table[f"{name}_t10"] = t10.astype(np.int64)
    return table


def csv_text(table: Table) -> str:
    """Render a table as CSV with the benchmark header."""
    row = np.char.add(table["id"].astype(str), ",")
    row = np.char.add(row, table["category"])
    for name in QUANTITIES:
        row = np.char.add(np.char.add(row, ","), table[name])
    return HEADER + "\n" + "\n".join(row.tolist()) + "\n"


def write_csv(path: str | Path, n: int, seed: int = SEED) -> Table:
    """Write ``n`` facilities to ``path`` as CSV and return the table."""
    table = make_table(n, seed)
    Path(path).write_text(csv_text(table), encoding="ascii")
    return table


def generate(n: int, seed: int = SEED, path: str | Path | None = None) -> Table:
    """Return the table for ``(n, seed)``; also write it as CSV when ``path`` is given."""
    return make_table(n, seed) if path is None else write_csv(path, n, seed)
