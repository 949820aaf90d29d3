"""Participant data in: read, check against a compiled scheme, and build a Dataset.

    load_dataset(Path("facilities.csv"), scheme) -> (Dataset | None, problems)

Every problem in the files is reported at once, located as `file:row:column`; the dataset is
None when any of them is an error (warnings alone keep it). See docs/data.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from etsl.compiler import codes
from etsl.compiler.diagnostics import did_you_mean
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.errors import EtslError
from etsl.runtime.data.checks import (
    DataProblem,
    Invalid,
    data_problem,
    has_errors,
    parse_cell,
    render_problems,
)
from etsl.runtime.data.columns import (
    Column,
    Plan,
    holdings_classifier,
    holdings_expected,
    holdings_required,
    missing_columns,
    other_type,
    plan_table,
    wide_classifier,
    wide_expected,
    wide_required,
)
from etsl.runtime.data.readers import RawRow, RawTable, read_table
from etsl.runtime.records import Dataset, Holding, Record, Value
from etsl.runtime.steps import missing_years, step_problem

__all__ = [
    "DataProblem",
    "MappingError",
    "load_dataset",
    "load_mapping",
    "read_mapping",
    "render_problems",
]


@dataclass(frozen=True, slots=True)
class Row:
    """A data row's parsed values by target; `ok` is False when a cell was invalid."""

    row: int
    values: dict[str, Value]
    ok: bool


#: A participant's record and its `held.UNIT` amounts from the same row.
Entry = tuple[Record, dict[str, Decimal]]
#: Whether a row (its values so far) may leave a target's cell blank.
Optional = Callable[[Mapping[str, Value], str], bool]


def _types_given(table: RawTable, plan: Plan) -> frozenset[str] | None:
    """The participant types a `type` column gives (None without one, or when a row leaves
    it blank: such a row needs every input)."""
    column = next((c for c in plan.columns if c.target == "type"), None)
    if column is None:
        return None
    cells = [(_cell(raw, column) or "").strip() for raw in table.rows]
    return None if any(not c for c in cells) else frozenset(cells)


def load_dataset(
    path: Path,
    scheme: CompiledScheme,
    holdings: Path | None = None,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    period: str | None = None,
) -> tuple[Dataset | None, list[DataProblem]]:
    """Read the participant table (and holdings table), check them, and build the Dataset.

    `mapping` renames file columns to inputs; `strict` makes unknown columns (and every
    warning) errors; `period` is the period of rows that give none (every row when the file
    has no period column). Rows of other periods are kept: earlier periods carry over.
    """
    mapping = mapping or {}
    problems = period_problems(path, scheme, period)
    table, found = read_table(path)
    problems += found
    records: list[Entry] = []
    if table is not None:
        records, found = participant_records(table, scheme, mapping, strict, period)
        problems += found
    held = holdings_from_columns(scheme, records)
    if holdings is not None:
        known = {record.participant for record, _ in records} if table is not None else None
        more, found = read_holdings(holdings, scheme, mapping, strict, known)
        held += more
        problems += found
    if strict:
        problems = [replace(p, severity="error") for p in problems]
    if has_errors(problems):
        return None, problems
    return Dataset(tuple(r for r, _ in records), tuple(held)), problems


def period_problems(path: Path, scheme: CompiledScheme, period: str | None) -> list[DataProblem]:
    periods = scheme.program.period_names
    if period is None or period in periods:
        return []
    hint = did_you_mean(period, periods) or f"periods: {', '.join(periods) or 'none'}"
    return [
        data_problem(
            codes.DATA_UNKNOWN_VALUE,
            str(path),
            0,
            "",
            f"period '{period}' is not a period of scheme '{scheme.name}'",
            hint,
        )
    ]


# ---- rows -------------------------------------------------------------------------------


def parse_rows(
    table: RawTable, plan: Plan, optional: Optional | None = None
) -> tuple[list[Row], list[DataProblem]]:
    """Every row's values by target, and a problem for every invalid cell; `optional` says
    which targets a row may leave blank (another participant type's inputs). Columns are
    read in plan order, except `type`, which is read first."""
    rows: list[Row] = []
    problems: list[DataProblem] = []
    columns = sorted(plan.columns, key=lambda c: c.target != "type")
    for raw in table.rows:
        values: dict[str, Value] = {}
        before = len(problems)
        for column in columns:
            cell = _cell(raw, column)
            if optional and (cell is None or not cell.strip()) and optional(values, column.target):
                continue
            parsed = parse_cell(column.spec, cell)
            if isinstance(parsed, Invalid):
                problems.append(parsed.at(table.path, raw.row, column.header))
            elif parsed is not None:
                values[column.target] = parsed
        rows.append(Row(raw.row, values, len(problems) == before))
    return rows, problems


def _cell(raw: RawRow, column: Column) -> str | None:
    return raw.cells[column.index] if column.index < len(raw.cells) else None


