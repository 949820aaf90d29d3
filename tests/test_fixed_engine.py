"""The fixed-point engine (runtime/fixed) must agree exactly with the reference engine.

Hypothesis reuses the columnar differential test's generated schemes and participant tables
(float traps, thirds, zeros, 12-digit magnitudes); every bundled scheme's examples and the
Tokyo sample run through both engines; the range analysis is checked to pick int64 where it
proves it safe and Python integers where it cannot, and the results are exact either way.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths, compile_text
from etsl.runtime.data.load import load_dataset
from etsl.runtime.examples import examples_dataset
from etsl.runtime.fixed import engine as fixed
from etsl.runtime.fixed import pairs
from etsl.runtime.fixed.ranges import Fixed, analyse
from etsl.runtime.records import Dataset, Record
from etsl.runtime.reference.sequence import participant_chains
from etsl.runtime.reference.sequence import run as reference_run
from etsl.runtime.results.model import RunOptions
from etsl.runtime.run import DataFiles, run_files
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.test_columnar_differential import assert_same_rows, bundled, datasets, schemes

REPO = Path(__file__).resolve().parent.parent
STATS: Counter[str] = Counter()


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], deadline=None
)
@given(text=schemes(), dataset=datasets())
def test_generated_schemes_agree(text: str, dataset: Dataset) -> None:
    compilation = compile_text(text, "<generated>")
    assert compilation.ok
    compiled = compilation.schemes["generated"]
    actual, reason = fixed.run_with_reason(compiled, dataset)
    event(f"engine: {actual.engine}" + (f" ({reason.reason})" if reason else ""))
    STATS[actual.engine] += 1
    if reason is None:
        failed = _failed_rows(compiled, dataset)
        event(f"rows the reference engine computed: {'none' if not failed else 'some'}")
    assert_same_rows(actual, reference_run(compiled, dataset))


def _failed_rows(compiled: CompiledScheme, dataset: Dataset) -> int:
    """How many rows the fixed engine handed to the reference engine."""
    chains, _ = participant_chains(compiled.program, dataset.records, RunOptions())
    rows = sorted((chain[0] for chain in chains), key=lambda r: r.position)
    columns, ranges = fixed.columns_of(compiled.program, rows, dataset.holdings)
    periods = fixed.period_column(rows)
    return int(fixed.evaluate_columns(compiled.program, columns, ranges, len(rows), periods)
               .failed.sum())


@pytest.mark.parametrize("compiled", bundled(), ids=lambda c: c.name)
def test_bundled_examples_agree(compiled: CompiledScheme) -> None:
    dataset = examples_dataset(compiled)
    actual, _ = fixed.run_with_reason(compiled, dataset)
    assert_same_rows(actual, reference_run(compiled, dataset))


def test_most_bundled_schemes_run_fixed() -> None:
    engines = Counter(fixed.run_with_reason(c, examples_dataset(c))[0].engine for c in bundled())
    assert engines["fixed"] >= 0.8 * sum(engines.values()), engines


def _compiled(path: Path, name: str) -> CompiledScheme:
    return compile_paths([path]).schemes[name]


def test_tokyo_sample_is_computed_by_the_fixed_engine_exactly(tmp_path: Path) -> None:
    compiled = _compiled(REPO / "schemes" / "japan" / "tokyo_cat.scheme", "tokyo_cat")
    files = DataFiles(REPO / "examples" / "tokyo_facilities.csv")
    ours, reference = run_files(compiled, files, "fixed"), run_files(compiled, files, "reference")
    assert ours.results is not None and reference.results is not None
    assert ours.results.engine == "fixed" and not ours.notices
    assert_same_rows(ours.results, reference.results)
    ours.results.write(tmp_path / "fixed.csv")
    reference.results.write(tmp_path / "reference.csv")
    assert (tmp_path / "fixed.csv").read_bytes() == (tmp_path / "reference.csv").read_bytes()
    dataset, _ = load_dataset(files.participants, compiled)
    assert dataset is not None
    chains, _ = participant_chains(compiled.program, dataset.records, RunOptions())
    rows = [chain[0] for chain in chains]
    columns, ranges = fixed.columns_of(compiled.program, rows, ())
    periods = fixed.period_column(rows)
    evaluation = fixed.evaluate_columns(compiled.program, columns, ranges, len(rows), periods)
    assert len(rows) == 300 and not evaluation.failed.any()  # no row needed the reference


BENCH = """scheme wide "Wide" {
  period first = 2020 .. 2024
  participant firm { emissions: tCO2e
                     base: tCO2e/yr }
  cap = floor(base * years(period) * 0.94)
  rule third = base / 3
  rule huge = emissions * emissions * emissions
  units { credit c1 }
  surrender { accept c1 up to (base * years(period) - cap) / 3 }
  penalty late when shortfall > 0 tCO2e { order ceil(1.3 * shortfall) }
}
"""


def _wide() -> CompiledScheme:
    compilation = compile_text(BENCH, "<wide>")
    assert compilation.ok
    return compilation.schemes["wide"]


def _records(pairs: list[tuple[str, str]]) -> Dataset:
    rows = [
        Record(f"F{i}", None, {"emissions": Decimal(e), "base": Decimal(b), "held.c1": Decimal(3)})
        for i, (e, b) in enumerate(pairs)
    ]
    return Dataset(tuple(rows))


def test_int64_where_proven_python_integers_where_not() -> None:
    program = _wide().program
    plan = analyse(
        program,
        {"emissions": Fixed(1, 0, 10**7), "base": Fixed(1, 0, 10**6), "held.c1": Fixed(0, 0, 3)},
    )
    cap, third, huge = (program.rules[n].expr for n in ("cap", "third", "huge"))
    assert plan.of(cap).result.scale == 0 and not plan.of(cap).wide
    assert plan.of(third).result.scale == 18  # a quotient has 18 places
    assert plan.of(third).wide  # 10^5 t at 18 places does not fit int64
    assert plan.of(huge).result == Fixed(3, 0, 10**21) and plan.of(huge).wide


@pytest.mark.parametrize(
    "pairs",
    [
        [("47000", "10000"), ("2021", "430"), ("4800", "1000")],
        [("123456789012.3", "99999999999.9"), ("0", "0.1"), ("-5", "333.3")],
    ],
)
def test_wide_values_are_exact(pairs: list[tuple[str, str]]) -> None:
    compiled = _wide()
    dataset = _records(pairs)
    actual, reason = fixed.run_with_reason(compiled, dataset)
    assert reason is None and actual.engine == "fixed"
    assert_same_rows(actual, reference_run(compiled, dataset))


def test_a_row_that_fails_is_the_reference_engines_with_its_error() -> None:
    text = BENCH.replace("rule third = base / 3", "rule third = emissions / base")
    compiled = compile_text(text, "<wide>").schemes["wide"]
    dataset = _records([("10", "0"), ("10", "4")])
    actual, _ = fixed.run_with_reason(compiled, dataset)
    expected = reference_run(compiled, dataset)
    assert_same_rows(actual, expected)
    assert [e.rule for e in actual.rows[0].errors] == ["third"] and actual.rows[1].ok
    assert actual.rows[1].values["third"] == Decimal("2.5")


def test_uncovered_constructs_go_to_the_columnar_engine_with_the_reason() -> None:
    compiled = _compiled(REPO / "tests" / "cases" / "engine", "engine_settlement")
    actual, reason = fixed.run_with_reason(compiled, examples_dataset(compiled))
    assert reason is not None and actual.engine != "fixed"
    assert reason.text().startswith("fixed engine: share clauses in surrender; using the columnar")


def test_several_periods_of_one_participant_go_to_the_columnar_engine() -> None:
    text = BENCH.replace("2020 .. 2024", "2020 .. 2024\n  period second = 2025 .. 2029")
    compiled = compile_text(text, "<wide>").schemes["wide"]
    values = {"emissions": Decimal(900), "base": Decimal(100), "held.c1": Decimal(20)}
    dataset = Dataset((Record("F", "first", values), Record("F", "second", values)))
    actual, reason = fixed.run_with_reason(compiled, dataset)
    assert reason is not None and "several periods of one participant" in reason.text()
    assert_same_rows(actual, reference_run(compiled, dataset))


def test_columns_in_memory_evaluate_without_records() -> None:
    """The benchmark's form: int64 tenths already in memory."""
    from etsl.runtime.fixed.columns import integer_column

    program = _wide().program
    columns, ranges = {}, {}
    for name, tenths in (("emissions", [470000, 20210]), ("base", [100000, 4300])):
        columns[name], ranges[name] = integer_column(np.array(tenths, dtype=np.int64), 1)
    for name, scale in (("held.c1", 0), ("carry_in", 0), ("owed_in", 0)):
        columns[name], ranges[name] = integer_column(np.zeros(2, dtype=np.int64), scale)
    columns["lots.c1"] = fixed.flag_column([False, False])
    evaluation = fixed.evaluate_columns(program, columns, ranges, 2)
    assert [evaluation.values["cap"].value(i) for i in (0, 1)] == [Decimal(47000), Decimal(2021)]


