"""Decide one landed file under the policy (docs/policy.md). Pure: data in, decision out.

Principles enforced here, none of them configurable away:
- rules only add requirements; a rule that does not apply adds nothing and removes nothing;
- critical changes by an agent are denied unless a rule that certainly applies names the class
  (or fact) and requires approval;
- an agent past expiry, suspended or retired, or working outside its registered scope, is denied;
- when a condition cannot be checked (target branch unknown), the rule is applied anyway;
- with `four_eyes`, a change of its classes (governance by default) needs approvals from people
  other than its authors whoever made it, a verified human too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from operator import attrgetter
from typing import NamedTuple

from signoff.attribution.attribute import Attribution, AttributionKind
from signoff.changes import FileChange
from signoff.decision import FileDecision, Hit, Verdict, strictest
from signoff.facts import Fact
from signoff.identity.agents import Agent, Lifecycle
from signoff.patterns.globs import match_any
from signoff.policy.model import FourEyes, Policy, Requirement, Rule
from signoff.taxonomy import RISK, FileClass, Mode, Risk


class FileInput(NamedTuple):
    change: FileChange
    file_class: FileClass
    risk: Risk  # the class's risk after adjustments
    facts: tuple[Fact, ...]
    attributions: tuple[Attribution, ...]
    adjustments: tuple[str, ...] = ()


_AGENT_KINDS = (AttributionKind.AGENT, AttributionKind.BOT)
_SHA = attrgetter("sha")


class _Subject(NamedTuple):
    id: str
    mode: Mode
    agent: Agent | None


def effective_risk(file_risk: Risk, facts: Iterable[Fact]) -> Risk:
    return max([file_risk, *(f.risk for f in facts)])


def evaluate_file(
    fi: FileInput, policy: Policy, today: dt.date, target: str | None
) -> FileDecision:
    change = fi.change
    risk = effective_risk(fi.risk, fi.facts)
    hits: list[Hit] = []
    verdicts: list[Verdict] = []
    reqs: list[Requirement] = []
    subjects = _subjects(fi.attributions, policy, hits)
    paths = [change.path] + ([change.old_path] if change.is_rename else [])

    if not subjects:
        hits.append(
            Hit(
                "human",
                "allow",
                "changed only by verified humans"
                if all(a.kind is AttributionKind.HUMAN for a in fi.attributions)
                else "no agent involvement (unverified commits treated as human by policy)",
            )
        )
        verdicts.append(Verdict.ALLOW)
    for s in subjects:
        verdicts.append(_identity_checks(s, paths, today, target, hits, reqs, policy))
        verdicts.append(_mode_baseline(s, fi, risk, policy, hits, reqs))

    if subjects:
        verdicts += _rules(fi, risk, paths, subjects, target, policy, hits, reqs)

    fe = policy.four_eyes
    if fe is not None and fi.file_class in fe.classes:
        verdicts.append(_four_eyes(fe, fi, hits, reqs))

    verdict = strictest(verdicts)
    if verdict is not Verdict.NEEDS_APPROVAL:
        reqs = [] if verdict is Verdict.ALLOW else reqs
    return FileDecision(
        path=change.path,
        old_path=change.old_path if change.is_rename else None,
        status=change.status.value,
        file_class=fi.file_class,
        risk=risk,
        verdict=verdict,
        requirements=merge_requirements(reqs),
        hits=tuple(hits),
        facts=fi.facts,
        commits=tuple(map(_SHA, fi.attributions)),
        identities=tuple(dict.fromkeys(s.id for s in subjects)),
        adjustments=fi.adjustments,
        new_mode=change.new_mode,
        new_blob=change.new_blob,
        old_mode=change.old_mode,
        old_blob=change.old_blob,
    )


def _rules(
    fi: FileInput,
    risk: Risk,
    paths: list[str],
    subjects: list[_Subject],
    target: str | None,
    policy: Policy,
    hits: list[Hit],
    reqs: list[Requirement],
) -> list[Verdict]:
    """What the policy's rules add, and the critical-class principle (denied unless a rule that
    certainly applies names the class and requires approval)."""
    verdicts: list[Verdict] = []
    lifted = False
    for rule in policy.rules:
        applies = _applies(rule, fi, paths, subjects, target)
        if applies is False:
            continue
        maybe = " (target branch unknown: applied to be safe)" if applies is None else ""
        if rule.deny:
            hits.append(Hit(rule.name, "deny", f"rule denies this change{maybe}"))
            verdicts.append(Verdict.DENY)
            continue
        reqs.append(rule.requirement())
        hits.append(
            Hit(
                rule.name,
                "approval",
                f"needs {rule.approvals} approval(s) from {rule.group}{maybe}",
            )
        )
        verdicts.append(Verdict.NEEDS_APPROVAL)
        if applies is True and _names_critical(rule, fi):
            lifted = True
    if risk is Risk.CRITICAL:
        if lifted:
            hits.append(
                Hit(
                    "critical",
                    "approval",
                    "critical change allowed only with the approval its rule names",
                )
            )
        else:
            hits.append(Hit("critical", "deny", _critical_reason(fi)))
            verdicts.append(Verdict.DENY)
    return verdicts


def merge_requirements(reqs: Sequence[Requirement]) -> tuple[Requirement, ...]:
    """One requirement per group: the largest count any rule asked for, and nobody's approval
    counts who any of them excluded."""
    best: dict[str, Requirement] = {}
    excluded: dict[str, set[str]] = {}
    for r in reqs:
        if r.group not in best or r.approvals > best[r.group].approvals:
            best[r.group] = r
        excluded.setdefault(r.group, set()).update(r.excluded)
    return tuple(
        replace(best[g], excluded=tuple(sorted(excluded[g]))) if excluded[g] else best[g]
        for g in sorted(best)
    )


def _four_eyes(fe: FourEyes, fi: FileInput, hits: list[Hit], reqs: list[Requirement]) -> Verdict:
    """Approvals by people other than the change's authors (its verified human signers; an
    agent or unverified author is no approver anyway), however the change was made."""
    authors = tuple(sorted({a.human.lower() for a in fi.attributions if a.human}))
    reqs.append(Requirement(fe.approvals, fe.group, "four-eyes", authors))
    by = f"; not by its author(s) {', '.join(authors)}" if authors else ""
    hits.append(
        Hit("four-eyes", "approval",
            f"{fi.file_class} change: needs {fe.approvals} approval(s) from {fe.group}{by}")
    )  # fmt: skip
    return Verdict.NEEDS_APPROVAL


def _subjects(attrs: Sequence[Attribution], policy: Policy, hits: list[Hit]) -> list[_Subject]:
    # A file can carry thousands of commits but few distinct attributions: commits attributed
    # alike share one interned profile, so agent and bot commits group by it, the rest by kind,
    # each group in the order it first appears.
    groups = {(a.profile if a.kind in _AGENT_KINDS else a.kind): a for a in attrs}
    out: dict[str, _Subject] = {}
    for a in groups.values():
        if a.kind in _AGENT_KINDS:
            for actor in a.actors:
                if actor.id not in out:
                    agent = actor.agent
                    mode = agent.mode if agent is not None else policy.unregistered_mode
                    out[actor.id] = _Subject(actor.id, mode, agent)
            # What a commit claims can only add scrutiny (docs/attribution.md): an agent named
            # by nothing but the commit's own words is also an unverified commit, and the
            # stricter of the two treatments applies.
            if a.asserted_only and policy.treat_unverified_as_agent:
                out.setdefault("unverified", _Subject("unverified", policy.unverified_mode, None))
        elif a.kind is AttributionKind.UNVERIFIED:
            if policy.treat_unverified_as_agent:
                out.setdefault("unverified", _Subject("unverified", policy.unverified_mode, None))
            else:
                hits.extend(
                    Hit(
                        "treat_unverified_as_agent",
                        "note",
                        f"commit {u.sha[:12]} is unverified; policy treats it as human",
                    )
                    for u in attrs
                    if u.kind is AttributionKind.UNVERIFIED
                )
    if policy.fail_closed_reason is not None:
        return [_Subject(s.id, Mode.SUPERVISED, s.agent) for s in out.values()]
    return list(out.values())


def _identity_checks(
    s: _Subject,
    paths: list[str],
    today: dt.date,
    target: str | None,
    hits: list[Hit],
    reqs: list[Requirement],
    policy: Policy,
) -> Verdict:
    agent = s.agent
    if agent is None:
        if s.id.startswith("unregistered:"):
            hits.append(
                Hit(
                    "unregistered-agent",
                    "note",
                    f"{s.id.split(':', 1)[1]} activity matches no registered agent; "
                    f"handled as `{s.mode}`",
                )
            )
        return Verdict.ALLOW
    verdict = Verdict.ALLOW
    life = agent.lifecycle(today)
    if life in (Lifecycle.EXPIRED, Lifecycle.SUSPENDED, Lifecycle.RETIRED):
        hits.append(
            Hit("identity", "deny", f"agent {agent.id} is {life}; contact its owner {agent.owner}")
        )
        verdict = Verdict.DENY
    elif life is Lifecycle.REVIEW_DUE:
        hits.append(
            Hit(
                "identity",
                "note",
                f"agent {agent.id} was due for review on "
                f"{agent.review_by}; contact its owner {agent.owner}",
            )
        )
    if agent.scope.restricts_paths and not all(agent.scope.allows_path(p) for p in paths):
        hits.append(Hit("scope", "deny", f"outside agent {agent.id}'s registered paths"))
        verdict = Verdict.DENY
    if agent.scope.restricts_branches:
        if target is None:
            hits.append(
                Hit(
                    "scope",
                    "approval",
                    f"agent {agent.id} is scoped to branches "
                    f"{agent.scope.describe_branches()} but the target branch is unknown",
                )
            )
            reqs.append(policy.default_approval)
            verdict = strictest([verdict, Verdict.NEEDS_APPROVAL])
        elif not agent.scope.allows_branch(target):
            hits.append(Hit("scope", "deny", f"agent {agent.id} may not target {target}"))
            verdict = Verdict.DENY
    return verdict


def _mode_baseline(
    s: _Subject,
    fi: FileInput,
    risk: Risk,
    policy: Policy,
    hits: list[Hit],
    reqs: list[Requirement],
) -> Verdict:
    default = policy.default_approval
    if s.mode is Mode.BLOCKED and risk >= Risk.HIGH:
        hits.append(
            Hit("mode", "deny", f"{s.id} is `blocked`: {risk} changes must be redone by a human")
        )
        return Verdict.DENY
    if s.mode is Mode.LIMITED and in_auto_lane(fi, policy):
        hits.append(
            Hit("auto-lane", "allow", f"{s.id} is `limited` and the change lies in the auto lane")
        )
        if fi.file_class in policy.auto_lane.risky:
            hits.append(
                Hit("allow_risky_lane", "note",
                    f"{fi.file_class} is {RISK[fi.file_class]}-risk: in the auto lane only "
                    "because the policy's allow_risky_lane puts it there")
            )  # fmt: skip
        return Verdict.ALLOW
    reqs.append(default)
    hits.append(
        Hit(
            "mode",
            "approval",
            f"{s.id} is `{s.mode}`: needs {default.approvals} approval(s) from {default.group}",
        )
    )
    return Verdict.NEEDS_APPROVAL


def in_auto_lane(fi: FileInput, policy: Policy) -> bool:
    """Exclusive allowlist: every part of the change must be admitted, nothing by default.

    A file is in the lane when its class is a lane class, or when one of its facts is a lane fact
    (e.g. `version-bump-only`); and, either way, every fact it carries is a lane fact or low risk.
    Symlinks, binaries, mode changes and cross-class renames (adjustments) never are.
    """
    lane = policy.auto_lane
    if fi.adjustments:
        return False
    if fi.file_class not in lane.classes and not any(f.kind in lane.facts for f in fi.facts):
        return False
    return all(f.kind in lane.facts or f.risk is Risk.LOW for f in fi.facts)


def _applies(
    rule: Rule, fi: FileInput, paths: list[str], subjects: list[_Subject], target: str | None
) -> bool | None:
    """True, False, or None when it may apply but cannot be checked (unknown target)."""
    w = rule.when
    if w.classes and fi.file_class not in w.classes:
        return False
    if w.facts and not any(f.kind in w.facts for f in fi.facts):
        return False
    if w.paths and not any(match_any(w.paths, p) for p in paths):
        return False
    if w.agents and not any(_agent_matches(w.agents, s) for s in subjects):
        return False
    if w.branches:
        if target is None:
            return None
        if not match_any(w.branches, target):
            return False
    return True


def _agent_matches(names: Sequence[str], s: _Subject) -> bool:
    return (
        "*" in names
        or s.id in names
        or ("unregistered" in names and s.id.startswith("unregistered:"))
    )


def _names_critical(rule: Rule, fi: FileInput) -> bool:
    """Does the rule explicitly name every critical part of this change?"""
    if fi.risk is Risk.CRITICAL and fi.file_class not in rule.when.classes:
        return False
    critical = {f.kind for f in fi.facts if f.risk is Risk.CRITICAL}
    return critical <= set(rule.when.facts)


def _critical_reason(fi: FileInput) -> str:
    if fi.risk is Risk.CRITICAL:
        what = f"{fi.file_class} is critical"
    else:
        kinds = sorted({f.kind for f in fi.facts if f.risk is Risk.CRITICAL})
        what = f"critical fact(s) {', '.join(kinds)}"
    return f"{what}: agents may not make this change unless a rule names it and requires approval"
