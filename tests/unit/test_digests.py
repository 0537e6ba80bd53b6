"""Content digests: what an approval binds, and the change-set digest every decision names.

A digest must change with the content and the policy, and must not change with anything that
leaves them identical (the commits of an identical rebase, the order files are listed in).
"""

from __future__ import annotations

from units import change

from signoff.approvals.check import read_legacy
from signoff.approvals.digest import class_digests, legacy_class_digests
from signoff.approvals.server_source import checked_from_api
from signoff.approvals.verify import CheckedRecord
from signoff.changes import Status
from signoff.decision import FileDecision, Verdict
from signoff.gate.check import change_set_digest
from signoff.taxonomy import FileClass, Risk

POLICY = "p" * 64


def landed(
    path: str, blob: str, cls: FileClass = FileClass.SOURCE, status: str = "M"
) -> FileDecision:
    return FileDecision(
        path, None, status, cls, Risk.MEDIUM, Verdict.NEEDS_APPROVAL, (), (), (), ("c" * 40,), (),
        new_mode="100644", new_blob=blob,
    )  # fmt: skip


def test_class_digests_follow_the_content() -> None:
    a = class_digests([landed("src/a.py", "1" * 40)], POLICY)
    assert a == class_digests([landed("src/a.py", "1" * 40)], POLICY)  # same content, same digest
    assert a != class_digests([landed("src/a.py", "2" * 40)], POLICY)  # new blob
    assert a != class_digests([landed("src/b.py", "1" * 40)], POLICY)  # other path
    assert a != class_digests([landed("src/a.py", "1" * 40)], "q" * 64)  # other policy


def test_class_digests_are_per_class_and_order_free() -> None:
    files = [landed("src/a.py", "1" * 40), landed("docs/x.md", "2" * 40, FileClass.DOCS)]
    digests = class_digests(files, POLICY)
    assert set(digests) == {"source", "docs"}
    assert digests == class_digests(list(reversed(files)), POLICY)
    only_source = class_digests(files[:1], POLICY)
    assert digests["source"] == only_source["source"]  # a docs change leaves source's digest


def test_a_deletion_binds_to_the_missing_file() -> None:
    gone = landed("src/a.py", "0" * 40, status="D")
    assert class_digests([gone], POLICY) != class_digests([landed("src/a.py", "1" * 40)], POLICY)


def test_change_set_digest_covers_files_and_commits() -> None:
    files = [change("src/a.py"), change("docs/x.md", Status.ADDED)]
    digest = change_set_digest(files, ["a" * 40, "b" * 40])
    assert digest == change_set_digest(list(reversed(files)), ["b" * 40, "a" * 40])
    assert digest != change_set_digest(files, ["a" * 40])
    assert digest != change_set_digest(files[:1], ["a" * 40, "b" * 40])


def changed(
    path: str, old: str, new: str, status: str = "M", old_path: str | None = None
) -> FileDecision:
    return FileDecision(
        path, old_path, status, FileClass.SOURCE, Risk.MEDIUM, Verdict.NEEDS_APPROVAL, (), (), (),
        ("c" * 40,), (), new_mode="100644", new_blob=new, old_mode="100644", old_blob=old,
    )  # fmt: skip


def test_class_digests_bind_the_old_side_too() -> None:
    a = class_digests([changed("src/a.py", "1" * 40, "2" * 40)], POLICY)
    assert a == class_digests([changed("src/a.py", "1" * 40, "2" * 40)], POLICY)
    assert a != class_digests([changed("src/a.py", "3" * 40, "2" * 40)], POLICY)  # base moved
    added = class_digests([changed("src/a.py", "0" * 40, "2" * 40, status="A")], POLICY)
    assert a != added


def test_a_rename_binds_the_old_path_and_its_content() -> None:
    moved = changed("src/b.py", "1" * 40, "1" * 40, status="R", old_path="src/a.py")
    other = changed("src/b.py", "3" * 40, "1" * 40, status="R", old_path="src/a.py")
    assert class_digests([moved], POLICY) != class_digests([other], POLICY)


def test_legacy_digests_are_the_v1_digests_of_the_new_side() -> None:
    one = [changed("src/a.py", "1" * 40, "2" * 40)]
    other_base = [changed("src/a.py", "3" * 40, "2" * 40)]
    assert legacy_class_digests(one, POLICY) == legacy_class_digests(other_base, POLICY)
    assert legacy_class_digests(one, POLICY) != class_digests(one, POLICY)


def _server_record(kind: str, digest: str) -> CheckedRecord:
    item = {
        "id": 7, "repository": "r" * 40, "decision": kind, "approver": "bob@example.com",
        "digests": {"source": f"sha256:{digest}"}, "policy_digest": f"sha256:{POLICY}",
        "base": "b" * 40, "head": "c" * 40, "time": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    return checked_from_api(item, "r" * 40)


def test_v1_records_from_the_control_plane_are_read_as_from_the_ref() -> None:
    files = [changed("src/a.py", "1" * 40, "2" * 40)]
    now, v1 = class_digests(files, POLICY), legacy_class_digests(files, POLICY)
    veto = read_legacy(_server_record("veto", v1["source"]), now, v1)
    assert veto.valid and veto.record is not None
    assert veto.record.digests == {"source": now["source"]}  # still blocks the same content
    approval = read_legacy(_server_record("approve", v1["source"]), now, v1)
    assert not approval.valid and "signoff.content/v1" in (approval.error or "")
    current = _server_record("approve", now["source"])
    assert read_legacy(current, now, v1) is current
