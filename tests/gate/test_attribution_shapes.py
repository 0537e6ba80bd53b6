"""Attribution through the gate, in real repositories: what agents write in real histories."""

from __future__ import annotations

from typing import Any

import pytest
from clirun import run
from gitrepo import HUMAN, Repo
from policies import AGENTS, POLICY


def base_repo(repo: Repo) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")


def check(capsys: pytest.CaptureFixture[str], repo: Repo) -> tuple[int, Any]:
    argv = ["check", "--repo", str(repo.path), "--base", "main", "--head", "work"]
    r = run(capsys, *argv, "--format", "json")
    assert r.code in (0, 1), r.err
    return r.code, r.json()


def commits(doc: Any) -> dict[str, Any]:
    return {c["subject"]: c for c in doc["commits"]}


def test_trailer_blocks_anywhere_footers_and_tools_nobody_catalogued(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/a.py", "a = 1\n")
    repo.commit(
        "Copilot in two blocks\n\nWork.\n\n"
        "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>\n\n"
        "Copilot-Session: 11111111-2222-3333-4444-555555555555\n"
    )
    repo.write("src/b.py", "b = 1\n")
    repo.commit("A tool nobody catalogued\n\n🤖 Generated with [quillcode](https://q.example)\n")
    repo.write("src/c.py", "c = 1\n")
    repo.commit(
        "Feature that links a web app\n\nThe page links to https://claude.ai/code for users\n"
        "who want a session; nothing here was generated.\n"
    )
    repo.write("src/d.py", "d = 1\n")
    repo.commit("chore: release 1.0.0", author=("GitHub Actions", "actions@github.com"))
    code, doc = check(capsys, repo)
    by = commits(doc)
    copilot = by["Copilot in two blocks"]
    assert copilot["attribution"] == "agent"
    assert {i["id"] for i in copilot["identities"]} == {"copilot"}  # the registered agent
    quill = by["A tool nobody catalogued"]
    assert quill["identities"] == [{"id": "unregistered:quillcode", "kind": "ai-agent",
                                    "registered": False}]  # fmt: skip
    assert "(rule self-declaration)" in quill["evidence"][0]["detail"]
    assert by["Feature that links a web app"]["attribution"] == "unverified"
    assert by["chore: release 1.0.0"]["attribution"] == "bot"
    assert code == 1


def test_a_person_named_like_an_agent_is_a_person(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/a.py", "a = 1\n")
    repo.commit(
        "Pair work\n\nCo-authored-by: Claude Monet <claude@monet.example>\n",
        author=("Devin Smith", "devin@example.com"),
    )
    repo.write("src/b.py", "b = 1\n")
    repo.commit("Solo", author=HUMAN)
    code, doc = check(capsys, repo)
    assert {c["attribution"] for c in doc["commits"]} == {"unverified"}
    assert code == 1
