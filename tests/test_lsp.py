"""The language server end to end (pytest-lsp): a real `etsl lsp` process driven by a
client over stdin/stdout, as an editor drives it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the 'lsp' extra is not installed")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TOKYO = REPO / "schemes" / "japan" / "tokyo_cat.scheme"
pytestmark = pytest.mark.asyncio(loop_scope="module")

BROKEN = """scheme demo "Demo" {
  participant facility {
    emissions: tCO2e
    base:      tCO2e/yr
  }
  cap = floor(bse * years(period))
}
"""
FIXED = BROKEN.replace("bse", "base")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "etsl.lsp"]),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(REPO.joinpath("schemes").as_uri(), "schemes")],
    )
    result = await lsp_client.initialize_session(params)
    lsp_client.server_capabilities = result.capabilities  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "etsl", version, text))
    )


def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            return list(params.diagnostics)


def _position(text: str, snippet: str, delta: int = 0) -> types.Position:
    offset = text.index(snippet) + delta
    line = text.count("\n", 0, offset)
    return types.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri)


async def test_initialize_offers_the_features(client: LanguageClient) -> None:
    capabilities = client.server_capabilities  # type: ignore[attr-defined]
    assert capabilities is not None
    assert capabilities.hover_provider and capabilities.definition_provider
    assert capabilities.completion_provider and capabilities.document_formatting_provider
    assert capabilities.rename_provider and capabilities.references_provider
    assert capabilities.code_action_provider and capabilities.inlay_hint_provider
    assert capabilities.code_lens_provider and capabilities.document_symbol_provider


async def test_an_error_is_flagged_with_a_fix_then_cleared(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "demo.scheme").as_uri()
    _open(client, uri, BROKEN)
    found = await _diagnostics(client, uri)
    assert [(d.code, d.range.start.line) for d in found] == [("unknown-name", 5)]
    assert "unknown name 'bse'" in found[0].message and "did you mean 'base'?" in found[0].message
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=_doc(uri), range=found[0].range, context=types.CodeActionContext(found)
        )
    )
    assert actions and actions[0].title == "Change 'bse' to 'base'"
    edit = actions[0].edit.changes[uri][0]  # type: ignore[union-attr,index]
    assert edit.new_text == "base" and edit.range == found[0].range
    _change(client, uri, FIXED, 2)
    assert await _diagnostics(client, uri) == []


async def test_hover_gives_the_sentence_citation_and_example_value(client: LanguageClient) -> None:
    text = TOKYO.read_text(encoding="utf-8")
    uri = TOKYO.as_uri()
    _open(client, uri, text)
    await _diagnostics(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(_doc(uri), _position(text, "cap = floor("))
    )
    assert hover is not None
    value = hover.contents.value  # type: ignore[union-attr]
    assert value.startswith("**cap** · rule · `t CO2e`")
    assert "Each facility's cap for a period is" in value
    assert "Source `icap_saitama_2021`: ICAP Emissions Trading Worldwide" in value
    assert 'In example "' in value


async def test_definition_and_references(client: LanguageClient) -> None:
    text = TOKYO.read_text(encoding="utf-8")
    uri = TOKYO.as_uri()
    use = _position(text, "reduction_factor))")
    found = await client.text_document_definition_async(types.DefinitionParams(_doc(uri), use))
    assert isinstance(found, list) and found[0].uri == uri
    assert found[0].range.start == _position(text, "reduction_factor by")
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True),
            text_document=_doc(uri),
            position=use,
        )
    )
    assert refs is not None and len(refs) >= 3 and all(r.uri == uri for r in refs)


async def test_completion_offers_keywords_names_and_units(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "complete.scheme").as_uri()
    text = FIXED.replace("}\n", "}\n  \n", 1)
    _open(client, uri, text)
    await _diagnostics(client, uri)
    at_declaration = _position(text, "  \n", 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(_doc(uri), at_declaration)
    )
    labels = {i.label for i in result.items}  # type: ignore[union-attr]
    assert {"rule", "param", "table", "penalty", "example"} <= labels
    in_expression = _position(text, "base * years")
    result = await client.text_document_completion_async(
        types.CompletionParams(_doc(uri), in_expression)
    )
    labels = {i.label for i in result.items}  # type: ignore[union-attr]
    assert {"base", "emissions", "floor", "years"} <= labels


async def test_formatting_returns_the_canonical_text(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "fmt.scheme").as_uri()
    _open(client, uri, FIXED.replace("  cap = floor", "      cap   =   floor"))
    await _diagnostics(client, uri)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=_doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits and edits[0].new_text == FIXED


async def test_bad_input_is_answered_and_the_server_keeps_running(
    client: LanguageClient, tmp_path: Path
) -> None:
    binary = (tmp_path / "binary.scheme").as_uri()
    _open(client, binary, "scheme x {\x00\x01}")
    assert [d.code for d in await _diagnostics(client, binary)] == ["file-unreadable"]
    huge = (tmp_path / "huge.scheme").as_uri()
    _open(client, huge, "# " + "x" * 9_000_000)
    assert [d.code for d in await _diagnostics(client, huge)] == ["file-too-large"]
    escape = (tmp_path / "escape.scheme").as_uri()
    _open(client, escape, 'import "../../../../../../etc/passwd"\n')
    assert [d.code for d in await _diagnostics(client, escape)] == ["import-outside-tree"]
    hover = await client.text_document_hover_async(
        types.HoverParams(_doc(TOKYO.as_uri()), _position(TOKYO.read_text(), "floor("))
    )
    assert hover is not None and "built-in function" in hover.contents.value  # type: ignore[union-attr]
