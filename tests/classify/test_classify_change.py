"""`classify_change`: a change can only make a file's class riskier (fail closed)."""

from __future__ import annotations

import pytest

from signoff.changes import (
    MODE_EXEC,
    MODE_FILE,
    MODE_GITLINK,
    MODE_NONE,
    MODE_SYMLINK,
    NULL_SHA,
    FileChange,
    Status,
)
from signoff.classify.change import classify_change, resolve_symlink
from signoff.taxonomy import FileClass, Risk

B1, B2 = "1" * 40, "2" * 40


def change(
    status: Status,
    new_path: str,
    old_path: str | None = None,
    *,
    old_mode: str = MODE_FILE,
    new_mode: str = MODE_FILE,
    binary: bool | None = False,
) -> FileChange:
    old = new_path if old_path is None else old_path
    if status is Status.ADDED:
        old_mode = MODE_NONE
    if status is Status.DELETED:
        new_mode = MODE_NONE
    return FileChange(status, old, new_path, old_mode, new_mode, B1, B2, binary=binary)


def test_plain_modification_keeps_path_class() -> None:
    result = classify_change(change(Status.MODIFIED, "docs/a.md"))
    assert result.file_class is FileClass.DOCS
    assert result.risk is Risk.LOW
    assert result.adjustments == ()
    assert result.old_path_class is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (".github/workflows/ci.yml", "docs/ci.yml", FileClass.CI_WORKFLOW),
        ("docs/ci.yml", ".github/workflows/ci.yml", FileClass.CI_WORKFLOW),
        ("AGENTS.md", "docs/notes.md", FileClass.AGENT_INSTRUCTIONS),
        ("src/a.py", "tests/a.py", FileClass.SOURCE),
    ],
)
def test_rename_takes_riskier_side(old: str, new: str, expected: FileClass) -> None:
    result = classify_change(change(Status.RENAMED, new, old))
    assert result.file_class is expected
    assert result.old_path_class is not None
    assert result.old_path_class.file_class is not result.path_class.file_class
    assert result.adjustments and result.adjustments[0].startswith(f"renamed from `{old}`")


def test_copy_takes_riskier_side() -> None:
    result = classify_change(change(Status.COPIED, "docs/policy.yml", ".signoff/policy.yml"))
    assert result.file_class is FileClass.GOVERNANCE
    assert result.adjustments[0].startswith("copied from `.signoff/policy.yml`")


def test_rename_within_a_class_has_no_adjustment() -> None:
    result = classify_change(change(Status.RENAMED, "docs/b.md", "docs/a.md"))
    assert result.file_class is FileClass.DOCS
    assert result.adjustments == ()


def test_delete_classifies_the_old_path() -> None:
    gone = FileChange(Status.DELETED, "CODEOWNERS", "", MODE_FILE, MODE_NONE, B1, NULL_SHA)
    result = classify_change(gone)
    assert result.file_class is FileClass.GOVERNANCE
    assert result.old_path_class is result.path_class


def test_binary_none_on_delete_is_not_binary() -> None:
    gone = change(Status.DELETED, "docs/a.md", binary=None)
    assert classify_change(gone).file_class is FileClass.DOCS


def test_binary_none_on_modify_is_read_as_text() -> None:
    assert classify_change(change(Status.MODIFIED, "docs/a.md", binary=None)).risk is Risk.LOW


def test_binary_takes_at_least_unknown() -> None:
    result = classify_change(change(Status.ADDED, "docs/img/logo.png", binary=True))
    assert result.path_class.file_class is FileClass.DOCS
    assert result.file_class is FileClass.UNKNOWN
    assert "binary" in result.adjustments[0]


def test_binary_never_lowers() -> None:
    result = classify_change(change(Status.MODIFIED, "cosign.key", binary=True))
    assert result.file_class is FileClass.SIGNING_PUBLISHING


def test_became_executable_takes_at_least_unknown() -> None:
    result = classify_change(change(Status.MODIFIED, "docs/run.md", new_mode=MODE_EXEC))
    assert result.file_class is FileClass.UNKNOWN
    assert result.adjustments == ("became executable: docs → unknown",)
    added = classify_change(change(Status.ADDED, "tools/x.py", new_mode=MODE_EXEC))
    assert added.file_class is FileClass.UNKNOWN
    still = classify_change(change(Status.MODIFIED, "release.sh", new_mode=MODE_EXEC))
    assert still.file_class is FileClass.SIGNING_PUBLISHING
    assert still.adjustments == ("became executable: stays signing-publishing",)


