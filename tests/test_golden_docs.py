"""Golden Markdown documents: every bundled scheme, the test fixtures, the index and a
comparison, in English and in Japanese.

Rendered pages are compared with `tests/golden/docs/<lang>/<name>.md`; `pytest
--update-golden` rewrites them (review the diff). The Markdown carries the same words as
the HTML pages, so these files show every wording change in review.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from etsl.compiler.driver import CompiledScheme, compile_paths
from etsl.documents.compare import comparison, comparison_title, render
from etsl.documents.figures.comparison import comparison_figures
from etsl.documents.i18n import language
from etsl.documents.site import site

from etsl.system_paths import year_paths
from tests.golden import check_golden
from tests.library import library, library_paths

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "docs"
FIXTURES = ROOT / "tests" / "cases" / "docs"
PUBLISHED = date(2025, 1, 31)
LANGUAGES = ("en", "ja")


@cache
def fixture(name: str) -> CompiledScheme:
    compilation = compile_paths([FIXTURES / f"{name}.scheme"])
    assert compilation.ok, compilation.diagnostics
    return next(iter(compilation.schemes.values()))


@cache
def library_site(lang: str) -> dict[str, str]:
    with language(lang):
        return site(library(), "md", published=PUBLISHED, paths=library_paths())


LIBRARY_NAMES = sorted(
    name
    for path in (ROOT / "schemes").rglob("*.scheme")
    for name in re.findall(r"^scheme (\w+)", path.read_text(encoding="utf-8"), re.M)
)


def test_every_bundled_scheme_has_a_golden_page() -> None:
    names = {m.name for m in library()}
    assert names and set(LIBRARY_NAMES) == names


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", LIBRARY_NAMES)
def test_library_page(name: str, lang: str, update_golden: bool) -> None:
    page = library_site(lang)[f"{name}.md"]
    check_golden(GOLDEN / lang / f"{name}.md", page, update_golden)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["tokyo", "market", "voluntary"])
def test_fixture_page(name: str, lang: str, update_golden: bool) -> None:
    scheme = fixture(name)
    model, paths = scheme.model, {scheme.name: year_paths(scheme)}
    with language(lang):
        page = site([model], "md", published=PUBLISHED, paths=paths)[f"{model.name}.md"]
    check_golden(GOLDEN / lang / f"{name}.md", page, update_golden)


def compared(folders: tuple[str, ...], title: str) -> str:
    """The comparison of the library's schemes in `folders`, with its charts, as `etsl
    docs --compare` writes it."""
    models = [m for m in library() if Path(m.path).parent.name in folders]
    result = comparison(models)
    charts = comparison_figures(result.schemes, library_paths())
    return render(result, "md", comparison_title(title), charts=charts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_index_and_world_comparison(lang: str, update_golden: bool) -> None:
    check_golden(GOLDEN / lang / "index.md", library_site(lang)["index.md"], update_golden)
    with language(lang):
        text = compared(("world",), "World emissions trading systems")
    check_golden(GOLDEN / lang / "compare-world.md", text, update_golden)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_japan_comparison(lang: str, update_golden: bool) -> None:
    with language(lang):
        text = compared(("japan", "kyoto"), "Japanese schemes")
    check_golden(GOLDEN / lang / "compare-japan.md", text, update_golden)
