"""Run results: one row per participant and period, a summary, tables and file writers.

    results = run(compiled, dataset)             # any engine (see ENGINES)
    results.summary().total_shortfall            # Decimal('1000')
    results.row("F001", "first").value("cap")    # Decimal('46000')
    results.write(Path("out.parquet"))           # CSV, JSON or Parquet, written atomically

Every engine returns a `Results`; the reference engine (runtime/reference/sequence.py) is the oracle
the columnar engine is tested against. Quantities are exact Decimals in base units.
"""

from __future__ import annotations

import collections
import importlib
import importlib.util
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etsl.compiler.codes import CODES
from etsl.compiler.enums import AMOUNT_KINDS, FLAG_KINDS
from etsl.compiler.errors import EtslError
from etsl.compiler.source import Span
from etsl.runtime.records import Holding, Value
from etsl.runtime.results.summary import Summary, Tally, exact_sum

if TYPE_CHECKING:
    from etsl.compiler.program import Program
    from etsl.runtime.results.trace import Trace

RESULTS_FORMAT = "etsl.results/1"


@dataclass(frozen=True, slots=True)
class ConsequenceResult:
    """One consequence that applied: `fine up to 500000 JPY` → amount 500000, maximum True;
    `fine from 250000 JPY up to 500000 JPY` → the same with minimum 250000."""

    penalty: str
    kind: str
    amount: Decimal | None
    unit: str = ""
    maximum: bool = False
    description: str | None = None
    mix: OwedMix | None = None
    within: str | None = None  # the time allowed to settle, as a reader reads it ("5 day")
    minimum: Decimal | None = None  # the least of a range (`from A up to B`), else None

    @property
    def least(self) -> Decimal | None:
        """The least it may be: its minimum, 0 for a bare maximum, else its amount."""
        if self.minimum is not None:
            return self.minimum
        return Decimal(0) if self.maximum and self.amount is not None else self.amount


@dataclass(frozen=True, slots=True)
class OwedMix:
    """What a unit mix makes of an amount owed: `with CCA, QCA at least 75 %` of 40,000 t
    is at least 30,000 t of CCA or QCA, so at most 10,000 t of any other unit type."""

    units: tuple[str, ...]
    bound: str  # "at least" or "at most"
    share: Decimal
    amount: Decimal  # share × the amount owed
    owed: Decimal  # the amount owed

    def text(self) -> str:
        from etsl.compiler.display import format_value

        return f"{self.bound} {format_value(self.amount, 'tCO2e')} of {', '.join(self.units)}"


@dataclass(frozen=True, slots=True)
class EvaluationError:
    """A value that could not be computed for one participant (never a traceback).

    `code` is a registered code (compiler/codes.py): of the "evaluation" area, or of the
    "data" area when the engine finds a problem of the rows themselves (a Dataset built
    in Python is not checked by the data reader).
    """

    code: str
    participant: str
    period: str | None
    rule: str
    message: str
    span: Span | None = None
    hint: str | None = None
    row: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered evaluation error code {self.code!r}")

    def render(self) -> str:
        """`file:row: error: participant 'P', period 'p': cannot compute 'r': … [at]  [code]`."""
        where = f"{self.source}:{self.row}: " if self.source and self.row else ""
        when = f", period '{self.period}'" if self.period else ""
        at = f" [{self.span}]" if self.span else ""
        text = (
            f"{where}error: participant '{self.participant}'{when}: cannot compute "
            f"'{self.rule}': {self.message}{at}  [{self.code}]"
        )
        return text + (f"\n  hint: {self.hint}" if self.hint else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
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
    carried: tuple[Holding, ...] = ()  # credit and offset lots handed to the next period
    year: int | None = None  # the row's year, in a period kept by year
    participant_type: str | None = None  # the row's participant block, when the data says

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

    def minimum(self, kind: str) -> Decimal:
        """The least the consequences of one kind may total (`fine from A up to B` → A)."""
        return exact_sum(c.least for c in self.consequences if c.kind == kind and c.least)

    def value(self, name: str) -> Value | None:
        """A rule or runtime value, `eligible.UNIT`, a consequence total or a flag."""
        if name.startswith("eligible."):
            return self.eligible.get(name.removeprefix("eligible."))
        if name in self.values:
            return self.values[name]
        if name in AMOUNT_KINDS:
            return self.total(name)
        kind, _, part = name.partition(".")
        if kind in AMOUNT_KINDS and part == "minimum":
            return self.minimum(kind)
        if name in FLAG_KINDS:
            return self.flag(name)
        raise KeyError(name)


class OnDemandRows(Sequence[ParticipantResult]):
    """Rows computed (or fetched) on demand, in data order, never all held at once.

    Iterating computes the rows again each time; a slice from the start computes only
    what it shows; other indexing keeps every row (the API's random access).
    """

    def __init__(self, rows: Callable[[], Iterator[ParticipantResult]], count: int) -> None:
        self._rows = rows
        self._count = count
        self._all: list[ParticipantResult] | None = None

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ParticipantResult]:
        return iter(self._all) if self._all is not None else self._rows()

    def __getitem__(self, index: Any) -> Any:
        prefix = isinstance(index, slice) and index.start in (None, 0) and index.step in (None, 1)
        if prefix and self._all is None and index.stop is not None and index.stop >= 0:
            return tuple(itertools.islice(self._rows(), index.stop))
        if self._all is None:
            self._all = list(self._rows())
        return self._all[index]


