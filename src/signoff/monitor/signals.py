"""The signals under the alerts, as Prometheus metric values, from the same snapshot.

The alert rules answer "is this a problem?"; these numbers answer "how much, and is it
trending?": agents by lifecycle state, refusals by code, approvals and the top approver's share,
drift, ledger health. They are computed from the one `Snapshot` the monitor run already built
(and the alerts it raised on it), with the rules' own helpers, so a metric and its alert never
disagree about what counts. The server stores the result with its alerts and `/metrics` serves
it (`signoff.server.alerts.job`); `CATALOG` is the list docs/monitoring.md documents.

Counts over the whole ledger (append-only, so they only grow) are counters (`_total`); counts
over a window are gauges.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from signoff.identity.agents import Lifecycle
from signoff.ledger.events import EventType
from signoff.monitor.alerts import Alert
from signoff.monitor.model import Snapshot, event_time
from signoff.monitor.rules import approvals, tokens

Kind = Literal["gauge", "counter"]


@dataclass(frozen=True)
class Spec:
    name: str  # counters: without the `_total` Prometheus adds
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metric:
    spec: Spec
    samples: tuple[tuple[tuple[str, ...], float], ...]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.spec.name, "samples": [[list(k), v] for k, v in self.samples]}


_SPECS = (
    Spec("signoff_monitor_last_run_timestamp_seconds", "gauge",
         "When the monitor run that computed these signals built its snapshot (Unix time)."),
    Spec("signoff_agents", "gauge",
         "Registered agents by lifecycle state.", ("state",)),
    Spec("signoff_agents_unused", "gauge",
         "Active agents not used for identity.unused_days days (rule identity.unused)."),
    Spec("signoff_ended_agent_open_tasks", "gauge",
         "Open tasks held by expired, suspended or retired agents.", ("state",)),
    Spec("signoff_token_refusals", "gauge",
         "Token and push refusals in the last tokens.refusal_window_hours, by event and code.",
         ("event", "code")),
    Spec("signoff_token_refusals_baseline", "gauge",
         "Average refusals per period over the baseline periods before the last one."),
    Spec("signoff_token_uses_after_revocation", "counter",
         "Uses of a revoked token or task credential recorded in the ledger."),
    Spec("signoff_token_replays", "counter",
         "Refusals of a replayed proof or token recorded in the ledger."),
    Spec("signoff_token_out_of_scope", "counter",
         "Refused attempts outside a task's scope recorded in the ledger."),
    Spec("signoff_approvals", "gauge",
         "approval.given events in the monitor window (window_days)."),
    Spec("signoff_approved_changes", "gauge",
         "Distinct changes (base, head) approved in the monitor window."),
    Spec("signoff_approval_top_share", "gauge",
         "Share (0-1) of the window's approved changes approved by its most active approver.",
         ("approver",)),
    Spec("signoff_approvals_too_fast", "gauge",
         "Approvals in the window given faster than the reading-speed threshold."),
    Spec("signoff_approvals_off_hours", "gauge",
         "Approvals in the window outside approvals.working_hours (only when configured)."),
    Spec("signoff_drift_commits", "gauge",
         "Agent commits on protected branches that passed no decision (release-impacting: "
         "no-decision; any other class: unapproved-change), passed by override, or landed "
         "despite a veto.", ("kind",)),
    Spec("signoff_ledger_verified", "gauge",
         "1 if the last full ledger verification passed, else 0."),
    Spec("signoff_ledger_events", "gauge", "Events in the ledger."),
    Spec("signoff_ledger_unchecked_events", "gauge",
         "Ledger events appended after the latest signed checkpoint."),
    Spec("signoff_ledger_checkpoint_timestamp_seconds", "gauge",
         "When the latest ledger checkpoint was signed (Unix time)."),
    Spec("signoff_ledger_checkpoint_age_seconds", "gauge",
         "Seconds since the latest ledger checkpoint was signed, at scrape time."),
)  # fmt: skip
CATALOG: Mapping[str, Spec] = {s.name: s for s in _SPECS}
ENDED = (Lifecycle.EXPIRED, Lifecycle.SUSPENDED, Lifecycle.RETIRED)
DRIFT = ("no-decision", "unapproved-change", "override", "veto-ignored")


def _m(name: str, samples: Iterable[tuple[Sequence[str], float]] | float) -> Metric:
    if isinstance(samples, int | float):
        samples = [((), float(samples))]
    return Metric(CATALOG[name], tuple((tuple(k), float(v)) for k, v in samples))


def compute(snap: Snapshot, alerts: Sequence[Alert]) -> list[Metric]:
    """Every signal of `snap`; `alerts` are what `evaluate(snap)` raised on it (the counts that
    are exactly one alert per item, drift and idle agents, are taken from there)."""
    raised = Counter(a.rule for a in alerts)
    out = [_m("signoff_monitor_last_run_timestamp_seconds", snap.now.timestamp())]
    today = snap.now.date()
    states = Counter(a.lifecycle(today) for a in snap.registry.agents)
    out.append(_m("signoff_agents", [((s.value,), states[s]) for s in Lifecycle]))
    out.append(_m("signoff_agents_unused", raised["identity.unused"]))
    held: Counter[Lifecycle] = Counter()
    for a in snap.registry.agents:
        life = a.lifecycle(today)
        if life in ENDED:
            held[life] += len((snap.open_tasks or {}).get(a.id, ()))
    out.append(_m("signoff_ended_agent_open_tasks", [((s.value,), held[s]) for s in ENDED]))
    out.append(_m("signoff_drift_commits", [((k,), raised[f"drift.{k}"]) for k in DRIFT]))
    if snap.events is not None:
        out += _event_signals(snap, raised)
    h = snap.ledger
    if h is not None:
        out.append(_m("signoff_ledger_verified", 1 if h.ok else 0))
        out.append(_m("signoff_ledger_events", h.size))
        out.append(_m("signoff_ledger_unchecked_events", max(0, h.size - h.latest_checkpoint_size)))
        if h.latest_checkpoint_time is not None:
            stamp = h.latest_checkpoint_time.timestamp()
            out.append(_m("signoff_ledger_checkpoint_timestamp_seconds", stamp))
    return out


def _event_signals(snap: Snapshot, raised: Mapping[str, int]) -> list[Metric]:
    out = []
    current, baseline = tokens.refusal_window(snap)
    by_code = Counter((e.type.value, str(e.payload.get("code") or "none")) for e in current)
    for event in (EventType.TOKEN_REFUSED.value, EventType.PUSH_REFUSED.value):
        by_code.setdefault((event, "none"), 0)  # the series exist (at 0) before a refusal
    out.append(_m("signoff_token_refusals", sorted(by_code.items())))
    out.append(_m("signoff_token_refusals_baseline", baseline))
    used = {s for late in tokens.uses_after_revocation(snap).values() for s in late.uses}
    out.append(_m("signoff_token_uses_after_revocation", len(used)))
    refused = tokens.refusals(snap)
    scope = sum(1 for e in refused if tokens.is_out_of_scope(e))
    out.append(_m("signoff_token_replays", sum(1 for e in refused if tokens.is_replay(e))))
    out.append(_m("signoff_token_out_of_scope", scope))
    given = approvals.given(snap)
    changes, counts, _ = approvals.approval_counts(snap)
    out.append(_m("signoff_approvals", len(given)))
    out.append(_m("signoff_approved_changes", changes))
    top = counts.most_common(1)
    share = [((top[0][0],), top[0][1] / changes)] if top and changes else [(("",), 0.0)]
    out.append(_m("signoff_approval_top_share", share))
    out.append(_m("signoff_approvals_too_fast", raised["approval.too-fast"]))
    hours = snap.config.working_hours
    if hours is not None:
        late = sum(1 for e in given if not hours.contains(event_time(e)))
        out.append(_m("signoff_approvals_off_hours", late))
    return out


def to_json(metrics: Sequence[Metric]) -> list[dict[str, Any]]:
    return [m.to_json() for m in metrics]


def from_json(raw: Sequence[Mapping[str, Any]]) -> list[Metric]:
    """Stored signals back; a name this version does not know (an older or newer replica
    wrote it) is skipped rather than served without help text."""
    return [
        Metric(CATALOG[d["name"]], tuple((tuple(k), float(v)) for k, v in d["samples"]))
        for d in raw
        if d.get("name") in CATALOG
    ]
