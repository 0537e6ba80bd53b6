"""`signoff release verify | promote`: the release gate and the promotion record (docs/release.md).

Exit codes of `verify`: 0 PASSED, 1 FAILED, 2 bad input (one line, no traceback).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from signoff.cli._common import repo_option, write_output
from signoff.cli._ledgeropts import open_log, remote_options, require_log
from signoff.cli.artifact import event_options, record
from signoff.errors import Error
from signoff.protected import APPROVALS_REF


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def release() -> None:
    """Verify a release candidate, and record promotions."""


@release.command()
@repo_option
@click.option(
    "--from", "from_ref", default=None, help="The last release (tag or ref); default: root."
)
@click.option("--to", "to_ref", default="HEAD", show_default=True, help="The release candidate.")
@click.option("--tag", default=None, help="The release tag to check (must point to --to).")
@click.option(
    "--artifact",
    "files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="An artifact file to check against the ledger (repeatable).",
)
@click.option(
    "--digest", "digests", multiple=True, help="An artifact as sha256:<hex> (repeatable)."
)
@remote_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option(
    "--attest-out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the DSSE-signed in-toto bundle (JSON Lines) here.",
)
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Attestation key: Ed25519 or ECDSA P-256 (default: the ledger's key).",
)
@click.option("--approvals-ref", default=APPROVALS_REF, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="For expiry checks.")
@click.option("--no-record", is_flag=True, help="Do not append release.verified to the ledger.")
def verify(
    repo: Path,
    from_ref: str | None,
    to_ref: str,
    tag: str | None,
    files: tuple[Path, ...],
    digests: tuple[str, ...],
    ledger_url: str | None,
    ledger_key: Path | None,
    server: str | None,
    token: str | None,
    server_repo: str | None,
    fmt: str,
    output: Path | None,
    attest_out: Path | None,
    key: Path | None,
    approvals_ref: str,
    today: dt.datetime | None,
    no_record: bool,
) -> int:
    """Check every commit in FROM..TO, the tag and the artifacts; exit 1 unless all pass."""
    from signoff.release.artifacts import file_digest, parse_digest
    from signoff.release.report import to_json
    from signoff.release.verify import verify_release

    artifacts = [(p.name, file_digest(p)) for p in files] + [(d, parse_digest(d)) for d in digests]
    if server:
        from signoff.cli import _remote

        if ledger_url or key or no_record or today or approvals_ref != APPROVALS_REF:
            raise Error(
                "with --server the server verifies on its copy, with its ledger, key and "
                "approvals: drop --ledger, --key, --no-record, --today and --approvals-ref"
            )
        with _remote.client(server, token) as c:
            rel = _remote.verify(
                c, _remote.repo_name(server_repo, repo), repo, from_ref=from_ref, to_ref=to_ref,
                tag=tag, artifacts=artifacts, attest_out=attest_out,
            )  # fmt: skip
        return _print(rel["report"], fmt, output)
    signing_key = _signing_key(key, ledger_url, ledger_key) if attest_out else None
    log = open_log(ledger_url, ledger_key, server, existing=True)  # the evidence it checks
    try:
        result = verify_release(
            repo,
            to_ref,
            from_ref=from_ref,
            tag=tag,
            artifacts=artifacts,
            log=log,
            today=today.date() if today else None,
            approvals_ref=approvals_ref,
        )
        if log is not None and not no_record:
            from signoff.release.record import record_release

            seq, _ = record_release(log, result)
            click.echo(f"signoff: release.verified recorded in the ledger as event {seq}", err=True)
    finally:
        if log is not None:
            log.close()
    if attest_out is not None and signing_key is not None:
        from signoff.attest.bundle import write_bundle
        from signoff.release.record import resource_uri, statements

        write_output(write_bundle(statements(result, resource_uri(repo)), signing_key), attest_out)
        click.echo(f"signoff: attestation bundle written to {attest_out}", err=True)
    return _print(to_json(result), fmt, output)


def _print(doc: dict[str, Any], fmt: str, output: Path | None) -> int:
    """The report, from its `signoff.release/v1` document (local or from the server)."""
    from signoff.release.report import text_from_json

    if fmt == "json":
        import json

        write_output(json.dumps(doc, indent=2, sort_keys=True) + "\n", output)
    else:
        write_output(text_from_json(doc), output)
    return 0 if doc["result"] == "PASSED" else 1


def _signing_key(key: Path | None, ledger_url: str | None, ledger_key: Path | None) -> Any:
    from signoff.attest.keys import load_private_key

    if key is None:
        if not ledger_url:
            raise Error("--attest-out needs --key FILE (or --ledger, to sign with its key)")
        from signoff.ledger.keys import default_key_path

        key = ledger_key or default_key_path(ledger_url)
    return load_private_key(key)


@release.command()
@repo_option
@click.option("--from", "from_ref", default=None, help="The range's start, as verified.")
@click.option("--to", "to_ref", default="HEAD", show_default=True, help="The release candidate.")
@click.option(
    "--revoked",
    required=True,
    metavar="agent:ID|task:ID",
    help="The revoked identity whose work in the range was re-reviewed.",
)
@click.option("--reason", required=True, help="What was re-reviewed, or reverted (signed).")
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="SSH private key to sign with. Default: git config user.signingkey.",
)
@click.option("--principal", help="Who you are. Default: git config user.email.")
@remote_options
def requalify(
    repo: Path,
    from_ref: str | None,
    to_ref: str,
    revoked: str,
    reason: str,
    key: Path | None,
    principal: str | None,
    ledger_url: str | None,
    ledger_key: Path | None,
    server: str | None,
    token: str | None,
    server_repo: str | None,
) -> None:
    """Record, signed, that you re-reviewed a revoked identity's work in FROM..TO.

    `release verify` counts these from the release group (`release.approvals` people) in place
    of failing the revoked work (docs/release.md, "Revocation reaches what was shipped")."""
    from signoff.approvals.sshsig import sign
    from signoff.approvals.store import repository_id
    from signoff.cli.approve import git_config, ssh_signing_key
    from signoff.gitio.runner import Git
    from signoff.ledger.events import EventDraft, EventType
    from signoff.release import requalify as rq
    from signoff.release.ledgerview import LedgerView
    from signoff.release.verify import release_range

    if server:
        raise Error("record re-qualifications in the ledger with --ledger URL (not --server)")
    kind, _, ident = revoked.partition(":")
    if kind not in ("agent", "task") or not ident:
        raise Error(f"--revoked must be agent:ID or task:ID, not {revoked!r}")
    git = Git(repo)
    base, head, _ = release_range(git, to_ref, from_ref)
    who = (principal or git_config(repo, "user.email")).strip().lower()
    if not who:
        raise Error("no principal: pass --principal EMAIL or set git config user.email")
    with require_log(open_log(ledger_url, ledger_key, server, existing=True)) as log:
        view = LedgerView.build(log.all())
        seqs = view.suspended_agents if kind == "agent" else view.revoked_tasks
        if ident not in seqs:
            raise Error(f"the ledger records no revocation of {revoked}")
        rec = rq.make(
            repository=repository_id(git, base), base=base, head=head, revoked=revoked,
            revocation_seq=seqs[ident], principal=who, reason=reason,
        )  # fmt: skip
        sig = sign(rec.canonical(), ssh_signing_key(repo, key), rq.NAMESPACE)
        subjects = {"commit": head, kind: ident}
        draft = EventDraft(EventType.RELEASE_REQUALIFIED, who, subjects, rq.payload(rec, sig))
        seq, _ = log.append(draft)
    click.echo(f"release.requalified recorded as event {seq} ({revoked}, {base[:12]}..{head[:12]})")


@release.command()
@event_options
@click.option(
    "--release",
    "release_name",
    required=True,
    help="The release: its tag; with --server also a release id (rel-...).",
)
def promote(release_name: str, **kw: Any) -> None:
    """Record that FILE (or --digest) was promoted as part of --release.

    With --server: the release must have PASSED on the server, the caller must be in its
    release group (or an admin), and FILE/--digest is optional (default: all its artifacts)."""
    if kw["server"]:
        from signoff.cli import _remote
        from signoff.cli.artifact import artifact_digest

        if kw["identity"]:
            raise Error("--identity does not apply with --server: the token's identity promotes")
        digest = None
        if kw["file"] is not None or kw["digest"] is not None:
            digest = artifact_digest(kw["file"], kw["digest"])[1]
        with _remote.client(kw["server"], kw["token"]) as c:
            _remote.promote(
                c, release_name, digest, _remote.repo_name(kw["server_repo"], kw["repo"])
            )
        return
    record("promoted", kw, release=release_name)
