"""The Python API: load and check schemes; the runtime adds evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etsl.compiler.diagnostics import Diagnostic
from etsl.compiler.driver import Compilation, CompiledScheme, compile_paths
from etsl.compiler.errors import EtslError
from etsl.compiler.model import SchemeModel
from etsl.compiler.render import render_text

if TYPE_CHECKING:
    from decimal import Decimal

    from etsl.runtime.data.checks import DataProblem
    from etsl.runtime.records import Dataset
    from etsl.runtime.results.model import Results
    from etsl.runtime.simulate.report import Report


class SchemeError(EtslError):
    """Raised by the API when a scheme does not compile; carries the diagnostics."""

    def __init__(self, compilation: Compilation) -> None:
        self.diagnostics: list[Diagnostic] = compilation.diagnostics
        super().__init__(render_text([d for d in compilation.diagnostics], compilation.sources))


class Scheme:
    """A compiled scheme: its model, rule graph and (with the runtime) evaluation."""

    def __init__(self, compiled: CompiledScheme) -> None:
        self.compiled = compiled

    @property
    def name(self) -> str:
        return self.compiled.name

    @property
    def model(self) -> SchemeModel:
        return self.compiled.model

    def __repr__(self) -> str:
        return f"<etsl.Scheme {self.name}>"

    def run(
        self,
        data: Dataset | str | PathLike[str] | Iterable[Mapping[str, object]],
        holdings: str | PathLike[str] | None = None,
        period: str | None = None,
        engine: str = "reference",
        trace: bool = False,
    ) -> Results:
        """Evaluate the scheme against participant data.

        `data` is a `etsl.runtime.records.Dataset`, a path to a CSV/JSON/Parquet/Excel
        file, or a list of dicts, one per participant and period, read like the records of
        a JSON file (docs/data.md): `{"id": "F001", "period": "first", "emissions": 47000,
        "base_emissions [ktCO2/yr]": "10", "held.outside_tokyo": 500}` ("participant" may
        stand for "id"; floats are read through their shortest repr). Raises DataError
        listing every problem when the data cannot be read.
        """
        from etsl.runtime.results.model import RunOptions
        from etsl.runtime.run import run_dataset

        dataset = _dataset(self.compiled, data, holdings, period)
        return run_dataset(self.compiled, dataset, engine, RunOptions(period=period, trace=trace))


def check(paths: Iterable[str | PathLike[str]]) -> Compilation:
    """Compile files or folders and return every diagnostic (never raises on bad input)."""
    return compile_paths([Path(p) for p in paths], reuse=True)


def load(path: str | PathLike[str], scheme: str | None = None) -> Scheme:
    """Compile one file and return its scheme (the named one when the file has several)."""
    compilation = compile_paths([Path(path)], reuse=True)
    if not compilation.ok:
        raise SchemeError(compilation)
    if scheme is None and len(compilation.schemes) == 1:
        return Scheme(next(iter(compilation.schemes.values())))
    if scheme in compilation.schemes:
        return Scheme(compilation.schemes[scheme])
    raise KeyError(f"choose one of: {', '.join(sorted(compilation.schemes))}")


class ScenarioError(EtslError, ValueError):
    """A scenario that cannot be simulated; `problems` holds each (code, file, key)."""

    def __init__(self, problems: Sequence[DataProblem]) -> None:
        super().__init__("\n".join(p.render() for p in problems))
        self.problems = list(problems)


def simulate(schemes: Iterable[str | PathLike[str]], scenario: str | PathLike[str]) -> Simulation:
    """Simulate a scenario (docs/simulate.md) over the schemes of the given files.

    >>> sim = simulate(["schemes/world/eu_ets.scheme"], "examples/scenarios/eu_outlook.toml")
    >>> sim.prices[2026]
    Decimal('54.22')

    Raises SchemeError when a scheme does not compile, ScenarioError when the scenario does
    not fit them, and etsl.runtime.simulate.solve.SimulationError when no price clears.
    """
    from etsl.runtime.simulate.bind import bind_compiled
    from etsl.runtime.simulate.report import Report
    from etsl.runtime.simulate.scenario import load_scenario
    from etsl.runtime.simulate.solve import simulate as run_simulation

    path = Path(scenario)
    loaded, problems = load_scenario(path)
    if loaded is None:
        raise ScenarioError(problems)
    compilation = compile_paths([Path(p) for p in schemes])
    if not compilation.ok:
        raise SchemeError(compilation)
    bound, problems = bind_compiled(loaded, compilation.schemes, str(path))
    if problems:
        raise ScenarioError(problems)
    return Simulation(Report.of(loaded, bound, run_simulation(loaded, bound)))


class Simulation:
    """A simulation's results: prices by year, tables (exact text cells, or Arrow and
    pandas tables with exact decimals) and the checks against published figures."""

    def __init__(self, report: Report) -> None:
        self.report = report

    @property
    def prices(self) -> Mapping[int, Decimal]:
        """The market's price by year, in the scenario's prices currency (empty: no market,
        or linked markets that clear apart or at a limit: see `price_of`)."""
        return self.report.outcome.prices

    def price_of(self, scheme: str) -> Mapping[int, Decimal]:
        """One market's price by year, in the scenario's prices currency (empty: the scheme
        has no market)."""
        return self.report.outcome.own.get(scheme, {})

    def tables(self) -> dict[str, list[list[str]]]:
        """Every table by name: one per scheme, `market`, `checks` (header first)."""
        return self.report.tables()

    def arrow(self, name: str) -> Any:
        """One table as a pyarrow Table (numbers as decimal128(38, 18))."""
        from etsl.runtime.simulate.report import arrow_table

        return arrow_table(self.tables()[name])

    def frame(self, name: str) -> Any:
        """One table as a pandas DataFrame (needs pandas; numbers stay Decimal)."""
        return self.arrow(name).to_pandas()

    @property
    def checks_passed(self) -> bool:
        return all(check.ok for check in self.report.checks)


# ---- participant data for Scheme.run ---------------------------------------------------------


class DataError(EtslError, ValueError):
    """Participant data that cannot be read; the message lists every problem, and
    `problems` holds them (each a DataProblem with its code, file, row and column)."""

    def __init__(self, problems: Sequence[DataProblem]) -> None:
        from etsl.runtime.data.load import render_problems

        super().__init__(render_problems(problems))
        self.problems = list(problems)


def _dataset(
    compiled: CompiledScheme, data: object, holdings: object, period: str | None
) -> Dataset:
    from etsl.runtime.records import Dataset

    if isinstance(data, Dataset):
        return data
    if isinstance(data, str | PathLike):
        return _load(
            compiled,
            Path(data),
            Path(holdings) if holdings else None,  # type: ignore[arg-type]
            period,
        )
    if isinstance(data, Iterable):
        return _from_dicts(compiled, data, period)
    raise TypeError(f"cannot run on {type(data).__name__}; give a Dataset, a path or dicts")


def _load(
    compiled: CompiledScheme, path: Path, holdings: Path | None, period: str | None
) -> Dataset:
    from etsl.runtime.data.load import load_dataset

    dataset, problems = load_dataset(path, compiled, holdings=holdings, period=period)
    if dataset is None:
        raise DataError(problems)
    return dataset


def _from_dicts(compiled: CompiledScheme, rows: Iterable[object], period: str | None) -> Dataset:
    """Dicts read exactly like a JSON file's records (same columns, checks and messages)."""
    from etsl.runtime.data.checks import has_errors
    from etsl.runtime.data.load import holdings_from_columns, participant_records
    from etsl.runtime.data.readers import RawRow, RawTable, cell_text
    from etsl.runtime.records import Dataset

    records = [_with_id(row, n) for n, row in enumerate(rows, start=2)]
    columns = tuple(dict.fromkeys(key for record in records for key in record))
    table = RawTable(
        "<data>",
        columns,
        tuple(
            RawRow(n, tuple(cell_text(r.get(c)) for c in columns)) for n, r in enumerate(records, 2)
        ),
    )
    entries, problems = participant_records(table, compiled, {}, False, period)
    if has_errors(problems):
        raise DataError(problems)
    return Dataset(tuple(r for r, _ in entries), tuple(holdings_from_columns(compiled, entries)))


def _with_id(row: object, number: int) -> dict[str, object]:
    if not isinstance(row, Mapping):
        from etsl.compiler import codes
        from etsl.runtime.data.checks import data_problem

        raise DataError(
            [
                data_problem(
                    codes.DATA_MALFORMED,
                    "<data>",
                    number,
                    "",
                    f"expected a dict, not {type(row).__name__}",
                )
            ]
        )
    record = {str(k): v for k, v in row.items()}
    if "id" not in record and "participant" in record:
        record["id"] = record.pop("participant")
    return record
