"""docs/cli.md documents every command and option of the installed CLI."""

from __future__ import annotations

from etsl.cli_doc import render
from tests.golden import REPO, check_golden


def test_cli_page_is_current(update_golden: bool) -> None:
    check_golden(REPO / "docs" / "cli.md", render(), update_golden)
