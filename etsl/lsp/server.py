"""The language server: pygls wiring of the features in this package.

    etsl lsp              # speaks LSP on stdin/stdout (what editors start)
    etsl lsp --tcp 2087   # or on a local TCP port (127.0.0.1)

A document is analysed when it is opened or changed (off the event loop, so that a long
analysis never blocks other requests) and its diagnostics are published when the analysis
is still for the current text. Every handler answers None rather than fail: a bug in one
feature is logged and the server keeps running.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from etsl.lsp import actions, complete, hover, lenses, report, symbols
from etsl.lsp.positions import offset_at
from etsl.lsp.workspace import Analysis, Workspace, path_of

log = logging.getLogger("etsl.lsp")
F = TypeVar("F", bound=Callable[..., Any])


class EtslServer(LanguageServer):
    """A pygls server holding one ETSL workspace."""

    def __init__(self) -> None:
        super().__init__("etsl", _version())
        self.etsl = Workspace()

    def path(self, uri: str) -> Path:
        return path_of(uri, self.etsl.roots)

    def analysis(self, uri: str) -> Analysis:
        """The analysis of a document's current text."""
        document = self.workspace.get_text_document(uri)
        path = self.path(uri)
        self.etsl.open(path, document.source)
        return self.etsl.analyse(path, document.source)


def _version() -> str:
    try:
        return version("etsl")
    except Exception:  # noqa: BLE001 - running from a source tree without metadata
        return "0"


def guarded(handler: F) -> F:
    """Answer None when a handler fails, and log why: the server keeps running."""

    @functools.wraps(handler)
    def run(*args: Any) -> Any:
        try:
            return handler(*args)
        except Exception:  # noqa: BLE001 - a failing feature must not stop the server
            log.exception("%s failed", handler.__name__)
            return None

    return run  # type: ignore[return-value]


server = EtslServer()


# ---- documents and diagnostics --------------------------------------------------------------


@server.feature(types.INITIALIZED)
def initialized(ls: EtslServer, params: types.InitializedParams) -> None:
    folders = ls.workspace.folders.values()
    ls.etsl.roots = [path_of(f.uri) for f in folders] or (
        [Path(ls.workspace.root_path)] if ls.workspace.root_path else []
    )


async def _publish(ls: EtslServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    text, version_ = document.source, document.version
    path = ls.path(uri)
    ls.etsl.open(path, text)
    try:
        analysis = await asyncio.to_thread(ls.etsl.analyse, path, text)
        diagnostics = report.lsp_diagnostics(analysis)
    except Exception:  # noqa: BLE001 - report the failure instead of stopping
        log.exception("analysing %s failed", uri)
        return
    if ls.workspace.get_text_document(uri).version != version_:
        return  # a newer edit is being analysed
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version_)
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: EtslServer, params: types.DidOpenTextDocumentParams) -> None:
    await _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: EtslServer, params: types.DidChangeTextDocumentParams) -> None:
    await _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: EtslServer, params: types.DidSaveTextDocumentParams) -> None:
    await _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: EtslServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.etsl.close(ls.path(params.text_document.uri))
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


# ---- features ---------------------------------------------------------------------------------


def _offset(analysis: Analysis, params: Any) -> int:
    return offset_at(analysis.source, params.position)


def _rename(ls: EtslServer, analysis: Analysis, params: types.RenameParams) -> Any:
    answer = symbols.rename(analysis, _offset(analysis, params), ls.etsl, params.new_name)
    if isinstance(answer, str):
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Warning, answer))
        return None
    return answer


Answer = Callable[[EtslServer, Analysis, Any], Any]

#: Request → how to answer it from the document's analysis, and the options to announce.
ANSWERS: dict[str, tuple[Answer, Any]] = {
    types.TEXT_DOCUMENT_HOVER: (lambda ls, a, p: hover.hover(a, _offset(a, p)), None),
    types.TEXT_DOCUMENT_DEFINITION: (
        lambda ls, a, p: symbols.definition_locations(a, _offset(a, p)) or None,
        None,
    ),
    types.TEXT_DOCUMENT_REFERENCES: (
        lambda ls, a, p: (
            symbols.locations(symbols.reference_hits(a, _offset(a, p), ls.etsl)) or None
        ),
        None,
    ),
    types.TEXT_DOCUMENT_PREPARE_RENAME: (
        lambda ls, a, p: symbols.prepare_rename(a, _offset(a, p), ls.etsl),
        None,
    ),
    types.TEXT_DOCUMENT_RENAME: (_rename, types.RenameOptions(prepare_provider=True)),
    types.TEXT_DOCUMENT_COMPLETION: (
        lambda ls, a, p: complete.completions(a, _offset(a, p)),
        types.CompletionOptions(trigger_characters=[" ", "(", ","]),
    ),
    types.TEXT_DOCUMENT_FORMATTING: (lambda ls, a, p: actions.formatting(a), None),
    types.TEXT_DOCUMENT_DOCUMENT_SYMBOL: (lambda ls, a, p: symbols.outline(a), None),
    types.TEXT_DOCUMENT_CODE_ACTION: (
        lambda ls, a, p: actions.code_actions(a, list(p.context.diagnostics)) or None,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    ),
    types.TEXT_DOCUMENT_INLAY_HINT: (lambda ls, a, p: lenses.inlay_hints(a, p.range), None),
    types.TEXT_DOCUMENT_CODE_LENS: (lambda ls, a, p: lenses.code_lenses(a), None),
}


def _register(method: str, answer: Answer, options: Any) -> None:
    @guarded
    def handler(ls: EtslServer, params: Any) -> Any:
        return answer(ls, ls.analysis(params.text_document.uri), params)

    handler.__name__ = f"on_{method.replace('/', '_')}"
    server.feature(method, options)(handler)


for _method, (_answer, _options) in ANSWERS.items():
    _register(_method, _answer, _options)


@server.command(lenses.RUN_EXAMPLES)
async def run_examples(ls: EtslServer, *arguments: Any) -> str:
    """Run a scheme's examples (or one of them) and show the outcome."""
    uri, scheme, title = (list(arguments) + [None, None, None])[:3]
    if not uri or not scheme:
        text = "open a scheme file to run its examples"
    else:
        analysis = ls.analysis(str(uri))
        text = await asyncio.to_thread(lenses.run_examples_text, analysis, str(scheme), title)
    failed = "✗" in text or "FAIL" in text
    kind = types.MessageType.Warning if failed else types.MessageType.Info
    ls.window_show_message(types.ShowMessageParams(kind, text))
    return text


def main(tcp: int | None = None) -> None:
    """Serve on stdin/stdout, or on 127.0.0.1:`tcp`."""
    logging.basicConfig(level=logging.WARNING)
    if tcp is not None:
        server.start_tcp("127.0.0.1", tcp)
    else:
        server.start_io()
