"""Real pushes over file:// into a bare repository with the hook, against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from brokerkit import Kit, push, start


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    k = start(tmp_path_factory.mktemp("hook"))
    yield k
    k.issuer.stop()
    k.server.stop()


@pytest.fixture
def fresh(kit: Kit) -> Iterator[tuple[Kit, str, str]]:
    """A new task and token, and the work repo on a new branch from the base commit."""
    task = kit.task()
    tok = kit.token(task["id"])
    name = task["id"][-8:]
    kit.work.git("checkout", "-q", "-B", f"agent/{name}", kit.base)
    yield kit, tok, f"agent/{name}"
    kit.work.git("checkout", "-q", "main")


def refused(proc: object, *needles: str) -> None:
    out = getattr(proc, "stderr", "") + getattr(proc, "stdout", "")
    assert getattr(proc, "returncode", 0) != 0, out
    assert "signoff: refused" in out, out
    for n in needles:
        assert n in out, out


def test_accepted_push_is_witnessed(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.write("src/feature.py", "x = 1\n")
    c1 = kit.work.commit("feature")
    kit.work.write("src/feature.py", "x = 2\n")
    c2 = kit.work.commit("feature 2")
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok)
    assert proc.returncode == 0, proc.stderr
    assert "2 commit(s) witnessed" in proc.stderr
    got = kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [c1, c2]})
    assert {w["commit"] for w in got} == {c1, c2}
    assert tok not in (kit.server.settings.data_dir / "ledger.db").read_bytes().decode("latin-1")


def test_push_without_token_is_refused(fresh: tuple[Kit, str, str]) -> None:
    kit, _, branch = fresh
    kit.work.write("src/a.py", "a\n")
    kit.work.commit("a")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}"), "no task token")


def test_push_to_a_tag_is_refused(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, _ = fresh
    kit.work.git("tag", "-f", "v9.9.9")
    refused(push(kit.work, "refs/tags/v9.9.9", token=tok), "never create, move or delete tags")


def test_force_push_over_a_protected_branch_is_refused(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.write("src/b.py", "b\n")
    kit.work.commit("b")
    refused(push(kit.work, f"{branch}:refs/heads/main", token=tok, force=True), "protected")
    refused(push(kit.work, f"{branch}:refs/heads/release/1.0", token=tok), "protected")


def test_branch_outside_prefix_and_deletion(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    refused(push(kit.work, f"{branch}:refs/heads/feature/x", token=tok), "prefix")
    refused(push(kit.work, ":refs/heads/main", token=tok), "protected")


def test_path_outside_scope_via_rename(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.git("mv", ".github/workflows/ci.yml", "src/ci.yml")
    kit.work.commit("move workflow into src")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), ".github/workflows/ci.yml")


def test_denied_path(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.write("src/secret/key.txt", "stolen\n")
    kit.work.commit("touch secret")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "denied path")


def test_path_outside_scope_via_symlink(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.symlink("src/wf.yml", "../.github/workflows/ci.yml")
    kit.work.commit("link")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "symlink `src/wf.yml`")
    kit.work.symlink("src/wf.yml", "/etc/passwd")
    kit.work.commit("absolute link")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "outside the repository")


def test_path_outside_scope_via_submodule(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    sha = kit.base
    kit.work.git("update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
    kit.work.commit("add gitlink", stage_all=False)
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "submodule")


def test_revoked_token_is_refused_at_once(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.write("src/c.py", "c\n")
    kit.work.commit("c")
    kit.admin.ok("POST", "/v1/tokens/revoke", {"token": tok, "reason": "leaked"})
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "revoked")


def test_token_after_task_closed_is_refused(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    task = kit.admin.ok("GET", "/v1/tasks", params={"state": "open"})["items"][-1]
    kit.admin.ok("PATCH", f"/v1/tasks/{task['id']}", {"state": "closed", "version": 1})
    kit.work.write("src/d.py", "d\n")
    kit.work.commit("d")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "is closed")


def test_oversized_push_options_are_refused(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok, options=["x=" + "y" * 9000]),
            "over 8192 bytes")  # fmt: skip
    many = [f"o{i}=1" for i in range(20)]
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok, options=many), "too many")


def test_token_for_another_repository(kit: Kit, tmp_path: Path) -> None:
    from brokerkit import bare_from

    from signoff.hook.install import install

    other = bare_from(kit.work, tmp_path / "other.git")
    install(other, server=kit.server.url, data_dir=None, repo_name="other",
            no_token_mode="refuse", credential=kit.hook_token)  # fmt: skip
    task = kit.task()
    tok = kit.token(task["id"])
    kit.work.git("remote", "add", "other", f"file://{other}")
    kit.work.git("checkout", "-q", "-B", "agent/other", kit.base)
    kit.work.write("src/e.py", "e\n")
    kit.work.commit("e")
    import subprocess

    proc = subprocess.run(
        ["git", "-C", str(kit.work.path), "push", "-o", f"signoff-token={tok}", "other",
         "agent/other:refs/heads/agent/other"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    kit.work.git("checkout", "-q", "main")
    refused(proc, "the token is for repository widget, not other")


def test_unreachable_control_plane_fails_closed(kit: Kit, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from serverkit import free_port

    env = {**os.environ, "SIGNOFF_HOOK_TOKEN": kit.hook_token}
    line = f"{'0' * 40} {kit.base} refs/heads/agent/x\n"
    proc = subprocess.run(
        [sys.executable, "-m", "signoff.cli.main", "hook", "pre-receive", "--server",
         f"http://127.0.0.1:{free_port()}", "--repo", str(kit.bare)],
        input=line, capture_output=True, text=True, check=False,
        env={**env, "GIT_PUSH_OPTION_COUNT": "1", "GIT_PUSH_OPTION_0": "signoff-token=x.y.z"},
    )  # fmt: skip
    refused(proc, "unreachable")


def test_gate_reads_witnessed_pushes(
    fresh: tuple[Kit, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Author fields say a human; the hook saw the agent's task token: the gate says agent."""
    from clirun import run

    kit, tok, branch = fresh
    kit.work.write("src/witnessed.py", "w = 1\n")
    sha = kit.work.commit("looks human")  # authored as Alice, unsigned
    assert push(kit.work, f"{branch}:refs/heads/{branch}", token=tok).returncode == 0
    r = run(capsys, "check", "--repo", str(kit.work.path), "--base", kit.base, "--head", branch,
            "--format", "json", "--server", kit.server.url, "--token", kit.ci_token,
            "--server-repo", "widget")  # fmt: skip
    assert r.code in (0, 1), r.err
    (commit,) = [c for c in r.json()["commits"] if c["sha"] == sha]
    assert commit["attribution"] == "agent"
    assert commit["identities"] == [{"id": "unregistered:bot", "kind": "ai-agent",
                                     "registered": False}]  # fmt: skip
    push_ev = commit["evidence"][0]
    assert (push_ev["type"], push_ev["source"]) == ("witnessed", "push")
    requester = kit.admin.ok("GET", "/v1/whoami")["email"]
    assert requester in commit["co_authors"]
    assert commit["task_requesters"] == [requester.lower()]  # they never approve this work


