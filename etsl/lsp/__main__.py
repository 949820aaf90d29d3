"""`python -m etsl.lsp`: the language server on stdin/stdout."""

from etsl.lsp.server import main

main()
