"""Helpers shared by the CLI commands: compiling with diagnostics, picking a scheme, output."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from etsl.compiler.diagnostics import Diagnostic
from etsl.compiler.driver import Compilation, CompiledScheme, compile_paths
from etsl.compiler.render import render_json, render_text, summary

if TYPE_CHECKING:
    from etsl.runtime.results.model import Results, WriteOptions

PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
IMPORT_PATH = click.option(
    "--import-path",
    "import_paths",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Also allow imports from this folder (repeatable).",
)
SCHEME_NAME = click.option(
    "--scheme", "scheme_name", default=None, help="Which scheme, when the file defines several."
)
RAW_CSV = click.option(
    "--raw-csv",
    is_flag=True,
    help="Write CSV cells exactly as they are. By default a cell that a spreadsheet would "
    "run as a formula (starting with =, +, -, @, a tab or a carriage return, and not a "
    "number) gets a leading apostrophe; use this for programs that read the file.",
)


def use_color(stream: object = None) -> bool:
    target = stream or sys.stdout
    return bool(getattr(target, "isatty", lambda: False)())


def report(
    compilation: Compilation,
    output_format: str = "text",
    quiet_ok: bool = False,
    diagnostics: Sequence[Diagnostic] | None = None,
) -> None:
    """Print diagnostics (text with snippets, or JSON) to stdout."""
    found = list(diagnostics if diagnostics is not None else compilation.diagnostics)
    if output_format == "json":
        click.echo(render_json(found))
        return
    if found:
        click.echo(render_text(found, compilation.sources, use_color()))
        click.echo()
    if found or not quiet_ok:
        click.echo(summary(found, len(compilation.files)), err=bool(quiet_ok))


def compile_or_exit(
    paths: Sequence[Path],
    import_paths: Sequence[Path] = (),
    output_format: str = "text",
    reuse: bool = False,
) -> Compilation:
    """Compile; on errors print them and exit 1. With `reuse`, for commands that read only
    Programs, unchanged files are read back from the program cache."""
    compilation = compile_paths(paths, import_paths, reuse)
    if not compilation.ok:
        report(compilation, output_format)
        sys.exit(1)
    return compilation


def one_scheme(compilation: Compilation, name: str | None) -> CompiledScheme:
    """The scheme the user means: the named one, or the only one compiled."""
    if name is not None:
        if name not in compilation.schemes:
            known = ", ".join(sorted(compilation.schemes)) or "none"
            raise click.UsageError(f"no scheme named '{name}' (compiled: {known})")
        return compilation.schemes[name]
    if len(compilation.schemes) != 1:
        known = ", ".join(sorted(compilation.schemes)) or "none"
        raise click.UsageError(
            f"the input defines {len(compilation.schemes)} schemes "
            f"({known}); choose one with --scheme"
        )
    return next(iter(compilation.schemes.values()))


def write_results(results: Results, output: Path, options: WriteOptions) -> None:
    """Write a results file; a file system refusal is a message and exit 1."""
    try:
        results.write(output, options)
    except OSError as problem:
        raise click.ClickException(
            f"cannot write '{output}': {problem.strerror or problem}"
        ) from None


def emit(text: str, output: Path | None) -> None:
    """Print to stdout, or write atomically to a file and say where."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    from etsl.compiler.files import write_text

    try:
        write_text(output, text if text.endswith("\n") else text + "\n")
    except OSError as problem:
        raise click.ClickException(
            f"cannot write '{output}': {problem.strerror or problem}"
        ) from None
    click.echo(f"wrote {output}", err=True)
