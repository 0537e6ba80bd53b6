"""Health, readiness, metrics, request ids, JSON logs, migrations, settings, bootstrap CLI."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from clirun import run
from serverkit import Api, ThreadServer
from serverteam import Team

from signoff.server.settings import SettingsError, load
from signoff.server.tables import metadata


def test_health_ready_and_ledger_public(live: ThreadServer) -> None:
    anon = Api(live.url)
    assert anon.get("/healthz").json() == {"status": "ok"}
    ready = anon.get("/readyz").json()
    assert ready["status"] == "ready" and ready["ledger_size"] == 0
    key = anon.get("/v1/ledger/public-key").json()
    assert key["verifier_key"].startswith(key["origin"] + "+")
    assert anon.get("/v1/ledger/checkpoints").json() == {"items": [], "next_cursor": None}


def test_readyz_names_the_kind_of_database_never_its_url(live: ThreadServer) -> None:
    r = Api(live.url).get("/readyz")
    assert r.json() == {"status": "ready", "database": "sqlite", "ledger_size": 0}
    for secret in (live.settings.database_url, str(live.settings.data_dir), "sqlite:///"):
        assert secret not in r.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@db:5432/x", "postgresql://u:***@db:5432/x"),
        (
            "postgresql://u@db/x?password=pw&sslmode=require",
            "postgresql://u@db/x?password=***&sslmode=require",
        ),
        ("postgresql://u:p%40ss@db/x?sslpassword=k", "postgresql://u:***@db/x?sslpassword=***"),
        ("postgresql://db/x", "postgresql://db/x"),
        ("sqlite:////var/lib/signoff/signoff.db", "sqlite:////var/lib/signoff/signoff.db"),
    ],
)
def test_redact_hides_credentials_wherever_they_sit(url: str, shown: str) -> None:
    from signoff.redact import redact_url

    assert redact_url(url) == shown


def test_request_id_metrics_and_logs(team: Team, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="signoff.server.access"):
        r = team.admin.get("/v1/noop", headers={"X-Request-ID": "abc-123"})
        assert r.json() == {"ok": True} and r.headers["x-request-id"] == "abc-123"
        r = team.admin.get("/v1/noop", headers={"X-Request-ID": b"bad id\xc3\xa9"})
        assert len(r.headers["x-request-id"]) == 32  # replaced by a fresh one
    records = [getattr(rec, "fields", {}) for rec in caplog.records]
    mine = next(f for f in records if f.get("request_id") == "abc-123")
    assert mine["route"] == "/v1/noop" and mine["status"] == 200
    assert mine["token_sha256_prefix"] and len(mine["token_sha256_prefix"]) == 12
    assert team.tokens["admin"] not in caplog.text
    text = team.api("auditor").get("/metrics").text
    assert 'signoff_http_requests_total{method="GET",route="/v1/noop",status="200"}' in text
    assert team.api("ci").get("/metrics").status_code == 403


def test_json_formatter() -> None:
    from signoff.server.middleware import JsonFormatter

    rec = logging.LogRecord("signoff.server.access", logging.INFO, "", 0, "request", (), None)
    rec.fields = {"request_id": "r1"}
    doc = json.loads(JsonFormatter().format(rec))
    assert doc["message"] == "request" and doc["request_id"] == "r1" and doc["level"] == "info"


def test_migrated_schema_matches_tables(live: ThreadServer) -> None:
    with live.ctx.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = [
        d
        for d in diff
        if "server_" in str(d) and "broker_" not in str(d) and "alembic_version" not in str(d)
    ]
    assert ours == []
    with live.ctx.db.engine.connect() as conn:
        assert sa.inspect(conn).has_table("ledger_events") is False  # SQLite: its own file


def test_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "signoff.toml"
    cfg.write_text('port = 9001\nintent_retention = "7d"\n')
    s = load({"SIGNOFF_DATA_DIR": str(tmp_path), "SIGNOFF_PORT": "9002"}, cfg)
    assert s.port == 9002 and s.intent_retention == "7d"  # environment beats the file
    assert s.database_url == f"sqlite:///{tmp_path}/signoff.db"
    assert s.ledger_url == f"sqlite:///{tmp_path}/ledger.db"
    pg = load({"SIGNOFF_DATA_DIR": str(tmp_path), "SIGNOFF_DATABASE_URL": "postgresql://h/db"})
    assert pg.ledger_url == "postgresql://h/db" and pg.ledger_key == tmp_path / "ledger.key"
    for env in [
        {"SIGNOFF_PORT": "x"},
        {"SIGNOFF_INTENT_RETENTION": "soon"},
        {"SIGNOFF_DATABASE_URL": "mysql://x"},
    ]:
        with pytest.raises(SettingsError):
            load({"SIGNOFF_DATA_DIR": str(tmp_path), **env})
    cfg.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="unknown setting"):
        load({"SIGNOFF_DATA_DIR": str(tmp_path)}, cfg)


def test_bootstrap_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "server",
        "bootstrap",
        "--data-dir",
        str(tmp_path),
        "--id",
        "root",
        "--email",
        "Root@Example.com",
    ]
    r = run(capsys, *args)
    assert r.code == 0, r.err
    token = r.out.strip()
    assert token.startswith("so_") and "shown once" in r.err
    again = run(capsys, *args)
    assert again.code == 2 and "already exists" in again.err
    bad = run(
        capsys,
        "server",
        "bootstrap",
        "--data-dir",
        str(tmp_path),
        "--id",
        "Root!",
        "--email",
        "x@example.com",
    )
    assert bad.code == 2 and "id" in bad.err
    server = ThreadServer(load({"SIGNOFF_DATA_DIR": str(tmp_path)}, port=_port()))
    try:
        me = Api(server.url, token).get("/v1/whoami").json()
        assert me["roles"] == ["admin"] and me["email"] == "root@example.com"
    finally:
        server.stop()


def _port() -> int:
    from serverkit import free_port

    return free_port()


def test_migrate_cli_brings_database_and_ledger_to_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from signoff.server.migrations import current_revision, head_revision

    for _ in range(2):  # and again: nothing to do, same answer
        r = run(capsys, "server", "migrate", "--data-dir", str(tmp_path))
        assert r.code == 0, r.err
        assert r.err == f"signoff: database at schema {head_revision()}; ledger ready\n"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'signoff.db'}")
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert (tmp_path / "ledger.db").exists() and (tmp_path / "ledger.db.key").exists()
