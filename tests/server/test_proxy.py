"""Behind a TLS-terminating proxy, and serving TLS itself: forwarded headers are believed only
from the listed proxies; a certificate and key make the server speak HTTPS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from serverkit import ThreadServer

from signoff.server.settings import SettingsError, load

HOST = "signoff.example.com"
StartServer = Callable[..., ThreadServer]


def _login(url: str, token: str, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as c:
        return c.post("/ui/login", data={"token": token}, headers=headers)


class Access(logging.Handler):
    """The access log's records, caught on its own logger (a server started earlier in the same
    process may have configured `signoff.server` not to propagate to the root logger)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.clients: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "fields", {})
        if "client" in fields:
            self.clients.append(fields["client"])


@contextmanager
def access_log() -> Iterator[Access]:
    logger = logging.getLogger("signoff.server.access")
    handler, level = Access(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(
    start_server: StartServer,
) -> None:
    server = start_server()
    token = server.bootstrap()
    forwarded = {
        "Host": HOST,
        "Origin": f"https://{HOST}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    with access_log() as log:
        r = _login(server.url, token, **forwarded)
    # the claim of https is not believed: the form looks cross-origin and is refused
    assert r.status_code == 403
    assert log.clients == ["127.0.0.1"]


def test_a_trusted_proxy_sets_scheme_and_client(start_server: StartServer) -> None:
    server = start_server(name="behind", trusted_proxies="127.0.0.1, 10.0.0.0/8")
    assert server.settings.trusted_proxies == "127.0.0.1,10.0.0.0/8"
    token = server.bootstrap()
    forwarded = {
        "Host": HOST,
        "Origin": f"https://{HOST}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    with access_log() as log:
        r = _login(server.url, token, **forwarded)
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"]
    assert "; secure" in cookie.lower() and "httponly" in cookie.lower()
    assert log.clients == ["203.0.113.9"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("*", "'*' is not an IP address or network"),
        ("proxy.internal", "'proxy.internal' is not an IP address or network"),
        ("10.0.0.0/33", "'10.0.0.0/33' is not an IP address or network"),
    ],
)
def test_trusted_proxies_must_be_addresses(tmp_path: Path, value: str, message: str) -> None:
    env = {"SIGNOFF_DATA_DIR": str(tmp_path), "SIGNOFF_TRUSTED_PROXIES": value}
    with pytest.raises(SettingsError, match="SIGNOFF_TRUSTED_PROXIES") as err:
        load(env)
    assert message in str(err.value)


def test_tls_needs_both_files(tmp_path: Path) -> None:
    env = {"SIGNOFF_DATA_DIR": str(tmp_path), "SIGNOFF_TLS_CERTFILE": str(tmp_path / "c.pem")}
    with pytest.raises(SettingsError, match="give both or neither"):
        load(env)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_serves_https_with_a_certificate(start_server: StartServer, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server = start_server(name="tls", tls_certfile=str(cert), tls_keyfile=str(key))
    assert server.url.startswith("https://")
    trust = ssl.create_default_context(cafile=str(cert))
    r = httpx.get(f"{server.url}/readyz", verify=trust, timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "ready"
    with pytest.raises(httpx.ConnectError):  # an unknown certificate is not trusted blindly
        httpx.get(f"{server.url}/healthz", timeout=30)
