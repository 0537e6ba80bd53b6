"""`signoff artifact built|signed`: record who built or signed an artifact (never an agent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from signoff.cli._common import repo_option
from signoff.cli._ledgeropts import open_log, registry_for, remote_options, require_log
from signoff.errors import Error


def artifact_digest(file: Path | None, digest: str | None) -> tuple[str, str]:
    """(name, sha256:hex) from a file or an explicit digest, exactly one of them."""
    from signoff.release.artifacts import file_digest, parse_digest

    if (file is None) == (digest is None):
        raise Error("give exactly one of FILE or --digest sha256:...")
    if file is not None:
        return file.name, file_digest(file)
    assert digest is not None
    return "", parse_digest(digest)


def event_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False)),
        click.option("--digest", help="The artifact's sha256:<hex> digest instead of FILE."),
        click.option(
            "--identity",
            default=None,
            help="Who is doing this (never an agent); with --server, the token's identity is.",
        ),
        repo_option,
        click.option(
            "--registry-ref",
            default="HEAD",
            show_default=True,
            help="Ref whose .signoff/agents.yml says which identities are agents.",
        ),
        remote_options,
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def record(kind: str, kw: dict[str, Any], **extra: Any) -> None:
    from signoff.release.artifacts import ArtifactKind, record_artifact_event

    name, digest = artifact_digest(kw["file"], kw["digest"])
    if kw["server"] and kw.get("ssh_key"):
        raise Error("--key does not apply with --server: the server verifies its caller")
    if kw["server"]:
        from signoff.cli import _remote

        if kind == "promoted":
            raise Error("release promote --server goes through the release's report")
        with _remote.client(kw["server"], kw["token"]) as c:
            _remote.record(c, kind, digest, name, {**kw, **extra})
        return
    if not kw["identity"]:
        raise Error("--identity is required with --ledger (with --server the token's identity is)")
    registry = registry_for(kw["repo"], kw["registry_ref"])
    signed = _signed(kind, digest, kw, extra)
    # a promotion follows the release's verification in the same ledger; a build may be its first
    existing = kind == "promoted"
    log = require_log(open_log(kw["ledger_url"], kw["ledger_key"], kw["server"], existing=existing))
    with log:
        seq, _ = record_artifact_event(
            log,
            ArtifactKind(kind),
            digest,
            kw["identity"],
            registry=registry,
            name=name or None,
            signed=signed,
            **extra,
        )
    click.echo(f"recorded {ArtifactKind(kind).event_type.value} for {digest} as event {seq}")


def _signed(
    kind: str, digest: str, kw: dict[str, Any], extra: dict[str, Any]
) -> dict[str, str] | None:
    """With --key: the builder's or signer's own signature over what the event says."""
    key = kw.get("ssh_key")
    if key is None:
        return None
    from signoff.approvals.sshsig import sign
    from signoff.release import provenance

    who = extra.get("builder") or extra.get("signer") or kw["identity"]
    stmt = provenance.statement(kind, digest, extra.get("commit"), who)
    return provenance.signed_payload(stmt, sign(stmt.canonical(), key, provenance.NAMESPACE))


_KEY = click.option(
    "--key",
    "ssh_key",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Sign the record with the builder's (signer's) own SSH key: verified provenance in a "
    "ledger file (release.require_verified_builders).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def artifact() -> None:
    """Record artifact events in the ledger (what `release verify` checks)."""


@artifact.command()
@event_options
@click.option("--commit", required=True, help="Full SHA of the commit the artifact was built from.")
@click.option("--builder", help="Builder identity (default: --identity).")
@_KEY
def built(commit: str, builder: str | None, **kw: Any) -> None:
    """Record that FILE (or --digest) was built from --commit by --builder."""
    record("built", kw, commit=commit, builder=builder)


@artifact.command()
@event_options
@click.option("--signer", help="Signer identity (default: --identity).")
@click.option("--commit", default=None, help="Commit the artifact was built from (optional).")
@_KEY
def signed(signer: str | None, commit: str | None, **kw: Any) -> None:
    """Record that FILE (or --digest) was signed by --signer."""
    record("signed", kw, signer=signer, commit=commit)
