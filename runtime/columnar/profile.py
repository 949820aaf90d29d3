"""Checks and profile of the columnar engine's RAW table, and the layout the compiler reads.

Cells the reference reader would reject are found in SQL; number columns are profiled
(decimal places, integer digits, blanks) so the query can cast them to exact DECIMALs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from etsl.compiler.driver import CompiledScheme
from etsl.compiler.numbers import MAX_DIGITS
from etsl.runtime.columnar.data import (
    CELLS,
    CHAINED,
    DATE_PATTERN,
    DEFAULT_CONTEXT_DIGITS,
    FALSE_WORDS,
    RAW,
    TRUE_WORDS,
    WHITESPACE,
    Fallback,
    Source,
    call,
    column,
    literal,
    quoted,
    sql_of,
    step_columns,
)
from etsl.runtime.columnar.sql.types import ROW, InputColumn, Kind, Layout, Num, decimal_type
from etsl.runtime.data.checks import MAX_CELL, Spec
from etsl.runtime.data.columns import RUNTIME_COLUMNS
from sqlglot import exp

# ---- checks and profile: what the reference reader would reject, and each column's shape ------


@dataclass(frozen=True)
class ColumnProfile:
    """A number column: the most decimal places and integer digits, and whether blanks occur."""

    places: int
    digits: int
    blanks: int


def _bad(spec: Spec, value: exp.Expr) -> exp.Expr:
    """True for a cell the reference reader would reject (see runtime/data/checks.py)."""
    present = exp.not_(exp.Is(this=value.copy(), expression=exp.Null()))
    tests = {
        "number": _not_a_number(value),
        "choice": exp.not_(
            exp.In(this=value.copy(), expressions=[literal(c) for c in spec.choices])
        ),
        "bool": exp.not_(
            exp.In(
                this=exp.Lower(this=value.copy()),
                expressions=[literal(w) for w in TRUE_WORDS + FALSE_WORDS],
            )
        ),
        "date": exp.or_(
            exp.not_(call("regexp_full_match", value.copy(), literal(DATE_PATTERN))),
            exp.Is(
                this=exp.TryCast(this=value.copy(), to=exp.DataType.build("DATE")),
                expression=exp.Null(),
            ),
        ),
    }
    bad: exp.Expr = exp.false()
    if spec.kind in tests:
        bad = exp.and_(present, tests[spec.kind])
    if spec.kind == "choice" and not spec.choices:
        bad = present
    if spec.kind == "text":
        edges = call("regexp_matches", value.copy(), literal(f"^{WHITESPACE}|{WHITESPACE}$"))
        bad = exp.and_(present.copy(), edges)
    if spec.kind == "number" and spec.nonnegative:
        negative = exp.and_(
            call("starts_with", value.copy(), literal("-")),
            call("regexp_matches", value.copy(), literal("[1-9]")),
        )
        bad = exp.or_(bad, negative)
    if spec.required:
        bad = exp.or_(bad, exp.Is(this=value.copy(), expression=exp.Null()))
    too_long = exp.GT(this=exp.Length(this=value.copy()), expression=literal(MAX_CELL))
    return exp.or_(bad, too_long)


def _not_a_number(value: exp.Expr) -> exp.Expr:
    """Text the reference reader would not read as a plain decimal (or that has an exponent).

    DuckDB's cast accepts what the reader's pattern accepts, and also digits grouped with
    '_' (found by fuzzing both); exponents are left to the reader too, since the profile
    counts places in the text, and so is any non-ASCII character (the reader reads only
    the digits 0-9). Faster than the regular expression NUMBER_PATTERN.
    """
    failed = exp.Is(
        this=exp.TryCast(this=value.copy(), to=decimal_type(38, 18)), expression=exp.Null()
    )
    odd = [call("contains", value.copy(), literal(c)) for c in ("_", "e", "E")]
    other_digits = call("regexp_matches", value.copy(), literal("[^[:ascii:]]"))
    return exp.or_(failed, *odd, other_digits)


def _places(value: exp.Expr) -> exp.Expr:
    """The decimal places a value needs: those after the point less its trailing zeros
    (`1000.000000` needs none, so the column's DECIMAL, and every type computed from it,
    stays as narrow as the values are; the cast from text drops only zeros)."""
    dot = call("strpos", value.copy(), literal("."))
    significant = call("rtrim", value.copy(), literal("0"))
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=dot, expression=literal(0)),
                true=exp.Sub(this=exp.Length(this=significant), expression=dot.copy()),
            )
        ],
        default=literal(0),
    )


def _digits(value: exp.Expr) -> exp.Expr:
    """A bound on the integer digits: the characters before the point (sign included)."""
    dot = call("strpos", value.copy(), literal("."))
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=dot, expression=literal(0)),
                true=exp.Sub(this=dot.copy(), expression=literal(1)),
            )
        ],
        default=exp.Length(this=value.copy()),
    )


def check_and_profile(
    connection: Any, source: Source, period_filter: str | None = None
) -> tuple[dict[str, ColumnProfile], int] | Fallback:
    """One pass over RAW: reject what the reference reader rejects, profile the number
    columns, and count the rows to evaluate (each participant once: no carry-over chains)."""
    aggregates: list[exp.Expr] = [exp.alias_(exp.Count(this=exp.Star()), "rows")]
    for target, spec in source.specs.items():
        value = column(target)
        aggregates.append(
            exp.alias_(exp.CountIf(this=_bad(spec, value)), f"bad:{target}", quoted=True)
        )
        aggregates.append(
            exp.alias_(
                exp.CountIf(this=exp.Is(this=value.copy(), expression=exp.Null())),
                f"blanks:{target}",
                quoted=True,
            )
        )
        if spec.kind == "number":
            aggregates += [
                exp.alias_(exp.Max(this=_places(value)), f"places:{target}", quoted=True),
                exp.alias_(exp.Max(this=_digits(value)), f"digits:{target}", quoted=True),
            ]
    aggregates += _key_counts(source, period_filter)
    query = exp.select(*aggregates).from_(exp.Table(this=quoted(RAW)))
    cursor = connection.execute(sql_of(query))
    names = [d[0] for d in cursor.description]
    stats = dict(zip(names, cursor.fetchone(), strict=True))
    stats.setdefault("keys", stats["ids"])
    stats.setdefault("selected", stats["rows"])
    if any(v for k, v in stats.items() if k.startswith("bad:")) or stats["keys"] != stats["rows"]:
        return Fallback("the data needs the reference reader's checks", notice=False)
    if stats["ids"] != stats["selected"] or stats.get("all_ids", stats["rows"]) != stats["rows"]:
        return Fallback(CHAINED)  # with a period chosen too: earlier periods carry into it
    if stats["selected"] == 0:
        return Fallback("there are no rows to evaluate", notice=False)
    profiles = {}
    for target, spec in source.specs.items():
        if spec.kind != "number":
            profiles[target] = ColumnProfile(0, 0, int(stats[f"blanks:{target}"]))
            continue
        places, digits = int(stats[f"places:{target}"] or 0), int(stats[f"digits:{target}"] or 0)
        if places > source.max_places or places + digits > MAX_DIGITS:
            return Fallback("the data needs the reference reader's checks", notice=False)
        profiles[target] = ColumnProfile(places, digits, int(stats[f"blanks:{target}"]))
    return profiles, int(stats["selected"])


def _key_counts(source: Source, period_filter: str | None) -> list[exp.Expr]:
    """rows per (id, period) must be 1 (`keys`); among the rows to evaluate (`selected`),
    each participant once (`ids`)."""
    if "period" not in source.specs:
        return [exp.alias_(exp.Count(this=exp.Distinct(expressions=[column("id")])), "ids")]
    keys = exp.Tuple(expressions=[column("id"), column("period")])
    found = [exp.alias_(exp.Count(this=exp.Distinct(expressions=[keys])), "keys")]
    distinct_ids: exp.Expr = exp.Count(this=exp.Distinct(expressions=[column("id")]))
    if period_filter is None:
        return [*found, exp.alias_(distinct_ids, "ids")]
    chosen = exp.EQ(this=column("period"), expression=literal(period_filter))
    return [
        *found,
        exp.alias_(exp.Filter(this=distinct_ids, expression=exp.Where(this=chosen)), "ids"),
        exp.alias_(distinct_ids.copy(), "all_ids"),
        exp.alias_(exp.CountIf(this=chosen.copy()), "selected"),
    ]


def _significant(value: Decimal) -> int:
    return len(value.normalize().as_tuple().digits)


def layout_of(
    compiled: CompiledScheme, source: Source, profiles: Mapping[str, ColumnProfile]
) -> Layout | Fallback:
    """Where the compiled query finds each input, with its exact DECIMAL shape."""
    inputs, holdings, present = {}, {}, {}
    for target, spec in source.specs.items():
        if target in ("id", "period"):
            continue
        if target.startswith("present."):
            present[target.removeprefix("present.")] = target
            continue
        entry = _input_column(target, spec, profiles.get(target))
        if isinstance(entry, Fallback):
            return entry
        if target.startswith("held."):
            holdings[target.removeprefix("held.")] = entry
        elif (
            target in compiled.program.inputs
            or target in RUNTIME_COLUMNS
            or target in step_columns(compiled.program)
        ):
            inputs[target] = entry
    period_column = "period" if "period" in source.specs else None
    return Layout(
        CELLS,
        "id",
        period_column,
        source.period,
        inputs,
        holdings,
        row_column=ROW,
        present=present,
        checked=True,
    )


_KINDS = {
    "number": Kind.NUM,
    "choice": Kind.TEXT,
    "text": Kind.TEXT,
    "bool": Kind.BOOL,
    "date": Kind.DATE,
}


def _input_column(target: str, spec: Spec, profile: ColumnProfile | None) -> InputColumn | Fallback:
    kind = _KINDS[spec.kind]
    if kind is not Kind.NUM or profile is None:
        return InputColumn(target, kind, None, profile is None or profile.blanks > 0)
    if (
        spec.scale != 1
        and profile.digits + profile.places + _significant(spec.scale) > DEFAULT_CONTEXT_DIGITS
    ):
        return Fallback(
            f"converting '{target}' to base units needs more than {DEFAULT_CONTEXT_DIGITS} digits"
        )
    return InputColumn(
        target, kind, Num(profile.digits, profile.places), profile.blanks > 0, spec.scale
    )


def cells_view(source: Source, period_filter: str | None) -> exp.Select:
    """CELLS: RAW with booleans and dates typed, rows of other periods left out; `$row`
    is RAW's row id (the data order)."""
    selected: list[exp.Expr] = [exp.alias_(exp.column("rowid"), ROW, quoted=True)]
    for target, spec in source.specs.items():
        value: exp.Expr = column(target)
        if spec.kind == "bool":
            value = exp.In(this=exp.Lower(this=value), expressions=[literal(w) for w in TRUE_WORDS])
        elif spec.kind == "date":
            value = exp.cast(value, "DATE")
        selected.append(exp.alias_(value, target, quoted=True))
    query = exp.select(*selected).from_(exp.Table(this=quoted(RAW)))
    if period_filter is not None and "period" in source.specs:
        query = query.where(exp.EQ(this=column("period"), expression=literal(period_filter)))
    return query
