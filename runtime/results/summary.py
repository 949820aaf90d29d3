"""The run summary: totals over rows, built one way whatever engine computed the rows.

    tally = Tally(rule_names, category_field)
    tally.add_rows(results.rows)        # rows computed in Python (reference engine, patches)
    tally.add_totals(totals)            # aggregates a database computed (columnar engine)
    tally.summary()                     # Summary

Rows with errors count in `errors`; their values are left out of the sums. The total cap
and target are over covered rows only (a participant that is not covered has none).
Consequence kinds are listed in the order they first apply in the data. A kind that some
consequence states as a range (`fine from A up to B`) also totals its least amounts: the
lower bounds, 0 for a bare `up to`, else the amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from etsl.compiler.numbers import add

ZERO = Decimal(0)
SUMMED = ("cap", "target", "obligation", "shortfall", "surplus")
#: Summed over covered rows only: a participant that is not covered has no cap or target.
COVERED_ONLY = frozenset({"cap", "target"})
_NEVER = 1 << 62


@dataclass(frozen=True)
class KindTotal:
    """How many rows a consequence kind applied to, the sum of its amounts and, for a kind stated as
    a range, the sum of the least amounts (else None)."""

    count: int
    amount: Decimal
    unit: str
    minimum: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        """Its JSON fields; `minimum` only for a kind stated as a range."""
        shown = {"count": self.count, "amount": self.amount, "unit": self.unit}
        return shown if self.minimum is None else {**shown, "minimum": self.minimum}


@dataclass(frozen=True)
class CategorySummary:
    rows: int
    covered: int
    cap: Decimal
    obligation: Decimal
    shortfall: Decimal
    non_compliant: int

    def plus(self, other: CategorySummary) -> CategorySummary:
        return CategorySummary(
            self.rows + other.rows,
            self.covered + other.covered,
            add(self.cap, other.cap),
            add(self.obligation, other.obligation),
            add(self.shortfall, other.shortfall),
            self.non_compliant + other.non_compliant,
        )


NO_CATEGORY = CategorySummary(0, 0, ZERO, ZERO, ZERO, 0)


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
        from etsl.runtime.results.model import json_object

        return json_object(
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
                "consequences": {k: v.to_dict() for k, v in self.consequences.items()},
                "category_field": self.category_field,
                "by_category": {k: vars(v) for k, v in self.by_category.items()},
            }
        )


@dataclass(frozen=True)
class KindAggregate:
    """One consequence kind's aggregate as a database computes it: `count` rows it applied to."""

    kind: str
    count: int
    amount: Decimal
    unit: str
    first: int | None = None  # the data position of the first row it applied to
    least: Decimal = ZERO  # the sum of its least amounts (only read for a ranged kind)


@dataclass(frozen=True)
class Totals:
    """Aggregates over computed rows, as a database gives them."""

    rows: int
    covered: int
    short: int
    sums: Mapping[str, Decimal]
    kinds: Sequence[KindAggregate] = ()
    categories: Mapping[str, CategorySummary] = field(default_factory=dict)


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """A sum that never rounds (the built-in sum() rounds to 28 digits)."""
    total = ZERO
    for value in values:
        total = add(total, value)
    return total


def _decimal(row: Any, name: str) -> Decimal | None:
    value = row.values.get(name)
    return value if isinstance(value, Decimal) else None


def is_short(row: Any) -> bool:
    shortfall = _decimal(row, "shortfall")
    return shortfall is not None and shortfall > 0


def _row_kind(row: Any, kind: str) -> KindAggregate:
    """One row's consequences of one kind: the row counts once, however many apply."""
    of_kind = [c for c in row.consequences if c.kind == kind]
    return KindAggregate(
        kind,
        1,
        exact_sum(c.amount or ZERO for c in of_kind),
        of_kind[0].unit,
        row.row or None,
        exact_sum(c.least or ZERO for c in of_kind),
    )


