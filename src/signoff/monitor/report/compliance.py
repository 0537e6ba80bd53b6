"""Compute the compliance report from one snapshot: per control, what is configured, how
strongly it is enforced *here*, and the evidence (counts and ledger sequence numbers).

Enforcement levels, strongest first, each derived from what is deployed and observed, never
from what is merely configured or written into a ledger file:
- ``enforced server-side``: the control plane is in use (the report is its own view of its
  ledger) and its events show the control acting (the broker issuing, the hook refusing);
  events in a plain ledger file never earn this, since whoever can write the file wrote them;
- ``enforced in CI``: the gate recorded decisions (`decision.made`), and no agent commit on a
  protected branch got there without a passing one;
- ``configured, not observed``: the configuration exists, but nothing shows it acting;
- ``advisory``: monitoring, which detects and never blocks;
- ``not configured``: neither configuration nor events;
- ``failing``: the evidence shows it broken (an unapproved agent change on a protected branch,
  a release action by an agent, a ledger that does not verify).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.ledger.events import Event, EventType
from signoff.monitor.alerts import Alert, stamp
from signoff.monitor.engine import evaluate
from signoff.monitor.model import Snapshot, event_time
from signoff.monitor.report.frameworks import MAPPING

SERVER_SIDE = "enforced server-side"
IN_CI = "enforced in CI"
ADVISORY = "advisory"
NOT_OBSERVED = "configured, not observed"
#: alerts that mean an agent change reached a protected branch without a passing decision
_UNAPPROVED = ("drift.no-decision", "drift.unapproved-change")
NOT_CONFIGURED = "not configured"
FAILING = "failing"
MAX_REFS = 25


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    enforcement: str
    basis: str  # why this level, in one sentence from the data
    evidence: Mapping[str, int]
    refs: tuple[int, ...]  # ledger seqs backing the counts (at most MAX_REFS, newest last)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "enforcement": self.enforcement,
            "basis": self.basis,
            "evidence": dict(self.evidence),
            "ledger_refs": list(self.refs),
            "frameworks": {k: list(v) for k, v in MAPPING[self.id].items() if v},
        }


def _refs(events: Iterable[Event]) -> tuple[int, ...]:
    return tuple(sorted(e.seq for e in events))[-MAX_REFS:]


class _Facts:
    def __init__(self, snap: Snapshot) -> None:
        since = snap.window_start
        self.events = [e for e in snap.events or () if since is None or event_time(e) >= since]
        self.by: dict[EventType, list[Event]] = {}
        for e in self.events:
            self.by.setdefault(e.type, []).append(e)

    def of(self, *types: EventType) -> list[Event]:
        return [e for t in types for e in self.by.get(t, ())]


def _c1(snap: Snapshot, f: _Facts) -> Control:
    agents = snap.registry.agents
    # an agent's trust policy (which workloads may act as it) is `config.changed` naming it
    events = [e for e in f.of(EventType.IDENTITY_REGISTERED, EventType.IDENTITY_CHANGED,
                              EventType.IDENTITY_SUSPENDED, EventType.CONFIG_CHANGED)
              if "agent" in e.subjects]  # fmt: skip
    ev = {
        "agents_registered": len(agents),
        "agents_with_owner": sum(1 for a in agents if a.owner.strip()),
        "agents_with_review_or_expiry": sum(1 for a in agents if a.review_by or a.expires),
        "agent_identity_events": len(events),
    }
    if events and snap.server:
        level, basis = SERVER_SIDE, "the control plane recorded agent identity changes"
    elif "registry" in snap.configured and f.of(EventType.DECISION_MADE):
        level, basis = IN_CI, "the gate attributed commits against the protected registry"
    elif "registry" in snap.configured or events:
        level, basis = NOT_OBSERVED, "a registry exists but no gate decision used it in this period"
    else:
        level, basis = NOT_CONFIGURED, "no agent registry on the protected ref, no identity events"
    return Control("C1", "Agent inventory with owners and review dates", level, basis, ev,
                   _refs(events))  # fmt: skip


def _c2(snap: Snapshot, f: _Facts) -> Control:
    issued = f.of(EventType.TOKEN_ISSUED)
    refusals = f.of(EventType.TOKEN_REFUSED, EventType.PUSH_REFUSED)
    pushes = f.of(EventType.PUSH_WITNESSED)
    # revocation acts: of tokens, and of tasks not revoked through a token revocation (that
    # `task.revoked` names its `token.revoked` in `revocation_seq`); closing a task is not one
    revoked = f.of(EventType.TOKEN_REVOKED) + [
        e for e in f.of(EventType.TASK_REVOKED) if "revocation_seq" not in e.payload
    ]
    ev = {
        "tokens_issued": len(issued),
        "requests_or_pushes_refused": len(refusals),
        "pushes_witnessed": len(pushes),
        "revocations": len(revoked),
    }
    if issued and not snap.server:
        level = NOT_OBSERVED
        basis = "token events are in a ledger file, not observed from the control plane"
    elif issued and (pushes or refusals):
        level, basis = SERVER_SIDE, "tokens were issued by the broker and checked at push time"
    elif issued:
        level = SERVER_SIDE
        basis = "tokens were issued by the broker; no push was checked by the hook in this period"
    else:
        level, basis = NOT_CONFIGURED, "no task token was issued in this period"
    return Control("C2", "Short-lived task-scoped credentials, checked at request and use",
                   level, basis, ev, _refs(issued + refusals + pushes + revoked))  # fmt: skip


def _c3(snap: Snapshot, f: _Facts) -> Control:
    agent_ids = {a.id for a in snap.registry.agents}
    built = f.of(EventType.ARTIFACT_BUILT, EventType.ARTIFACT_SIGNED)
    releases = f.of(EventType.RELEASE_VERIFIED, EventType.RELEASE_PROMOTED)
    by_agent = [e for e in built + releases if e.actor in agent_ids or e.actor.startswith("agent:")]
    ev = {
        "artifacts_built_or_signed": len(built),
        "releases_verified_or_promoted": len(releases),
        "release_actions_by_agents": len(by_agent),
    }
    if by_agent:
        level, basis = FAILING, "an agent identity built, signed, verified or promoted a release"
    elif f.of(EventType.RELEASE_VERIFIED):
        level, basis = IN_CI, "the release gate verified releases against trusted builders"
    elif "release_trust" in snap.configured:
        level = NOT_OBSERVED
        basis = "trusted builders/signers are set but no release was verified"
    else:
        level, basis = NOT_CONFIGURED, "no trusted builders or signers, no release verification"
    return Control("C3", "Separation of AI generation from release activation", level, basis,
                   ev, _refs(built + releases))  # fmt: skip


def _c4(snap: Snapshot, f: _Facts, alerts: Sequence[Alert]) -> Control:
    decisions = f.of(EventType.DECISION_MADE)
    verdicts = Counter(str(d.payload.get("decision")) for d in decisions)
    given = f.of(EventType.APPROVAL_GIVEN)
    vetoed = f.of(EventType.APPROVAL_VETOED)
    overridden = f.of(EventType.APPROVAL_OVERRIDDEN)
    hook_refused = f.of(EventType.PUSH_REFUSED)
    ev = {
        "decisions": len(decisions),
        **{f"decisions_{k.replace('-', '_')}": v for k, v in sorted(verdicts.items())},
        "approvals_given": len(given),
        "vetoes": len(vetoed),
        "overrides": len(overridden),
    }
    unapproved = [a for a in alerts if a.rule in _UNAPPROVED]
    ev["agent_commits_on_protected_branches_without_a_passing_decision"] = len(unapproved)
    if unapproved:
        shas = ", ".join(c[:12] for a in unapproved for c in a.evidence.commits[:1])
        level, basis = FAILING, f"agent commits reached a protected branch unapproved: {shas}"
    elif hook_refused and decisions and snap.server:
        level, basis = SERVER_SIDE, "the git hook refused pushes and the gate recorded decisions"
    elif decisions:
        level, basis = IN_CI, "the gate recorded decisions under the protected policy"
    elif "policy" in snap.configured:
        level = NOT_OBSERVED
        basis = "a policy exists but no gate decision was recorded in this period"
    else:
        level, basis = NOT_CONFIGURED, "no policy on the protected ref and no recorded decisions"
    return Control("C4", "Approvals required for release-impacting changes", level, basis, ev,
                   _refs(decisions + given + vetoed + overridden))  # fmt: skip


def _c5(snap: Snapshot, f: _Facts) -> Control:
    h = snap.ledger
    ev = {
        "ledger_events": h.size if h else 0,
        "events_in_period": len(f.events),
        "latest_checkpoint_size": h.latest_checkpoint_size if h else 0,
        "verified": int(bool(h and h.ok)),
    }
    if h is None:
        level, basis = NOT_CONFIGURED, "no ledger given"
    elif not h.ok or h.trusted_problem:
        level, basis = FAILING, f"verification failed: {h.problem or h.trusted_problem}"
    elif h.size == 0:
        level, basis = NOT_CONFIGURED, "the ledger is empty"
    elif snap.server:
        level, basis = SERVER_SIDE, "the control plane's Merkle log and its checkpoints verified"
    elif f.of(EventType.DECISION_MADE):
        level = IN_CI
        basis = "the gate's decisions are in a verified Merkle log file (no control plane: "
        basis += "whoever can write the file and its key is trusted)"
    else:
        level = NOT_OBSERVED
        basis = "a ledger file verifies, but no control plane or gate was seen writing it"
    return Control("C5", "Tamper-evident records", level, basis, ev, ())


def _c6(snap: Snapshot, f: _Facts) -> Control:
    decisions = f.of(EventType.DECISION_MADE)
    hits = [
        d for d in decisions
        if any("secret-added" in (x.get("facts") or ()) for x in d.payload.get("files") or ()
               if isinstance(x, Mapping))
    ]  # fmt: skip
    ev = {"decisions_scanned": len(decisions), "decisions_with_secret_findings": len(hits)}
    if decisions:
        level, basis = IN_CI, "every gate decision ran the secret scanner on the added content"
    else:
        level, basis = NOT_CONFIGURED, "no gate decision recorded: agent output was not scanned"
    return Control("C6", "Secret scanning of agent output", level, basis, ev, _refs(hits))


def _c7(snap: Snapshot, f: _Facts, alerts: Sequence[Alert]) -> Control:
    sev = Counter(a.severity.value for a in alerts)
    ev = {"alerts_open": len(alerts), **{f"alerts_{k}": v for k, v in sorted(sev.items())}}
    if "monitor" in snap.configured:
        level, basis = ADVISORY, "monitoring is configured; alerts detect, they do not block"
    else:
        level = ADVISORY if snap.events is not None else NOT_CONFIGURED
        basis = "default thresholds (no .signoff/monitor.yml); alerts detect, they do not block"
    refs = tuple(sorted({s for a in alerts for s in a.evidence.ledger_seqs}))[-MAX_REFS:]
    return Control("C7", "Monitoring and alerts", level, basis, ev, refs)


def compliance(snap: Snapshot, origin: str = "") -> dict[str, Any]:
    """The report as JSON-ready data (schema `signoff.compliance/v1`)."""
    f = _Facts(snap)
    alerts = evaluate(snap)
    controls = [c(snap, f) for c in (_c1, _c2, _c3)]
    controls += [_c4(snap, f, alerts), _c5(snap, f), _c6(snap, f), _c7(snap, f, alerts)]
    return {
        "schema": "signoff.compliance/v1",
        "generated_at": stamp(snap.now),
        "since": stamp(snap.window_start) if snap.window_start else None,
        "deployment": {
            "ledger_origin": origin or None,
            "ledger_size": snap.ledger.size if snap.ledger else None,
            "protected_branches": list(snap.protected_branches),
            "configured": sorted(snap.configured),
            "control_plane": snap.server,
        },
        "controls": [c.to_json() for c in controls],
        "note": "Framework mappings are signoff's interpretation, not statements by the "
        "frameworks; only identifiers verified in the research notes are cited.",
    }
