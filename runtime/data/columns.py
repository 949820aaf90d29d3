"""Column plans: which header feeds which input, in which unit, read how.

A header is `name` or `name [unit]`; a mapping may rename it first. Each column becomes a
`Column` carrying the `Spec` that reads its cells (see runtime/data/checks.py):

    >>> column_name("emissions [kt CO2]", {})
    ('emissions', 'ktCO2')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from etsl.compiler import codes
from etsl.compiler.diagnostics import did_you_mean
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.types import Enum, Quant, Simple, Type
from etsl.compiler.units import CO2E, parse_unit
from etsl.runtime.data.checks import (
    DataProblem,
    Invalid,
    Spec,
    conversion_problem,
    data_problem,
    header_unit,
    nonnegative,
    split_header,
)
from etsl.runtime.data.readers import RawTable

RUNTIME_COLUMNS = ("carry_in", "owed_in")
HELD_PREFIXES = ("held.", "held_")
TEXT_ATTRIBUTES = ("origin", "project_type", "host", "issuer_scheme")
HOLDING_COLUMNS = ("participant", "unit", "quantity", "period", "vintage", *TEXT_ATTRIBUTES)


@dataclass(frozen=True, slots=True)
class Column:
    """A file column that feeds `target` (an input, id, period, held.UNIT, …)."""

    index: int
    header: str
    target: str
    spec: Spec


@dataclass(frozen=True, slots=True)
class Plan:
    columns: tuple[Column, ...]
    problems: tuple[DataProblem, ...]
    claimed: frozenset[str] = frozenset()  # targets named by a header, even a faulty one

    def has(self, target: str) -> bool:
        return any(c.target == target for c in self.columns)


def column_name(header: str, mapping: Mapping[str, str]) -> tuple[str, str | None]:
    """The target name and unit text of a header, after the mapping (full header or name)."""
    name, unit = split_header(header)
    mapped = mapping.get(header.strip(), mapping.get(name))
    if mapped is None:
        return name, unit
    target, mapped_unit = split_header(mapped)
    return target, mapped_unit if mapped_unit is not None else unit


# ---- what the scheme expects -------------------------------------------------------------


def input_type(scheme: CompiledScheme, name: str) -> Type:
    source = scheme.program.inputs.get(name)
    return source.type if source is not None else Simple("text")


def declared_unit(scheme: CompiledScheme, name: str) -> str | None:
    return scheme.program.inputs[name].declared_unit


def input_spec(
    scheme: CompiledScheme, name: str, unit: str | None, label: str | None = None
) -> Spec | Invalid:
    """How to read a column for participant input `name` written in `unit` (or its own)."""
    kind = input_type(scheme, name)
    label = label or name
    if isinstance(kind, Quant):
        declared = declared_unit(scheme, name) or "number"
        scale = parse_unit(declared).scale if declared != "number" else Decimal(1)
        return quantity_spec(label, declared, kind, unit, scale, nonnegative(name, kind.dims))
    if unit is not None:
        return Invalid(
            codes.DATA_UNIT,
            f"'{label}' is not a quantity, so its header cannot name a unit",
            f"write the header as '{label}'",
        )
    if isinstance(kind, Enum):
        return Spec(label, "choice", choices=kind.values, noun=f"a valid '{name}'")
    simple = {"bool": "bool", "date": "date"}.get(kind.name, "text")
    return Spec(label, simple)


def quantity_spec(
    label: str,
    declared: str,
    kind: Quant,
    unit: str | None,
    scale: Decimal,
    nonneg: bool,
    required: bool = True,
) -> Spec | Invalid:
    """A number column in `declared` units, or in the header's `unit` when it names one."""
    if unit is None:
        return Spec(label, "number", scale, nonneg, required=required)
    written = header_unit(unit)
    if isinstance(written, Invalid):
        return written
    problem = conversion_problem(unit, written, declared, kind.dims, label)
    return problem or Spec(label, "number", written.scale, nonneg, required=required)


def co2e_spec(label: str, unit: str | None) -> Spec | Invalid:
    """Holdings and carried amounts: tCO2e, never negative, blank means none."""
    return quantity_spec(label, "tCO2e", Quant(CO2E), unit, Decimal(1), True, required=False)


def held_unit(name: str) -> str | None:
    for prefix in HELD_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return None


def _plain(spec: Spec) -> Callable[[str | None], Spec | Invalid]:
    def build(unit: str | None) -> Spec | Invalid:
        if unit is not None:
            return Invalid(
                codes.DATA_UNIT,
                f"'{spec.label}' is not a quantity, so its header cannot name a unit",
                f"write the header as '{spec.label}'",
            )
        return spec

    return build


# ---- planning a table -------------------------------------------------------------------


Classify = Callable[[str, str | None], tuple[str, Spec | Invalid] | None]


