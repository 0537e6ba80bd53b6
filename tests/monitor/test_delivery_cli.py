"""Webhook delivery to a receiver on loopback (with retry while it is down), and the CLI:
exit codes, dedup state, acknowledgement, config errors."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from clirun import run
from schemas import validate

from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.webhook import deliver

from .conftest import World


class Receiver:
    def __init__(self, port: int = 0, status: int = 200, location: str | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.gets = 0
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers["Content-Length"])
                outer.bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(outer.status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()

            def do_GET(self) -> None:
                outer.gets += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


ALERT = Alert("drift.no-decision", Severity.HIGH, "commit:abc", "a <b> & c", "revert it")


def test_delivers_json_with_slack_text(receiver: Receiver) -> None:
    result = deliver(receiver.url, ALERT, allow_http=True)  # a loopback receiver: plain http
    assert result.ok and result.attempts == 1
    (body,) = receiver.bodies
    assert body["id"] == ALERT.id and body["severity"] == "high"
    assert body["text"].startswith("*[HIGH]* `drift.no-decision`: a &lt;b&gt; &amp; c")


def test_retries_until_the_receiver_is_up() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started: list[Receiver] = []

    def start_later() -> None:
        time.sleep(0.3)
        started.append(Receiver(port))

    t = threading.Thread(target=start_later)
    t.start()
    try:
        result = deliver(
            f"http://127.0.0.1:{port}/hook", ALERT, retries=5, backoff=0.2, allow_http=True
        )
    finally:
        t.join()
    try:
        assert result.ok and result.attempts > 1
        assert [b["id"] for b in started[0].bodies] == [ALERT.id]
    finally:
        started[0].close()


def test_gives_up_after_bounded_retries_and_on_4xx() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    naps: list[float] = []
    down = deliver(
        f"http://127.0.0.1:{port}/", ALERT, retries=2, backoff=1, sleep=naps.append,
        allow_http=True,
    )  # fmt: skip
    assert not down.ok and down.attempts == 3 and naps == [1, 2]
    r = Receiver(status=400)
    try:
        bad = deliver(r.url, ALERT, retries=3, sleep=naps.append, allow_http=True)
        assert not bad.ok and bad.attempts == 1 and bad.status == 400
    finally:
        r.close()


def test_cli_dedups_delivers_once_and_acks(
    world: World, receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = world.agent_commit()
    state = tmp_path / "state.json"
    args = ["monitor", "--repo", str(world.repo.path), "--ledger", world.url,
            "--state", str(state), "--webhook", receiver.url, "--webhook-allow-http",
            "--format", "json"]  # fmt: skip
    first = run(capsys, *args)
    assert first.code == 1, first.err
    (alert,) = first.json()["alerts"]
    validate(first.json(), "monitor-v1.json")
    validate(receiver.bodies[0], "alert-v1.json")  # what the webhook received
    assert alert["rule"] == "drift.no-decision" and alert["evidence"]["commits"] == [c]
    second = run(capsys, *args)
    assert second.code == 1 and len(receiver.bodies) == 1  # not sent again
    assert second.json()["alerts"][0]["first_seen"] == alert["first_seen"]
    acked = run(capsys, "monitor", "--state", str(state), "--ledger", world.url,
                "ack", alert["id"], "--by", "alice", "--comment", "on it")  # fmt: skip
    assert acked.code == 0, acked.err
    assert "recorded in the ledger as event" in acked.out
    from signoff.ledger import Ledger

    with Ledger(world.url) as ledger:
        (ev,) = [e for e in ledger.recent(20) if e.type.value == "alert.acknowledged"]
    assert ev.subjects == {"alert": alert["id"]} and ev.actor == "human:alice"
    assert ev.payload["comment"] == "on it"
    third = run(capsys, *args)
    assert third.code == 0  # acknowledged: a person has it; it no longer fails the job
    assert third.json()["alerts"][0]["acknowledged"]["by"] == "alice"
    validate(third.json(), "monitor-v1.json")
    high_bar = run(capsys, *args[:-2], "--fail-on", "critical")
    assert high_bar.code == 0


def test_cli_healthy_exits_zero(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "monitor", "--repo", str(world.repo.path), "--ledger", world.url)
    assert (r.code, r.out.strip()) == (0, "no alerts")


def test_cli_bad_config_is_a_located_error(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "monitor.yml"
    cfg.write_text("version: 1\napprovals:\n  min_review_secs: 5\n")
    r = run(capsys, "monitor", "--repo", str(world.repo.path), "--config", str(cfg))
    assert r.code == 2
    assert "monitor.yml:3:3: approvals.min_review_secs: unknown key" in r.err
    assert "min_review_seconds" in r.err


def test_cli_needs_something_to_check(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "monitor")
    assert r.code == 2 and "nothing to check" in r.err


def test_plain_http_is_refused_unless_allowed(
    receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str], world: World
) -> None:
    from signoff.errors import Error

    with pytest.raises(Error, match="plain http"):
        deliver(receiver.url, ALERT)
    assert receiver.bodies == []
    world.agent_commit()
    r = run(capsys, "monitor", "--repo", str(world.repo.path), "--webhook", receiver.url)
    assert r.code == 2 and "plain http" in r.err and "\n" not in r.err.strip()
    assert receiver.bodies == []


def test_redirects_are_not_followed(receiver: Receiver) -> None:
    elsewhere = receiver.url
    hop = Receiver(status=302, location=elsewhere)
    try:
        result = deliver(hop.url, ALERT, retries=3, allow_http=True, sleep=lambda s: None)
        assert not result.ok and result.status == 302 and result.attempts == 1
        assert "redirect" in result.error
        assert len(hop.bodies) == 1 and receiver.bodies == [] and receiver.gets == 0
    finally:
        hop.close()
