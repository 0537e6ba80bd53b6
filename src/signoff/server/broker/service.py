"""Using and ending task tokens: introspection, revocation, witnessed pushes, trust policies.

Introspection (RFC 7662) re-checks everything on every call, so revocation is effective at once
at every enforcement point: the signature and claims (`signoff.broker.jose`), then the token's
row (known `jti`, same SHA-256, not revoked), its task (open, not expired) and its agent (still
usable: suspending an agent ends its tokens without touching them). A token is usable for any
number of pushes until it expires or is revoked; what is single-use is the workload proof it was
exchanged for (see `exchange`).

Revocation by token, `jti`, task or agent is `token.revoked`; revoking by task also moves an
open task to `revoked`, recorded as `task.revoked` too (its `payload.revocation_seq` names the
`token.revoked` event). Pushes reported by the hook are `push.witnessed`, one event per new
commit of an accepted push (subjects: commit, task, agent, token digest), or `push.refused`, one
event per refused push (`payload.outcome = "refused"`, the task as `attempted_task`, no commit
subjects). Setting an agent's trust policy is `config.changed`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from signoff.broker.errors import BrokerError
from signoff.broker.jose import peek_kid, verify_task_token
from signoff.broker.oidc import TrustPolicy
from signoff.ledger.events import EventDraft, EventType
from signoff.server import jsoncol
from signoff.server.auth import Perm, Principal, Role
from signoff.server.broker import repository as repo
from signoff.server.broker.exchange import RefusedError, sha256_hex
from signoff.server.broker.rows import agent_scope
from signoff.server.broker.schemas import (
    Introspection,
    PushIn,
    PushOut,
    Revoked,
    RevokeIn,
    TrustPolicyOut,
    WitnessedOut,
)
from signoff.server.broker.state import Broker
from signoff.server.common import now, parse_stamp, stamp
from signoff.server.context import Context
from signoff.server.errors import ForbiddenError, InvalidInputError, NotFoundError
from signoff.server.identity import repository as agents_repo
from signoff.server.tasks import repository as tasks_repo


def _enforcer(who: Principal | None, perm: Perm) -> None:
    """`who=None` is the hook on the control plane's own database (trusted, same host)."""
    if who is not None:
        who.require(perm)


def _inactive(exc: BrokerError) -> Introspection:
    return Introspection(active=False, reason=exc.message, code=exc.code)


def introspect(ctx: Context, broker: Broker, token: str, who: Principal | None) -> Introspection:
    """RFC 7662 answer for `token`; `who=None` is the hook on a local database (trusted)."""
    _enforcer(who, Perm.INTROSPECT)
    t = now()
    cfg = broker.config
    try:
        broker.keys.lookup(peek_kid(token))
        c = verify_task_token(
            token,
            broker.keys.verify_keys(),
            issuer=cfg.issuer,
            audience=cfg.audience,
            now=int(t.timestamp()),
        )
        with ctx.db.read() as conn:
            row = repo.token_by_jti(conn, c.jti)
            task = tasks_repo.get(conn, c.task)
            agent = agents_repo.get_agent(conn, c.agent)
            requester = agents_repo.get_human(conn, task["requester"]) if task else None
        if row is None or row["sha256"] != sha256_hex(token) or task is None or agent is None:
            raise BrokerError("token is not one this broker issued", code="revoked")
        # The standing reasons first (a suspension also revokes, but says more while it lasts).
        if task["state"] != "open" or parse_stamp(task["expires"]) <= t:
            state = task["state"] if task["state"] != "open" else "expired"
            raise BrokerError(f"task {c.task} is {state}", code="revoked")
        scope = agent_scope(agent)
        if not scope.usable:
            raise BrokerError(f"agent {c.agent} is {scope.lifecycle}", code="revoked")
        if requester is None or requester["status"] != "active":
            raise BrokerError(
                f"the task's requester {task['requester']} is suspended", code="revoked"
            )
        if row["revoked"] is not None:
            raise BrokerError(f"token was revoked at {row['revoked']}", code="revoked")
    except BrokerError as exc:
        return _inactive(exc)
    return Introspection(
        active=True,
        sub=c.sub,
        iss=c.iss,
        aud=c.aud,
        exp=c.exp,
        iat=c.iat,
        nbf=c.nbf,
        jti=c.jti,
        scope=" ".join(c.scope.actions),
        token_type="signoff-task",  # noqa: S106 (a type name)
        task=c.task,
        agent=c.agent,
        base=c.base,
        policy=c.policy,
        intent=c.intent,
        signoff_scope=c.scope.to_json(),
    )


