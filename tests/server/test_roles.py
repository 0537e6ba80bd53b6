"""Every role is refused where it must be (the matrix comes from `auth.PERMISSIONS`), and a
refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from serverteam import Team

from signoff.server.auth import PERMISSIONS, Perm, Role

# (permission, method, path, body): one representative route per permission.
ROUTES: list[tuple[Perm, str, str, dict[str, Any] | None]] = [
    (Perm.READ_IDENTITY, "GET", "/v1/agents", None),
    (Perm.READ_IDENTITY, "GET", "/v1/humans/alice", None),
    (
        Perm.WRITE_IDENTITY,
        "POST",
        "/v1/agents",
        {"id": "new-agent", "owner": "o@example.com", "purpose": "p", "review_by": "2999-01-01"},
    ),
    (Perm.WRITE_IDENTITY, "PATCH", "/v1/agents/copilot", {"version": 1, "status": "suspended"}),
    (
        Perm.WRITE_IDENTITY,
        "POST",
        "/v1/humans",
        {"id": "erin", "email": "erin@example.com", "name": "Erin"},
    ),
    (Perm.MANAGE_TOKENS, "POST", "/v1/tokens", {"name": "x", "roles": ["auditor"]}),
    (Perm.MANAGE_TOKENS, "GET", "/v1/tokens", None),
    (Perm.READ_REPOS, "GET", "/v1/repos", None),
    (Perm.WRITE_REPOS, "POST", "/v1/repos", {"name": "other", "path": "/"}),
    (Perm.READ_POLICY, "GET", "/v1/repos/demo/policy/versions", None),
    (Perm.WRITE_POLICY, "POST", "/v1/repos/demo/policy", {"text": "version: 1\n"}),
    (Perm.WRITE_POLICY, "POST", "/v1/repos/demo/registry", {"text": "version: 1\n"}),
    (Perm.READ_TASKS, "GET", "/v1/tasks", None),
    (
        Perm.WRITE_TASKS,
        "POST",
        "/v1/tasks",
        {"agent": "copilot", "repo": "demo", "base_commit": "0" * 40, "intent_text": "x"},
    ),
    (Perm.READ_APPROVALS, "GET", "/v1/repos/demo/approvals", None),
    (
        Perm.APPROVE,
        "POST",
        "/v1/repos/demo/approvals",
        {"base": "0" * 40, "head": "1" * 40, "decision": "approve"},
    ),
    (Perm.READ_DECISIONS, "GET", "/v1/repos/demo/decisions", None),
    (
        Perm.APPEND_DECISIONS,
        "POST",
        "/v1/repos/demo/decisions",
        {
            "decision": "allow",
            "evaluated_at": "2025-01-01T00:00:00+00:00",
            "range": {"base": "0" * 40, "head": "1" * 40, "merge_base": "0" * 40},
            "policy": {"source": "x", "protected": True},
            "digests": {},
            "files": [],
            "commits": [],
        },
    ),
    (Perm.EVALUATE, "POST", "/v1/repos/demo/evaluations", {"base": "0" * 40, "head": "1" * 40}),
    (Perm.READ_METRICS, "GET", "/metrics", None),
    (
        Perm.RECORD_ARTIFACTS,
        "POST",
        "/v1/artifacts/built",
        {"digest": "sha256:" + "a" * 64, "commit": "1" * 40},
    ),
    (Perm.RECORD_ARTIFACTS, "POST", "/v1/artifacts/signed", {"digest": "sha256:" + "a" * 64}),
    (Perm.VERIFY_RELEASES, "POST", "/v1/repos/demo/releases/verify", {"to": "main"}),
    (Perm.READ_RELEASES, "GET", "/v1/repos/demo/releases", None),
    (Perm.READ_RELEASES, "GET", "/v1/trace?commit=" + "1" * 40, None),
    (Perm.PROMOTE_RELEASES, "POST", "/v1/releases/rel-20250101000000-0123456789abcdef/promote", {}),
    (Perm.INTROSPECT, "POST", "/v1/tokens/introspect", {"token": "a.b.c-not-a-real-token"}),
    (Perm.RECORD_PUSHES, "POST", "/v1/pushes", {"repo": "demo", "outcome": "refused", "refs": []}),
]

HOLDER = {
    "admin": Role.ADMIN,
    "alice": Role.APPROVER,
    "auditor": Role.AUDITOR,
    "dave": Role.AGENT_OPERATOR,
    "ci": Role.CI,
    "hook": Role.HOOK,
}


def test_every_permission_has_a_route() -> None:
    assert {p for p, *_ in ROUTES} == set(Perm)


def test_role_matrix(team: Team) -> None:
    """Refused roles get 403 and change nothing; allowed roles get past the role check."""
    for perm, method, path, body in ROUTES:
        for who, role in HOLDER.items():
            before = team.counts() if method != "GET" else None
            r = team.api(who).http.request(method, path, json=body)
            allowed = role in PERMISSIONS[perm]
            if not allowed:
                assert r.status_code == 403, (who, method, path, r.text)
                assert r.json()["error"]["code"] == "forbidden"
                if before is not None:
                    assert team.counts() == before, (who, method, path)
            else:
                assert (
                    r.status_code != 403
                    or r.json()["error"]["code"] != "forbidden"
                    or (perm is Perm.WRITE_TASKS)
                ), (who, method, path, r.text)


@pytest.mark.parametrize("path", ["/v1/agents", "/v1/noop", "/metrics", "/v1/tasks"])
def test_no_token_no_access(team: Team, path: str) -> None:
    r = team.api(None).get(path)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    assert r.headers["www-authenticate"] == "Bearer"


def test_public_routes_need_no_token(team: Team) -> None:
    anon = team.api(None)
    for path in ["/healthz", "/readyz", "/v1/ledger/public-key", "/v1/ledger/checkpoints"]:
        assert anon.get(path).status_code == 200, path


def test_agent_operator_task_needs_a_person(team: Team) -> None:
    """A service token can never request a task, even with a role that could."""
    r = team.admin.post("/v1/tokens", {"name": "svc", "roles": ["agent-operator"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "human"
