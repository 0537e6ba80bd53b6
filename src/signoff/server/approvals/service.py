"""Approvals through the API: the same content-digest binding as signed records.

The server never takes digests from the client. It evaluates the range itself
(`signoff.server.evaluations`: the gate on its registered copy, with the policy on the base
commit) and binds the approval to the class digests and the change-set digest it computed,
exactly the digests `signoff approve` signs. The approver is the authenticated human's e-mail
(the policy's principal); only `approver` tokens of people may approve, so an agent identity
never can; nor may the person who requested a task approve its agent's work (the server knows
its tasks: refused here, not only discounted by the gate). An override needs a reason and
membership of the policy's break-glass group. Whether an approval *counts* (group, veto, stale
digest) is still decided by the gate's own `apply_approvals`, for signed and server records
alike. After the write the range is evaluated again, so the inbox shows the new state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.engine import RowMapping

from signoff.errors import GitError
from signoff.ledger.events import EventType
from signoff.server import jsoncol
from signoff.server.approvals import repository as repo
from signoff.server.approvals.schemas import ApprovalCreated, ApprovalIn, ApprovalOut
from signoff.server.auth import Perm, Principal
from signoff.server.common import DEFAULT_LIMIT, Page, decode_cursor, new_id, page, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from signoff.server.evaluations import service as evaluations
from signoff.server.evaluations.service import Computed
from signoff.server.repos.service import load as load_repo

if TYPE_CHECKING:
    from signoff.approvals.request import Binding
    from signoff.gate.inputs import GateInputs

NOT_HELD = (
    "this token was issued for you by someone else: claim it with your own SSH key "
    "(signoff server claim) before approving"
)

_EVENT = {
    "approve": EventType.APPROVAL_GIVEN,
    "veto": EventType.APPROVAL_VETOED,
    "override": EventType.APPROVAL_OVERRIDDEN,
}


def approval_out(r: RowMapping) -> ApprovalOut:
    return ApprovalOut.from_row(r)


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
    console, and `body.changeset` the change-set digest of that evaluation: when the content
    the server computes now differs, nothing is written and a 409 ``stale_digest`` says so, so
    a person never approves content they did not see.
    """
    from signoff.approvals.request import not_a_member
    from signoff.approvals.store import repository_id
    from signoff.gate.inputs import read_inputs
    from signoff.gitio.runner import Git

    _check_body(who, body)
    path = load_repo(ctx, name)["path"]
    ev = evaluations.compute(ctx, name, body.base, body.head, body.target_branch)
    try:
        git = Git(path)
        inputs = read_inputs(git, ev.decision.base)
        repository = repository_id(git, ev.decision.base)
    except GitError as exc:
        raise InvalidInputError(
            f"cannot read {body.base[:12]}..{body.head[:12]}: {exc}", field="head", code="git"
        ) from None
    if expected is not None:
        _check_expected(ev.classes, expected)
    if body.changeset is not None and body.changeset != f"sha256:{ev.changeset}":
        _stale()
    binding = _binding(ev, body.classes)
    _refuse_people(ctx, who, name, path, body, ev, inputs, binding.classes)
    warnings = not_a_member(ev.decision, binding, who.email or "", inputs.policy.groups)
    shown = evaluations.store(ctx, who.actor, ev)  # what this approval was given on
    stored = _write(ctx, who, name, body, ev, shown.id, repository, binding)
    evaluations.evaluate(
        ctx, who.actor, name, ev.decision.base, ev.decision.head, body.target_branch
    )
    if ctx.settings.github_app:  # App mode: the open pull requests this approval concerns
        from signoff.server.forges.service import reevaluate

        reevaluate(ctx, name, binding.digests)
    return ApprovalCreated(**approval_out(stored).model_dump(), warnings=warnings)


def _check_body(who: Principal, body: ApprovalIn) -> None:
    who.require(Perm.APPROVE)
    if who.human_id is None or who.email is None:
        raise ForbiddenError("approvals are given by people: use a token that belongs to a human")
    if not who.held:
        raise ForbiddenError(NOT_HELD, code="credential_not_held")
    if body.decision == "override" and not body.reason.strip():
        raise InvalidInputError("an override needs a reason", field="reason")
    if body.decision != "override" and body.reason:
        raise InvalidInputError("only overrides carry a reason", field="reason")