def _no_rows(table: RawTable, what: str) -> list[DataProblem]:
    if not table.columns or not any(table.columns):
        return [
            data_problem(
                codes.DATA_EMPTY,
                table.path,
                1,
                "",
                "the header row is empty",
                "the first row must name the columns",
            )
        ]
    if table.rows:
        return []
    return [
        data_problem(
            codes.DATA_EMPTY,
            table.path,
            0,
            "",
            f"the file has a header but no {what}",
            f"add one row per {what.removesuffix('s')}",
        )
    ]


# ---- the participant table ---------------------------------------------------------------


def participant_records(
    table: RawTable,
    scheme: CompiledScheme,
    mapping: Mapping[str, str],
    strict: bool,
    period: str | None,
) -> tuple[list[Entry], list[DataProblem]]:
    """Records of the wide table, each with its held.UNIT amounts; problems found on the way."""
    plan = plan_table(table, mapping, wide_classifier(scheme), wide_expected(scheme), strict)
    default = period or only_period(scheme)
    needs_period = default is None and len(scheme.program.periods) > 1
    if scheme.program.by_year and plan.has("year") and not plan.has("period"):
        needs_period = False
    required = wide_required(scheme, needs_period, _types_given(table, plan))
    problems = (
        list(plan.problems)
        + missing_columns(table, plan, required, mapping)
        + _no_rows(table, "participants")
    )
    typed = (
        (lambda values, target: other_type(scheme, target, values.get("type")))
        if plan.has("type")
        else None
    )
    rows, found = parse_rows(table, plan, typed)
    problems += found
    problems += _duplicates(table.path, rows, plan.has("period"), default)
    entries = [
        _record(scheme, table.path, row, default) for row in rows if row.ok and "id" in row.values
    ]
    return entries, problems + _step_problems(scheme, table.path, entries)


def _step_problems(scheme: CompiledScheme, path: str, entries: list[Entry]) -> list[DataProblem]:
    """Rows whose year does not fit their period; participants missing a year of a period."""
    program = scheme.program
    if not program.by_year:
        return []
    keyed = [(r.participant, r.period, r.year, r.row) for r, _ in entries if r.period]
    steps = [(key, step_problem(program, key[1], key[2])) for key in keyed]
    found = [(key[3], p) for key, p in steps if p is not None]
    fitting = [key for key, p in steps if p is None]
    found += [(row, problem) for _, row, problem in missing_years(program, fitting)]
    return [data_problem(p.code, path, row, p.column, p.message, p.hint) for row, p in found]


def only_period(scheme: CompiledScheme) -> str | None:
    periods = list(scheme.program.period_names)
    return periods[0] if len(periods) == 1 else None


def _record(scheme: CompiledScheme, path: str, row: Row, default: str | None) -> Entry:
    values = dict(row.values)
    participant = str(values.pop("id"))
    year = _year(scheme, values)
    participant_type = values.pop("type", None)
    period = values.pop("period", None)
    if period is None and year is not None:
        period = scheme.program.period_of_year(year)
    period = default if period is None else period
    held = {k.removeprefix("held."): values.pop(k) for k in list(values) if k.startswith("held.")}
    record = Record(
        participant,
        None if period is None else str(period),
        values,
        row.row,
        path,
        year,
        None if participant_type is None else str(participant_type),
    )
    return record, {u: q for u, q in held.items() if isinstance(q, Decimal)}


def _year(scheme: CompiledScheme, values: dict[str, Value]) -> int | None:
    """The row's year (schemes with periods kept by year); an input `year` keeps its value."""
    if not scheme.program.by_year or values.get("year") is None:
        return None
    text = values["year"] if "year" in scheme.program.inputs else values.pop("year")
    return int(str(text).split(".")[0])


def _duplicates(
    path: str, rows: list[Row], has_period: bool, default: str | None
) -> list[DataProblem]:
    """A problem for each repeated (participant, period) among rows whose keys could be read."""
    seen: dict[tuple[Value, Value | None, Value | None], int] = {}
    problems = []
    for row in rows:
        if "id" not in row.values or (has_period and "period" not in row.values):
            continue
        key = (row.values["id"], row.values.get("period", default), row.values.get("year"))
        first = seen.setdefault(key, row.row)
        if first == row.row:
            continue
        during = f" for period '{key[1]}'" if key[1] is not None else ""
        during += f", year {key[2]}" if key[2] is not None else ""
        problems.append(
            data_problem(
                codes.DATA_DUPLICATE_ROW,
                path,
                row.row,
                "id",
                f"participant '{key[0]}' appears twice{during}",
                f"its first row is row {first}; give each participant one row per period",
            )
        )
    return problems


def holdings_from_columns(scheme: CompiledScheme, entries: list[Entry]) -> list[Holding]:
    """`held.UNIT` amounts as holdings with the unit type's declared attributes (0 adds none)."""
    return [
        Holding(
            record.participant,
            record.period,
            unit,
            quantity,
            declared_attributes(scheme, unit),
            record.row,
            record.source,
            record.year,
        )
        for record, held in entries
        for unit, quantity in held.items()
        if quantity != 0
    ]


