"""Where the hook checks tokens, records pushes and finds what the gate needs: the control
plane over HTTP, or its database directly.

`Remote` speaks HTTP with the hook's own credential (a `ci` API token, never the agent's): the
hot path (introspection, the push report) with the minimal client of `signoff.hook.http`, so
the hook starts fast; the gate's sources for a protected-branch update (witnessed pushes,
API approvals, the decision record) with `signoff.client`, the same as `signoff check
--server`. `Local` opens the server's database and ledger (same settings as `signoff serve`)
and calls the same service functions as the API. Either way, anything but a clear answer is a
`BrokerError(code="unavailable")`: the hook then refuses the push (fail closed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from signoff.broker.errors import BrokerError
from signoff.errors import Error

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from signoff.approvals.check import RecordSource
    from signoff.attribution.attribute import Witness

TIMEOUT = 5.0
CREDENTIAL_FILE = "signoff-hook.token"


def credential(repo: str, env: Mapping[str, str]) -> str | None:
    """The hook's own token: `SIGNOFF_HOOK_TOKEN`, else the 0600 file in the repository."""
    if env.get("SIGNOFF_HOOK_TOKEN"):
        return env["SIGNOFF_HOOK_TOKEN"].strip()
    path = os.path.join(repo, CREDENTIAL_FILE)
    try:
        if os.stat(path).st_mode & 0o077:
            raise Error(f"{path} is readable by others: chmod 600 it")
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip() or None
    except FileNotFoundError:
        return None


class TimedWitness(Protocol):
    """The pushes this hook witnessed (`WitnessSource`), and when each commit was first seen."""

    times: dict[str, dt.datetime]

    def witnessed(self, shas: Sequence[str]) -> Mapping[str, Witness]: ...


class Backend(Protocol):
    def introspect(self, token: str) -> dict[str, Any]: ...

    def report(self, push: dict[str, Any]) -> None: ...

    def gate_sources(self, repo: str) -> tuple[RecordSource, TimedWitness]:
        """The control plane's approvals and the pushes this hook witnessed, for the gate."""
        ...

    def record_decision(self, repo: str, record: Mapping[str, Any]) -> None: ...


class Remote:
    def __init__(self, url: str, credential: str) -> None:
        from signoff.hook.http import Http, HttpError

        self.url = url.rstrip("/")
        self._credential = credential
        try:
            self._http = Http(
                self.url,
                {"Authorization": f"Bearer {credential}", "User-Agent": "signoff-hook"},
                TIMEOUT,
            )
        except HttpError as exc:
            raise BrokerError(f"--server: {exc}", code="unavailable") from None

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        from signoff.hook.http import HttpError

        try:
            resp = self._http.request("POST", path, body)
            data = resp.json() if resp.status < 400 else None
        except (HttpError, ValueError) as exc:
            raise BrokerError(
                f"control plane {self.url} is unreachable ({exc}); pushes with task tokens "
                "are refused until it answers",
                code="unavailable",
            ) from None
        if resp.status >= 400:
            try:
                err = resp.json()["error"]
                detail = f"{err['code']}: {err['message']}"
            except (ValueError, KeyError, TypeError):
                detail = f"HTTP {resp.status}"
            raise BrokerError(
                f"control plane {self.url} refused {path}: {detail}",
                code="refused" if resp.status < 500 else "unavailable",
            )
        if not isinstance(data, dict):
            raise BrokerError(f"control plane {self.url}: unexpected answer", code="unavailable")
        return data

    def introspect(self, token: str) -> dict[str, Any]:
        return self._post("/v1/tokens/introspect", {"token": token})

    def report(self, push: dict[str, Any]) -> None:
        self._post("/v1/pushes", push)

    def _client(self) -> Any:
        from signoff.client import Client

        return Client(self.url, self._credential, timeout=30.0)

    def gate_sources(self, repo: str) -> tuple[RecordSource, TimedWitness]:
        from signoff.client import ServerApprovals

        client = self._client()
        return ServerApprovals(client, repo), _RemoteWitness(client, repo)

    def record_decision(self, repo: str, record: Mapping[str, Any]) -> None:
        from signoff.client import post_decision

        try:
            post_decision(self._client(), repo, record)
        except Error as exc:
            raise BrokerError(str(exc).splitlines()[0], code="unavailable") from None


