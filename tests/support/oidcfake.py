"""A simulated OIDC issuer for tests: ES256 keys made here, a JWKS served on loopback HTTP."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey


class FakeIssuer:
    def __init__(self) -> None:
        self.keys: list[ECKey] = [ECKey.generate_key("P-256", private=True)]
        self.fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.fetches += 1
                body = json.dumps(issuer.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.jwks_url = f"{self.url}/.well-known/jwks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def jwks(self) -> dict[str, Any]:
        out = []
        for k in self.keys:
            d = dict(k.as_dict(private=False))
            d.update(kid=k.thumbprint(), alg="ES256", use="sig")
            out.append(d)
        return {"keys": out}

    def rotate(self) -> None:
        self.keys.append(ECKey.generate_key("P-256", private=True))

    def token(
        self, *, key: ECKey | None = None, header: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        k = key or self.keys[-1]
        now = int(time.time())
        body = {
            "iss": self.url,
            "aud": "signoff",
            "sub": "repo:acme/widget:ref:refs/heads/main",
            "iat": now,
            "nbf": now - 5,
            "exp": now + 300,
            "jti": secrets.token_hex(16),
            "repository": "acme/widget",
            "repository_id": "123456",
            "repository_owner_id": "7890",
            "job_workflow_ref": "acme/widget/.github/workflows/agent.yml@refs/heads/main",
            "ref": "refs/heads/main",
            "event_name": "workflow_dispatch",
        }
        body.update(claims)
        body = {k2: v for k2, v in body.items() if v is not None}
        h = {"alg": "ES256", "kid": k.thumbprint(), "typ": "JWT", **(header or {})}
        return jws.serialize_compact(h, json.dumps(body).encode(), k, algorithms=["ES256"])

    def policy(self, **claims: Any) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "audience": "signoff",
            "jwks_url": self.jwks_url,
            "claims": claims
            or {
                "repository_id": "123456",
                "repository_owner_id": "7890",
                "job_workflow_ref": {"glob": "acme/widget/.github/workflows/*.yml@refs/heads/main"},
                "event_name": {"one_of": ["workflow_dispatch", "schedule"]},
            },
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