# ---- two-limb integers (runtime/fixed/pairs.py) against Python integers --------------------

LIMBED = st.integers(-(10**33), 10**33)


def _pair(values: list[int]) -> pairs.Pair:
    return pairs.from_object(np.array(values, dtype=object))


def _ints(pair: pairs.Pair) -> list[int]:
    return [pair.item(i) for i in range(len(pair))]


@given(st.lists(st.tuples(LIMBED, LIMBED), min_size=1, max_size=20))
def test_pair_sums_differences_and_order_are_exact(values: list[tuple[int, int]]) -> None:
    a, b = _pair([x for x, _ in values]), _pair([y for _, y in values])
    assert _ints(pairs.add(a, b)) == [x + y for x, y in values]
    assert _ints(pairs.subtract(a, b)) == [x - y for x, y in values]
    assert _ints(pairs.negate(a)) == [-x for x, _ in values]
    assert _ints(pairs.minimum(a, b)) == [min(x, y) for x, y in values]
    assert list(pairs.less(a, b)) == [x < y for x, y in values]
    assert all(0 <= lo < pairs.BASE for lo in pairs.add(a, b).lo)


def _whole(values: list[int]) -> pairs.Pair:
    """Whole tonnes at 16 places: a pair whose every `lo` is 0 (pairs.from_int)."""
    return pairs.from_int(np.array(values, dtype=np.int64), pairs.LIMB)


