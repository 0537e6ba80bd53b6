"""Options shared by the release, artifact and trace commands: where the events live.

`--ledger URL` opens a local ledger (SQLite or PostgreSQL). `--server URL` (with `--token` and
`--server-repo`) sends the command to the control plane instead, whose release endpoints call
the same core functions on the server's ledger (`signoff.cli._remote`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from signoff.errors import Error, GitError

F = TypeVar("F", bound=Callable[..., Any])


def ledger_options(fn: F) -> F:
    """`--ledger`, `--ledger-key` and a plain `--server` (the monitor and report commands)."""
    return _ledger(
        click.option("--server", metavar="URL", default=None, help="Control plane URL.")(fn)
    )


def remote_options(fn: F) -> F:
    """`ledger_options` plus `--server` ($SIGNOFF_SERVER), `--token` and `--server-repo`: the
    release, artifact and trace commands, which run on the control plane with `--server`."""
    fn = click.option(
        "--server-repo",
        envvar="SIGNOFF_SERVER_REPO",
        default=None,
        help="The repository's name on the server ($SIGNOFF_SERVER_REPO).",
    )(fn)
    fn = click.option(
        "--token", envvar="SIGNOFF_TOKEN", default=None, help="API token for --server."
    )(fn)
    fn = click.option(
        "--server",
        metavar="URL",
        envvar="SIGNOFF_SERVER",
        default=None,
        help="Control plane URL ($SIGNOFF_SERVER): record and verify there (docs/release.md).",
    )(fn)
    return _ledger(fn)


def _ledger(fn: F) -> F:
    fn = click.option(
        "--ledger-key",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Ledger checkpoint key (default: beside an SQLite ledger, or $SIGNOFF_LEDGER_KEY).",
    )(fn)
    fn = click.option(
        "--ledger",
        "ledger_url",
        metavar="URL",
        envvar="SIGNOFF_LEDGER_URL",
        default=None,
        help="sqlite:///PATH, a file path or postgresql://... ($SIGNOFF_LEDGER_URL).",
    )(fn)
    return fn


def open_log(
    ledger_url: str | None, ledger_key: Path | None, server: str | None, *, existing: bool = False
) -> Any:
    """A `LedgerLog`, or None without a ledger (callers handle `--server` before this);
    `existing`: the command reads the ledger, or writes what follows events it must already
    hold, so a ledger that is not there (a mistyped path) is an error, never created."""
    if server and ledger_url:
        raise Error("give --ledger or --server, not both")
    if not ledger_url:
        return None
    from signoff.release.events import LedgerLog

    return LedgerLog(ledger_url, ledger_key, create=not existing)


def require_log(log: Any) -> Any:
    if log is None:
        raise Error(
            "a ledger is required: pass --ledger URL (or set SIGNOFF_LEDGER_URL), or --server URL"
        )
    return log


def registry_for(repo: Path, ref: str) -> Any:
    """The agent registry at `ref` in `repo`; the empty registry when there is none."""
    from signoff.gitio import history
    from signoff.gitio.runner import Git
    from signoff.identity.agents import EMPTY_REGISTRY, parse_registry
    from signoff.protected import REGISTRY_PATH

    git = Git(repo)
    try:
        sha = history.resolve_commit(git, ref, role="registry")
    except GitError:
        click.echo(
            f"signoff: no registry at {repo}:{ref}; checking the catalogue and agent: prefix only",
            err=True,
        )
        return EMPTY_REGISTRY
    spec = f"{sha}:{REGISTRY_PATH}"
    raw = history.read_objects(git, [spec]).get(spec)
    return parse_registry(raw, f"{sha[:12]}:{REGISTRY_PATH}") if raw is not None else EMPTY_REGISTRY
