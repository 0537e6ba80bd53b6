"""The release result for people (text) and tools (JSON `signoff.release/v1`).

The JSON is built by converter functions from the internal result, so internal types can change
without changing the schema. The detailed review predicate of the attestation reuses `changes`,
`commits` and `approvals` from here, so the report and the attestation say the same thing.
"""

from __future__ import annotations

from typing import Any

from signoff.decision import Verdict
from signoff.output.escape import display
from signoff.release.verify import ReleaseResult

SCHEMA = "signoff.release/v1"


def result_word(r: ReleaseResult) -> str:
    return "PASSED" if r.passed else "FAILED"


def changes_json(r: ReleaseResult) -> list[dict[str, Any]]:
    """Each landed file the gate governs or that a release approval applies to."""
    attributions = {a.sha: a for a in r.decision.commits}
    out = []
    for f in r.decision.files:
        kinds = sorted({attributions[s].kind.value for s in f.commits if s in attributions})
        out.append(
            {
                "path": f.path,
                "old_path": f.old_path,
                "status": f.status,
                "class": f.file_class.value,
                "risk": str(f.risk),
                "decision": f.verdict.value,
                "release_impacting": f.path in r.release_paths,
                "attribution": kinds,
                "identities": list(f.identities),
                "commits": list(f.commits),
                "facts": [{"kind": x.kind, "message": x.message} for x in f.facts],
                "requirements": [
                    {"approvals": q.approvals, "from": q.group, "rule": q.rule}
                    for q in f.requirements
                ],
                "rules": sorted({h.rule for h in f.hits}),
            }
        )
    return out


def approvals_json(r: ReleaseResult) -> dict[str, Any]:
    rep = r.decision.approvals
    if rep is None:
        return {"approvals": [], "overrides": [], "ignored": []}
    return {
        "approvals": [
            {
                "class": s.file_class,
                "digest": f"sha256:{s.digest}",
                "group": s.group,
                "needed": s.needed,
                "approvers": list(s.approvers),
                "vetoers": list(s.vetoers),
                "state": s.state,
                "rule": s.rule,
            }
            for s in rep.statuses
        ],
        "overrides": [
            {
                "class": o.file_class,
                "digest": f"sha256:{o.digest}",
                "by": o.by,
                "reason": o.reason,
                "record": o.record_id,
                "time": o.time,
            }
            for o in rep.overrides
        ],
        "ignored": [
            {
                "record": i.record_id,
                "approver": i.approver,
                "decision": i.decision,
                "reason": i.reason,
            }
            for i in rep.ignored
        ],
    }


def commits_json(r: ReleaseResult) -> list[dict[str, Any]]:
    v = r.view
    out = []
    for a in r.decision.commits:
        tasks = sorted(v.commit_tasks.get(a.sha, ()))
        out.append(
            {
                "sha": a.sha,
                "subject": r.decision.commit_subjects.get(a.sha, ""),
                "attribution": a.kind.value,
                "identities": [x.id for x in a.actors],
                "human": a.human,
                "tasks": tasks,
                "intent_digests": sorted({d for t in tasks for d in v.task_intents.get(t, ())}),
                "token_digests": sorted(
                    set(v.commit_tokens.get(a.sha, ()))
                    | {d for t in tasks for d in v.task_tokens.get(t, ())}
                ),
            }
        )
    return out


def to_json(r: ReleaseResult) -> dict[str, Any]:
    d = r.decision
    return {
        "schema": SCHEMA,
        "result": result_word(r),
        "verified_at": r.verified_at,
        "range": {
            "from": r.from_ref,
            "to": r.to_ref,
            "base": d.base,
            "head": d.head,
            "merge_base": d.merge_base,
        },
        "policy": {"digest": f"sha256:{r.policy.digest}", "source": r.policy.source},
        "tag": None
        if r.tag is None
        else {
            "name": r.tag.tag,
            "commit": r.tag.commit,
            "kind": r.tag.kind,
            "tagger": r.tag.tagger,
            "evidence": r.tag.evidence,
            "branches": list(r.tag.branches),
        },
        "checks": [
            {"name": c.name, "ok": c.ok, "problems": list(c.problems), "notes": list(c.notes)}
            for c in r.checks
        ],
        "failures": r.failures,
        "changes": changes_json(r),
        **approvals_json(r),
        "commits": commits_json(r),
        "artifacts": [
            {
                "name": a.name,
                "digest": a.digest,
                "ok": a.ok,
                "built_by": list(a.built_by),
                "signed_by": list(a.signed_by),
                "problems": list(a.problems),
                "ledger_events": [e.seq for e in a.events],
                "provenance": [
                    {"seq": seq, "role": role, "identity": who, "verified_by": by, "how": how}
                    for seq, role, who, by, how in a.provenance
                ],
            }
            for a in r.artifacts
        ],
        "warnings": list(r.warnings),
    }


def to_text(r: ReleaseResult) -> str:
    return text_from_json(to_json(r))


def text_from_json(doc: dict[str, Any]) -> str:
    """The text report from a `signoff.release/v1` document: the local run and `--server`
    (which gets the document from the control plane) print the same thing."""
    rng, word = doc["range"], doc["result"]
    changes, commits = doc["changes"], doc["commits"]
    lines = [
        f"signoff release verify: {word}",
        f"  range   {rng['from'] or '(root)'}..{rng['to']}  ({rng['merge_base'][:12]}.."
        f"{rng['head'][:12]}, {len(commits)} commits, {len(changes)} files)",
        f"  policy  {doc['policy']['source']}  {doc['policy']['digest'][:23]}",
    ]
    for w in doc["warnings"]:
        lines.append(f"  warning: {w}")
    lines.append("")
    for c in doc["checks"]:
        lines.append(f"[{'PASS' if c['ok'] else 'FAIL'}] {c['name']}")
        lines += [f"    x {display(p)}" for p in c["problems"]]
        lines += [f"    - {display(n)}" for n in c["notes"]]
    governed = [
        f for f in changes if f["decision"] != Verdict.ALLOW.value or f["release_impacting"]
    ]
    if governed:
        lines += ["", "Changes that needed a decision:"]
        for f in governed:
            mark = " [release]" if f["release_impacting"] else ""
            lines.append(f"  {f['decision']:15} {display(f['path'])} ({f['class']}){mark}")
    agents = [c for c in commits if c["identities"]]
    if agents:
        lines += ["", "Agent-influenced commits:"]
        for c in agents:
            who = ", ".join(c["identities"])
            lines.append(
                f"  {c['sha'][:12]} {c['attribution']:10} {who:24} {display(c['subject'])[:60]}"
            )
    for art in doc["artifacts"]:
        state = "ok" if art["ok"] else "FAIL"
        built, signed = ", ".join(art["built_by"]) or "-", ", ".join(art["signed_by"]) or "-"
        lines.append(
            f"artifact {display(art['name'])} {art['digest'][:23]}... {state}; "
            f"built by {built}; signed by {signed}"
        )
        for p in art.get("provenance", []):
            lines.append(
                f"  {p['role']} {display(p['identity'])} (seq {p['seq']}): {p['verified_by']}"
            )
    failures = "" if word == "PASSED" else f" ({len(doc['failures'])} problem(s))"
    lines += ["", f"Result: {word}{failures}"]
    return "\n".join(lines) + "\n"
