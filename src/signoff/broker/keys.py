"""The broker's token-signing keys: generated here, kept as 0600 files, published as a JWKS.

One key is active (the newest not retired); `rotate()` retires it and makes a new one. Retired
keys stay in the JWKS and verify tokens until every token they signed has expired
(`retired + MAX_LIFETIME + LEEWAY`), then `prune()` deletes them. The `kid` is the key's RFC 7638
thumbprint, so it can never collide or point anywhere but at the key itself.

Files live in one directory (`<data_dir>/broker-keys/<kid>.json`, written with O_EXCL and mode
0600); every replica of a deployment must share it, like the ledger key. A replica that meets a
`kid` it does not know re-reads the directory (at most once a second) before refusing.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, OKPKey

from signoff.broker.errors import BrokerError
from signoff.broker.jose import LEEWAY, MAX_LIFETIME, VerifyKey

ALGS = {"Ed25519": "Ed25519", "ES256": "ES256"}


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    alg: str
    key: OKPKey | ECKey
    created: int
    retired: int | None = None

    def public(self) -> dict[str, Any]:
        jwk = dict(self.key.as_dict(private=False))
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        return jwk

    def to_file(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "alg": self.alg,
            "created": self.created,
            "retired": self.retired,
            "jwk": dict(self.key.as_dict(private=True)),
        }


def generate(alg: str = "Ed25519", now: int | None = None) -> SigningKey:
    if alg == "Ed25519":
        key: OKPKey | ECKey = OKPKey.generate_key("Ed25519", private=True)
    elif alg == "ES256":
        key = ECKey.generate_key("P-256", private=True)
    else:
        raise BrokerError(f"unsupported signing algorithm {alg!r} (use Ed25519 or ES256)")
    return SigningKey(key.thumbprint(), alg, key, int(now if now is not None else time.time()))


def _load(data: dict[str, Any]) -> SigningKey:
    alg = data["alg"]
    jwk = data["jwk"]
    key: OKPKey | ECKey = OKPKey.import_key(jwk) if alg == "Ed25519" else ECKey.import_key(jwk)
    if key.thumbprint() != data["kid"] or alg not in ALGS:
        raise BrokerError(f"broker key {data.get('kid')!r} is inconsistent; refusing to use it")
    return SigningKey(data["kid"], alg, key, int(data["created"]), data.get("retired"))


class KeyRing:
    """The signing keys of one deployment; thread-safe; `directory=None` keeps them in memory."""

    def __init__(self, directory: Path | None, alg: str = "Ed25519") -> None:
        self.directory = directory
        self.alg = alg
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] = {}
        self._loaded_at = 0.0
        self.reload()
        if self.active() is None:
            self._add(generate(alg))

    # -- storage --------------------------------------------------------------------------

    def reload(self) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        keys = {}
        for f in sorted(self.directory.glob("*.json")):
            try:
                k = _load(json.loads(f.read_text("utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise BrokerError(f"cannot read broker key {f}: {exc}") from None
            keys[k.kid] = k
        with self._lock:
            self._keys = keys
            self._loaded_at = time.monotonic()

    def _write(self, key: SigningKey, *, replace: bool) -> None:
        if self.directory is None:
            return
        path = self.directory / f"{key.kid}.json"
        data = json.dumps(key.to_file()).encode()
        if replace:
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    def _add(self, key: SigningKey) -> None:
        self._write(key, replace=False)
        with self._lock:
            self._keys[key.kid] = key

    # -- use ------------------------------------------------------------------------------

    def active(self) -> SigningKey | None:
        with self._lock:
            live = [k for k in self._keys.values() if k.retired is None]
        return max(live, key=lambda k: (k.created, k.kid)) if live else None

    def signing_key(self) -> SigningKey:
        key = self.active()
        if key is None:
            raise BrokerError("the broker has no active signing key", code="unavailable")
        return key

    def verify_keys(self, now: int | None = None) -> dict[str, VerifyKey]:
        t = int(now if now is not None else time.time())
        with self._lock:
            keys = list(self._keys.values())
        return {
            k.kid: VerifyKey(k.kid, k.alg, k.key)
            for k in keys
            if k.retired is None or t <= k.retired + MAX_LIFETIME + LEEWAY
        }

    def lookup(self, kid: str) -> None:
        """Re-read the directory for a `kid` another replica may have made (rate-limited)."""
        with self._lock:
            known = kid in self._keys
            fresh = time.monotonic() - self._loaded_at < 1.0
        if not known and not fresh:
            self.reload()

    def rotate(self, now: int | None = None) -> SigningKey:
        """Retire the active key (it keeps verifying) and make a new one active."""
        t = int(now if now is not None else time.time())
        old = self.active()
        new = generate(self.alg, t)
        self._add(new)
        if old is not None:
            retired = SigningKey(old.kid, old.alg, old.key, old.created, t)
            self._write(retired, replace=True)
            with self._lock:
                self._keys[old.kid] = retired
        return new

    def prune(self, now: int | None = None) -> list[str]:
        """Delete retired keys whose every token has expired; returns their kids."""
        t = int(now if now is not None else time.time())
        gone = []
        with self._lock:
            for k in list(self._keys.values()):
                if k.retired is not None and t > k.retired + MAX_LIFETIME + LEEWAY:
                    del self._keys[k.kid]
                    gone.append(k.kid)
        if self.directory is not None:
            for kid in gone:
                (self.directory / f"{kid}.json").unlink(missing_ok=True)
        return gone

    def jwks(self, now: int | None = None) -> dict[str, Any]:
        """The public JWKS: active and still-verifying retired keys, never a private part."""
        t = int(now if now is not None else time.time())
        with self._lock:
            keys = sorted(self._keys.values(), key=lambda k: (k.created, k.kid))
        return {
            "keys": [
                k.public()
                for k in keys
                if k.retired is None or t <= k.retired + MAX_LIFETIME + LEEWAY
            ]
        }
