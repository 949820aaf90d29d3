"""The `etsl` command line. Subcommands load lazily so that `etsl --help` stays fast."""

from __future__ import annotations

import importlib
import sys

import click

#: subcommand → "module:function" (modules under etsl.commands) and its one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("compile_cmds:check", "Check scheme files: syntax, names, types and units."),
    "fmt": ("compile_cmds:fmt", "Format scheme files canonically (keeps comments)."),
    "graph": ("compile_cmds:graph", "Print a scheme's rule dependency graph (dot or JSON)."),
    "export": ("compile_cmds:export", "Print a scheme's model as JSON."),
    "schema": ("compile_cmds:schema", "Print the JSON Schema of the scheme model."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[cmd_name][0].split(":")
        module = importlib.import_module(f"etsl.commands.{module_name}")
        command: click.Command = getattr(module, attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="etsl")
def cli() -> None:
    """ETSL, the Emissions Trading Scheme Language.

    Check, format, run, explain, document and link emissions trading schemes written as
    .scheme files. Run `etsl COMMAND --help` for a command's options.
    """


def main() -> None:
    try:
        cli(prog_name="etsl")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
