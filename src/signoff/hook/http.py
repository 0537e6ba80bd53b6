"""A minimal HTTP/1.1 client for the hook's few JSON calls to the control plane.

Why not `urllib.request` or `http.client`: importing them (email parsing, `ssl` for every URL)
costs more than the rest of the hook's start-up, and the hook runs once per push. This speaks
exactly what the hook needs over one kept-alive socket: a request with a JSON body (or none),
a response with `Content-Length` or chunked encoding, bounded in size and time. Redirects are
not followed (the credential never goes to another host). `https://` loads `ssl` and verifies
the certificate against the system's trust store. `signoff.hook.backend.Remote` is its only
user; tests compare it with `urllib.request` (the plain reference path) against the real API.
"""

from __future__ import annotations

import json
import socket
from typing import Any

MAX_HEADERS = 64 * 1024
MAX_BODY = 1 << 20


class HttpError(Exception):
    """The server could not be reached or did not answer HTTP (one line)."""


class Response:
    __slots__ = ("body", "status")

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, base path) of an `http(s)://host[:port][/path]` URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise HttpError(f"{url!r}: expected an http(s):// URL")
    netloc, slash, path = rest.partition("/")
    if "@" in netloc or not netloc:
        raise HttpError(f"{url!r}: expected http(s)://host[:port][/path]")
    host, port = netloc, 443 if scheme == "https" else 80
    if netloc.startswith("["):  # [v6]:port
        host, _, tail = netloc[1:].partition("]")
        if tail:
            port = _port(url, tail.removeprefix(":"))
    elif ":" in netloc:
        host, _, raw = netloc.rpartition(":")
        port = _port(url, raw)
    return scheme, host, port, ("/" + path).rstrip("/") if slash else ""


def _port(url: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise HttpError(f"{url!r}: bad port {raw!r}")
    return int(raw)


class Http:
    """Requests to one base URL with fixed headers, over a reused connection."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float) -> None:
        self.scheme, self.host, self.port, self.base = split_url(url)
        self._headers = headers
        self._timeout = timeout
        self._sock: socket.socket | None = None
        self._buf = b""

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _connect(self) -> socket.socket:
        # an ASCII host as bytes: the resolver then needs no IDNA codec (three more modules)
        host: str | bytes = self.host.encode("ascii") if self.host.isascii() else self.host
        sock = socket.create_connection((host, self.port), timeout=self._timeout)  # type: ignore[arg-type]
        if self.scheme == "https":
            import ssl

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self._buf = b""
        return sock

    def request(self, method: str, path: str, body: object = None) -> Response:
        """One request; `HttpError` when nothing HTTP came back (connection, timeout, garbage)."""
        data = b"" if body is None else json.dumps(body).encode()
        host = f"[{self.host}]" if ":" in self.host else self.host
        head = [f"{method} {self.base}{path} HTTP/1.1", f"Host: {host}:{self.port}",
                f"Content-Length: {len(data)}", "Accept: application/json"]  # fmt: skip
        if body is not None:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in self._headers.items()]
        wire = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data
        try:
            if self._sock is None:
                self._sock = self._connect()
            self._sock.sendall(wire)
            status, headers = self._head()
            out = Response(status, self._body(headers))
        except (OSError, ValueError, HttpError) as exc:
            self.close()
            raise HttpError(str(exc) or type(exc).__name__) from None
        if headers.get("connection", "").lower() == "close":
            self.close()
        return out

    def _recv(self) -> bytes:
        assert self._sock is not None
        chunk = self._sock.recv(65536)
        if not chunk:
            raise HttpError("the connection closed before the answer was complete")
        return chunk

    def _line(self, limit: int) -> bytes:
        while b"\r\n" not in self._buf:
            if len(self._buf) > limit:
                raise HttpError("an answer line is too long")
            self._buf += self._recv()
        line, _, self._buf = self._buf.partition(b"\r\n")
        return line

    def _head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self._buf:
            if len(self._buf) > MAX_HEADERS:
                raise HttpError("the answer's headers are too large")
            self._buf += self._recv()
        raw, _, self._buf = self._buf.partition(b"\r\n\r\n")
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise HttpError(f"not an HTTP answer: {status_line[:80]!r}")
        headers: dict[str, str] = {}
        for line in lines:
            name, sep, value = line.partition(":")
            if not sep:
                raise HttpError(f"malformed header line {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()
        return int(code), headers

    def _body(self, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return self._chunked()
        raw = headers.get("content-length")
        if raw is None or not raw.isdigit():
            raise HttpError("the answer has no usable Content-Length")
        size = int(raw)
        if size > MAX_BODY:
            raise HttpError(f"the answer is over {MAX_BODY} bytes")
        while len(self._buf) < size:
            self._buf += self._recv()
        body, self._buf = self._buf[:size], self._buf[size:]
        return body

    def _chunked(self) -> bytes:
        body = b""
        while True:
            size_text = self._line(1024).split(b";")[0].strip()
            if not size_text or size_text.strip(b"0123456789abcdefABCDEF"):
                raise HttpError(f"bad chunk size {size_text[:20]!r}")
            size = int(size_text, 16)
            if size == 0:
                while self._line(MAX_HEADERS):  # trailers, then the blank line
                    pass
                return body
            if len(body) + size > MAX_BODY:
                raise HttpError(f"the answer is over {MAX_BODY} bytes")
            while len(self._buf) < size + 2:
                self._buf += self._recv()
            body += self._buf[:size]
            self._buf = self._buf[size + 2 :]
