"""The work behind `signoff monitor` (kept apart so the command module stays a thin shell)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from signoff.errors import Error
from signoff.monitor.alerts import Alert, Severity, parse_severity


def _server_alerts(server: str, token: str | None) -> list[Alert]:
    from signoff.client import Client

    with Client(server, token) as c:
        out = c.call("GET", "/v1/alerts")
    return [Alert.from_json(a) for a in out["alerts"]]


def run(
    *,
    repo: Path | None,
    base_ref: str | None,
    ledger_url: str | None,
    ledger_key: Path | None,
    server: str | None,
    token: str | None,
    config_file: Path | None,
    since: dt.datetime | None,
    trusted_checkpoint: Path | None,
    webhook: str | None,
    webhook_allow_http: bool,
    state_file: Path | None,
    fail_on: str | None,
    fmt: str,
) -> int:
    from signoff.monitor import render
    from signoff.monitor.config import load_config_file

    now = dt.datetime.now(dt.UTC)
    config = load_config_file(config_file) if config_file else None
    if server:
        if repo or ledger_url:
            raise Error("--server reads the server's alerts; do not combine with --repo/--ledger")
        alerts, resolved = _server_alerts(server, token), list[Alert]()
        threshold = parse_severity(fail_on or "high")
    else:
        if repo is None and not ledger_url:
            raise Error("nothing to check: pass --repo DIR and/or --ledger URL (or --server URL)")
        alerts, resolved, threshold = _local(
            now, repo, base_ref, ledger_url, ledger_key, config, since,
            trusted_checkpoint, webhook, webhook_allow_http, state_file, fail_on,
        )  # fmt: skip
    click.echo(
        render.to_json(alerts, resolved) if fmt == "json" else render.to_text(alerts, resolved)
    )
    failing = [a for a in alerts if a.severity.rank >= threshold.rank and not a.acknowledged]
    return 1 if failing else 0


def _local(
    now: dt.datetime,
    repo: Path | None,
    base_ref: str | None,
    ledger_url: str | None,
    ledger_key: Path | None,
    config: Any,
    since: dt.datetime | None,
    trusted_checkpoint: Path | None,
    webhook: str | None,
    webhook_allow_http: bool,
    state_file: Path | None,
    fail_on: str | None,
) -> tuple[list[Alert], list[Alert], Severity]:
    from signoff.monitor.engine import evaluate, merge
    from signoff.monitor.snapshot import gather
    from signoff.monitor.state import load_state, save_state
    from signoff.monitor.webhook import check_url, deliver

    if webhook:
        check_url(webhook, allow_http=webhook_allow_http)  # before any work: a clear error

    note = None
    if trusted_checkpoint is not None:
        try:
            note = trusted_checkpoint.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Error(f"cannot read trusted checkpoint {trusted_checkpoint}: {exc}") from None
    snap = gather(
        now=now, repo=repo, base_ref=base_ref, ledger_url=ledger_url, ledger_key=ledger_key,
        trusted_note=note, config=config, since=since,
    )  # fmt: skip
    known, delivery = load_state(state_file) if state_file else ({}, {})
    merged = merge(known, evaluate(snap))
    if webhook:
        for a in merged.alerts:
            if delivery.get(a.id, {}).get("ok") or a.acknowledged:
                continue  # delivered already (dedup), or a person has it in hand
            result = deliver(webhook, a, allow_http=webhook_allow_http)
            delivery[a.id] = {**result.to_json(), "at": now.isoformat(timespec="seconds")}
            if not result.ok:
                click.echo(f"signoff: webhook: {a.id} not delivered: {result.error}", err=True)
    if state_file:
        save_state(state_file, merged.alerts, delivery)
    threshold = parse_severity(fail_on) if fail_on else snap.config.fail_on
    return merged.alerts, merged.resolved, threshold
