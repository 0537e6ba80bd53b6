"""Approvals through the API: the same content-digest binding as signed records.

The server never takes digests from the client. It runs the gate (`run_check`, approvals off) on
its registered copy of the repository with the policy on the base commit, and binds the approval
to the class digests it computed itself, exactly as `signoff approve` does before signing. The
approver is the authenticated human's e-mail (the policy's principal); only `approver` tokens of
people may approve, so an agent identity never can. An override needs a reason and membership
of the policy's break-glass group. Whether an approval *counts* (group, requester, veto, stale
digest) is decided by the gate's own `apply_approvals`, for signed and server records alike.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import RowMapping

from signoff.errors import GitError
from signoff.ledger.events import EventType
from signoff.server import jsoncol
from signoff.server.approvals import repository as repo
from signoff.server.approvals.schemas import ApprovalCreated, ApprovalIn, ApprovalOut
from signoff.server.auth import Perm, Principal
from signoff.server.common import DEFAULT_LIMIT, Page, decode_cursor, new_id, page, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, ForbiddenError, InvalidInputError
from signoff.server.repos.service import load as load_repo
from signoff.server.repos.service import load_in

_EVENT = {
    "approve": EventType.APPROVAL_GIVEN,
    "veto": EventType.APPROVAL_VETOED,
    "override": EventType.APPROVAL_OVERRIDDEN,
}


def approval_out(r: RowMapping) -> ApprovalOut:
    return ApprovalOut(
        id=r["id"],
        repo=r["repo"],
        repository=r["repository"],
        decision=r["decision"],
        approver=r["approver"],
        base=r["base"],
        head=r["head"],
        policy_digest=f"sha256:{r['policy_digest']}",
        digests={k: f"sha256:{v}" for k, v in jsoncol.loads(r["digests"]).items()},
        comment=r["comment"],
        reason=r["reason"],
        time=r["time"],
        ledger_seq=r["ledger_seq"],
    )


def create(
    ctx: Context,
    who: Principal,
    name: str,
    body: ApprovalIn,
    *,
    expected: Mapping[str, str] | None = None,
) -> ApprovalCreated:
    """Record an approval, veto or override bound to the digests the server computes.

    `expected` (class -> ``sha256:<hex>``) is what the approver was shown, e.g. by the web
    console: when the content the server computes now differs, nothing is written and a
    409 ``stale_digest`` says so, so a person never approves content they did not see.
    """
    from signoff.approvals.request import RequestError, bind, not_a_member
    from signoff.approvals.store import repository_id
    from signoff.attribution.attribute import AGENT_PRINCIPAL
    from signoff.gate.check import check_range
    from signoff.gitio.runner import Git

    who.require(Perm.APPROVE)
    if who.human_id is None or who.email is None:
        raise ForbiddenError("approvals are given by people: use a token that belongs to a human")
    if body.decision == "override" and not body.reason.strip():
        raise InvalidInputError("an override needs a reason", field="reason")
    if body.decision != "override" and body.reason:
        raise InvalidInputError("only overrides carry a reason", field="reason")
    repo_row = load_repo(ctx, name)
    path = repo_row["path"]
    try:
        checked = check_range(path, body.base, body.head, approvals_ref=None)
        decision, inputs = checked.decision, checked.inputs
        repository = repository_id(Git(path), decision.base)
    except GitError as exc:
        raise InvalidInputError(
            f"cannot read {body.base[:12]}..{body.head[:12]}: {exc}", field="head", code="git"
        ) from None
    try:
        binding = bind(decision, body.classes or ())
    except RequestError as exc:
        raise InvalidInputError(str(exc), field=exc.field) from None
    if expected is not None:
        _check_expected(binding.current, expected)
    email = who.email
    for agent in inputs.registry.agents:
        if email in agent.match.emails:
            raise ForbiddenError(
                f"{email} is the identity of agent {agent.id}: agents never approve"
            )
    if email.startswith(AGENT_PRINCIPAL):
        raise ForbiddenError("agent identities never approve")
    policy = inputs.policy
    if body.decision == "override":
        group = policy.approvals.break_glass
        if group is None:
            raise ForbiddenError("the policy names no break-glass group (approvals.break_glass)")
        if email not in policy.groups.get(group, ()):
            raise ForbiddenError(f"{email} is not in break-glass group {group}")
    warnings = not_a_member(decision, binding, email, policy.groups)
    bound = binding.digests
    row = {
        "id": new_id("appr"),
        "repo": name,
        "repository": repository,
        "decision": body.decision,
        "approver": email,
        "human_id": who.human_id,
        "base": decision.base,
        "head": decision.head,
        "policy_digest": decision.digests["policy"],
        "digests": jsoncol.dumps(bound),
        "comment": body.comment,
        "reason": body.reason,
        "time": stamp(),
    }
    with ctx.db.write() as conn:
        repo.insert(conn, row, bound)
        seq = ctx.recorder.record(
            _EVENT[body.decision],
            who.actor,
            {"repo": name, "commit": decision.head, "base": decision.base, "approval": row["id"]},
            {
                "decision": body.decision,
                "approver": email,
                "digests": {c: f"sha256:{d}" for c, d in bound.items()},
                "policy_digest": f"sha256:{decision.digests['policy']}",
                "comment": body.comment,
                "reason": body.reason,
                "source": "server",
            },
            (
                "actor",
                "subjects.commit",
                "subjects.base",
                "payload.approver",
                "payload.digests",
                "payload.policy_digest",
            ),
        )
        repo.set_seq(conn, row["id"], seq)
        stored = repo.get(conn, row["id"])
    assert stored is not None
    out = approval_out(stored)
    if ctx.settings.github_app:  # App mode: the open pull requests this approval concerns
        from signoff.server.forges.service import reevaluate

        reevaluate(ctx, name, bound)
    return ApprovalCreated(**out.model_dump(), warnings=warnings)


def _check_expected(current: Mapping[str, str], expected: Mapping[str, str]) -> None:
    """Refuse when any class shown has another digest now (or no longer lands in the range)."""
    if not expected or any(
        current.get(c) != d.removeprefix("sha256:") for c, d in expected.items()
    ):
        raise ConflictError(
            "the content changed since it was shown: its digests are no longer the ones you "
            "reviewed; reload to review the new content",
            field="digests",
            code="stale_digest",
        )


def find(
    ctx: Context,
    who: Principal,
    name: str,
    digests: list[str],
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ApprovalOut]:
    who.require(Perm.READ_APPROVALS)
    after = decode_cursor(cursor, 2)
    bare = sorted({d.removeprefix("sha256:") for d in digests})
    with ctx.db.read() as conn:
        load_in(conn, name)
        rows = repo.find(conn, name, bare, (str(after[0]), str(after[1])) if after else None, limit)
    kept, nxt = page(list(rows), limit, lambda r: [r["time"], r["id"]])
    return Page[ApprovalOut](items=[approval_out(r) for r in kept], next_cursor=nxt)
