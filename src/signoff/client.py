"""A small client for the control plane, used by `signoff check --server` and by the release,
artifact and trace commands' `--server` (`signoff.cli._remote`).

Imported only when a command is given `--server`, so the plain gate never loads an HTTP stack.
Every failure becomes one `ServerError` line naming the status and the server's error code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from signoff.approvals.server_source import checked_from_api
from signoff.approvals.verify import CheckedRecord
from signoff.attribution.attribute import Witness
from signoff.errors import Error

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
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "signoff-cli"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            resp = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach {self.url}: {exc}") from None
        if resp.status_code >= 400:
            try:
                err = resp.json()["error"]
                detail = f"{err['code']}: {err['message']}"
            except (ValueError, KeyError, TypeError):
                detail = resp.text[:200]
            raise ServerError(f"{method} {path}: HTTP {resp.status_code} {detail}")
        return resp

    def call(self, method: str, path: str, **kw: Any) -> Any:
        """The JSON answer; any failure is one `ServerError` line."""
        resp = self._send(method, path, **kw)
        try:
            return resp.json()
        except ValueError:
            raise ServerError(f"{method} {path}: the server did not answer JSON") from None

    def text(self, method: str, path: str, **kw: Any) -> str:
        """A text answer (an attestation bundle)."""
        return self._send(method, path, **kw).text


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


def post_decision(client: Client, repo: str, record: Mapping[str, Any]) -> Any:
    return client.call("POST", f"/v1/repos/{repo}/decisions", json=dict(record))
