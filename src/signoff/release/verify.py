"""`signoff release verify`: prove every AI-influenced change since the last release was signed off.

How it decides (docs/release.md has the long form):

1. The range is `--from..--to` as **one change set**, measured from their merge base. The policy,
   registry and allowed signers are read from `--from`: the protected inputs in force when the
   release cycle began, so nothing inside the release can loosen its own review. A policy change
   inside the range is itself a `governance` change and must pass like any other.
2. The gate's own per-file decision (`signoff.gate.check.run_check`) runs over that range: every
   commit is attributed, every landed file classified, analyzed and decided.
3. Release-impacting files (`release.classes`) touched by agent, bot or unverified commits get one
   more requirement: `release.approvals` from `release.from`.
4. Signed approvals on `refs/signoff/approvals` count only when their per-class content digest
   equals the digest of what this release lands for that class (under the `--from` policy).
   Vetoes block; overrides pass as OVERRIDDEN, never as approved.
5. Identities (`signoff.identity.validity`): no commit may come from an agent that was expired
   at the time of its work (the earliest push or passing decision the ledger witnessed; without
   one, now), or that is revoked (an `identity.suspended` event, or `suspended` in the registry at
   `--from` or `--to`: retroactive), nor from a revoked task.
6. The tag (when given) and each artifact (when given) are checked (`tags`, `artifacts`).

Every check runs and reports; the release passes only when all of them pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.attribution.attribute import Attribution, AttributionKind
from signoff.decision import PASSING, ApprovalStatus, Decision, FileDecision, Verdict
from signoff.errors import GitError
from signoff.gate.check import check_range
from signoff.gate.inputs import read_inputs
from signoff.gate.refs import target_from_ref
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.identity.agents import Registry, parse_registry
from signoff.policy.model import Policy, ReleaseSettings, Requirement
from signoff.protected import APPROVALS_REF, REGISTRY_PATH
from signoff.release.artifacts import ArtifactCheck, check_artifact
from signoff.release.events import EventLog
from signoff.release.identities import Check, Requalifier, identity_check
from signoff.release.ledgerview import LedgerView
from signoff.release.tags import TagCheck, check_tag

if TYPE_CHECKING:
    from signoff.approvals.check import RecordSource

RELEASE_RULE = "release"
_BEFORE_ANY_EXPIRY = dt.date.min


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    from_ref: str | None
    to_ref: str
    decision: Decision
    policy: Policy
    checks: tuple[Check, ...]
    release_paths: frozenset[str]
    tag: TagCheck | None
    artifacts: tuple[ArtifactCheck, ...]
    view: LedgerView
    verified_at: str
    warnings: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[str]:
        return [p for c in self.checks for p in c.problems]


def verify_release(
    repo: str | os.PathLike[str],
    to_ref: str,
    *,
    from_ref: str | None = None,
    tag: str | None = None,
    artifacts: Sequence[tuple[str, str]] = (),
    log: EventLog | None = None,
    today: dt.date | None = None,
    approvals_ref: str | None = APPROVALS_REF,
    server: RecordSource | None = None,
) -> ReleaseResult:
    """Run every release check over from..to; `artifacts` are (name, sha256:hex) pairs.

    `server` is a second approval source (the control plane's own approvals, when it runs the
    gate); signed records on `approvals_ref` and server records go through the same rules."""
    git = Git(repo)
    base, head, warnings = release_range(git, to_ref, from_ref)
    if artifacts and log is None:
        raise GitError("--artifact needs a ledger (--ledger or --server URL) to look them up")
    now = dt.datetime.now(dt.UTC)
    checked_at = now if today is None else dt.datetime.combine(today, dt.time(), dt.UTC)
    inputs = read_inputs(git, base)
    policy, settings = inputs.policy, inputs.policy.release
    registry_now = _registry_at(git, head) or inputs.registry
    release_paths: set[str] = set()

    def release_requirement(
        f: FileDecision, attributions: Mapping[str, Attribution]
    ) -> FileDecision:
        g = _release_requirement(f, settings, attributions)
        if g != f:
            release_paths.add(g.path)
        return g

    # Expiry is judged per commit at the time of its work by the identities check below, so the
    # gate's per-file rule runs at a date before any expiry; suspended and retired still deny.
    d = check_range(
        repo, base, head, target_branch=target_from_ref(git, to_ref), today=_BEFORE_ANY_EXPIRY,
        approvals_ref=approvals_ref, server=server, inputs=inputs, adjust=release_requirement,
    ).decision  # fmt: skip
    decision = dataclasses.replace(d, warnings=(*d.warnings, *warnings))
    events = log.all() if log is not None else []
    view = LedgerView.build(events)
    requal = Requalifier(events, git, base, head, inputs.signers_text, policy, checked_at)
    changes, release = _change_checks(decision, frozenset(release_paths))
    checks = [changes, release, identity_check(d.commits, inputs.registry, registry_now, view,
                                               checked_at, requal)]  # fmt: skip
    tag_check = None
    if tag is not None:
        tag_check = check_tag(git, tag, head, policy, registry_now, inputs.humans)
        checks.append(Check("tag", tag_check.problems, tag_check.notes))
    found: list[ArtifactCheck] = []
    if artifacts and log is not None:
        found = [
            check_artifact(log, n, dg, head, settings, registry_now,
                           allowed_signers=inputs.signers_text, at=checked_at)
            for n, dg in artifacts
        ]  # fmt: skip
        checks.append(Check("artifacts", tuple(p for a in found for p in a.problems)))
    return ReleaseResult(
        from_ref=from_ref, to_ref=to_ref, decision=decision, policy=policy,
        checks=tuple(checks), release_paths=frozenset(release_paths), tag=tag_check,
        artifacts=tuple(found), view=view,
        verified_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        warnings=tuple(decision.warnings),
    )  # fmt: skip


def release_range(git: Git, to_ref: str, from_ref: str | None) -> tuple[str, str, list[str]]:
    """(base, head, warnings): the range as one change set, measured from the merge base."""
    head = history.resolve_commit(git, to_ref, role="--to", tags=True)
    warnings: list[str] = []
    if from_ref:
        base = history.resolve_commit(git, from_ref, role="--from", tags=True)
    else:
        base = _root(git, head)
        warnings.append(
            f"first release: the range starts after the root commit {base[:12]}, "
            "which is not itself reviewed"
        )
    mbase = history.merge_base(git, base, head)
    if mbase == head:
        raise GitError(f"empty release: {to_ref} adds nothing to {from_ref or base[:12]}")
    if mbase != base:
        warnings.append(f"--from is not an ancestor of --to: measured from {mbase[:12]}")
    return base, head, warnings


def _root(git: Git, head: str) -> str:
    out = git.run(["rev-list", "--first-parent", "--max-parents=0", head, "--"]).split()
    return out[-1].decode()


def _registry_at(git: Git, sha: str) -> Registry | None:
    raw = history.read_objects(git, [f"{sha}:{REGISTRY_PATH}"]).get(f"{sha}:{REGISTRY_PATH}")
    return parse_registry(raw, f"{sha[:12]}:{REGISTRY_PATH}") if raw is not None else None


def governed(f: FileDecision, attributions: Mapping[str, Attribution]) -> bool:
    """True when any commit behind the file is not a verified human's (or none explains it)."""
    if not f.commits:
        return True
    return any(
        (a := attributions.get(s)) is None or a.kind is not AttributionKind.HUMAN for s in f.commits
    )


