"""System values year by year, for the documents: the cap trajectory of a scheme page.

    >>> [is_cap(name) for name in ("union_cap", "cap", "cap_2021", "capacity")]
    [True, True, False, False]
    >>> plain(Decimal("1.628E+8")), plain(Decimal("17.50"))
    (Decimal('162800000'), Decimal('17.5'))

Documents never evaluate (they do not import the runtime), so etsl evaluates the scheme's
system level here, with the reference engine and no system data, and passes the values on.
A cap is a system rule named `cap` or ending in `_cap`. Each is computed for every year of
the scheme's periods; a year it cannot compute without system data (an input it reads is
not given, a price path before its start) is left out. Values are shown in the unit the
cap's parameters are written in (RGGI's short tons), else in base units.
"""

from __future__ import annotations

from decimal import Decimal

from etsl.compiler import numbers
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.model import SchemeModel
from etsl.compiler.units import UnknownUnit, parse_unit
from etsl.documents.figures.scheme import YearPath
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.reference.system import SystemRun


def is_cap(name: str) -> bool:
    return name == "cap" or name.endswith("_cap")


def scheme_years(model: SchemeModel) -> range:
    """The calendar years the scheme's periods cover."""
    starts = [int(p.start_date[:4]) for p in model.periods if p.start_date]
    ends = [int(p.end_date[:4]) for p in model.periods if p.end_date]
    return range(min(starts), max(ends) + 1) if starts and ends else range(0)


def cap_paths(scheme: CompiledScheme) -> tuple[YearPath, ...]:
    """Every cap of the scheme's system level, year by year."""
    program = scheme.program
    if program.system is None:
        return ()
    years = scheme_years(scheme.model)
    run = SystemRun(program, {year: {} for year in years}, row_notes=False)
    out = []
    for name in (n for n in program.system.values if is_cap(n)):
        unit = written_unit(scheme.model, name) or program.unit_of(name)
        scale = parse_unit(unit).scale
        points = tuple(
            (year, plain(numbers.divide(value, scale)))
            for year in years
            if isinstance(value := _computed(run, year, name), Decimal)
        )
        out.append(YearPath(name, unit, points))
    return tuple(out)


def plain(value: Decimal) -> Decimal:
    """Without trailing zeros and without an exponent."""
    whole = value.to_integral_value()
    return whole.quantize(Decimal(1)) if value == whole else value.normalize()


def _computed(run: SystemRun, year: int, name: str) -> object:
    try:
        return run.value(year, name)
    except (Fault, Upstream):
        return None


def written_unit(model: SchemeModel, name: str) -> str | None:
    """The one unit the parameters a rule reads are written in (`short_tCO2`), if any."""
    rule = model.rule(name)
    params = {p.name: p for p in model.params}
    units = set()
    for dep in rule.depends_on if rule else ():
        param = params.get(dep)
        written = param.formula.text.split(maxsplit=1)[1:] if param else []
        if written:
            units.add(written[0])
    if len(units) != 1:
        return None
    unit = units.pop()
    try:
        parse_unit(unit)
    except UnknownUnit:
        return None
    return unit
