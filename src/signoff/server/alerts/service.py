"""One monitor run inside the server, and acknowledgements.

The snapshot comes from the server's own state: agents and humans from its tables, open tasks
from `server_tasks`, git facts from each registered repository's protected branches, the
ledger the server writes. Alerts are kept in `monitor_alerts`: dedup across runs and replicas
(the id is the key), new ones delivered to `SIGNOFF_MONITOR_WEBHOOK` once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from signoff.errors import Error
from signoff.identity.agents import Agent, Registry, Status
from signoff.ledger.events import EventType
from signoff.monitor import signals
from signoff.monitor.alerts import Alert, ordered, stamp
from signoff.monitor.config import DEFAULT_CONFIG
from signoff.monitor.engine import evaluate, merge
from signoff.monitor.model import CommitFact, Snapshot
from signoff.monitor.snapshot import (
    approved_ranges,
    diff_lines,
    read_git,
    read_ledger,
    with_witnessed,
)
from signoff.server import tables as st
from signoff.server.alerts.tables import alerts as at
from signoff.server.alerts.tables import signals as sig
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import ForbiddenError, NotFoundError
from signoff.taxonomy import Kind, Mode

log = logging.getLogger("signoff.server.alerts")


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _agent(row: Any) -> Agent:
    def pick(enum: Any, value: str, default: Any) -> Any:
        try:
            return enum(value)
        except ValueError:
            return default

    return Agent(
        id=row["id"], name=row["name"], kind=pick(Kind, row["kind"], Kind.AI_AGENT),
        owner=row["owner"] or "", purpose=row["purpose"],
        mode=pick(Mode, row["mode"], Mode.SUPERVISED),
        status=pick(Status, row["status"], Status.ACTIVE),
        review_by=_date(row["review_by"]), expires=_date(row["expires"]),
    )  # fmt: skip


def snapshot(ctx: Context, now: dt.datetime) -> Snapshot:
    with ctx.db.read() as conn:
        agents = tuple(_agent(r) for r in conn.execute(sa.select(st.agents)).mappings())
        people = {r[0] for r in conn.execute(sa.select(st.humans.c.email))}
        people |= {r[0] for r in conn.execute(sa.select(st.groups.c.name))}
        repos = {r[0]: r[1] for r in conn.execute(sa.select(st.repos.c.name, st.repos.c.path))}
        open_rows = conn.execute(
            sa.select(st.tasks.c.id, st.tasks.c.agent).where(
                st.tasks.c.state == "open", st.tasks.c.expires > stamp(now)
            )
        ).all()
    config, commits = DEFAULT_CONFIG, list[CommitFact]()
    protected: set[str] = set()
    configured: set[str] = set()
    registries: list[Registry] = []
    for i, path in enumerate(repos.values()):
        try:
            facts = read_git(Path(path), None, now, None, None)
        except Error as exc:  # one unreadable repository must not stop the others' alerts
            log.warning("monitor: skipping repository %s: %s", path, exc)
            continue
        config = facts.config if i == 0 else config
        commits += facts.commits
        protected |= set(facts.protected)
        configured |= facts.configured
        people |= facts.approvers
        if "registry" in facts.configured:
            registries.append(facts.registry)
    ledger = ctx.recorder.ledger
    events, health = read_ledger(ledger.url, ledger.key_path, None)
    since = now - dt.timedelta(days=config.window_days)
    lines: dict[tuple[str, str], int] = {}
    for name, path in repos.items():  # each approval measured in its own repository
        lines |= diff_lines(Path(path), approved_ranges(events, since, name))
    tasks: dict[str, list[str]] = {}
    for task, agent in open_rows:
        tasks.setdefault(agent, []).append(task)
    registry = Registry(agents, "", "server")
    return Snapshot(
        now=now, config=config, registry=registry,
        approvers=frozenset(people), protected_branches=tuple(sorted(protected)),
        commits=with_witnessed(commits, events, registry), events=events, ledger=health,
        diff_lines=lines,
        open_tasks={a: tuple(sorted(t)) for a, t in tasks.items()},
        configured=frozenset(configured), server=True, repo_registries=tuple(registries),
    )  # fmt: skip


def _row(a: Alert, delivery: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": a.id, "rule": a.rule, "severity": a.severity.value,
        "body": json.dumps(a.to_json(), sort_keys=True), "first_seen": a.first_seen,
        "last_seen": a.last_seen, "acked_by": a.acked_by, "acked_at": a.acked_at,
        "ack_comment": a.ack_comment,
        "delivery": json.dumps(delivery) if delivery is not None else None,
    }  # fmt: skip


def _load(row: Any) -> Alert:
    return Alert.from_json(json.loads(row["body"]))


def run_once(ctx: Context, now: dt.datetime | None = None) -> list[Alert]:
    """Evaluate, store (dedup), deliver new alerts; store the snapshot's signals for
    `/metrics`; returns the current alerts."""
    from signoff.monitor.webhook import deliver

    now = now or dt.datetime.now(dt.UTC)
    snap = snapshot(ctx, now)
    current = evaluate(snap)
    body = json.dumps(signals.to_json(signals.compute(snap, current)), sort_keys=True)
    with ctx.db.write() as conn:
        conn.execute(sa.delete(sig).where(sig.c.id == "latest"))
        conn.execute(sa.insert(sig).values(id="latest", computed_at=stamp(now), body=body))
        rows = {r["id"]: r for r in conn.execute(sa.select(at)).mappings()}
        merged = merge({i: _load(r) for i, r in rows.items()}, current)
        conn.execute(sa.delete(at).where(at.c.id.in_([a.id for a in merged.resolved])))
        for a in merged.alerts:
            old = rows.get(a.id)
            delivery = json.loads(old["delivery"]) if old and old["delivery"] else None
            conn.execute(sa.delete(at).where(at.c.id == a.id))
            conn.execute(sa.insert(at).values(**_row(a, delivery)))
    url = os.environ.get("SIGNOFF_MONITOR_WEBHOOK")
    allow_http = os.environ.get("SIGNOFF_MONITOR_WEBHOOK_ALLOW_HTTP") == "1"
    if url:
        from signoff.monitor.webhook import check_url

        try:
            check_url(url, allow_http=allow_http)
        except Error as exc:
            log.error("monitor: not delivering alerts: %s", exc)
            url = None
    if url:
        for a in merged.alerts:
            old = rows.get(a.id)
            if a.acknowledged or (old and old["delivery"] and json.loads(old["delivery"])["ok"]):
                continue
            result = deliver(url, a, allow_http=allow_http)
            with ctx.db.write() as conn:
                conn.execute(
                    sa.update(at)
                    .where(at.c.id == a.id)
                    .values(delivery=json.dumps(result.to_json()))
                )
    return merged.alerts


def list_alerts(ctx: Context, who: Principal) -> list[Alert]:
    who.require(Perm.READ_METRICS)  # admin or auditor
    with ctx.db.read() as conn:
        return ordered([_load(r) for r in conn.execute(sa.select(at)).mappings()])


def compliance_report(ctx: Context, who: Principal) -> dict[str, Any]:
    """The compliance report from the control plane's own snapshot (`Snapshot.server`)."""
    from signoff.monitor.report.compliance import compliance

    who.require(Perm.READ_METRICS)  # admin or auditor
    return compliance(snapshot(ctx, dt.datetime.now(dt.UTC)), ctx.recorder.ledger.origin)


