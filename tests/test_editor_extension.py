"""The VS Code extension (editors/vscode) fits the server and the grammar it ships with."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from etsl.compiler.parse import parser

from etsl.cli import COMMANDS

REPO = Path(__file__).resolve().parent.parent
EXTENSION = REPO / "editors" / "vscode"
MANIFEST = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))


def test_the_manifest_names_files_that_exist_or_are_generated() -> None:
    assert (EXTENSION / MANIFEST["main"]).is_file()
    [language] = MANIFEST["contributes"]["languages"]
    assert language["extensions"] == [".scheme"]
    assert (EXTENSION / language["configuration"]).is_file()
    [grammar] = MANIFEST["contributes"]["grammars"]
    assert grammar["language"] == language["id"] and grammar["scopeName"] == "source.etsl"
    assert grammar["path"] == "./syntaxes/etsl.tmLanguage.json"  # written by `make vsix`


def test_the_server_it_starts_is_a_command_of_the_cli() -> None:
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert settings["etsl.server.command"]["default"] == "etsl"
    assert settings["etsl.server.args"]["default"] == ["lsp"] and "lsp" in COMMANDS


def test_the_language_configuration_matches_the_grammar() -> None:
    configuration = json.loads((EXTENSION / "language-configuration.json").read_text())
    comment = parser().get_terminal("COMMENT").pattern.value
    assert re.match(comment, configuration["comments"]["lineComment"] + " a comment")
    word = re.compile(configuration["wordPattern"])
    name = re.compile(parser().get_terminal("NAME").pattern.value)
    assert all(word.fullmatch(w) for w in ("required_reduction", "tCO2e", "x1")), name


def test_the_generated_grammar_is_json_with_the_scope_the_manifest_names() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "etsl.highlight"], capture_output=True, text=True, check=True
    ).stdout
    grammar = json.loads(printed)
    assert grammar["scopeName"] == MANIFEST["contributes"]["grammars"][0]["scopeName"]


def test_node_modules_and_packages_stay_out_of_git() -> None:
    ignored = (EXTENSION / ".gitignore").read_text().split()
    assert {"node_modules/", "*.vsix", "syntaxes/etsl.tmLanguage.json"} <= set(ignored)
    assert (EXTENSION / "package-lock.json").is_file()  # `npm ci` installs exactly this