def plan_table(
    table: RawTable,
    mapping: Mapping[str, str],
    classify: Classify,
    expected: list[str],
    strict: bool,
) -> Plan:
    """One Column per header the scheme uses; problems for bad units and unknown columns."""
    columns: list[Column] = []
    problems: list[DataProblem] = []
    claimed: set[str] = set()
    for index, header in enumerate(table.columns):
        if not header:
            continue
        name, unit = column_name(header, mapping)
        found = classify(name, unit)
        if found is None:
            if strict or _is_mapped(header, mapping):
                problems.append(
                    _unknown_column(table.path, header, name, expected, _is_mapped(header, mapping))
                )
            continue
        target, spec = found
        claimed.add(target)
        if isinstance(spec, Invalid):
            problems.append(spec.at(table.path, 1, header))
            continue
        columns.append(Column(index, header, target, spec))
    problems += _repeated(table.path, columns)
    return Plan(tuple(columns), tuple(problems), frozenset(claimed))


def _is_mapped(header: str, mapping: Mapping[str, str]) -> bool:
    return header.strip() in mapping or split_header(header)[0] in mapping


def _unknown_column(
    path: str, header: str, name: str, expected: list[str], mapped: bool
) -> DataProblem:
    if mapped:
        return data_problem(
            codes.DATA_UNKNOWN_COLUMN,
            path,
            1,
            header,
            f"the mapping gives column '{header}' to '{name}', which the scheme does not define",
            did_you_mean(name, expected) or f"map it to one of: {', '.join(expected)}",
        )
    hint = did_you_mean(name, expected) or "remove it, or run without strict checking"
    return data_problem(
        codes.DATA_UNKNOWN_COLUMN, path, 1, header, f"unknown column '{name}'", hint
    )


def _repeated(path: str, columns: list[Column]) -> list[DataProblem]:
    first: dict[str, Column] = {}
    problems = []
    for column in columns:
        earlier = first.setdefault(column.target, column)
        if earlier is column:
            continue
        message = (
            f"column '{column.header}' appears twice"
            if earlier.header == column.header
            else f"columns '{earlier.header}' and '{column.header}' both give '{column.target}'"
        )
        problems.append(
            data_problem(
                codes.DATA_DUPLICATE_COLUMN,
                path,
                1,
                column.header,
                message,
                "keep only one of them",
            )
        )
    return problems


def missing_columns(
    table: RawTable, plan: Plan, required: Mapping[str, str], mapping: Mapping[str, str]
) -> list[DataProblem]:
    """A problem for every required target no column feeds; `required` maps it to a hint."""
    used = {c.header for c in plan.columns}
    spare = [column_name(h, mapping)[0] for h in table.columns if h and h not in used]
    return [
        data_problem(
            codes.DATA_MISSING_COLUMN,
            table.path,
            1,
            "",
            f"missing column '{target}'",
            did_you_mean(target, spare) or hint,
        )
        for target, hint in required.items()
        if target not in plan.claimed
    ]


# ---- the wide (participant) table ---------------------------------------------------------


def wide_classifier(scheme: CompiledScheme) -> Classify:
    """Targets of the participant table: id, period, inputs, held.UNIT, carry_in, owed_in."""
    inputs = scheme.program.inputs
    fixed: dict[str, Callable[[str | None], Spec | Invalid]] = {
        "id": _plain(Spec("id", "text")),
        "period": _plain(period_spec(scheme)),
    }
    if scheme.program.by_year:
        fixed["year"] = _plain(year_spec(scheme))
    if len(scheme.program.participants) > 1:
        fixed["type"] = _plain(type_spec(scheme))

    def classify(name: str, unit: str | None) -> tuple[str, Spec | Invalid] | None:
        if name in inputs:
            return name, input_spec(scheme, name, unit)
        if name in fixed:
            return name, fixed[name](unit)
        if name in RUNTIME_COLUMNS:
            return name, co2e_spec(name, unit)
        held = held_unit(name)
        if held is not None:
            return f"held.{held}", held_spec(scheme, held, name, unit)
        return None

    return classify


def held_spec(
    scheme: CompiledScheme, unit_type: str, name: str, unit: str | None
) -> Spec | Invalid:
    units = scheme.program.units
    if unit_type not in units:
        return Invalid(
            codes.DATA_UNKNOWN_COLUMN,
            f"unknown unit type '{unit_type}' in column '{name}'",
            did_you_mean(unit_type, units) or unit_types_hint(scheme),
        )
    return co2e_spec(name, unit)


def unit_types_hint(scheme: CompiledScheme) -> str:
    names = ", ".join(scheme.program.units) or "none"
    return f"the unit types of scheme '{scheme.name}' are: {names}"


def period_spec(scheme: CompiledScheme, required: bool = True) -> Spec:
    return Spec(
        "period",
        "choice",
        choices=scheme.program.period_names,
        noun=f"a period of scheme '{scheme.name}'",
        required=required,
    )


