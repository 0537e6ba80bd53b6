"""`signoff hook`: the git server's enforcement point (pre-receive) and its installer."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import click

from signoff.hook.command import MODES as _MODES
from signoff.hook.command import pre_receive


@click.group()
def hook() -> None:
    """Enforce task tokens and scope at the git server (pre-receive hook)."""


hook.add_command(pre_receive)


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
