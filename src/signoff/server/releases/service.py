"""Release verification, reports, attestations, promotion and trace on the control plane.

`verify` runs the release gate's core (`signoff.release.verify.verify_release`) on the
server's registered copy of the repository, exactly as `signoff release verify --ledger` does
locally: the policy, registry and allowed signers come from `--from` in that copy (the
protected inputs), the ledger is the server's, and approvals are the signed records on the
copy's approvals ref *plus* the approvals given through the API. The result is recorded as
`release.verified` (actor: the caller), stored with its report, and signed as a DSSE/in-toto
bundle with the ledger's key. The server's imported policy version is compared with the one
the release was verified under, and a difference is noted, never substituted: the same inputs
give the same verdict on the CLI and on the server.

Functions the web console calls (each checks the caller's role itself): `verify`,
`list_releases`, `get`, `attestation`, `promote`; and `tracing.trace`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import RowMapping

from signoff.errors import GitError
from signoff.release.artifacts import ArtifactKind
from signoff.server import jsoncol
from signoff.server.auth import Perm, Principal, Role
from signoff.server.common import Page, decode_cursor, new_id, page, stamp
from signoff.server.context import Context
from signoff.server.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from signoff.server.releases import repository as repo
from signoff.server.releases.artifacts import append_event, refuse_agent
from signoff.server.releases.schemas import (
    PromoteIn,
    PromoteOut,
    Promotion,
    ReleaseOut,
    ReleaseSummary,
    VerifyIn,
)
from signoff.server.releases.sources import ServerApprovals, ServerLog, agent_registry
from signoff.server.repos.service import load as load_repo


def _summary(r: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
    report = jsoncol.loads(r["report"])
    return {
        "id": r["id"],
        "repo": r["repo"],
        "result": r["result"],
        "from_ref": r["from_ref"],
        "to_ref": r["to_ref"],
        "tag": r["tag"],
        "base": r["base"],
        "head": r["head"],
        "release_group": r["release_group"],
        "verified_by": r["verified_by"],
        "created": r["created"],
        "ledger_seq": r["ledger_seq"],
        "has_attestation": r["attestation"] is not None,
        "failures": len(report["failures"]),
        "artifacts": [a["digest"] for a in report["artifacts"]],
        "promotions": [Promotion(**p) for p in jsoncol.loads(r["promotions"])],
    }


def release_out(r: Mapping[str, Any] | RowMapping) -> ReleaseOut:
    return ReleaseOut(
        **_summary(r), notes=jsoncol.loads(r["notes"]), report=jsoncol.loads(r["report"])
    )


def verify(ctx: Context, who: Principal, name: str, body: VerifyIn) -> ReleaseOut:
    """Run the release gate on the registered copy; record, store and return the report."""
    from signoff.attest.bundle import write_bundle
    from signoff.attest.keys import load_private_key
    from signoff.gitio import history
    from signoff.gitio.runner import Git
    from signoff.release.record import record_release, resource_uri, statements
    from signoff.release.report import to_json
    from signoff.release.verify import verify_release

    who.require(Perm.VERIFY_RELEASES)
    path = str(load_repo(ctx, name)["path"])
    try:
        head = history.resolve_commit(Git(path), body.to, role="to", tags=True)
    except GitError as exc:
        raise InvalidInputError(str(exc), field="to", code="git") from None
    if body.head is not None and head != body.head:
        raise ConflictError(
            f"the server's copy of {name} has {body.to} at {head[:12]}, not {body.head[:12]}: "
            "fetch it on the server, or verify the commit you have",
            field="head",
            code="stale_copy",
        )
    log = ServerLog(ctx.recorder)
    try:
        base = (
            history.resolve_commit(Git(path), body.from_, role="from", tags=True)
            if body.from_
            else None
        )
    except GitError as exc:
        raise InvalidInputError(str(exc), field="from", code="git") from None
    heads = _range_commits(Git(path), base, head)
    try:
        result = verify_release(
            path,
            body.to,
            from_ref=body.from_,
            tag=body.tag,
            artifacts=[(a.name or a.digest, a.digest) for a in body.artifacts],
            log=log,
            server=ServerApprovals(ctx, name, heads),
        )
    except GitError as exc:
        raise InvalidInputError(str(exc), code="git") from None
    doc = to_json(result)
    bundle = None
    if body.attest:
        key = load_private_key(ctx.settings.ledger_key)
        bundle = write_bundle(statements(result, resource_uri(path)), key)
    rid = new_id("rel")
    row: dict[str, Any] = {
        "id": rid,
        "repo": name,
        "result": doc["result"],
        "from_ref": body.from_,
        "to_ref": body.to,
        "tag": body.tag,
        "base": result.decision.base,
        "head": result.decision.head,
        "release_group": result.policy.release.group,
        "report": jsoncol.dumps(doc),
        "notes": jsoncol.dumps(_policy_notes(ctx, name, doc["policy"]["digest"])),
        "attestation": bundle,
        "promotions": "[]",
        "verified_by": who.actor,
        "created": stamp(),
        "version": 1,
    }
    with ctx.db.write() as conn:
        seq, _ = record_release(
            log,
            result,
            actor=who.actor,
            # an untagged release is named by its report id (what promotion and trace use)
            subjects_extra={"repo": name, "report": rid, **({} if body.tag else {"release": rid})},
            payload_extra={"repo": name, "report": rid},
        )
        repo.insert(conn, {**row, "ledger_seq": seq})
    return release_out({**row, "ledger_seq": seq})


def _range_commits(git: Any, base: str | None, head: str) -> list[str]:
    """The commits of base..head (full SHAs; newest first, at most 5000): the heads approvals
    may name."""
    spec = [f"{base}..{head}"] if base else [head]
    out: bytes = git.run(
        ["rev-list", "--max-count=5000", "--end-of-options", *spec, "--"], check=False
    )
    return out.decode().split()


def _policy_notes(ctx: Context, name: str, digest: str) -> list[str]:
    from signoff.server.policies import repository as policies

    with ctx.db.read() as conn:
        latest = policies.latest(conn, name, "policy")
    if latest is None or f"sha256:{latest['digest']}" == digest:
        return []
    return [
        f"the server's policy for {name} (version {latest['version']}, "
        f"sha256:{latest['digest'][:16]}) differs from the protected policy at --from "
        f"({digest[:23]}) this release was verified under"
    ]


def _load(ctx: Context, release_id: str) -> RowMapping:
    with ctx.db.read() as conn:
        row = repo.get(conn, release_id)
    if row is None:
        raise NotFoundError(f"no release report {release_id!r}")
    return row


def get(ctx: Context, who: Principal, release_id: str) -> ReleaseOut:
    who.require(Perm.READ_RELEASES)
    row = _load(ctx, release_id)
    return release_out(row).model_copy(update={"revocations": _revocations(ctx, row)})


def _revocations(ctx: Context, row: Mapping[str, Any] | RowMapping) -> list[str]:
    """Revocations recorded after this release's verification that reach its work."""
    from signoff.release.revocation import revoked_releases

    if row["result"] != "PASSED" or row["ledger_seq"] is None:
        return []
    return [
        f"{r.revoked} revoked at ledger seq {r.revocation_seq} ({len(r.commits)} commit(s))"
        for r in revoked_releases(ServerLog(ctx.recorder).all())
        if r.verified.seq == row["ledger_seq"]
    ]