WHOLE = st.integers(-(10**17), 10**17)


@given(st.lists(st.tuples(LIMBED, WHOLE, WHOLE), min_size=1, max_size=20))
def test_whole_pairs_take_the_short_rules_exactly(values: list[tuple[int, int, int]]) -> None:
    """Each rule with a whole operand on either side (or both) against Python integers."""
    limbed = _pair([x for x, _, _ in values])
    w, v = _whole([y for _, y, _ in values]), _whole([z for _, _, z in values])
    ints = {id(limbed): [x for x, _, _ in values], id(w): [y * pairs.BASE for _, y, _ in values],
            id(v): [z * pairs.BASE for _, _, z in values]}
    assert w.whole and not limbed.whole
    for a, b in ((limbed, w), (w, limbed), (w, v)):
        both = list(zip(ints[id(a)], ints[id(b)], strict=True))
        assert _ints(pairs.add(a, b)) == [x + y for x, y in both]
        assert _ints(pairs.subtract(a, b)) == [x - y for x, y in both]
        assert _ints(pairs.maximum(a, b)) == [max(x, y) for x, y in both]
        assert list(pairs.less(a, b)) == [x < y for x, y in both]
        assert list(pairs.equal(a, b)) == [x == y for x, y in both]
        flags = np.array([x % 2 == 0 for x, _ in both])
        assert _ints(pairs.where(flags, a, b)) == [x if x % 2 == 0 else y for x, y in both]
        assert all(0 <= lo < pairs.BASE for lo in pairs.subtract(a, b).lo)
    for a in (limbed, w):
        xs = ints[id(a)]
        assert _ints(pairs.negate(a)) == [-x for x in xs]
        assert _ints(pairs.clipped_at_zero(a)) == [max(x, 0) for x in xs]
        assert list(pairs.to_object(a)) == xs
        assert _ints(pairs.times(a, np.full(len(xs), -7))) == [-7 * x for x in xs]


@given(st.lists(st.tuples(st.integers(-(10**25), 10**25), st.integers(-(10**9), 10**9)),
                min_size=1, max_size=20))
def test_pair_times_a_factor_is_exact(values: list[tuple[int, int]]) -> None:
    """The product's `hi` fits (the engine checks the proven range before choosing this)."""
    product = pairs.times(_pair([x for x, _ in values]), np.array([f for _, f in values]))
    assert _ints(product) == [x * f for x, f in values]


@given(st.lists(st.integers(-(10**25), 10**25), min_size=1, max_size=20),
       st.sampled_from([-230, -13, 0, 1, 13, 230, 231, 10**9]))
def test_pair_times_a_literal_factor_is_exact(values: list[int], factor: int) -> None:
    """A literal factor arrives broadcast; up to SMALL_FACTOR it multiplies `lo` whole."""
    broadcast = np.broadcast_to(np.array(factor, dtype=np.int64), len(values))
    assert _ints(pairs.times(_pair(values), broadcast)) == [x * factor for x in values]


def _half_even(n: int, d: int) -> int:
    q, r = divmod(abs(n), abs(d))
    q += 2 * r > abs(d) or (2 * r == abs(d) and q % 2 == 1)
    return q if (n < 0) == (d < 0) else -q


