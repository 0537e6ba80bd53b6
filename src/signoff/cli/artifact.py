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
    log = require_log(open_log(kw["ledger_url"], kw["ledger_key"], kw["server"]))
    with log:
        seq, _ = record_artifact_event(
            log,
            ArtifactKind(kind),
            digest,
            kw["identity"],
            registry=registry,
            name=name or None,
            **extra,
        )
    click.echo(f"recorded {ArtifactKind(kind).event_type.value} for {digest} as event {seq}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def artifact() -> None:
    """Record artifact events in the ledger (what `release verify` checks)."""


@artifact.command()
@event_options
@click.option("--commit", required=True, help="Full SHA of the commit the artifact was built from.")
@click.option("--builder", help="Builder identity (default: --identity).")
def built(commit: str, builder: str | None, **kw: Any) -> None:
    """Record that FILE (or --digest) was built from --commit by --builder."""
    record("built", kw, commit=commit, builder=builder)


@artifact.command()
@event_options
@click.option("--signer", help="Signer identity (default: --identity).")
@click.option("--commit", default=None, help="Commit the artifact was built from (optional).")
def signed(signer: str | None, commit: str | None, **kw: Any) -> None:
    """Record that FILE (or --digest) was signed by --signer."""
    record("signed", kw, signer=signer, commit=commit)