@dataclass(frozen=True)
class WriteOptions:
    """How to write a results file.

    `raw_csv`: write CSV cells as they are (compiler/spreadsheet.py neutralises cells a
    spreadsheet would run as formulas unless this is set). `allow_errors`: when False and
    some value could not be computed, nothing is written (ResultsHaveErrors).
    """

    raw_csv: bool = False
    allow_errors: bool = True


class ResultsHaveErrors(EtslError):
    """Some values could not be computed and the write options do not allow writing them."""


@dataclass(frozen=True)
class Results:
    """The rows of one run, in data order, plus problems not tied to one row's values.

    `rows` may be computed on demand (OnDemandRows): a results file is then written while
    the rows are computed, and the summary and errors are gathered on the same pass.
    """

    scheme: str
    engine: str
    rows: Sequence[ParticipantResult]
    rule_names: tuple[str, ...]
    units: tuple[str, ...] = ()
    consequence_kinds: tuple[str, ...] = ()
    problems: tuple[EvaluationError, ...] = ()
    category_field: str | None = None
    by_year: bool = False  # rows carry a year (some period is kept by year)
    typed: bool = False  # rows carry a participant type (the data has a `type` column)
    ranged_kinds: tuple[str, ...] = ()  # kinds some consequence states a range of (`from`)
    scanned: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        program: Program,
        engine: str,
        rows: Sequence[ParticipantResult],
        problems: Sequence[EvaluationError] = (),
        by_year: bool = False,
        typed: bool = False,
    ) -> Results:
        """The results of one engine's run of a Program: its columns come from the Program."""
        return cls(
            program.name,
            engine,
            rows,
            program.rule_names,
            tuple(program.units),
            program.consequence_kinds,
            tuple(problems),
            program.category_field,
            by_year,
            typed,
            program.ranged_kinds,
        )

    def stream(self) -> Iterator[ParticipantResult]:
        """Every row once, in data order; the summary and errors are gathered on the way."""
        tally = Tally(self.rule_names, self.category_field, self.ranged_kinds)
        errors = list(self.problems)
        for row in self.rows:
            tally.add_rows((row,))
            errors += row.errors
            yield row
        self.scanned.update(
            summary=tally.summary(extra_errors=len(self.problems)), errors=tuple(errors)
        )

    def _scan(self) -> dict[str, Any]:
        if "summary" not in self.scanned:
            collections.deque(self.stream(), maxlen=0)
        return self.scanned

    @property
    def errors(self) -> tuple[EvaluationError, ...]:
        errors: tuple[EvaluationError, ...] = self._scan()["errors"]
        return errors

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
        columns = ["participant", "period", *(["year"] if self.by_year else [])]
        columns += [*(["type"] if self.typed else []), *self.rule_names]
        columns += [f"eligible.{u}" for u in self.units]
        for kind in self.consequence_kinds:
            columns += [kind] if kind in FLAG_KINDS else [kind, f"{kind}_is_maximum"]
            columns += [f"{kind}_minimum"] if kind in self.ranged_kinds else []
        return columns + ["error"]

    def records(self) -> Iterator[dict[str, object]]:
        """One dict per row with Python values, streamed (see `stream`)."""
        return (result_record(self, r) for r in self.stream())

    def to_records(self) -> list[dict[str, object]]:
        """One dict per row with Python values (Decimal, bool, str, date, None)."""
        return list(self.records())

    def summary(self) -> Summary:
        """Totals over every row (runtime/results/summary.py)."""
        summary: Summary = self._scan()["summary"]
        return summary

    def to_pandas(self) -> Any:
        """A pandas DataFrame (quantity columns hold exact Decimals, dtype object)."""
        pandas = optional_module("pandas")
        return pandas.DataFrame(self.to_records(), columns=self.columns())

    def to_polars(self) -> Any:
        """A polars DataFrame (quantity columns as polars Decimal)."""
        polars = optional_module("polars")
        return polars.DataFrame(self.to_records(), infer_schema_length=None)

    def to_json(self) -> dict[str, Any]:
        """The document `etsl run -o OUT.json` writes (summary and errors after the rows)."""
        return json_object(
            {
                **self.json_head(),
                "rows": self.to_records(),
                "errors": [e.to_dict() for e in self.errors],
                "summary": self.summary().to_dict(),
            }
        )

    def json_head(self) -> dict[str, Any]:
        return {
            "format": RESULTS_FORMAT,
            "scheme": self.scheme,
            "engine": self.engine,
            "columns": self.columns(),
        }

    def write(self, path: Path, options: WriteOptions | None = None) -> None:
        """Write rows to .csv, .json, .jsonl or .parquet atomically (no partial file on
        failure or when `options` do not allow errors and some value has one)."""
        from etsl.runtime.results.writers import WRITERS

        writer = WRITERS.get(path.suffix.lower())
        if writer is None:
            raise ValueError(
                f"cannot write '{path.suffix}' files; use one of: {', '.join(sorted(WRITERS))}"
            )
        writer(self, path, options or WriteOptions())


