"""A local double of GitLab's REST API (v4) for merge request notes, on 127.0.0.1.

It serves `GET /api/v4/user` and the list / create / modify endpoints of merge request notes.
Every request is checked against the shapes GitLab documents (tests/gitlab/data/
notes-api.schema.json): method, path, query parameters, JSON body, the PRIVATE-TOKEN header;
and every answer it gives is checked against the same file, so the double cannot drift from the
documented API. A request that does not fit is answered 400 and recorded in `problems`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "gitlab/data/notes-api.schema.json").read_text()
)
_NOTES = re.compile(r"^/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes(?:/(\d+))?$")


def _check(instance: Any, name: str) -> None:
    jsonschema.validate(instance, {**SCHEMA, "$ref": f"#/$defs/{name}"})


def user(uid: int, username: str) -> dict[str, Any]:
    return {
        "id": uid,
        "username": username,
        "name": username.title(),
        "state": "active",
        "avatar_url": None,
        "web_url": f"https://gitlab.example.com/{username}",
    }


@dataclass
class GitLab:
    """State of the double: users by token, notes of one merge request, every request seen."""

    project: str = "42"
    mr_iid: int = 7
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _next_id: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_note(self, author: dict[str, Any], body: str, *, system: bool = False) -> int:
        self._next_id += 1
        stamp = "2026-01-01T00:00:00.000Z"
        self.notes.append(
            {
                "id": self._next_id,
                "type": None,
                "body": body,
                "attachment": None,
                "author": author,
                "created_at": stamp,
                "updated_at": stamp,
                "system": system,
                "noteable_id": 500,
                "noteable_type": "MergeRequest",
                "noteable_iid": self.mr_iid,
                "resolvable": False,
                "confidential": False,
                "internal": False,
            }
        )
        return self._next_id

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        url = urlsplit(raw_path)
        query = dict(parse_qsl(url.query))
        doc: Any = json.loads(body) if body else None
        with self._lock:
            self.requests.append((method, raw_path, doc))
            me = self.tokens.get(headers.get("private-token", ""))
            if me is None:
                return 401, {"message": "401 Unauthorized"}, {}
            if method == "GET" and url.path == "/api/v4/user" and not query:
                return self._answer(200, me, "user")
            m = _NOTES.match(url.path)
            if m is None or unquote(m.group(1)) != self.project or int(m.group(2)) != self.mr_iid:
                return self._problem(404, f"{method} {raw_path}: no such endpoint or object")
            note_id = int(m.group(3)) if m.group(3) else None
            try:
                if method == "GET" and note_id is None:
                    _check(query, "list_query")
                    return self._list(query)
                if method == "POST" and note_id is None and not query:
                    _check(doc, "create_body")
                    self.add_note(me, doc["body"])
                    return self._answer(201, self.notes[-1], "note")
                if method == "PUT" and note_id is not None and not query:
                    _check(doc, "modify_body")
                    return self._modify(me, note_id, doc["body"])
            except jsonschema.ValidationError as exc:
                return self._problem(400, f"{method} {raw_path}: {exc.message}")
            return self._problem(405, f"{method} {raw_path}: not an endpoint of the notes API")

    def _list(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        notes = sorted(self.notes, key=lambda n: (n["created_at"], n["id"]))
        if query.get("sort", "desc") == "desc":
            notes.reverse()
        page, per_page = int(query.get("page", "1")), int(query.get("per_page", "20"))
        chunk = notes[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(notes)
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Next-Page": str(page + 1) if more else "",
            "X-Total": str(len(notes)),
        }
        status, doc, _ = self._answer(200, chunk, "notes")
        return status, doc, headers

    def _modify(
        self, me: dict[str, Any], note_id: int, body: str
    ) -> tuple[int, Any, dict[str, str]]:
        for n in self.notes:
            if n["id"] == note_id:
                if n["author"]["id"] != me["id"]:
                    return 403, {"message": "403 Forbidden"}, {}
                n["body"] = body
                n["updated_at"] = "2026-01-02T00:00:00.000Z"
                return self._answer(200, n, "note")
        return self._problem(404, f"note {note_id} not found")

    def _answer(self, status: int, doc: Any, name: str) -> tuple[int, Any, dict[str, str]]:
        _check(doc, name)  # the double itself keeps to the documented shape
        return status, doc, {}

    def _problem(self, status: int, text: str) -> tuple[int, Any, dict[str, str]]:
        self.problems.append(text)
        return status, {"message": text}, {}


def serve(state: GitLab) -> tuple[ThreadingHTTPServer, str]:
    """Start the double on a free loopback port; returns the server and its API URL."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, doc, extra = state.handle(self.command, self.path, headers, body)
            except ValueError as exc:
                status, doc, extra = 400, {"message": f"bad request: {exc}"}, {}
                state.problems.append(str(exc))
            out = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815 (http.server's names)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/v4"
