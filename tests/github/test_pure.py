"""The pure parts: the policy's `github:` logins, reviews as records, annotations' escaping."""

from __future__ import annotations

import pytest

from signoff.approvals.apply import apply_approvals
from signoff.approvals.digest import class_digests
from signoff.decision import Decision, FileDecision, Verdict
from signoff.errors import ConfigError
from signoff.github.annotations import check_annotations, workflow_commands
from signoff.github.reviews import Review, review_records
from signoff.policy.load import parse_policy
from signoff.policy.model import Requirement
from signoff.taxonomy import FileClass, Risk

POLICY = b"""\
version: 1
groups:
  maintainers:
    - {id: Alice@Example.com, github: Alice-GH}
    - bob@example.com
  owners: carol@example.com
approvals:
  signed_only: [lockfile]
"""
ONE = Requirement(1, "maintainers", "default-approval")
HEAD, OLD = "a" * 40, "b" * 40


def fd(path: str, cls: FileClass, blob: str) -> FileDecision:
    return FileDecision(
        path, None, "M", cls, Risk.HIGH, Verdict.NEEDS_APPROVAL, (ONE,), (), (), (HEAD,),
        ("copilot",), new_mode="100644", new_blob=blob * 40,
    )  # fmt: skip


def review(login: str, state: str, commit: str, n: int, *, bot: bool = False) -> Review:
    return Review(n, login, bot, state, commit, f"2026-01-01T00:00:0{n}Z", f"https://x/{n}")


def test_github_logins_map_people_case_insensitively() -> None:
    p = parse_policy(POLICY)
    assert p.groups["maintainers"] == ("alice@example.com", "bob@example.com")
    assert p.groups["owners"] == ("carol@example.com",)
    assert dict(p.github_logins) == {"alice-gh": "alice@example.com"}
    assert p.approvals.signed_only == (FileClass.LOCKFILE,)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("  a:\n    - {id: x@e.com, github: 'not a login!'}\n", "is not a GitHub login"),
        ("  a:\n    - {id: x@e.com, github: gh}\n    - {id: y@e.com, github: GH}\n",
         "GitHub login 'GH' is already x@e.com's"),
        ("  a:\n    - {id: x@e.com, github: one}\n  b:\n    - {id: x@e.com, github: two}\n",
         "x@e.com already has GitHub login 'one'"),
        ("  a:\n    - {github: one}\n", "missing required key 'id'"),
        ("  a:\n    - {id: x@e.com, gitlab: one}\n", "unknown key 'gitlab'"),
    ],
)  # fmt: skip
def test_ambiguous_or_malformed_logins_are_errors(groups: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_policy(f"version: 1\ngroups:\n{groups}".encode(), "policy.yml")
    assert message in str(err.value) and "policy.yml:" in str(err.value)


def test_reviews_bind_the_digests_at_their_commit() -> None:
    policy = parse_policy(POLICY)
    now = (fd("src/a.py", FileClass.SOURCE, "1"), fd("package-lock.json", FileClass.LOCKFILE, "2"))
    before = (
        fd("src/a.py", FileClass.SOURCE, "1"),
        fd("package-lock.json", FileClass.LOCKFILE, "3"),
    )
    current = class_digests(now, policy.digest)
    at = {HEAD: current, OLD: class_digests(before, policy.digest)}
    records = review_records(
        [review("alice-gh", "APPROVED", OLD, 1), review("someone", "APPROVED", HEAD, 2)],
        logins=policy.github_logins,
        agent_logins={},
        current=current,
        digests_at=lambda c: at.get(c, "unknown commit"),
        repository="r",
        policy_digest=policy.digest,
    )
    files, report = apply_approvals(now, current, records, policy)
    verdicts = {f.path: f.verdict for f in files}
    # source's content is what alice saw at the old commit; the lockfile changed since
    assert verdicts == {"src/a.py": Verdict.ALLOW, "package-lock.json": Verdict.NEEDS_APPROVAL}
    [src] = [s for s in report.statuses if s.file_class == "source"]
    assert src.sources == (("alice@example.com", "forge-review"),)
    reasons = [i.reason for s in report.statuses for i in s.ignored] + [
        i.reason for i in report.ignored
    ]
    assert any("stale digest" in r for r in reasons)
    assert any("someone is not mapped" in r for r in reasons)
    # signed_only: even a review of the head does not count for the lockfile
    records = review_records(
        [review("alice-gh", "APPROVED", HEAD, 3)],
        logins=policy.github_logins,
        agent_logins={},
        current=current,
        digests_at=lambda c: at[c],
        repository="r",
        policy_digest=policy.digest,
    )
    files, report = apply_approvals(now, current, records, policy)
    assert [f.verdict for f in files] == [Verdict.ALLOW, Verdict.NEEDS_APPROVAL]
    [lock] = [s for s in report.statuses if s.file_class == "lockfile"]
    assert (
        lock.ignored[0].reason
        == "lockfile needs a signed approval record (policy approvals.signed_only)"
    )
    assert lock.ignored[0].source == "forge-review"


def _decision(path: str) -> Decision:
    f = fd(path, FileClass.SOURCE, "1")
    return Decision(Verdict.NEEDS_APPROVAL, HEAD, OLD, HEAD, "main", (f,), (), {}, {}, "p", True)


def test_annotations_cannot_start_a_workflow_command() -> None:
    evil = "src/x\n::add-mask::secret,title=y:z%0A.py"
    [line] = list(workflow_commands(_decision(evil)))
    assert "\n" not in line and line.count("::") == 2
    assert line.startswith(
        "::warning file=src/x\\n%3A%3Aadd-mask%3A%3Asecret%2Ctitle=y%3Az%250A.py,"
    )
    [ann] = check_annotations(_decision("src/a.py"))
    assert ann["annotation_level"] == "warning" and ann["start_line"] == 1
