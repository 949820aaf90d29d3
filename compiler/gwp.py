"""Global warming potentials from the `globalwarmingpotentials` package, read as exact decimals."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib import resources

BASES = {
    "SAR": "SARGWP100",
    "TAR": "TARGWP100",
    "AR4": "AR4GWP100",
    "AR5": "AR5GWP100",
    "AR6": "AR6GWP100",
}


@cache
def table() -> dict[str, dict[str, Decimal]]:
    """basis (SAR…AR6) → species → 100-year GWP, from the package's CSV (text, so exact)."""
    text = (
        resources.files("globalwarmingpotentials")
        .joinpath("globalwarmingpotentials.csv")
        .read_text(encoding="utf-8")
    )
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    result: dict[str, dict[str, Decimal]] = {basis: {"CO2": Decimal(1)} for basis in BASES}
    for row in rows:
        for basis, column in BASES.items():
            if row.get(column):
                result[basis][row["Species"]] = Decimal(row[column])
    return result


def gwp(basis: str, gas: str) -> Decimal | None:
    """The GWP of one species under a basis, or None when the package has no value."""
    return table().get(basis, {}).get(gas)
