"""The ETSL language server (`etsl lsp`) and the editor features it offers.

Each feature is a small function from an `Analysis` (one document, compiled with its
imports) and a position to lsprotocol types, so that the language server (server.py) and
the web workbench (etsl.serve) answer with the same code:

    workspace.py   documents, the parse cache and `Analysis`
    positions.py   spans ↔ LSP ranges (UTF-16 columns)
    report.py      diagnostics with codes, hints, related locations
    symbols.py     definitions, references, rename, the outline
    hover.py       plain-language hover: sentence, unit, citation, the example's value
    complete.py    completion: keywords read from the grammar, names, units, vocabularies
    actions.py     quick fixes for diagnostics that name their fix
    lenses.py      inlay hints for inferred units; code lenses that run examples
    server.py      the pygls server wiring them to the protocol
"""
