"""`etsl docs`, `compare`, `diff`: documents for people who never open a .scheme file."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from etsl.commands.common import IMPORT_PATH, PATHS, RAW_CSV, compile_or_exit, emit
from etsl.compiler.driver import Compilation, CompiledScheme

if TYPE_CHECKING:
    from etsl.compiler.model import SchemeModel
    from etsl.documents.figures.comparison import ComparedFigure
    from etsl.documents.site import ExtraDocument
    from etsl.linkage.facts import Rates

ONLY = click.option(
    "--scheme",
    "scheme_names",
    multiple=True,
    help="Only this scheme (repeatable); default: every scheme compiled.",
)


def _in_given_order(compilation: Compilation, paths: Sequence[Path]) -> list[CompiledScheme]:
    """The compiled schemes, in the order their files were given on the command line."""

    def rank(scheme: CompiledScheme) -> tuple[int, str]:
        where = Path(scheme.model.path).resolve()
        for index, path in enumerate(paths):
            given = path.resolve()
            if where == given or given in where.parents:
                return index, str(where)
        return len(paths), str(where)

    return sorted(compilation.schemes.values(), key=rank)


def _models_or_exit(
    compilation: Compilation, names: Sequence[str], paths: Sequence[Path] = ()
) -> list[CompiledScheme]:
    if not names:
        if not compilation.schemes:
            raise click.UsageError("no scheme found in the given files (catalogues only?)")
        return _in_given_order(compilation, paths)
    unknown = [n for n in names if n not in compilation.schemes]
    if unknown:
        known = ", ".join(sorted(compilation.schemes)) or "none"
        raise click.UsageError(f"no scheme named '{unknown[0]}' (compiled: {known})")
    return [compilation.schemes[n] for n in names]


@click.command()
@PATHS
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write the site into (created if missing).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "md", "pdf"]),
    default="html",
    show_default=True,
    help="Self-contained HTML pages; Markdown with SVG figures; or PDF (every HTML page "
    "printed by headless Chromium, A4).",
)
@click.option(
    "--lang",
    "languages",
    multiple=True,
    type=click.Choice(["en", "ja"]),
    help="Language of the documents (repeatable: the first at the top of the folder, each "
    "other in a subfolder named after it, every page linking to its translations). "
    "Default: en.",
)
@click.option(
    "--date",
    "published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Publication date shown on every page (YYYY-MM-DD). Default: today.",
)
@click.option(
    "--compare",
    "comparisons",
    multiple=True,
    metavar="TITLE=PATH[,PATH…]",
    help="Also write a comparison of these files or folders and list it on the index (repeatable).",
)
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="BASE/QUOTE=VALUE",
    help="Exchange rate for the comparisons' price-control charts, e.g. USD/JPY=150 "
    "(1 USD = 150 JPY), as for etsl link. Repeatable. Default: each scheme's own currency.",
)
@click.option(
    "--linkage",
    is_flag=True,
    help="Also write the linkage network report of the documented schemes.",
)
@click.option(
    "--simulation",
    "simulations",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="SCENARIO",
    help="Also simulate this scenario (docs/simulate.md) over the documented schemes and add "
    "its page, with its charts, to the site (HTML; repeatable).",
)
@ONLY
@IMPORT_PATH
def docs(
    paths: tuple[Path, ...],
    out_dir: Path,
    output_format: str,
    languages: tuple[str, ...],
    published: datetime | None,
    comparisons: tuple[str, ...],
    rates: tuple[str, ...],
    linkage: bool,
    simulations: tuple[Path, ...],
    scheme_names: tuple[str, ...],
    import_paths: tuple[Path, ...],
) -> None:
    """Generate a documentation site: an index, one page and one factsheet per scheme.

    Every rule is stated in plain language with its formula and citation; pages carry a
    summary card, decision tables, eligible credits, consequences, price controls, worked
    examples, sources and figures (timeline, rule graph, value paths). Comparisons and the
    linkage report, when asked for, are part of the site; so are a glossary of
    abbreviations and a search page.
    """
    from etsl.documents.i18n import language
    from etsl.documents.site import site
    from etsl.system_paths import year_paths

    requests = [_comparison_request(text) for text in comparisons]
    parsed_rates = _rates_or_exit(rates)
    compilation = compile_or_exit(paths, import_paths)
    schemes = _models_or_exit(compilation, scheme_names, paths)
    models = [s.model for s in schemes]
    value_paths = {s.name: year_paths(s) for s in schemes}
    compared = [(title, _compared(targets, import_paths)) for title, targets in requests]
    if simulations and output_format == "md":
        raise click.BadParameter("simulation pages are HTML", param_hint="--simulation")
    simulated = [_simulation_document(path, compilation) for path in simulations]
    chosen = list(dict.fromkeys(languages or ("en",)))
    prefixes = _language_prefixes(chosen)
    day = published.date() if published else date.today()
    fmt = "html" if output_format == "pdf" else output_format
    files: dict[str, str] = {}
    for lang in chosen:
        with language(lang):
            extras = [
                _comparison_document(title, found, fmt, parsed_rates) for title, found in compared
            ]
            if linkage:
                extras.append(_linkage_document(models, fmt))
            extras += simulated
            folder = "" if lang == chosen[0] else f"{lang}/"
            pages = site(models, fmt, extras, day, list(prefixes[lang].items()), value_paths)
            files.update({folder + name: text for name, text in pages.items()})
    if output_format == "pdf":
        _write_pdfs(files, out_dir)
        return
    written = _write(files, out_dir)
    pages_written = sum(1 for p in written if p.suffix == f".{output_format}")
    click.echo(f"wrote {pages_written} page(s) to {out_dir}", err=True)
    click.echo(f"index: {out_dir / ('index.' + output_format)}", err=True)


def _language_prefixes(chosen: Sequence[str]) -> dict[str, dict[str, str]]:
    """For the pages of each language, the path prefix to every language's pages."""
    folder = {lang: "" if lang == chosen[0] else f"{lang}/" for lang in chosen}
    out = {}
    for here in chosen:
        up = "../" if folder[here] else ""
        out[here] = {lang: up + folder[lang] for lang in chosen}
    return out