class Local:
    """The server's own database and ledger, for a git server on the control plane's host."""

    def __init__(self, data_dir: Path | None, database_url: str | None) -> None:
        from signoff.ledger.service import Ledger
        from signoff.server.broker.state import Broker, BrokerConfig, key_dir
        from signoff.server.context import Context
        from signoff.server.db import Database
        from signoff.server.ledgering import Recorder
        from signoff.server.settings import load

        try:
            s = load(data_dir=data_dir, database_url=database_url)
            db = Database(s.database_url, pool_size=2)
            ledger = Ledger(s.ledger_url, key_path=s.ledger_key)
        except Error as exc:
            raise BrokerError(
                f"cannot open the local control plane: {exc}", code="unavailable"
            ) from None
        self.ctx = Context(settings=s, db=db, recorder=Recorder(ledger))
        self.broker = Broker(BrokerConfig.from_env(), key_dir(s.data_dir))

    def introspect(self, token: str) -> dict[str, Any]:
        from signoff.server.broker.service import introspect

        try:
            answer = introspect(self.ctx, self.broker, token, None)
        except Error as exc:
            raise BrokerError(f"local control plane: {exc}", code="unavailable") from None
        return answer.model_dump(exclude_none=True)

    def report(self, push: dict[str, Any]) -> None:
        from pydantic import ValidationError

        from signoff.server.broker.schemas import PushIn
        from signoff.server.broker.service import witness
        from signoff.server.errors import ServiceError

        try:
            witness(self.ctx, None, PushIn.model_validate(push, strict=False))
        except ServiceError as exc:
            raise BrokerError(f"local control plane refused the push: {exc.message}") from None
        except (Error, ValidationError) as exc:
            msg = str(exc).splitlines()[0]
            raise BrokerError(f"local control plane: {msg}", code="unavailable") from None

    def gate_sources(self, repo: str) -> tuple[RecordSource, TimedWitness]:
        from signoff.server.releases.sources import ServerApprovals

        return ServerApprovals(self.ctx, repo), _LocalWitness(self, repo)

    def record_decision(self, repo: str, record: Mapping[str, Any]) -> None:
        from pydantic import ValidationError

        from signoff.server.decisions.schemas import DecisionIn
        from signoff.server.decisions.service import append
        from signoff.server.errors import ServiceError

        try:
            append(self.ctx, None, repo, DecisionIn.model_validate(dict(record), strict=False))
        except (ServiceError, Error, ValidationError) as exc:
            msg = exc.message if isinstance(exc, ServiceError) else str(exc).splitlines()[0]
            raise BrokerError(f"local control plane: {msg}", code="unavailable") from None


def _stamp(text: str) -> dt.datetime:
    import datetime  # here: the token path never needs it

    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class _RemoteWitness:
    """`GET /v1/witnessed` (as `signoff.client.ServerWitness`), keeping each push's time."""

    BATCH = 150

    def __init__(self, client: Any, repo: str) -> None:
        self.client = client
        self.repo = repo
        self.times: dict[str, dt.datetime] = {}

    def witnessed(self, shas: Sequence[str]) -> dict[str, Witness]:
        from signoff.attribution.attribute import Witness

        out: dict[str, Witness] = {}
        for start in range(0, len(shas), self.BATCH):
            params = {"repo": self.repo, "commit": list(shas[start : start + self.BATCH])}
            for item in self.client.call("GET", "/v1/witnessed", params=params):
                sha = item["commit"]
                out[sha] = Witness(item["task"], item["agent"], item["requester"], item["ref"])
                _earliest(self.times, sha, _stamp(item["time"]))
        return out


class _LocalWitness:
    """`TimedWitness` over the server's table of witnessed pushes."""

    def __init__(self, local: Local, repo: str) -> None:
        self.local = local
        self.repo = repo
        self.times: dict[str, dt.datetime] = {}

    def witnessed(self, shas: Sequence[str]) -> dict[str, Witness]:
        from signoff.attribution.attribute import Witness
        from signoff.server.broker.repository import witnessed_for

        with self.local.ctx.db.read() as conn:
            rows = witnessed_for(conn, self.repo, list(shas))
        out = {}
        for r in rows:
            out[r["commit_sha"]] = Witness(r["task"], r["agent"], r["requester"], r["ref"])
            _earliest(self.times, r["commit_sha"], _stamp(r["time"]))
        return out


def _earliest(times: dict[str, dt.datetime], sha: str, when: dt.datetime) -> None:
    if sha not in times or when < times[sha]:
        times[sha] = when