def _binding(ev: Computed, classes: Sequence[str] | None) -> Binding:
    """The classes named, or every class the server's evaluation asks approval for (unmet, or
    met already: another approver may add theirs), bound by the one rule of every approval
    (`signoff.approvals.request.bind`)."""
    from signoff.approvals.request import RequestError, bind
    from signoff.decision import Verdict

    wanted = classes or sorted(
        {f.file_class.value for f in ev.decision.files
         if f.verdict is not Verdict.ALLOW or f.requirements}
    )  # fmt: skip
    try:
        return bind(ev.decision, wanted)
    except RequestError as exc:
        raise InvalidInputError(str(exc), field=exc.field) from None


def _refuse_people(
    ctx: Context,
    who: Principal,
    name: str,
    path: str,
    body: ApprovalIn,
    ev: Computed,
    inputs: GateInputs,
    chosen: Sequence[str],
) -> None:
    """Agents never approve; nor does a task's requester; overrides need break-glass."""
    from signoff.attribution.attribute import AGENT_PRINCIPAL
    from signoff.server.approvals.requesters import refuse_requester

    email = who.email or ""
    for agent in inputs.registry.agents:
        if email in agent.match.emails:
            raise ForbiddenError(
                f"{email} is the identity of agent {agent.id}: agents never approve"
            )
    if email.startswith(AGENT_PRINCIPAL):
        raise ForbiddenError("agent identities never approve")
    if body.decision != "veto":  # a veto only adds scrutiny: the requester may always veto
        refuse_requester(ctx, who, name, path, ev.decision, chosen)
    if body.decision == "override":
        group = inputs.policy.approvals.break_glass
        if group is None:
            raise ForbiddenError("the policy names no break-glass group (approvals.break_glass)")
        if email not in inputs.policy.groups.get(group, ()):
            raise ForbiddenError(f"{email} is not in break-glass group {group}")


def _write(
    ctx: Context,
    who: Principal,
    name: str,
    body: ApprovalIn,
    ev: Computed,
    evaluation: str,
    repository: str,
    binding: Binding,
) -> RowMapping:
    """The approval row, its digests and its ledger event, in one write."""
    d = ev.decision
    bound = binding.digests
    approval_id = new_id("appr")
    row = {
        "id": approval_id,
        "repo": name,
        "repository": repository,
        "decision": body.decision,
        "approver": who.email,
        "human_id": who.human_id,
        "base": d.base,
        "head": d.head,
        "policy_digest": d.digests["policy"],
        "digests": jsoncol.dumps(bound),
        "changeset_digest": ev.changeset,
        "comment": body.comment,
        "reason": body.reason,
        "time": stamp(),
    }
    with ctx.db.write() as conn:
        repo.insert(conn, row, bound)
        seq = ctx.recorder.record(
            _EVENT[body.decision],
            who.actor,
            {"repo": name, "commit": d.head, "base": d.base, "approval": approval_id},
            {
                "decision": body.decision,
                "approver": who.email,
                "digests": {c: f"sha256:{x}" for c, x in bound.items()},
                "changeset_digest": f"sha256:{ev.changeset}",
                "evaluation": evaluation,
                "policy_digest": f"sha256:{d.digests['policy']}",
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
                "payload.changeset_digest",
                "payload.evaluation",
                "payload.policy_digest",
            ),
        )
        repo.set_seq(conn, approval_id, seq)
        stored = repo.get(conn, approval_id)
    assert stored is not None
    return stored


def _check_expected(current: Mapping[str, str], expected: Mapping[str, str]) -> None:
    """Refuse when any class shown has another digest now (or no longer lands in the range)."""
    if not expected or any(
        current.get(c) != d.removeprefix("sha256:") for c, d in expected.items()
    ):
        _stale()


def _stale() -> None:
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
        rows = repo.find_in_repo(
            conn, name, bare, (str(after[0]), str(after[1])) if after else None, limit
        )
    if rows is None:
        raise NotFoundError(f"no repository {name!r} is registered")
    kept, nxt = page(list(rows), limit, lambda r: [r["time"], r["id"]])
    return Page[ApprovalOut](items=[approval_out(r) for r in kept], next_cursor=nxt)
