"""The broker's per-process state: configuration, signing keys and the JWKS cache.

Configuration comes from `SIGNOFF_BROKER_*` environment variables (the server's own settings
file is another engineer's; these may move there):

    SIGNOFF_BROKER_ISSUER            `iss` of task tokens and the PoP audience (default "signoff")
    SIGNOFF_BROKER_AUDIENCE          `aud` of task tokens: the git enforcement points
                                     (default "signoff-git")
    SIGNOFF_BROKER_KEY_ALG           Ed25519 (default) or ES256
    SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK=1   trust policies may name http://127.0.0.1 issuers
                                     and JWKS URLs: for tests only, warned about at start
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from signoff.broker.keys import KeyRing
from signoff.broker.oidc import Fetch, JwksCache, https_fetcher
from signoff.server.broker.refusals import RefusalLog

log = logging.getLogger("signoff.server.broker")


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    issuer: str = "signoff"
    audience: str = "signoff-git"
    key_alg: str = "Ed25519"
    allow_insecure_loopback: bool = False
    jwks_min_refresh: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BrokerConfig:
        env = os.environ if env is None else env
        return cls(
            issuer=env.get("SIGNOFF_BROKER_ISSUER") or "signoff",
            audience=env.get("SIGNOFF_BROKER_AUDIENCE") or "signoff-git",
            key_alg=env.get("SIGNOFF_BROKER_KEY_ALG") or "Ed25519",
            allow_insecure_loopback=env.get("SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK") == "1",
        )


class Broker:
    def __init__(
        self, config: BrokerConfig, key_dir: Path | None, fetch: Fetch | None = None
    ) -> None:
        self.config = config
        self.keys = KeyRing(key_dir, config.key_alg)
        self.jwks_cache = JwksCache(fetch or https_fetcher(), config.jwks_min_refresh)
        self.refusals = RefusalLog()
        if config.allow_insecure_loopback:
            log.warning(
                "UNSAFE: SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK is set: trust policies may use "
                "plain-http loopback issuers (tests only)"
            )


def key_dir(data_dir: Path) -> Path:
    return data_dir / "broker-keys"
