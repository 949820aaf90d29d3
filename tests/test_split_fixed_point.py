"""The split fixed-point arithmetic of bench/peers/numpy_split.py agrees with ETSL exactly.

That peer measures what an exact 64-bit engine would cost: values with 18 decimal places
(ETSL's quotient) carried as two int64s. Its rules on the pair (a third rounded half-even,
minimum, subtraction with a borrow, ceil of 1.3 × x in uint64) are checked here against
the reference engine on the benchmark scheme, with Hypothesis choosing the facilities:
thirds that round up and down, credits equal to the limit's whole tenths, shortfalls of
zero, and inputs up to 10**12 t.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.runtime.records import Dataset, Holding, Record
from etsl.runtime.reference.sequence import run as reference_run
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.peers import numpy_split

BENCH = Path(__file__).resolve().parent.parent / "bench" / "tokyo_bench.scheme"
TENTHS = st.one_of(st.integers(0, 100), st.integers(0, 10**7), st.integers(0, 10**13))


@pytest.fixture(scope="module")
def compiled() -> CompiledScheme:
    return compile_paths([BENCH]).schemes["tokyo_bench"]


def _facility(draw: st.DrawFn) -> tuple[str, int, int, int]:
    category = draw(st.sampled_from(("office", "factory")))
    base = draw(TENTHS.filter(lambda t: t >= 10))
    cap = base * 5 * (92 if category == "office" else 94) // 1000
    required = base * 5 - cap * 10
    emissions = draw(st.one_of(TENTHS, st.integers(max(0, cap * 10 - 50), cap * 10 + 50)))
    credits = draw(st.one_of(TENTHS, st.integers(max(0, required // 3 - 2), required // 3 + 2)))
    return category, base, emissions, credits


facilities = st.lists(st.composite(_facility)(), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(rows=facilities)
@example(rows=[("office", 10, 100000000044, 4)])  # a shortfall of 29 significant digits
def test_split_fixed_point_equals_the_reference_engine(
    compiled: CompiledScheme, rows: list[tuple[str, int, int, int]]
) -> None:
    table = {
        "category": np.array([r[0] for r in rows]),
        "base_emissions_t10": np.array([r[1] for r in rows], dtype=np.int64),
        "emissions_t10": np.array([r[2] for r in rows], dtype=np.int64),
        "outside_credits_t10": np.array([r[3] for r in rows], dtype=np.int64),
    }
    ours = numpy_split.evaluate(table)
    expected = reference_run(compiled, _dataset(rows)).rows
    for index, row in enumerate(expected):
        amounts = {c.kind: c.amount for c in row.consequences}
        eligible = numpy_split.tonnes(ours["eligible_hi"][index], ours["eligible_lo"][index])
        assert not row.errors, row.errors
        assert row.values["cap"] == int(ours["cap"][index])
        assert row.values["shortfall"] == numpy_split.shortfall(ours, index), rows[index]
        assert row.eligible["outside_credits"] == eligible, rows[index]
        assert amounts.get("order", 0) == int(ours["order"][index]), rows[index]
        assert amounts.get("fine", 0) == int(ours["fine"][index]), rows[index]


def _dataset(rows: list[tuple[str, int, int, int]]) -> Dataset:
    records, holdings = [], []
    for index, (category, base, emissions, credits) in enumerate(rows):
        name = f"f{index}"
        values = {
            "category": category,
            "base_emissions": Decimal(base).scaleb(-1),
            "emissions": Decimal(emissions).scaleb(-1),
        }
        records.append(Record(name, "first", values, row=index + 2))
        holdings.append(Holding(name, "first", "outside_credits", Decimal(credits).scaleb(-1)))
    return Dataset(tuple(records), tuple(holdings))
