"""Policy unit tests (`signoff policy test DIR`), in the spirit of `opa test`.

Each YAML file describes a change set (files, who changed them, their facts) and the decision
expected. The scenario runs through the same evaluator as the gate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from signoff.attribution.attribute import (
    Actor,
    Attribution,
    AttributionKind,
    Evidence,
    EvidenceType,
    attribution,
)
from signoff.changes import (
    MODE_EXEC,
    MODE_FILE,
    MODE_GITLINK,
    MODE_SYMLINK,
    NULL_SHA,
    FileChange,
    Status,
)
from signoff.classify.change import classify_change
from signoff.config.fields import Fields
from signoff.config.yamlsrc import load
from signoff.decision import Verdict, strictest
from signoff.facts import Fact
from signoff.identity.agents import Registry
from signoff.policy.evaluate import FileInput, evaluate_file
from signoff.policy.model import Policy
from signoff.taxonomy import Kind, Risk

_TEST_KEYS = ("name", "today", "target_branch", "files", "expect")
_FILE_KEYS = ("path", "old_path", "status", "by", "facts", "binary", "symlink_to", "mode")
_VERDICTS = [v.value for v in Verdict]


@dataclass(frozen=True, slots=True)
class Outcome:
    file: str
    name: str
    passed: bool
    detail: str


def run_tests(directory: Path, policy: Policy, registry: Registry) -> list[Outcome]:
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml"))
    return [run_one(p, policy, registry) for p in files]


def run_one(path: Path, policy: Policy, registry: Registry) -> Outcome:
    from signoff.analysis import KNOWN_FACTS

    doc = load(path.read_bytes(), str(path))
    f = Fields(doc)
    f.mapping((), _TEST_KEYS, required=("files", "expect"))
    name = f.string(("name",), path.stem)
    today = f.date(("today",)) or dt.date.today()
    target = f.optional_string(("target_branch",))
    decisions = []
    for i, _ in enumerate(f.items(("files",))):
        p = ("files", i)
        f.mapping(p, _FILE_KEYS, required=("path",))
        fpath = f.string((*p, "path"), required=True)
        old = f.optional_string((*p, "old_path"))
        status = Status(
            f.string((*p, "status"), "R" if old else "M", choices=[s.value for s in Status])
        )
        link = f.optional_string((*p, "symlink_to"))
        mode = f.string(
            (*p, "mode"),
            MODE_SYMLINK if link else MODE_FILE,
            choices=[MODE_FILE, MODE_EXEC, MODE_SYMLINK, MODE_GITLINK],
        )
        change = FileChange(
            status=status,
            old_path=old or fpath,
            new_path=fpath,
            old_mode=MODE_FILE if status is not Status.ADDED else "000000",
            new_mode=mode if status is not Status.DELETED else "000000",
            old_blob="1" * 40 if status is not Status.ADDED else NULL_SHA,
            new_blob="2" * 40 if status is not Status.DELETED else NULL_SHA,
            binary=f.boolean((*p, "binary"), False),
        )
        facts = []
        for j, kind in enumerate(f.strings((*p, "facts"), choices=sorted(KNOWN_FACTS))):
            facts.append(Fact(kind, fpath, f"{kind} (scenario)", KNOWN_FACTS[kind].risk, "test"))
            del j
        attrs = []
        for j, who in enumerate(f.strings((*p, "by")) or ("unverified",)):
            attrs.append(_attribution(f"{i}-{j}", who, registry, f, (*p, "by", j)))
        cls = classify_change(change, policy.class_globs, symlink_target=link)
        fi = FileInput(
            change, cls.file_class, cls.risk, tuple(facts), tuple(attrs), cls.adjustments
        )
        decisions.append(evaluate_file(fi, policy, today, target))

    f.mapping(("expect",), ("decision", "files"))
    problems: list[str] = []
    overall = strictest([d.verdict for d in decisions])
    want = f.optional_string(("expect", "decision"))
    if want is not None:
        f.string(("expect", "decision"), choices=_VERDICTS)
        if overall.value != want:
            problems.append(f"decision: expected {want}, got {overall.value}")
    by_path = {d.path: d for d in decisions}
    for fname in f.mapping(("expect", "files"), allowed=list(by_path)):
        e = ("expect", "files", fname)
        f.mapping(e, ("decision", "class", "requires"))
        got = by_path[fname]
        wd = f.optional_string((*e, "decision"))
        if wd is not None and got.verdict.value != wd:
            problems.append(
                f"{fname}: expected {wd}, got {got.verdict.value} "
                f"({'; '.join(h.reason for h in got.hits)})"
            )
        wc = f.optional_string((*e, "class"))
        if wc is not None and got.file_class.value != wc:
            problems.append(f"{fname}: expected class {wc}, got {got.file_class.value}")
        wr = f.mapping((*e, "requires"), allowed=None)
        have = {r.group: r.approvals for r in got.requirements}
        for group in wr:
            n = f.integer((*e, "requires", group), 1, minimum=1)
            if have.get(group) != n:
                problems.append(
                    f"{fname}: expected {n} approval(s) from {group}, got {have.get(group, 0)}"
                )
    return Outcome(str(path), name, not problems, "; ".join(problems))


def _attribution(
    sha: str, who: str, registry: Registry, f: Fields, path: tuple[str | int, ...]
) -> Attribution:
    if who == "human":
        return attribution(sha, AttributionKind.HUMAN, (), (), human="human@example.com")
    if who == "unverified":
        return attribution(sha, AttributionKind.UNVERIFIED, (), ())
    if who.startswith("unregistered:"):
        kind = Kind.BOT if who.endswith(("bot", "dependabot", "renovate")) else Kind.AI_AGENT
        actor = Actor(who, kind, None)
    else:
        agent = registry.get(who)
        if agent is None:
            raise f.error(
                path,
                f"unknown agent {who!r}",
                "use a registry id, unregistered:<tool>, unverified or human",
            )
        actor = Actor(agent.id, agent.kind, agent)
    kind_a = AttributionKind.BOT if actor.kind is Kind.BOT else AttributionKind.AGENT
    # A scenario names who did the work as a fact: the agent as witnessed. A commit that only
    # claims the agent is written `by: [<agent>, unverified]`.
    said = Evidence(EvidenceType.WITNESSED, "scenario", actor.id, "named by the policy test")
    return attribution(sha, kind_a, (actor,), (said,))


__all__ = ["Outcome", "Risk", "run_one", "run_tests"]
