"""The soak test's load (bench/soak.py): a seeded team, and client threads that post decisions,
give approvals, exchange agent proofs for task tokens and read console pages, spread over every
replica. Each request is one `Sample`: when, what, where, how it ended, and (for a write the
server acknowledged) the id the server gave it, so the checks can look for it afterwards.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signoff.broker import pop
from signoff.demo import server as demo
from signoff.gate.check import run_check
from signoff.gate.record import decision_payload

#: what each client does, by weight (decision posts are what CI sends most)
MIX = (("decision", 4), ("exchange", 3), ("console", 2), ("approval", 1))
TASKS = 8


@dataclass(frozen=True, slots=True)
class Sample:
    start: float  # monotonic
    seconds: float
    op: str
    replica: int
    status: int  # HTTP status; 0: no response (connection refused, reset, timed out)
    code: str  # the error body's code, or the transport error's class name
    ack: str  # the id of an acknowledged write ("" otherwise)


@dataclass
class World:
    """What the clients need: tokens, the range to approve, a record to post, tasks, a key."""

    base: str
    head: str
    tokens: dict[str, str]
    record: dict[str, Any]
    tasks: list[str]
    key: Ed25519PrivateKey
    cookie: str
    repo_dir: Path


def seed(root: Path, url: str, admin: str) -> World:
    """The demo's team and repository through the API, plus an agent whose key we hold and
    tasks for it, and a console session."""
    repo, base, head, pubs = demo.build_repo(root)
    data = demo.seed(url, admin, repo, base, pubs)
    tokens: dict[str, str] = data["tokens"]
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    agent = {
        "id": "soakbot",
        "name": "Soak agent",
        "owner": "platform@example.com",
        "purpose": "Asks for task tokens under load",
        "mode": "supervised",
        "review_by": "2099-01-01",
        "max_token_ttl": 3600,
        "scope": {"repos": ["demo"], "paths": ["src/**"]},
        "match": {"signing_keys": [public.decode() + " soakbot"]},
    }
    with httpx.Client(base_url=url, timeout=60) as c:
        _ok(c.post("/v1/agents", json=agent, headers=_auth(admin)))
        tasks = []
        for i in range(TASKS):
            body = {"agent": "soakbot", "repo": "demo", "base_commit": base,
                    "intent_text": f"soak {i}", "allowed_paths": ["src/**"],
                    "actions": ["push-branch"], "ttl_seconds": 3600}  # fmt: skip
            tasks.append(_ok(c.post("/v1/tasks", json=body, headers=_auth(tokens["dave"])))["id"])
        login = c.post("/ui/login", data={"token": tokens["alice"]}, headers={"Origin": url})
        if login.status_code >= 400 or "signoff_session" not in c.cookies:
            raise RuntimeError(f"console sign-in: {login.status_code} {login.text[:200]}")
        cookie = c.cookies["signoff_session"]
    record = decision_payload(run_check(repo.path, base, head, approvals_ref=None))
    return World(base, head, tokens, record, tasks, key, cookie, repo.path)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ok(r: httpx.Response) -> Any:
    if r.status_code >= 300:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json()


@dataclass
class Load:
    """Client threads against `urls` (one per replica) until `stop()`."""

    world: World
    urls: list[str]
    clients: int
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    _n: itertools.count[int] = field(default_factory=itertools.count)

    def start(self) -> None:
        for i in range(self.clients):
            t = threading.Thread(target=self._client, args=(i,), daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)

    def _client(self, i: int) -> None:
        rng = random.Random(i)
        ops = [op for op, weight in MIX for _ in range(weight)]
        # short timeouts: a request stuck behind a dead replica or database shows as an error
        # in its window instead of stalling the client for the rest of the run
        timeout = httpx.Timeout(30.0, connect=2.0)
        # an idle connection is dropped by the client before uvicorn's keep-alive timeout (5 s)
        # closes it: else a request sent as the server closes meets a reset (docs/server.md)
        limits = httpx.Limits(keepalive_expiry=2.0)
        with httpx.Client(timeout=timeout, limits=limits) as http:
            http.cookies.set("signoff_session", self.world.cookie, path="/ui")
            while not self._stop.is_set():
                replica = rng.randrange(len(self.urls))
                op = rng.choice(ops)
                self._one(http, op, replica)

    def _one(self, http: httpx.Client, op: str, replica: int) -> None:
        url = self.urls[replica]
        t0 = time.monotonic()
        try:
            status, code, ack = getattr(self, f"_{op}")(http, url)
        except httpx.HTTPError as exc:
            status, code, ack = 0, type(exc).__name__, ""
        sample = Sample(t0, time.monotonic() - t0, op, replica, status, code, ack)
        with self._lock:
            self.samples.append(sample)
        if status == 0:
            time.sleep(0.05)  # a replica that is down refuses at once: do not spin

    def _decision(self, http: httpx.Client, url: str) -> tuple[int, str, str]:
        r = http.post(f"{url}/v1/repos/demo/decisions", json=self.world.record,
                      headers=_auth(self.world.tokens["ci"]))  # fmt: skip
        return _outcome(r, 201, "id")

    def _approval(self, http: httpx.Client, url: str) -> tuple[int, str, str]:
        n = next(self._n)
        who = ("alice", "bob")[n % 2]
        body = {"base": self.world.base, "head": self.world.head, "decision": "approve",
                "classes": ["source"], "comment": f"soak #{n}"}  # fmt: skip
        r = http.post(f"{url}/v1/repos/demo/approvals", json=body,
                      headers=_auth(self.world.tokens[who]))  # fmt: skip
        return _outcome(r, 201, "id")

    def _exchange(self, http: httpx.Client, url: str) -> tuple[int, str, str]:
        task = self.world.tasks[next(self._n) % len(self.world.tasks)]
        ch = http.post(f"{url}/v1/pop/challenge", json={"agent": "soakbot", "task": task})
        if ch.status_code != 200:
            return _outcome(ch, 200, "")
        got = ch.json()
        sig = pop.sign(self.world.key, got["nonce"], "soakbot", got["audience"])
        r = http.post(f"{url}/v1/tasks/{task}/token",
                      json={"pop": {"nonce": got["nonce"], "signature": sig}})  # fmt: skip
        return _outcome(r, 200, "jti")

    def _console(self, http: httpx.Client, url: str) -> tuple[int, str, str]:
        page = random.choice(("/ui/inbox", "/ui/ledger", "/ui/agents"))
        r = http.get(f"{url}{page}", follow_redirects=False)
        if r.status_code in (302, 303):  # a lost session sends us to sign-in: that is a failure
            return r.status_code, "signed-out", ""
        return r.status_code, "" if r.status_code == 200 else _code(r), ""


def _outcome(r: httpx.Response, ok: int, ack_field: str) -> tuple[int, str, str]:
    if r.status_code == ok:
        return r.status_code, "", str(r.json()[ack_field]) if ack_field else ""
    return r.status_code, _code(r), ""


def _code(r: httpx.Response) -> str:
    try:
        body = r.json()
        return str(body["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "non-json"
