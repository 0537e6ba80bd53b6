"""Token anomalies, from the events the broker writes:

- refusals: `token.refused` (exchanges) and `push.refused` (pushes), each with a one-word
  `payload.code` (`replayed`, `revoked`, `scope`, ...; the hook's codes for refused pushes are
  listed in docs/tokens.md) and free-text reasons; `subjects.agent` /
  `subjects.attempted_task` name who tried;
- revocations: `token.revoked`, naming `subjects.token_sha256` and/or listing
  `payload.revoked_jti` (matched to `token.issued` `payload.jti`);
- issuance: `token.issued` with `subjects.agent`, `subjects.token_sha256`, `payload.jti` and
  `payload.proof` (`iss`, `job_workflow_ref` for OIDC proofs);
- use: `push.witnessed` (accepted) or `push.refused` naming `subjects.token_sha256`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from signoff.ledger.events import Event, EventType
from signoff.monitor.alerts import Alert, Severity
from signoff.monitor.model import Snapshot, event_time
from signoff.monitor.rules.base import Rule, rule


def refusals(snap: Snapshot) -> list[Event]:
    """`token.refused` and `push.refused` events, oldest first."""
    return snap.of_type(EventType.TOKEN_REFUSED, EventType.PUSH_REFUSED)


def _reasons(e: Event) -> str:
    parts = [str(e.payload.get("code", "")), str(e.payload.get("reason", ""))]
    parts += [str(x) for x in e.payload.get("reasons") or ()]
    return " ".join(parts).lower()


def _who(e: Event) -> str:
    s = e.subjects
    if s.get("agent"):
        return f"agent:{s['agent']}"
    if s.get("attempted_task"):
        return f"task:{s['attempted_task']}"
    return f"token:{s.get('token_sha256', 'unknown')}"


def refusal_window(snap: Snapshot) -> tuple[list[Event], float]:
    """The refusals of the last period and the average per period over the baseline periods
    before it (the spike rule and the `/metrics` gauges share this)."""
    cfg = snap.config
    width = dt.timedelta(hours=cfg.refusal_window_hours)
    start = snap.now - width
    base_start = start - width * cfg.refusal_baseline_windows
    current, baseline = [], 0
    for e in refusals(snap):
        t = event_time(e)
        if t >= start:
            current.append(e)
        elif t >= base_start:
            baseline += 1
    return current, baseline / cfg.refusal_baseline_windows


@rule(
    "token.refusal-spike",
    Severity.WARNING,
    "Token and push refusals in the last period are far above their baseline.",
)
def refusal_spike(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    cfg = snap.config
    current, average = refusal_window(snap)
    threshold = max(float(cfg.refusal_min_count), cfg.refusal_multiplier * average)
    if len(current) >= threshold:
        yield r.alert(
            "tokens:refusals",
            f"{len(current)} refusals in the last {cfg.refusal_window_hours}h against a baseline "
            f"of {average:.1f} per period",
            "look at which agents and tasks are refused and why: a misconfigured agent, or "
            "someone probing the broker",
            seqs=[e.seq for e in current],
        )


def _revoked(snap: Snapshot) -> Mapping[str, int]:
    """token digest -> seq of its (first) revocation."""
    by_jti = {
        str(e.payload.get("jti")): e.subjects["token_sha256"]
        for e in snap.of_type(EventType.TOKEN_ISSUED)
        if "token_sha256" in e.subjects and e.payload.get("jti")
    }
    out: dict[str, int] = {}
    for e in snap.of_type(EventType.TOKEN_REVOKED):
        digests = [e.subjects.get("token_sha256", "")]
        digests += [by_jti.get(str(j), "") for j in e.payload.get("revoked_jti") or ()]
        for d in digests:
            if d:
                out.setdefault(d, e.seq)
    return out


@rule(
    "token.use-after-revocation",
    Severity.HIGH,
    "A revoked token (or a revoked task's credentials) was used again.",
)
def use_after_revocation(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    for subject, late in sorted(uses_after_revocation(snap).items()):
        yield r.alert(
            subject,
            f"{subject} was used {len(set(late.uses))} time(s) after its revocation",
            "find the process still holding the credential and stop it; rotate anything it "
            "could reach",
            seqs=[*late.revocations, *late.uses],
        )


class LateUse(NamedTuple):
    """The revocation(s) of a credential and its uses after them (separate: only uses count)."""

    revocations: list[int]
    uses: list[int]


def uses_after_revocation(snap: Snapshot) -> Mapping[str, LateUse]:
    """subject -> its uses after revocation: a push (accepted or refused) with a revoked token,
    and a `token.refused` with code `revoked` (an exchange for a revoked task)."""
    revoked = _revoked(snap)
    hits: dict[str, LateUse] = {}
    for e in snap.of_type(EventType.PUSH_WITNESSED, EventType.PUSH_REFUSED):
        digest = e.subjects.get("token_sha256", "")
        if digest in revoked and e.seq > revoked[digest]:
            late = hits.setdefault(f"token:{digest}", LateUse([revoked[digest]], []))
            late.uses.append(e.seq)
    for e in refusals(snap):
        if e.type is EventType.TOKEN_REFUSED and e.payload.get("code") == "revoked":
            hits.setdefault(_who(e), LateUse([], [])).uses.append(e.seq)
    return hits


def is_replay(e: Event) -> bool:
    return e.payload.get("code") == "replayed" or "replay" in _reasons(e)


#: How the hook worded scope refusals before it recorded a code (older ledgers).
_SCOPE_WORDING = (
    "scope",
    "outside the task's",
    "outside the agent's registered",
    "matches the task's denied path",
    "protected branch",
    "does not start with the task's prefix",
    "agents never create, move or delete tags",
    "agents may only push branches",
    "the token is for repository",
    "does not grant push-branch",
)


def is_out_of_scope(e: Event) -> bool:
    """A refusal for reaching outside the task's scope: code `scope` (the broker's exchange
    refusals and the hook's refused pushes). A refused push recorded without a code (before
    the hook wrote one) is judged by the hook's wording, which names the path or branch."""
    code = e.payload.get("code")
    if code is not None:
        return bool(code == "scope")
    reasons = _reasons(e)
    return e.type is EventType.PUSH_REFUSED and any(w in reasons for w in _SCOPE_WORDING)


