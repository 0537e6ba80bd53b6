"""`signoff attest verify FILE`: check an attestation bundle's signatures and statements.

Exit codes: 0 every envelope verified, the bundle is one release run (exactly one VSA and one
review, bound to each other) and both say PASSED (and, with `--check-revocations`, no revocation
recorded after the release reaches its work); 1 a signature, statement, binding, subject or
revocation check failed, or the release it attests FAILED; 2 unreadable input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from signoff.errors import Error

SCHEMA = "signoff.attest.verify/v1"  # of the --format json output (docs/schemas/)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def attest() -> None:
    """DSSE / in-toto attestations written by `signoff release verify --attest-out`."""


@attest.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--key",
    "keys",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Trusted public key (PEM, OpenSSH, or a private key file); repeatable.",
)
@click.option(
    "--artifact",
    "artifacts",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="An artifact that must be a subject of the attestation.",
)
@click.option(
    "--check-revocations",
    is_flag=True,
    help="Also fail when a revocation recorded after the release reaches its work "
    "(needs --ledger URL or --server URL).",
)
@click.option("--ledger", "ledger_url", metavar="URL", envvar="SIGNOFF_LEDGER_URL", default=None)
@click.option("--server", metavar="URL", envvar="SIGNOFF_SERVER", default=None)
@click.option("--token", envvar="SIGNOFF_TOKEN", default=None, help="API token for --server.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def verify(
    file: Path,
    keys: tuple[Path, ...],
    artifacts: tuple[Path, ...],
    check_revocations: bool,
    ledger_url: str | None,
    server: str | None,
    token: str | None,
    fmt: str,
) -> int:
    """Verify FILE (JSON Lines of DSSE envelopes) against the trusted --key(s)."""
    from signoff.attest.bundle import bundle_problems, verify_bundle
    from signoff.attest.dsse import AttestationError
    from signoff.attest.keys import load_public_key
    from signoff.release.artifacts import file_digest

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Error(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from None
    if check_revocations and bool(ledger_url) == bool(server):
        raise Error("--check-revocations needs the ledger to ask: --ledger URL or --server URL")
    public = [load_public_key(k) for k in keys]
    wanted = {file_digest(a).removeprefix("sha256:"): a.name for a in artifacts}
    try:
        found = verify_bundle(text, public)
    except AttestationError as exc:
        click.echo(f"signoff: attestation INVALID: {exc}", err=True)
        if fmt == "json":  # a reader of the JSON gets JSON, with nothing verified
            click.echo(json.dumps({"schema": SCHEMA, "valid": False, "problems": [str(exc)],
                                   "statements": []}, indent=2, sort_keys=True))  # fmt: skip
        return 1
    problems = bundle_problems(found)
    for v in found:
        have = {s["digest"].get("sha256") for s in v.statement["subject"]}
        problems += [
            f"line {v.line}: {n} is not a subject" for d, n in wanted.items() if d not in have
        ]
    if check_revocations:
        vsa = next((v for v in found if v.result is not None), found[0])
        problems += _revocations(vsa.statement, ledger_url, server, token)
    if fmt == "json":
        doc = {
            "schema": SCHEMA,
            "valid": not problems,
            "problems": problems,
            "statements": [
                {
                    "line": v.line,
                    "predicateType": v.predicate_type,
                    "result": v.result,
                    "keyids": list(v.keyids),
                    "subject": v.statement["subject"],
                }
                for v in found
            ],
        }
        click.echo(json.dumps(doc, indent=2, sort_keys=True))
    else:
        for v in found:
            extra = f" result={v.result}" if v.result else ""
            click.echo(
                f"line {v.line}: signature OK ({v.keyids[0][:16]}) {v.predicate_type}{extra}"
            )
        for p in problems:
            click.echo(f"  x {p}")
        click.echo("attestation VERIFIED" if not problems else "attestation FAILED")
    return 0 if not problems else 1


def _revocations(
    statement: dict[str, Any], ledger_url: str | None, server: str | None, token: str | None
) -> list[str]:
    """Why the attested release no longer stands, asked of the ledger or the control plane."""
    if server:
        from signoff.client import Client

        with Client(server, token) as c:
            got = c.call("POST", "/v1/attestations/revocations", json={"statement": statement})
        return [str(p) for p in got.get("problems", [])]
    from signoff.release.events import LedgerLog
    from signoff.release.revocation import bundle_revocations

    with LedgerLog(str(ledger_url), create=False) as log:
        return bundle_revocations(statement, log.all())
