"""The program cache (compiler/program_cache.py): a Program read back equals the Program
compiled; an unchanged file is not compiled again; any imported file changing, a damaged or
foreign entry, or the cache turned off means a fresh compile, never an error."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from etsl.compiler import driver
from etsl.compiler.cache import cache_dir
from etsl.compiler.driver import Compilation, compile_paths
from etsl.compiler.program import Const, Ref, RefKind, walk
from etsl.compiler.program_cache import FOLDER, FORMAT
from etsl.compiler.program_codec import CodecError, decode, encode, loads

from tests.golden import REPO
from tests.test_parse_cache import run_twice

SCHEMES = sorted((REPO / "schemes").rglob("*.scheme"))
TOKYO = REPO / "schemes" / "japan" / "tokyo_cat.scheme"
LIB = 'catalogue shared "Shared" {\n  param factor = 0.5\n}\n'
MAIN = (
    'import "lib.scheme"\n\nscheme s "S" {\n  uses shared\n'
    "  participant p { base: tCO2e  emissions: tCO2e }\n  cap = base * factor\n}\n"
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ETSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ETSL_NO_CACHE", raising=False)
    folder = cache_dir(FOLDER)
    assert folder is not None
    return folder


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_program_read_back_equals_the_program_compiled(path: Path) -> None:
    compilation = compile_paths([path])
    value = (
        tuple(s.program for s in compilation.schemes.values()),
        tuple(compilation.diagnostics),
    )
    back = decode(loads(json.dumps(encode(value))))
    assert back == value
    assert encode(back) == encode(value)
    refs = [n for p in back[0] for r in p.rules.values() for n in walk(r.expr) if type(n) is Ref]
    assert all(type(n.kind) is RefKind for n in refs)  # a member, not its text


@pytest.mark.parametrize(
    "paths, data, problem",
    [
        ([], ["Popen", ["()", "sh"]], "not a node"),
        ([], ["Simple"], "fields"),
        ([], ["Simple", "bool", "extra"], "fields"),
        ([], ["^", 0, 0, 1, 1, 1, 1, 1], "no path numbered 0"),
        (["a"], ["^", 0, 0, 1, 1, 1, 1, -1], "not a span"),
        ([], ["#", "1e"], "not a number"),
        ([], ["@", "2024-13-01"], "not a date"),
        ([], ["!", "Popen", "x"], "not an enumeration member"),
        ([], ["!", "RefKind", "shell"], "not a RefKind"),
        ([], ["{}", "a"], "a key but no value"),
        ([], ["{}", ["()", ["()"]], "x", ["{}"], 1], "not a key"),
        ([], {"__class__": "Program"}, "unexpected dict"),
        ([], 1.5, "unexpected float"),
        ([], [7, "x"], "a list without a tag"),
        ([7], "x", "not a table of paths"),
        (
            [],
            ["Diagnostic", "no-such-code", ["!", "Severity", "error"], "m", None, None, ["()"]],
            "not a Diagnostic",
        ),
    ],
)
def test_decoding_refuses_what_encode_did_not_write(
    paths: object, data: object, problem: str
) -> None:
    with pytest.raises(CodecError, match=problem):
        decode({"paths": paths, "shared": [["Simple", "bool"]], "value": data})


@pytest.mark.parametrize(
    "data, problem",
    [
        ('{"paths": [], "shared": [], "value": 1.5}', "unexpected number 1.5"),
        ('{"paths": [], "shared": [], "value": NaN}', "unexpected number NaN"),
        ('{"paths": [], "value": 1}', "not an encoded value"),
        ('{"paths": [], "shared": [["Ref"]], "value": 1}', "not a shared value"),
        ('{"paths": [], "shared": [[["x"]]], "value": 1}', "not a shared value"),
        ('{"paths": [], "shared": [], "value": ["*", 0]}', "no shared value"),
    ],
)
def test_decoding_refuses_a_foreign_document(data: str, problem: str) -> None:
    with pytest.raises(CodecError, match=problem):
        decode(loads(data))


def test_an_unchanged_file_is_read_back(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_paths([TOKYO], reuse=True)
    assert first.ok and len(list(cache.iterdir())) == 1
    monkeypatch.setattr(driver, "compile_scheme", _refused)
    second = compile_paths([TOKYO], reuse=True)
    assert second.schemes["tokyo_cat"].program == first.schemes["tokyo_cat"].program
    assert second.diagnostics == first.diagnostics
    assert second.files == first.files and set(second.sources) == set(first.sources)


def _refused(*args: object) -> None:
    raise AssertionError("compiled, not read back")


def test_any_imported_file_changing_compiles_again(cache: Path, tmp_path: Path) -> None:
    lib, main = tmp_path / "lib.scheme", tmp_path / "main.scheme"
    lib.write_text(LIB)
    main.write_text(MAIN)
    assert _factor(compile_paths([main], reuse=True)) == Decimal("0.5")
    assert _factor(compile_paths([main], reuse=True)) == Decimal("0.5")  # read back
    lib.write_text(LIB.replace("0.5", "0.75"))
    assert _factor(compile_paths([main], reuse=True)) == Decimal("0.75")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "lib.scheme").write_text(LIB.replace("0.5", "0.25"))
    lib.unlink()
    lib.symlink_to(tmp_path / "other" / "lib.scheme")  # the import leads elsewhere
    assert _factor(compile_paths([main], reuse=True)) == Decimal("0.25")


def _factor(compilation: Compilation) -> Decimal:
    assert compilation.ok, compilation.diagnostics
    param = compilation.schemes["s"].program.params["factor"].expr
    assert isinstance(param, Const) and isinstance(param.value, Decimal)
    return param.value


def test_an_import_that_no_longer_resolves_is_reported(cache: Path, tmp_path: Path) -> None:
    lib, main = tmp_path / "lib.scheme", tmp_path / "main.scheme"
    lib.write_text(LIB)
    main.write_text(MAIN)
    assert compile_paths([main], reuse=True).ok
    lib.unlink()
    again = compile_paths([main], reuse=True)
    assert not again.ok and "import-not-found" in {d.code for d in again.diagnostics}


def test_warnings_are_kept_and_an_unknown_link_is_not_stored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "linked.scheme"
    text = MAIN.replace('import "lib.scheme"\n\n', "").replace("  uses shared\n", "")
    path.write_text(text.replace(" * factor", "\n  link nowhere_ets two_way"))
    first = compile_paths([path], reuse=True)
    assert [d.code for d in first.diagnostics] == ["link-unknown-scheme"]
    assert not cache.exists() or not list(cache.iterdir())
    assert compile_paths([path], reuse=True).diagnostics == first.diagnostics


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\x00\xff garbage\n{",
        lambda text: text.replace('"Rule"', '"Popen"'),  # edited without its checksum
        lambda text: _signed(_EMPTY.replace('"value":1', '"value":["Popen"]')),
        lambda text: _signed(text.split("\n", 1)[1].replace('"Rule"', '"Param"')),
        lambda text: _signed(_EMPTY.replace('"value":1', '"value":7')),
    ],
    ids=["empty", "truncated", "garbage", "edited", "foreign", "wrong-shape", "not-a-pair"],
)
def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(
    cache: Path, tmp_path: Path, damage: object
) -> None:
    path = tmp_path / "tokyo.scheme"
    path.write_text(TOKYO.read_text())
    fresh = compile_paths([path], reuse=True)
    (entry,) = cache.iterdir()
    good = entry.read_text()
    entry.write_text(damage(good).replace("KEY", entry.stem))  # type: ignore[operator]
    compilation = compile_paths([path], reuse=True)
    assert compilation.ok and list(compilation.schemes) == ["tokyo_cat"]
    assert fresh.schemes["tokyo_cat"].program == compilation.schemes["tokyo_cat"].program
    assert entry.read_text() == good  # rewritten from a fresh compile


_EMPTY = '{"files":[],"defines":[],"links":[],"program":{"paths":[],"shared":[],"value":1}}'


def _signed(payload: str) -> str:
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return json.dumps({"format": FORMAT, "key": "KEY", "sha256": digest}) + "\n" + payload


def test_a_scheme_read_back_compiles_again_for_its_model(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = compile_paths([TOKYO]).schemes["tokyo_cat"]
    compile_paths([TOKYO], reuse=True)
    cached = compile_paths([TOKYO], reuse=True).schemes["tokyo_cat"]
    assert cached.model == fresh.model
    assert cached.graph.edges == fresh.graph.edges


def test_the_cache_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ETSL_NO_CACHE", "1")
    assert compile_paths([TOKYO], reuse=True).ok
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    "args, env",
    [(["--no-cache", "check"], {}), (["check"], {"ETSL_NO_CACHE": "1"})],
    ids=["flag", "environment"],
)
def test_the_cache_can_be_turned_off(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    environment = {**os.environ, "ETSL_CACHE_DIR": str(tmp_path / "cache"), **env}
    command = [sys.executable, "-m", "etsl", *args, str(TOKYO)]
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "cache").exists()


def test_a_cached_check_compiles_nothing(tmp_path: Path) -> None:
    """The second check reads the Program back and imports none of the passes."""
    code = (
        "import sys; from etsl.cli import cli\n"
        "try:\n    cli(['check', 'schemes/japan/tokyo_cat.scheme'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({'etsl.compiler.check', 'etsl.compiler.ast'} & set(sys.modules)))"
    )
    runs = run_twice(code, tmp_path / "cache")
    checked = "1 file checked: 0 error(s), 0 warning(s)"
    assert runs[0] == [checked, "['etsl.compiler.ast', 'etsl.compiler.check']"]
    assert runs[1] == [checked, "[]"]


def test_a_cached_run_imports_no_ast(tmp_path: Path) -> None:
    """A columnar run of a cached scheme loads neither the AST nor the passes (the reference
    engine's messages import the printer when they need it)."""
    results = tmp_path / "results.csv"
    code = (
        "import sys; from etsl.cli import cli\n"
        "try:\n    cli(['run', 'schemes/japan/tokyo_cat.scheme', '--participants',"
        f" 'examples/tokyo_facilities.csv', '-o', {str(results)!r}])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted({'etsl.compiler.check', 'etsl.compiler.ast'} & set(sys.modules)))"
    )
    runs = run_twice(code, tmp_path / "cache")
    assert runs[0][-1] == "['etsl.compiler.ast', 'etsl.compiler.check']"
    assert runs[1][-1] == "[]"
    assert results.read_text().count("\n") == 301
