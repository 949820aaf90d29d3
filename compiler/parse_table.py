"""The LALR parse table of grammar/scheme.lark, shipped in the package as JSON data.

    parser = load_parser()      # from grammar/scheme_table.json, or built when it is stale
    python -m etsl.compiler.parse_table      # regenerate grammar/scheme_table.json

Building the table from the grammar takes most of a second; loading the shipped one a small
fraction of that. The table is Lark's own serialised form (what its standalone generator
embeds) written as JSON, never a pickle, and it is read from the installed package only:
nothing is read from a shared temporary folder, so no file another user could write is ever
loaded (Lark's `cache=True` unpickles `$TMPDIR/.lark_cache_<user>_<hash>_<py>.tmp`, a
predictable name, before checking anything). The file records the SHA-256 of the grammar it
was built from; when the grammar has changed since, the parser is built from the grammar
instead, and tests/test_parse_table.py fails until the table is regenerated.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

#: How the parser is built (tests/test_parse_table.py checks the shipped table matches).
OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "strict": True,
    "propagate_positions": True,
    "maybe_placeholders": True,
}
TABLE_FILE = "scheme_table.json"
#: The grammar package's folder, beside this one both in the source tree and installed (a path,
#: not importlib.resources, whose import alone is a twentieth of a cold `etsl check`).
GRAMMAR_FOLDER = Path(__file__).resolve().parent.parent / "grammar"


def grammar_text() -> str:
    return (GRAMMAR_FOLDER / "scheme.lark").read_text(encoding="utf-8")


def grammar_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_parser(text: str | None = None) -> Lark:
    """The parser built from the grammar (slow: computes the LALR table)."""
    return Lark(grammar_text() if text is None else text, **OPTIONS)


def load_parser() -> Lark:
    """The parser from the shipped table when it matches the grammar, else built anew."""
    text = grammar_text()
    try:
        table = json.loads(table_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return build_parser(text)
    if table.get("grammar_sha256") != grammar_digest(text):
        return build_parser(text)
    loaded: Lark = Lark._load_from_dict(  # type: ignore[no-untyped-call]
        _with_int_keys(table["data"]), _keyed(table["memo"])
    )
    return loaded


def _keyed(mapping: dict[str, Any]) -> dict[int, Any]:
    return {int(key): value for key, value in mapping.items()}


def _with_int_keys(data: dict[str, Any]) -> dict[str, Any]:
    """JSON keys are text: the LALR table numbers its states and tokens (Lark expects ints)."""
    table = data["parser"]["parser"]
    table["tokens"] = _keyed(table["tokens"])
    table["states"] = {int(s): _keyed(actions) for s, actions in table["states"].items()}
    return data


def table_source(text: str | None = None) -> str:
    """The text of grammar/scheme_table.json for the grammar `text`."""
    text = grammar_text() if text is None else text
    data, memo = build_parser(text).memo_serialize([TerminalDef, Rule])
    table = {"grammar_sha256": grammar_digest(text), "data": data, "memo": memo}
    return json.dumps(table, separators=(",", ":"), sort_keys=True) + "\n"


def table_path() -> Path:
    return GRAMMAR_FOLDER / TABLE_FILE


def main() -> None:
    from etsl.compiler.files import write_text

    write_text(table_path(), table_source())
    print(f"wrote {table_path()}", file=sys.stderr)


if __name__ == "__main__":
    main()
