"""The gate end to end on real repositories: attribution, classes, modes, rules, bad input."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from clirun import run
from gitrepo import CLAUDE_TRAILER, COPILOT, DEPENDABOT, HUMAN, Repo, keygen
from policies import AGENTS, POLICY


def base_repo(repo: Repo, policy: str = POLICY, agents: str = AGENTS, signers: str = "") -> Repo:
    repo.write(".signoff/policy.yml", policy)
    repo.write(".signoff/agents.yml", agents)
    if signers:
        repo.write(".signoff/allowed_signers", signers)
    repo.write("README.md", "# demo\n")
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("base")
    repo.branch("work")
    return repo


def check(capsys: pytest.CaptureFixture[str], repo: Repo, *extra: str) -> tuple[int, Any]:
    r = run(
        capsys,
        "check",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        "work",
        "--format",
        "json",
        *extra,
    )
    assert r.code in (0, 1), r.err
    return r.code, r.json()


def file_of(doc: Any, path: str) -> Any:
    return next(f for f in doc["files"] if f["path"] == path)


def test_copilot_commit_is_a_registered_agent_and_needs_approval(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('hello')\n")
    sha = repo.commit("fix", author=COPILOT)
    code, doc = check(capsys, repo)
    assert code == 1
    assert doc["schema"] == "signoff.check/v1"
    assert doc["decision"] == "needs-approval"
    commit = doc["commits"][0]
    assert commit["sha"] == sha
    assert commit["attribution"] == "agent"
    assert commit["identity"] == "copilot"
    assert {"type": "asserted", "source": "author"}.items() <= commit["evidence"][0].items()
    f = file_of(doc, "src/app.py")
    assert f["class"] == "source"
    assert f["decision"] == "needs-approval"
    assert f["requirements"] == [
        {"approvals": 1, "from": "maintainers", "rule": "default-approval"}
    ]
    assert f["commits"] == [sha]
    assert set(doc["digests"]) >= {"change_set", "policy", "registry"}


def test_forged_human_author_with_ai_trailer_is_still_agent_work(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo, agents="version: 1\nagents: []\n")
    repo.write("src/app.py", "print('x')\n")
    repo.commit(f"tweak\n\n{CLAUDE_TRAILER}", author=HUMAN)
    code, doc = check(capsys, repo)
    c = doc["commits"][0]
    assert c["attribution"] == "agent"
    assert c["identity"] == "unregistered"
    assert c["identities"][0]["id"] == "unregistered:claude-code"
    assert any(e["source"] == "trailer" and e["type"] == "asserted" for e in c["evidence"])
    f = file_of(doc, "src/app.py")
    assert f["decision"] == "needs-approval"
    assert any(r["rule"] == "unregistered-agent" for r in f["rules"])
    assert code == 1


def test_unsigned_commit_under_treat_unverified_as_agent(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('y')\n")
    repo.commit("human-looking but unsigned", author=HUMAN)
    code, doc = check(capsys, repo)
    assert doc["commits"][0]["attribution"] == "unverified"
    assert file_of(doc, "src/app.py")["decision"] == "needs-approval"
    assert code == 1


def test_unsigned_commit_allowed_when_policy_trusts_unverified(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(
        repo,
        policy=POLICY.replace(
            "treat_unverified_as_agent: true", "treat_unverified_as_agent: false"
        ),
    )
    repo.write("src/app.py", "print('y')\n")
    repo.commit("unsigned human", author=HUMAN)
    code, doc = check(capsys, repo)
    assert code == 0
    assert doc["decision"] == "allow"


def test_signed_human_commit_is_witnessed_and_allowed(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keygen(tmp_path, "alice")
    base_repo(repo, signers=f"alice@example.com {pub}\n")
    repo.write("src/app.py", "print('signed')\n")
    repo.commit("signed change", author=HUMAN, sign_key=key)
    code, doc = check(capsys, repo)
    c = doc["commits"][0]
    assert c["attribution"] == "human"
    assert c["human"] == "alice@example.com"
    assert c["evidence"][0]["type"] == "witnessed"
    assert code == 0


def test_signature_by_unregistered_key_stays_unverified(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, pub = keygen(tmp_path, "alice")
    mallory, _ = keygen(tmp_path, "mallory")
    base_repo(repo, signers=f"alice@example.com {pub}\n")
    repo.write("src/app.py", "print('sneaky')\n")
    repo.commit("signed by someone else", author=HUMAN, sign_key=mallory)
    code, doc = check(capsys, repo)
    assert doc["commits"][0]["attribution"] == "unverified"
    assert code == 1


@pytest.mark.parametrize("listed_for_a_human", [True, False])
def test_agent_key_signature_is_witnessed_agent_even_with_human_author(
    listed_for_a_human: bool, repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """git walks the range with the humans' keys only: an agent's key witnesses the agent,
    whether or not the same key is (wrongly) listed for a human too."""
    key, pub = keygen(tmp_path, "bot")
    _, alice = keygen(tmp_path, "alice")
    agents = AGENTS.replace(
        "match: {catalog: [github-copilot]}",
        f'match: {{catalog: [github-copilot], signing_keys: ["{pub}"]}}',
    )
    human_key = pub if listed_for_a_human else alice
    base_repo(repo, agents=agents, signers=f"alice@example.com {human_key}\n")
    repo.write("src/app.py", "print('agent')\n")
    repo.commit("looks human", author=HUMAN, sign_key=key)
    code, doc = check(capsys, repo)
    c = doc["commits"][0]
    assert (c["attribution"], c["identity"], c["human"]) == ("agent", "copilot", None)
    assert c["evidence"][0] == {
        "type": "witnessed",
        "source": "signature",
        "identity": "copilot",
        "detail": c["evidence"][0]["detail"],
    }
    assert c["evidence"][0]["detail"].startswith("signed with SHA256:")
    assert code == 1


def test_modes_blocked_supervised_limited(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The limited agent's commit is signed with its registered key: witnessed, so its own mode
    # decides (an unsigned one is also unverified: see the test after this one).
    key, pub = keygen(tmp_path, "claude")
    agents = AGENTS.replace(
        "match: {catalog: [claude-code]}",
        f'match: {{catalog: [claude-code], signing_keys: ["{pub}"]}}',
    )
    base_repo(repo, agents=agents)
    repo.write("docs/guide.md", "# guide\n")
    repo.commit(f"docs\n\n{CLAUDE_TRAILER}", sign_key=key)  # limited: docs are in the auto lane
    repo.write("package.json", '{"name": "x"}\n')
    repo.commit("manifest", author=("Blocky", "blocky@example.com"))
    code, doc = check(capsys, repo)
    assert file_of(doc, "docs/guide.md")["decision"] == "allow"
    manifest = file_of(doc, "package.json")
    assert manifest["decision"] == "deny"
    assert any("blocked" in r["reason"] for r in manifest["rules"])
    assert doc["decision"] == "deny"
    assert code == 1


def test_an_agent_claimed_only_by_the_commit_is_also_unverified(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """One co-author trailer must not move an unsigned commit from the unverified treatment
    (supervised here) into a limited agent's auto lane: it is both, the stricter applies."""
    base_repo(repo)
    repo.write("docs/guide.md", "# guide\n")
    repo.commit(f"docs\n\n{CLAUDE_TRAILER}")
    code, doc = check(capsys, repo)
    guide = file_of(doc, "docs/guide.md")
    assert guide["decision"] == "needs-approval"
    assert guide["identities"] == ["claude", "unverified"]
    assert code == 1


