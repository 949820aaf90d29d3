"""The parse table shipped in the package: current with the grammar, loaded without pickle,
and no file in the shared temporary folder is ever read (Lark's old disk cache there could
be planted by another user and was unpickled before anything was checked)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from etsl.compiler import parse_table
from etsl.compiler.parse import parse
from etsl.compiler.source import SourceFile
from lark import Lark, UnexpectedInput

from tests.golden import REPO


def test_the_shipped_table_is_current() -> None:
    shipped = json.loads(parse_table.table_path().read_text(encoding="utf-8"))
    assert shipped["grammar_sha256"] == parse_table.grammar_digest(parse_table.grammar_text()), (
        "grammar/scheme_table.json is stale: run `python -m etsl.compiler.parse_table`"
    )


def _outcome(parser: Lark, text: str) -> object:
    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        return type(exc).__name__, exc.pos_in_stream, sorted(getattr(exc, "accepts", ()) or ())


def test_the_loaded_parser_parses_as_the_built_one() -> None:
    """Same trees, and the same errors (offset and acceptable terminals) on bad files."""
    loaded, built = parse_table.load_parser(), parse_table.build_parser()
    paths = sorted((REPO / "schemes").rglob("*.scheme")) + sorted(
        (REPO / "tests" / "cases").rglob("*.scheme")
    )
    assert len(paths) > 50
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _outcome(loaded, text) == _outcome(built, text), path


def test_a_changed_grammar_is_built_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = parse_table.grammar_text() + "\n// changed\n"
    built: list[str | None] = []
    monkeypatch.setattr(parse_table, "grammar_text", lambda: changed)
    monkeypatch.setattr(parse_table, "build_parser", lambda text=None: built.append(text))
    parse_table.load_parser()
    assert built == [changed]


class _Planted:
    """A pickle that, when loaded, writes a marker file (as an attacker's would run code)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (self.marker, "ran"))  # type: ignore[return-value]


def test_a_planted_pickle_in_lark_s_cache_location_does_not_run(tmp_path: Path) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    marker = tmp_path / "marker"
    old = dict(os.environ)
    os.environ["TMPDIR"] = str(shared)
    try:
        import tempfile

        tempfile.tempdir = None  # Lark names its cache file after gettempdir()
        Lark(parse_table.grammar_text(), cache=True, **parse_table.OPTIONS)
    finally:
        os.environ.clear()
        os.environ.update(old)
        tempfile.tempdir = None
    (cache_file,) = shared.glob(".lark_cache*")
    header = cache_file.read_bytes().split(b"\n", 1)[0]
    cache_file.write_bytes(header + b"\n" + pickle.dumps(_Planted(marker)))
    scheme = tmp_path / "s.scheme"
    scheme.write_text("scheme s { kind cap_and_trade }\n")
    env = {**old, "TMPDIR": str(shared), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "etsl", "check", str(scheme)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "a pickle from the shared temporary folder was loaded"
    assert sorted(p.name for p in shared.iterdir()) == [cache_file.name]


def test_parsing_works_from_the_shipped_table() -> None:
    module, diagnostics = parse(SourceFile.of("x.scheme", "scheme s { kind cap_and_trade }"))
    assert diagnostics == [] and module is not None
