"""The container image and the compose file: the Dockerfile linted with hadolint (from the package
index; no container engine runs here, so the image is linted, not built), compose.yaml checked
against the Compose specification's schema, and both read for what they must promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _stages() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    return re.split(r"(?m)^FROM ", text)[1:]


def test_hadolint_finds_nothing() -> None:
    out = subprocess.run(
        [str(BIN / "hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_hadolint_really_lints(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install gcc\nRUN cd /tmp\n")
    out = subprocess.run([str(BIN / "hadolint"), str(bad)], capture_output=True, text=True)
    assert out.returncode != 0
    for rule in ("DL3007", "DL3008", "DL3015", "DL3003"):
        assert rule in out.stdout, out.stdout


def test_two_stages_and_a_small_unprivileged_final_image() -> None:
    build, final = _stages()
    assert build.startswith("python:3.12-slim-bookworm AS build")
    assert final.startswith("python:3.12-slim-bookworm\n")
    for tool in ("gcc", "build-essential", "make ", "g++"):
        assert tool not in final
    assert "--no-index --no-deps /tmp/wheels/*.whl" in final  # only the first stage's wheels
    assert re.search(r"(?m)^USER 10001:10001$", final)
    health = re.search(r"(?ms)^HEALTHCHECK .*?\n    CMD (\[.*?\])$", final)
    assert health and "/readyz" in health.group(1)
    assert re.search(r'(?m)^ENTRYPOINT \["signoff"\]$', final)


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return doc


def test_compose_follows_the_compose_specification() -> None:
    out = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
         str(ROOT / "compose.yaml")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_compose_postgres_migrations_two_replicas_one_port() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["server", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    replicas = [n for n, s in services.items() if s.get("command") == ["serve"]]
    assert replicas == ["signoff-1", "signoff-2"]
    for name in replicas:
        s = services[name]
        assert s["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert s["environment"]["SIGNOFF_DATABASE_URL"].startswith("postgresql://")
        assert ":" not in s["environment"]["SIGNOFF_DATABASE_URL"].split("@")[0].split("//")[1]
        assert s["volumes"] == ["signoff-data:/var/lib/signoff"]  # one ledger key for all
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published == ["127.0.0.1:8080:8080"]
    proxy_ip = services["proxy"]["networks"]["internal"]["ipv4_address"]
    assert {services[n]["environment"]["SIGNOFF_TRUSTED_PROXIES"] for n in replicas} == {proxy_ip}


def test_nginx_sends_to_both_replicas_and_overwrites_forwarded_headers() -> None:
    conf = (ROOT / "deploy/nginx.conf").read_text()
    upstream = re.search(r"upstream signoff \{(.*?)\}", conf, re.S)
    assert upstream
    assert re.findall(r"server (\S+?):8700", upstream.group(1)) == ["signoff-1", "signoff-2"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # set, never appended
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf
