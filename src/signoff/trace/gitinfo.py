"""Commit details for a trace from git: subject, author and files, in one `git log` call."""

from __future__ import annotations

from collections.abc import Sequence

from signoff.gitio.runner import Git
from signoff.trace.graph import Graph


def enrich(g: Graph, git: Git, keys: Sequence[str]) -> None:
    """Add subject, author and changed files to the commit nodes the repository has."""
    shas = [g.nodes[k].label for k in keys if g.nodes[k].kind == "commit"]
    if not shas:
        return
    check = git.run(["cat-file", "--batch-check"], input="".join(f"{x}\n" for x in shas).encode())
    known = [
        ln.split()[0]
        for ln in check.decode().splitlines()
        if ln.endswith(tuple("0123456789")) and ln.split()[1] == "commit"
    ]
    if not known:
        return
    out = git.run(
        [
            "log",
            "--no-walk=unsorted",
            "-z",
            "--name-only",
            "--format=%x01%H%x00%an <%ae>%x00%s",
            *known,
            "--",
        ]
    )
    for chunk in out.decode("utf-8", "surrogateescape").split("\x01")[1:]:
        parts = [p for p in chunk.split("\x00")]
        sha, author, subject = parts[0], parts[1], parts[2].split("\n", 1)[0]
        files = [p.strip("\n") for p in parts[3:] if p.strip("\n")]
        g.node("commit", sha, subject=subject, author=author, files=files)
