"""The `etsl` command line. Subcommands load lazily so that `etsl --help` stays fast."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

#: subcommand → "module:function" (modules under etsl.commands) and its one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("compile_cmds:check", "Check scheme files: syntax, names, types and units."),
    "fmt": ("compile_cmds:fmt", "Format scheme files canonically (keeps comments)."),
    "graph": ("compile_cmds:graph", "Print a scheme's rule dependency graph (dot or JSON)."),
    "export": ("compile_cmds:export", "Print a scheme's model as JSON."),
    "schema": ("compile_cmds:schema", "Print the JSON Schema of the scheme model."),
    "run": ("runtime_cmds:run", "Evaluate a scheme against participant data."),
    "explain": ("runtime_cmds:explain", "Explain how one participant's values were derived."),
    "test": ("runtime_cmds:test", "Run the example blocks embedded in schemes."),
    "docs": ("docs_cmds:docs", "Generate a documentation site (HTML or Markdown)."),
    "compare": ("docs_cmds:compare", "Compare schemes side by side."),
    "diff": ("docs_cmds:diff", "Show what changed between two versions of a scheme."),
    "link": ("link_cmds:link", "Check linkage compatibility between schemes."),
    "sql": ("columnar_cmds:sql", "Print the columnar SQL query for a scheme."),
    "sweep": ("columnar_cmds:sweep", "Evaluate scenario sweeps over parameter values."),
    "simulate": ("simulate_cmds:simulate", "Simulate a market's balance and prices year by year."),
    "lsp": ("authoring_cmds:lsp", "Run the language server for editors (LSP)."),
    "serve": ("authoring_cmds:serve", "Run the local web workbench in a browser."),
}


def _available(name: str) -> bool:
    """Whether a subcommand's module is installed (cheap: no import)."""
    module_name = COMMANDS[name][0].split(":")[0]
    return importlib.util.find_spec(f"etsl.commands.{module_name}") is not None


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(cmd_name):
            return None
        module_name, attribute = COMMANDS[cmd_name][0].split(":")
        module = importlib.import_module(f"etsl.commands.{module_name}")
        command: click.Command = getattr(module, attribute)
        return command

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a file the system refuses (a name too long, no permission, a
        full disk) is a message and exit 1, wherever it happens, never a traceback. Passes
        that walk formulas recursively get room for the long expressions `check` accepts."""
        from etsl.compiler.source import deep_recursion

        try:
            with deep_recursion():
                return super().invoke(ctx)
        except OSError as problem:
            from etsl.compiler.display import shortened

            where = f"'{shortened(str(problem.filename))}': " if problem.filename else ""
            raise click.ClickException(f"{where}{problem.strerror or problem}") from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="etsl")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the parse and program caches (as ETSL_NO_CACHE=1 does).",
)
def cli(no_cache: bool) -> None:
    """ETSL, the Emissions Trading Scheme Language.

    Check, format, run, explain, document and link emissions trading schemes written as
    .scheme files. Run `etsl COMMAND --help` for a command's options.
    """
    if no_cache:
        from etsl.compiler.cache import OFF_VARIABLE

        os.environ[OFF_VARIABLE] = "1"


def main() -> None:
    try:
        cli(prog_name="etsl")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