def revoke(ctx: Context, who: Principal, body: RevokeIn) -> Revoked:
    admin = Role.ADMIN in who.roles
    when = stamp()
    task_state: str | None = None
    with ctx.db.write() as conn:
        sel: dict[str, str] = {}
        if body.token is not None or body.jti is not None:
            row = (
                repo.token_by_sha(conn, sha256_hex(body.token))
                if body.token is not None
                else repo.token_by_jti(conn, str(body.jti))
            )
            if row is None:
                raise NotFoundError("no such token")
            sel = {"jti": row["jti"]}
            task_id: str | None = row["task"]
        elif body.task is not None:
            sel, task_id = {"task": body.task}, body.task
        else:
            if not admin:
                raise ForbiddenError("only an admin revokes every token of an agent")
            sel, task_id = {"agent": str(body.agent)}, None
        task = tasks_repo.get(conn, task_id, lock=True) if task_id else None
        if task_id and task is None:
            raise NotFoundError(f"no task {task_id!r}")
        if not admin and (task is None or who.human_id != task["requester"]):
            raise ForbiddenError("only an admin or the task's requester may revoke its tokens")
        rows = repo.revoke_tokens(conn, when, who.actor, **sel)
        if body.task is not None and task is not None and task["state"] == "open":
            tasks_repo.set_state(conn, task["id"], task["version"], "revoked", when)
            task_state = "revoked"
        subjects = {"agent": task["agent"] if task else str(body.agent)}
        if task is not None:
            subjects["task"] = task["id"]
        if len(rows) == 1:
            subjects["token_sha256"] = f"sha256:{rows[0]['sha256']}"
        revocation = ctx.recorder.record(
            EventType.TOKEN_REVOKED,
            who.actor,
            subjects,
            {
                "selector": next(iter(sel)),
                "revoked_jti": [r["jti"] for r in rows][:500],
                "count": len(rows),
                "reason": body.reason,
                "task_state": task_state,
            },
        )
        if task is not None and task_state is not None:
            seq = ctx.recorder.record(
                EventType.TASK_REVOKED,
                who.actor,
                {"task": task["id"], "agent": task["agent"]},
                {
                    "task_state": task_state,
                    "reason": body.reason,
                    "from_version": task["version"],
                    "revocation_seq": revocation,  # the `token.revoked` that ended its tokens
                },
            )
            tasks_repo.set_seq(conn, task["id"], seq)
    return Revoked(revoked=[r["jti"] for r in rows], task_state=task_state)


def witness(ctx: Context, who: Principal | None, body: PushIn) -> PushOut:
    """Record a push the hook decided on; accepted pushes make their commits witnessed.

    Only the hook's own identity (`hook` role) records pushes: a push record turns commits
    into witnessed work of a task, or a person's push, so a token that could write one could
    make unverified work look witnessed."""
    _enforcer(who, Perm.RECORD_PUSHES)
    actor = who.actor if who is not None else "signoff:hook"
    refs = [{"ref": r.ref, "old": r.old, "new": r.new} for r in body.refs]
    if body.outcome == "accepted" and body.pusher and body.jti is None and not body.token_sha256:
        return _human_push(ctx, actor, body, refs)
    when = stamp()
    with ctx.db.read() as conn:
        row = repo.token_by_jti(conn, body.jti) if body.jti else None
    if row is not None and body.token_sha256 != f"sha256:{row['sha256']}":
        row = None
    if body.outcome == "refused" or row is None:
        if body.outcome == "accepted":
            raise InvalidInputError("an accepted push must name a token this broker issued")
        subjects = {"repo": body.repo}
        if row is not None:
            subjects["attempted_task"] = row["task"]
        if body.token_sha256:
            subjects["token_sha256"] = body.token_sha256
        payload: dict[str, Any] = {"outcome": "refused", "refs": refs[:100]}
        payload.update(reasons=body.reasons, pusher=body.pusher, code=body.code or "refused")
        refused = EventDraft(EventType.PUSH_REFUSED, actor, subjects, payload, ("actor",))
        seq = ctx.recorder.write_grouped(ctx.db, lambda conn: refused, lambda conn, s: s)
        return PushOut(recorded=1, ledger_seq=seq)
    base = {
        "task": row["task"],
        "agent": row["agent"],
        "token_sha256": f"sha256:{row['sha256']}",
        "repo": body.repo,
    }
    payload = {"outcome": "accepted", "jti": row["jti"], "refs": refs[:100]}
    witnessed = ("actor", "subjects.token_sha256", "payload.refs")
    drafts = [
        EventDraft(EventType.PUSH_WITNESSED, actor, {**base, "commit": c}, payload, witnessed)
        for c in body.commits
    ] or [EventDraft(EventType.PUSH_WITNESSED, actor, base, payload, witnessed)]
    ref = body.refs[0].ref if body.refs else ""

    def finish(conn: Connection, seqs: list[int]) -> list[int]:
        repo.insert_witnessed(
            conn,
            [
                {"commit_sha": c, "task": row["task"], "repo": body.repo, "agent": row["agent"],
                 "jti": row["jti"], "ref": ref, "time": when, "ledger_seq": seq}
                for c, seq in zip(body.commits, seqs, strict=False)
            ],
        )  # fmt: skip
        repo.touch_token(conn, row["jti"], when)
        return seqs

    # pushes come in bursts (a CI fleet, many agents): they share commits and ledger appends
    done = ctx.recorder.write_grouped_many(ctx.db, lambda conn: drafts, finish)
    return PushOut(recorded=len(done), ledger_seq=done[-1] if done else None)


