"""`signoff explain PATH...`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from signoff.cli._common import repo_option


@click.command()
@click.argument("paths", nargs=-1, required=True)
@repo_option
@click.option(
    "--ref",
    default="HEAD",
    show_default=True,
    help="Read .signoff/policy.yml from this ref of --repo.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Use this policy file instead.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def explain(
    paths: tuple[str, ...], repo: Path, ref: str, policy_file: Path | None, fmt: str
) -> None:
    """Show which class, risk level and rules each PATH gets, and why."""
    from signoff.gate.explain import explain_path
    from signoff.gitio.history import read_objects
    from signoff.gitio.runner import Git
    from signoff.output.escape import display
    from signoff.policy.load import parse_policy
    from signoff.protected import POLICY_PATH

    policy = None
    source = "none (classes only)"
    if policy_file is not None:
        policy = parse_policy(policy_file.read_bytes(), str(policy_file), protected=False)
        source = str(policy_file)
    else:
        git = Git(repo)
        if git.ok(["rev-parse", "--git-dir"]):
            raw = read_objects(git, [f"{ref}:{POLICY_PATH}"]).get(f"{ref}:{POLICY_PATH}")
            if raw is not None:
                policy = parse_policy(raw, f"{ref}:{POLICY_PATH}")
                source = f"{ref}:{POLICY_PATH}"
    out = [explain_path(p, policy) for p in paths]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "schema": "signoff.gate.explain/v1",
                    "policy": source,
                    "paths": [
                        {
                            "path": e.path,
                            "class": e.file_class,
                            "risk": str(e.risk),
                            "reason": e.reason,
                            "matches": [
                                {"class": c, "classifier": k, "reason": r} for c, k, r in e.matches
                            ],
                            "rules": [{"rule": n, "effect": t} for n, t in e.rules],
                            "agent_modes": dict(e.by_mode),
                        }
                        for e in out
                    ],
                },
                indent=2,
            )
        )
        return
    click.echo(f"policy: {source}")
    for e in out:
        click.echo(f"\n{display(e.path)}\n  class: {e.file_class} ({e.risk})\n  why:   {e.reason}")
        others = [m for m in e.matches if m[0] != e.file_class]
        for c, k, r in others:
            click.echo(f"  also:  {c} by {k}: {r}")
        for name, text in e.rules:
            click.echo(f"  rule:  {name}: {text}")
        for mode, text in e.by_mode:
            click.echo(f"  agent in {mode} mode: {text}")
