"""Global warming potentials from the `globalwarmingpotentials` package, read as exact decimals."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path

BASES = {
    "SAR": "SARGWP100",
    "TAR": "TARGWP100",
    "AR4": "AR4GWP100",
    "AR5": "AR5GWP100",
    "AR6": "AR6GWP100",
}


def csv_path() -> Path | None:
    """The package's CSV, found without importing the package (its `__init__` imports
    importlib.metadata and the email package: a tenth of a cold `etsl check`'s imports)."""
    spec = find_spec("globalwarmingpotentials")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "globalwarmingpotentials.csv"


@cache
def table() -> dict[str, dict[str, Decimal]]:
    """basis (SAR…AR6) → species → 100-year GWP, from the package's CSV (text, so exact)."""
    path = csv_path()
    if path is None:
        raise ModuleNotFoundError("globalwarmingpotentials", name="globalwarmingpotentials")
    text = path.read_text(encoding="utf-8")
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