def check_revocations(ctx: Context, who: Principal, statement: Mapping[str, Any]) -> list[str]:
    """`signoff attest verify --check-revocations --server`: why an attested release no longer
    stands, judged on the server's ledger (signoff.release.revocation.bundle_revocations)."""
    from signoff.release.revocation import bundle_revocations

    who.require(Perm.READ_RELEASES)
    return bundle_revocations(statement, ServerLog(ctx.recorder).all())


def attestation(ctx: Context, who: Principal, release_id: str) -> str:
    """The DSSE bundle (JSON Lines), verifiable with the ledger's public key."""
    who.require(Perm.READ_RELEASES)
    row = _load(ctx, release_id)
    if row["attestation"] is None:
        raise NotFoundError(f"release {release_id} was verified without an attestation")
    return str(row["attestation"])


def list_releases(
    ctx: Context, who: Principal, name: str, tag: str | None, limit: int, cursor: str | None
) -> Page[ReleaseSummary]:
    """Newest first; `tag` narrows to the reports of one release tag."""
    who.require(Perm.READ_RELEASES)
    load_repo(ctx, name)
    before = decode_cursor(cursor, 2)
    with ctx.db.read() as conn:
        rows = repo.find(
            conn, name, tag, (str(before[0]), str(before[1])) if before else None, limit
        )
    kept, nxt = page(list(rows), limit, lambda r: [r["created"], r["id"]])
    return Page[ReleaseSummary](
        items=[ReleaseSummary(**_summary(r)) for r in kept], next_cursor=nxt
    )


