"""Scenario files for `etsl simulate`: what the simulation assumes, year by year (TOML).

    scenario, problems = load_scenario(Path("examples/scenarios/eu_tnac.toml"))
    scenario.schemes["eu_ets"].inputs["verified"][2021]    # Decimal('1334…')

A scenario gives, for each scheme it simulates (`[scheme.NAME]`, NAME the scheme's name):
the value of every system input for every year (`[scheme.NAME.inputs]`, in
the unit the input is declared in, one value or a table by year), optionally a market
(`[scheme.NAME.market]`: which system input takes the covered emissions, which system value
is the bank, the price floor and ceiling, how prices are formed and the abatement cost
curves of groups of emitters) and published figures to check the simulation against
(`[scheme.NAME.check]`). Numbers are read as exact decimals (TOML floats never pass through
binary floating point). The file is validated with pydantic; every problem names the file,
the key and the year (docs/simulate.md).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from etsl.compiler import codes
from etsl.runtime.data.checks import DataProblem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: A value for every year, or one value per year (`{ 2021 = 10, 2022 = 12 }`).
Series = Decimal | dict[int, Decimal]
Year = Annotated[int, Field(ge=1900, le=2200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Curve(Strict):
    """A group of emitters: baseline emissions by year and a marginal abatement cost curve,
    points (price, abatement per year) joined by straight lines, flat beyond the last."""

    baseline: dict[Year, Decimal]
    mac: list[tuple[Decimal, Decimal]] = Field(min_length=2)
    source: str = ""

    @field_validator("mac")
    @classmethod
    def _monotone(cls, points: list[tuple[Decimal, Decimal]]) -> list[tuple[Decimal, Decimal]]:
        if points[0][0] < 0 or points[0][1] < 0:
            raise ValueError("the first point must have a price and abatement of 0 or more")
        for (p0, a0), (p1, a1) in zip(points, points[1:], strict=False):
            if p1 <= p0:
                raise ValueError(f"prices must increase: {p1} follows {p0}")
            if a1 < a0:
                raise ValueError(f"abatement must not fall as the price rises: {a1} after {a0}")
        return points


class Market(Strict):
    """The market of one scheme: which system values the simulation fills and reads, and
    the groups of emitters whose abatement sets the price."""

    emissions: str  # the system input the simulation fills with the covered emissions
    bank: str  # the system value that is the bank (allowances in circulation) at year end
    price: str | None = None  # a system input the simulation fills with the year's price
    # the system input giving the credits the scheme issues in a year: at most this many move
    # over a credit-only link to another market (docs/simulate.md, "Linked markets")
    credits: str | None = None
    # the price floor and ceiling of the year: a system value's name, or the prices by year
    # (in the market's currency per tonne) when the scenario states them
    floor: str | Series | None = None
    ceiling: str | Series | None = None
    currency: str
    # how many units of this scheme's currency one unit of the prices' currency buys
    exchange_rate: Series | None = None
    groups: dict[str, Curve] = Field(min_length=1)
    # the bank this scheme's holders keep at the end of the last year, in tonnes, added to the
    # prices' final_bank for the market the scheme is in (alone or linked)
    final_bank: Decimal = Field(default=Decimal(0), ge=0)


class Prices(Strict):
    """How prices are formed: `hotelling` (banking with foresight: the price rises at the
    discount rate and is the lowest path that keeps the bank from going negative in any
    year) or `myopic` (each year the lowest price that keeps that year's bank from going
    negative, years solved in order); the currency prices are solved in."""

    rule: Literal["hotelling", "myopic"] = "hotelling"
    discount_rate: Decimal = Field(default=Decimal(0), ge=0, le=1)
    currency: str
    # the bank (summed over linked schemes) the market keeps at the end of the last year, in
    # tonnes: what holders want to carry beyond the horizon (0: the horizon is the end)
    final_bank: Decimal = Field(default=Decimal(0), ge=0)


class Check(Strict):
    """Published figures of system values to compare the simulation with."""

    tolerance: Decimal = Field(ge=0, le=1)  # a share: 0.01 is 1 %
    values: dict[str, dict[Year, Decimal]]
    source: str = ""


class Auctions(Strict):
    """Auction outcomes: the share of the allowances offered at auction that goes unsold,
    by year. The simulation fills the system input `unsold` with `auctioned` × the share,
    rounded half up to whole allowances; what becomes of them (held, re-offered, moved to a
    reserve) is the scheme's system rules, as far as it declares them."""

    auctioned: str  # the system input: allowances offered at the year's auctions
    unsold: str  # the system input the simulation fills with the allowances left unsold
    share: dict[Year, Annotated[Decimal, Field(ge=0, le=1)]]  # a share: 0.1 is 10 %
    source: str = ""


