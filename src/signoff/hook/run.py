"""`signoff hook pre-receive`: check the task token and scope of a push, then record it.

First, for every push: git must have checked the pushed objects itself (`receive.fsckObjects`,
see `signoff.hook.gitread.fsck_problems`), else the push is refused.

With a token (`git push -o signoff-token=...`): the backend introspects it (signature, claims,
revocation, task open, agent usable), `signoff.broker.enforce.decide` judges the refs and paths
against the token's scope and the repository's protected patterns (policy from the default
branch, as the gate reads it; `signoff.hook.policy`), and the push is reported: accepted pushes
make their new commits witnessed work of the task; refused ones are recorded with their reasons
and a one-word code. If recording an accepted push fails, the push is refused: no unwitnessed
agent work lands through the hook.

Without a token: `signoff.hook.landing` (refused, or a person's push in `remote-user` mode,
whose updates of protected branches pass the gate).
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Mapping
from typing import TextIO

from signoff.broker.claims import TaskClaims
from signoff.broker.enforce import PushVerdict, RefUpdate, decide
from signoff.broker.errors import BrokerError
from signoff.broker.scope import Grant
from signoff.errors import Error
from signoff.gitio.runner import Git
from signoff.hook import gitread
from signoff.hook.backend import Backend
from signoff.hook.policy import protected_and_classes
from signoff.hook.pushes import line_of, push_record, report, say

TOKEN_OPTION = "signoff-token"  # noqa: S105 (the push option's name)


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


def pre_receive(
    repo: str,
    repo_name: str,
    backend_factory: Callable[[], Backend],
    no_token_mode: str,
    stdin: str,
    env: Mapping[str, str],
    out: TextIO = sys.stderr,
) -> int:
    """0 to accept the push, 1 to refuse it (with `signoff: refused: ...` lines on `out`)."""
    git = Git(repo)
    try:
        updates = gitread.read_updates(stdin)
        options = gitread.push_options(env)
        unsafe = gitread.fsck_problems(git)
    except (BrokerError, Error) as exc:
        say(out, [f"signoff: refused: {line_of(exc)}"])
        return 1
    token = options.get(TOKEN_OPTION)
    if unsafe:
        push = push_record(repo_name, updates, "refused", unsafe, env, code="objects")
        with contextlib.suppress(Error):  # refused either way; recorded when the plane answers
            backend_factory().report(push)
        say(out, [f"signoff: refused: {r}" for r in unsafe])
        return 1
    if not token:
        from signoff.hook.landing import untokened

        return untokened(git, repo, repo_name, backend_factory, no_token_mode, updates, env, out)
    return _tokened(git, repo, repo_name, backend_factory, token, updates, env, out)


def _tokened(
    git: Git,
    repo: str,
    repo_name: str,
    backend_factory: Callable[[], Backend],
    token: str,
    updates: list[RefUpdate],
    env: Mapping[str, str],
    out: TextIO,
) -> int:
    digest = "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    try:
        backend = backend_factory()
        info = backend.introspect(token)
    except Error as exc:
        say(out, [f"signoff: refused: {line_of(exc)}"])
        return 1
    if info.get("active") is not True:
        reason = str(info.get("reason") or "token is not active")
        say(out, [f"signoff: refused: task token: {reason}"])
        push = push_record(repo_name, updates, "refused", [reason], env, digest=digest,
                           code=str(info.get("code") or "inactive"))  # fmt: skip
        report(backend, push, out)
        return 1
    try:
        claims = _claims(info)
        commits, touches = gitread.new_touches(git, updates)
        protected, extra = protected_and_classes(git, repo)
        verdict = decide(claims, repo_name, updates, touches, protected, extra)
    except (BrokerError, Error) as exc:
        code = exc.code if isinstance(exc, BrokerError) else "unreadable"
        verdict, commits = PushVerdict(False, (str(exc).splitlines()[0],), code), []
    outcome = "accepted" if verdict.allowed else "refused"
    push = push_record(
        repo_name, updates, outcome, list(verdict.reasons), env, digest=digest, commits=commits,
        jti=claims.jti if verdict.allowed else info.get("jti"),
        code=None if verdict.allowed else verdict.code,
    )  # fmt: skip
    ok = report(backend, push, out)
    if verdict.allowed and not ok:
        say(out, ["signoff: refused: the push could not be recorded as witnessed"])
        return 1
    say(out, verdict.lines())
    if verdict.allowed:
        say(out, [f"signoff: {len(commits)} commit(s) witnessed for task {claims.task}"])
    return 0 if verdict.allowed else 1
