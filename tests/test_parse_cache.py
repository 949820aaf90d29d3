"""The parse cache (compiler/cache.py): a module read back equals the module parsed, an
edited import is parsed again, a damaged or foreign entry is ignored and rewritten, and a
check of cached files does not import Lark."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from etsl.compiler import ast
from etsl.compiler.ast_codec import CodecError, decode, encode
from etsl.compiler.cache import FORMAT, cache_dir, entry_key
from etsl.compiler.driver import compile_paths
from etsl.compiler.parse import parse
from etsl.compiler.source import SourceFile

from tests.golden import REPO

SCHEMES = sorted((REPO / "schemes").rglob("*.scheme")) + sorted(
    (REPO / "tests" / "cases").glob("*/ok/*.scheme")
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ETSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ETSL_NO_CACHE", raising=False)
    folder = cache_dir()
    assert folder is not None
    return folder


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_module_read_back_equals_the_module_parsed(path: Path) -> None:
    source = SourceFile.read(path)
    module, diagnostics = parse(source)
    assert module is not None, diagnostics
    data = json.loads(json.dumps(encode(module)))
    assert decode(data, source) == module


@pytest.mark.parametrize(
    "data, problem",
    [
        (["Popen", ["()", "sh"]], "not a node"),
        (["Name", "x", 0, 1, 1, 1, 1], "not a node"),  # a span number missing
        (["Module", "m.scheme", ["()"], ["()"], 0, 0, 1, 1, 1, -1], "not a span"),
        (["Module", "m.scheme", ["()"], ["()"], 0, 0, 1, 1, 1, True], "not a span"),
        (
            ["Period", "period", "p", None, None, None, None, ["^", 0], 0, 0, 1, 1, 1, 1],
            "not a span",
        ),
        (["Quantity", ["#", "1e"], None, 0, 0, 1, 1, 1, 1], "not a number"),
        ({"__class__": "Module"}, "unexpected dict"),
        (["Quantity", 1.5, None, 0, 0, 1, 1, 1, 1], "unexpected float"),
        ([7, "x"], "a list without a tag"),
        (["Name", "x", 0, 1, 1, 1, 1, 2], "not a module"),
    ],
)
def test_decoding_refuses_what_encode_did_not_write(data: object, problem: str) -> None:
    with pytest.raises(CodecError, match=problem):
        decode(data, SourceFile.of("m.scheme", "x"))


def test_an_edited_import_is_parsed_again(cache: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib.scheme"
    main = tmp_path / "main.scheme"
    lib.write_text('catalogue shared "Shared" {\n  param factor = 0.5\n}\n')
    main.write_text(
        'import "lib.scheme"\n\nscheme s "S" {\n  uses shared\n'
        "  participant p { base: tCO2e  emissions: tCO2e }\n  cap = base * factor\n}\n"
    )
    first = compile_paths([main])
    assert first.ok, first.diagnostics
    entries = set(cache.iterdir())
    assert len(entries) >= 2  # both files (and the default rules)
    lib.write_text('catalogue shared "Shared" {\n  param factor = 0.75\n}\n')
    second = compile_paths([main])
    assert second.ok, second.diagnostics
    assert _factor(first) == Decimal("0.5")
    assert _factor(second) == Decimal("0.75")
    assert len(set(cache.iterdir()) - entries) == 1  # only the edited file was parsed again


def _factor(compilation: object) -> Decimal:
    module = next(
        m
        for path, m in compilation.modules.items()
        if path.name == "lib.scheme"  # type: ignore[attr-defined]
    )
    param = module.schemes[0].decls[0]
    assert isinstance(param, ast.Param) and isinstance(param.value, ast.Quantity)
    return param.value.value


def _entry(cache: Path, path: Path) -> Path:
    compile_paths([path])
    return cache / f"{entry_key(SourceFile.read(path))}.json"


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\x00\xff garbage\n{",
        lambda text: text.replace('"Quantity"', '"Popen"'),  # edited without its checksum
        lambda text: _signed('["Popen",["()","sh","-c","touch pwned"]]'),  # a foreign entry
        lambda text: _signed(text.split("\n", 1)[1].replace('"Quantity"', '"Name"')),
    ],
    ids=["empty", "truncated", "garbage", "edited", "foreign", "wrong-shape"],
)
def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(
    cache: Path, tmp_path: Path, damage: object
) -> None:
    path = tmp_path / "tokyo.scheme"
    path.write_text((REPO / "schemes" / "japan" / "tokyo_cat.scheme").read_text())
    entry = _entry(cache, path)
    good = entry.read_text()
    key = entry.name.removesuffix(".json")
    planted = damage(good)  # type: ignore[operator]
    entry.write_text(planted.replace("KEY", key))
    compilation = compile_paths([path])
    assert compilation.ok and list(compilation.schemes) == ["tokyo_cat"]
    fresh = compile_paths([path], ())
    assert fresh.schemes["tokyo_cat"].program == compilation.schemes["tokyo_cat"].program
    assert entry.read_text() == good  # rewritten from a fresh parse
    assert not (tmp_path / "pwned").exists()


def _signed(payload: str) -> str:
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return json.dumps({"format": FORMAT, "key": "KEY", "sha256": digest}) + "\n" + payload


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ETSL_NO_CACHE", "1")
    assert compile_paths([REPO / "schemes" / "world" / "eu_ets.scheme"]).ok
    assert not (tmp_path / "cache").exists()


def test_a_cached_check_does_not_import_lark(tmp_path: Path) -> None:
    code = (
        "import sys; from etsl.cli import cli\n"
        "try:\n    cli(['check', 'schemes/world/eu_ets.scheme'])\nexcept SystemExit:\n    pass\n"
        "print('lark' in sys.modules)"
    )
    runs = run_twice(code, tmp_path / "cache")
    assert runs[0] == ["1 file checked: 0 error(s), 0 warning(s)", "True"]
    assert runs[1] == ["1 file checked: 0 error(s), 0 warning(s)", "False"]


def run_twice(code: str, cache: Path) -> list[list[str]]:
    """The lines Python code prints, run twice in new processes sharing one cache folder."""
    env = {**os.environ, "ETSL_CACHE_DIR": str(cache)}
    env.pop("ETSL_NO_CACHE", None)
    return [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env
        ).stdout.splitlines()
        for _ in range(2)
    ]


def test_the_cache_keeps_a_bounded_number_of_entries(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("etsl.compiler.cache.MAX_ENTRIES", 4)
    for index in range(6):
        path = tmp_path / f"s{index}.scheme"
        path.write_text(f'catalogue c{index} "C" {{\n  param p = {index}\n}}\n')
        assert compile_paths([path]).ok
        entries = list(cache.iterdir())
        assert 0 < len(entries) <= 4
    newest = cache / f"{entry_key(SourceFile.read(tmp_path / 's5.scheme'))}.json"
    assert newest.exists()


def test_without_a_home_folder_there_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("ETSL_CACHE_DIR", "ETSL_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache_dir() is None
    assert compile_paths([REPO / "schemes" / "world" / "eu_ets.scheme"]).ok


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ETSL_CACHE_DIR", raising=False)
    monkeypatch.delenv("ETSL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "etsl" / "parse-1"
