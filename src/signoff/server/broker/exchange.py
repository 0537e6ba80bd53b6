"""Issuing task tokens: an agent exchanges a workload proof for a token for one task.

Flow: read the task, its agent and the agent's trust policy; verify the proof (an OIDC workload
token against the trust policy, or a signature over a fresh PoP nonce with a registered key);
compute the grant (task ∩ agent scope ∩ policy, `signoff.broker.scope.grant`); then, in one
write transaction, consume the proof (single use: a replayed OIDC `jti` or nonce is refused),
re-check the task is open and the agent usable, store the token's SHA-256 and record
`token.issued`. The token itself is returned once and never stored or logged.

Refusals are recorded too, as `token.refused` (`payload.outcome = "refused"`, `payload.code`)
with the task under the subject `attempted_task` (not `task`: a refusal says nothing about the
task's state). Only attempts on an existing task are recorded, and repeats of one kind within a
minute are counted into the next event (`payload.repeated`) rather than recorded one by one
(`signoff.server.broker.refusals`): an unauthenticated caller cannot grow the ledger without
bound. Callers whose exchanges keep failing are throttled per address (429) by the endpoint.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from signoff.broker import pop
from signoff.broker.errors import BrokerError
from signoff.broker.jose import TaskClaims, mint
from signoff.broker.oidc import TrustPolicy, verify_oidc
from signoff.broker.scope import grant
from signoff.ledger.events import EventDraft, EventType
from signoff.server import jsoncol
from signoff.server.broker import repository as repo
from signoff.server.broker.rows import agent_scope, signing_keys, task_request
from signoff.server.broker.schemas import Challenge, ChallengeIn, ExchangeIn, TokenIssued
from signoff.server.broker.state import Broker
from signoff.server.common import now, parse_stamp, stamp
from signoff.server.context import Context
from signoff.server.errors import NotFoundError, ServiceError
from signoff.server.identity import repository as agents_repo
from signoff.server.repos import repository as repos_repo
from signoff.server.tasks import repository as tasks_repo

_STATUS = {"scope": 403, "revoked": 403, "unavailable": 503, "replayed": 409}


class RefusedError(ServiceError):
    """A BrokerError as an API error: 401 for a bad proof or token, 403 scope, 409 replay."""

    def __init__(self, exc: BrokerError) -> None:
        super().__init__(exc.message, code=exc.code)
        self.status = _STATUS.get(exc.code, 401)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=256)
def policy_protected(repo_path: str, base: str) -> tuple[str, ...]:
    """The policy's protected branches on the task's base commit (immutable, so cached)."""
    from signoff.errors import Error
    from signoff.gate.inputs import read_inputs
    from signoff.gitio.runner import Git

    try:
        return tuple(read_inputs(Git(repo_path), base).policy.protected_branches)
    except Error:
        return ()  # the task was created against this commit; ALWAYS_PROTECTED still applies


def record_refusal(
    ctx: Context, broker: Broker, task: RowMapping, exc: BrokerError, stage: str
) -> None:
    """`token.refused`, at most once per kind per window (`signoff.server.broker.refusals`)."""
    repeated = broker.refusals.admit((task["id"], stage, exc.code))
    if repeated is None:
        return
    ctx.recorder.record(
        EventType.TOKEN_REFUSED,
        "signoff:broker",
        {"attempted_task": task["id"], "agent": task["agent"], "repo": task["repo"]},
        {
            "outcome": "refused",
            "stage": stage,
            "code": exc.code,
            "reason": exc.message[:500],
            "repeated": repeated,
        },
        ("actor", "payload.outcome", "payload.code"),
    )


def challenge(ctx: Context, broker: Broker, body: ChallengeIn) -> Challenge:
    t = now()
    with ctx.db.read() as conn:
        task = tasks_repo.get(conn, body.task)
    if task is None or task["agent"] != body.agent:
        raise NotFoundError(f"no task {body.task} for agent {body.agent}")
    nonce = pop.new_nonce()
    expires = t + dt.timedelta(seconds=pop.NONCE_TTL)
    with ctx.db.write() as conn:
        repo.purge_proofs(conn, stamp(t))
        repo.insert_proof(
            conn,
            {
                "id": sha256_hex(f"pop\n{nonce}"),
                "agent": body.agent,
                "task": body.task,
                "expires": stamp(expires),
                "used": None,
            },
        )
    aud = broker.config.issuer
    return Challenge(
        nonce=nonce,
        expires_at=int(expires.timestamp()),
        audience=aud,
        message=pop.message(nonce, body.agent, aud).decode(),
    )


def _verify_proof(
    broker: Broker, body: ExchangeIn, agent: RowMapping, policy_row: RowMapping | None, ts: int
) -> tuple[str, str, dict[str, Any]]:
    """(proof id, expiry stamp, what the ledger records about the proof)."""
    if body.oidc_token is not None:
        if policy_row is None:
            raise BrokerError(f"agent {agent['id']} has no trust policy", code="untrusted")
        policy = TrustPolicy.parse(
            jsoncol.loads(policy_row["policy"]),
            allow_insecure_loopback=broker.config.allow_insecure_loopback,
        )
        c = verify_oidc(body.oidc_token, policy, broker.jwks_cache, ts)
        pid = sha256_hex(f"oidc\n{c['iss']}\n{c['jti']}")
        info = {"method": "oidc", "iss": c["iss"], "jti": str(c["jti"])[:128]}
        for k in ("sub", "repository_id", "job_workflow_ref", "run_id", "event_name"):
            if isinstance(c.get(k), str):
                info[k] = c[k][:256]
        exp = dt.datetime.fromtimestamp(c["exp"] + 60, dt.UTC)
        return pid, stamp(exp), info
    assert body.pop is not None
    idx = pop.verify(
        body.pop.signature, body.pop.nonce, agent["id"], broker.config.issuer, signing_keys(agent)
    )
    return sha256_hex(f"pop\n{body.pop.nonce}"), "", {"method": "pop", "key_index": idx}


def exchange(ctx: Context, broker: Broker, task_id: str, body: ExchangeIn) -> TokenIssued:
    t = now()
    ts = int(t.timestamp())
    with ctx.db.read() as conn:
        task = tasks_repo.get(conn, task_id)
        if task is None:
            raise NotFoundError(f"no task {task_id!r}")
        agent = agents_repo.get_agent(conn, task["agent"])
        policy_row = repo.trust_policy(conn, task["agent"])
        repo_row = repos_repo.get(conn, task["repo"])
    assert agent is not None and repo_row is not None  # foreign keys
    try:
        if task["state"] != "open" or parse_stamp(task["expires"]) <= t:
            state = task["state"] if task["state"] != "open" else "expired"
            raise BrokerError(f"task {task_id} is {state}: it gets no token", code="revoked")
        pid, proof_exp, info = _verify_proof(broker, body, agent, policy_row, ts)
        remaining = int((parse_stamp(task["expires"]) - t).total_seconds())
        protected = policy_protected(repo_row["path"], task["base_commit"])
        g, ttl = grant(task_request(task), agent_scope(agent), protected, remaining)
        key = broker.keys.signing_key()
        claims = TaskClaims(
            iss=broker.config.issuer,
            aud=broker.config.audience,
            sub=f"agent:{agent['id']}",
            exp=ts + ttl,
            iat=ts,
            nbf=ts,
            jti=secrets.token_urlsafe(24),
            task=task_id,
            scope=g,
            base=task["base_commit"],
            policy=f"sha256:{task['policy_digest']}",
            intent=f"sha256:{task['intent_sha256']}",
        )
        token = mint(claims, key.kid, key.alg, key.key)
        digest = sha256_hex(token)
        _store(ctx, task, claims, key.kid, digest, pid, proof_exp, info, body)
    except BrokerError as exc:
        record_refusal(ctx, broker, task, exc, "exchange")
        raise RefusedError(exc) from None
    return TokenIssued(token=token, expires_at=claims.exp, jti=claims.jti, task=task_id)


def _store(
    ctx: Context,
    task: RowMapping,
    claims: TaskClaims,
    kid: str,
    digest: str,
    pid: str,
    proof_exp: str,
    info: dict[str, Any],
    body: ExchangeIn,
) -> None:
    t = stamp()
    # The event is built (and canonicalised) before the write: issuances that arrive together
    # share one transaction and one durable ledger append (group commit).
    draft = EventDraft(
        EventType.TOKEN_ISSUED,
        claims.sub,
        {"task": task["id"], "agent": task["agent"], "token_sha256": f"sha256:{digest}"},
        {
            "jti": claims.jti,
            "kid": kid,
            "exp": claims.exp,
            "audience": claims.aud,
            "scope": claims.scope.to_json(),
            "base": claims.base,
            "policy_digest": claims.policy,
            "intent_sha256": claims.intent,
            "proof": info,
        },
        ("subjects.token_sha256", "payload.jti", "payload.scope", "payload.proof"),
    )

    def prepare(conn: Connection) -> EventDraft:
        if body.oidc_token is not None:
            used = {"id": pid, "agent": task["agent"], "expires": proof_exp, "used": t}
            if not repo.consume_proof(conn, used):
                raise BrokerError("workload token was already used (replayed jti)", code="replayed")
        elif not repo.use_nonce(conn, pid, task["agent"], task["id"], t):
            raise BrokerError("proof nonce is unknown, expired or already used", code="replayed")
        fresh = repo.issuing(conn, task["id"])  # the task, its agent and requester, re-read
        if fresh is None or fresh["task_state"] != "open":
            raise BrokerError(f"task {task['id']} ended meanwhile", code="revoked")
        if not agent_scope(fresh).usable:
            raise BrokerError(f"agent {task['agent']} was suspended meanwhile", code="revoked")
        if fresh["requester_status"] != "active":
            raise BrokerError(
                f"the task's requester {task['requester']} is suspended: its agent gets no token",
                code="revoked",
            )
        repo.insert_token(
            conn,
            {
                "jti": claims.jti,
                "sha256": digest,
                "task": task["id"],
                "agent": task["agent"],
                "repo": task["repo"],
                "kid": kid,
                "proof": info["method"],
                "issued": t,
                "expires": stamp(dt.datetime.fromtimestamp(claims.exp, dt.UTC)),
            },
        )
        return draft

    ctx.recorder.write_grouped(ctx.db, prepare, None)
