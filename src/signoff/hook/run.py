"""`signoff hook pre-receive`: check the task token and scope of a push, then record it.

With a token (`git push -o signoff-token=...`): the backend introspects it (signature, claims,
revocation, task open, agent usable), `signoff.broker.enforce.decide` judges the refs and paths
against the token's scope and the repository's protected patterns (policy from the default
branch, as the gate reads it), and the push is reported: accepted pushes make their new commits
witnessed work of the task; refused ones are recorded with their reasons. If recording an
accepted push fails, the push is refused: no unwitnessed agent work lands through the hook.

Without a token: `--no-token-mode refuse` refuses; `remote-user` lets the git server's
authenticated user (`REMOTE_USER`) push as themselves and refuses when there is none, so
omitting the token never makes an agent look like a human to signoff.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from signoff.broker.claims import TaskClaims
from signoff.broker.enforce import Decision, RefUpdate, decide, protected_patterns
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
    from signoff.policy.load import parse_policy
    from signoff.policy.model import POLICY_PATH

    branch = gitread.default_branch(repo)
    ref = f"refs/heads/{branch}" if branch else "HEAD"
    extra: dict[FileClass, tuple[str, ...]] = {}
    pats: tuple[str, ...] = ()
    try:
        raw = read_objects(git, [f"{ref}:{POLICY_PATH}"]).get(f"{ref}:{POLICY_PATH}")
    except Error:
        raw = None  # unborn default branch: the always-protected names still apply
    if raw is not None:
        policy = parse_policy(raw, f"{ref}:{POLICY_PATH}")  # a broken policy refuses the push
        extra, pats = dict(policy.class_globs), tuple(policy.protected_branches)
    return protected_patterns(pats, branch), extra


def pre_receive(
    repo: Path,
    repo_name: str,
    backend_factory: object,
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
        return _untokened(no_token_mode, env, out)
    digest = "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    try:
        backend: Backend = backend_factory()  # type: ignore[operator]
        info = backend.introspect(token)
    except BrokerError as exc:
        _say(out, [f"signoff: refused: {exc.message}"])
        return 1
    if info.get("active") is not True:
        reason = str(info.get("reason") or "token is not active")
        _say(out, [f"signoff: refused: task token: {reason}"])
        _report(backend, repo_name, updates, [], "refused", [reason], digest, None, env, out)
        return 1
    try:
        claims = _claims(info)
        git = Git(repo)
        commits, touches = gitread.new_touches(git, updates)
        protected, extra = _policy(git, repo)
        decision = decide(claims, repo_name, updates, touches, protected, extra)
    except (BrokerError, Error) as exc:
        decision, commits = Decision(False, (str(exc).splitlines()[0],)), []
    outcome = "accepted" if decision.allowed else "refused"
    ok = _report(
        backend, repo_name, updates, commits, outcome, list(decision.reasons), digest,
        claims.jti if decision.allowed else info.get("jti"), env, out,
    )  # fmt: skip
    if decision.allowed and not ok:
        _say(out, ["signoff: refused: the push could not be recorded as witnessed"])
        return 1
    _say(out, decision.lines())
    if decision.allowed:
        _say(out, [f"signoff: {len(commits)} commit(s) witnessed for task {claims.task}"])
    return 0 if decision.allowed else 1


def _untokened(mode: str, env: Mapping[str, str], out: TextIO) -> int:
    user = env.get("REMOTE_USER", "").strip()
    if mode == "remote-user" and user:
        _say(out, [f"signoff: no task token: accepted as the server's user {user!r}"])
        return 0
    _say(
        out,
        [
            "signoff: refused: no task token. Agents push with "
            "`git push -o signoff-token=<token>`"
            + ("; people need an authenticated git server user" if mode == "remote-user" else "")
        ],
    )
    return 1


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
    }
    try:
        backend.report(push)
    except BrokerError as exc:
        _say(out, [f"signoff: warning: {exc.message}"])
        return False
    return True