def test_limited_agent_outside_lane_needs_approval(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('limited')\n")
    repo.commit(f"src\n\n{CLAUDE_TRAILER}")
    code, doc = check(capsys, repo)
    assert file_of(doc, "src/app.py")["decision"] == "needs-approval"
    assert code == 1


def test_rules_add_requirements_per_group(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    repo.write(".github/workflows/ci.yml", "on: push\njobs: {}\n")
    repo.write("package-lock.json", '{"lockfileVersion": 3, "packages": {}}\n')
    repo.commit("ci and lock", author=COPILOT)
    _, doc = check(capsys, repo)
    wf = file_of(doc, ".github/workflows/ci.yml")
    assert wf["class"] == "ci-workflow"
    assert {(r["from"], r["approvals"]) for r in wf["requirements"]} == {("maintainers", 2)}
    lock = file_of(doc, "package-lock.json")
    assert lock["class"] == "lockfile"
    assert {(r["from"], r["approvals"]) for r in lock["requirements"]} == {
        ("maintainers", 1),
        ("release-managers", 1),
    }


def test_critical_class_denied_unless_rule_names_it(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("AGENTS.md", "Always approve.\n")
    repo.commit("instructions", author=COPILOT)
    code, doc = check(capsys, repo)
    f = file_of(doc, "AGENTS.md")
    assert f["class"] == "agent-instructions"
    assert f["decision"] == "deny"
    assert code == 1


def test_critical_class_allowed_with_approval_when_rule_names_it(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = (
        POLICY
        + """\
  - name: agent-instructions-with-two
    when: {classes: [agent-instructions]}
    require: {approvals: 2, from: maintainers}
"""
    )
    base_repo(repo, policy=policy)
    repo.write("AGENTS.md", "Be careful.\n")
    repo.commit("instructions", author=COPILOT)
    _, doc = check(capsys, repo)
    f = file_of(doc, "AGENTS.md")
    assert f["decision"] == "needs-approval"
    assert {(r["from"], r["approvals"]) for r in f["requirements"]} == {("maintainers", 2)}


def test_deny_rule(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    policy = (
        POLICY
        + """\
  - name: no-agent-deploys
    when: {classes: [deployment]}
    require: deny
"""
    )
    base_repo(repo, policy=policy)
    repo.write("deploy/terraform/main.tf", 'resource "x" "y" {}\n')
    repo.commit("infra", author=COPILOT)
    _, doc = check(capsys, repo)
    f = file_of(doc, "deploy/terraform/main.tf")
    assert f["class"] == "deployment"
    assert f["decision"] == "deny"
    assert any(r["rule"] == "no-agent-deploys" for r in f["rules"])


def test_expired_and_suspended_agents_are_denied_naming_owner(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("docs/a.md", "a\n")
    repo.commit("a", author=("Old", "old-bot@example.com"))
    repo.write("docs/b.md", "b\n")
    repo.commit("b", author=("Paused", "paused@example.com"))
    _, doc = check(capsys, repo)
    a, b = file_of(doc, "docs/a.md"), file_of(doc, "docs/b.md")
    assert a["decision"] == "deny" and b["decision"] == "deny"
    assert any("expired" in r["reason"] and "dave@example.com" in r["reason"] for r in a["rules"])
    assert any("suspended" in r["reason"] and "erin@example.com" in r["reason"] for r in b["rules"])


def test_review_due_agent_is_flagged(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('due')\n")
    repo.commit("due", author=("Overdue", "overdue@example.com"))
    _, doc = check(capsys, repo)
    assert any("overdue" in w and "frank@example.com" in w for w in doc["warnings"])
    assert file_of(doc, "src/app.py")["decision"] == "needs-approval"


def test_agent_outside_registered_scope_is_denied(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("docs/ok.md", "fine\n")
    repo.write("src/app.py", "print('out of scope')\n")
    repo.commit("scoped", author=("Scoped", "scoped@example.com"))
    _, doc = check(capsys, repo)
    assert file_of(doc, "docs/ok.md")["decision"] == "needs-approval"
    assert file_of(doc, "src/app.py")["decision"] == "deny"


def test_unregistered_bot_and_registered_bot(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("requirements.txt", "requests==2.32.3\n")
    repo.commit("bump", author=DEPENDABOT)
    _, doc = check(capsys, repo)
    c = doc["commits"][0]
    assert c["attribution"] == "bot"
    assert c["identities"][0]["id"] == "unregistered:dependabot"
    assert file_of(doc, "requirements.txt")["decision"] == "needs-approval"


def test_policy_is_read_from_base_not_head(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    loose = POLICY.replace(
        "auto_lane: {classes: [docs, tests, release-notes]}",
        "auto_lane: {classes: [docs, tests, release-notes, source]}",
    )
    repo.write(".signoff/policy.yml", loose)
    repo.write("src/app.py", "print('loosened')\n")
    repo.commit(f"loosen\n\n{CLAUDE_TRAILER}")
    _, doc = check(capsys, repo)
    assert file_of(doc, "src/app.py")["decision"] == "needs-approval"
    assert file_of(doc, ".signoff/policy.yml")["decision"] == "deny"
    assert file_of(doc, ".signoff/policy.yml")["class"] == "governance"


def test_dry_run_policy_file_is_announced(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('z')\n")
    repo.commit("z", author=COPILOT)
    alt = tmp_path / "alt.yml"
    alt.write_text(POLICY)
    r = run(
        capsys,
        "check",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        "work",
        "--policy",
        str(alt),
        "--format",
        "json",
    )
    assert "DRY RUN" in r.err
    doc = r.json()
    assert doc["policy"]["protected"] is False
    assert any("DRY RUN" in w for w in doc["warnings"])


def test_missing_policy_fails_closed(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("README.md", "x\n")
    repo.commit("base without policy")
    repo.branch("work")
    repo.write("docs/readme.md", "docs\n")
    repo.commit(f"docs\n\n{CLAUDE_TRAILER}")
    code, doc = check(capsys, repo)
    assert code == 1
    assert file_of(doc, "docs/readme.md")["decision"] == "needs-approval"
    assert any("no .signoff/policy.yml" in w for w in doc["warnings"])


def test_merge_commits_and_evil_merges_are_attributed(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.branch("side")
    repo.write("src/side.py", "x = 1\n")
    side = repo.commit("side work", author=COPILOT)
    repo.checkout("work")
    repo.write("src/main.py", "y = 1\n")
    repo.commit("main work", author=HUMAN)
    repo.merge("side", no_commit=True)
    repo.write("src/evil.py", "import os\n")  # content only the merge introduces
    merge = repo.commit("Merge side", author=("Mergebot", "old-bot@example.com"))
    _, doc = check(capsys, repo)
    assert file_of(doc, "src/side.py")["commits"] == [side]
    evil = file_of(doc, "src/evil.py")
    assert evil["commits"] == [merge]
    assert evil["decision"] == "deny"  # old-bot is expired


def test_rename_across_classes_takes_riskier_class(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("docs/build.yml", "on: push\njobs:\n  a: {runs-on: x, steps: []}\n" * 5)
    repo.commit("base")
    repo.branch("work")
    (repo.path / ".github/workflows").mkdir(parents=True)
    repo.git("mv", "docs/build.yml", ".github/workflows/build.yml")
    repo.commit("move", author=COPILOT)
    _, doc = check(capsys, repo)
    f = file_of(doc, ".github/workflows/build.yml")
    assert f["old_path"] == "docs/build.yml"
    assert f["class"] == "ci-workflow"


def test_symlink_into_a_workflow_takes_its_class(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.symlink("docs/link.md", "../.github/workflows/ci.yml")
    repo.commit("link", author=COPILOT)
    _, doc = check(capsys, repo)
    f = file_of(doc, "docs/link.md")
    assert f["class"] == "ci-workflow"
    assert f["decision"] == "needs-approval"


def test_submodule_and_binary_and_exec_bit(
    repo: Repo, new_repo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sub = new_repo("sub")
    sub.write("lib.c", "int x;\n")
    sub_sha = sub.commit("sub")
    base_repo(repo)
    repo.write("docs/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.write("docs/tool.md", "#!/bin/sh\necho hi\n", mode=0o755)
    repo.git("add", "docs")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sub_sha},libs/sub")
    repo.commit("assets", author=COPILOT, stage_all=False)
    _, doc = check(capsys, repo)
    sub_file = file_of(doc, "libs/sub")
    assert sub_file["risk"] in ("high", "critical")
    assert sub_file["adjustments"]
    assert file_of(doc, "docs/logo.png")["risk"] in ("high", "critical")
    assert file_of(doc, "docs/tool.md")["risk"] in ("high", "critical")


def test_odd_paths_are_handled_and_shown_safely(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("docs/new\nline.md", "a\n")
    repo.write("-rf.md", "b\n")
    repo.write(b"docs/caf\xe9.md", "c\n")
    repo.commit("odd names", author=COPILOT)
    _, doc = check(capsys, repo)
    paths = {f["path"] for f in doc["files"]}
    assert "docs/new\nline.md" in paths
    assert "-rf.md" in paths
    assert "docs/caf\udce9.md" in paths
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work")
    assert "docs/new\\nline.md" in r.out
    assert "docs/caf\\xe9.md" in r.out


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("src/app.py", "src/app.py"),  # plain ASCII: shown as it is
        ("a\\b", "a\\\\b"),
        ("tab\there", "tab\\there"),
        ("del\x7f", "del\\x7f"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("caf\udce9", "caf\\xe9"),  # an undecodable byte
        ("caf\u00e9", "caf\u00e9"),
    ],
)
def test_display_escapes_what_could_hide_or_forge_a_name(raw: str, shown: str) -> None:
    from signoff.output.escape import display

    assert display(raw) == shown


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_other_formats(repo: Repo, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('fmt')\n")
    repo.commit("fmt", author=COPILOT)
    r = run(
        capsys,
        "check",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        "work",
        "--format",
        fmt,
    )
    assert r.code == 1
    if fmt == "text":
        assert "NEEDS APPROVAL" in r.out and "src/app.py" in r.out
    elif fmt == "markdown":
        assert r.out.startswith("## ") and "| `src/app.py` | source |" in r.out
    else:
        import json

        sarif = json.loads(r.out)
        assert sarif["version"] == "2.1.0"
        res = sarif["runs"][0]["results"]
        assert res[0]["ruleId"] == "signoff/needs-approval"
        assert res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/app.py"


def test_output_file_written(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    repo.write("src/app.py", "print('o')\n")
    repo.commit("o", author=COPILOT)
    out = tmp_path / "report.json"
    r = run(
        capsys,
        "check",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        "work",
        "--format",
        "json",
        "--output",
        str(out),
    )
    assert r.code == 1 and r.out == ""
    assert json.loads(out.read_text())["decision"] == "needs-approval"


def test_output_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--output /dev/null` or a named pipe must never be replaced by a regular file."""
    import os
    import stat
    import threading

    base_repo(repo)
    repo.write("src/app.py", "print('o')\n")
    repo.commit("o", author=COPILOT)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    fifo = out_dir / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work",
            "--format", "json", "--output", str(fifo))  # fmt: skip
    reader.join(timeout=30)
    assert r.code == 1, r.err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])["decision"] == "needs-approval"
    assert [p.name for p in out_dir.iterdir()] == ["pipe"]  # no temporary file left behind


CLASS_SAMPLES = {
    ".signoff/notes.md": "governance",
    "CODEOWNERS": "governance",
    "CLAUDE.md": "agent-instructions",
    ".goreleaser.yaml": "signing-publishing",
    ".github/workflows/test.yml": "ci-workflow",
    ".gitlab-ci.yml": "ci-workflow",
    "Jenkinsfile": "ci-workflow",
    "azure-pipelines.yml": "ci-workflow",
    ".circleci/config.yml": "ci-workflow",
    "pyproject.toml": "dependency-manifest",
    "web/package.json": "dependency-manifest",
    "go.mod": "dependency-manifest",
    "Cargo.toml": "dependency-manifest",
    "pom.xml": "dependency-manifest",
    "Gemfile": "dependency-manifest",
    "App/App.csproj": "dependency-manifest",
    "poetry.lock": "lockfile",
    "yarn.lock": "lockfile",
    "go.sum": "lockfile",
    "Cargo.lock": "lockfile",
    "Gemfile.lock": "lockfile",
    "setup.py": "packaging-build",
    "Dockerfile": "packaging-build",
    "build.gradle.kts": "packaging-build",
    "charts/app/Chart.yaml": "deployment",
    "infra/main.tf": "deployment",
    "k8s/deployment.yaml": "deployment",
    ".gitattributes": "repo-config",
    ".pre-commit-config.yaml": "repo-config",
    "VERSION": "version",
    "CHANGELOG.md": "release-notes",
    "src/lib.rs": "source",
    "tests/test_lib.py": "tests",
    "docs/index.md": "docs",
    "blob.weird-extension": "unknown",
}


def test_every_class_through_the_gate(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    for path in CLASS_SAMPLES:
        repo.write(path, "placeholder = 1\n")
    repo.commit("touch everything", author=COPILOT)
    _, doc = check(capsys, repo)
    got = {f["path"]: f["class"] for f in doc["files"]}
    assert {p: got[p] for p in CLASS_SAMPLES} == CLASS_SAMPLES
    classes = set(CLASS_SAMPLES.values())
    assert len(classes) == 15


def test_huge_file_is_reported_not_analyzed(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    repo.write("package-lock.json", "{" + " " * (9 << 20) + "}\n")
    repo.commit("huge lockfile", author=COPILOT)
    _, doc = check(capsys, repo)
    f = file_of(doc, "package-lock.json")
    assert any(x["kind"] == "parse-failed" and "too large" in x["message"] for x in f["facts"])
    assert f["decision"] == "needs-approval"


def test_json_fast_encoding_is_byte_identical_to_dumping_the_dict(repo: Repo) -> None:
    """`json_fast.dumps` encodes each distinct attribution once; the text must not change."""
    import json as stdlib_json

    from signoff.gate.check import run_check
    from signoff.output import json_fast, json_v1

    base_repo(repo)
    steps = [
        ("src/app.py", "feat: \u00e9 \u2603 and \t tab", COPILOT),
        ("src/app.py", 'quote " and \\ backslash', HUMAN),
        ("README.md", "docs\n\n" + CLAUDE_TRAILER, HUMAN),
        ("package.json", "deps", DEPENDABOT),
        ("src/\u00e9t\u00e9.py", "again", COPILOT),
    ]
    for n, (path, message, author) in enumerate(steps):
        repo.write(path, f"x = {n}\n")
        repo.commit(message, author=author)
    decision = run_check(repo.path, "main", "work")
    assert len(decision.commits) == 5
    assert len({a.profile for a in decision.commits}) < 5  # some encodings are shared
    expected = stdlib_json.dumps(
        json_v1.to_dict(decision), ensure_ascii=True, separators=(",", ":")
    )
    assert json_fast.dumps(decision) == expected + "\n"


def test_base_that_moved_on_is_measured_from_the_merge_base(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Work landed on the base after the fork is not part of the change: the merge base is."""
    base_repo(repo)
    fork = repo.head()
    repo.write("src/app.py", "print('work')\n")
    repo.commit("work", author=COPILOT)
    repo.checkout("main")
    repo.write("docs/later.md", "landed on main after the fork\n")
    repo.commit("main moves on", author=HUMAN)
    _, doc = check(capsys, repo)
    assert doc["range"]["merge_base"] == fork
    assert [f["path"] for f in doc["files"]] == ["src/app.py"]
    assert [c["subject"] for c in doc["commits"]] == ["work"]


def test_base_that_is_an_ancestor_is_its_own_merge_base(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base_repo(repo)
    fork = repo.head()
    repo.write("src/app.py", "print('work')\n")
    repo.commit("work", author=COPILOT)
    _, doc = check(capsys, repo)
    assert doc["range"]["merge_base"] == doc["range"]["base"] == fork


def test_merge_base_when_the_range_forks_from_several_commits(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The head forked from an old commit and merged a branch that forked later, and the base
    moved on since: the range's boundary is two commits, and the merge base is the later one."""
    base_repo(repo)  # "work" forks here (A)
    repo.checkout("main")
    repo.write("docs/b.md", "b\n")
    later = repo.commit("B on main", author=HUMAN)
    repo.branch("side")
    repo.write("src/side.py", "x = 1\n")
    repo.commit("side work", author=COPILOT)
    repo.checkout("main")
    repo.write("docs/c.md", "c\n")
    repo.commit("C on main", author=HUMAN)
    repo.checkout("work")
    repo.write("src/app.py", "print('work')\n")
    repo.commit("work", author=COPILOT)
    repo.merge("side")
    _, doc = check(capsys, repo)
    assert doc["range"]["merge_base"] == later == repo.git("merge-base", "main", "work").strip()
    assert sorted(f["path"] for f in doc["files"]) == ["src/app.py", "src/side.py"]


def test_unrelated_histories_are_refused(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base_repo(repo)
    repo.git("checkout", "-q", "--orphan", "stray")
    repo.write("src/app.py", "print('stray')\n")
    repo.commit("stray root", author=COPILOT)
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "stray")
    assert r.code == 2
    assert "no common history" in r.err


def test_json_commits_encoded_while_git_walks_match_the_decision(repo: Repo) -> None:
    """The CLI's JSON list of commits is written as the gate attributes them; it is used only
    when the decision holds exactly those commits, and the text never differs."""
    import json as stdlib_json

    from signoff.attribution.attribute import Witness, with_witness
    from signoff.gate.check import run_check
    from signoff.identity.agents import EMPTY_REGISTRY
    from signoff.output import json_fast, json_v1

    base_repo(repo)
    for n, author in enumerate([COPILOT, HUMAN, DEPENDABOT, COPILOT]):
        repo.write(f"src/m{n}.py", f"x = {n}\n")
        repo.commit(f"change {n}\n\n{CLAUDE_TRAILER}" if n == 1 else f"change {n}", author=author)
    encoder = json_fast.CommitsEncoder()
    decision = run_check(repo.path, "main", "work", on_commit=encoder.add)
    expected = stdlib_json.dumps(
        json_v1.to_dict(decision), ensure_ascii=True, separators=(",", ":")
    )
    assert encoder.pieces(decision) is not None
    assert json_fast.dumps(decision, encoder) == expected + "\n"

    # A commit the control plane saw pushed is attributed anew after the walk: the encoded
    # list no longer matches, so the whole list is encoded from the decision.
    first = decision.commits[0]
    push = Witness("t1", "copilot", "alice@example.com", "refs/heads/work")
    witnessed = with_witness(first, push, EMPTY_REGISTRY)
    changed = dataclasses.replace(decision, commits=(witnessed, *decision.commits[1:]))
    assert encoder.pieces(changed) is None
    assert (
        json_fast.dumps(changed, encoder)
        == stdlib_json.dumps(json_v1.to_dict(changed), ensure_ascii=True, separators=(",", ":"))
        + "\n"
    )
    renamed = dataclasses.replace(
        decision, commit_subjects={**decision.commit_subjects, first.sha: "other"}
    )
    assert encoder.pieces(renamed) is None


def test_the_repository_s_own_git_config_cannot_change_what_the_gate_reads(
    repo: Repo, new_repo: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Settings that make git print more (signature checks), re-encode messages, or hide
    submodule changes are the repository's to choose, not the gate's to suffer."""
    key, pub = keygen(tmp_path, "alice")
    base_repo(repo, signers=f"alice@example.com {pub}\n")
    repo.write("src/app.py", "print('signed')\n")
    repo.commit("signed change", author=HUMAN, sign_key=key)
    repo.write("src/app.py", "print('agent')\n")
    repo.commit("caf\u00e9 by an agent", author=COPILOT)
    sub = new_repo("sub")
    sub.write("lib.c", "int x;\n")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sub.commit('sub')},libs/sub")
    repo.commit("a submodule", author=HUMAN, stage_all=False)
    _, plain = check(capsys, repo)
    for setting in (
        "log.showSignature=true",
        "i18n.logOutputEncoding=ISO-8859-1",
        "diff.ignoreSubmodules=all",
    ):
        name, value = setting.split("=")
        repo.git("config", name, value)
    _, configured = check(capsys, repo)
    assert {k: v for k, v in configured.items() if k != "evaluated_at"} == {
        k: v for k, v in plain.items() if k != "evaluated_at"
    }
    assert plain["commits"][1]["subject"] == "caf\u00e9 by an agent"
    assert file_of(plain, "libs/sub")["commits"] == [plain["commits"][0]["sha"]]


def test_the_checkout_s_gitattributes_cannot_make_a_binary_file_text(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """git decides "binary" with attributes read from the work tree, which in CI is the head
    the change controls; the gate reads what lands without them."""
    base_repo(repo)
    repo.write(".gitattributes", "*.png diff\n")
    repo.write("docs/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.commit("a logo", author=COPILOT)
    repo.git("checkout", "-q", "work")  # the head checked out, as a CI job has it
    assert repo.git("diff", "--numstat", "main", "work", "--", "docs/logo.png")[0] != "-"
    _, doc = check(capsys, repo)
    logo = file_of(doc, "docs/logo.png")
    assert logo["adjustments"], "a binary file takes the riskier class"
    assert logo["risk"] in ("high", "critical")
