"""A local GitHub REST API double on 127.0.0.1, checked against GitHub's own OpenAPI description.

Every request it receives and every response it sends is validated with openapi-core against the
operations extracted from `@octokit/openapi` (tests/github/fixtures/openapi-subset.json, version
in its `info.x-source`). A request or response that does not match is recorded in `violations`
and answered with HTTP 500; the `github` fixture fails the test when any was recorded. Responses
are built from the spec's own examples, with the fields a test sets filled in.

Error answers (401, 403, 404, 5xx, or one a test injects with `fail`: GitHub sends them on any
call, while the description lists only some statuses per operation) are checked against GitHub's
`basic-error` schema instead.

Auth is checked as GitHub does it: `Authorization: token|Bearer <token>` for repository calls
(tokens the test issued, or installation tokens the double minted), and an RS256 app JWT (iss =
app id, at most 10 minutes long) for `POST /app/installations/{id}/access_tokens`.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import validate as validate_schema
from werkzeug.datastructures import Headers, ImmutableMultiDict

FIXTURES = Path(__file__).resolve().parent.parent / "github" / "fixtures"
API_VERSIONS = ("2022-11-28", "2026-03-10")
#: header `error()` sets on an error answer (removed before the answer leaves)
INJECTED = "X-Double-Injected"


@cache
def spec() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "openapi-subset.json").read_text())
    return doc


@cache
def openapi(base: str) -> OpenAPI:
    doc = copy.deepcopy(spec())
    doc["servers"] = [{"url": base}]
    return OpenAPI.from_dict(doc)


def example(name: str) -> Any:  # a JSON document of whatever shape the example has
    return copy.deepcopy(spec()["components"]["examples"][name]["value"])


class _Request:
    """openapi-core's request protocol over what the handler read."""

    def __init__(self, base: str, method: str, path: str, query: str, headers: Any, body: bytes):
        self.host_url = base
        self.path = path
        self.full_url_pattern = base + path
        self.method = method.lower()
        self.body = body or None
        self.content_type = headers.get("Content-Type", "application/json").split(";")[0]
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query)),
            header=Headers(list(headers.items())),
            cookie=ImmutableMultiDict(),
            path={},
        )


class _Response:
    def __init__(self, status: int, data: bytes, headers: Mapping[str, str]):
        self.status_code = status
        self.data = data
        self.content_type = "application/json"
        self.headers = Headers(list(headers.items()))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Hold:
    """`reached` is set once the held call has its answer; `release` lets the answer go."""

    TIMEOUT = 60.0

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def wait(self) -> None:
        self.reached.set()
        if not self.release.wait(self.TIMEOUT):
            raise TimeoutError("a held GitHub call was never released")


