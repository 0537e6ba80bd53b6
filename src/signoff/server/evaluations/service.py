"""Evaluations: the server runs the gate itself on its registered copy of a repository.

What an approver is shown (files, classes, agents, facts, the diff) and what an approval binds
(the per-class content digests and the digest of the whole change set) come from here and only
from here: `run_check` on the server's copy, with the policy, registry and allowed signers of
the base commit, the approvals given through the API and signed on the copy's approvals ref,
and the pushes the hook witnessed. Decision records that CI posts are *asserted*: they may name
a change for the server to evaluate, never the files in it (docs/server.md, threat model).

Each evaluation is stored as a witnessed decision record and appended to the ledger as
`decision.evaluated` (`payload.evidence = "witnessed"`, the server as actor), unless the
newest evaluation of the same range already says exactly the same (then that one is returned:
re-reading a change writes nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import RowMapping

from signoff.errors import GitError
from signoff.ledger.events import EventType
from signoff.server import jsoncol
from signoff.server.auth import Perm, Principal
from signoff.server.common import Page, decode_cursor, new_id, page, stamp
from signoff.server.context import Context
from signoff.server.errors import InvalidInputError, NotFoundError
from signoff.server.evaluations import repository as repo
from signoff.server.evaluations.schemas import EvaluationIn, EvaluationOut
from signoff.server.evaluations.sources import DbApprovals, DbWitness
from signoff.server.repos.service import load as load_repo
from signoff.server.repos.service import load_in

if TYPE_CHECKING:
    from signoff.decision import Decision

#: The ledger actor of what the server computed itself.
SERVER_ACTOR = "signoff:server"


@dataclass(frozen=True)
class Evaluated:
    """A stored evaluation, and the gate's `Decision` when it was computed in this call."""

    out: EvaluationOut
    decision: Decision


def evaluation_out(r: Mapping[str, Any] | RowMapping) -> EvaluationOut:
    return EvaluationOut(
        id=r["id"],
        repo=r["repo"],
        base=r["base"],
        head=r["head"],
        target_branch=r["target_branch"] or None,
        decision=r["verdict"],
        changeset_digest=f"sha256:{r['changeset_digest']}",
        policy_digest=f"sha256:{r['policy_digest']}",
        classes={c: f"sha256:{d}" for c, d in jsoncol.loads(r["classes"]).items()},
        requested_by=r["requested_by"],
        created=r["created"],
        ledger_seq=r["ledger_seq"],
        record=jsoncol.loads(r["record"]),
    )


def run_gate(ctx: Context, name: str, base: str, head: str, target: str | None) -> Decision:
    """The gate on the registered copy, with every approval and witness the server knows."""
    from signoff.gate.check import run_check

    path = load_repo(ctx, name)["path"]
    try:
        return run_check(
            path,
            base,
            head,
            target_branch=target,
            server=DbApprovals(ctx, name),
            witness=DbWitness(ctx, name),
        )
    except GitError as exc:
        raise InvalidInputError(
            f"cannot read {base[:12]}..{head[:12]} in the server's copy of {name}: {exc}",
            field="head",
            code="git",
        ) from None


def witnessed_record(d: Decision) -> dict[str, Any]:
    """The gate's decision record (`signoff.gate.record.decision_payload`), marked witnessed,
    with the content digest of every class that lands (what approvals bind)."""
    from signoff.approvals.digest import class_digests
    from signoff.gate.record import decision_payload

    classes = class_digests(d.files, d.digests["policy"])
    return {
        **decision_payload(d),
        "evidence": "witnessed",
        "classes": {c: f"sha256:{v}" for c, v in classes.items()},
        "warnings": list(d.warnings),
    }


