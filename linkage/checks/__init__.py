"""The catalogue of linkage checks: one small pure function per check, registered with a
code of compiler/codes.py, in modules by concern.

    >>> from etsl.linkage.facts import Pair
    >>> hits = CATALOGUE["participation-voluntary"].run(Pair(eu_ets, jvets))
    >>> hits[0].message.text()
    "'eu_ets' is mandatory but 'jvets' is voluntary: ..."

Each check reads two `SchemeModel`s (never the AST) and returns `Hit`s: a message plus the
evidence in both schemes (model field, declared value, location or scheme path, and the
scheme's own citation). The registry (`registry.py`) attaches the code, severity, rationale,
remedy, how-to line and the source of the criterion. The catalogue's order is the order of
`AREAS` below, then of the checks within each module.
"""

from __future__ import annotations

from etsl.linkage.checks import (
    coverage,
    credits,
    design,
    instruments,
    links,
    penalties,
    prices,
    stringency,
    time,
)
from etsl.linkage.checks.links import CONSISTENT
from etsl.linkage.checks.registry import REGISTRY
from etsl.linkage.facts import Check

#: The areas in the order a report lists their findings (within one severity).
AREAS = (design, stringency, penalties, credits, prices, time, coverage, instruments, links)

CATALOGUE: dict[str, Check] = {
    check.code: check for area in AREAS for check in REGISTRY[area.__name__]
}

__all__ = ["CATALOGUE", "CONSISTENT"]
