"""`make demo`'s steps: the world comparison includes Japan's systems in force (active)."""

from __future__ import annotations

from pathlib import Path

from etsl.compiler.driver import compile_paths

from etsl.demo import JAPANESE_SYSTEMS, SITE_STEP, steps


def compared(out: Path) -> dict[str, list[Path]]:
    args = dict(steps(out))[SITE_STEP]
    requests = [args[i + 1] for i, a in enumerate(args) if a == "--compare"]
    return {
        t: [Path(p) for p in paths.split(",")] for t, paths in (r.split("=", 1) for r in requests)
    }


def test_the_world_comparison_includes_japans_systems_in_force(tmp_path: Path) -> None:
    world = compared(tmp_path)["World emissions trading systems"]
    compilation = compile_paths(world)
    assert compilation.ok
    models = {name: c.model for name, c in compilation.schemes.items()}
    assert set(JAPANESE_SYSTEMS) <= set(models)
    assert len(models) == 13
    for name in JAPANESE_SYSTEMS:
        assert models[name].meta["status"].value == "active", name


def test_the_site_is_built_in_english_and_in_japanese(tmp_path: Path) -> None:
    args = dict(steps(tmp_path))[SITE_STEP]
    languages = [args[i + 1] for i, a in enumerate(args) if a == "--lang"]
    assert languages == ["en", "ja"]
