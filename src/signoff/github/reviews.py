"""GitHub reviews as approval records (`forge-review` evidence). Pure: reviews in, records out.

GitHub authenticated the reviewer, so a review is witnessed, but only for what it names:
- the person is the one the policy maps the reviewer's login to (`github:` on a group member);
  an unmapped login, a bot or a login registered to an agent counts for nothing;
- an `APPROVED` review binds the per-class content digests the gate computes at the review's
  `commit_id` (same code, same base, same policy), so a review of an older push counts for a
  class only while that class's landed content is unchanged;
- `CHANGES_REQUESTED` is a veto of the content under review now, until the same person approves
  (their latest word, ordered by GitHub's submission time); comments and dismissed reviews are
  no word at all.
From here the records go through `apply_approvals` like any other: groups, requesters,
co-authors, `approvals.signed_only`, one person counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from signoff.approvals.record import ApprovalRecord, Kind
from signoff.approvals.verify import CheckedRecord
from signoff.identity.agents import Registry
from signoff.identity.signers import AGENT_PRINCIPAL


class Review(NamedTuple):
    """One pull-request review as GitHub reports it (GitHub authenticated the reviewer)."""

    id: int
    login: str
    bot: bool
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str
    submitted_at: str  # RFC 3339 UTC, "" when GitHub gives none (a pending review)
    url: str


SOURCE = "forge-review"
_KIND = {"APPROVED": Kind.APPROVE, "CHANGES_REQUESTED": Kind.VETO}

#: What the gate computes at a reviewed commit: class -> digest, or why it cannot.
DigestsAt = Callable[[str], "Mapping[str, str] | str"]


def record_id(review: Review) -> str:
    return f"github-review:{review.id}"


def review_records(
    reviews: Sequence[Review],
    *,
    logins: Mapping[str, str],
    agent_logins: Mapping[str, str],
    current: Mapping[str, str],
    digests_at: DigestsAt,
    repository: str,
    policy_digest: str,
) -> list[CheckedRecord]:
    """One record per approving or change-requesting review (latest word per person for vetoes).

    `logins` maps a lower-case GitHub login to its person; `agent_logins` maps a lower-case
    login to the agent registered with it; `current` is the class -> digest the gate decides on."""
    words = [r for r in reviews if r.state in _KIND]
    latest: dict[str, Review] = {}
    for r in sorted(words, key=lambda r: (r.submitted_at, r.id)):
        latest[r.login.lower()] = r
    out = []
    for r in words:
        key = r.login.lower()
        kind = _KIND[r.state]
        if kind is Kind.VETO and latest[key] is not r:
            continue  # an earlier request for changes the same person has since answered
        agent = agent_logins.get(key) or (key if r.bot or key.endswith("[bot]") else None)
        person = logins.get(key)
        if agent is not None:
            out.append(_record(r, kind, f"{AGENT_PRINCIPAL}{agent}", current, repository, ""))
            continue
        if person is None:
            why = f"GitHub user {r.login} is not mapped to a person (policy groups: `github:`)"
            out.append(_bad(r, kind, why))
            continue
        if not r.submitted_at:
            out.append(_bad(r, kind, "review has no submission time (pending)"))
            continue
        if kind is Kind.VETO:
            digests: Mapping[str, str] | str = current
        elif not r.commit_id:
            digests = "review names no commit"
        else:
            digests = digests_at(r.commit_id)
        if isinstance(digests, str):
            out.append(_bad(r, kind, digests, approver=person))
            continue
        out.append(_record(r, kind, person, digests, repository, policy_digest))
    return out


def _record(
    r: Review,
    kind: Kind,
    signer: str,
    digests: Mapping[str, str],
    repository: str,
    policy_digest: str,
) -> CheckedRecord:
    rec = ApprovalRecord(
        repository=repository,
        decision=kind,
        approver=signer,
        digests=dict(sorted(digests.items())),
        policy_digest=policy_digest,
        base="",
        head=r.commit_id,
        classes=tuple(sorted(digests)),
        comment=f"GitHub review {r.url}",
        reason="",
        time=r.submitted_at,
    )
    return CheckedRecord(record_id(r), rec, signer, "", "", None, SOURCE)


def _bad(r: Review, kind: Kind, why: str, approver: str = "") -> CheckedRecord:
    rec = ApprovalRecord(
        "", kind, approver or r.login.lower(), {}, "", "", r.commit_id, (), "", "", ""
    )
    return CheckedRecord(record_id(r), rec, "", "", "", why, SOURCE)


def agent_login_map(registry: Registry) -> dict[str, str]:
    """login (lower case) -> agent id, from the registry's `match.logins`."""
    return {login.lower(): a.id for a in registry.agents for login in a.match.logins}
