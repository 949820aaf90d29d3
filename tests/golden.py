"""Golden-file helpers: compare output with a file beside the case, or rewrite it."""

from __future__ import annotations

import difflib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def check_golden(expected_path: Path, actual: str, update: bool) -> None:
    """Assert `actual` equals the golden file; with --update-golden, rewrite it instead."""
    if update or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
        if not update:
            raise AssertionError(f"created missing golden file {expected_path}; review it")
        return
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "expected", "actual", n=1))
        raise AssertionError(f"output differs from {expected_path.relative_to(REPO)}; run "
                             f"pytest --update-golden and review the diff:\n{diff[:3000]}")
