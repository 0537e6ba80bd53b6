"""The hook's minimal HTTP client against the plain reference path (`urllib`, as
`signoff.client` uses it): the real control plane's answers, chunked bodies, and servers that
answer garbage, on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from serverkit import Api, ThreadServer, make_settings

from signoff.hook.http import Http, HttpError, split_url


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadServer, str]]:
    server = ThreadServer(make_settings(tmp_path_factory.mktemp("http") / "data"))
    ci = Api(server.url, server.bootstrap()).token_for("hook", ["ci"])
    yield server, ci
    server.stop()


def _urllib(url: str, token: str, method: str, path: str, body: Any) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/tokens/introspect", {"token": "not.a.token.at.all"}),
        ("POST", "/v1/tokens/introspect", {"token": "x"}),  # too short: 422
        ("POST", "/v1/pushes", {"repo": "nope", "outcome": "accepted", "refs": []}),
        ("GET", "/v1/whoami", None),
        ("GET", "/v1/no-such-route", None),
    ],
)
def test_same_answers_as_urllib_from_the_real_api(
    plane: tuple[ThreadServer, str], method: str, path: str, body: Any
) -> None:
    server, token = plane
    http = Http(server.url, {"Authorization": f"Bearer {token}"}, 5.0)
    try:
        first = http.request(method, path, body)
        again = http.request(method, path, body)  # the kept-alive connection, reused
    finally:
        http.close()
    want = _urllib(server.url, token, method, path, body)
    assert (first.status, first.json()) == want
    assert (again.status, again.json()) == want


def test_a_base_path_in_the_url_is_kept(plane: tuple[ThreadServer, str]) -> None:
    assert split_url("http://127.0.0.1:8700/signoff/") == ("http", "127.0.0.1", 8700, "/signoff")
    assert split_url("https://[::1]/") == ("https", "::1", 443, "")
    for bad in ("ftp://x", "http://user@host/", "http://host:99999", "127.0.0.1:80", "http://"):
        with pytest.raises(HttpError):
            split_url(bad)


class _Chunked(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"active": False, "reason": "x" * 5000}).encode()
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(body), 1000):
            part = body[i : i + 1000]
            self.wfile.write(f"{len(part):x};ext=1\r\n".encode() + part + b"\r\n")
        self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


def test_chunked_answers_are_read_whole() -> None:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Chunked)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        http = Http(f"http://127.0.0.1:{srv.server_address[1]}", {}, 5.0)
        for _ in range(2):
            assert http.request("POST", "/", {"a": 1}).json() == {"active": False,
                                                                  "reason": "x" * 5000}  # fmt: skip
        http.close()
    finally:
        srv.shutdown()
        srv.server_close()


def _raw_server(answer: Callable[[socket.socket], object]) -> tuple[str, Callable[[], None]]:
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = lst.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                answer(conn)

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{lst.getsockname()[1]}", lst.close


@pytest.mark.parametrize(
    "raw",
    [
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",  # closed early
        b"HTTP/1.1 200 OK\r\n\r\n{}",  # no length
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbroken header\r\n\r\n",
        b"",
    ],
)
def test_garbage_is_an_error_never_an_answer(raw: bytes) -> None:
    url, stop = _raw_server(lambda conn: conn.sendall(raw))
    try:
        with pytest.raises(HttpError):
            Http(url, {}, 2.0).request("POST", "/v1/tokens/introspect", {"token": "t"})
    finally:
        stop()


def test_a_silent_server_times_out(tmp_path: Path) -> None:
    url, stop = _raw_server(lambda conn: conn.recv(1))  # reads, never answers
    try:
        with pytest.raises(HttpError):
            Http(url, {}, 0.5).request("GET", "/", None)
    finally:
        stop()