class Tally:
    """Accumulates rows and database aggregates into one Summary."""

    def __init__(
        self,
        rule_names: Sequence[str],
        category_field: str | None,
        ranged_kinds: Sequence[str] = (),
    ) -> None:
        self.rule_names = tuple(rule_names)
        self.category_field = category_field
        self.ranged_kinds = frozenset(ranged_kinds)
        self.rows = 0
        self.counted_participants = 0
        self.participants: set[str] = set()
        self.covered_participants: set[str] = set()
        self.covered = 0
        self.short = 0
        self.errors = 0
        self.sums: dict[str, Decimal] = dict.fromkeys(SUMMED, ZERO)
        self.kinds: dict[str, KindTotal] = {}
        self.first: dict[str, int] = {}
        self.categories: dict[str, CategorySummary] = {}

    def add_rows(self, rows: Iterable[Any], counted: bool = True) -> None:
        """ParticipantResults; `counted=False` when a database already counted the rows."""
        for row in rows:
            if counted:
                self.rows += 1
                self.participants.add(row.participant)
            if row.values.get("covered") is True:
                self.covered_participants.add(row.participant)
            self.errors += len(row.errors)
            if row.ok:
                self._add_computed(row)

    def _add_computed(self, row: Any) -> None:
        covered = row.values.get("covered") is True
        for name in SUMMED:
            value = _decimal(row, name)
            if value is not None and (covered or name not in COVERED_ONLY):
                self.sums[name] = add(self.sums[name], value)
        self.short += is_short(row)
        for kind in dict.fromkeys(c.kind for c in row.consequences):
            self._add_kind(_row_kind(row, kind))
        if self.category_field is not None:
            key = str(row.inputs.get(self.category_field, "?"))
            part = CategorySummary(
                1,
                int(covered),
                (_decimal(row, "cap") or ZERO) if covered else ZERO,
                _decimal(row, "obligation") or ZERO,
                _decimal(row, "shortfall") or ZERO,
                int(is_short(row)),
            )
            self.categories[key] = self.categories.get(key, NO_CATEGORY).plus(part)

    def _add_kind(self, found: KindAggregate) -> None:
        kind = found.kind
        before = self.kinds.get(kind, KindTotal(0, ZERO, found.unit))
        minimum = add(before.minimum or ZERO, found.least) if kind in self.ranged_kinds else None
        self.kinds[kind] = KindTotal(
            before.count + found.count,
            add(before.amount, found.amount),
            before.unit or found.unit,
            minimum,
        )
        if found.first is not None:
            self.first[kind] = min(self.first.get(kind, _NEVER), found.first)

    def add_totals(self, totals: Totals) -> None:
        self.rows += totals.rows
        self.counted_participants += totals.rows
        self.covered += totals.covered
        self.short += totals.short
        for name, value in totals.sums.items():
            self.sums[name] = add(self.sums[name], value)
        for aggregate in totals.kinds:
            if aggregate.count:
                self._add_kind(aggregate)
        for key, part in totals.categories.items():
            self.categories[key] = self.categories.get(key, NO_CATEGORY).plus(part)

    def summary(self, extra_errors: int = 0) -> Summary:
        order = list(self.kinds)
        kinds = sorted(order, key=lambda k: (self.first.get(k, _NEVER), order.index(k)))
        return Summary(
            rows=self.rows,
            participants=len(self.participants) + self.counted_participants,
            participants_covered=len(self.covered_participants) + self.covered,
            total_cap=self._total("cap"),
            total_target=self._total("target"),
            total_obligation=self.sums["obligation"],
            total_shortfall=self.sums["shortfall"],
            total_surplus=self.sums["surplus"],
            non_compliant=self.short,
            errors=self.errors + extra_errors,
            consequences={k: self.kinds[k] for k in kinds},
            category_field=self.category_field,
            by_category=dict(sorted(self.categories.items())) if self.category_field else {},
        )

    def _total(self, name: str) -> Decimal | None:
        return self.sums[name] if name in self.rule_names else None
