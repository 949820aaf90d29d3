"""System values year by year, for the documents: a scheme page's cap and price charts.

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

import re
from decimal import Decimal

from etsl.compiler import numbers
from etsl.compiler import program as ir
from etsl.compiler.driver import CompiledScheme
from etsl.compiler.model import SchemeModel
from etsl.compiler.units import UnknownUnit, parse_unit
from etsl.documents.figures.scheme import YearPath
from etsl.runtime.reference.expressions import Fault, Upstream
from etsl.runtime.reference.system import SystemRun


def is_cap(name: str) -> bool:
    return name == "cap" or name.endswith("_cap")


def scheme_years(model: SchemeModel) -> range:
    """The years the scheme's periods cover, numbered as the scheme numbers them: a fiscal
    year by the year it starts in (FY2030 ends in March 2031 but is 2030)."""
    starts = [year for p in model.periods if (year := _year_of(p.start, p.start_date))]
    ends = [year for p in model.periods if (year := _year_of(p.end, p.end_date))]
    return range(min(starts), max(ends) + 1) if starts and ends else range(0)


def _year_of(label: str, day: str | None) -> int | None:
    """The year a period bound names (`FY2030`, `2012`), else the year of its date."""
    named = re.search(r"\d{4}", label)
    if named:
        return int(named.group())
    return int(day[:4]) if day else None


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


def year_paths(scheme: CompiledScheme) -> tuple[YearPath, ...]:
    """The caps and the price paths of a scheme's system level, for its page's charts."""
    return cap_paths(scheme) + price_paths(scheme)


def price_paths(scheme: CompiledScheme) -> tuple[YearPath, ...]:
    """Every price path of the system level (`price NAME V from Y rising R`), from its start
    year to the scheme's last year (at least five years), in the unit its start value is
    written in. An index added to the rate (`plus cpi`) is taken as 0: the path before
    inflation, as the chart's legend says."""
    program = scheme.program
    if program.system is None:
        return ()
    system = program.system.program
    paths = [r.expr for r in system.rules.values() if isinstance(r.expr, ir.PricePath)]
    last = max(scheme_years(scheme.model), default=0)
    return tuple(
        _price_path(program, path, range(path.from_year, max(last, path.from_year + 4) + 1))
        for path in paths
        if path.from_year is not None and isinstance(path.start, ir.Const)
    )


def _price_path(program: ir.Program, path: ir.PricePath, years: range) -> YearPath:
    index = {path.plus: Decimal(0)} if path.plus else {}
    run = SystemRun(program, {year: dict(index) for year in years}, row_notes=False)
    unit = path.start.unit if isinstance(path.start, ir.Const) else None
    points = tuple(
        (year, plain(numbers.divide(value, path.scale)))
        for year in years
        if isinstance(value := _computed(run, year, path.name), Decimal)
    )
    return YearPath(path.name, unit or program.unit_of(path.name), points, "price")


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