def _write(files: Mapping[str, str | bytes], out_dir: Path) -> list[Path]:
    """Write the files into `out_dir` all at once; a folder that cannot be written is a
    message, never a traceback."""
    from etsl.documents.site import write_site

    try:
        return write_site(files, out_dir)
    except OSError as problem:
        raise click.ClickException(
            f"cannot write to '{out_dir}': {problem.strerror or problem}; choose another "
            "folder with -o"
        ) from None


def _write_pdfs(files: dict[str, str], out_dir: Path) -> None:
    """Print every HTML page to PDF with headless Chromium; write the PDFs only."""
    import tempfile

    from etsl.documents.pdf import PdfError, print_site
    from etsl.documents.site import write_site

    with tempfile.TemporaryDirectory(prefix="etsl-pdf-") as staging:
        write_site(files, Path(staging))
        pages = [name for name in files if name.endswith(".html") and "search" not in name]
        try:
            pdfs = print_site(Path(staging), pages)
        except PdfError as problem:
            raise click.ClickException(str(problem)) from None
    written = _write(pdfs, out_dir)
    click.echo(f"wrote {len(written)} PDF file(s) to {out_dir}", err=True)


def _comparison_request(text: str) -> tuple[str, list[Path]]:
    title, sep, targets = text.partition("=")
    paths = [Path(t) for t in targets.split(",") if t.strip()]
    if not sep or not title.strip() or not paths:
        raise click.BadParameter(f"'{text}' is not TITLE=PATH[,PATH…]", param_hint="--compare")
    return title.strip(), paths


def _slug(title: str) -> str:
    return "-".join("".join(ch.lower() if ch.isalnum() else " " for ch in title).split())


def _compared(targets: list[Path], import_paths: Sequence[Path]) -> list[CompiledScheme]:
    compilation = compile_or_exit(targets, import_paths)
    return sorted(compilation.schemes.values(), key=lambda s: s.model.path)


def _comparison_document(
    title: str, schemes: list[CompiledScheme], fmt: str, rates: Rates
) -> ExtraDocument:
    from etsl.documents.compare import comparison, comparison_title, render
    from etsl.documents.site import ExtraDocument

    result = comparison([s.model for s in schemes])
    heading = comparison_title(title)
    charts = _comparison_charts(result.schemes, schemes, rates)
    return ExtraDocument(
        heading,
        f"compare-{_slug(title)}.{fmt}",
        lambda shell: render(result, fmt, heading, shell, charts),
    )


