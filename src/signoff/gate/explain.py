"""`signoff explain`: what signoff makes of a path, without a commit range."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.classify import classify_path
from signoff.patterns.globs import match_any
from signoff.policy.model import Policy
from signoff.taxonomy import Mode, Risk


@dataclass(frozen=True, slots=True)
class Explanation:
    path: str
    file_class: str
    risk: Risk
    reason: str
    matches: tuple[tuple[str, str, str], ...]  # (class, classifier, reason)
    rules: tuple[tuple[str, str], ...]  # (rule, what it requires and when)
    by_mode: tuple[tuple[str, str], ...]  # (mode, what an agent change here gets)


def explain_path(path: str, policy: Policy | None) -> Explanation:
    extra = policy.class_globs if policy else None
    pc = classify_path(path, extra)
    rules: list[tuple[str, str]] = []
    by_mode: list[tuple[str, str]] = []
    if policy is not None:
        for rule in policy.rules:
            w = rule.when
            if w.classes and pc.file_class not in w.classes:
                continue
            if w.paths and not match_any(w.paths, path):
                continue
            effect = "deny" if rule.deny else f"{rule.approvals} approval(s) from {rule.group}"
            conds = [
                f"{k} in {', '.join(map(str, v))}"
                for k, v in (("facts", w.facts), ("agents", w.agents), ("branches", w.branches))
                if v
            ]
            rules.append((rule.name, effect + (f" when {' and '.join(conds)}" if conds else "")))
        d = policy.default_approval
        default = f"{d.approvals} approval(s) from {d.group}"
        critical = pc.risk is Risk.CRITICAL
        named = any(not r.deny and pc.file_class in r.when.classes for r in policy.rules)
        for mode in Mode:
            if critical and not named:
                text = "deny (critical; no rule names this class with an approval)"
            elif mode is Mode.BLOCKED and pc.risk >= Risk.HIGH:
                text = "deny (blocked agents may not change high or critical files)"
            elif mode is Mode.LIMITED and pc.file_class in policy.auto_lane.classes:
                text = "allow (auto lane), unless a fact or rule says otherwise"
            else:
                text = default + " plus any rule above"
            by_mode.append((mode.value, text))
    return Explanation(
        path=path,
        file_class=pc.file_class.value,
        risk=pc.risk,
        reason=pc.reason,
        matches=tuple((m.file_class.value, m.classifier, m.reason) for m in pc.matches),
        rules=tuple(rules),
        by_mode=tuple(by_mode),
    )
