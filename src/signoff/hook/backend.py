"""Where the hook checks tokens and records pushes: the control plane, or its database.

`Remote` speaks HTTP with the stdlib (`urllib`), so the hook starts fast; it uses the hook's
own credential (a `ci` API token), never the agent's. `Local` opens the server's database and
ledger (same settings as `signoff serve`) and calls the same service functions as the API.
Either way, anything but a clear answer is a `BrokerError(code="unavailable")`: the hook then
refuses the push (fail closed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from signoff.broker.errors import BrokerError
from signoff.errors import Error

TIMEOUT = 5.0


class Backend(Protocol):
    def introspect(self, token: str) -> dict[str, Any]: ...

    def report(self, push: dict[str, Any]) -> None: ...


class Remote:
    def __init__(self, url: str, credential: str) -> None:
        if not url.startswith(("http://", "https://")):
            raise BrokerError(f"--server {url!r}: expected an http(s):// URL", code="unavailable")
        self.url = url.rstrip("/")
        self._credential = credential

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        import urllib.error  # here, not at start: the local backend never needs it
        import urllib.request

        req = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self._credential}",
                "Content-Type": "application/json",
                "User-Agent": "signoff-hook",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
                data = json.loads(resp.read(1 << 20))
        except urllib.error.HTTPError as exc:
            try:
                err = json.loads(exc.read(1 << 16))["error"]
                detail = f"{err['code']}: {err['message']}"
            except (ValueError, KeyError, TypeError):
                detail = f"HTTP {exc.code}"
            raise BrokerError(
                f"control plane {self.url} refused {path}: {detail}",
                code="refused" if 400 <= exc.code < 500 else "unavailable",
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BrokerError(
                f"control plane {self.url} is unreachable ({reason}); pushes with task tokens "
                "are refused until it answers",
                code="unavailable",
            ) from None
        if not isinstance(data, dict):
            raise BrokerError(f"control plane {self.url}: unexpected answer", code="unavailable")
        return data

    def introspect(self, token: str) -> dict[str, Any]:
        return self._post("/v1/tokens/introspect", {"token": token})

    def report(self, push: dict[str, Any]) -> None:
        self._post("/v1/pushes", push)


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