def test_scope_refusals_are_coded_and_the_monitor_raises_them(fresh: tuple[Kit, str, str]) -> None:
    """Each refusal for scope is `push.refused` with code `scope`, whatever its wording, and
    `token.out-of-scope` fires on them (the reasons never contain the word "scope")."""
    import datetime as dt

    from signoff.ledger.events import EventType
    from signoff.monitor.engine import evaluate
    from signoff.monitor.snapshot import gather

    kit, tok, branch = fresh
    kit.work.write("src/secret/x.txt", "x\n")
    kit.work.commit("denied path")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok), "denied path")
    refused(push(kit.work, f"{branch}:refs/heads/main", token=tok), "protected")
    refused(push(kit.work, f"{branch}:refs/heads/feature/y", token=tok), "prefix")
    ledger = kit.server.ctx.recorder.ledger
    mine = [e for e in ledger.recent(3, EventType.PUSH_REFUSED)]
    assert [e.payload["code"] for e in mine] == ["scope"] * 3
    assert not any("scope" in r for e in mine for r in e.payload["reasons"])
    snap = gather(now=dt.datetime.now(dt.UTC), ledger_url=ledger.url)
    task = mine[0].subjects["attempted_task"]
    (alert,) = [a for a in evaluate(snap) if a.rule == "token.out-of-scope" and task in a.subject]
    assert {e.seq for e in mine} <= set(alert.evidence.ledger_seqs)
    assert alert.message.startswith("3 attempt(s) outside the task's scope")


