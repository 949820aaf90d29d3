"""Run results: one row per participant and period, a summary, tables and file writers.

    results = run(compiled, dataset)             # any engine (see ENGINES)
    results.summary().total_shortfall            # Decimal('1000')
    results.row("F001", "first").value("cap")    # Decimal('46000')
    results.write(Path("out.parquet"))           # CSV, JSON or Parquet, written atomically

Every engine returns a `Results`; the reference engine (runtime/sequence.py) is the oracle
the columnar engine is tested against. Quantities are exact Decimals in base units.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etsl.compiler.source import Span
from etsl.runtime.arith import add
from etsl.runtime.records import Dataset, Value

if TYPE_CHECKING:
    from etsl.compiler.driver import CompiledScheme
    from etsl.runtime.trace import Trace

RESULTS_FORMAT = "etsl.results/1"

#: Consequence kinds with an amount (money or t CO2e) and kinds that are flags only.
AMOUNT_KINDS = ("fine", "order", "make_good", "deduct", "refund", "buy_on_behalf")
FLAG_KINDS = ("publish", "suspend", "action_plan")
CONSEQUENCE_KINDS = AMOUNT_KINDS + FLAG_KINDS


@dataclass(frozen=True, slots=True)
class ConsequenceResult:
    """One consequence that applied: `fine up to 500000 JPY` → amount 500000, maximum True."""

    penalty: str
    kind: str
    amount: Decimal | None
    unit: str = ""
    maximum: bool = False
    description: str | None = None


@dataclass(frozen=True, slots=True)
class EvaluationError:
    """A value that could not be computed for one participant (never a traceback)."""

    participant: str
    period: str | None
    rule: str
    message: str
    span: Span | None = None
    hint: str | None = None
    row: int = 0
    source: str = ""

    def render(self) -> str:
        where = f"{self.source}:{self.row}: " if self.source and self.row else ""
        when = f", period '{self.period}'" if self.period else ""
        at = f" [{self.span}]" if self.span else ""
        text = (
            f"{where}error: participant '{self.participant}'{when}: cannot compute "
            f"'{self.rule}': {self.message}{at}"
        )
        return text + (f"\n  hint: {self.hint}" if self.hint else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "participant": self.participant,
            "period": self.period,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
            "row": self.row or None,
            "source": self.source or None,
            "location": str(self.span) if self.span else None,
        }


@dataclass(frozen=True, slots=True)
class ParticipantResult:
    """Everything computed for one participant in one period."""

    participant: str
    period: str | None
    values: Mapping[str, Value | None]
    eligible: Mapping[str, Decimal | None] = field(default_factory=dict)
    consequences: tuple[ConsequenceResult, ...] = ()
    errors: tuple[EvaluationError, ...] = ()
    inputs: Mapping[str, Value] = field(default_factory=dict)
    trace: Trace | None = None
    row: int = 0
    source: str = ""
    consequences_known: bool = True  # False when a penalty could not be evaluated

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, kind: str) -> Decimal:
        """The sum of the amounts of every applied consequence of one kind (0 when none)."""
        return exact_sum(c.amount for c in self.consequences if c.kind == kind and c.amount)

    def flag(self, kind: str) -> bool:
        """Whether a consequence of this kind applied (`publish`, `suspend`, …)."""
        return any(c.kind == kind for c in self.consequences)

    def is_maximum(self, kind: str) -> bool:
        return any(c.kind == kind and c.maximum for c in self.consequences)

    def value(self, name: str) -> Value | None:
        """A rule or runtime value, `eligible.UNIT`, a consequence total or a flag."""
        if name.startswith("eligible."):
            return self.eligible.get(name.removeprefix("eligible."))
        if name in self.values:
            return self.values[name]
        if name in AMOUNT_KINDS:
            return self.total(name)
        if name in FLAG_KINDS:
            return self.flag(name)
        raise KeyError(name)


@dataclass(frozen=True)
class KindTotal:
    """How often a consequence kind applied and the sum of its amounts."""

    count: int
    amount: Decimal
    unit: str


@dataclass(frozen=True)
class CategorySummary:
    rows: int
    covered: int
    cap: Decimal
    obligation: Decimal
    shortfall: Decimal
    non_compliant: int


@dataclass(frozen=True)
class Summary:
    """Totals over all rows (rows with errors count in `errors`, their values are skipped)."""

    rows: int
    participants: int
    participants_covered: int
    total_cap: Decimal | None
    total_target: Decimal | None
    total_obligation: Decimal
    total_shortfall: Decimal
    total_surplus: Decimal
    non_compliant: int
    errors: int
    consequences: Mapping[str, KindTotal]
    category_field: str | None
    by_category: Mapping[str, CategorySummary]

    def to_dict(self) -> dict[str, Any]:
        return _json_object(
            {
                "rows": self.rows,
                "participants": self.participants,
                "participants_covered": self.participants_covered,
                "total_cap": self.total_cap,
                "total_target": self.total_target,
                "total_obligation": self.total_obligation,
                "total_shortfall": self.total_shortfall,
                "total_surplus": self.total_surplus,
                "non_compliant": self.non_compliant,
                "errors": self.errors,
                "consequences": {k: vars(v) for k, v in self.consequences.items()},
                "category_field": self.category_field,
                "by_category": {k: vars(v) for k, v in self.by_category.items()},
            }
        )


@dataclass(frozen=True)
class Results:
    """The rows of one run, in data order, plus problems not tied to one row's values."""

    scheme: str
    engine: str
    rows: tuple[ParticipantResult, ...]
    rule_names: tuple[str, ...]
    units: tuple[str, ...] = ()
    consequence_kinds: tuple[str, ...] = ()
    problems: tuple[EvaluationError, ...] = ()
    category_field: str | None = None

    @property
    def errors(self) -> tuple[EvaluationError, ...]:
        return self.problems + tuple(e for r in self.rows for e in r.errors)

    @property
    def ok(self) -> bool:
        return not self.errors

    def row(self, participant: str, period: str | None = None) -> ParticipantResult:
        for result in self.rows:
            if result.participant == participant and (period is None or result.period == period):
                return result
        raise KeyError(f"no row for participant {participant!r}, period {period!r}")

    def columns(self) -> list[str]:
        """Column names: participant, period, every rule, eligible.UNIT, consequences, error."""
        columns = ["participant", "period", *self.rule_names]
        columns += [f"eligible.{u}" for u in self.units]
        for kind in self.consequence_kinds:
            columns += [kind] if kind in FLAG_KINDS else [kind, f"{kind}_is_maximum"]
        return columns + ["error"]

    def to_records(self) -> list[dict[str, object]]:
        """One dict per row with Python values (Decimal, bool, str, date, None)."""
        return [_record(self, r) for r in self.rows]

    def summary(self) -> Summary:
        return summarise(self)

    def to_pandas(self) -> Any:
        """A pandas DataFrame (quantity columns hold exact Decimals, dtype object)."""
        pandas = _optional("pandas")
        return pandas.DataFrame(self.to_records(), columns=self.columns())

    def to_polars(self) -> Any:
        """A polars DataFrame (quantity columns as polars Decimal)."""
        polars = _optional("polars")
        return polars.DataFrame(self.to_records(), infer_schema_length=None)

    def to_json(self) -> dict[str, Any]:
        return _json_object(
            {
                "format": RESULTS_FORMAT,
                "scheme": self.scheme,
                "engine": self.engine,
                "summary": self.summary().to_dict(),
                "columns": self.columns(),
                "rows": self.to_records(),
                "errors": [e.to_dict() for e in self.errors],
            }
        )

    def write(self, path: Path) -> None:
        """Write rows to .csv, .json or .parquet atomically (no partial file on failure)."""
        writer = WRITERS.get(path.suffix.lower())
        if writer is None:
            raise ValueError(
                f"cannot write '{path.suffix}' files; use one of: {', '.join(sorted(WRITERS))}"
            )
        writer(self, path)


