"""Secrets in every commit of the range: a token added and removed later is still published by
the merge, so the gate reports it with the commit that added it."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import COPILOT, Repo

from signoff.decision import Decision
from signoff.gate import history_secrets
from signoff.gate.check import run_check
from signoff.taxonomy import Risk

AWS = "AKIA" + "Z7Q3XK2M4N5P6R8T"  # split so this file does not itself look like a key
KEY_LINE = f'aws_key = "{AWS}"\n'


def _check(repo: Repo) -> Decision:
    return run_check(repo.path, "main", "work", approvals_ref=None)


def _history(decision: Decision, path: str) -> list[tuple[str | None, int | None, Risk]]:
    (file,) = [f for f in decision.files if f.path == path]
    return [
        (dict(f.detail).get("commit"), f.line, f.risk)
        for f in file.facts
        if f.kind == "secret-in-history"
    ]


def _base(repo: Repo) -> None:
    repo.write("app/settings.py", "DEBUG = False\n")
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")


def test_a_token_added_then_removed_is_reported_with_the_adding_commit(repo: Repo) -> None:
    _base(repo)
    repo.write("app/settings.py", "DEBUG = False\n" + KEY_LINE)
    adding = repo.commit("configure aws", author=COPILOT)
    repo.write("app/settings.py", "DEBUG = False\nTIMEOUT = 5\n")
    repo.commit("remove the key again", author=COPILOT)
    decision = _check(repo)
    assert _history(decision, "app/settings.py") == [(adding, 2, Risk.CRITICAL)]
    (file,) = [f for f in decision.files if f.path == "app/settings.py"]
    assert not [f for f in file.facts if f.kind == "secret-added"]  # the head has no secret
    assert AWS not in str(decision)  # the value is never kept


def test_a_file_added_and_deleted_in_the_range_is_a_warning(repo: Repo) -> None:
    _base(repo)
    repo.write("tmp/creds.txt", KEY_LINE)
    adding = repo.commit("scratch", author=COPILOT)
    repo.remove("tmp/creds.txt")
    repo.write("README.md", "# demo\nmore\n")
    repo.commit("clean up", author=COPILOT)
    decision = _check(repo)
    assert not any(f.path == "tmp/creds.txt" for f in decision.files)
    (warning,) = [w for w in decision.warnings if "secret" in w.lower() or "AWS" in w]
    assert warning.startswith("tmp/creds.txt: AWS Access Key added by commit " + adding[:12])
    assert "does not land" in warning


def test_a_secret_the_head_keeps_is_reported_once_as_added(repo: Repo) -> None:
    _base(repo)
    repo.write("app/settings.py", "DEBUG = False\n" + KEY_LINE)
    repo.commit("configure aws", author=COPILOT)
    repo.write("app/settings.py", "DEBUG = True\n" + KEY_LINE)
    repo.commit("debug on", author=COPILOT)
    decision = _check(repo)
    (file,) = [f for f in decision.files if f.path == "app/settings.py"]
    assert [f.kind for f in file.facts if f.kind.startswith("secret")] == ["secret-added"]


def test_each_blob_is_scanned_once_in_the_first_commit_that_wrote_it(repo: Repo) -> None:
    _base(repo)
    repo.write("app/keys.py", KEY_LINE)
    first = repo.commit("add", author=COPILOT)
    repo.write("app/keys.py", "x = 1\n")
    repo.commit("remove", author=COPILOT)
    repo.write("app/keys.py", KEY_LINE)  # the same blob again
    repo.commit("re-add", author=COPILOT)
    repo.write("app/keys.py", "x = 2\n")
    repo.commit("remove again", author=COPILOT)
    assert _history(_check(repo), "app/keys.py") == [(first, 1, Risk.CRITICAL)]


def test_a_secret_added_by_a_merge_itself_is_reported(repo: Repo) -> None:
    _base(repo)
    repo.branch("side")
    repo.write("side.txt", "side\n")
    repo.commit("side work", author=COPILOT)
    repo.checkout("work")
    repo.write("work.txt", "work\n")
    repo.commit("work", author=COPILOT)
    repo.git("merge", "-q", "--no-commit", "side")
    repo.write("app/settings.py", "DEBUG = False\n" + KEY_LINE)  # written by the merge only
    merge = repo.commit("merge side", author=COPILOT)
    repo.write("app/settings.py", "DEBUG = False\n")
    repo.commit("drop it", author=COPILOT)
    decision = _check(repo)
    (warning,) = [w for w in decision.warnings if "AWS" in w]
    assert f"by commit {merge[:12]}" in warning  # the file is back to the base: it does not land


@pytest.mark.parametrize("modified", [False, True], ids=["added", "modified"])
def test_large_blobs_are_scanned_without_being_read_whole_and_attributes_are_ignored(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, modified: bool
) -> None:
    """Over the read limit, the lines come from git's diff (or the blob streamed when it is
    new); a `.gitattributes` in the checkout that calls everything binary changes nothing."""
    monkeypatch.setattr(history_secrets, "READ_LIMIT", 2000)
    filler = "".join(f"value_{i} = {i}\n" for i in range(400))
    if modified:
        repo.write("data/big.py", filler)
    _base(repo)
    repo.write("data/big.py", filler + KEY_LINE + filler)
    adding = repo.commit("data", author=COPILOT)
    repo.write("data/big.py", filler + "y = 1\n")
    repo.commit("scrub", author=COPILOT)
    (Path(repo.path) / ".gitattributes").write_text("* binary\n")  # untracked, in the checkout
    assert _history(_check(repo), "data/big.py") == [(adding, 401, Risk.CRITICAL)]


def test_binary_content_is_skipped_whatever_its_name(repo: Repo) -> None:
    _base(repo)
    repo.write("notes.txt", b"\x00\x01" + KEY_LINE.encode())
    repo.commit("binary", author=COPILOT)
    repo.write("notes.txt", "plain\n")
    repo.commit("text", author=COPILOT)
    assert _history(_check(repo), "notes.txt") == []
