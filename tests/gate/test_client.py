"""The control-plane client (stdlib HTTP): query strings, JSON bodies, errors and redirects, against
real HTTP servers on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from signoff.client import Client, ServerError

Seen = list[dict[str, Any]]


def _serve(answer: Any) -> tuple[ThreadingHTTPServer, Seen]:
    seen: Seen = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "type": self.headers.get("Content-Type"),
                    "body": self.rfile.read(length) if length else b"",
                }
            )
            status, headers, body = answer(self.path)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any  # noqa: N815 (http.server names its handlers so)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.fixture
def servers() -> Iterator[list[ThreadingHTTPServer]]:
    made: list[ThreadingHTTPServer] = []
    yield made
    for s in made:
        s.shutdown()
        s.server_close()


def _url(s: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{s.server_address[1]}"


def test_query_lists_json_bodies_and_answers(servers: list[ThreadingHTTPServer]) -> None:
    s, seen = _serve(lambda path: (200, {"Content-Type": "application/json"}, b'{"ok": 1}'))
    servers.append(s)
    c = Client(_url(s) + "/", "so_secret")
    assert c.call("GET", "/v1/witnessed", params={"repo": "r", "commit": ["a", "b"]}) == {"ok": 1}
    assert c.call("POST", "/v1/repos/r/decisions", json={"x": [1]}) == {"ok": 1}
    assert c.text("GET", "/v1/releases/1/attestation") == '{"ok": 1}'
    assert seen[0]["path"] == "/v1/witnessed?repo=r&commit=a&commit=b"
    assert seen[0]["auth"] == "Bearer so_secret"
    assert (seen[1]["method"], seen[1]["type"]) == ("POST", "application/json")
    assert json.loads(seen[1]["body"]) == {"x": [1]}


def test_errors_are_one_line(servers: list[ThreadingHTTPServer]) -> None:
    body = b'{"error": {"code": "forbidden", "message": "role ci cannot do that"}}'
    s, _ = _serve(lambda path: (403, {"Content-Type": "application/json"}, body))
    servers.append(s)
    with pytest.raises(ServerError, match="HTTP 403 forbidden: role ci cannot do that"):
        Client(_url(s), "t").call("GET", "/v1/x")
    s2, _ = _serve(lambda path: (200, {}, b"<html>not json"))
    servers.append(s2)
    with pytest.raises(ServerError, match="did not answer JSON"):
        Client(_url(s2), "t").call("GET", "/v1/x")
    port = s2.server_address[1]
    s2.shutdown()
    s2.server_close()
    servers.remove(s2)
    with pytest.raises(ServerError, match=f"cannot reach http://127.0.0.1:{port}"):
        Client(f"http://127.0.0.1:{port}", "t").call("GET", "/v1/x")


def test_a_redirect_is_refused_and_the_token_stays_home(
    servers: list[ThreadingHTTPServer],
) -> None:
    elsewhere, seen_elsewhere = _serve(lambda path: (200, {}, b"{}"))
    servers.append(elsewhere)
    target = _url(elsewhere) + "/steal"
    s, _ = _serve(lambda path: (302, {"Location": target}, b""))
    servers.append(s)
    with pytest.raises(ServerError, match="HTTP 302"):
        Client(_url(s), "so_secret").call("GET", "/v1/approvals")
    assert seen_elsewhere == []