class GitHubDouble:
    """State and routes of the double; `url` once started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.violations: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self.tokens: dict[str, str] = {}  # token -> "owner/repo" it may use ("*": any)
        self.pulls: dict[tuple[str, int], dict[str, Any]] = {}
        self.reviews: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self.comments: dict[tuple[str, int], list[dict[str, Any]]] = {}
        #: repo -> check run id -> everything sent for it (annotations accumulated)
        self.check_runs: dict[str, dict[int, dict[str, Any]]] = {}
        self.installations: dict[int, str] = {}  # installation id -> "owner/repo"
        self.app_id = ""
        self.app_key: RSAKey | None = None
        self.fail: dict[str, int] = {}  # operation name -> HTTP status to answer instead
        #: operation name -> a hold on its next call: answered, then held back (`hold`)
        self.holds: dict[str, Hold] = {}
        self._ids = itertools.count(1000)
        self._server: ThreadingHTTPServer | None = None
        self.url = ""
        #: (double, request, headers, JSON body) -> (status, body, headers); github_routes.route
        self.router: Callable[..., tuple[int, bytes, dict[str, str]]] | None = None

    # -- test set-up ----------------------------------------------------------------------
    def hold(self, op: str) -> Hold:
        """The next call of `op` is answered from the state at that moment, but the answer
        is held back until the test releases it (a slow network, made exact)."""
        h = self.holds[op] = Hold()
        return h

    def token(self, repo: str) -> str:
        tok = "ghp_" + secrets.token_hex(18)
        self.tokens[tok] = repo
        return tok

    def add_pull(
        self, repo: str, number: int, *, base: tuple[str, str], head: tuple[str, str], user: str
    ) -> dict[str, Any]:
        owner, name = repo.split("/")
        pr: dict[str, Any] = example("pull-request")
        pr.update(number=number, state="open", html_url=f"https://github.com/{repo}/pull/{number}")
        pr["url"] = f"{self.url}/repos/{repo}/pulls/{number}"
        pr["user"]["login"] = user
        for side, (ref, sha) in (("base", base), ("head", head)):
            pr[side].update(ref=ref, sha=sha, label=f"{owner}:{ref}")
            pr[side]["repo"].update(name=name, full_name=repo)
            pr[side]["repo"]["owner"]["login"] = owner
        self.pulls[(repo, number)] = pr
        return pr

    def set_head(self, repo: str, number: int, sha: str) -> None:
        self.pulls[(repo, number)]["head"]["sha"] = sha

    def add_review(
        self, repo: str, number: int, login: str, state: str, commit_id: str, *, bot: bool = False
    ) -> dict[str, Any]:
        item: dict[str, Any] = example("pull-request-review-items")[0]
        rid = next(self._ids)
        item.update(
            id=rid,
            node_id=f"PRR_{rid}",
            state=state,
            commit_id=commit_id,
            submitted_at=_now(),
            html_url=f"https://github.com/{repo}/pull/{number}#pullrequestreview-{rid}",
            body="",
        )
        item["user"].update(login=login, type="Bot" if bot else "User")
        self.reviews.setdefault((repo, number), []).append(item)
        return item

    # -- serving ---------------------------------------------------------------------------
    def start(self) -> str:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                double._handle(self)

            def do_POST(self) -> None:
                double._handle(self)

            def do_PATCH(self) -> None:
                double._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        openapi(self.url)  # load (and check) the description before the first request
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = _Request(self.url, h.command, parts.path, parts.query, h.headers, body)
        api = openapi(self.url)
        try:
            api.validate_request(req)
        except Exception as exc:  # any mismatch is a finding
            status, data, headers = self._violation(req, "request", exc)
        else:
            status, data, headers = self._route(req, h.headers, body)
            try:
                if headers.pop(INJECTED, None):
                    # an error GitHub may send on any call (401, 403, 5xx) though the description
                    # lists only some per operation: checked against GitHub's error schema
                    validate_schema(
                        json.loads(data), spec()["components"]["schemas"]["basic-error"]
                    )
                else:
                    api.validate_response(req, _Response(status, data, headers))
            except Exception as exc:
                status, data, headers = self._violation(req, "response", exc)
        h.send_response(status)
        for k, v in {**headers, "Content-Type": "application/json"}.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _violation(
        self, req: _Request, what: str, exc: Exception
    ) -> tuple[int, bytes, dict[str, str]]:
        detail = f"{type(exc).__name__}: {exc}"
        if exc.__cause__ is not None:
            detail += f" ({exc.__cause__})"
        with self.lock:
            self.violations.append(f"{req.method.upper()} {req.path}: {what}: {detail}"[:2000])
        return 500, json.dumps({"message": f"{what} does not match GitHub's OpenAPI"}).encode(), {}

    def _route(self, req: _Request, headers: Any, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        version = headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:
            return error(400, f"unsupported API version {version}")
        if self.router is None:
            return error(500, "no routes")
        return self.router(self, req, headers, json.loads(body) if body else None)

    # -- auth -------------------------------------------------------------------------------
    def repo_token(self, headers: Any, repo: str) -> bool:
        auth = headers.get("Authorization", "")
        m = re.match(r"^(?:token|Bearer) (\S+)$", auth)
        if m is None:
            return False
        allowed = self.tokens.get(m.group(1))
        return allowed in (repo, "*")

    def app_jwt(self, headers: Any) -> bool:
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or self.app_key is None:
            return False
        try:
            tok = jwt.decode(auth.removeprefix("Bearer "), self.app_key, algorithms=["RS256"])
        except (JoseError, ValueError):
            return False
        claims = tok.claims
        now = dt.datetime.now(dt.UTC).timestamp()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            return False
        return (
            str(claims.get("iss")) == self.app_id
            and iat <= now + 60
            and now < exp
            and exp - iat <= 660
        )

    def next_id(self) -> int:
        return next(self._ids)


def error(status: int, message: str) -> tuple[int, bytes, dict[str, str]]:
    """GitHub's error answer (`basic-error`), marked to be checked against that schema."""
    body = json.dumps({"message": message, "documentation_url": ""}).encode()
    return status, body, {INJECTED: "1"}