def _record(results: Results, r: ParticipantResult) -> dict[str, object]:
    record: dict[str, object] = {"participant": r.participant, "period": r.period}
    record.update({name: r.values.get(name) for name in results.rule_names})
    record.update({f"eligible.{u}": r.eligible.get(u) for u in results.units})
    known = r.consequences_known
    for kind in results.consequence_kinds:
        if kind in FLAG_KINDS:
            record[kind] = r.flag(kind) if known else None
        else:
            record[kind] = r.total(kind) if known else None
            record[f"{kind}_is_maximum"] = r.is_maximum(kind) if known else None
    record["error"] = "; ".join(f"{e.rule}: {e.message}" for e in r.errors) or None
    return record


# ---- summary ------------------------------------------------------------------------------


def _decimal(row: ParticipantResult, name: str) -> Decimal | None:
    value = row.values.get(name)
    return value if isinstance(value, Decimal) else None


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """A sum that never rounds (the built-in sum() rounds to 28 digits)."""
    total = Decimal(0)
    for value in values:
        total = add(total, value)
    return total


def _sum(rows: Iterable[ParticipantResult], name: str) -> Decimal:
    return exact_sum(v for r in rows if (v := _decimal(r, name)) is not None)


def _optional_sum(
    rows: list[ParticipantResult], name: str, rules: tuple[str, ...]
) -> Decimal | None:
    return _sum(rows, name) if name in rules else None


def _short(row: ParticipantResult) -> bool:
    shortfall = _decimal(row, "shortfall")
    return shortfall is not None and shortfall > 0


def _consequence_totals(rows: list[ParticipantResult]) -> dict[str, KindTotal]:
    totals: dict[str, KindTotal] = {}
    for consequence in (c for r in rows for c in r.consequences):
        before = totals.get(consequence.kind, KindTotal(0, Decimal(0), consequence.unit))
        totals[consequence.kind] = KindTotal(
            before.count + 1,
            add(before.amount, consequence.amount or Decimal(0)),
            before.unit or consequence.unit,
        )
    return totals


