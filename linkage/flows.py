"""Where units go across a link, in one vocabulary for pair and network reports.

A unit of scheme `a` reaches scheme `b` in one of two ways:

- **through the link**: the unit itself crosses (the link declarations let it move: their
  `for` lists name it, or there are none). A unit the partner issues that crosses the link
  is a *linked instrument*: the receiving side may use it as its own (California and Québec
  use each other's allowances and offsets interchangeably), so it is never "not accepted";
- **by freeing allowances**: the unit does not cross, but each tonne surrendered with it in
  `a` frees an allowance of `a` that does. A link that carries only credits frees no
  allowances, so nothing else reaches `b` through it (Tokyo–Saitama).

Through several links (`a → b → c`) a unit reaches `c` **through a chain**; every hop must
carry it (itself, or allowances it frees). Nothing here says "directly" or "indirectly"
for these two ways, so the pair and network reports cannot contradict each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etsl.compiler.model import SchemeModel, UnitModel
from etsl.linkage.facts import home, link_to
from etsl.linkage.said import Said, chain, template, terms

THROUGH_LINK = "through the link"
FREES_ALLOWANCES = "by freeing allowances"


def receives(m: SchemeModel, partner: SchemeModel) -> bool:
    """Whether either side's declaration lets `partner`'s units be used in `m`."""
    own, theirs = link_to(m, partner.name), link_to(partner, m.name)
    return bool(
        (own and own.direction in ("two_way", "inbound"))
        or (theirs and theirs.direction in ("two_way", "outbound"))
    )


def flows_to(source: SchemeModel, target: SchemeModel) -> bool:
    """Whether `source`'s units reach `target`: per the declarations, or both ways if none."""
    if not (link_to(source, target.name) or link_to(target, source.name)):
        return True
    return receives(target, source)


def unit_flows(source: SchemeModel, target: SchemeModel, unit: str) -> bool:
    """Whether a unit type may move from `source` to `target`: the link declarations' `for`
    lists (on either side) restrict what crosses; without a list every unit does."""
    lists = [
        link.units
        for link in (link_to(source, target.name), link_to(target, source.name))
        if link is not None and link.units
    ]
    return flows_to(source, target) and all(unit in units for units in lists)


def linked_instrument(m: SchemeModel, partner: SchemeModel, unit: UnitModel) -> bool:
    """Whether `unit` of `partner` is one the partner issues and that crosses into `m`:
    the linked side uses it as its own."""
    return home(partner, unit) == partner.name and unit_flows(partner, m, unit.name)


def allowances_crossing(source: SchemeModel, target: SchemeModel) -> list[str]:
    """Allowances (of any issuer) that `source` holds and that may move to `target`."""
    return [
        u.name for u in source.units if u.kind == "allowance" and unit_flows(source, target, u.name)
    ]


@dataclass(frozen=True, slots=True)
class Route:
    """How a unit of `path[0]` reaches `path[-1]`: `how` is THROUGH_LINK or FREES_ALLOWANCES
    (for the first hop); later hops carry what the first one freed."""

    how: str
    path: tuple[str, ...]
    allowances: tuple[str, ...] = ()

    @property
    def chain(self) -> bool:
        return len(self.path) > 2

    def words(self) -> Said:
        """'through the link', 'by freeing allowances that cross the link (CCA)', or
        'through the chain a → b → c' (by freeing allowances at each link after the first)."""
        if self.chain:
            said = _CHAIN if self.how == THROUGH_LINK else _CHAIN_FREEING
            return said(path=chain(self.path))
        if self.how == THROUGH_LINK:
            return _THROUGH_LINK()
        return _FREEING(allowances=terms(self.allowances))


_THROUGH_LINK = template("route-link", THROUGH_LINK)
_FREEING = template("route-freeing", f"{FREES_ALLOWANCES} that cross the link ({{allowances}})")
_CHAIN = template("route-chain", "through the chain {path}")
_CHAIN_FREEING = template(
    "route-chain-freeing", f"through the chain {{path}}, {FREES_ALLOWANCES} at each link"
)


def first_hop(source: SchemeModel, target: SchemeModel, unit: UnitModel) -> Route | None:
    """How `unit`, accepted in `source`, reaches `target` across one link (None: it does not)."""
    if home(source, unit) == source.name and unit_flows(source, target, unit.name):
        return Route(THROUGH_LINK, (source.name, target.name))
    allowances = allowances_crossing(source, target)
    if allowances:
        return Route(FREES_ALLOWANCES, (source.name, target.name), tuple(allowances))
    return None


def carries(source: SchemeModel, target: SchemeModel) -> bool:
    """Whether a link passes on what reaches `source`: allowances cross it."""
    return bool(allowances_crossing(source, target))


def chain_route(models: Sequence[SchemeModel], unit: UnitModel) -> Route | None:
    """How `unit`, accepted in `models[0]`, reaches `models[-1]` along the chain."""
    first = first_hop(models[0], models[1], unit)
    if first is None or not all(
        carries(u, v) for u, v in zip(models[1:], models[2:], strict=False)
    ):
        return None
    return Route(first.how, tuple(m.name for m in models), first.allowances)
