"""`signoff hook`: the git server's enforcement point (pre-receive) and its installer."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import click

from signoff.hook.command import MODES as _MODES
from signoff.hook.command import pre_receive


@click.group()
def hook() -> None:
    """Task tokens and scope at the git server (pre-receive); the gate before a push (pre-push)."""


hook.add_command(pre_receive)


@hook.command("install")
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--server", help="Control plane URL.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Control plane data dir (same host).")  # fmt: skip
@click.option("--repo-name", help="Name on the control plane (default: directory name).")
@click.option("--no-token-mode", type=_MODES, default="refuse", show_default=True)
@click.option("--token-file", type=click.File("r"),
              help="Store the hook's token (role hook) from this file ('-': stdin).")  # fmt: skip
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


ZERO = frozenset({"0" * 40, "0" * 64})


@hook.command("pre-push")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The repository (default: current directory).")  # fmt: skip
@click.option("--base", help="Base ref (default: the pushed branch's upstream, as a full ref).")
@click.pass_context
def pre_push(ctx: click.Context, repo: Path, base: str | None) -> None:
    """What the CI gate will say about a push, before it leaves (pre-commit's pre-push stage).

    The head is the commit being pushed ($PRE_COMMIT_TO_REF, else HEAD); the base is the
    upstream of the branch being pushed ($PRE_COMMIT_LOCAL_BRANCH, else the current branch),
    resolved to its full ref name, unless --base names the protected branch CI checks against.
    Exit codes as `signoff check`: 0 allowed, 1 needs approval or denied, 2 input error.
    """
    import os

    from signoff.cli.check import check
    from signoff.errors import Error, GitError
    from signoff.gitio.runner import Git

    head = os.environ.get("PRE_COMMIT_TO_REF") or "HEAD"
    if head in ZERO:
        click.echo("signoff: the push deletes a branch; nothing to check", err=True)
        return
    if base is None:
        git = Git(repo)
        branch = os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or ""
        if not branch.startswith("refs/heads/"):
            branch = git.run(["symbolic-ref", "-q", "HEAD"], check=False).decode().strip()
        if not branch.startswith("refs/heads/") or branch.startswith("refs/heads/-"):
            raise Error("not on a branch: pass --base (the branch the change lands on)")
        name = branch.removeprefix("refs/heads/")
        spec = f"{name}@{{upstream}}"  # git reads `<branch>@{upstream}` by the branch's short name
        try:
            full = git.run(["rev-parse", "--symbolic-full-name", spec]).decode().strip()
        except GitError:
            full = ""
        if not full.startswith("refs/") or "\n" in full:
            raise Error(
                f"branch {name!r} has no upstream: set one (git branch --set-upstream-to "
                "origin/main) or pass --base"
            )
        base = full
    ctx.invoke(check, repo=repo, base=base, head=head)