@rule("token.replay", Severity.HIGH, "A proof or workload token was replayed.")
def replay(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    hits: dict[str, list[int]] = defaultdict(list)
    for e in refusals(snap):
        if is_replay(e):
            hits[_who(e)].append(e.seq)
    for subject, seqs in sorted(hits.items()):
        yield r.alert(
            subject,
            f"{len(seqs)} replayed proof(s) or token(s) for {subject}",
            "a credential was copied: revoke the agent's tasks and tokens and check where its "
            "proofs are logged or stored",
            seqs=seqs,
        )


@rule(
    "token.out-of-scope",
    Severity.HIGH,
    "A task's token was used (or asked) for something outside its scope.",
)
def out_of_scope(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    hits: dict[str, list[int]] = defaultdict(list)
    for e in refusals(snap):
        if is_out_of_scope(e):
            hits[_who(e)].append(e.seq)
    for subject, seqs in sorted(hits.items()):
        yield r.alert(
            subject,
            f"{len(seqs)} attempt(s) outside the task's scope by {subject}",
            "read what the agent tried to change; narrow or revoke its task if it drifted",
            seqs=seqs,
        )


@rule(
    "token.new-issuer",
    Severity.WARNING,
    "An agent got a token through an OIDC issuer or workflow it never used before.",
)
def new_issuer(snap: Snapshot, r: Rule) -> Iterator[Alert]:
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in snap.of_type(EventType.TOKEN_ISSUED):
        proof = e.payload.get("proof")
        agent = e.subjects.get("agent", "")
        if not isinstance(proof, Mapping) or proof.get("method") != "oidc" or not agent:
            continue
        for key in ("iss", "job_workflow_ref"):
            value = proof.get(key)
            if not isinstance(value, str):
                continue
            known = seen[(agent, key)]
            if known and value not in known and event_time(e) >= snap.since:
                yield r.alert(
                    f"agent:{agent} {key}={value}",
                    f"agent {agent} got a token via new {key} {value} (before: "
                    f"{', '.join(sorted(known))})",
                    f"confirm with the agent's owner that {value} is expected; if not, revoke "
                    "the token and tighten the trust policy",
                    seqs=[e.seq],
                )
            known.add(value)


RULES = (refusal_spike, use_after_revocation, replay, out_of_scope, new_issuer)