def result_record(results: Results, r: ParticipantResult) -> dict[str, object]:
    record: dict[str, object] = {"participant": r.participant, "period": r.period}
    if results.by_year:
        record["year"] = r.year
    if results.typed:
        record["type"] = r.participant_type
    record.update({name: r.values.get(name) for name in results.rule_names})
    record.update({f"eligible.{u}": r.eligible.get(u) for u in results.units})
    known = r.consequences_known
    for kind in results.consequence_kinds:
        if kind in FLAG_KINDS:
            record[kind] = r.flag(kind) if known else None
        else:
            record[kind] = r.total(kind) if known else None
            record[f"{kind}_is_maximum"] = r.is_maximum(kind) if known else None
        if kind in results.ranged_kinds:
            record[f"{kind}_minimum"] = r.minimum(kind) if known else None
    record["error"] = "; ".join(f"{e.rule}: {e.message}" for e in r.errors) or None
    return record


# ---- plain values -------------------------------------------------------------------------


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


def jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return plain(value)


def json_object(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): jsonable(v) for k, v in value.items()}


def csv_cell(value: object) -> object:
    """A value as a CSV cell: true/false, exact decimals, empty for None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else plain(value)


class MissingDependency(EtslError, ImportError):
    """An optional package (pandas, polars, pyarrow) is needed but not installed."""


def optional_module(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(f"this needs the '{module}' package: pip install {module}") from exc


# ---- engines ------------------------------------------------------------------------------


#: The system values a row of a period (and year) reads (runtime/reference/system.py).
SystemValues = Callable[[str | None, int | None], Mapping[str, Value]]


@dataclass(frozen=True)
class RunOptions:
    """How to run: which period to report, traces for explain, a participant filter."""

    period: str | None = None
    trace: bool = False
    participants: frozenset[str] | None = None
    progress: Callable[[int, int], None] | None = None
    system: SystemValues | None = None
