"""`signoff hook pre-receive`: check the task token and scope of a push, then record it.

With a token (`git push -o signoff-token=...`): the backend introspects it (signature, claims,
revocation, task open, agent usable), `signoff.broker.enforce.decide` judges the refs and paths
against the token's scope and the repository's protected patterns (policy from the default
branch, as the gate reads it), and the push is reported: accepted pushes make their new commits
witnessed work of the task; refused ones are recorded with their reasons. If recording an
accepted push fails, the push is refused: no unwitnessed agent work lands through the hook.

Without a token: `--no-token-mode refuse` refuses; `remote-user` lets the git server's
authenticated user (`REMOTE_USER`) push as themselves when the control plane knows them as an
active human who is no agent (by id, e-mail or login), and records the push; no user, an
unknown one, an agent's name or an unreachable control plane refuses. Omitting the token never
makes an agent look like a human to signoff.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from signoff.broker.claims import TaskClaims
from signoff.broker.enforce import PushVerdict, RefUpdate, decide, protected_patterns
from signoff.broker.errors import BrokerError
from signoff.broker.scope import Grant
from signoff.errors import Error
from signoff.gitio.runner import Git
from signoff.hook import gitread
from signoff.hook.backend import Backend
from signoff.taxonomy import FileClass

TOKEN_OPTION = "signoff-token"  # noqa: S105 (the push option's name)


def _say(out: TextIO, lines: list[str]) -> None:
    for line in lines:
        print(line, file=out)


def _claims(info: Mapping[str, object]) -> TaskClaims:
    def s(k: str) -> str:
        v = info.get(k)
        if not isinstance(v, str):
            raise BrokerError(f"introspection lacks {k}", code="unavailable")
        return v

    def n(k: str) -> int:
        v = info.get(k)
        if not isinstance(v, int):
            raise BrokerError(f"introspection lacks {k}", code="unavailable")
        return v

    return TaskClaims(
        iss=s("iss"), aud=s("aud"), sub=s("sub"), exp=n("exp"), iat=n("iat"), nbf=n("nbf"),
        jti=s("jti"), task=s("task"), scope=Grant.from_json(info.get("signoff_scope")),
        base=s("base"), policy=s("policy"), intent=s("intent"),
    )  # fmt: skip


def _policy(git: Git, repo: Path) -> tuple[tuple[str, ...], dict[FileClass, tuple[str, ...]]]:
    """Protected patterns and class globs of the policy on the default branch."""
    from signoff.gitio.history import read_objects
    from signoff.protected import POLICY_PATH

    branch = gitread.default_branch(repo)
    ref = f"refs/heads/{branch}" if branch else "HEAD"
    extra: dict[FileClass, tuple[str, ...]] = {}
    pats: tuple[str, ...] = ()
    try:
        raw = read_objects(git, [f"{ref}:{POLICY_PATH}"]).get(f"{ref}:{POLICY_PATH}")
    except Error:
        raw = None  # unborn default branch: the always-protected names still apply
    if raw is not None:
        from signoff.policy.load import parse_policy  # YAML: only when there is a policy

        policy = parse_policy(raw, f"{ref}:{POLICY_PATH}")  # a broken policy refuses the push
        extra, pats = dict(policy.class_globs), tuple(policy.protected_branches)
    return protected_patterns(pats, branch), extra


def pre_receive(
    repo: Path,
    repo_name: str,
    backend_factory: Callable[[], Backend],
    no_token_mode: str,
    stdin: str,
    env: Mapping[str, str],
    out: TextIO = sys.stderr,
) -> int:
    """0 to accept the push, 1 to refuse it (with `signoff: refused: ...` lines on `out`)."""
    try:
        updates = gitread.read_updates(stdin)
        options = gitread.push_options(env)
    except BrokerError as exc:
        _say(out, [f"signoff: refused: {exc.message}"])
        return 1
    token = options.get(TOKEN_OPTION)
    if not token:
        return _untokened(repo, repo_name, backend_factory, no_token_mode, updates, env, out)
    digest = "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    try:
        backend = backend_factory()
        info = backend.introspect(token)
    except Error as exc:
        _say(out, [f"signoff: refused: {_line(exc)}"])
        return 1
    if info.get("active") is not True:
        reason = str(info.get("reason") or "token is not active")
        _say(out, [f"signoff: refused: task token: {reason}"])
        code = str(info.get("code") or "inactive")
        _report(backend, repo_name, updates, [], "refused", [reason], digest, None, env, out, code)
        return 1
    try:
        claims = _claims(info)
        git = Git(repo)
        commits, touches = gitread.new_touches(git, updates)
        protected, extra = _policy(git, repo)
        decision = decide(claims, repo_name, updates, touches, protected, extra)
    except (BrokerError, Error) as exc:
        code = exc.code if isinstance(exc, BrokerError) else "unreadable"
        decision, commits = PushVerdict(False, (str(exc).splitlines()[0],), code), []
    outcome = "accepted" if decision.allowed else "refused"
    ok = _report(
        backend, repo_name, updates, commits, outcome, list(decision.reasons), digest,
        claims.jti if decision.allowed else info.get("jti"), env, out,
        None if decision.allowed else decision.code,
    )  # fmt: skip
    if decision.allowed and not ok:
        _say(out, ["signoff: refused: the push could not be recorded as witnessed"])
        return 1
    _say(out, decision.lines())
    if decision.allowed:
        _say(out, [f"signoff: {len(commits)} commit(s) witnessed for task {claims.task}"])
    return 0 if decision.allowed else 1


def _line(exc: Error) -> str:
    return exc.message if isinstance(exc, BrokerError) else str(exc).splitlines()[0]


def _untokened(
    repo: Path,
    repo_name: str,
    backend_factory: Callable[[], Backend],
    mode: str,
    updates: list[RefUpdate],
    env: Mapping[str, str],
    out: TextIO,
) -> int:
    """No task token: refuse, or (`remote-user`) accept as the git server's authenticated user
    once the control plane confirms that user is a known human and no agent, and record it."""
    hint = "signoff: refused: no task token. Agents push with `git push -o signoff-token=<token>`"
    user = env.get("REMOTE_USER", "").strip()
    if mode != "remote-user":
        _say(out, [hint])
        return 1
    if not user:
        _say(out, [hint + "; people need an authenticated git server user (REMOTE_USER)"])
        return 1
    push: dict[str, Any] = {
        "repo": repo_name,
        "outcome": "accepted",
        "token_sha256": None,
        "jti": None,
        "refs": [{"ref": u.ref, "old": u.old, "new": u.new} for u in updates],
        "pusher": user[:200],
    }
    try:
        lost = _lost_records(Git(repo), updates)
    except Error as exc:  # unreadable: refuse rather than let a record go unchecked
        lost = [f"cannot check the approval records: {_line(exc)}"]
    if lost:  # a person may add approval records, never take one away (a veto, say)
        push.update(outcome="refused", reasons=lost, commits=[], code="records")
        with contextlib.suppress(Error):  # refused either way; recorded when the plane answers
            backend_factory().report(push)
        _say(out, [f"signoff: refused: {r}" for r in lost])
        return 1
    try:
        push["commits"] = gitread.new_touches(Git(repo), updates)[0]
        backend_factory().report(push)  # the control plane checks the user, then records
    except Error as exc:
        _say(out, [f"signoff: refused: no task token and {_line(exc)}"])
        return 1
    _say(out, [f"signoff: no task token: accepted as the git server user {user!r} (a person)"])
    return 0


def _lost_records(git: Git, updates: list[RefUpdate]) -> list[str]:
    from signoff.approvals.store import lost_records
    from signoff.protected import APPROVALS_REF

    reasons: list[str] = []
    for u in updates:
        if u.ref == APPROVALS_REF:
            reasons += lost_records(git, u.ref, u.old, u.new)
    return reasons


def _report(
    backend: Backend,
    repo_name: str,
    updates: list[RefUpdate],
    commits: list[str],
    outcome: str,
    reasons: list[str],
    digest: str,
    jti: object,
    env: Mapping[str, str],
    out: TextIO,
    code: str | None = None,
) -> bool:
    push = {
        "repo": repo_name,
        "outcome": outcome,
        "token_sha256": digest,
        "jti": jti if isinstance(jti, str) else None,
        "refs": [{"ref": u.ref, "old": u.old, "new": u.new} for u in updates],
        "commits": commits,
        "reasons": [r[:1000] for r in reasons[:50]],
        "pusher": env.get("REMOTE_USER") or None,
        "code": code,
    }
    try:
        backend.report(push)
    except BrokerError as exc:
        _say(out, [f"signoff: warning: {exc.message}"])
        return False
    return True