def why_not_acknowledge(who: Principal) -> str | None:
    """Why `who` may not acknowledge alerts (None: they may). The console asks too, to show or
    hide its form."""
    if who.human_id is None or who.email is None:
        return "alerts are acknowledged by a person, not a service token"
    if not who.can(Perm.READ_METRICS):  # who cannot list an alert cannot silence it
        return "acknowledging alerts needs a role that reads them (admin or auditor)"
    return None


def acknowledge(ctx: Context, who: Principal, alert_id: str, comment: str) -> Alert:
    """A person (never a service token) acknowledges: kept in the alert store and recorded in
    the ledger as `alert.acknowledged`, so nobody can quietly un-acknowledge or deny it."""
    refused = why_not_acknowledge(who)
    if refused:
        raise ForbiddenError(refused)
    with ctx.db.write() as conn:
        row = conn.execute(sa.select(at).where(at.c.id == alert_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no current alert {alert_id!r}")
        a = Alert.from_json(
            {**json.loads(row["body"]),
             "acknowledged": {"by": who.email, "at": stamp(dt.datetime.now(dt.UTC)),
                              "comment": comment}}
        )  # fmt: skip
        conn.execute(
            sa.update(at).where(at.c.id == alert_id).values(
                body=json.dumps(a.to_json(), sort_keys=True), acked_by=a.acked_by,
                acked_at=a.acked_at, ack_comment=comment,
            )
        )  # fmt: skip
        ctx.recorder.record(
            EventType.ALERT_ACKNOWLEDGED,
            who.actor,
            {"alert": alert_id},
            {"rule": a.rule, "subject": a.subject, "severity": a.severity, "comment": comment},
        )
    return a
