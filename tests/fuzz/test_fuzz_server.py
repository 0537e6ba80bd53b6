"""Fuzzing what reaches the control plane over HTTP: GitHub webhook deliveries and API bodies.

The real app (`signoff.app.create_app`) serves on loopback in a thread of the test process, as
tests/support/serverkit.py runs it (one server for the module: a request costs milliseconds,
so Hypothesis can afford the real HTTP path). A delivery or a request body is whatever its
sender wrote: the server must answer with a result or a declared error, never a 500. Webhook
bodies are signed with the App's secret (what GitHub, or whoever holds the secret, can send)
or not; a delivery that gets as far as evaluating fails at GitHub's API (a closed loopback port
here), which must be the declared 502. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fuzzing import budget
from github_webhooks import example as webhook_example
from github_webhooks import sign, with_repo
from gitrepo import make_repo
from hypothesis import HealthCheck, event, example, given
from hypothesis import strategies as st
from serverkit import Api, ThreadServer, free_port, make_settings

from signoff.server.forges.webhook import RefusedError, parse

REPO = "acme/widgets"
INSTALLATION = 77
SECRET = "webhook-secret-for-fuzzing"
SHA = "a" * 40


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadServer, Api]]:
    tmp = tmp_path_factory.mktemp("server")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp / "app.pem").write_bytes(pem)
    (tmp / "secret").write_text(SECRET)
    cfg = tmp / "github-app.toml"
    cfg.write_text(
        f'app_id = "4242"\nprivate_key_file = "{tmp / "app.pem"}"\n'
        f'webhook_secret_file = "{tmp / "secret"}"\napi_url = "http://127.0.0.1:{free_port()}"\n'
        f'[repos."{REPO}"]\nrepo = "widgets"\ninstallation = {INSTALLATION}\n'
        f'remote = "{tmp / "no-such-remote"}"\n'
    )
    srv = ThreadServer(make_settings(tmp / "data", github_app=str(cfg)))
    admin = Api(srv.url, srv.bootstrap())
    repo = make_repo(tmp / "widgets")  # a registered repository: its routes get past 404
    repo.write("README.md", "w\n")
    repo.commit("Start")
    admin.ok("POST", "/v1/repos", {"name": "widgets", "path": str(repo.path)})
    try:
        yield srv, admin
    finally:
        admin.close()
        srv.stop()


def _fine(resp: httpx.Response, what: str) -> None:
    """A result or a declared error: never a 500, and an error says what it is."""
    event(f"status {resp.status_code}")  # --hypothesis-show-statistics counts them
    assert resp.status_code != 500, f"{what}: {resp.status_code} {resp.text[:300]}"
    if resp.status_code >= 400:
        body = resp.json()
        assert isinstance(body, dict) and body, f"{what}: {resp.text[:300]}"


# -- GitHub webhook deliveries ----------------------------------------------------------------

_ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8),
    st.sampled_from(
        [SHA, "0" * 40, "main", "refs/heads/main", "refs/tags/v1", REPO, "ACME/Widgets",
         INSTALLATION, "77", "1e400", "\ud800", "", "-1", [], {}, "opened", "closed", "synchronize"]
    ),
)  # fmt: skip
#: Where a pull request delivery's fields live (what `signoff.server.forges.webhook` reads).
_PATHS = [
    ("action",), ("repository",), ("repository", "full_name"), ("installation",),
    ("installation", "id"), ("pull_request",), ("pull_request", "number"),
    ("pull_request", "base"), ("pull_request", "base", "sha"), ("pull_request", "base", "ref"),
    ("pull_request", "head", "sha"), ("pull_request", "html_url"), ("ref",), ("after",),
    ("check_suite",), ("check_suite", "pull_requests"),
]  # fmt: skip


def _base(event: str) -> dict[str, Any]:
    action = {"pull_request": "opened", "pull_request_review": "submitted"}.get(event)
    if event == "check_suite":
        action = "requested"
    doc = webhook_example(event, action)
    with_repo(doc, REPO, INSTALLATION)
    return doc


_EVENTS = ["pull_request", "pull_request_review", "push", "check_suite"]
_BASES = {e: json.dumps(_base(e)) for e in _EVENTS}


def _set(doc: Any, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(doc, dict):
            return
        doc = doc.setdefault(key, {})
    if isinstance(doc, dict):
        doc[path[-1]] = value


def _numbered(number: int) -> bytes:
    doc = json.loads(_BASES["pull_request"])
    doc["pull_request"]["number"] = number
    return json.dumps(doc).encode()


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, bytes]:
    event = draw(st.sampled_from([*_EVENTS, "ping", "installation", "", "x\ud800"]))
    kind = draw(st.sampled_from(["edited", "edited", "edited", "raw", "deep"]))
    if kind == "raw":
        return event, draw(st.binary(max_size=200))
    if kind == "deep":
        return event, b'{"repository": ' + b"[" * draw(st.integers(500, 20_000)) + b"}"
    doc = json.loads(_BASES.get(event, _BASES["pull_request"]))
    for path, value in draw(st.lists(st.tuples(st.sampled_from(_PATHS), _ODD), max_size=3)):
        _set(doc, path, value)
    text = json.dumps(doc, allow_nan=True)  # a lone surrogate stays a \\ud800 escape
    return event, text.encode()


def _deliver(srv: ThreadServer, event: str, body: bytes, signed: bool, delivery: str) -> None:
    headers = {
        b"X-GitHub-Event": event.encode("utf-8", "surrogatepass"),
        b"X-GitHub-Delivery": delivery.encode(),
        b"X-Hub-Signature-256": (sign(SECRET, body) if signed else "sha256=" + "0" * 64).encode(),
        b"Content-Type": b"application/json",
    }
    url = f"{srv.url}/v1/forges/github/webhook"
    _fine(httpx.post(url, content=body, headers=headers, timeout=60), f"{event} {body[:200]!r}")


# A delivery costs ~0.1-0.3 s (one that is evaluated fails at the App API): a smaller budget.
@budget(30)
@given(
    deliveries(), st.booleans(), st.sampled_from(["fresh", "fresh", "same", "bad id!", "délivery"])
)
@example(("pull_request", _BASES["pull_request"].encode()), True, "fresh")  # evaluated: 502
@example(("pull_request", _numbered(2**70)), True, "fresh")
@example(("pull_request", _numbered(-1)), True, "fresh")
@example(("pull_request", b'{"repository": ' + b"[" * 5000 + b"}"), True, "fresh")
@example(
    ("pull_request", _BASES["pull_request"].replace('"id": 77', '"id": 1e400').encode()),
    True,
    "fresh",
)
def test_a_webhook_delivery_never_gets_a_500(
    server: tuple[ThreadServer, Api], delivery: tuple[str, bytes], signed: bool, ident: str
) -> None:
    srv, _ = server
    event, body = delivery
    name = str(uuid.uuid4()) if ident == "fresh" else "same-delivery" if ident == "same" else ident
    _deliver(srv, event, body, signed, name)


@budget(200)
@given(deliveries())
@example(("pull_request", _numbered(2**70)))
@example(("push", b'{"repository": {"full_name": "a/b"}, "ref": "refs/heads/x", "after": 1e400}'))
def test_a_delivery_parses_or_is_refused(delivery: tuple[str, bytes]) -> None:
    """What the endpoint calls once the signature holds, without HTTP: many more examples."""
    event, body = delivery
    try:
        d = parse("d-1", event, body)
    except RefusedError as err:
        assert err.status == 400 and err.reason == "bad-payload"
        return
    for t in d.targets:
        assert len(t.base_sha) == 40 and len(t.head_sha) == 40


# -- API request bodies -------------------------------------------------------------------------


#: The one free-form body (an agent's trust policy): the fields its parser reads.
_TRUST_POLICY = dict.fromkeys(["issuer", "audience", "claims", "jwks_url", "jwks_file"])


def _operations(srv: ThreadServer) -> list[tuple[str, str, list[str]]]:
    """(method, path, body property names) of every API operation that takes a JSON body."""
    doc = srv.app.openapi()
    schemas = doc.get("components", {}).get("schemas", {})
    out = []
    for path, ops in sorted(doc["paths"].items()):
        for method, op in sorted(ops.items()):
            content = op.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
            if "application/json" not in content or "forges/github" in path:
                continue
            props = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", _TRUST_POLICY)
            out.append((method.upper(), path, sorted(props)))
    return out


_VALUES = st.one_of(
    _ODD,
    st.sampled_from(["widgets", "alice@example.com", "sha256:" + "b" * 64, "approver", "admin",
                     "agent/fix", "src/**", "push-branch", "2026-01-01T00:00:00Z", "../x"]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)  # fmt: skip


@st.composite
def bodies(draw: st.DrawFn, props: list[str]) -> bytes:
    kind = draw(st.sampled_from(["schema", "schema", "schema", "raw", "json", "deep"]))
    if kind == "raw":
        return draw(st.binary(max_size=100))
    if kind == "deep":
        return b'{"x": ' + b"[" * draw(st.integers(500, 20_000)) + b"}"
    if kind == "json":
        return json.dumps(draw(_VALUES)).encode()
    keys = st.sampled_from(props) if props else st.text(max_size=5)
    doc = draw(st.dictionaries(keys, _VALUES, max_size=len(props) + 1))
    return json.dumps(doc, allow_nan=True).encode()


_SEGMENTS = st.sampled_from(["widgets", "x", "1", "0" * 40, "%F0%9F%98%80", "%ED%A0%80", "a.b"])


@budget(150, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_api_request_body_never_gets_a_500(
    server: tuple[ThreadServer, Api], data: st.DataObject
) -> None:
    srv, admin = server
    method, path, props = data.draw(st.sampled_from(_operations(srv)), label="operation")
    while "{" in path:
        head, rest = path.split("{", 1)
        path = head + data.draw(_SEGMENTS) + rest.split("}", 1)[1]
    body = data.draw(bodies(props), label="body")
    resp = admin.http.request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    _fine(resp, f"{method} {path} {body[:200]!r}")


def test_the_fuzzed_api_covers_the_operations(server: tuple[ThreadServer, Api]) -> None:
    """The API fuzz draws from every operation with a JSON body (so it is not empty)."""
    ops = _operations(server[0])
    assert len(ops) >= 15
    assert any(path == "/v1/repos/{repo}/decisions" for _, path, _ in ops)
    assert Path(__file__).name.startswith("test_fuzz_")
