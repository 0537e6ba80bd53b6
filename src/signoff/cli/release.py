"""`signoff release verify | promote`: the release gate and the promotion record (docs/release.md).

Exit codes of `verify`: 0 PASSED, 1 FAILED, 2 bad input (one line, no traceback).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from signoff.cli._common import repo_option, write_output
from signoff.cli._ledgeropts import ledger_options, open_log
from signoff.cli.artifact import event_options, record
from signoff.errors import Error


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
@ledger_options
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
@click.option("--approvals-ref", default="refs/signoff/approvals", show_default=True)
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
    from signoff.release.report import to_json, to_text
    from signoff.release.verify import verify_release

    artifacts = [(p.name, file_digest(p)) for p in files] + [(d, parse_digest(d)) for d in digests]
    signing_key = _signing_key(key, ledger_url, ledger_key) if attest_out else None
    log = open_log(ledger_url, ledger_key, server)
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
        from signoff.release.record import statements

        write_output(write_bundle(statements(result, _resource(repo)), signing_key), attest_out)
        click.echo(f"signoff: attestation bundle written to {attest_out}", err=True)
    if fmt == "json":
        import json

        write_output(json.dumps(to_json(result), indent=2, sort_keys=True) + "\n", output)
    else:
        write_output(to_text(result), output)
    return 0 if result.passed else 1


def _signing_key(key: Path | None, ledger_url: str | None, ledger_key: Path | None) -> Any:
    from signoff.attest.keys import load_private_key

    if key is None:
        if not ledger_url:
            raise Error("--attest-out needs --key FILE (or --ledger, to sign with its key)")
        from signoff.ledger.keys import default_key_path

        key = ledger_key or default_key_path(ledger_url)
    return load_private_key(key)


def _resource(repo: Path) -> str:
    """The repository's origin URL, else its absolute path as a file URI."""
    from signoff.gitio.runner import Git

    url = Git(repo).run(["config", "--get", "remote.origin.url"], check=False).decode().strip()
    return url or repo.resolve().as_uri()


@release.command()
@event_options
@click.option("--release", "release_name", required=True, help="The release, e.g. its tag.")
def promote(release_name: str, **kw: Any) -> None:
    """Record that FILE (or --digest) was promoted as part of --release."""
    record("promoted", kw, release=release_name)
