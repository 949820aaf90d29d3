"""`etsl lsp` and `etsl serve`: where policy designers write schemes."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--stdio", is_flag=True, help="Speak LSP on stdin/stdout (the default).")
@click.option(
    "--tcp",
    type=click.IntRange(1, 65535),
    default=None,
    metavar="PORT",
    help="Listen on 127.0.0.1:PORT instead of stdin/stdout.",
)
def lsp(stdio: bool, tcp: int | None) -> None:
    """Run the ETSL language server (for VS Code and any LSP client).

    Diagnostics as you type, hover with the plain-language meaning, citations and the
    example's values, go to definition, references, rename, completion, formatting, the
    outline, quick fixes, inlay hints for inferred units and code lenses running examples.
    """
    del stdio
    try:
        from etsl.lsp.server import main
    except ImportError as exc:
        raise click.UsageError(
            f"the language server needs the 'lsp' extra ({exc.name} is missing): "
            "pip install 'etsl[lsp]'"
        ) from exc
    main(tcp)


@click.command()
@click.argument(
    "folder",
    required=False,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the workbench in a browser.")
def serve(folder: Path | None, host: str, port: int, open_browser: bool) -> None:
    """Run the local web workbench on FOLDER (default: the bundled library, read-only).

    Edit schemes with diagnostics, hover and completion; see the documentation page,
    run examples, run participant data and explain results, sweep a parameter, compare two
    schemes and check a link. Nothing leaves the machine; files are written only inside
    FOLDER, and only when you save.
    """
    try:
        from etsl.serve.app import run
    except ImportError as exc:
        raise click.UsageError(
            f"the workbench needs the 'serve' extra ({exc.name} is missing): "
            "pip install 'etsl[serve]'"
        ) from exc
    run(folder, host, port, open_browser)
