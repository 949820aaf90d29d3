"""Generate the synthetic Tokyo facility data in this folder (fixed seed, reproducible).

    python examples/generate_tokyo.py            # rewrites tokyo_facilities.csv, tokyo_holdings.csv

The numbers are invented: they are shaped like the Tokyo Cap-and-Trade Program's first
compliance period (FY2010-FY2014), not taken from it. Columns match the inputs of
schemes/japan/tokyo_cat.scheme; see examples/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
from pathlib import Path

from etsl.compiler.files import write_text

SEED = 20100401
FACILITIES = 300
OFFICE_SHARE = 0.6
YEARS = 5  # the first period, FY2010-FY2014
REDUCTION_FACTOR = {"office": 0.08, "factory": 0.06}
HELD_UNITS = ("outside_tokyo", "excess_reduction", "renewable_energy")
FACILITY_COLUMNS = ("id", "category", "energy_use", "base_emissions", "emissions",
                    "years_elapsed", "cumulative_reduction", "period",
                    *(f"held.{u}" for u in HELD_UNITS))
HOLDING_COLUMNS = ("participant", "unit", "quantity", "vintage", "host",
                   "issuer_scheme", "issuer_base_emissions [tCO2/yr]", "period")
HERE = Path(__file__).resolve().parent


def facility(number: int, rng: random.Random) -> dict[str, str]:
    """One facility's row: energy use around the threshold, base emissions ~4,000 t a year."""
    category = "office" if rng.random() < OFFICE_SHARE else "factory"
    energy_use = rng.lognormvariate(math.log(2600), 0.5)  # kL_oe/yr; ~14 % below 1,500
    base = round(energy_use * rng.lognormvariate(math.log(1.55), 0.1))  # tCO2/yr, median ~4,000
    factor = REDUCTION_FACTOR[category]
    achieved = rng.gauss(factor + 0.03, 0.035)  # ~20 % emit more than their cap
    emissions = round(base * YEARS * (1 - achieved))
    required = base * YEARS * factor
    return {
        "id": f"TKY-{number:04d}",
        "category": category,
        "energy_use": f"{energy_use:.1f}",
        "base_emissions": str(base),
        "emissions": str(emissions),
        "years_elapsed": str(YEARS),
        "cumulative_reduction": str(base * YEARS - emissions),
        "period": "first",
        "held.outside_tokyo": _maybe(rng, 0.20, 0.1 * required, 0.5 * required),
        "held.excess_reduction": _maybe(rng, 0.08, 50, 800),
        "held.renewable_energy": _maybe(rng, 0.05, 20, 300),
    }


def _maybe(rng: random.Random, share: float, low: float, high: float) -> str:
    """A whole number of tCO2 for `share` of the facilities, else 0."""
    return str(round(rng.uniform(low, high))) if rng.random() < share else "0"


def holdings(rows: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    """Long-format holdings with attributes for a handful of facilities (Saitama credits)."""
    chosen = rng.sample(rows, 6)
    result = []
    for index, row in enumerate(chosen):
        issuer = 80_000 if index % 3 else 180_000  # every third above the 150,000 t filter
        result.append({
            "participant": row["id"], "unit": "saitama_excess",
            "quantity": str(rng.randrange(100, 1500, 10)), "vintage": str(2011 + index % 3),
            "host": "Saitama", "issuer_scheme": "saitama_tset",
            "issuer_base_emissions [tCO2/yr]": str(issuer), "period": "first",
        })
        if index % 2 == 0:
            result.append({
                "participant": row["id"], "unit": "small_midsize",
                "quantity": str(rng.randrange(50, 400, 10)), "vintage": "2012",
                "host": "Tokyo", "issuer_scheme": "",
                "issuer_base_emissions [tCO2/yr]": "", "period": "first",
            })
    return result


def to_csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue()


def generate(seed: int = SEED) -> tuple[str, str]:
    """The text of tokyo_facilities.csv and tokyo_holdings.csv."""
    rng = random.Random(seed)
    rows = [facility(n, rng) for n in range(1, FACILITIES + 1)]
    return to_csv(FACILITY_COLUMNS, rows), to_csv(HOLDING_COLUMNS, holdings(rows, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    facilities, held = generate(args.seed)
    for name, text in (("tokyo_facilities.csv", facilities), ("tokyo_holdings.csv", held)):
        write_text(args.out / name, text)
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