def _comparison_charts(
    models: Sequence[SchemeModel], schemes: Sequence[CompiledScheme], rates: Rates
) -> tuple[ComparedFigure, ...]:
    """The comparison's charts, with the caps and price paths etsl computes for each
    scheme from its system level (documents never evaluate)."""
    from etsl.documents.figures.comparison import comparison_figures
    from etsl.system_paths import year_paths

    return comparison_figures(models, {s.name: year_paths(s) for s in schemes}, rates)


def _rates_or_exit(texts: Sequence[str]) -> Rates:
    from etsl.linkage.pair import RateError, parse_rates

    try:
        return parse_rates(texts)
    except RateError as problem:
        raise click.BadParameter(str(problem), param_hint="'--rate'") from None


def _linkage_document(models: list[SchemeModel], fmt: str) -> ExtraDocument:
    from etsl.documents.i18n import gettext
    from etsl.documents.linkage_report import SITE_TITLE, render_document
    from etsl.documents.scheme_text import translated
    from etsl.documents.site import ExtraDocument
    from etsl.linkage.network import analyse_network

    network = analyse_network([translated(m) for m in models])  # its quotes of scheme text
    return ExtraDocument(
        gettext(SITE_TITLE),
        f"linkage.{fmt}",
        lambda shell: render_document([], network, fmt, False, shell, models),
        section="linkage",
    )


def _simulation_document(path: Path, compilation: Compilation) -> ExtraDocument:
    """A scenario simulated over the documented schemes, as a page of the site."""
    from etsl.documents.simulation import render_simulation
    from etsl.documents.site import ExtraDocument
    from etsl.runtime.simulate.bind import bind_compiled
    from etsl.runtime.simulate.report import Report
    from etsl.runtime.simulate.scenario import load_scenario
    from etsl.runtime.simulate.solve import SimulationError, simulate
    from etsl.simulate_page import simulation_page

    scenario, problems = load_scenario(path)
    if scenario is not None:
        bound, problems = bind_compiled(scenario, compilation.schemes, str(path))
    for problem in problems:
        click.echo(problem.render(), err=True)
    if problems or scenario is None:
        sys.exit(1)
    try:
        report = Report.of(scenario, bound, simulate(scenario, bound))
    except SimulationError as failure:
        raise click.ClickException(f"{path}: {failure.message}  [{failure.code}]") from None
    page = simulation_page(report, None)
    return ExtraDocument(
        scenario.title,
        f"simulation-{_slug(path.stem)}.html",
        lambda shell: render_simulation(page, shell),
        section="simulation",
    )


_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".csv": "csv"}


@click.command()
@PATHS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file (format from its suffix: .html, .md, .csv).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "md", "csv"]),
    default=None,
    help="Output format (default: from the file suffix, else md).",
)
@click.option(
    "--table",
    type=click.Choice(["full", "basic"]),
    default="full",
    show_default=True,
    help="For CSV: every dimension, or the Basic Scheme table.",
)
@click.option(
    "--lang",
    "lang",
    type=click.Choice(["en", "ja"]),
    default="en",
    show_default=True,
    help="Language of the HTML or Markdown document.",
)
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="BASE/QUOTE=VALUE",
    help="Exchange rate for the price-control charts, e.g. USD/JPY=150 (1 USD = 150 JPY), "
    "as for etsl link. Repeatable. Default: each scheme's own currency.",
)
@RAW_CSV
@ONLY
@IMPORT_PATH
def compare(
    paths: tuple[Path, ...],
    output: Path | None,
    output_format: str | None,
    table: str,
    lang: str,
    rates: tuple[str, ...],
    raw_csv: bool,
    scheme_names: tuple[str, ...],
    import_paths: tuple[Path, ...],
) -> None:
    """Compare schemes side by side along the standard dimensions.

    Differences are highlighted and every cell cites its source. The document also holds
    the "Basic Scheme" table (Scheme, Allocation, Support, Timing, Phase, Target, Amount).
    """
    from etsl.documents.compare import comparison, render, to_csv
    from etsl.documents.i18n import language

    fmt = output_format or (_SUFFIX_FORMATS.get(output.suffix.lower()) if output else None)
    if fmt is None:
        if output is not None:
            raise click.UsageError(
                f"cannot tell the format of '{output.name}'; use a .html, "
                ".md or .csv file name, or --format"
            )
        fmt = "md"
    parsed_rates = _rates_or_exit(rates)
    compilation = compile_or_exit(paths, import_paths)
    schemes = _models_or_exit(compilation, scheme_names, paths)
    with language(lang):
        result = comparison([s.model for s in schemes])
        if fmt == "csv":
            text = to_csv(result, table, raw_csv)
        else:
            charts = _comparison_charts(result.schemes, schemes, parsed_rates)
            text = render(result, fmt, charts=charts)
    try:
        emit(text, output)
    except OSError as problem:
        raise click.ClickException(f"cannot write '{output}': {problem.strerror}") from None


