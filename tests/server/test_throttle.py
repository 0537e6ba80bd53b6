"""Failed attempts are throttled per address; refused token exchanges cannot grow the ledger
without bound; a cached caller is dropped at once when its token is revoked on this replica,
and within the cache's lifetime on another."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from brokerkit import Kit, start
from pg import fresh_database
from serverkit import Api, ThreadServer, close_clients, make_settings
from serverteam import Team

from signoff.ledger.events import EventType
from signoff.server.auth import new_token
from signoff.server.broker.refusals import RefusalLog
from signoff.server.throttle import FailureThrottle, TooManyRequestsError


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_failure_throttle_counts_failures_in_a_sliding_window() -> None:
    clock = Clock()
    th = FailureThrottle(limit=3, window=60, clock=clock)
    for _ in range(3):
        th.check("1.2.3.4")
        th.fail("1.2.3.4")
        clock.t += 1
    with pytest.raises(TooManyRequestsError) as err:
        th.check("1.2.3.4")
    assert err.value.retry_after == 57  # the oldest (t=1000) leaves the window at 1060
    th.check("5.6.7.8")  # another address is not slowed
    clock.t += 58
    th.check("1.2.3.4")  # the oldest failure left the window


def test_refusal_log_records_one_event_per_kind_per_window() -> None:
    clock = Clock()
    log = RefusalLog(window=60, clock=clock)
    kind = ("task-1", "exchange", "bad_signature")
    assert log.admit(kind) == 0
    assert [log.admit(kind) for _ in range(299)] == [None] * 299
    assert log.admit(("task-1", "exchange", "untrusted")) == 0  # another kind: recorded
    clock.t += 60
    assert log.admit(kind) == 299  # the next event carries the count


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    k = start(tmp_path)
    yield k
    k.issuer.stop()
    k.server.stop()


def test_refused_exchanges_are_throttled_and_aggregated(kit: Kit) -> None:
    task = kit.task()
    ledger = kit.server.ctx.recorder.ledger
    size = ledger.size()
    codes = []
    start_time = time.monotonic()
    for _ in range(120):
        r = kit.exchange_oidc(task["id"], "not.a.jwt-" + "x" * 20)
        codes.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) >= 1
            assert r.json()["error"]["code"] == "too_many_requests"
    windows = int((time.monotonic() - start_time) // 60) + 1  # a slow machine spans several
    assert codes[:21] == [401] * 20 + [429]
    assert codes.count(401) <= 20 * windows
    new = ledger.events(list(range(size, ledger.size())))
    assert {e.type for e in new} == {EventType.TOKEN_REFUSED}
    assert 1 <= len(new) <= windows
    assert new[0].payload["repeated"] == 0


def test_unknown_tokens_and_failed_sign_ins_are_throttled(team: Team) -> None:
    anon = team.api(None)
    for _ in range(20):
        assert anon.as_(new_token()).get("/v1/noop").status_code == 401
    r = anon.as_(new_token()).get("/v1/noop")
    assert r.status_code == 429 and r.headers["retry-after"]
    # a valid token from the same address is still served: bad tokens lock nobody out
    assert team.api("auditor").get("/v1/noop").status_code == 200
    # the console's sign-in form counts against the same address
    r = anon.http.post("/ui/login", data={"token": new_token()},
                       headers={"Origin": team.server.url})  # fmt: skip
    assert r.status_code == 429 and "too many" in r.text


def test_a_revoked_token_is_refused_at_once_on_its_replica(team: Team) -> None:
    token = team.admin.token_for("short", ["auditor"])
    api = team.api(None).as_(token)
    assert api.get("/v1/noop").status_code == 200  # now cached
    tid = api.ok("GET", "/v1/whoami")["token_id"]
    team.admin.ok("DELETE", f"/v1/tokens/{tid}")
    r = api.get("/v1/noop")
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_revoked"
    # suspending the owner ends a cached person's token at once too
    alice = team.api("alice")
    assert alice.get("/v1/noop").status_code == 200
    team.admin.ok("PATCH", "/v1/humans/alice", {"version": 1, "status": "suspended"})
    assert alice.get("/v1/noop").json()["error"]["code"] == "owner_suspended"


@pytest.mark.postgres
def test_another_replica_refuses_within_the_cache_lifetime(tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_database("signoff_cache"))
        a_settings = make_settings(tmp_path / "a", url)
        key = a_settings.ledger_key
        a = ThreadServer(a_settings)
        b = ThreadServer(make_settings(tmp_path / "b", url, ledger_key=key))
        c = ThreadServer(make_settings(tmp_path / "c", url, ledger_key=key, auth_cache_seconds=0))
        stack.callback(close_clients)
        for s in (a, b, c):
            stack.callback(s.stop)
        admin = Api(a.url, a.bootstrap())
        token = admin.token_for("short", ["auditor"])
        on_b, on_c = Api(b.url, token), Api(c.url, token)
        assert on_b.get("/v1/noop").status_code == 200  # cached on b for up to 2 s
        assert on_c.get("/v1/noop").status_code == 200
        tid = on_b.ok("GET", "/v1/whoami")["token_id"]
        admin.ok("DELETE", f"/v1/tokens/{tid}")
        revoked = time.monotonic()
        assert on_c.get("/v1/noop").status_code == 401  # no cache: at once
        while on_b.get("/v1/noop").status_code == 200:
            assert time.monotonic() - revoked < 2.0 + 0.5, "b kept the revoked token too long"
            time.sleep(0.05)
        assert on_b.get("/v1/noop").json()["error"]["code"] == "token_revoked"


def test_principal_cache_honours_expiry_lifetime_and_clears() -> None:
    import datetime as dt

    from signoff.server.auth import Principal, Role
    from signoff.server.principals import PrincipalCache

    clock = Clock()
    cache = PrincipalCache(ttl=2, clock=clock)
    who = Principal("tok-1", "t", "ab" * 32, frozenset({Role.CI}))
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    gen = cache.generation()
    cache.put("k", who, now + dt.timedelta(seconds=10), gen)
    assert cache.get("k", now) is who
    assert cache.get("k", now + dt.timedelta(seconds=10)) is None  # the token expired
    cache.put("k", who, now + dt.timedelta(seconds=10), cache.generation())
    clock.t += 2
    assert cache.get("k", now) is None  # the entry's lifetime is over
    stale = cache.generation()
    cache.clear()  # a revocation between reading the row and storing it
    cache.put("k", who, now + dt.timedelta(seconds=10), stale)
    assert cache.get("k", now) is None
    assert PrincipalCache(ttl=0).get("k", now) is None
