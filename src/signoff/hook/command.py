"""The `pre-receive` command: its options, defined once.

`signoff hook pre-receive` (the CLI) and `python -m signoff.hook pre-receive` (what `signoff
hook install` writes into hooks/pre-receive) are this same click command. This module imports
only click and the standard library at start, so the installed hook does not pay for the whole
CLI package; the hook's own modules are imported when it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

MODES = click.Choice(["refuse", "remote-user"])


@click.command("pre-receive")
@click.option("--server", help="Control plane URL (credential: $SIGNOFF_HOOK_TOKEN or file).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Use the control plane's data dir directly (same host).")  # fmt: skip
@click.option("--database-url", help="With --data-dir: the server's database URL.")
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path),
              default=".", help="The bare repository (default: current directory).")  # fmt: skip
@click.option("--repo-name", help="The repository's name on the control plane.")
@click.option("--no-token-mode", type=MODES, default="refuse", show_default=True,
              help="Pushes without a token: refuse, or accept as $REMOTE_USER "
                   "(a known human, never an agent).")  # fmt: skip
def pre_receive(
    server: str | None,
    data_dir: Path | None,
    database_url: str | None,
    repo_dir: Path,
    repo_name: str | None,
    no_token_mode: str,
) -> None:
    """Read `<old> <new> <ref>` lines on stdin; exit 1 (refuse) or 0 (accept)."""
    import os

    from signoff.broker.errors import BrokerError
    from signoff.hook.backend import Backend
    from signoff.hook.install import credential
    from signoff.hook.run import pre_receive as run

    repo = repo_dir.resolve()
    name = repo_name or repo.name.removesuffix(".git")
    env = dict(os.environ)

    def backend() -> Backend:
        if server:
            from signoff.hook.backend import Remote

            cred = credential(repo, env)
            if not cred:
                raise BrokerError(
                    "the hook has no credential: set SIGNOFF_HOOK_TOKEN or write "
                    "signoff-hook.token (0600) in the repository",
                    code="unavailable",
                )
            return Remote(server, cred)
        if data_dir is None and database_url is None:
            raise BrokerError("give --server URL or --data-dir DIR", code="unavailable")
        from signoff.hook.backend import Local

        return Local(data_dir, database_url)

    sys.exit(run(repo, name, backend, no_token_mode, sys.stdin.read(), env))
