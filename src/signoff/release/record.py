"""What `release verify` leaves behind: a `release.verified` ledger event and the attestation.

The attestation subjects are the artifacts' digests; with no artifact, the release commit itself
(`gitCommit` digest). Two statements share those subjects: a SLSA VSA (the summary any VSA
consumer understands) and the signoff review predicate (`https://signoff.dev/release-review/v1`),
which lists every agent-influenced change, its class and facts, approvers, overrides, tasks and
intent digests, so an auditor can answer "who approved exactly what" from the file alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from signoff import __version__
from signoff.attest.bundle import summary_ref
from signoff.attest.statement import REVIEW_TYPE, VSA_TYPE, statement, vsa_predicate
from signoff.ledger.events import EventDraft, EventType
from signoff.protected import POLICY_PATH
from signoff.release.events import EventLog
from signoff.release.report import approvals_json, changes_json, commits_json, result_word
from signoff.release.verify import ReleaseResult

VERIFIER_ID = "https://signoff.dev/release-verify"
MAX_LISTED = 200  # keeps the ledger payload well under its 64 KiB limit


def subjects(r: ReleaseResult) -> list[dict[str, Any]]:
    if r.artifacts:
        return [{"name": a.name, "digest": {"sha256": a.digest.removeprefix("sha256:")}}
                for a in r.artifacts]  # fmt: skip
    name = r.tag.tag if r.tag else r.to_ref
    return [{"name": name, "digest": {"gitCommit": r.decision.head}}]


def statements(r: ReleaseResult, resource: str) -> list[dict[str, Any]]:
    """[VSA statement, review statement] for the result; `resource` names the repository."""
    head = r.decision.head
    citations = [c for a in r.artifacts for c in a.citations()]
    vsa = vsa_predicate(
        verifier_id=f"{VERIFIER_ID}@{__version__}",
        time_verified=r.verified_at,
        resource_uri=f"git+{resource}@{r.tag.tag if r.tag else head}",
        policy_uri=f"git+{resource}@{r.decision.base}#{POLICY_PATH}",
        policy_digest=r.policy.digest,
        input_attestations=citations,
        passed=r.passed,
    )
    agent_changes = [c for c in changes_json(r) if c["decision"] != "allow" or
                     c["release_impacting"] or set(c["attribution"]) - {"human"}]  # fmt: skip
    vsa_statement = statement(subjects(r), VSA_TYPE, vsa)
    review = {
        "verifier": {"id": f"{VERIFIER_ID}@{__version__}"},
        "summary": summary_ref(vsa_statement),
        "timeVerified": r.verified_at,
        "result": result_word(r),
        "range": {
            "from": r.from_ref,
            "to": r.to_ref,
            "base": r.decision.base,
            "head": head,
            "mergeBase": r.decision.merge_base,
        },
        "policy": {"digest": {"sha256": r.policy.digest}, "source": r.policy.source},
        "checks": [{"name": c.name, "ok": c.ok, "problems": list(c.problems)} for c in r.checks],
        "changes": agent_changes,
        "commits": [c for c in commits_json(r) if c["attribution"] != "human"],
        **approvals_json(r),
        "tag": None
        if r.tag is None
        else {"name": r.tag.tag, "tagger": r.tag.tagger, "evidence": r.tag.evidence},
    }
    return [vsa_statement, statement(subjects(r), REVIEW_TYPE, review)]


def resource_uri(repo: str | os.PathLike[str]) -> str:
    """The repository's origin URL, else its absolute path as a file URI."""
    from signoff.gitio.runner import Git

    url = Git(repo).run(["config", "--get", "remote.origin.url"], check=False).decode().strip()
    return url or Path(repo).resolve().as_uri()


def record_release(
    log: EventLog,
    r: ReleaseResult,
    *,
    actor: str = "signoff-release-gate",
    subjects_extra: Mapping[str, str] | None = None,
    payload_extra: Mapping[str, Any] | None = None,
) -> tuple[int, str]:
    """Append `release.verified`: result, range, policy digest, artifacts, failures.

    The control plane passes the authenticated caller as `actor`, and its repository name and
    report id as extra subjects/payload; the local CLI keeps the defaults."""
    d = r.decision
    agents: dict[str, list[str]] = {}
    for a in d.commits:
        for x in a.actors:
            agents.setdefault(x.id, []).append(a.sha)
    commits = [a.sha for a in d.commits]
    payload: dict[str, Any] = {
        "result": result_word(r),
        "range": {"from": r.from_ref, "to": r.to_ref, "base": d.base, "head": d.head},
        "policy_digest": f"sha256:{r.policy.digest}",
        "artifacts": [{"name": a.name, "digest": a.digest, "ok": a.ok} for a in r.artifacts],
        "failures": [f[:300] for f in r.failures[:MAX_LISTED]],
        "commits": commits[: MAX_LISTED * 5],
        "commit_count": len(commits),
        "agents": {k: v[:MAX_LISTED] for k, v in sorted(agents.items())},
        "unverified": [a.sha for a in d.commits if a.kind.value == "unverified"][:MAX_LISTED],
    }
    payload.update(payload_extra or {})
    subj = {"commit": d.head, **(subjects_extra or {})}
    if r.tag is not None:
        subj["release"] = r.tag.tag
    draft = EventDraft(
        EventType.RELEASE_VERIFIED,
        actor,
        subj,
        payload,
        ("subjects.commit", "payload.result", "payload.range", "payload.policy_digest"),
    )
    return log.append(draft)
