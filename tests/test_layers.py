"""The layer contract, read from the imports of every module (with `ast`, nothing imported).

    grammar ← compiler ← runtime
                       ← linkage ← documents
    {compiler, runtime, linkage, documents} ← etsl (API, CLI)

Lower layers never import higher ones; runtime never imports documents or linkage, and
neither of them imports runtime; only `etsl.cli` imports the command modules; no
`_private` name is imported from another module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = {  # folder → installed package
    "grammar": "etsl.grammar",
    "compiler": "etsl.compiler",
    "runtime": "etsl.runtime",
    "linkage": "etsl.linkage",
    "documents": "etsl.documents",
    "schemes": "etsl.schemes",
    "etsl": "etsl",
}
#: What each layer may import besides itself.
ALLOWED = {
    "etsl.grammar": set(),
    "etsl.compiler": {"etsl.grammar"},
    "etsl.runtime": {"etsl.grammar", "etsl.compiler"},
    "etsl.linkage": {"etsl.grammar", "etsl.compiler"},
    "etsl.documents": {"etsl.grammar", "etsl.compiler", "etsl.linkage"},
    "etsl.schemes": set(),
    "etsl": {
        "etsl.grammar",
        "etsl.compiler",
        "etsl.runtime",
        "etsl.linkage",
        "etsl.documents",
        "etsl.schemes",
    },
}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in PACKAGES.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = path.relative_to(REPO / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


MODULES = _modules()


def _layer(module: str) -> str:
    for package in sorted(ALLOWED, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return module


def _imports(path: Path, module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [alias.name for alias in node.names]
            found.append((base, names, node.lineno))
    return found


def _etsl_imports() -> list[tuple[str, str, list[str], str]]:
    rows = []
    for module, path in MODULES.items():
        for imported, names, line in _imports(path, module):
            if imported == "etsl" or imported.startswith("etsl."):
                rows.append((module, imported, names, f"{path.relative_to(REPO)}:{line}"))
    return rows


IMPORTS = _etsl_imports()


def _resolves_to_module(imported: str, name: str) -> bool:
    return f"{imported}.{name}" in MODULES


def test_modules_are_found() -> None:
    assert "etsl.compiler.driver" in MODULES
    assert "etsl.runtime.reference.engine" in MODULES
    assert len(IMPORTS) > 100


def test_lower_layers_never_import_higher_ones() -> None:
    wrong = []
    for module, imported, names, where in IMPORTS:
        own, other = _layer(module), _layer(imported)
        targets = [other]
        if imported in ALLOWED:  # `from etsl import runtime` imports the sub-package
            targets = [_layer(f"{imported}.{n}") for n in names] or [other]
        for target in targets:
            if target != own and target not in ALLOWED[own]:
                wrong.append(f"{where}: {module} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_only_the_cli_imports_command_modules() -> None:
    wrong = [
        f"{where}: {module} imports {imported}"
        for module, imported, _, where in IMPORTS
        if imported.startswith("etsl.commands")
        and not (module == "etsl.cli" or module.startswith("etsl.commands"))
    ]
    assert not wrong, "\n".join(wrong)


def test_command_modules_do_not_import_each_other_in_a_cycle() -> None:
    edges = {
        (module, imported)
        for module, imported, _, _ in IMPORTS
        if module.startswith("etsl.commands.") and imported.startswith("etsl.commands.")
    }
    cycles = [f"{a} ↔ {b}" for a, b in edges if (b, a) in edges and a < b]
    assert not cycles, cycles


def test_no_private_name_crosses_a_module_boundary() -> None:
    wrong = [
        f"{where}: {module} imports {name} from {imported}"
        for module, imported, names, where in IMPORTS
        for name in names
        if name.startswith("_") and not _resolves_to_module(imported, name)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "module, heavy",
    [
        ("etsl.documents.site", ("duckdb", "sqlglot", "etsl.runtime")),
        ("etsl.linkage.network", ("duckdb", "sqlglot", "etsl.runtime", "jinja2")),
        ("etsl.runtime.reference.sequence", ("duckdb", "sqlglot", "jinja2")),
    ],
)
def test_importing_a_layer_does_not_pull_in_others(module: str, heavy: tuple[str, ...]) -> None:
    code = (
        f"import sys, {module}\n"
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert not loaded, f"importing {module} imports {loaded}"


# ---- the wheel --------------------------------------------------------------------------------


def _pyproject() -> dict[str, object]:
    import tomllib

    with (REPO / "pyproject.toml").open("rb") as stream:
        return tomllib.load(stream)


def _tree_packages() -> set[str]:
    """Every folder of the installed layout that holds Python modules or package data."""
    found = set()
    for folder, package in PACKAGES.items():
        for init in (REPO / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / folder).parts
            found.add(".".join((package, *parts)))
    found.add("etsl.documents.templates")
    return found


def test_the_wheel_lists_every_package_of_the_tree() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    listed = set(setuptools["packages"])  # type: ignore[index]
    assert _tree_packages() <= listed, f"missing from pyproject: {_tree_packages() - listed}"
    assert all(_package_folder(p).is_dir() for p in listed)


def _data_files(folder: Path, packages: set[Path]) -> list[str]:
    """Non-Python files under a package folder, down to (not into) other packages."""
    found = []
    for file in folder.rglob("*"):
        relative = file.relative_to(folder)
        inside_subpackage = any(
            folder / Path(*relative.parts[: n + 1]) in packages
            for n in range(len(relative.parts) - 1)
        )
        wanted = file.is_file() and file.suffix not in (".py", ".pyc")
        if wanted and not inside_subpackage and "__pycache__" not in relative.parts:
            found.append(relative.as_posix())
    return found


def _package_folder(package: str) -> Path:
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        top = ".".join(parts[:n])
        folder = next((f for f, p in PACKAGES.items() if p == top), None)
        if folder is not None:
            return REPO / folder / Path(*parts[n:])
    raise AssertionError(package)


def test_package_data_covers_every_data_file() -> None:
    import fnmatch

    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    data = setuptools["package-data"]  # type: ignore[index]
    listed = setuptools["packages"]  # type: ignore[index]
    folders = {_package_folder(p) for p in listed}
    uncovered = [
        f"{package}: {name}"
        for package in listed
        for name in _data_files(_package_folder(package), folders)
        if not any(fnmatch.fnmatch(name, p) for p in data.get(package, []))  # type: ignore[union-attr]
    ]
    assert not uncovered, f"data files no package-data pattern ships: {uncovered}"
