"""`--server URL` for `release verify|promote`, `artifact built|signed` and `trace`.

The control plane runs the same core on its own copy of the repository and its own ledger; these
helpers only send the request and print the answer with the local renderers, so a report looks
the same whichever side computed it. Errors are `ServerError` lines (exit 2). Imported only when
`--server` is given, so the local paths never load an HTTP stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from signoff.client import Client
from signoff.errors import Error, GitError


def client(server: str, token: str | None) -> Client:
    return Client(server, token)


def repo_name(server_repo: str | None, repo: Path) -> str:
    return server_repo or repo.resolve().name


def _local_head(repo: Path, ref: str) -> str | None:
    """`ref` as the caller's checkout resolves it; None when there is no such checkout."""
    from signoff.gitio import history
    from signoff.gitio.runner import Git

    try:
        return history.resolve_commit(Git(repo), ref, role="--to", tags=True)
    except (GitError, OSError):
        return None


def verify(
    c: Client,
    name: str,
    repo: Path,
    *,
    from_ref: str | None,
    to_ref: str,
    tag: str | None,
    artifacts: list[tuple[str, str]],
    attest_out: Path | None,
) -> dict[str, Any]:
    """POST .../releases/verify; the stored release (its `report` is `signoff.release/v1`).

    `--to` is sent as given, with the SHA the local checkout has for it (the server answers 409
    when its copy differs); `HEAD` means the caller's HEAD, so the SHA itself is sent."""
    head = _local_head(repo, to_ref)
    body: dict[str, Any] = {
        "from": from_ref,
        "to": head if head and to_ref == "HEAD" else to_ref,
        "head": head,
        "tag": tag,
        "artifacts": [{"digest": d, **({"name": n} if n != d else {})} for n, d in artifacts],
        "attest": attest_out is not None,
    }
    rel: dict[str, Any] = c.call("POST", f"/v1/repos/{name}/releases/verify", json=body)
    click.echo(
        f"signoff: release.verified recorded on {c.url} as event {rel['ledger_seq']} "
        f"(release {rel['id']})",
        err=True,
    )
    for note in rel["notes"]:
        click.echo(f"signoff: warning: {note}", err=True)
    if attest_out is not None:
        from signoff.cli._common import write_output

        write_output(c.text("GET", f"/v1/releases/{rel['id']}/attestation"), attest_out)
        click.echo(f"signoff: attestation bundle written to {attest_out}", err=True)
    return rel


def record(c: Client, kind: str, digest: str, name: str, kw: dict[str, Any]) -> None:
    """`artifact built|signed`: the server records the authenticated caller."""
    if kw.get("identity"):
        raise Error(
            "--identity does not apply with --server: the server records the token's identity "
            "(name an asserted builder or signer with --builder/--signer)"
        )
    body: dict[str, Any] = {"digest": digest}
    for key in ("commit", "builder", "signer"):
        if kw.get(key):
            body[key] = kw[key]
    if name:
        body["name"] = name
    if kw.get("server_repo"):
        body["repo"] = kw["server_repo"]
    done = c.call("POST", f"/v1/artifacts/{kind}", json=body)
    click.echo(
        f"recorded {done['event']} for {digest} as event {done['ledger_seq']} "
        f"(by {done['actor']}, as {done['identity']})"
    )


def promote(c: Client, release: str, digest: str | None, repo: str) -> None:
    """`release promote --release rel-...|TAG`: the newest report of that tag when a tag."""
    if not release.startswith("rel-"):
        page = c.call("GET", f"/v1/repos/{repo}/releases", params={"tag": release, "limit": 1})
        if not page["items"]:
            raise Error(f"no release report for tag {release} in {repo} on {c.url}")
        release = page["items"][0]["id"]
    done = c.call(
        "POST", f"/v1/releases/{release}/promote", json={"digests": [digest] if digest else []}
    )
    for r in done["recorded"]:
        click.echo(
            f"recorded {r['event']} for {r['digest']} as event {r['ledger_seq']} "
            f"(release {r['release']}, by {r['actor']})"
        )


def trace(c: Client, kind: str, value: str, server_repo: str | None) -> dict[str, Any]:
    """GET /v1/trace: the `signoff.trace/v1` document."""
    params = {kind: value, **({"repo": server_repo} if server_repo else {})}
    doc: dict[str, Any] = c.call("GET", "/v1/trace", params=params)["trace"]
    return doc