def _release_requirement(
    f: FileDecision, settings: ReleaseSettings, attributions: Mapping[str, Attribution]
) -> FileDecision:
    """Add the release approval to a governed (or, with `all_changes`, any) release-class file."""
    if f.file_class not in settings.classes or f.verdict is Verdict.DENY:
        return f
    if not (settings.all_changes or governed(f, attributions)):
        return f
    req = Requirement(settings.approvals, settings.group, RELEASE_RULE)
    return f._replace(verdict=Verdict.NEEDS_APPROVAL, requirements=(*f.requirements, req))


def _change_checks(d: Decision, release_paths: frozenset[str]) -> tuple[Check, Check]:
    """Gate verdicts per file, split into the gate's own rules and the release approval."""
    statuses: dict[tuple[str, str], ApprovalStatus] = {}
    if d.approvals is not None:
        statuses = {(s.file_class, s.group): s for s in d.approvals.statuses}
    changes: list[str] = []
    release: list[str] = []
    notes: list[str] = []
    rnotes: list[str] = []
    for f in d.files:
        label = f"{f.path} ({f.file_class.value})"
        if f.verdict is Verdict.OVERRIDDEN:
            notes += [f"{label}: {h.reason}" for h in f.hits if h.rule == "override"]
            continue
        if f.verdict in PASSING:
            if f.path in release_paths:
                rnotes.append(f"{label}: release approval present")
            continue
        if f.verdict is Verdict.DENY:
            why = "; ".join(h.reason for h in f.hits if h.effect == "deny") or "denied"
            changes.append(f"{label}: denied: {why}")
            continue
        for req in f.requirements:
            s = statuses.get((f.file_class.value, req.group))
            if s is not None and s.state == "approved":
                continue
            need = s.needed if s else req.approvals
            what = (
                f"vetoed by {', '.join(s.vetoers)}"
                if s and s.vetoers
                else f"needs {need} approval(s) from {req.group}, "
                f"has {s.have if s else 0}{_stale(s)}"
            )
            target = (
                release
                if req.rule == RELEASE_RULE or (s and RELEASE_RULE in s.rule.split(", "))
                else changes
            )
            msg = f"{label}: {what}"
            if msg not in target:
                target.append(msg)
    return Check("changes", tuple(changes), tuple(notes)), Check(
        "release-approvals", tuple(release), tuple(rnotes)
    )


def _stale(s: ApprovalStatus | None) -> str:
    if s is None:
        return ""
    stale = [i.approver for i in s.ignored if i.reason.startswith("stale digest")]
    return f" (stale approval by {', '.join(sorted(set(stale)))}: content changed)" if stale else ""
