"""Per-repository policy and agent registry, versioned (admin writes; ci and others read).

Importing parses the text with the gate's own parsers (`parse_policy`, `parse_registry`), so a
version the server accepts is one the gate accepts; its digest is the gate's (SHA-256 of the
exact bytes). Each version is recorded as a `config.changed` event with the `repo` and
`policy_digest` (or `registry_digest`) subjects and the version in the payload. The gate still
reads the policy from the protected base ref; these versions are what the server shows, serves
to CI, and compares against (see approvals).
"""

from __future__ import annotations

import hashlib

from sqlalchemy.engine import RowMapping

from signoff.errors import ConfigError
from signoff.ledger.events import EventType
from signoff.server.auth import Perm, Principal
from signoff.server.common import Page, decode_cursor, page, stamp
from signoff.server.context import Context
from signoff.server.errors import InvalidInputError, NotFoundError
from signoff.server.policies import repository as repo
from signoff.server.policies.schemas import DocKind, DocumentIn, VersionOut
from signoff.server.repos import repository as repos


def _out(r: RowMapping) -> VersionOut:
    return VersionOut(
        repo=r["repo"],
        kind=r["kind"],
        version=r["version"],
        digest=f"sha256:{r['digest']}",
        text=r["text"],
        created=r["created"],
        created_by=r["created_by"],
        ledger_seq=r["ledger_seq"],
    )


def _parse(kind: DocKind, name: str, text: bytes) -> None:
    from signoff.identity.agents import parse_registry
    from signoff.policy.load import parse_policy
    from signoff.protected import POLICY_PATH, REGISTRY_PATH

    try:
        if kind == "policy":
            parse_policy(text, f"{name}:{POLICY_PATH}")
        else:
            parse_registry(text, f"{name}:{REGISTRY_PATH}")
    except ConfigError as exc:
        raise InvalidInputError(str(exc), field="text", code="invalid_document") from None


def import_version(
    ctx: Context, who: Principal, name: str, kind: DocKind, body: DocumentIn
) -> VersionOut:
    who.require(Perm.WRITE_POLICY)
    raw = body.text.encode("utf-8", "surrogatepass")
    _parse(kind, name, raw)
    digest = hashlib.sha256(raw).hexdigest()
    with ctx.db.write() as conn:
        if repos.get(conn, name, lock=True) is None:  # the lock orders concurrent imports
            raise NotFoundError(f"no repository {name!r} is registered")
        last = repo.latest(conn, name, kind)
        version = (last["version"] if last else 0) + 1
        row = {
            "repo": name,
            "kind": kind,
            "version": version,
            "digest": digest,
            "text": body.text,
            "created": stamp(),
            "created_by": who.actor,
        }
        seq = ctx.recorder.record(
            EventType.CONFIG_CHANGED,
            who.actor,
            {"repo": name, f"{kind}_digest": f"sha256:{digest}"},
            {"change": f"{kind}-version", kind: {"version": version, "digest": f"sha256:{digest}"}},
        )
        repo.insert(conn, {**row, "ledger_seq": seq})
        new = repo.latest(conn, name, kind)
    assert new is not None
    return _out(new)


def current(ctx: Context, who: Principal, name: str, kind: DocKind) -> VersionOut:
    who.require(Perm.READ_POLICY)
    with ctx.db.read() as conn:
        if repos.get(conn, name) is None:
            raise NotFoundError(f"no repository {name!r} is registered")
        row = repo.latest(conn, name, kind)
    if row is None:
        raise NotFoundError(f"repository {name!r} has no {kind} yet")
    return _out(row)


def versions(
    ctx: Context, who: Principal, name: str, kind: DocKind, limit: int, cursor: str | None
) -> Page[VersionOut]:
    who.require(Perm.READ_POLICY)
    before = decode_cursor(cursor, 1)
    with ctx.db.read() as conn:
        if repos.get(conn, name) is None:
            raise NotFoundError(f"no repository {name!r} is registered")
        rows = repo.versions(conn, name, kind, int(before[0]) if before else None, limit)
    kept, nxt = page(list(rows), limit, lambda r: [r["version"]])
    return Page[VersionOut](items=[_out(r) for r in kept], next_cursor=nxt)
