"""ETSL's fixed-point engine (runtime/fixed) on the benchmark table: int64 tenths in memory.

`prepare` turns the table into the engine's input columns (numbers as scaled int64 with
their measured range, the category as text, the credits as `held.outside_credits`);
`compute` runs `evaluate_columns`: the range analysis of the compiled scheme, then every
value of every row (all result columns, eligible units, the penalty and its consequences)
and the rows that would need the reference engine. Nothing here is written for this rule
set: the engine evaluates bench/tokyo_bench.scheme's Program.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from etsl.compiler.driver import compile_paths
from etsl.runtime.fixed import engine
from etsl.runtime.fixed.columns import Column, Kind, integer_column, no_rows_bad

__all__ = ["compute", "prepare"]

SCHEME = Path(__file__).resolve().parent.parent / "tokyo_bench.scheme"
TENTHS = {"base_emissions": "base_emissions_t10", "emissions": "emissions_t10",
          "held.outside_credits": "outside_credits_t10"}


def prepare(table: dict[str, np.ndarray]) -> dict[str, Any]:
    program = compile_paths([SCHEME]).schemes["tokyo_bench"].program
    rows = len(table["id"])
    columns, ranges = {}, {}
    for name, source in TENTHS.items():
        columns[name], ranges[name] = integer_column(table[source].astype(np.int64), 1)
    for name in ("carry_in", "owed_in"):
        columns[name], ranges[name] = integer_column(np.zeros(rows, dtype=np.int64), 0)
    columns["lots.outside_credits"] = Column(Kind.FLAG, table["outside_credits_t10"] > 0,
                                             no_rows_bad(rows))
    labels, codes = np.unique(table["category"], return_inverse=True)
    columns["category"] = Column(Kind.TEXT, codes.reshape(-1).astype(np.int64), no_rows_bad(rows),
                                 labels=tuple(str(label) for label in labels))
    return {"program": program, "columns": columns, "ranges": ranges, "rows": rows}


def compute(prepared: dict[str, Any]) -> engine.Evaluation:
    return engine.evaluate_columns(
        prepared["program"], prepared["columns"], prepared["ranges"], prepared["rows"]
    )
