"""`apply.py` is pure: synthetic files, digests and verified records in, decisions out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policies import POLICY

from signoff.approvals.apply import apply_approvals
from signoff.approvals.digest import class_digests
from signoff.approvals.record import ApprovalRecord, Kind
from signoff.approvals.verify import CheckedRecord
from signoff.decision import FileDecision, Verdict
from signoff.policy.load import parse_policy
from signoff.policy.model import Requirement
from signoff.taxonomy import FileClass, Risk

POL = parse_policy(
    (POLICY + "approvals: {break_glass: release-managers, key_types: [ssh-ed25519]}\n").encode()
)
SHA = "a" * 40


def fd(
    path: str, cls: FileClass, verdict: Verdict, *reqs: Requirement, blob: str = "1"
) -> FileDecision:
    return FileDecision(
        path=path,
        old_path=None,
        status="M",
        file_class=cls,
        risk=Risk.MEDIUM,
        verdict=verdict,
        requirements=reqs,
        hits=(),
        facts=(),
        commits=(SHA,),
        identities=("copilot",),
        new_mode="100644",
        new_blob=blob * 40,
    )


ONE = Requirement(1, "maintainers", "mode")
TWO = Requirement(2, "maintainers", "ci-needs-two")
FILES = (
    fd("src/a.py", FileClass.SOURCE, Verdict.NEEDS_APPROVAL, ONE),
    fd(".github/workflows/ci.yml", FileClass.CI_WORKFLOW, Verdict.NEEDS_APPROVAL, TWO),
    fd("AGENTS.md", FileClass.AGENT_INSTRUCTIONS, Verdict.DENY, ONE),
    fd("README.md", FileClass.DOCS, Verdict.ALLOW),
)
DIGESTS = class_digests(FILES, POL.digest)
_n = 0


def rec(
    who: str,
    kind: Kind = Kind.APPROVE,
    classes: tuple[str, ...] = ("source",),
    *,
    digest: str | None = None,
    signer: str | None = None,
    key_type: str = "ssh-ed25519",
    fp: str = "SHA256:human",
    error: str | None = None,
    reason: str = "",
) -> CheckedRecord:
    global _n
    _n += 1
    r = ApprovalRecord(
        repository=SHA,
        decision=kind,
        approver=who,
        digests={c: digest or DIGESTS[c] for c in classes},
        policy_digest=POL.digest,
        base=SHA,
        head=SHA,
        classes=classes,
        comment="",
        reason=reason,
        time=f"2026-01-01T00:00:{_n:02d}Z",
    )
    return CheckedRecord(f"{_n:064x}", r, signer or who, key_type, fp, error)


def run(*records: CheckedRecord, **kw: Any) -> tuple[dict[str, Verdict], Any]:
    files, report = apply_approvals(FILES, DIGESTS, records, POL, **kw)
    return {f.path: f.verdict for f in files}, report


def reasons(report: Any) -> set[str]:
    return {i.reason for i in report.ignored} | {
        i.reason for s in report.statuses for i in s.ignored
    }


def test_digests_change_with_content_and_policy() -> None:
    other = (fd("src/a.py", FileClass.SOURCE, Verdict.NEEDS_APPROVAL, ONE, blob="2"),)
    assert class_digests(other, POL.digest)["source"] != DIGESTS["source"]
    assert class_digests(FILES[:1], "0" * 64)["source"] != DIGESTS["source"]
    assert class_digests(FILES[:1], POL.digest)["source"] == DIGESTS["source"]


def test_no_records_nothing_changes() -> None:
    verdicts, report = run()
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert [(s.file_class, s.needed, s.missing) for s in report.statuses] == [
        ("ci-workflow", 2, 2),
        ("source", 1, 1),
    ]


def test_approval_needs_distinct_people() -> None:
    ci = ("ci-workflow",)
    verdicts, _ = run(rec("alice@example.com", classes=ci), rec("alice@example.com", classes=ci))
    assert verdicts[".github/workflows/ci.yml"] is Verdict.NEEDS_APPROVAL
    verdicts, _ = run(rec("alice@example.com", classes=ci), rec("bob@example.com", classes=ci))
    assert verdicts[".github/workflows/ci.yml"] is Verdict.ALLOW
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert verdicts["README.md"] is Verdict.ALLOW


def test_veto_lifted_only_by_same_person_later() -> None:
    a, v = rec("alice@example.com"), rec("bob@example.com", Kind.VETO)
    verdicts, report = run(a, v)
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert report.statuses[1].vetoers == ("bob@example.com",)
    verdicts, _ = run(a, v, rec("bob@example.com"))
    assert verdicts["src/a.py"] is Verdict.ALLOW
    earlier = rec("bob@example.com")
    verdicts, _ = run(earlier, rec("bob@example.com", Kind.VETO))  # a later veto wins
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL


def test_exclusions() -> None:
    verdicts, report = run(
        rec("alice@example.com", signer="agent:copilot"),
        rec("bob@example.com", fp="SHA256:agentkey"),
        rec("alice@example.com", key_type="ecdsa-sha2-nistp256"),
        rec("carol@example.com"),
        rec("bob@example.com", digest="0" * 64),
        rec("bob@example.com", error="bad signature: x"),
        agent_keys={"SHA256:agentkey"},
    )
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert {
        "agent identity cannot approve",
        "key type ecdsa-sha2-nistp256 is not allowed (policy approvals.key_types)",
        "carol@example.com is not in group maintainers",
        "bad signature: x",
    } <= reasons(report)
    assert any(r.startswith("stale digest") for r in reasons(report))


def test_requester_never_alone() -> None:
    req = {"src/a.py": {"alice@example.com"}}
    verdicts, report = run(rec("alice@example.com"), requesters=req)
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert "requester cannot be the only approver" in reasons(report)
    verdicts, _ = run(rec("alice@example.com"), rec("bob@example.com"), requesters=req)
    assert verdicts["src/a.py"] is Verdict.ALLOW


def test_a_witnessed_task_s_requester_never_approves() -> None:
    task = {"src/a.py": {"alice@example.com"}}
    verdicts, report = run(rec("alice@example.com"), task_requesters=task)
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert "the task's requester cannot approve its agent's work" in reasons(report)
    # not even next to another approver: bob's approval counts, alice's never does
    verdicts, report = run(rec("alice@example.com"), rec("bob@example.com"), task_requesters=task)
    assert verdicts["src/a.py"] is Verdict.ALLOW
    (status,) = [s for s in report.statuses if s.file_class == "source"]
    assert status.approvers == ("bob@example.com",)
    assert status.task_requesters == ("alice@example.com",)
    # their later approval still lifts their own veto; it just never counts
    verdicts, report = run(
        rec("alice@example.com", Kind.VETO), rec("alice@example.com"), rec("bob@example.com"),
        task_requesters=task,
    )  # fmt: skip
    assert verdicts["src/a.py"] is Verdict.ALLOW
    override = rec("carol@example.com", Kind.OVERRIDE, ("source",), reason="x")
    verdicts, report = run(override, task_requesters={"src/a.py": {"carol@example.com"}})
    assert verdicts["src/a.py"] is Verdict.NEEDS_APPROVAL
    assert "source: requester cannot override their own change" in reasons(report)


def test_override_only_by_break_glass_and_never_approval() -> None:
    classes = ("agent-instructions", "source")
    verdicts, report = run(rec("alice@example.com", Kind.OVERRIDE, classes, reason="x"))
    assert verdicts["AGENTS.md"] is Verdict.DENY
    verdicts, report = run(
        rec("bob@example.com", Kind.VETO),
        rec("carol@example.com", Kind.OVERRIDE, classes, reason="incident"),
    )
    assert verdicts["AGENTS.md"] is Verdict.OVERRIDDEN
    assert verdicts["src/a.py"] is Verdict.OVERRIDDEN
    assert verdicts[".github/workflows/ci.yml"] is Verdict.NEEDS_APPROVAL
    assert {o.by for o in report.overrides} == {"carol@example.com"}
    assert all(s.approvers == () for s in report.statuses)
    req = {"AGENTS.md": {"carol@example.com"}}
    verdicts, report = run(
        rec("carol@example.com", Kind.OVERRIDE, classes, reason="x"), requesters=req
    )
    assert verdicts["AGENTS.md"] is Verdict.DENY
    assert "agent-instructions: requester cannot override their own change" in reasons(report)


def test_the_approvals_ref_is_named_in_one_place() -> None:
    """The gate, the store, the hook and the CLI all read `signoff.protected.APPROVALS_REF`."""
    import signoff
    from signoff.protected import APPROVALS_REF

    src = Path(signoff.__file__).parent
    naming = sorted(
        str(p.relative_to(src)) for p in src.rglob("*.py") if f'"{APPROVALS_REF}"' in p.read_text()
    )
    assert naming == ["protected.py"]