def test_executable_unchanged_is_no_adjustment() -> None:
    c = change(Status.MODIFIED, "tools/x.sh", old_mode=MODE_EXEC, new_mode=MODE_EXEC)
    assert classify_change(c).file_class is FileClass.SOURCE


def test_submodule_takes_at_least_dependency_manifest() -> None:
    c = change(Status.MODIFIED, "vendored-lib", old_mode=MODE_GITLINK, new_mode=MODE_GITLINK)
    result = classify_change(c)
    assert result.path_class.file_class is FileClass.UNKNOWN
    assert result.file_class is FileClass.DEPENDENCY_MANIFEST
    low = change(Status.ADDED, "docs/theme", new_mode=MODE_GITLINK)
    assert classify_change(low).file_class is FileClass.DEPENDENCY_MANIFEST
    high = change(Status.ADDED, ".github/workflows/shared", new_mode=MODE_GITLINK)
    assert classify_change(high).file_class is FileClass.CI_WORKFLOW


def _link(path: str) -> FileChange:
    return change(Status.ADDED, path, new_mode=MODE_SYMLINK)


@pytest.mark.parametrize(
    ("link", "target", "expected"),
    [
        ("docs/policy.md", "../.signoff/policy.yml", FileClass.GOVERNANCE),
        ("docs/guide.md", "other.md", FileClass.DOCS),
        ("docs/agents", "../.claude", FileClass.AGENT_INSTRUCTIONS),
        ("a/b/c.md", "../../AGENTS.md", FileClass.AGENT_INSTRUCTIONS),
        ("a/b/c.md", "./../b/./d.md", FileClass.DOCS),
        ("docs/x.md", "/etc/passwd", FileClass.UNKNOWN),
        ("docs/x.md", "../../outside", FileClass.UNKNOWN),
        ("x.md", "..", FileClass.UNKNOWN),
        ("docs/x.md", ".", FileClass.DOCS),  # points at docs/ itself
        ("docs/x.md", None, FileClass.UNKNOWN),
        ("docs/x.md", "", FileClass.UNKNOWN),
        ("docs/x.md", "a\x00b", FileClass.UNKNOWN),
        ("docs/x.md", "caf\udce9.md", FileClass.DOCS),
        ("CLAUDE.md", "docs/readme.md", FileClass.AGENT_INSTRUCTIONS),  # link's own class counts
    ],
)
def test_symlink_takes_riskier_of_link_and_target(
    link: str, target: str | None, expected: FileClass
) -> None:
    result = classify_change(_link(link), symlink_target=target)
    assert result.file_class is expected
    assert any("symlink" in note for note in result.adjustments)


def test_resolve_symlink() -> None:
    assert resolve_symlink("a/b/link", "../c") == "a/c"
    assert resolve_symlink("link", "a//b/") == "a/b"
    assert resolve_symlink("a/link", "../..") is None
    assert resolve_symlink("link", "/abs") is None
    assert resolve_symlink("a/link", "..") is None  # the repository root


def test_symlink_deleted_without_target_is_unknown() -> None:
    gone = FileChange(Status.DELETED, "docs/x", "", MODE_SYMLINK, MODE_NONE, B1, NULL_SHA)
    assert classify_change(gone).file_class is FileClass.UNKNOWN


def test_type_change_takes_riskier_of_both_sides_and_at_least_unknown() -> None:
    c = change(Status.TYPE_CHANGED, "docs/a.md", old_mode=MODE_FILE, new_mode=MODE_SYMLINK)
    result = classify_change(c, symlink_target="b.md")
    assert result.file_class is FileClass.UNKNOWN
    assert result.adjustments[0] == "file type changed (e.g. file ↔ symlink): docs → unknown"
    c2 = change(Status.TYPE_CHANGED, ".npmrc", old_mode=MODE_SYMLINK, new_mode=MODE_FILE)
    assert classify_change(c2, symlink_target="x").file_class is FileClass.SIGNING_PUBLISHING


@pytest.mark.parametrize("status", [Status.UNMERGED, Status.UNKNOWN])
def test_odd_statuses_are_at_least_unknown(status: Status) -> None:
    assert classify_change(change(status, "docs/a.md")).file_class is FileClass.UNKNOWN


def test_extra_applies_to_both_sides_and_target() -> None:
    extra = {FileClass.GOVERNANCE: ["config/approvers.yml"]}
    renamed = change(Status.RENAMED, "docs/old.yml", "config/approvers.yml")
    assert classify_change(renamed, extra).file_class is FileClass.GOVERNANCE
    link = _link("docs/a.yml")
    result = classify_change(link, extra, symlink_target="../config/approvers.yml")
    assert result.file_class is FileClass.GOVERNANCE