# ---- the holdings table ------------------------------------------------------------------


def read_holdings(
    path: Path,
    scheme: CompiledScheme,
    mapping: Mapping[str, str],
    strict: bool,
    known: set[str] | None,
) -> tuple[list[Holding], list[DataProblem]]:
    """Holding rows of the long table; a warning for holders not among `known` participants."""
    table, problems = read_table(path)
    if table is None:
        return [], problems
    plan = plan_table(
        table, mapping, holdings_classifier(scheme), holdings_expected(scheme), strict
    )
    problems += list(plan.problems) + missing_columns(table, plan, holdings_required(), mapping)
    problems += _no_rows(table, "holdings")
    rows, found = parse_rows(table, plan)
    problems += found
    holdings = [
        _holding(table.path, row, scheme)
        for row in rows
        if row.ok and {"participant", "unit", "quantity"} <= set(row.values)
    ]
    if known is not None:
        problems += list(_strangers(table.path, holdings, known))
    return holdings, problems


def _holding(path: str, row: Row, scheme: CompiledScheme) -> Holding:
    values = dict(row.values)
    participant, unit = str(values.pop("participant")), str(values.pop("unit"))
    quantity = values.pop("quantity")
    period = values.pop("period", None)
    year = int(str(values.pop("year"))) if values.get("year") is not None else None
    if period is None and year is not None:
        period = scheme.program.period_of_year(year)
    assert isinstance(quantity, Decimal)
    return Holding(
        participant,
        None if period is None else str(period),
        unit,
        quantity,
        {**declared_attributes(scheme, unit), **values},
        row.row,
        path,
        year,
    )


def declared_attributes(scheme: CompiledScheme, unit: str) -> dict[str, Value]:
    """Attributes a unit type declares (`{ origin = outside }`, `from SCHEME`) as defaults."""
    return dict(scheme.program.units[unit].attributes)


def _strangers(path: str, holdings: list[Holding], known: set[str]) -> Iterator[DataProblem]:
    for holding in holdings:
        if holding.participant not in known:
            yield data_problem(
                codes.DATA_UNKNOWN_PARTICIPANT,
                path,
                holding.row,
                "participant",
                f"participant '{holding.participant}' is not in the participant table",
                "check the id; this holding is not used",
                severity="warning",
            )


# ---- mapping files -----------------------------------------------------------------------


class MappingError(EtslError, ValueError):
    """A mapping file that cannot be read; carries its problems."""

    def __init__(self, problems: list[DataProblem]) -> None:
        super().__init__(render_problems(problems))
        self.problems = problems


def load_mapping(path: Path) -> dict[str, str]:
    """The `column = input` lines of a mapping file; raises MappingError on a bad file."""
    mapping, problems = read_mapping(path)
    if has_errors(problems):
        raise MappingError(problems)
    return mapping


def read_mapping(path: Path) -> tuple[dict[str, str], list[DataProblem]]:
    """`column = input` per line (quotes optional, `#` comments); problems instead of raising."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [
            data_problem(
                codes.DATA_FILE_UNREADABLE, where, 0, "", f"cannot read the mapping file: {exc}"
            )
        ]
    mapping: dict[str, str] = {}
    problems: list[DataProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _mapping_line(line)
        if isinstance(entry, Invalid):
            problems.append(entry.at(where, number, ""))
        elif entry is not None and entry[0] in mapping:
            problems.append(
                data_problem(
                    codes.DATA_MAPPING,
                    where,
                    number,
                    "",
                    f"column '{entry[0]}' is mapped twice",
                    "keep one line per column",
                )
            )
        elif entry is not None:
            mapping[entry[0]] = entry[1]
    return mapping, problems


def _mapping_line(line: str) -> tuple[str, str] | Invalid | None:
    text = line.strip()
    if not text or text.startswith("#") or (text.startswith("[") and text.endswith("]")):
        return None
    key, rest = _mapping_word(text, "=")
    if not rest.startswith("="):
        return Invalid(
            codes.DATA_MAPPING, "expected 'column = input'", "for example: CO2_t = emissions"
        )
    value, _ = _mapping_word(rest[1:].strip(), "#")
    if not key or not value:
        return Invalid(
            codes.DATA_MAPPING, "expected 'column = input'", "both sides of '=' must name something"
        )
    return key, value


def _mapping_word(text: str, stop: str) -> tuple[str, str]:
    """A quoted or bare word at the start of `text`, and the rest from `stop` on."""
    if text[:1] in ('"', "'") and text.find(text[0], 1) > 0:
        end = text.find(text[0], 1)
        return text[1:end].strip(), text[end + 1 :].strip()
    word, sign, rest = text.partition(stop)
    return word.strip(), (sign + rest).strip()