def _categories(
    rows: list[ParticipantResult], field_name: str | None
) -> dict[str, CategorySummary]:
    if field_name is None:
        return {}
    groups: dict[str, list[ParticipantResult]] = {}
    for row in rows:
        groups.setdefault(str(row.inputs.get(field_name, "?")), []).append(row)
    return {
        key: CategorySummary(
            len(group),
            sum(r.values.get("covered") is True for r in group),
            _sum(group, "cap"),
            _sum(group, "obligation"),
            _sum(group, "shortfall"),
            sum(map(_short, group)),
        )
        for key, group in sorted(groups.items())
    }


def summarise(results: Results) -> Summary:
    rows = list(results.rows)
    computed = [r for r in rows if r.ok]
    return Summary(
        rows=len(rows),
        participants=len({r.participant for r in rows}),
        participants_covered=len({r.participant for r in rows if r.values.get("covered") is True}),
        total_cap=_optional_sum(computed, "cap", results.rule_names),
        total_target=_optional_sum(computed, "target", results.rule_names),
        total_obligation=_sum(computed, "obligation"),
        total_shortfall=_sum(computed, "shortfall"),
        total_surplus=_sum(computed, "surplus"),
        non_compliant=sum(map(_short, computed)),
        errors=len(results.errors),
        consequences=_consequence_totals(computed),
        category_field=results.category_field,
        by_category=_categories(computed, results.category_field),
    )


# ---- writers ------------------------------------------------------------------------------


def plain(value: object) -> object:
    """A value as JSON/CSV text would show it: exact decimals as strings without exponent."""
    if isinstance(value, Decimal):
        if value.is_zero():
            return "0"  # never "-0" (both engines write the same files)
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, date):
        return value.isoformat()
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return plain(value)


def _json_object(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): _jsonable(v) for k, v in value.items()}


def write_json(results: Results, path: Path) -> None:
    from etsl.output import write_text

    write_text(path, json.dumps(results.to_json(), indent=2) + "\n")


def _csv_cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else plain(value)


def write_csv(results: Results, path: Path) -> None:
    import csv

    from etsl.output import atomic_open

    columns = results.columns()
    with atomic_open(path, "w") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for record in results.to_records():
            writer.writerow([_csv_cell(record[c]) for c in columns])


def _arrow_column(values: list[object]) -> Any:
    """An Arrow array: decimal128(38, 18) when every decimal fits exactly, else strings."""
    pyarrow = _optional("pyarrow")
    decimals = [v for v in values if isinstance(v, Decimal)]
    if decimals and len(decimals) == sum(v is not None for v in values):
        if all(_fits(d) for d in decimals):
            return pyarrow.array(values, type=pyarrow.decimal128(38, 18))
        return pyarrow.array(
            [None if v is None else plain(v) for v in values], type=pyarrow.string()
        )
    if any(isinstance(v, Decimal) for v in values):
        return pyarrow.array([None if v is None else str(plain(v)) for v in values])
    return pyarrow.array(values)


def _fits(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return places <= 18 and abs(value) < Decimal(10) ** 20


def write_parquet(results: Results, path: Path) -> None:
    pyarrow = _optional("pyarrow")
    parquet = importlib.import_module("pyarrow.parquet")
    from etsl.output import atomic_path

    records = results.to_records()
    columns = results.columns()
    table = pyarrow.table({c: _arrow_column([r[c] for r in records]) for c in columns})
    with atomic_path(path) as temporary:
        parquet.write_table(table, temporary)


WRITERS: dict[str, Callable[[Results, Path], None]] = {
    ".csv": write_csv,
    ".json": write_json,
    ".parquet": write_parquet,
}


class MissingDependency(ImportError):
    """An optional package (pandas, polars, pyarrow) is needed but not installed."""


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(f"this needs the '{module}' package: pip install {module}") from exc


# ---- engines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunOptions:
    """How to run: which period to report, traces for explain, a participant filter."""

    period: str | None = None
    trace: bool = False
    participants: frozenset[str] | None = None
    progress: Callable[[int, int], None] | None = None


Engine = Callable[["CompiledScheme", Dataset, RunOptions], Results]

#: engine name → "module:function"; an engine is available once its module exists.
ENGINES: dict[str, str] = {
    "reference": "etsl.runtime.sequence:run",
    "columnar": "etsl.runtime.columnar:run",
}


def available_engines() -> list[str]:
    return [
        name
        for name, target in ENGINES.items()
        if importlib.util.find_spec(target.split(":")[0]) is not None
    ]


class UnknownEngine(ValueError):
    pass


def engine(name: str) -> Engine:
    """The run function of a registered engine."""
    if name not in available_engines():
        raise UnknownEngine(f"unknown engine '{name}'; available: {', '.join(available_engines())}")
    module_name, function = ENGINES[name].split(":")
    run: Engine = getattr(importlib.import_module(module_name), function)
    return run
