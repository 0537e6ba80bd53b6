"""Bad input of every kind gets a clear 4xx with the one error body, and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from serverteam import Team

from signoff.server.auth import new_token, token_sha256

AGENT = {"id": "a1", "owner": "o@example.com", "purpose": "p", "review_by": "2999-01-01"}


def _refused(team: Team, resp: Any, status: int, before: dict[str, int]) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    assert team.counts() == before
    return dict(body["error"])


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b'{"id": "a1", ', 400, "invalid_json"),
        (b"[1, 2, 3]", 422, "invalid"),
        (b"\xff\xfe", 400, "invalid_json"),
        (b"", 422, "invalid"),
    ],
)
def test_malformed_bodies(shared_team: Team, content: bytes, status: int, code: str) -> None:
    team = shared_team
    before = team.counts()
    r = team.admin.http.post(
        "/v1/agents", content=content, headers={"content-type": "application/json"}
    )
    assert _refused(team, r, status, before)["code"] == code


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_token_ttl": "900"}, "max_token_ttl"),  # no coercion from strings
        ({"max_token_ttl": 900.0}, "max_token_ttl"),
        ({"max_token_ttl": True}, "max_token_ttl"),
        ({"max_token_ttl": 10}, "max_token_ttl"),
        ({"mode": "yolo"}, "mode"),
        ({"surprise": 1}, "surprise"),  # unknown fields are refused
        ({"id": "Robert'); DROP TABLE server_agents;--"}, "id"),
        ({"id": "../../etc/passwd"}, "id"),
        ({"id": "c\u043epilot"}, "id"),  # Cyrillic o
        ({"name": "evil\u202etxt.exe"}, "name"),  # bidi override
        ({"name": "zero\u200bwidth"}, "name"),
        ({"name": "line\nbreak"}, "name"),
        ({"owner": "not an email"}, "owner"),
        ({"review_by": "2999-13-01"}, "review_by"),
        ({"review_by": 1}, "review_by"),
        ({"review_by": None, "expires": None}, None),
        ({"purpose": "x" * 5000}, "purpose"),
    ],
)
def test_wrong_values(shared_team: Team, change: dict[str, Any], field: str | None) -> None:
    team = shared_team
    before = team.counts()
    err = _refused(team, team.admin.post("/v1/agents", {**AGENT, **change}), 422, before)
    if field:
        assert err["field"] == field, err


def test_sql_and_path_looking_text_is_stored_literally(team: Team) -> None:
    text = "'; DROP TABLE server_agents; -- ../../etc/passwd %00"
    r = team.admin.post("/v1/agents", {**AGENT, "purpose": text, "name": "Robert'); --"})
    assert r.status_code == 201, r.text
    got = team.admin.get("/v1/agents/a1").json()
    assert got["purpose"] == text and got["name"] == "Robert'); --"
    assert team.admin.get("/v1/agents").status_code == 200


def test_names_are_nfc_normalised(team: Team) -> None:
    r = team.admin.post("/v1/agents", {**AGENT, "name": "Cafe\u0301"})
    assert r.status_code == 201 and r.json()["name"] == "Caf\u00e9"


def test_oversize_body(team: Team) -> None:
    before = team.counts()
    big = {**AGENT, "purpose": "x" * (2 << 20)}
    err = _refused(team, team.admin.post("/v1/agents", big), 413, before)
    assert err["code"] == "too_large"

    def chunks() -> Any:  # no Content-Length: counted while read
        yield b'{"id": "a1", "purpose": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    r = team.admin.http.post(
        "/v1/agents", content=chunks(), headers={"content-type": "application/json"}
    )
    _refused(team, r, 413, before)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nope",
        "Basic dXNlcjpwYXNz",
        "Bearer so_" + "a" * 59,  # well-formed shape, bad checksum
        "Bearer " + new_token(),  # valid shape and checksum, unknown
        "Bearer so_aaaaa'; DROP TABLE server_api_tokens;--",
    ],
)
def test_bad_tokens(shared_team: Team, header: str) -> None:
    team = shared_team
    before = team.counts()
    r = team.api(None).http.post("/v1/agents", json=AGENT, headers={"Authorization": header})
    assert _refused(team, r, 401, before)["code"] == "unauthenticated"


def test_expired_and_revoked_tokens(team: Team) -> None:
    token = team.admin.token_for("short", ["auditor"])
    api = team.api(None).as_(token)
    assert api.get("/v1/agents").status_code == 200
    # expire it in the database (a real clock would take a minute)

    from signoff.server.tables import api_tokens

    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with team.server.ctx.db.write() as conn:
        conn.execute(
            api_tokens.update()
            .where(api_tokens.c.sha256 == token_sha256(token))
            .values(expires=past)
        )
    # a row changed behind the server's back: drop its cached caller (a real expiry is the one
    # the cache already holds, and it checks that on every use)
    team.server.ctx.principals.clear()
    r = api.get("/v1/agents")
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"

    token = team.admin.token_for("leaky", ["auditor"])
    api = team.api(None).as_(token)
    tid = api.get("/v1/whoami").json()["token_id"]
    assert api.delete(f"/v1/tokens/{tid}").status_code == 200  # the owner revokes its own
    r = api.get("/v1/agents")
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_revoked"
    assert team.admin.delete(f"/v1/tokens/{tid}").status_code == 409


def test_suspended_human_loses_access(team: Team) -> None:
    alice = team.api("alice")
    assert alice.get("/v1/whoami").status_code == 200
    v = team.admin.get("/v1/humans/alice").json()["version"]
    assert (
        team.admin.patch("/v1/humans/alice", {"version": v, "status": "suspended"}).status_code
        == 200
    )
    r = alice.get("/v1/whoami")
    assert r.status_code == 401 and r.json()["error"]["code"] == "owner_suspended"


def test_tokens_are_stored_as_hashes_only(team: Team) -> None:
    import sqlalchemy as sa

    from signoff.server.tables import api_tokens

    with team.server.ctx.db.read() as conn:
        rows = conn.execute(sa.select(api_tokens)).mappings().all()
    flat = " ".join(str(v) for r in rows for v in r.values())
    for token in team.tokens.values():
        assert token not in flat
        assert token_sha256(token) in flat
    events = team.server.ctx.recorder.ledger.recent(500)
    dump = " ".join(str(e.to_json()) for e in events)
    assert not any(t in dump for t in team.tokens.values())


def test_unknown_route_and_method(team: Team) -> None:
    r = team.admin.get("/v1/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = team.admin.http.put("/v1/agents")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_pagination(team: Team) -> None:
    for i in range(5):
        assert team.admin.post("/v1/agents", {**AGENT, "id": f"p{i}"}).status_code == 201
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = team.admin.get("/v1/agents", params=params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == 7
    for bad in [{"limit": 0}, {"limit": 201}, {"cursor": "!!!"}, {"cursor": "WzEsMiwzXQ"}]:
        assert team.admin.get("/v1/agents", params=bad).status_code == 422, bad
