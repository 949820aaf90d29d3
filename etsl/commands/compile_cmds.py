"""`etsl check`, `fmt`, `graph`, `export`, `schema`: the compiler's commands."""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from etsl.commands.common import (
    IMPORT_PATH,
    PATHS,
    SCHEME_NAME,
    compile_or_exit,
    emit,
    one_scheme,
    report,
    use_color,
)
from etsl.compiler.driver import Compilation, compile_paths

if TYPE_CHECKING:
    from etsl.compiler.confidence import CitedValue

FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Diagnostics as text or JSON.",
)
OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file (atomically) instead of stdout.",
)


@click.command()
@PATHS
@IMPORT_PATH
@FORMAT
@click.option(
    "--confidence",
    "list_confidence",
    is_flag=True,
    help="Also list every value whose citation rests on a secondary or unconfirmed source.",
)
def check(
    paths: tuple[Path, ...],
    import_paths: tuple[Path, ...],
    output_format: str,
    list_confidence: bool,
) -> None:
    """Check scheme files and folders; exit 1 when any has an error.

    Reports syntax errors, unknown names, type and unit errors and scheme-level problems
    as `path:line:col: severity: message [code]` with the source line and a hint. With
    --confidence, also lists the values that rest on secondary or unconfirmed sources
    (in JSON, a `confidence` list beside `diagnostics`).
    """
    compilation = compile_paths(paths, import_paths, reuse=not list_confidence)
    if not list_confidence:
        report(compilation, output_format)
    elif output_format == "json":
        click.echo(_confidence_json(compilation))
    else:
        report(compilation, output_format)
        click.echo(_confidence_text(compilation))
    sys.exit(0 if compilation.ok else 1)


def _doubtful(compilation: Compilation) -> list[CitedValue]:
    from etsl.compiler.confidence import doubtful

    schemes = sorted(compilation.schemes.values(), key=lambda c: (c.model.path, c.name))
    return [value for s in schemes for value in doubtful(s.model)]


def _where(value: CitedValue) -> str:
    at = value.location
    return f"{at.path}:{at.line}:{at.col}" if at else value.scheme


def _confidence_text(compilation: Compilation) -> str:
    values = _doubtful(compilation)
    if not values:
        return "Every cited value rests on a primary source (or one that says nothing)."
    lines = [f"{len(values)} cited value(s) rest on a secondary or unconfirmed source:"]
    for v in values:
        cites = ", ".join(
            c.source + (f" {c.locator!r}" if c.locator else "") for c in v.citation.all()
        )
        lines.append(f"{_where(v)}: {v.confidence}: {v.scheme}: {v.what} (cite {cites})")
    return "\n".join(lines)


def _confidence_json(compilation: Compilation) -> str:
    from etsl.compiler.render import render_json

    values = [
        {
            "scheme": v.scheme,
            "what": v.what,
            "confidence": v.confidence,
            "source": v.citation.source,
            "locator": v.citation.locator,
            "also": [{"source": c.source, "locator": c.locator} for c in v.citation.also],
            "where": _where(v),
        }
        for v in _doubtful(compilation)
    ]
    data = json.loads(render_json(compilation.diagnostics))
    data["confidence"] = values
    return json.dumps(data, indent=2, ensure_ascii=False)


@click.command()
@PATHS
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 and list files that are not formatted.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print what would change, as a unified diff; change nothing.",
)
def fmt(paths: tuple[Path, ...], check_only: bool, show_diff: bool) -> None:
    """Format scheme files canonically, keeping comments (idempotent)."""
    from etsl.compiler.files import write_text
    from etsl.compiler.fmt import format_source
    from etsl.compiler.load import read_source, scheme_files
    from etsl.compiler.render import render_text

    files, problems = scheme_files(paths)
    failed = bool(problems)
    if problems:
        click.echo(render_text(problems, {}, use_color()))
    unformatted = []
    for path in files:
        source, problem = read_source(path)
        text, diagnostics = (None, [problem]) if problem else format_source(source)
        if text is None:
            click.echo(render_text(diagnostics, {source.path: source}, use_color()))
            failed = True
            continue
        if text == source.text and source.newline:
            continue  # formatted, with one kind of line ending (kept as the file has it)
        unformatted.append(path)
        if show_diff:
            click.echo(
                "".join(
                    difflib.unified_diff(
                        source.text.splitlines(True), text.splitlines(True), str(path), str(path)
                    )
                )
            )
        if not check_only and not show_diff:
            write_text(path, text.replace("\n", source.newline or "\n"))
    verb = "would reformat" if check_only or show_diff else "reformatted"
    for path in unformatted:
        click.echo(f"{verb} {path}")
    click.echo(f"{len(files)} file(s): {len(unformatted)} {verb}", err=True)
    sys.exit(1 if failed or (check_only and unformatted) else 0)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@IMPORT_PATH
@SCHEME_NAME
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["dot", "json"]),
    default="dot",
    show_default=True,
)
@OUTPUT
def graph(
    file: Path,
    import_paths: tuple[Path, ...],
    scheme_name: str | None,
    output_format: str,
    output: Path | None,
) -> None:
    """Print the rule dependency graph of a scheme (Graphviz dot or JSON)."""
    from etsl.compiler.graph_export import to_dot, to_json

    compiled = one_scheme(compile_or_exit([file], import_paths), scheme_name)
    g = compiled.graph.to_networkx()
    text = to_dot(g) if output_format == "dot" else to_json(g)
    emit(text, output)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@IMPORT_PATH
@SCHEME_NAME
@OUTPUT
def export(
    file: Path, import_paths: tuple[Path, ...], scheme_name: str | None, output: Path | None
) -> None:
    """Print a scheme's model (the public contract) as JSON."""
    compiled = one_scheme(compile_or_exit([file], import_paths), scheme_name)
    emit(compiled.model.model_dump_json(indent=2, exclude_none=True), output)


@click.command()
@OUTPUT
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the scheme model."""
    from etsl.compiler.model import SchemeModel

    emit(json.dumps(SchemeModel.model_json_schema(), indent=2), output)
