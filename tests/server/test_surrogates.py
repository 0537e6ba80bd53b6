"""Text with a lone surrogate (JSON can escape one: "\\ud800") is not Unicode: every route
refuses it with 422 and writes nothing, on SQLite and PostgreSQL (it used to be a 500)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from serverteam import Team

from signoff.gate.check import run_check
from signoff.gate.record import decision_payload

LONE = "\ud800"


def _raw(value: Any) -> bytes:
    return json.dumps(value).encode()  # ensure_ascii: the surrogate travels as \ud800


def _decision(team: Team) -> dict[str, Any]:
    w = team.world
    record = decision_payload(run_check(w.repo.path, w.base, w.head, approvals_ref=None))
    record["files"][0]["path"] = f"src/{LONE}.py"
    return record


CASES: list[tuple[str, str, Callable[[Team], Any]]] = [
    ("admin", "/v1/humans",
     lambda t: {"id": "eve", "email": "eve@example.com", "name": f"Eve {LONE}"}),
    ("admin", "/v1/agents",
     lambda t: {"id": "a1", "owner": "o@example.com", "purpose": f"p{LONE}",
                "review_by": "2999-01-01"}),
    ("ci", "/v1/repos/demo/decisions", _decision),
    ("alice", "/v1/repos/demo/approvals",
     lambda t: {"base": t.world.base, "head": t.world.head, "decision": "approve",
                "comment": f"ok {LONE}"}),
    ("hook", "/v1/pushes",
     lambda t: {"repo": "demo", "outcome": "refused", "refs": [], "reasons": [f"bad {LONE}"]}),
    ("admin", "/v1/repos", lambda t: {"name": "x", "path": f"/tmp/{LONE}"}),
]  # fmt: skip


@pytest.mark.parametrize(("who", "path", "body"), CASES)
def test_lone_surrogates_are_refused(any_team: Team, who: str, path: str, body: Any) -> None:
    team = any_team
    before = team.counts()
    r = team.api(who).http.post(
        path, content=_raw(body(team)), headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert "lone surrogate" in message or "unicode string" in message, message
    assert team.counts() == before