def test_a_denied_folder_under_another_case_is_refused(fresh: tuple[Kit, str, str]) -> None:
    """On a case-insensitive checkout `src/Secret/` is `src/secret/` (denied)."""
    kit, tok, branch = fresh
    kit.work.write("src/Secret/key.txt", "stolen\n")
    kit.work.commit("touch the secret folder in another case")
    refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok),
            "`src/Secret/key.txt` matches the task's denied path `src/secret/**` on a "
            "case-insensitive checkout")  # fmt: skip
    refused(push(kit.work, f"{branch}:refs/heads/MAIN", token=tok), "protected branch (`main`)")


def _crafted(kit: Kit, name: str) -> str:
    """A commit on the base whose tree holds a blob under `name`, as `git mktree` takes it."""
    blob = kit.work.git("hash-object", "-w", "--stdin", input=b"payload\n").strip()
    src = kit.work.git("mktree", input=f"100644 blob {blob}\t{name}\n".encode()).strip()
    tree = kit.work.git("mktree", input=f"040000 tree {src}\tsrc\n".encode()).strip()
    return kit.work.git("commit-tree", tree, "-p", kit.base, "-m", "crafted").strip()


@pytest.mark.parametrize("name", ["..", ".git", ".GIT", "git~1"])
def test_trees_with_dangerous_names_are_refused(fresh: tuple[Kit, str, str], name: str) -> None:
    """`signoff hook install` turns on git's own checks of pushed objects: `src/..`, `src/.git`
    (any case, or its NTFS short name) never land, whatever the token's scope (`src/**`)."""
    kit, tok, branch = fresh
    sha = _crafted(kit, name)
    proc = push(kit.work, f"{sha}:refs/heads/{branch}", token=tok)
    assert proc.returncode != 0, proc.stderr
    assert "unpacker error" in proc.stdout + proc.stderr or "fsck" in proc.stderr, proc.stderr


def test_without_git_object_checks_every_push_is_refused(fresh: tuple[Kit, str, str]) -> None:
    kit, tok, branch = fresh
    kit.work.write("src/ok.py", "ok = 1\n")
    kit.work.commit("fine")
    cfg = ["git", "-C", str(kit.bare), "config"]
    import subprocess

    try:
        subprocess.run([*cfg, "receive.fsckObjects", "false"], check=True)
        refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok),
                "receive.fsckObjects is off")  # fmt: skip
        subprocess.run([*cfg, "receive.fsckObjects", "true"], check=True)
        subprocess.run([*cfg, "receive.fsck.hasDotgit", "warn"], check=True)
        refused(push(kit.work, f"{branch}:refs/heads/{branch}", token=tok),
                "receive.fsck.hasdotgit=warn")  # fmt: skip
    finally:
        subprocess.run([*cfg, "receive.fsckObjects", "true"], check=True)
        subprocess.run([*cfg, "--unset", "receive.fsck.hasDotgit"], check=False)
    assert push(kit.work, f"{branch}:refs/heads/{branch}", token=tok).returncode == 0


def test_a_push_to_exactly_the_branch_the_task_names_is_accepted(kit: Kit) -> None:
    """A prefix without a trailing `/` names a branch: that branch itself is the task's."""
    task = kit.task(branch_prefix=f"agent/exact-{kit.base[:6]}")
    tok = kit.token(task["id"])
    branch = task["branch_prefix"]
    kit.work.git("checkout", "-q", "-B", branch, kit.base)
    try:
        kit.work.write("src/exact.py", "x = 1\n")
        kit.work.commit("exact")
        proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok)
        assert proc.returncode == 0, proc.stderr
    finally:
        kit.work.git("checkout", "-q", "main")