class SchemePart(Strict):
    """What a scenario assumes for one scheme (`[scheme.NAME]`, NAME the scheme's name)."""

    inputs: dict[str, Series] = Field(default_factory=dict)
    market: Market | None = None
    auctions: Auctions | None = None
    check: Check | None = None
    charts: dict[str, list[str]] = Field(default_factory=dict)  # chart title → values drawn


class ScenarioLink(Strict):
    """Two-way links the scenario assumes between every pair of the markets it names
    (`[links.NAME]`), whether or not the schemes declare them: they operate from the year
    `from` to the year `until` (the last year they operate; none: to the end of the
    horizon). Reported as an assumption."""

    schemes: list[str] = Field(min_length=2)
    first: Year = Field(alias="from")
    until: Year | None = None
    source: str = ""


class Scenario(Strict):
    title: str
    description: str = ""
    years: tuple[Year, Year]
    sources: dict[str, str] = Field(default_factory=dict)
    scheme: dict[str, SchemePart] = Field(min_length=1)
    prices: Prices | None = None
    links: dict[str, ScenarioLink] = Field(default_factory=dict)

    @field_validator("years")
    @classmethod
    def _ordered(cls, years: tuple[int, int]) -> tuple[int, int]:
        if years[1] < years[0]:
            raise ValueError(f"the last year {years[1]} is before the first {years[0]}")
        return years

    @property
    def year_range(self) -> range:
        return range(self.years[0], self.years[1] + 1)


def value_of(series: Series, year: int) -> Decimal | None:
    """A series' value in a year (None when it gives none)."""
    return series if isinstance(series, Decimal) else series.get(year)


def load_scenario(
    path: Path, changes: Mapping[str, Decimal] | None = None
) -> tuple[Scenario | None, list[DataProblem]]:
    """The scenario of a TOML file, or None with every problem found; `changes` set values
    by dotted key first (`prices.discount_rate`, `scheme.eu_ets.inputs.issued.2027`: a sweep)."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [problem(codes.DATA_FILE_NOT_FOUND, where, "", "no such file")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [problem(codes.DATA_FILE_UNREADABLE, where, "", str(exc))]
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        return None, [
            problem(codes.SCENARIO_INVALID, where, "", f"not valid TOML: {exc}", TOML_HINT)
        ]
    for key, value in (changes or {}).items():
        failure = _set(raw, key, value)
        if failure:
            return None, [problem(codes.SCENARIO_INVALID, where, key, failure, TOML_HINT)]
    try:
        return Scenario.model_validate(raw), []
    except ValidationError as exc:
        return None, [_validation_problem(where, e) for e in exc.errors()]


def _set(raw: dict[str, object], key: str, value: Decimal) -> str | None:
    """Set a dotted key in the parsed TOML; why not, when a table on the way is a value."""
    *tables, last = key.split(".")
    here: object = raw
    for part in tables:
        if not isinstance(here, dict):
            return f"'{part}' is inside a value, not a table"
        here = here.setdefault(part, {})
    if not isinstance(here, dict):
        return f"'{last}' is inside a value, not a table"
    here[last] = value
    return None


TOML_HINT = "see docs/simulate.md for the layout of a scenario file"


def _validation_problem(where: str, error: Mapping[str, object]) -> DataProblem:
    location = error.get("loc", ())
    key = ".".join(str(part) for part in location) if isinstance(location, tuple) else ""
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = f"'{key.rsplit('.', 1)[-1]}' is not a key of a scenario here"
    return problem(codes.SCENARIO_INVALID, where, key, message, TOML_HINT)


def problem(
    code: codes.Code, where: str, key: str, message: str, hint: str | None = None
) -> DataProblem:
    """A scenario problem: located by file and key (`scheme.eu_ets.inputs.issued.2021`)."""
    return DataProblem(code.name, where, 0, key, message, hint)
