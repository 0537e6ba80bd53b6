"""The click application behind `signoff`: a group whose subcommands load on first use."""

from __future__ import annotations

import importlib
import importlib.util

import click

from signoff import __version__
from signoff.cli.commands import COMMANDS


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, spec in COMMANDS.items() if _available(spec[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None or not _available(spec[0]):
            return None
        module = importlib.import_module(spec[0])
        command = getattr(module, spec[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="signoff")
@click.option("--verbose", is_flag=True, help="Show tracebacks for errors (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """signoff governs AI agents wherever they touch a build or release.

    Exit codes: 0 allowed or overridden, 1 blocked or needs approval, 2 usage or input error.
    """
    # `--verbose` is read by the entry point (`signoff.cli.main`), which shows tracebacks; the
    # context object carries what the entry point hands the commands (the early start).
    ctx.ensure_object(dict)
