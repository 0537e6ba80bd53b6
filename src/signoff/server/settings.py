"""One frozen settings object, from `SIGNOFF_*` environment variables and an optional TOML file.

Precedence: explicit overrides (CLI flags) > environment > file > defaults. Every replica of one
deployment must see the same database URL, ledger URL and ledger key file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from signoff.errors import Error

_KEYS = {
    "data_dir",
    "database_url",
    "ledger_url",
    "ledger_key",
    "host",
    "port",
    "workers",
    "intent_retention",
    "max_body_bytes",
    "log_level",
    "pool_size",
    "trusted_proxies",
    "tls_certfile",
    "tls_keyfile",
    "github_app",
    "auth_cache_seconds",
    "throttle_failures",
}
_RETENTION = re.compile(r"^(none|forever|(\d{1,5})d)$")


class SettingsError(Error):
    """A configuration value is missing or malformed (names the variable or file key)."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    ledger_url: str
    ledger_key: Path
    host: str = "127.0.0.1"
    port: int = 8700
    workers: int = 1
    #: `none`: intent text is never stored (digest only); `30d`: kept 30 days; `forever`.
    intent_retention: str = "none"
    max_body_bytes: int = 1 << 20
    log_level: str = "info"
    pool_size: int = 20
    #: Proxies (IPs or CIDR networks, comma-separated) whose X-Forwarded-For and
    #: X-Forwarded-Proto headers are believed; empty: those headers are ignored.
    trusted_proxies: str = ""
    #: Serve HTTPS directly with this certificate chain and key (PEM); both or neither.
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    #: the GitHub App's TOML settings file (App mode, docs/github.md); empty: App mode off
    github_app: str = ""
    #: how long an authenticated caller is cached per process (0: off); see server.principals
    auth_cache_seconds: int = 2
    #: failed authentications or token exchanges per address per minute before 429 (0: off)
    throttle_failures: int = 20

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def retention(self) -> dt.timedelta | None:
        """How long intent text is kept; None for `forever`, zero for `none`."""
        m = _RETENTION.match(self.intent_retention)
        assert m is not None  # checked in load()
        if m.group(1) == "forever":
            return None
        if m.group(1) == "none":
            return dt.timedelta(0)
        return dt.timedelta(days=int(m.group(2)))

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("SIGNOFF_DATA_DIR")
    return Path(base) if base else Path.home() / ".local" / "share" / "signoff"


def load(
    env: Mapping[str, str] | None = None, config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Read the file (if any), then `SIGNOFF_<KEY>` variables, then `overrides`; validate."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    path = config_file or (Path(env["SIGNOFF_CONFIG"]) if env.get("SIGNOFF_CONFIG") else None)
    if path is not None:
        try:
            doc = tomllib.loads(path.read_text("utf-8"))
        except OSError as exc:
            raise SettingsError(f"cannot read config {path}: {exc.strerror}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
        unknown = sorted(set(doc) - _KEYS)
        if unknown:
            raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
        raw.update(doc)
    for key in _KEYS:
        value = env.get(f"SIGNOFF_{key.upper()}")
        if value:
            raw[key] = value
    raw.update({k: v for k, v in overrides.items() if v is not None})
    data_dir = Path(str(raw.get("data_dir") or default_data_dir(env))).expanduser()
    db_url = str(raw.get("database_url") or f"sqlite:///{data_dir / 'signoff.db'}")
    if db_url.startswith("sqlite"):
        # SQLite allows one writer per file, and the server appends to the ledger while its own
        # write transaction is open, so the ledger gets its own file (the `signoff ledger` default).
        ledger_url = str(raw.get("ledger_url") or f"sqlite:///{data_dir / 'ledger.db'}")
    else:
        ledger_url = str(raw.get("ledger_url") or db_url)
    if ledger_url.startswith("sqlite:///"):
        default_key: Path = Path(ledger_url[len("sqlite:///") :] + ".key")
    else:
        default_key = data_dir / "ledger.key"
    key_path = Path(str(raw.get("ledger_key") or env.get("SIGNOFF_LEDGER_KEY") or default_key))
    s = Settings(
        data_dir=data_dir,
        database_url=db_url,
        ledger_url=ledger_url,
        ledger_key=key_path.expanduser(),
        host=str(raw.get("host", "127.0.0.1")),
        port=_int(raw, "port", 8700, 0, 65535),
        workers=_int(raw, "workers", 1, 1, 64),
        intent_retention=str(raw.get("intent_retention", "none")).strip().lower(),
        max_body_bytes=_int(raw, "max_body_bytes", 1 << 20, 1024, 64 << 20),
        log_level=str(raw.get("log_level", "info")).lower(),
        pool_size=_int(raw, "pool_size", 20, 1, 200),
        trusted_proxies=_proxies(str(raw.get("trusted_proxies") or "")),
        tls_certfile=_path(raw.get("tls_certfile")),
        tls_keyfile=_path(raw.get("tls_keyfile")),
        github_app=str(raw.get("github_app", "")),
        auth_cache_seconds=_int(raw, "auth_cache_seconds", 2, 0, 60),
        throttle_failures=_int(raw, "throttle_failures", 20, 0, 100_000),
    )
    if (s.tls_certfile is None) != (s.tls_keyfile is None):
        raise SettingsError("SIGNOFF_TLS_CERTFILE and SIGNOFF_TLS_KEYFILE: give both or neither")
    if not _RETENTION.match(s.intent_retention):
        raise SettingsError(
            f"SIGNOFF_INTENT_RETENTION={s.intent_retention!r}: use none, forever or <days>d"
        )
    if not db_url.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise SettingsError("SIGNOFF_DATABASE_URL: use sqlite:///PATH or postgresql://...")
    if s.log_level not in ("debug", "info", "warning", "error"):
        raise SettingsError(f"SIGNOFF_LOG_LEVEL={s.log_level!r}: use debug, info, warning, error")
    return s


def _proxies(value: str) -> str:
    """The trusted proxies, normalised (`10.0.0.0/8,192.0.2.7`); each must be an address or a
    network. `*` is refused: it would let any client set its own address and scheme."""
    out: list[str] = []
    for item in (x.strip() for x in value.split(",")):
        if not item:
            continue
        try:
            net = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"SIGNOFF_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                "(list the proxies' addresses; '*' is not accepted)"
            ) from None
        out.append(str(net.network_address) if net.num_addresses == 1 else str(net))
    return ",".join(out)


def _path(value: Any) -> Path | None:
    return Path(str(value)).expanduser() if value else None


def _int(raw: Mapping[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    value = raw.get(key, default)
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"SIGNOFF_{key.upper()}={value!r}: expected an integer") from None
    if not lo <= n <= hi:
        raise SettingsError(f"SIGNOFF_{key.upper()}={n}: expected {lo}..{hi}")
    return n


SETTING_NAMES = tuple(sorted(f.name for f in fields(Settings)))