def promote(ctx: Context, who: Principal, release_id: str, body: PromoteIn) -> PromoteOut:
    """`release.promoted` for the release's artifacts: a PASSED release, by a person of the
    release group (or an admin), never by an agent identity."""
    from signoff.server.identity import repository as identity

    who.require(Perm.PROMOTE_RELEASES)
    row = _load(ctx, release_id)
    path = str(load_repo(ctx, row["repo"])["path"])
    registry = agent_registry(ctx, row["repo"], path)
    refuse_agent(who, registry)
    if Role.ADMIN not in who.roles:
        with ctx.db.read() as conn:
            groups = identity.groups_of(conn, [who.human_id]) if who.human_id else {}
        if row["release_group"] not in groups.get(who.human_id or "", []):
            raise ForbiddenError(
                f"promotion needs a member of {row['release_group']} (the release's group) "
                "or an admin",
                code="not_in_release_group",
            )
        if not who.held:  # a person's decision needs the person's own credential
            raise ForbiddenError(
                "this token was issued for you by someone else: claim it with your own SSH key "
                "(signoff server claim) before promoting",
                code="credential_not_held",
            )
    if row["result"] != "PASSED":
        raise ConflictError(
            f"release {release_id} FAILED verification; only a PASSED release is promoted",
            code="release_failed",
        )
    revoked = _revocations(ctx, row)
    if revoked:
        raise ConflictError(
            f"release {release_id} holds revoked work ({'; '.join(revoked)}): re-qualify it "
            "and verify it again before promoting",
            code="release_revoked",
        )
    names = {a["digest"]: a["name"] for a in jsoncol.loads(row["report"])["artifacts"]}
    if not names:
        raise InvalidInputError(
            f"release {release_id} was verified without artifacts: nothing to promote"
        )
    wanted = list(dict.fromkeys(body.digests)) or list(names)
    unknown = [d for d in wanted if d not in names]
    if unknown:
        raise InvalidInputError(
            f"{unknown[0]} is not an artifact of release {release_id}", field="digests"
        )
    label = row["tag"] or release_id
    with ctx.db.write() as conn:
        current = repo.get(conn, release_id, lock=True)
        assert current is not None
        kw: dict[str, Any] = {"registry": registry, "release": label, "repo": row["repo"]}
        done = [
            append_event(ctx, who, ArtifactKind.PROMOTED, d, name=names[d], **kw) for d in wanted
        ]
        promotions = jsoncol.loads(current["promotions"]) + [
            {"digest": r.digest, "name": names[r.digest], "by": who.actor,
             "ledger_seq": r.ledger_seq, "time": stamp()}
            for r in done
        ]  # fmt: skip
        if not repo.set_promotions(conn, release_id, current["version"], jsoncol.dumps(promotions)):
            raise ConflictError("the release changed meanwhile; retry", code="stale_version")
        stored = repo.get(conn, release_id)
    assert stored is not None
    return PromoteOut(release=release_out(stored), recorded=done)
