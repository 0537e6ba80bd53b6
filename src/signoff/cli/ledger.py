"""`signoff ledger`: append to, inspect, prove and verify the tamper-evident ledger.

Exit codes: 0 ok, 1 verification failed (the message names the first bad seq), 2 bad input.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from signoff.errors import Error, StoreError

F = TypeVar("F", bound=Callable[..., Any])
#: the `schema` each JSON output names (docs/schemas/)
EVENTS_SCHEMA = "signoff.ledger.events/v1"
INCLUSION_SCHEMA = "signoff.ledger.inclusion/v1"
CONSISTENCY_SCHEMA = "signoff.ledger.consistency/v1"


def _common(fn: F) -> F:
    """--ledger, --key and --origin on every subcommand, so they can go after its name."""
    fn = click.option(
        "--origin", default=None, help="Log origin for a new ledger (an existing one must match)."
    )(fn)
    fn = click.option(
        "--key",
        "key",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Ed25519 signing key file (default: <db>.key beside SQLite, or $SIGNOFF_LEDGER_KEY).",
    )(fn)
    fn = click.option(
        "--ledger",
        "url",
        metavar="URL",
        default=None,
        help="sqlite:///PATH, a file path or postgresql://... (default: $SIGNOFF_LEDGER_URL).",
    )(fn)
    return fn


def _open(url: str | None, key: Path | None, origin: str | None, *, create: bool = False) -> Any:
    """The ledger at URL; only `append` may create one (a read of a wrong path is an error)."""
    from signoff.ledger.service import Ledger

    return Ledger(url, key_path=key, origin=origin, create=create)


def _read_arg(value: str, what: str) -> str:
    """A literal, or ``@FILE`` / ``@-`` for a file or stdin."""
    if not value.startswith("@"):
        return value
    if value == "@-":
        return sys.stdin.read()
    try:
        return Path(value[1:]).read_text(encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"cannot read {what} file {value[1:]}: {exc.strerror}") from None


def _verifier(public_key: str) -> Any:
    """A verifier key string, or a file holding one."""
    from signoff.ledger.checkpoint import Verifier

    text = public_key
    if "+" not in public_key or public_key.startswith("@"):
        text = _read_arg(public_key if public_key.startswith("@") else "@" + public_key, "key")
    return Verifier.parse(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def ledger() -> None:
    """The tamper-evident ledger: append, show, checkpoint, prove, verify, export."""


@ledger.command()
@click.option("--type", "type_", required=True, help="Event type, e.g. decision.made.")
@click.option("--actor", required=True, help="Who acted, e.g. agent:release-bot or human:alice.")
@click.option("--subject", "subjects", multiple=True, metavar="K=V", help="A digest or id.")
@click.option("--payload", default="{}", metavar="JSON|@FILE", help="A JSON object.")
@click.option("--witnessed", multiple=True, metavar="FIELD", help="A field signoff witnessed.")
@_common
def append(
    type_: str,
    actor: str,
    subjects: tuple[str, ...],
    payload: str,
    witnessed: tuple[str, ...],
    url: str | None,
    key: Path | None,
    origin: str | None,
) -> None:
    """Append one event; prints its seq and leaf hash once it is durably committed."""
    from signoff.ledger.events import (
        EventDraft,
        EventError,
        EventType,
        parse_subjects,
        parse_type,
    )

    try:
        body = json.loads(_read_arg(payload, "payload"))
    except ValueError as exc:
        raise EventError(f"--payload is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise EventError("--payload must be a JSON object")
    draft = EventDraft(parse_type(type_), actor, parse_subjects(subjects), body, witnessed)
    with _open(url, key, origin, create=True) as lg:
        done = lg.append(draft)
    click.echo(f"appended seq {done.seq} leaf {done.leaf_hash.hex()}")
    if draft.type in (EventType.IDENTITY_SUSPENDED, EventType.TASK_REVOKED):
        _flag_revoked_releases(url, key)


def _flag_revoked_releases(url: str | None, key: Path | None) -> None:
    """A revocation reaches what was shipped: one `release.revoked` per release it reaches."""
    from signoff.ledger.keys import default_url
    from signoff.release.events import LedgerLog
    from signoff.release.revocation import flag_releases

    with LedgerLog(url or default_url(), key) as log:
        for seq, release in flag_releases(log):
            click.echo(f"release {release} holds revoked work: release.revoked recorded as {seq}")


@ledger.command()
@click.argument("seq", type=int, required=False)
@click.option("--type", "type_", default=None, help="Only events of this type.")
@click.option("--limit", default=20, show_default=True, help="How many recent events.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@_common
def show(
    seq: int | None,
    type_: str | None,
    limit: int,
    fmt: str,
    url: str | None,
    key: Path | None,
    origin: str | None,
) -> None:
    """Show one event, or the most recent ones."""
    from signoff.ledger.events import parse_type

    with _open(url, key, origin) as lg:
        if seq is not None:
            events = lg.events([seq])
        else:
            events = lg.recent(limit, parse_type(type_) if type_ else None)
    if fmt == "json":
        doc = {"schema": EVENTS_SCHEMA, "events": [e.to_json() for e in events]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    for e in events:
        subjects = " ".join(f"{k}={v}" for k, v in e.subjects.items())
        click.echo(f"{e.seq:>6}  {e.time}  {e.type.value:<20} {e.actor}  {subjects}".rstrip())
        payload = json.dumps(dict(e.payload), sort_keys=True, ensure_ascii=False)
        click.echo(f"        payload {payload}  witnessed: {', '.join(e.witnessed) or '-'}")


@ledger.command()
@_common
def checkpoint(url: str | None, key: Path | None, origin: str | None) -> None:
    """Sign the current tree head now and print the checkpoint note."""
    with _open(url, key, origin) as lg:
        cp = lg.checkpoint()
    click.echo(cp.note, nl=False)


@ledger.command(name="public-key")
@_common
def public_key(url: str | None, key: Path | None, origin: str | None) -> None:
    """Print the verifier key (<origin>+<key id>+<base64 key>) for offline verification."""
    with _open(url, key, origin) as lg:
        click.echo(str(lg.signer.verifier))


@ledger.command()
@click.argument("seq", type=int, required=False)
@click.option("--size", type=int, default=None, help="Tree size to prove against (default: now).")
@click.option("--consistency", nargs=2, type=int, default=None, metavar="OLD NEW")
@_common
def prove(
    seq: int | None,
    size: int | None,
    consistency: tuple[int, int] | None,
    url: str | None,
    key: Path | None,
    origin: str | None,
) -> None:
    """Print an inclusion proof for SEQ, or a consistency proof between two sizes, as JSON."""
    if (seq is None) == (consistency is None):
        raise click.UsageError("give either SEQ or --consistency OLD NEW")
    with _open(url, key, origin) as lg:
        if consistency is not None:
            proof = {"schema": CONSISTENCY_SCHEMA, **lg.prove_consistency(*consistency).to_json()}
        else:
            assert seq is not None
            proof = {"schema": INCLUSION_SCHEMA, **lg.prove_inclusion(seq, size).to_json()}
    click.echo(json.dumps(proof, indent=2))


@ledger.command()
@click.option(
    "--trusted-checkpoint",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A checkpoint saved outside the database: the log must extend it.",
)
@click.option("--public-key", "pub", default=None, help="Verifier key (default: from --key).")
@_common
@click.pass_context
def verify(
    ctx: click.Context,
    trusted_checkpoint: Path | None,
    pub: str | None,
    url: str | None,
    key: Path | None,
    origin: str | None,
) -> None:
    """Recompute the whole tree and check every checkpoint; exit 1 naming the first bad seq."""
    trusted = _read_note(trusted_checkpoint) if trusted_checkpoint else None
    with _open(url, key, origin) as lg:
        result = lg.verify(trusted_note=trusted, verifier=_verifier(pub) if pub else None)
    if not result.ok:
        click.echo(f"FAIL at seq {result.first_bad_seq}: {result.problem}", err=True)
        ctx.exit(1)
    root = base64.b64encode(result.root).decode()
    line = f"ok: {result.size} events, root {root}, {result.checkpoints} checkpoints verified"
    if result.trusted_size is not None:
        line += f", extends trusted checkpoint of size {result.trusted_size}"
    click.echo(line)


def _read_note(path: Path) -> str:
    """A saved checkpoint note: UTF-8 text (c2sp.org/signed-note), else a one-line error."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise Error(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise Error(f"{path}: not a checkpoint note (not UTF-8 at byte {exc.start})") from None


