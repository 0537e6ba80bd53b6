"""`signoff` entry point.

Subcommands are imported only when called, so the CI gate starts fast and never imports a web or
database framework; `signoff --version` answers before even click is imported.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from signoff import __version__
from signoff.cli import early
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


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; every `signoff.errors.Error` becomes a one-line message and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"signoff, version {__version__}\n")
        return _exit(EXIT_OK)
    try:
        if args[:1] == ["check"]:
            early.start(args[1:])  # git starts walking the range while click loads
        return _run_click(args, argv)
    except KeyboardInterrupt:  # before click, which reports it the same way, took over
        sys.stderr.write("aborted\n")
        return _exit(EXIT_USAGE)
    finally:
        early.discard()


def _run_click(args: list[str], argv: list[str] | None) -> Any:
    import click

    from signoff.cli.app import cli

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
        if "--verbose" in args:
            raise
        click.echo(f"signoff: error: {exc.diagnostics()}", err=True)
        return _exit(EXIT_USAGE)
    return _exit(rv if isinstance(rv, int) else EXIT_OK)


def _exit(code: int) -> Any:
    sys.exit(code)


def run() -> None:
    """The `signoff` console command: `main`, then leave without the interpreter's teardown.

    A range check leaves tens of thousands of small objects behind, and freeing them one by one
    at exit takes about 20 ms that buy nothing for a process about to end. Output is flushed
    first; a traceback (an unexpected error, or `--verbose`) still takes the normal way out.
    """
    if sys.argv[1:2] == ["check"]:
        # A check is short and builds many long-lived objects (every commit of the range) but
        # next to no cyclic garbage: the cycle collector would only scan them over and over.
        # The process ends with the check, so the collector is never turned back on.
        gc.disable()
    try:
        main()
        code = EXIT_OK
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or EXIT_OK
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (a closed pipe): say so by the exit code
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