def year_spec(scheme: CompiledScheme) -> Spec:
    """The `year` of a row of a period kept by year (a choice: the years of such periods)."""
    years = [str(y) for p in scheme.program.periods for y in p.data_years]
    return Spec(
        "year",
        "choice",
        choices=tuple(years),
        noun=f"a year of a period of scheme '{scheme.name}' kept by year",
        required=False,
    )


def type_spec(scheme: CompiledScheme) -> Spec:
    """The `type` of a row: one of the scheme's participant blocks (blank: all of them)."""
    return Spec(
        "type",
        "choice",
        choices=scheme.program.participants,
        noun=f"a participant type (participant block) of scheme '{scheme.name}'",
        required=False,
    )


def wide_expected(scheme: CompiledScheme) -> list[str]:
    program = scheme.program
    held = [f"held.{u}" for u in program.units]
    extra = ["year"] if program.by_year else []
    extra += ["type"] if len(program.participants) > 1 else []
    return ["id", "period", *extra, *program.inputs, *RUNTIME_COLUMNS, *held]


def other_type(scheme: CompiledScheme, target: str, participant_type: object) -> bool:
    """Whether `target` is an input of another participant block than the row's type (its
    cell may then be blank)."""
    source = scheme.program.inputs.get(target)
    return (
        isinstance(participant_type, str)
        and source is not None
        and (source.of_another_type(participant_type))
    )


def wide_required(
    scheme: CompiledScheme, needs_period: bool, types: frozenset[str] | None = None
) -> dict[str, str]:
    """Required targets of the participant table, each with the hint shown when missing;
    with a `type` column (`types`: the types its rows give) only those types' inputs."""
    program = scheme.program
    required = {"id": "add an 'id' column naming each participant, or map a column to 'id'"}
    if all(p.data_years for p in program.periods) and program.periods:
        required["year"] = (
            f"scheme '{scheme.name}' keeps its periods by year: add a 'year' column "
            "(one row per participant and year)"
        )
    elif needs_period:
        periods = ", ".join(program.period_names)
        required["period"] = (
            f"scheme '{scheme.name}' has several periods ({periods}): add a "
            "'period' column, or choose one period to run"
        )
    for name, source in program.inputs.items():
        if types is not None and not set(source.blocks) & types:
            continue
        who = f"participant '{source.participant}'" if source.participant else "the participant"
        about = f": {source.about.description}" if source.about.description else ""
        required[name] = f"add the column; '{name}' is an input of {who}{about}"
    return required


# ---- the long holdings table --------------------------------------------------------------


def holdings_classifier(scheme: CompiledScheme) -> Classify:
    """Targets of the holdings table: participant (or id), unit, quantity and attributes."""
    fixed: dict[str, Callable[[str | None], Spec | Invalid]] = {
        "participant": _plain(Spec("participant", "text")),
        "unit": _plain(
            Spec(
                "unit",
                "choice",
                choices=tuple(scheme.program.units),
                noun=f"a unit type of scheme '{scheme.name}'",
            )
        ),
        "quantity": lambda unit: _required(co2e_spec("quantity", unit)),
        "period": _plain(period_spec(scheme, required=False)),
        "vintage": _plain(Spec("vintage", "number", required=False)),
        **{a: _plain(Spec(a, "text", required=False)) for a in TEXT_ATTRIBUTES},
    }

    if scheme.program.by_year:
        fixed["year"] = _plain(year_spec(scheme))

    def classify(name: str, unit: str | None) -> tuple[str, Spec | Invalid] | None:
        target = "participant" if name == "id" else name
        if target in fixed:
            return target, fixed[target](unit)
        if name.startswith("issuer_") and len(name) > len("issuer_"):
            return name, issuer_spec(scheme, name, unit)
        return None

    return classify


def _required(spec: Spec | Invalid) -> Spec | Invalid:
    if isinstance(spec, Invalid):
        return spec
    return Spec(spec.label, spec.kind, spec.scale, spec.nonnegative, spec.choices, spec.noun)


def issuer_spec(scheme: CompiledScheme, name: str, unit: str | None) -> Spec | Invalid:
    """`issuer_X` reads like input X when the scheme declares one, else as text."""
    field = name.removeprefix("issuer_")
    if field not in scheme.program.inputs:
        return _plain(Spec(name, "text", required=False))(unit)
    spec = input_spec(scheme, field, unit, label=name)
    if isinstance(spec, Invalid):
        return spec
    return Spec(name, spec.kind, spec.scale, spec.nonnegative, spec.choices, spec.noun, False)


def holdings_required() -> dict[str, str]:
    return {
        "participant": "add a 'participant' (or 'id') column naming the holder",
        "unit": "add a 'unit' column naming the unit type of each holding",
        "quantity": "add a 'quantity' column with the amount held, in tCO2e",
    }


def holdings_expected(scheme: CompiledScheme) -> list[str]:
    return [*HOLDING_COLUMNS, "id", *(f"issuer_{f}" for f in scheme.program.inputs)]
