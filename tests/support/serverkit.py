"""Run the control plane for tests on a real loopback socket, and talk to it over HTTP.

`ThreadServer` runs uvicorn in a thread of the test process (fast; the app object is at hand);
`ProcServer` runs `signoff serve` as a child process (what replicas are). Both serve until
stopped. `Api` is an httpx client with a token and small helpers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from signoff.app import create_app
from signoff.server.serving import uvicorn_options
from signoff.server.settings import Settings, load
from signoff.server.tokens.service import bootstrap


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_settings(data_dir: Path, database_url: str | None = None, **kw: Any) -> Settings:
    env = {"SIGNOFF_DATA_DIR": str(data_dir)}
    if database_url:
        env["SIGNOFF_DATABASE_URL"] = database_url
    return load(env, port=free_port(), **kw)


class ThreadServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.ctx = self.app.state.ctx
        scheme = "https" if settings.tls_certfile else "http"
        self.url = f"{scheme}://127.0.0.1:{settings.port}"
        # the options `signoff serve` gives uvicorn (forwarded headers, TLS), on loopback
        options = {**uvicorn_options(settings), "host": "127.0.0.1"}
        config = uvicorn.Config(self.app, lifespan="on", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def bootstrap(self, human: str = "root", email: str = "root@example.com") -> str:
        return bootstrap(self.ctx, human, email, human.title(), 3600).token

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


class ProcServer:
    """`signoff serve` in a child process, configured by environment variables."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings = settings
        self.url = f"http://127.0.0.1:{settings.port}"
        env = {
            **os.environ,
            "SIGNOFF_DATA_DIR": str(settings.data_dir),
            "SIGNOFF_DATABASE_URL": settings.database_url,
            "SIGNOFF_LEDGER_URL": settings.ledger_url,
            "SIGNOFF_LEDGER_KEY": str(settings.ledger_key),
            "SIGNOFF_PORT": str(settings.port),
            "SIGNOFF_LOG_LEVEL": "warning",
        }
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "signoff.cli.main", "serve"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60  # a loaded machine starts Python slowly
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"signoff serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@dataclass
class Api:
    url: str
    token: str | None = None
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=60)
        _OPEN.append(self)

    def as_(self, token: str | None) -> Api:
        return Api(self.url, token)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.http.post(path, json=body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.http.patch(path, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(path, **kw)

    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        resp = self.http.request(method, path, json=body, **kw)
        assert resp.status_code < 300, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def token_for(self, name: str, roles: list[str], human: str | None = None, **kw: Any) -> str:
        body = {"name": name, "roles": roles, **({"human": human} if human else {}), **kw}
        token = self.ok("POST", "/v1/tokens", body)["token"]
        assert isinstance(token, str)
        return token

    def close(self) -> None:
        self.http.close()


_OPEN: list[Api] = []


def close_clients() -> None:
    """Close every `Api` made so far (tests make many; sockets must not leak)."""
    while _OPEN:
        _OPEN.pop().close()


def held_person(admin: Api, tmp: Path, who: str, roles: list[str], **human: Any) -> Api:
    """Register person `who` with an SSH key of their own, issue them a token and claim it with
    that key: an Api acting with a token they hold (approving and promoting need one)."""
    from gitrepo import keygen

    key, pub = keygen(tmp, f"{who}-key")
    body = {"id": who, "email": f"{who}@example.com", "name": who, "keys": [pub], **human}
    admin.ok("POST", "/v1/humans", body)
    return admin.as_(claim(admin.url, admin.token_for(f"{who}-token", roles, who), key))


def claim(url: str, token: str, key: Path) -> str:
    """Claim a token issued for a person with their own SSH key (as `signoff server claim`
    does); returns the token's new secret (the old one stops working)."""
    from signoff.approvals.sshsig import sign

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
        ch = c.post("/v1/tokens/claim/challenge")
        assert ch.status_code == 200, ch.text
        body = ch.json()
        sig = sign(body["message"].encode(), key, body["namespace"]).decode()
        out = c.post("/v1/tokens/claim", json={"nonce": body["nonce"], "signature": sig})
        assert out.status_code == 200, out.text
        new = out.json()["token"]
    assert isinstance(new, str)
    return new
