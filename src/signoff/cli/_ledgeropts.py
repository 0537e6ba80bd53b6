"""Options shared by the release, artifact and trace commands: where the events live.

`--ledger URL` opens a local ledger (SQLite or PostgreSQL). `--server URL` is reserved for the
control plane (issue 6): its artifact and release endpoints call the same core functions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from signoff.errors import Error, GitError

F = TypeVar("F", bound=Callable[..., Any])


def ledger_options(fn: F) -> F:
    fn = click.option(
        "--server", metavar="URL", default=None, help="Control plane URL (not yet available)."
    )(fn)
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


def open_log(ledger_url: str | None, ledger_key: Path | None, server: str | None) -> Any:
    """A `LedgerLog`, or None without a ledger; `--server` is refused until the API exists."""
    if server:
        raise Error(
            "--server is not supported yet: the control plane's release and artifact endpoints "
            "come with the server; use --ledger URL"
        )
    if not ledger_url:
        return None
    from signoff.release.events import LedgerLog

    return LedgerLog(ledger_url, ledger_key)


def require_log(log: Any) -> Any:
    if log is None:
        raise Error("a ledger is required: pass --ledger URL (or set SIGNOFF_LEDGER_URL)")
    return log


def registry_for(repo: Path, ref: str) -> Any:
    """The agent registry at `ref` in `repo`; the empty registry when there is none."""
    from signoff.gitio import history
    from signoff.gitio.runner import Git
    from signoff.registry import EMPTY_REGISTRY, REGISTRY_PATH, parse_registry

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