def _record_sha256(record: dict[str, Any]) -> str:
    timeless = {k: v for k, v in record.items() if k != "evaluated_at"}
    return hashlib.sha256(jsoncol.dumps(timeless).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Computed:
    """A gate run on the server's copy, not stored yet."""

    name: str
    decision: Decision
    record: dict[str, Any]
    digest: str  # sha256 hex of the record without its time

    @property
    def classes(self) -> dict[str, str]:
        """class -> content digest (hex): what an approval binds."""
        return {c: v.removeprefix("sha256:") for c, v in self.record["classes"].items()}

    @property
    def changeset(self) -> str:
        return self.decision.digests["change_set"]


def compute(ctx: Context, name: str, base: str, head: str, target: str | None) -> Computed:
    """Run the gate on the server's copy (nothing is written)."""
    d = run_gate(ctx, name, base, head, target)
    record = witnessed_record(d)
    return Computed(name, d, record, _record_sha256(record))


def store(ctx: Context, requested_by: str, c: Computed) -> EvaluationOut:
    """Keep a computed evaluation (and its ledger event), unless the newest one of the same
    range already says exactly the same: then that one is returned and nothing is written."""
    d, name = c.decision, c.name
    key = (name, d.base, d.head, d.target_branch or "")
    with ctx.db.read() as conn:
        last = repo.latest(conn, *key)
    if last is not None and last["record_sha256"] == c.digest:
        return evaluation_out(last)
    row: dict[str, Any] = {
        "id": new_id("eval"),
        "repo": name,
        "base": d.base,
        "head": d.head,
        "target_branch": d.target_branch or "",
        "verdict": d.verdict.value,
        "changeset_digest": c.changeset,
        "policy_digest": d.digests["policy"],
        "classes": jsoncol.dumps(c.classes),
        "record": jsoncol.dumps(c.record),
        "record_sha256": c.digest,
        "requested_by": requested_by,
        "created": stamp(),
    }
    with ctx.db.write() as conn:
        last = repo.latest(conn, *key)
        if last is not None and last["record_sha256"] == c.digest:  # a racing request stored it
            return evaluation_out(last)
        load_in(conn, name)
        row["ledger_seq"] = ctx.recorder.record(
            EventType.DECISION_EVALUATED,
            SERVER_ACTOR,
            {"commit": d.head, "base": d.base, "repo": name, "evaluation": row["id"]},
            {
                "evidence": "witnessed",
                "decision": d.verdict.value,
                "range": c.record["range"],
                "digests": c.record["digests"],
                "classes": c.record["classes"],
                "record_sha256": f"sha256:{c.digest}",
                "file_count": len(d.files),
                "commit_count": len(d.commits),
                "requested_by": requested_by,
            },
            (
                "actor",
                "subjects.commit",
                "subjects.base",
                "payload.evidence",
                "payload.decision",
                "payload.digests",
                "payload.classes",
                "payload.record_sha256",
            ),
        )
        repo.insert(conn, row)
    return evaluation_out(row)


def evaluate(
    ctx: Context, requested_by: str, name: str, base: str, head: str, target: str | None = None
) -> Evaluated:
    """Run the gate on the server's copy and store the result as a witnessed record."""
    c = compute(ctx, name, base, head, target)
    return Evaluated(store(ctx, requested_by, c), c.decision)


def request(ctx: Context, who: Principal, name: str, body: EvaluationIn) -> EvaluationOut:
    """`POST /v1/repos/{repo}/evaluations`: evaluate a range now."""
    who.require(Perm.EVALUATE)
    return evaluate(ctx, who.actor, name, body.base, body.head, body.target_branch).out


def latest_for(
    ctx: Context, name: str, base: str, head: str, target: str | None
) -> EvaluationOut | None:
    with ctx.db.read() as conn:
        row = repo.latest(conn, name, base, head, target or "")
    return evaluation_out(row) if row is not None else None


def get(ctx: Context, who: Principal, evaluation_id: str) -> EvaluationOut:
    who.require(Perm.READ_DECISIONS)
    with ctx.db.read() as conn:
        row = repo.get(conn, evaluation_id)
    if row is None:
        raise NotFoundError(f"no evaluation {evaluation_id!r}")
    return evaluation_out(row)


def find(
    ctx: Context, who: Principal, name: str, head: str | None, limit: int, cursor: str | None
) -> Page[EvaluationOut]:
    who.require(Perm.READ_DECISIONS)
    before = decode_cursor(cursor, 2)
    with ctx.db.read() as conn:
        load_in(conn, name)
        rows = repo.find(
            conn, name, head, (str(before[0]), str(before[1])) if before else None, limit
        )
    kept, nxt = page(list(rows), limit, lambda r: [r["created"], r["id"]])
    return Page[EvaluationOut](items=[evaluation_out(r) for r in kept], next_cursor=nxt)
