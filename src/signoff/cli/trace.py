"""`signoff trace`: follow one commit, artifact, task or agent through the ledger, and back."""

from __future__ import annotations

import re
from pathlib import Path

import click

from signoff.cli._common import write_output
from signoff.cli._ledgeropts import open_log, remote_options, require_log
from signoff.errors import Error


@click.command()
@click.option("--commit", help="A full commit SHA.")
@click.option("--artifact", help="An artifact digest (sha256:...) or file.")
@click.option("--task", help="A task id.")
@click.option("--agent", help="An agent id.")
@click.option("--release", "release_name", help="A release (its tag).")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A git repository, for commit subjects, authors and files (with --server, or "
    "--server-repo for the server's copy).",
)
@remote_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "mermaid", "dot"]), default="text"
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
def trace(
    commit: str | None,
    artifact: str | None,
    task: str | None,
    agent: str | None,
    release_name: str | None,
    repo: Path | None,
    ledger_url: str | None,
    ledger_key: Path | None,
    server: str | None,
    token: str | None,
    server_repo: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Artifact -> release -> commits -> tasks -> intents -> tokens -> approvals -> signatures."""
    from signoff.trace.graph import build_graph
    from signoff.trace.graph import trace as slice_of
    from signoff.trace.render import render

    given = [
        (k, v)
        for k, v in [
            ("commit", commit),
            ("artifact", artifact),
            ("task", task),
            ("agent", agent),
            ("release", release_name),
        ]
        if v
    ]
    if len(given) != 1:
        raise Error("give exactly one of --commit, --artifact, --task, --agent, --release")
    kind, value = given[0]
    if kind == "commit" and not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", value):
        # the ledger names commits in full; a prefix could name several, so none is guessed
        short = re.fullmatch(r"[0-9a-f]{4,39}", value) is not None
        hint = " (abbreviated: `git rev-parse` gives the full one)" if short else ""
        raise Error(f"--commit {value!r} is not a full commit id{hint}")
    if kind == "artifact" and not value.startswith("sha256:"):
        from signoff.release.artifacts import file_digest

        value = file_digest(Path(value))
    if server:
        from signoff.cli import _remote
        from signoff.trace.render import from_json

        if ledger_url:
            raise Error("give --ledger or --server, not both")
        with _remote.client(server, token) as c:
            graph, sliced = from_json(_remote.trace(c, kind, value, server_repo))
    else:
        log = require_log(open_log(ledger_url, ledger_key, server, existing=True))
        with log:
            graph = build_graph(log.all())
        start = f"{kind}:{value}"
        if start not in graph.nodes:
            raise Error(f"{kind} {value} does not appear in the ledger")
        sliced = slice_of(graph, start)
    if repo is not None:
        from signoff.gitio.runner import Git
        from signoff.trace.gitinfo import enrich

        enrich(graph, Git(repo), sliced.keys)
    write_output(render(graph, sliced, fmt), output)
