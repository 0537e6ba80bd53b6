"""One merge request note that signoff keeps up to date, through GitLab's REST API (v4).

The note starts with a hidden marker. On each run the notes of the merge request are read, the
first one that carries the marker *and* was written by the token's own user is edited, and only
if there is none is a new note posted. Anyone can paste the marker into a comment; matching the
author as well means a note someone else wrote is never taken for signoff's.

Authentication is a project (or group) access token in the `PRIVATE-TOKEN` header: the CI job
token cannot write notes (GitLab lets it call only a short list of endpoints). Requests go to
the API URL given and nowhere else: redirects are refused, and the URL must be https unless it
is a loopback address (a local test double).
"""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from dataclasses import dataclass
from json import dumps, loads
from typing import Any
from urllib.parse import quote, urlsplit

from signoff.errors import Error
from signoff.httpio import opener

MARKER = "<!-- signoff:merge-request-note -->"
#: GitLab refuses note bodies over 1,000,000 characters.
MAX_BODY = 1_000_000
#: Notes read per page, and pages read at most (a merge request with more is not searched further).
PER_PAGE = 100
MAX_PAGES = 50
TIMEOUT = 30.0


class GitLabError(Error):
    """The GitLab API refused a request or could not be reached."""


@dataclass(frozen=True)
class Target:
    """The merge request to keep the note on."""

    project: str  # $CI_PROJECT_ID (a number) or a path such as group/project
    merge_request: int  # $CI_MERGE_REQUEST_IID


def check_api_url(url: str) -> str:
    """The URL without a trailing slash; https, or http to a loopback address only."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.rstrip("/")
    if parts.scheme == "http" and _loopback(host):
        return url.rstrip("/")
    raise GitLabError(
        f"GitLab API URL {url!r}: expected https:// (http only to a loopback address)"
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Api:
    def __init__(self, api_url: str, token: str) -> None:
        if not token:
            raise GitLabError("no GitLab token: set SIGNOFF_GITLAB_TOKEN (a project access token)")
        self.url = check_api_url(api_url)
        self._token = token
        self._opener = opener()

    def request(self, method: str, path: str, body: Any = None) -> tuple[Any, dict[str, str]]:
        """The decoded JSON answer and the response headers; a failure is one `GitLabError`."""
        headers = {"PRIVATE-TOKEN": self._token, "Accept": "application/json"}
        data = None
        if body is not None:
            data = dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)  # noqa: S310 (scheme checked in check_api_url)
        try:
            with self._opener.open(req, timeout=TIMEOUT) as resp:
                raw = resp.read()
                answer_headers = {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as exc:
            raise GitLabError(f"GitLab {method} {path}: HTTP {exc.code} {_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitLabError(f"cannot reach GitLab at {self.url}: {reason}") from None
        try:
            return loads(raw), answer_headers
        except ValueError:
            raise GitLabError(f"GitLab {method} {path}: the answer is not JSON") from None


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        doc = loads(exc.read(1 << 16))
    except (OSError, ValueError):
        return ""
    text = doc.get("message") or doc.get("error") if isinstance(doc, dict) else None
    return str(text)[:200] if text else ""


def note_body(markdown: str) -> str:
    """The marker, then the report, cut to GitLab's limit with a line saying so."""
    body = f"{MARKER}\n{markdown}"
    if len(body) <= MAX_BODY:
        return body
    cut = "\n\n_(report shortened to GitLab's note limit: see the job's artifacts for all of it)_\n"
    return body[: MAX_BODY - len(cut)] + cut


def upsert_note(api: Api, target: Target, markdown: str) -> tuple[str, int]:
    """Edit signoff's note on the merge request, or post it; ("updated"|"created", note id)."""
    me, _ = api.request("GET", "/user")
    if not isinstance(me, dict) or not isinstance(me.get("id"), int):
        raise GitLabError("GitLab GET /user: no user id in the answer")
    base = f"/projects/{quote(target.project, safe='')}/merge_requests/{target.merge_request}/notes"
    body = {"body": note_body(markdown)}
    existing = _find_own_note(api, base, me["id"])
    if existing is not None:
        note, _ = api.request("PUT", f"{base}/{existing}", body)
        return "updated", _note_id(note, "PUT")
    note, _ = api.request("POST", base, body)
    return "created", _note_id(note, "POST")


def _find_own_note(api: Api, base: str, user_id: int) -> int | None:
    page = "1"
    for _ in range(MAX_PAGES):
        notes, headers = api.request(
            "GET", f"{base}?sort=asc&order_by=created_at&per_page={PER_PAGE}&page={page}"
        )
        if not isinstance(notes, list):
            raise GitLabError(f"GitLab GET {base}: expected a list of notes")
        for n in notes:
            if not isinstance(n, dict):
                continue
            author = n.get("author")
            if (
                isinstance(author, dict)
                and author.get("id") == user_id
                and not n.get("system")
                and str(n.get("body", "")).startswith(MARKER)
                and isinstance(n.get("id"), int)
            ):
                return int(n["id"])
        page = headers.get("x-next-page", "")
        if not page.isdigit():
            return None
    return None


def _note_id(note: Any, method: str) -> int:
    if isinstance(note, dict) and isinstance(note.get("id"), int):
        return int(note["id"])
    raise GitLabError(f"GitLab {method} note: no note id in the answer")
