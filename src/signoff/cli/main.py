"""`signoff` entry point.

Subcommands are imported only when called, so `signoff --version` and the CI gate start fast: the
gate never imports a web or database framework.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from signoff import __version__
from signoff.errors import Error

# name -> (module, attribute, one-line help). Keep alphabetical within each area.
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "approvals": ("signoff.cli.approve", "approvals", "List signed approval records, verified."),
    "approve": (
        "signoff.cli.approve",
        "approve",
        "Sign an approval of exactly the content a range lands.",
    ),
    "artifact": (
        "signoff.cli.artifact",
        "artifact",
        "Record who built or signed an artifact (never an agent).",
    ),
    "attest": ("signoff.cli.attest", "attest", "Verify DSSE / in-toto release attestations."),
    "check": (
        "signoff.cli.check",
        "check",
        "Decide on a commit range: attribution, classes, policy.",
    ),
    "explain": ("signoff.cli.explain", "explain", "Show the class, risk and rules for paths."),
    "hook": (
        "signoff.cli.hook",
        "hook",
        "Enforce task tokens and scope at the git server (pre-receive).",
    ),
    "init": ("signoff.cli.init", "init", "Write a starter .signoff/policy.yml and agents.yml."),
    "ledger": ("signoff.cli.ledger", "ledger", "The tamper-evident ledger: append, prove, verify."),
    "monitor": (
        "signoff.cli.monitor",
        "monitor",
        "Raise governance alerts (one-shot, for cron/CI); acknowledge them.",
    ),
    "override": (
        "signoff.cli.approve",
        "override",
        "Break-glass: let a range through as overridden (never approved).",
    ),
    "policy": ("signoff.cli.policy", "policy", "Validate a policy and run policy unit tests."),
    "serve": ("signoff.cli.serve", "serve", "Run the control plane (HTTP API, ledger)."),
    "server": ("signoff.cli.serve", "server", "Administer the control plane (bootstrap)."),
    "report": ("signoff.cli.report", "report", "Reports for auditors: the compliance report."),
    "release": (
        "signoff.cli.release",
        "release",
        "The release gate: verify a candidate; record promotions.",
    ),
    "trace": (
        "signoff.cli.trace",
        "trace",
        "Artifact -> release -> commits -> tasks -> approvals, and back.",
    ),
    "veto": ("signoff.cli.approve", "veto", "Sign a veto of exactly the content a range lands."),
}

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, spec in _COMMANDS.items() if _available(spec[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = _COMMANDS.get(cmd_name)
        if spec is None or not _available(spec[0]):
            return None
        module = importlib.import_module(spec[0])
        command = getattr(module, spec[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in self.list_commands(ctx)]
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
    ctx.obj = {"verbose": verbose}


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; every `signoff.errors.Error` becomes a one-line message and exit code 2."""
    try:
        rv = cli.main(args=argv, prog_name="signoff", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return _exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return _exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        return _exit(EXIT_USAGE)
    except Error as exc:
        if "--verbose" in (argv if argv is not None else sys.argv):
            raise
        click.echo(f"signoff: error: {exc.diagnostics()}", err=True)
        return _exit(EXIT_USAGE)
    return _exit(rv if isinstance(rv, int) else EXIT_OK)


def _exit(code: int) -> Any:
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
