"""A small client for the control plane, used by `signoff check --server` and by the release,
artifact and trace commands' `--server` (`signoff.cli._remote`).

It speaks HTTP with the standard library (`urllib`), so the gate installed without the `server`
extra still reaches a control plane. Redirects are refused rather than followed, so the bearer
token is only ever sent to the URL given. Every failure becomes one `ServerError` line naming the
status and the server's error code.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from json import dumps, loads
from typing import Any
from urllib.parse import urlencode

from signoff.approvals.server_source import checked_from_api
from signoff.approvals.verify import CheckedRecord
from signoff.attribution.attribute import Witness
from signoff.errors import Error
from signoff.httpio import opener
from signoff.identity.agents import Registry, parse_registry

#: Approvals fetched per request (the server's maximum page size).
PAGE = 200


class ServerError(Error):
    """The control plane refused a request or could not be reached."""


class Client:
    def __init__(self, url: str, token: str | None, *, timeout: float = 30.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ServerError(f"--server {url!r}: expected an http:// or https:// URL")
        if not token:
            raise ServerError("--server needs a token: pass --token or set SIGNOFF_TOKEN")
        self.url = url.rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {token}",
            "User-Agent": "signoff-cli",
            "Accept": "application/json",
        }
        self._timeout = timeout
        self._opener = opener()

    def close(self) -> None:
        """Nothing to release: each request opens and closes its own connection."""

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> bytes:
        url = self.url + path
        if params:
            url += "?" + urlencode([(k, v) for k, v in params.items() if v is not None], doseq=True)
        headers = dict(self._headers)
        data = None
        if json_body is not None:
            data = dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 (scheme checked in __init__)
        try:
            with self._opener.open(req, timeout=self._timeout) as resp:
                body: bytes = resp.read()
                return body
        except urllib.error.HTTPError as exc:
            raise ServerError(f"{method} {path}: HTTP {exc.code} {_detail(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerError(f"cannot reach {self.url}: {reason}") from None

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """The JSON answer; any failure is one `ServerError` line."""
        body = self._send(method, path, params=params, json_body=json)
        try:
            return loads(body)
        except ValueError:
            raise ServerError(f"{method} {path}: the server did not answer JSON") from None

    def text(self, method: str, path: str, *, params: Mapping[str, Any] | None = None) -> str:
        """A text answer (an attestation bundle)."""
        body = self._send(method, path, params=params)
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise ServerError(f"{method} {path}: the answer is not UTF-8 text") from None


def _detail(exc: urllib.error.HTTPError) -> str:
    """`code: message` from the server's error body, else the start of whatever it sent."""
    try:
        raw = exc.read(1 << 16)
    except OSError:
        return ""
    try:
        err = loads(raw)["error"]
        return f"{err['code']}: {err['message']}"
    except (ValueError, KeyError, TypeError):
        return raw[:200].decode("utf-8", "replace")


class ServerApprovals:
    """The gate's second record source (`signoff.approvals.check.RecordSource`)."""

    def __init__(self, client: Client, repo: str) -> None:
        self.client = client
        self.repo = repo
        self.url = client.url

    def fetch(self, digests: Mapping[str, str], repository: str) -> list[CheckedRecord]:
        wanted = [f"sha256:{d}" for d in sorted(set(digests.values()))]
        out: list[CheckedRecord] = []
        for start in range(0, len(wanted), 50):  # the server takes up to 50 digests a request
            params: dict[str, Any] = {"digest": wanted[start : start + 50], "limit": PAGE}
            while True:
                page = self.client.call("GET", f"/v1/repos/{self.repo}/approvals", params=params)
                out += [checked_from_api(item, repository) for item in page["items"]]
                if not page.get("next_cursor"):
                    break
                params["cursor"] = page["next_cursor"]
        return out


class ServerWitness:
    """Pushes the git-server hook witnessed (the gate's `signoff.gate.check.WitnessSource`)."""

    #: Commits per request: keeps the query string well under common URL limits.
    BATCH = 150

    def __init__(self, client: Client, repo: str) -> None:
        self.client = client
        self.repo = repo

    def witnessed(self, shas: Sequence[str]) -> dict[str, Witness]:
        out: dict[str, Witness] = {}
        for start in range(0, len(shas), self.BATCH):
            params = {"repo": self.repo, "commit": list(shas[start : start + self.BATCH])}
            for item in self.client.call("GET", "/v1/witnessed", params=params):
                out[item["commit"]] = Witness(
                    item["task"], item["agent"], item["requester"], item["ref"]
                )
        return out


def server_registry(client: Client) -> Registry:
    """The control plane's registered agents (`GET /v1/gate/agents`), validated exactly as a
    repository's `.signoff/agents.yml` is."""
    doc = client.call("GET", "/v1/gate/agents")
    return parse_registry(dumps(doc).encode(), f"{client.url}/v1/gate/agents")


def post_decision(client: Client, repo: str, record: Mapping[str, Any]) -> Any:
    return client.call("POST", f"/v1/repos/{repo}/decisions", json=dict(record))
