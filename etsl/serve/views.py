"""What the workbench's requests do: each is a function from the request's JSON (and the
bench) to JSON, calling the language server's features, the runtime, the documents and
linkage. A user's mistake raises `Refused` (or `NotCompiled`, with the diagnostics), which
the app answers as a clear message; nothing here writes except `save`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter

from etsl.compiler.driver import CompiledScheme
from etsl.lsp import actions, complete, hover, lenses, report, symbols
from etsl.lsp.positions import offset_at
from etsl.lsp.workspace import Analysis, Workspace
from etsl.serve.store import Refused, Store

Body = Mapping[str, Any]
MAX_ROWS = 200  # result rows sent to the page (the summary covers them all)
_CONVERTER = get_converter()


def plain(value: Any) -> Any:
    """lsprotocol objects as the JSON the protocol uses (camelCase keys)."""
    return _CONVERTER.unstructure(value)


class NotCompiled(Refused):
    """The scheme has errors; the diagnostics say which."""

    def __init__(self, message: str, diagnostics: list[Any]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclass
class Bench:
    """The workbench's state: the files it may touch and the language server's workspace."""

    store: Store
    workspace: Workspace = field(default_factory=Workspace)

    def analysis(self, body: Body) -> Analysis:
        path = self.store.resolve(_text(body, "path"))
        return self.workspace.analyse(path, _text(body, "text", limit=None))

    def compiled(self, body: Body) -> tuple[Analysis, CompiledScheme]:
        """The scheme the request means (its `scheme`, else the file's first), compiled."""
        analysis = self.analysis(body)
        own = (
            [s.name for s in analysis.module.schemes if not s.catalogue] if analysis.module else []
        )
        wanted = body.get("scheme") or (own[0] if own else None)
        compiled = analysis.compiled(wanted) if isinstance(wanted, str) else None
        if compiled is None:
            problems = [plain(d) for d in report.lsp_diagnostics(analysis)]
            what = f"'{wanted}'" if wanted else "this file"
            raise NotCompiled(f"{what} does not compile: fix the errors first", problems)
        return analysis, compiled

    def other(self, body: Body) -> CompiledScheme:
        """The second scheme of a comparison or a link, read from its file."""
        path = self.store.resolve(_text(body, "other"))
        analysis = self.workspace.analyse(path, self.store.read(_text(body, "other")))
        compiled = next(iter(analysis.compilation.schemes.values()), None)
        if compiled is None:
            raise Refused(f"'{body['other']}' does not compile; open it to see why")
        return compiled


def _text(body: Body, key: str, limit: int | None = 4096) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise Refused(f"the request has no '{key}'")
    if limit is not None and len(value) > limit:
        raise Refused(f"'{key}' is too long")
    return value


def _offset(analysis: Analysis, body: Body) -> int:
    line, character = body.get("line"), body.get("character")
    if not isinstance(line, int) or not isinstance(character, int) or min(line, character) < 0:
        raise Refused("the request needs a line and a character (numbers from 0)")
    return offset_at(analysis.source, types.Position(line, character))


# ---- the editor ----------------------------------------------------------------------------------


def files(bench: Bench, body: Body) -> Any:
    store = bench.store
    schemes = [{"path": e.path, "writable": e.writable} for e in store.schemes()]
    return {
        "root": str(store.root),
        "writable": store.writable,
        "schemes": schemes,
        "samples": store.samples(),
    }


def language(bench: Bench, body: Body) -> Any:
    from etsl.highlight import word_lists

    return word_lists()


def open_file(bench: Bench, body: Body) -> Any:
    path = _text(body, "path")
    return {"path": path, "text": bench.store.read(path), "writable": bench.store.writable}


def check(bench: Bench, body: Body) -> Any:
    analysis = bench.analysis(body)
    return {
        "diagnostics": [plain(d) for d in report.lsp_diagnostics(analysis)],
        "hints": [plain(h) for h in lenses.inlay_hints(analysis)],
        "schemes": sorted(analysis.compilation.schemes),
    }


def hover_at(bench: Bench, body: Body) -> Any:
    analysis = bench.analysis(body)
    found = hover.hover(analysis, _offset(analysis, body))
    return plain(found) if found else None


def complete_at(bench: Bench, body: Body) -> Any:
    analysis = bench.analysis(body)
    return plain(complete.completions(analysis, _offset(analysis, body)))


def definition_at(bench: Bench, body: Body) -> Any:
    analysis = bench.analysis(body)
    return [plain(loc) for loc in symbols.definition_locations(analysis, _offset(analysis, body))]


def format_text(bench: Bench, body: Body) -> Any:
    analysis = bench.analysis(body)
    edits = actions.formatting(analysis)
    if edits is None:
        raise Refused("the file has syntax errors; fix them before formatting")
    return {"text": edits[0].new_text if edits else analysis.text}


def quick_fixes(bench: Bench, body: Body) -> Any:
    analysis = bench.analysis(body)
    raw = body.get("diagnostics") or []
    diagnostics = [_CONVERTER.structure(d, types.Diagnostic) for d in raw[:50]]
    return [plain(a) for a in actions.code_actions(analysis, diagnostics)]


def save(bench: Bench, body: Body) -> Any:
    path = bench.store.save(_text(body, "path"), _text(body, "text", limit=None))
    return {"saved": str(path)}


# ---- documents, examples, data ---------------------------------------------------------------


def page(bench: Bench, body: Body) -> Any:
    from etsl.documents.scheme_page import scheme_page
    from etsl.documents.site import render_page
    from etsl.system_paths import year_paths

    _, compiled = bench.compiled(body)
    view = scheme_page(compiled.model, "html", paths=year_paths(compiled))
    return {
        "scheme": compiled.name,
        "html": render_page(view, "html"),
    }


def examples(bench: Bench, body: Body) -> Any:
    from etsl.runtime.examples import render_outcome

    analysis, compiled = bench.compiled(body)
    outcomes = lenses.example_outcomes(analysis, compiled)
    shown = [
        {
            "title": o.title,
            "passed": o.passed,
            "text": render_outcome(o, verbose=True),
            "line": o.span.line,
        }
        for o in outcomes
    ]
    passed = sum(o.passed for o in outcomes)
    return {
        "scheme": compiled.name,
        "outcomes": shown,
        "passed": passed,
        "failed": len(outcomes) - passed,
    }


def _dataset(bench: Bench, compiled: CompiledScheme, body: Body) -> Any:
    from etsl.runtime.data.checks import render_problems
    from etsl.runtime.data.load import load_dataset

    path = bench.store.data(_text(body, "data"))
    period = body.get("period") if isinstance(body.get("period"), str) else None
    dataset, problems = load_dataset(path, compiled, period=period)
    if dataset is None:
        raise Refused("the data could not be read:\n" + render_problems(problems, 20))
    return dataset, [p.render() for p in problems[:50]]


def run(bench: Bench, body: Body) -> Any:
    from etsl.compiler.display import format_value
    from etsl.runtime.results.model import RunOptions
    from etsl.runtime.run import run_dataset

    _, compiled = bench.compiled(body)
    dataset, problems = _dataset(bench, compiled, body)
    results = run_dataset(compiled, dataset, "reference", RunOptions())
    names = [
        n
        for n in ("covered", "obligation", "cap", "target", "surrendered", "shortfall", "surplus")
        if n in results.rule_names
    ]
    rows = [
        {
            "participant": r.participant,
            "period": r.period or "",
            **{n: format_value(r.values.get(n), compiled.program.unit_of(n)) for n in names},
            "error": r.errors[0].message if r.errors else "",
        }
        for r in results.rows[:MAX_ROWS]
    ]
    return {
        "scheme": compiled.name,
        "columns": ["participant", "period", *names, "error"],
        "rows": rows,
        "total_rows": len(results.rows),
        "summary": results.summary().to_dict(),
        "problems": problems,
    }


def explain(bench: Bench, body: Body) -> Any:
    from etsl.runtime.reference.explain import explain_text
    from etsl.runtime.reference.sequence import run as run_reference
    from etsl.runtime.results.model import RunOptions

    _, compiled = bench.compiled(body)
    dataset, _ = _dataset(bench, compiled, body)
    who = _text(body, "participant")
    options = RunOptions(trace=True, participants=frozenset({who}))
    traces = [r.trace for r in run_reference(compiled, dataset, options).rows if r.trace]
    if not traces:
        raise Refused(f"the data has no participant '{who}'")
    return {"participant": who, "text": "\n\n".join(explain_text(t) for t in traces)}


def sweep(bench: Bench, body: Body) -> Any:
    import etsl.runtime.sweep.evaluate as sweeping
    from etsl.documents.figures.line_chart import values_chart

    _, compiled = bench.compiled(body)
    varies = [v for v in body.get("vary") or [] if isinstance(v, str) and v.strip()][:4]
    grid = sweeping.parse_grid(compiled, varies) if varies else None
    if grid is None or isinstance(grid, sweeping.GridError):
        raise Refused(grid.message if grid else "say what to vary, e.g. threshold=1000,1500")
    metric = body.get("metric") or "total_shortfall"
    if metric not in sweeping.metric_names(compiled):
        raise Refused(
            f"unknown metric '{metric}'; one of: {', '.join(sweeping.metric_names(compiled))}"
        )
    dataset, _ = _dataset(bench, compiled, body)
    outcome = sweeping.sweep_dataset(compiled, grid, dataset, None)
    first = outcome.variables[0]
    chart = values_chart(
        f"{outcome.scheme}: {metric.replace('_', ' ')}",
        first.target.label,
        list(first.texts),
        sweeping.chart_lines(outcome, metric),
    )
    metrics = sweeping.shown_metrics(outcome, sweeping.metric_names(compiled))
    return {
        "svg": chart,
        "rows": sweeping.table_rows(outcome, metrics),
        "errors": [e.render() for e in outcome.errors[:20]],
    }


def compare(bench: Bench, body: Body) -> Any:
    from etsl.documents.compare import comparison, render
    from etsl.documents.figures.comparison import comparison_figures
    from etsl.system_paths import year_paths

    _, compiled = bench.compiled(body)
    other = bench.other(body)
    result = comparison([compiled.model, other.model])
    paths = {s.name: year_paths(s) for s in (compiled, other)}
    return {"html": render(result, "html", charts=comparison_figures(result.schemes, paths))}


def link(bench: Bench, body: Body) -> Any:
    from etsl.linkage.pair import check_pair, pair_texts, report_data

    _, compiled = bench.compiled(body)
    result = check_pair(compiled.model, bench.other(body).model)
    data = report_data(result)
    return {
        "text": pair_texts([result]),
        "verdict": data["verdict"],
        "verdict_text": data["verdict_text"],
    }


View = Callable[[Bench, Body], Any]

#: POST /api/NAME → view.
VIEWS: dict[str, View] = {
    "files": files,
    "language": language,
    "open": open_file,
    "check": check,
    "hover": hover_at,
    "complete": complete_at,
    "definition": definition_at,
    "format": format_text,
    "fixes": quick_fixes,
    "save": save,
    "page": page,
    "examples": examples,
    "run": run,
    "explain": explain,
    "sweep": sweep,
    "compare": compare,
    "link": link,
}

__all__ = ["VIEWS", "Bench", "NotCompiled", "Refused"]
