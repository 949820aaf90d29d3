"""The two readers of a scheme's system-level cap give the same cap in every year both decide.

Linkage may not import the runtime, so it reads caps with its own formula reader
(linkage/caps.py); the scheme pages' cap charts evaluate them with the reference engine
(etsl/system_paths.py). Both are checked here on every bundled scheme with a cap, in the
unit the page shows (RGGI's short tons).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from etsl.compiler import numbers
from etsl.compiler.driver import compile_paths
from etsl.compiler.units import parse_unit
from etsl.linkage.caps import cap_path

from etsl.system_paths import cap_paths, plain

ROOT = Path(__file__).resolve().parent.parent
COMPILED = compile_paths(sorted((ROOT / "schemes").rglob("*.scheme")))
WITH_CAPS = sorted(
    name for name, scheme in COMPILED.schemes.items() if cap_path(scheme.model) is not None
)


def test_the_library_has_caps_to_compare() -> None:
    assert COMPILED.ok
    assert {"california", "quebec", "eu_ets", "rggi"} <= set(WITH_CAPS)


@pytest.mark.parametrize("name", WITH_CAPS)
def test_linkage_and_pages_read_the_same_cap(name: str) -> None:
    scheme = COMPILED.schemes[name]
    linked = cap_path(scheme.model)
    assert linked is not None
    pages = {p.name: p for p in cap_paths(scheme)}
    assert linked.name in pages, (name, linked.name, sorted(pages))
    page = pages[linked.name]
    scale = parse_unit(page.unit).scale
    shown = dict(page.points)
    common = sorted(set(shown) & set(linked.values))
    assert len(common) >= 2, (name, sorted(shown), sorted(linked.values))
    for year in common:
        assert plain(numbers.divide(linked.values[year], scale)) == shown[year], (name, year)
