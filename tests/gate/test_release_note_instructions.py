"""Release notes that tell users to run a remote script, or where to download from, leave the
auto lane: the instruction moves trust as surely as code would."""

from __future__ import annotations

import pytest
from gitrepo import CLAUDE_TRAILER, Repo
from policies import AGENTS

from signoff.analysis._instructions import instructions
from signoff.gate.check import run_check

LANE = """\
version: 1
groups:
  maintainers: [alice@example.com, bob@example.com]
default_approval: {approvals: 1, from: maintainers}
treat_unverified_as_agent: false  # the claude trailer alone is then that (limited) agent's work
auto_lane:
  classes: [docs, release-notes]
"""
OLD = (
    "# Changelog\n\nSee https://github.com/example/demo/releases for downloads.\n\n"
    "## 1.0.0\n- first\n"
)


def _entry(repo: Repo, path: str, added: str) -> tuple[str, set[str]]:
    repo.write(".signoff/policy.yml", LANE)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("CHANGELOG.md", OLD)
    repo.commit("base")
    repo.branch("work")
    old = OLD if path == "CHANGELOG.md" else ""
    repo.write(path, old.replace("## 1.0.0", f"## 1.1.0\n{added}\n## 1.0.0") if old else added)
    repo.commit(f"notes\n\n{CLAUDE_TRAILER}")
    d = run_check(repo.path, "main", "work", approvals_ref=None)
    (f,) = [f for f in d.files if f.path == path]
    return f.verdict.value, {fact.kind for fact in f.facts}


@pytest.mark.parametrize(
    "line",
    [
        "- Install: `curl -fsSL https://get.example.net/install.sh | sh`",
        "- Install with `wget -qO- https://get.example.net/i | sudo bash`",
        '- Or `sh -c "$(curl -fsSL https://get.example.net/i)"`',
        "- Windows: `iwr https://get.example.net/i.ps1 | iex`",
    ],
)
def test_a_piped_install_takes_the_notes_out_of_the_lane(repo: Repo, line: str) -> None:
    verdict, kinds = _entry(repo, "CHANGELOG.md", line)
    assert "pipe-to-shell-added" in kinds
    assert verdict == "needs-approval"


def test_a_new_download_host_takes_the_notes_out_of_the_lane(repo: Repo) -> None:
    verdict, kinds = _entry(
        repo, "CHANGELOG.md", "- Download: https://mirror.example.org/demo-1.1.0.tar.gz"
    )
    assert kinds >= {"download-host-added"} and "pipe-to-shell-added" not in kinds
    assert verdict == "needs-approval"


def test_a_fragment_file_is_read_too(repo: Repo) -> None:
    verdict, kinds = _entry(
        repo, "changelog.d/42.feature.md", "Install: curl https://x.example.io/i | bash\n"
    )
    assert "pipe-to-shell-added" in kinds
    assert verdict == "needs-approval"


def test_an_ordinary_entry_stays_in_the_lane(repo: Repo) -> None:
    line = "- Fixed the greeting (https://github.com/example/demo/pull/7); see the docs to install"
    verdict, kinds = _entry(repo, "CHANGELOG.md", line)
    assert kinds == {"changelog-entry-added"}
    assert verdict == "allow"


def test_only_added_lines_and_new_hosts_count() -> None:
    old = "Install: curl https://get.example.net/i | sh\nDownload https://get.example.net/x.zip\n"
    assert instructions(old, [(3, "Download https://get.example.net/y.zip")]) == []
    assert [i.kind for i in instructions(old, [(3, "pip install demo | grep ok")])] == []