def _defined_in(compilation: Compilation, path: Path) -> list[CompiledScheme]:
    target = path.resolve()
    return [
        s
        for s in compilation.schemes.values()
        if Path(s.model.path).resolve() == target or target.is_dir()
    ]


def _with_imports(compilation: Compilation, import_paths: Sequence[Path]) -> Compilation:
    """The compilation of every file the given ones import, too (for parents of variants)."""
    imported = [Path(p) for p in compilation.sources if not p.startswith("<")]
    return compile_or_exit(imported, import_paths) if imported else compilation


def _pick(
    compilation: Compilation, path: Path, name: str | None, import_paths: Sequence[Path] = ()
) -> CompiledScheme:
    """The named scheme (from the file or what it imports), else the file's only scheme."""
    if name is not None:
        if name not in compilation.schemes:
            compilation = _with_imports(compilation, import_paths)
        if name not in compilation.schemes:
            known = ", ".join(sorted(compilation.schemes)) or "none"
            raise click.UsageError(f"no scheme named '{name}' in '{path}' (compiled: {known})")
        return compilation.schemes[name]
    found = _defined_in(compilation, path)
    if len(found) != 1:
        known = ", ".join(s.name for s in found) or "none"
        raise click.UsageError(
            f"'{path}' defines {len(found)} schemes ({known}); choose with --scheme"
        )
    return found[0]


def _parent(
    compilation: Compilation, child: CompiledScheme, import_paths: Sequence[Path]
) -> CompiledScheme:
    """The scheme a variant extends, compiled from the files the variant's file imports."""
    parent = child.model.extends
    if parent is None:
        raise click.UsageError(
            f"'{child.name}' extends no scheme; give two files to compare (etsl diff OLD NEW)"
        )
    if parent in compilation.schemes:
        return compilation.schemes[parent]
    wider = _with_imports(compilation, import_paths)
    if parent not in wider.schemes:
        raise click.UsageError(f"cannot find '{parent}', the scheme '{child.name}' extends")
    return wider.schemes[parent]


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@click.option(
    "--scheme",
    "scheme_names",
    multiple=True,
    help="Which scheme: once for both sides (or the variant, with one file); "
    "twice for OLD then NEW.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file (atomically) instead of stdout.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences.")
@IMPORT_PATH
def diff(
    old: Path,
    new: Path | None,
    scheme_names: tuple[str, ...],
    output_format: str,
    output: Path | None,
    exit_code: bool,
    import_paths: tuple[Path, ...],
) -> None:
    """Show what changed between two versions of a scheme.

    With two files, compares OLD's scheme with NEW's. With one file, compares a variant
    (the file's scheme, or --scheme) with the scheme it extends. Rules, parameters,
    tables, periods, units, penalties, links and metadata: added, removed or changed, with
    old and new values in ETSL and in plain language.
    """
    from etsl.documents.diff import RENDERERS
    from etsl.documents.diff import diff as compute

    if len(scheme_names) > 2:
        raise click.UsageError("give --scheme at most twice (OLD, then NEW)")
    first = scheme_names[0] if scheme_names else None
    second = scheme_names[-1] if scheme_names else None
    old_compiled = compile_or_exit([old], import_paths)
    if new is None:
        after = _pick(old_compiled, old, second, import_paths)
        before = (
            _pick(old_compiled, old, first, import_paths)
            if len(scheme_names) == 2
            else _parent(old_compiled, after, import_paths)
        )
    else:
        new_compiled = compile_or_exit([new], import_paths)
        before = _pick(old_compiled, old, first, import_paths)
        after = _pick(new_compiled, new, second, import_paths)
    changes = compute(before.model, after.model)
    text = RENDERERS[output_format](before.model, after.model, changes)
    emit(text, output)
    sys.exit(1 if exit_code and changes else 0)
