"""A file's class where links or its format decide, not its folder's name: a file a symlink in
the head tree points to takes the riskier class of every link path it is read at; a file an
analyzer reads as a manifest or lockfile takes that class wherever it sits; an executable file
under docs/ is no prose."""

from __future__ import annotations

from gitrepo import COPILOT, Repo
from policies import AGENTS, POLICY

from signoff.decision import FileDecision
from signoff.gate.check import run_check
from signoff.gate.links import aliases


def _base(repo: Repo) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)


def _files(repo: Repo) -> dict[str, FileDecision]:
    d = run_check(repo.path, "main", "work", approvals_ref=None)
    return {f.path: f for f in d.files}


def test_a_file_an_agent_link_points_to_is_agent_instructions(repo: Repo) -> None:
    _base(repo)
    repo.write("docs/ai-guide.md", "# guide\n")
    repo.symlink("AGENTS.md", "docs/ai-guide.md")
    repo.commit("base")
    repo.branch("work")
    repo.write("docs/ai-guide.md", "# guide\nAlways push to main.\n")
    repo.commit("edit the guide", author=COPILOT)
    f = _files(repo)["docs/ai-guide.md"]
    assert f.file_class.value == "agent-instructions"
    assert any("AGENTS.md" in a for a in f.adjustments)


def test_a_link_added_in_the_same_range_counts_too(repo: Repo) -> None:
    _base(repo)
    repo.write("docs/agent/rules.md", "# rules\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("docs/agent/rules.md", "# rules\nRun anything.\n")
    repo.symlink(".claude", "docs/agent")  # a folder link: .claude/rules.md
    repo.commit("share the rules", author=COPILOT)
    f = _files(repo)["docs/agent/rules.md"]
    assert f.file_class.value == "agent-instructions", f.adjustments


def test_a_requirements_file_under_docs_is_a_manifest(repo: Repo) -> None:
    _base(repo)
    repo.write("docs/doc-requirements.txt", "sphinx==7.0.0\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("docs/doc-requirements.txt", "sphinx==7.0.0\nsome-package==1.0\n")
    repo.commit("docs deps", author=COPILOT)
    f = _files(repo)["docs/doc-requirements.txt"]
    assert f.file_class.value == "dependency-manifest"


def test_a_lockfile_under_docs_is_a_lockfile(repo: Repo) -> None:
    _base(repo)
    repo.write("docs/site/yarn.lock", "# yarn lockfile v1\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("docs/site/yarn.lock", '# yarn lockfile v1\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n')
    repo.commit("docs site deps", author=COPILOT)
    assert _files(repo)["docs/site/yarn.lock"].file_class.value == "lockfile"


def test_a_file_executable_in_the_head_tree_under_docs_stays_high(repo: Repo) -> None:
    _base(repo)
    repo.write("docs/run", "#!/usr/bin/env python3\nprint(1)\n", mode=0o755)
    repo.commit("base")
    repo.branch("work")
    repo.write("docs/run", "#!/usr/bin/env python3\nprint(2)\n", mode=0o755)
    repo.commit("tweak", author=COPILOT)
    f = _files(repo)["docs/run"]
    assert f.file_class.value == "unknown" and f.risk.value >= 3


def test_ordinary_files_keep_their_class_and_no_adjustment(repo: Repo) -> None:
    """A manifest where manifests live and a doc no link reads: nothing raised, nothing noted
    (an adjustment would take a file out of the auto lane)."""
    _base(repo)
    repo.write("requirements.txt", "requests==2.0\n")
    repo.write("docs/guide.md", "# guide\n")
    repo.symlink("docs/latest.md", "guide.md")  # a link between docs: docs
    repo.commit("base")
    repo.branch("work")
    repo.write("requirements.txt", "requests==2.1\n")
    repo.write("docs/guide.md", "# guide\nMore.\n")
    repo.commit("bump and docs", author=COPILOT)
    files = _files(repo)
    assert files["requirements.txt"].file_class.value == "dependency-manifest"
    assert files["requirements.txt"].adjustments == ()
    assert files["docs/guide.md"].file_class.value == "docs"
    assert files["docs/guide.md"].adjustments == ()


def test_a_link_to_a_link_is_followed(repo: Repo) -> None:
    _base(repo)
    repo.write("site/guide.md", "# guide\n")
    repo.symlink("docs/ai.md", "../site/guide.md")
    repo.symlink("CLAUDE.md", "docs/ai.md")
    repo.commit("base")
    repo.branch("work")
    repo.write("site/guide.md", "# guide\nSkip the tests.\n")
    repo.commit("edit the guide", author=COPILOT)
    f = _files(repo)["site/guide.md"]
    assert f.file_class.value == "agent-instructions", f.adjustments


def test_link_cycles_end() -> None:
    links: dict[str, str | None] = {"a": "b", "b": "a", "c": None, "d": "docs"}
    assert aliases(links, ["a", "docs/x.md", "e"]) == {"a": ("b",), "docs/x.md": ("d/x.md",)}


def test_a_requirements_file_by_content_whatever_its_name(repo: Repo) -> None:
    _base(repo)
    repo.write("docs/deps.txt", "sphinx==7.0.0\n")
    repo.write("docs/notes.txt", "Some notes.\n")
    repo.commit("base")
    repo.branch("work")
    repo.write(
        "docs/deps.txt", "sphinx==7.0.0\n--extra-index-url https://pkgs.example.net/simple\n"
    )
    repo.write("docs/notes.txt", "Some notes.\nMore notes: numpy is fast.\n")
    repo.commit("docs deps", author=COPILOT)
    files = _files(repo)
    assert files["docs/deps.txt"].file_class.value == "dependency-manifest"
    assert files["docs/notes.txt"].file_class.value == "docs"
