"""`signoff hook`: the git server's enforcement point (pre-receive) and its installer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click

_MODES = click.Choice(["refuse", "remote-user"])


@click.group()
def hook() -> None:
    """Enforce task tokens and scope at the git server (pre-receive hook)."""


@hook.command("pre-receive")
@click.option("--server", help="Control plane URL (credential: $SIGNOFF_HOOK_TOKEN or file).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Use the control plane's data dir directly (same host).")  # fmt: skip
@click.option("--database-url", help="With --data-dir: the server's database URL.")
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path),
              default=".", help="The bare repository (default: current directory).")  # fmt: skip
@click.option("--repo-name", help="The repository's name on the control plane.")
@click.option("--no-token-mode", type=_MODES, default="refuse", show_default=True,
              help="Pushes without a token: refuse, or accept as $REMOTE_USER.")  # fmt: skip
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
    from signoff.hook.install import credential
    from signoff.hook.run import pre_receive as run

    repo = repo_dir.resolve()
    name = repo_name or repo.name.removesuffix(".git")
    env = dict(os.environ)

    def backend() -> object:
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

    code = run(repo, name, backend, no_token_mode, sys.stdin.read(), env)
    sys.exit(code)


@hook.command("install")
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--server", help="Control plane URL.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Control plane data dir (same host).")  # fmt: skip
@click.option("--repo-name", help="Name on the control plane (default: directory name).")
@click.option("--no-token-mode", type=_MODES, default="refuse", show_default=True)
@click.option("--token-file", type=click.File("r"),
              help="Store the hook's ci token from this file ('-': stdin).")  # fmt: skip
def install(
    repo: Path,
    server: str | None,
    data_dir: Path | None,
    repo_name: str | None,
    no_token_mode: str,
    token_file: TextIO | None,
) -> None:
    """Install the pre-receive hook into the bare repository REPO."""
    from signoff.hook.install import install as do_install

    repo = repo.resolve()
    path = do_install(
        repo,
        server=server,
        data_dir=data_dir.resolve() if data_dir else None,
        repo_name=repo_name or repo.name.removesuffix(".git"),
        no_token_mode=no_token_mode,
        credential=token_file.read() if token_file is not None else None,
    )
    click.echo(f"installed {path}")