@given(st.lists(st.tuples(st.integers(-(10**17), 10**17),
                          st.integers(-(10**15), 10**15).filter(bool)), min_size=1, max_size=20))
def test_pair_quotients_round_half_even(values: list[tuple[int, int]]) -> None:
    found, zero = pairs.divide(np.array([n for n, _ in values]), np.array([d for _, d in values]))
    assert not zero.any()
    assert _ints(found) == [_half_even(n * pairs.BASE, d) for n, d in values]


@given(st.lists(st.integers(-(10**17), 10**17), min_size=1, max_size=20),
       st.integers(-(10**15), 10**15))
def test_a_constant_divisor_divides_as_a_scalar(numerators: list[int], d: int) -> None:
    """A literal divisor arrives broadcast (Evaluator.full); zero marks every row."""
    divisor = np.broadcast_to(np.array(d, dtype=np.int64), len(numerators))
    assert pairs.constant(divisor)
    found, zero = pairs.divide(np.array(numerators, dtype=np.int64), divisor)
    assert list(zero) == [d == 0] * len(numerators)
    if d:
        assert _ints(found) == [_half_even(n * pairs.BASE, d) for n in numerators]


@given(st.lists(LIMBED, min_size=1, max_size=20), st.sampled_from([1, 10, 100]))
def test_pair_rounding_to_places_above_the_limb(values: list[int], factor: int) -> None:
    unit = pairs.BASE * factor
    pair = _pair(values)
    assert list(pairs.floor_to(pair, factor)) == [x // unit for x in values]
    assert list(pairs.ceil_to(pair, factor)) == [-(-x // unit) for x in values]
    expected = [int(Decimal(x) / Decimal(unit)).__class__(
        (Decimal(x) / Decimal(unit)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for x in values]
    assert list(pairs.round_to(pair, factor)) == expected


def test_the_benchmark_scheme_runs_its_quotients_in_two_limbs() -> None:
    from bench.peers import etsl_fixed

    table = {"id": np.arange(3), "category": np.array(["office", "factory", "office"]),
             "base_emissions_t10": np.array([100000, 4300, 10000]),
             "emissions_t10": np.array([470000, 20210, 48000]),
             "outside_credits_t10": np.array([0, 0, 3000])}
    evaluation = etsl_fixed.compute(etsl_fixed.prepare(table))
    shortfall = evaluation.values["shortfall"]
    assert isinstance(shortfall.values, pairs.Pair) and shortfall.scale == 18
    assert shortfall.value(2) == Decimal("66.666666666666666667")
    assert evaluation.values["cap"].value(1) == Decimal(2021)


def test_the_documented_run_writes_the_documented_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/fixed.md: its facilities.csv, its `etsl run --engine fixed` and `--engine auto`
    lines, what they print and their results."""
    import re
    import shutil

    from click.testing import CliRunner

    from etsl.cli import cli

    text = (REPO / "docs" / "fixed.md").read_text(encoding="utf-8")
    given, expected = re.findall(r"```csv\n(.*?)```", text, re.S)[:2]
    commands = re.findall(r"^\$ etsl (.+)\n((?:[^$`].*\n)*)", text, re.M)
    assert [c.split()[-3] for c, _ in commands] == ["fixed", "auto"]
    (tmp_path / "bench").mkdir()
    shutil.copy(REPO / "bench" / "tokyo_bench.scheme", tmp_path / "bench")
    (tmp_path / "facilities.csv").write_text(given, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for command, printed in commands:
        (tmp_path / "results.csv").unlink(missing_ok=True)
        result = CliRunner().invoke(cli, command.split())
        assert result.exit_code == 0, result.output
        assert result.stderr == printed
        assert (tmp_path / "results.csv").read_text(encoding="utf-8") == expected


def test_a_power_of_ten_beyond_int64_is_never_an_int64_even_for_zeros() -> None:
    """Found by Hypothesis: a third of a third of zeros has scale 36, and the factor that
    brings an operand to it does not fit int64 although every value is 0."""
    text = BENCH.replace("cap = floor(base * years(period) * 0.94)",
                         "cap = (1 / 3) * ((1 / 3) * emissions)")
    compiled = compile_text(text, "<wide>").schemes["wide"]
    for pairs_ in ([("0", "0")], [("7", "1"), ("0", "0")]):
        dataset = _records(pairs_)
        actual, reason = fixed.run_with_reason(compiled, dataset)
        assert reason is None
        assert_same_rows(actual, reference_run(compiled, dataset))
