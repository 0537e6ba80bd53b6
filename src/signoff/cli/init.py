"""`signoff init`: write a commented starter policy and registry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from signoff.cli._common import repo_option
from signoff.errors import Error

FILES = ("policy.yml", "agents.yml")


@click.command()
@repo_option
def init(repo: Path) -> None:
    """Write .signoff/policy.yml and .signoff/agents.yml (refuses to overwrite)."""
    import subprocess

    try:
        inside = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError as exc:
        raise Error(f"cannot run git: {exc.strerror}") from None
    if inside != "true":  # nothing is written outside a repository's work tree
        raise Error(f"{repo} is not inside a git work tree; run `git init` first or pass --repo")
    target = repo / ".signoff"
    existing = [target / name for name in FILES if (target / name).exists()]
    if existing:
        raise Error(f"{existing[0]} already exists; signoff init never overwrites")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            text = resources.files("signoff.templates").joinpath(name).read_text("utf-8")
            with open(target / name, "x", encoding="utf-8") as fh:
                fh.write(text)
    except OSError as exc:
        raise Error(f"cannot write {target}: {exc.strerror}") from None
    for name in FILES:
        click.echo(f"wrote {target / name}")
    click.echo(
        "next: edit the groups and owners, add .signoff/allowed_signers, commit, and run "
        "`signoff check --base origin/main` in CI"
    )
