"""Tasks: a human asks for one unit of agent work in one repository, from one base commit.

Who: a token with `agent-operator` or `admin` that belongs to a person (the requester is always
the caller, never a field). Rules: the agent must be usable (not expired, suspended or retired;
the refusal names its owner); actions are a subset of push-branch and open-change (publish, tag,
sign and promote are never agent actions, whatever the agent's scope); the TTL is at most the
agent's max token TTL; the base commit must exist in the server's copy of the repository.

The intent is stored as a SHA-256 always; its text only when `SIGNOFF_INTENT_RETENTION` allows,
and only until the retention runs out. `task.requested` carries the digest, never the text.
Closing or revoking a task is a compare-and-set on its version (no lost updates across replicas)
and is recorded as `task.closed` / `task.revoked`: ending a task ends every credential it had
(introspection checks the task's state). Expiry is computed from the TTL and writes no event.
Tokens for tasks are issued by the broker (next issue), keyed by task id.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.engine import RowMapping

from signoff.ledger.events import EventType
from signoff.server import jsoncol
from signoff.server.auth import Perm, Principal, Role
from signoff.server.common import Page, decode_cursor, new_id, now, page, parse_stamp, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from signoff.server.identity import repository as agents_repo
from signoff.server.identity.service import usable
from signoff.server.repos import repository as repos_repo
from signoff.server.tasks import repository as repo
from signoff.server.tasks.schemas import TaskIn, TaskOut, TaskPatch

AGENT_ACTIONS = frozenset({"push-branch", "open-change"})
NEVER_AGENT_ACTIONS = frozenset({"publish", "tag", "sign", "promote"})
_STATE_EVENT = {"closed": EventType.TASK_CLOSED, "revoked": EventType.TASK_REVOKED}


def task_out(r: RowMapping, agent: RowMapping | None, at: dt.datetime) -> TaskOut:
    state = r["state"]
    if state == "open" and parse_stamp(r["expires"]) <= at:
        state = "expired"
    flags: list[str] = []
    if agent is not None:
        ok, lc = usable(agent)
        if not ok:
            flags.append(f"agent {agent['id']} is {lc.value}; owner: {agent['owner']}")
    text = r["intent_text"]
    until = r["intent_text_until"]
    if text is not None and until is not None and parse_stamp(until) <= at:
        text = None
    return TaskOut(
        id=r["id"],
        requester=r["requester"],
        agent=r["agent"],
        repo=r["repo"],
        base_commit=r["base_commit"],
        intent_digest=f"sha256:{r['intent_sha256']}",
        intent_text=text,
        branch_prefix=r["branch_prefix"],
        allowed_paths=jsoncol.loads(r["allowed_paths"]),
        denied_paths=jsoncol.loads(r["denied_paths"]),
        actions=jsoncol.loads(r["actions"]),
        policy_digest=f"sha256:{r['policy_digest']}",
        ttl_seconds=r["ttl_seconds"],
        created=r["created"],
        expires=r["expires"],
        state=state,
        flags=flags,
        version=r["version"],
        ledger_seq=r["ledger_seq"],
    )


def _check_actions(actions: list[str], agent: RowMapping) -> list[str]:
    never = sorted(set(actions) & NEVER_AGENT_ACTIONS)
    if never:
        raise ForbiddenError(
            f"{', '.join(never)}: publishing, tagging, signing and promotion are never agent "
            "actions; no policy or scope can grant them",
            field="actions",
            code="never_agent_action",
        )
    unknown = sorted(set(actions) - AGENT_ACTIONS)
    if unknown:
        raise InvalidInputError(
            f"unknown action {unknown[0]!r} (known: open-change, push-branch)", field="actions"
        )
    allowed = set(jsoncol.loads(agent["scope"]).get("actions") or AGENT_ACTIONS)
    outside = sorted(set(actions) - allowed)
    if outside:
        raise ForbiddenError(
            f"agent {agent['id']} may not {outside[0]} (its scope: {', '.join(sorted(allowed))})",
            field="actions",
        )
    return sorted(set(actions))


def default_prefix(agent: RowMapping, task_id: str) -> str:
    """A namespace of the task's own: `<the agent's branch scope>/<task id>/` when its scope
    names a `prefix/**` pattern, else `agent/<agent>/<task id>/`. Tasks that shared one prefix
    could delete or rewrite each other's branches."""
    for pattern in jsoncol.loads(agent["scope"]).get("branches") or []:
        base = str(pattern).removesuffix("/**")
        if base != pattern and base and not any(c in base for c in "*?[{"):
            return f"{base}/{task_id}/"
    return f"agent/{agent['id']}/{task_id}/"


def _policy_digest(path: str, base: str) -> tuple[str, tuple[str, ...]]:
    """The digest of the policy the gate will apply (the one on the base commit), and the
    branches it protects."""
    from signoff.errors import Error
    from signoff.gate.inputs import read_inputs
    from signoff.gitio.runner import Git

    git = Git(path)
    if not git.ok(["cat-file", "-e", f"{base}^{{commit}}"]):
        raise InvalidInputError(
            f"base commit {base[:12]} is not in the repository", field="base_commit"
        )
    try:
        policy = read_inputs(git, base).policy
    except Error as exc:
        raise InvalidInputError(
            f"the policy on {base[:12]} does not load: {exc}", field="base_commit"
        ) from None
    head = git.run(["symbolic-ref", "-q", "--short", "HEAD"], check=False).decode().strip()
    return policy.digest, (*policy.protected_branches, *([head] if head else []))


def _check_scope(body: TaskIn, prefix: str, agent: RowMapping, protected: tuple[str, ...]) -> None:
    """Refuse what no token for this task could ever be used for (see the module docstring)."""
    from signoff.broker.errors import BrokerError
    from signoff.broker.scope import check_paths, check_prefix
    from signoff.server.broker.rows import agent_scope

    if not body.allowed_paths:
        raise InvalidInputError(
            "name the paths this task may change (allowed_paths): an empty list is refused, "
            "never read as the agent's whole scope",
            field="allowed_paths",
            code="scope",
        )
    scope = agent_scope(agent)
    field = "branch_prefix"
    try:
        check_prefix(prefix, scope, protected)
        field = "allowed_paths"
        check_paths(body.allowed_paths, scope)
    except BrokerError as exc:
        raise InvalidInputError(exc.message, field=field, code="scope") from None


def _agent_and_repo(ctx: Context, body: TaskIn) -> tuple[RowMapping, RowMapping]:
    """The task's agent (usable, scoped to the repository, TTL within its maximum) and the
    registered repository, or the error that says which is wrong."""
    with ctx.db.read() as conn:
        agent = agents_repo.get_agent(conn, body.agent)
        repo_row = repos_repo.get(conn, body.repo)
    if agent is None:
        raise InvalidInputError(f"no agent {body.agent!r}", field="agent")
    if repo_row is None:
        raise InvalidInputError(f"no repository {body.repo!r} is registered", field="repo")
    ok, lc = usable(agent)
    if not ok:
        raise ForbiddenError(
            f"agent {body.agent} is {lc.value}: it gets no tasks; ask its owner {agent['owner']}",
            field="agent",
            code="agent_unusable",
        )
    repos_allowed = jsoncol.loads(agent["scope"]).get("repos") or []
    if repos_allowed and body.repo not in repos_allowed:
        raise ForbiddenError(
            f"agent {body.agent} is not scoped to repository {body.repo}", field="repo"
        )
    if body.ttl_seconds > agent["max_token_ttl"]:
        raise InvalidInputError(
            f"ttl_seconds {body.ttl_seconds} is over agent {body.agent}'s "
            f"max_token_ttl {agent['max_token_ttl']}",
            field="ttl_seconds",
        )
    return agent, repo_row


def create(ctx: Context, who: Principal, body: TaskIn) -> TaskOut:
    who.require(Perm.WRITE_TASKS)
    if who.human_id is None:
        raise ForbiddenError("a task is requested by a person: use a token that belongs to a human")
    retention = ctx.settings.retention
    t = now()
    agent, repo_row = _agent_and_repo(ctx, body)
    actions = _check_actions(body.actions, agent)
    policy_digest, protected = _policy_digest(repo_row["path"], body.base_commit)
    task_id = new_id("task")
    prefix = body.branch_prefix or default_prefix(agent, task_id)
    _check_scope(body, prefix, agent, protected)
    if body.intent_text is not None:
        intent = hashlib.sha256(body.intent_text.encode("utf-8", "surrogatepass")).hexdigest()
    else:
        assert body.intent_digest is not None
        intent = body.intent_digest.removeprefix("sha256:")
    keep = body.intent_text is not None and (retention is None or retention > dt.timedelta(0))
    row: dict[str, object] = {
        "id": task_id,
        "requester": who.human_id,
        "agent": body.agent,
        "repo": body.repo,
        "base_commit": body.base_commit,
        "intent_sha256": intent,
        "intent_text": body.intent_text if keep else None,
        "intent_text_until": stamp(t + retention) if keep and retention is not None else None,
        "branch_prefix": prefix,
        "allowed_paths": jsoncol.dumps(body.allowed_paths),
        "denied_paths": jsoncol.dumps(body.denied_paths),
        "actions": jsoncol.dumps(actions),
        "policy_digest": policy_digest,
        "ttl_seconds": body.ttl_seconds,
        "created": stamp(t),
        "expires": stamp(t + dt.timedelta(seconds=body.ttl_seconds)),
        "state": "open",
        "updated": stamp(t),
        "version": 1,
    }
    with ctx.db.write() as conn:
        repo.purge_intents(conn, stamp(t))
        fresh = agents_repo.get_agent(conn, body.agent, lock=True)  # re-check under the lock
        if fresh is None or not usable(fresh)[0]:
            raise ConflictError(f"agent {body.agent} changed meanwhile; retry")
        seq = ctx.recorder.record(
            EventType.TASK_REQUESTED,
            who.actor,
            {"task": task_id, "agent": body.agent, "repo": body.repo, "commit": body.base_commit},
            {
                "intent_sha256": f"sha256:{intent}",
                "requester": who.human_id,
                "scope": {
                    "branch_prefix": prefix,
                    "allowed_paths": body.allowed_paths,
                    "denied_paths": body.denied_paths,
                    "actions": actions,
                },
                "ttl_seconds": body.ttl_seconds,
                "expires": row["expires"],
                "policy_digest": f"sha256:{policy_digest}",
            },
            ("actor", "subjects.task", "payload.requester", "payload.policy_digest"),
        )
        repo.insert(conn, {**row, "ledger_seq": seq})
        created = repo.get(conn, task_id)
    assert created is not None
    return task_out(created, fresh, t)


def get(ctx: Context, who: Principal, task_id: str) -> TaskOut:
    who.require(Perm.READ_TASKS)
    with ctx.db.read() as conn:
        row = repo.get(conn, task_id)
        if row is None:
            raise NotFoundError(f"no task {task_id!r}")
        agent = agents_repo.get_agent(conn, row["agent"])
    return task_out(row, agent, now())


def list_tasks(
    ctx: Context,
    who: Principal,
    limit: int,
    cursor: str | None,
    *,
    agent: str | None,
    repo_name: str | None,
    state: str | None,
) -> Page[TaskOut]:
    who.require(Perm.READ_TASKS)
    after = decode_cursor(cursor, 1)
    t = now()
    with ctx.db.read() as conn:
        rows = repo.list_tasks(
            conn, str(after[0]) if after else None, limit, agent=agent, repo=repo_name, state=state
        )
        kept, nxt = page(list(rows), limit, lambda r: [r["id"]])
        agents = {a: agents_repo.get_agent(conn, a) for a in {r["agent"] for r in kept}}
    return Page[TaskOut](items=[task_out(r, agents[r["agent"]], t) for r in kept], next_cursor=nxt)


def change_state(ctx: Context, who: Principal, task_id: str, patch: TaskPatch) -> TaskOut:
    """Close or revoke a task: its requester, or an admin (another operator may not)."""
    who.require(Perm.WRITE_TASKS)
    t = now()
    with ctx.db.write() as conn:
        row = repo.get(conn, task_id, lock=True)
        if row is None:
            raise NotFoundError(f"no task {task_id!r}")
        if Role.ADMIN not in who.roles and row["requester"] != who.human_id:
            raise ForbiddenError(
                f"task {task_id} was requested by {row['requester']}: only they or an admin "
                "may end it"
            )
        if row["version"] != patch.version:
            raise ConflictError(
                f"task {task_id} is at version {row['version']}, not {patch.version}",
                field="version",
                code="stale_version",
            )
        if row["state"] != "open":
            raise ConflictError(f"task {task_id} is already {row['state']}", field="state")
        if not repo.set_state(conn, task_id, patch.version, patch.state, stamp(t)):
            raise ConflictError(f"task {task_id} changed meanwhile; retry", code="stale_version")
        seq = ctx.recorder.record(
            _STATE_EVENT[patch.state],
            who.actor,
            {"task": task_id, "agent": row["agent"]},
            {"task_state": patch.state, "reason": patch.reason, "from_version": patch.version},
        )
        repo.set_seq(conn, task_id, seq)
        new = repo.get(conn, task_id)
        agent = agents_repo.get_agent(conn, row["agent"])
    assert new is not None
    return task_out(new, agent, t)
