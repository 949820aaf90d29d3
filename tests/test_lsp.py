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


async def _fixes(
    client: LanguageClient, uri: str, diagnostics: list[types.Diagnostic]
) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=_doc(uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


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
    actions = await _fixes(client, uri, found)
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
    assert "Source `tmg_2016`: Tokyo Metropolitan Government, English news release" in value
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


async def test_completion_follows_the_grammar_inside_a_clause(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "clause.scheme").as_uri()
    clause = "  units {\n    allowance EUA\n    credit CER\n  }\n  surrender {\n    limit CER "
    banking = "  banking unlimited {\n    except CER where credits_left > 0 tCO2e\n    \n  }\n"
    text = FIXED.replace("  cap = floor", clause + "at \n  }\n" + banking + "  cap = floor")
    _open(client, uri, text)
    await _diagnostics(client, uri)
    cases = [
        ("limit CER ", {"at", "up"}),
        ("CER at ", {"least", "most"}),
        ("0 tCO2e\n    ", {"except", "limit", "and", "or", "of", "cite"}),
    ]
    for snippet, expected in cases:
        result = await client.text_document_completion_async(
            types.CompletionParams(_doc(uri), _position(text, snippet, len(snippet)))
        )
        assert {i.label for i in result.items} == expected  # type: ignore[union-attr]
    hover = await client.text_document_hover_async(
        types.HoverParams(_doc(uri), _position(text, "credits_left"))
    )
    assert hover is not None
    meaning = "eligible credits and offsets beyond what the obligation needs"
    assert meaning in hover.contents.value  # type: ignore[union-attr]


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


KYOTO_PLAN = REPO / "schemes" / "japan" / "kyoto_target_plan.scheme"
KYOTO_UNITS = REPO / "schemes" / "kyoto" / "units.scheme"


async def test_definition_and_references_cross_imports(client: LanguageClient) -> None:
    text = KYOTO_PLAN.read_text(encoding="utf-8")
    _open(client, KYOTO_PLAN.as_uri(), text)
    await _diagnostics(client, KYOTO_PLAN.as_uri())
    use = _position(text, "ar_cdm_limit of")
    found = await client.text_document_definition_async(
        types.DefinitionParams(_doc(KYOTO_PLAN.as_uri()), use)
    )
    units = KYOTO_UNITS.read_text(encoding="utf-8")
    assert isinstance(found, list) and found[0].uri == KYOTO_UNITS.as_uri()
    assert found[0].range.start == _position(units, "ar_cdm_limit")
    _open(client, KYOTO_UNITS.as_uri(), units)
    await _diagnostics(client, KYOTO_UNITS.as_uri())
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True),
            text_document=_doc(KYOTO_UNITS.as_uri()),
            position=_position(units, "CER "),
        )
    )
    files = {r.uri.rsplit("/", 1)[-1] for r in refs or []}
    assert {"units.scheme", "kyoto_target_plan.scheme", "kyoto_japan.scheme"} <= files


async def test_rename_changes_every_use(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "rename.scheme").as_uri()
    _open(client, uri, FIXED)
    await _diagnostics(client, uri)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=_doc(uri), position=_position(FIXED, "base *"), new_name="baseline"
        )
    )
    assert edit is not None and edit.changes is not None
    assert sorted(e.range.start.line for e in edit.changes[uri]) == [3, 5]
    refused = await client.text_document_rename_async(
        types.RenameParams(
            text_document=_doc(uri), position=_position(FIXED, "floor"), new_name="x"
        )
    )
    assert refused is None


async def test_outline_inlay_hints_and_code_lenses(client: LanguageClient) -> None:
    text = TOKYO.read_text(encoding="utf-8")
    uri = TOKYO.as_uri()
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(_doc(uri))
    )
    assert symbols and symbols[0].name == "tokyo_cat"
    names = {s.name for s in symbols[0].children or []}  # type: ignore[union-attr]
    assert {"reduction_factor", "required_reduction", "facility"} <= names
    whole = types.Range(types.Position(0, 0), types.Position(len(text.splitlines()), 0))
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(_doc(uri), whole))
    labels = {(h.position.line, h.label) for h in hints or []}
    assert (_position(text, "rule required_reduction").line, ": t CO2e") in labels
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(_doc(uri)))
    titles = [lens.command.title for lens in lenses or [] if lens.command]
    assert titles[0].startswith("▶ Run ") and "✓ passes" in titles
    command = next(lens.command for lens in lenses or [] if lens.command)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command.command, command.arguments)
    )
    assert result.endswith(" passed, 0 failed")


async def test_quick_fixes_for_a_missing_rule_and_a_missing_unit(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "fixes.scheme").as_uri()
    text = FIXED.replace("  cap = floor", "  total = emissions + 5\n  cap = floor")
    _open(client, uri, text)
    [missing_rule] = await _diagnostics(client, uri)
    assert missing_rule.code == "unknown-keyword"
    actions = await _fixes(client, uri, [missing_rule])
    inserted = next(a for a in actions if a.title == "Insert 'rule' before 'total'")
    assert inserted.edit.changes[uri][0].new_text == "rule "  # type: ignore[union-attr,index]
    text = text.replace("  total", "  rule total")
    _change(client, uri, text, 2)
    [missing_unit] = await _diagnostics(client, uri)
    assert missing_unit.code == "unit-mismatch"
    actions = await _fixes(client, uri, [missing_unit])
    assert [a.title for a in actions] == ["Write 5 tCO2e"]


async def test_a_slow_document_does_not_block_other_requests(
    client: LanguageClient, tmp_path: Path
) -> None:
    rules = "\n".join(f"  rule r{n} = base * {n}" for n in range(2500))
    slow = (tmp_path / "slow.scheme").as_uri()
    _open(client, slow, FIXED.replace("  cap = floor", rules + "\n  cap = floor"))
    hover = await client.text_document_hover_async(
        types.HoverParams(_doc(TOKYO.as_uri()), _position(TOKYO.read_text(), "floor("))
    )
    assert hover is not None
    assert slow not in client.diagnostics  # answered while the slow one is still being checked
    found = await _diagnostics(client, slow)
    assert {d.code for d in found} == {"unused-rule"} and len(found) == 2500