@ledger.command(name="verify-bundle")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "pub", required=True, help="Verifier key string or a file with it.")
@click.option("--origin", default=None, help="Expected log origin (default: the key's name).")
@click.pass_context
def verify_bundle(ctx: click.Context, file: Path, pub: str, origin: str | None) -> None:
    """Check an evidence bundle offline with only the log's public key."""
    from signoff.ledger.bundle import BundleError
    from signoff.ledger.bundle import verify_bundle as check

    try:
        cp, events = check(file.read_bytes(), _verifier(pub), origin)
    except BundleError as exc:
        click.echo(f"FAIL: {exc}", err=True)
        ctx.exit(1)
    seqs = ", ".join(str(e.seq) for e in events)
    click.echo(f"ok: {len(events)} events ({seqs}) included in {cp.origin} at size {cp.size}")


@ledger.command()
@click.option("--seq", "seqs", multiple=True, type=int, help="An event to include.")
@click.option("--subject", "subjects", multiple=True, metavar="[K=]V", help="Events with it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_common
def export(
    seqs: tuple[int, ...],
    subjects: tuple[str, ...],
    output: Path,
    url: str | None,
    key: Path | None,
    origin: str | None,
) -> None:
    """Write an evidence bundle: the events, their inclusion proofs and a signed checkpoint."""
    from signoff.ledger.bundle import dumps

    with _open(url, key, origin) as lg:
        chosen = set(seqs)
        for s in subjects:
            found = lg.find(s)
            if not found:
                raise StoreError(f"no event has subject {s}")
            chosen.update(found)
        bundle = lg.export(sorted(chosen))
    try:
        output.write_text(dumps(bundle), encoding="utf-8")
    except OSError as exc:
        raise Error(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}: {len(bundle['entries'])} events")
