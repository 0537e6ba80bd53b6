"""The periodic monitor job and the `/metrics` collector, installed on the app with one call.

`SIGNOFF_MONITOR_INTERVAL` (seconds, default 300; 0 disables) sets the period; the first run
comes one period after start, so short-lived test servers never run it unless they ask.
The run itself is blocking (git, database), so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from signoff.monitor import signals
from signoff.server.alerts.tables import alerts as at
from signoff.server.alerts.tables import signals as sig
from signoff.server.context import Context

log = logging.getLogger("signoff.server.alerts")


def interval() -> float:
    raw = os.environ.get("SIGNOFF_MONITOR_INTERVAL", "300")
    try:
        return max(0.0, float(raw))
    except ValueError:
        log.error("SIGNOFF_MONITOR_INTERVAL=%r is not a number; monitor job disabled", raw)
        return 0.0


async def _loop(ctx: Context, every: float) -> None:
    from signoff.server.alerts.service import run_once

    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(run_once, ctx)
        except Exception:  # a failed run must not stop the next one
            log.exception("monitor run failed")


class AlertCollector(Collector):
    """`signoff_alerts{rule,severity,acknowledged}` from the alert store, at scrape time, and
    the latest run's signals (`signoff_agents`, `signoff_token_refusals`, ...)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        g = GaugeMetricFamily(
            "signoff_alerts", "Current monitor alerts.", labels=["rule", "severity", "acknowledged"]
        )
        with self.ctx.db.read() as conn:
            rows = conn.execute(
                sa.select(at.c.rule, at.c.severity, at.c.acked_by.is_not(None), sa.func.count())
                .group_by(at.c.rule, at.c.severity, at.c.acked_by.is_not(None))
            ).all()  # fmt: skip
        for rule, sev, acked, n in rows:
            g.add_metric([rule, sev, "true" if acked else "false"], float(n))
        yield g
        d = GaugeMetricFamily(
            "signoff_alert_deliveries_failed", "Alerts whose last webhook delivery failed."
        )
        with self.ctx.db.read() as conn:
            raw = [r[0] for r in conn.execute(sa.select(at.c.delivery)) if r[0]]
        d.add_metric([], float(sum(1 for x in raw if not json.loads(x).get("ok"))))
        yield d
        yield from self.signals()

    def signals(self) -> Iterator[Metric]:
        """The latest run's signals (`signoff.monitor.signals`), as that run stored them; none
        before the first run. The checkpoint's age is computed now, so it grows between runs."""
        with self.ctx.db.read() as conn:
            raw = conn.execute(sa.select(sig.c.body).where(sig.c.id == "latest")).scalar()
        if raw is None:
            return
        for m in signals.from_json(json.loads(raw)):
            yield _family(m.spec, m.samples)
            if m.spec.name == "signoff_ledger_checkpoint_timestamp_seconds" and m.samples:
                age = max(0.0, time.time() - m.samples[0][1])
                spec = signals.CATALOG["signoff_ledger_checkpoint_age_seconds"]
                yield _family(spec, [((), age)])


def _family(spec: signals.Spec, samples: Iterable[tuple[tuple[str, ...], float]]) -> Metric:
    cls = CounterMetricFamily if spec.kind == "counter" else GaugeMetricFamily
    fam = cls(spec.name, spec.help, labels=list(spec.labels))
    for labels, value in samples:
        fam.add_metric(list(labels), value)
    return fam


def install(app: FastAPI) -> None:
    """Register the collector and wrap the app's lifespan with the periodic job."""
    ctx: Context = app.state.ctx
    app.state.metrics.registry.register(AlertCollector(ctx))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        every = interval()
        task = asyncio.create_task(_loop(ctx, every)) if every > 0 else None
        try:
            async with inner(a) as state:
                yield state
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