def _human_push(ctx: Context, actor: str, body: PushIn, refs: list[dict[str, str]]) -> PushOut:
    """A push without a task token, as the git server's authenticated user (`REMOTE_USER`).

    Accepted only when that user is a known, active human (by id or e-mail) and neither the name
    nor that human's id or e-mail is an agent's (id, e-mail or login): omitting the token never
    makes an agent look like a person. Recorded as one
    `push.witnessed` with a `human` subject and no commit subjects (the commits are not agent
    work); a refusal is recorded as `push.refused`, then answered 403.
    """
    name = str(body.pusher).strip()
    with ctx.db.read() as conn:
        agent = repo.agent_claiming(conn, name)
        human = None if agent is not None else repo.human_named(conn, name)
        if human is not None:  # a "person" registered with an agent's id or e-mail is not one
            agent = repo.agent_claiming(conn, human["id"]) or repo.agent_claiming(
                conn, human["email"]
            )
    if agent is not None:
        why = f"the git server user {name!r} is agent {agent}; agents push with a task token"
    elif human is None:
        why = f"the git server user {name!r} is not a registered human"
    elif human["status"] != "active":
        why = f"the git server user {name!r} is {human['status']}"
    else:
        payload = {"outcome": "accepted", "mode": "remote-user", "pusher": name,
                   "refs": refs[:100], "commits": len(body.commits)}  # fmt: skip
        seq = ctx.recorder.record(
            EventType.PUSH_WITNESSED,
            actor,
            {"repo": body.repo, "human": human["id"]},
            payload,
            ("actor", "payload.refs"),
        )
        return PushOut(recorded=1, ledger_seq=seq)
    refused = {"outcome": "refused", "mode": "remote-user", "pusher": name,
               "refs": refs[:100], "reasons": [why], "code": "not_a_human"}  # fmt: skip
    ctx.recorder.record(EventType.PUSH_REFUSED, actor, {"repo": body.repo}, refused)
    raise ForbiddenError(why, code="not_a_human")


def witnessed(
    ctx: Context, who: Principal, repo_name: str, commits: list[str]
) -> list[WitnessedOut]:
    """Which of `commits` were pushed through the hook with a task token (for the gate)."""
    if not who.roles & {Role.CI, Role.HOOK, Role.ADMIN, Role.AUDITOR}:
        raise ForbiddenError("reading witnessed pushes needs ci, hook, admin or auditor")
    with ctx.db.read() as conn:
        rows = repo.witnessed_for(conn, repo_name, commits)
    return [
        WitnessedOut(commit=r["commit_sha"], task=r["task"], agent=r["agent"], ref=r["ref"],
                     time=r["time"], requester=r["requester"])
        for r in rows
    ]  # fmt: skip


def put_trust_policy(
    ctx: Context, broker: Broker, who: Principal, agent: str, doc: dict[str, Any]
) -> TrustPolicyOut:
    if Role.ADMIN not in who.roles:
        raise ForbiddenError("only an admin sets an agent's trust policy")
    try:
        policy = TrustPolicy.parse(
            doc, allow_insecure_loopback=broker.config.allow_insecure_loopback
        )
    except BrokerError as exc:
        raise InvalidInputError(exc.message, field="policy") from None
    text = jsoncol.dumps(policy.to_json())
    when = stamp()
    with ctx.db.write() as conn:
        if agents_repo.get_agent(conn, agent, lock=True) is None:
            raise NotFoundError(f"no agent {agent!r}")
        version = repo.put_trust_policy(conn, agent, text, when, who.actor)
        ctx.recorder.record(
            EventType.CONFIG_CHANGED,
            who.actor,
            {"agent": agent},
            {"change": "trust-policy-set", "trust_policy": policy.to_json(), "version": version},
        )
    return TrustPolicyOut(
        agent=agent, policy=policy.to_json(), updated=when, updated_by=who.actor, version=version
    )


def get_trust_policy(ctx: Context, who: Principal, agent: str) -> TrustPolicyOut:
    if not who.roles & {Role.ADMIN, Role.AUDITOR, Role.AGENT_OPERATOR}:
        raise ForbiddenError("reading trust policies needs admin, auditor or agent-operator")
    with ctx.db.read() as conn:
        row = repo.trust_policy(conn, agent)
    if row is None:
        raise NotFoundError(f"agent {agent!r} has no trust policy")
    return TrustPolicyOut(
        agent=agent,
        policy=jsoncol.loads(row["policy"]),
        updated=row["updated"],
        updated_by=row["updated_by"],
        version=row["version"],
    )


__all__ = [
    "RefusedError",
    "get_trust_policy",
    "introspect",
    "put_trust_policy",
    "revoke",
    "witness",
]
