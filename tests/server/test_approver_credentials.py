"""An admin cannot approve as someone by issuing a token in their name: a token issued for a
person by someone else decides nothing until that person claims it with their own SSH key, which
gives them a secret the issuer never saw. Every step is in the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run
from gitrepo import keygen
from serverteam import Team

from signoff.approvals.sshsig import sign
from signoff.ledger.events import EventType


def _body(team: Team) -> dict[str, object]:
    w = team.world
    return {"base": w.base, "head": w.head, "decision": "approve", "classes": ["source"]}


def test_a_token_issued_for_someone_cannot_approve_until_they_claim_it(
    any_team: Team, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    team = any_team
    issued = team.admin.token_for("bob-by-admin", ["approver"], "bob")
    as_admin_for_bob = team.api(None).as_(issued)
    assert as_admin_for_bob.ok("GET", "/v1/whoami")["held"] is False
    before = team.counts()
    r = as_admin_for_bob.post("/v1/repos/demo/approvals", _body(team))
    assert r.status_code == 403 and r.json()["error"]["code"] == "credential_not_held", r.text
    assert team.counts() == before
    # bob claims it with his own key through the CLI; the admin's copy stops working
    monkeypatch.setenv("SIGNOFF_TOKEN", issued)
    res = run(capsys, "server", "claim", "--server", team.server.url,
              "--key", str(team.world.keys["bob"]))  # fmt: skip
    assert res.code == 0, res.err
    mine = res.out.strip()
    assert mine != issued and "old secret no longer works" in res.err
    assert as_admin_for_bob.get("/v1/noop").status_code == 401
    bob = team.api(None).as_(mine)
    assert bob.ok("GET", "/v1/whoami")["held"] is True
    assert bob.post("/v1/repos/demo/approvals", _body(team)).status_code == 201
    events = team.server.ctx.recorder.ledger.recent(60)
    changes = [(e.payload.get("change"), e.subjects.get("human")) for e in events
               if e.type is EventType.CONFIG_CHANGED]  # fmt: skip
    assert ("api-token-issued", "bob") in changes and ("api-token-claimed", "bob") in changes
    claimed = next(e for e in events if e.payload.get("change") == "api-token-claimed")
    assert claimed.payload["key"].startswith("SHA256:")


def test_the_issuer_cannot_claim_with_a_key_of_their_own(team: Team, tmp_path: Path) -> None:
    issued = team.admin.token_for("carol-by-admin", ["approver"], "carol")
    api = team.api(None).as_(issued)
    ch = api.ok("POST", "/v1/tokens/claim/challenge")
    mallory, _ = keygen(tmp_path, "mallory")  # the admin's own key, not registered to carol
    sig = sign(ch["message"].encode(), mallory, ch["namespace"]).decode()
    r = api.post("/v1/tokens/claim", {"nonce": ch["nonce"], "signature": sig})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_key"
    assert api.get("/v1/whoami").json()["held"] is False
    # a signature over another message (or namespace) is no proof either
    wrong = sign(b"something else", team.world.keys["carol"], ch["namespace"]).decode()
    r = api.post("/v1/tokens/claim", {"nonce": ch["nonce"], "signature": wrong})
    assert r.status_code == 422 and r.json()["error"]["field"] == "signature"
    good = sign(ch["message"].encode(), team.world.keys["carol"], ch["namespace"]).decode()
    done = api.post("/v1/tokens/claim", {"nonce": ch["nonce"], "signature": good})
    assert done.status_code == 200, done.text
    # a challenge is single use, and a held token has nothing to claim
    r = team.api("carol").post("/v1/tokens/claim", {"nonce": ch["nonce"], "signature": good})
    assert r.status_code == 409


def test_own_tokens_are_held(team: Team) -> None:
    assert team.admin.ok("GET", "/v1/whoami")["held"] is True  # the bootstrap admin's own
    assert team.api("ci").ok("GET", "/v1/whoami")["held"] is False  # a service: no person
    r = team.api("ci").post("/v1/tokens/claim/challenge")
    assert r.status_code == 403
