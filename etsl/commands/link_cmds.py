"""`etsl link`: linkage compatibility of two schemes, or of the link network of many."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from etsl.commands.common import IMPORT_PATH, compile_or_exit, emit, use_color

if TYPE_CHECKING:
    from collections.abc import Sequence

    from etsl.compiler.model import SchemeModel
    from etsl.linkage.network import NetworkReport
    from etsl.linkage.pair import LinkReport

_NAME = re.compile(r"^[A-Za-z_]\w*$")


def _library_file(name: str) -> Path | None:
    """The bundled library file that defines scheme `name`, if any."""
    from importlib import resources

    pattern = re.compile(rf"^\s*scheme\s+{re.escape(name)}\b", re.M)
    pending = [resources.files("etsl.schemes")]
    while pending:
        for entry in pending.pop().iterdir():
            if entry.is_dir():
                pending.append(entry)
            elif entry.name.endswith(".scheme") and pattern.search(
                entry.read_bytes().decode("utf-8", errors="replace")
            ):
                return Path(str(entry))
    return None


def _resolve(argument: str) -> Path:
    path = Path(argument)
    if path.exists() or not _NAME.match(argument):
        return path
    found = _library_file(argument)
    if found is None:
        raise click.UsageError(
            f"'{argument}' is neither a file, a folder nor a bundled scheme; "
            "give a .scheme path or a library scheme name such as eu_ets"
        )
    return found


@click.command()
@click.argument("schemes", nargs=-1, required=True, metavar="SCHEME...")
@IMPORT_PATH
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="BASE/QUOTE=VALUE",
    help="Exchange rate for comparing amounts, e.g. EUR/JPY=160 (1 EUR = 160 JPY). Repeatable.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "md", "html"]),
    default="text",
    show_default=True,
    help="text (rich, coloured on a terminal), json, md or html (self-contained, with "
    "the network as an inline SVG).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to this file (atomically) instead of stdout.",
)
@click.option(
    "--network",
    "force_network",
    is_flag=True,
    help="Analyse two files as a network instead of a pair.",
)
def link(
    schemes: tuple[str, ...],
    import_paths: tuple[Path, ...],
    rates: tuple[str, ...],
    output_format: str,
    output: Path | None,
    force_network: bool,
) -> None:
    """Check linkage compatibility between schemes.

    `etsl link A B` checks one pair (files, or bundled scheme names such as eu_ets);
    `etsl link PATH...` analyses the link network of every scheme in the files and folders:
    reciprocity, linked markets, indirect flows of credits and price controls, and a pair
    report for every declared link. Exit status 1 when any pair has a blocker.
    """
    from etsl.linkage.network import analyse_network
    from etsl.linkage.pair import RateError, check_pair, parse_rates

    try:
        parsed = parse_rates(rates)
    except RateError as problem:
        raise click.BadParameter(str(problem), param_hint="'--rate'") from None
    paths = [_resolve(argument) for argument in schemes]
    compilation = compile_or_exit(paths, import_paths)
    models = [c.model for c in compilation.schemes.values()]
    pair = (
        not force_network
        and len(paths) == 2
        and all(p.is_file() for p in paths)
        and len(models) == 2
    )
    color = output is None and output_format == "text" and use_color()
    if pair:
        first = Path(paths[0]).resolve()
        a, b = sorted(models, key=lambda m: Path(m.path).resolve() != first)
        report = check_pair(a, b, parsed)
        emit(_report([report], None, output_format, color, models), output)
        sys.exit(1 if report.blockers else 0)
    network = analyse_network(models, parsed)
    emit(_report([], network, output_format, color, models), output)
    sys.exit(1 if network.blocked else 0)


def _report(
    pairs: list[LinkReport],
    network: NetworkReport | None,
    fmt: str,
    color: bool,
    models: Sequence[SchemeModel],
) -> str:
    """Text and JSON from the analysis itself; HTML and Markdown from the documents layer
    (so a terminal report never loads the template engine)."""
    if fmt in ("text", "json"):
        from etsl.linkage.network import plain_report

        return plain_report(pairs, network, fmt, color)
    from etsl.documents.linkage_report import render_document

    return render_document(pairs, network, fmt, models=models)
