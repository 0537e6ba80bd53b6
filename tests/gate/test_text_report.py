"""The text report as people meet it: summary first, long lists folded (`--all` expands),
colour only on request or on a terminal (`--color`, `NO_COLOR`), progress only on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run
from gitrepo import CLAUDE_TRAILER, COPILOT, Repo, keygen
from policies import AGENTS, POLICY

from signoff.output.text import FOLD


def long_change(repo: Repo) -> list[str]:
    """FOLD + 10 agent commits on one source file, then one adding FOLD + 5 docs that the
    limited agent's signed commit lands in its auto lane (allowed)."""
    key, pub = keygen(repo.path.parent, "claude")
    agents = AGENTS.replace(
        "match: {catalog: [claude-code]}",
        f'match: {{catalog: [claude-code], signing_keys: ["{pub}"]}}',
    )
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", agents)
    repo.write("src/app.py", "0\n")
    repo.commit("base")
    repo.branch("work")
    shas = []
    for i in range(FOLD + 10):
        repo.write("src/app.py", f"{i + 1}\n")
        shas.append(repo.commit(f"step {i}", author=COPILOT))
    for i in range(FOLD + 5):
        repo.write(f"docs/page{i}.md", "words\n")
    shas.append(repo.commit(f"docs\n\n{CLAUDE_TRAILER}", sign_key=key))
    repo.checkout("main")
    return shas


def text(capsys: pytest.CaptureFixture[str], repo: Repo, *extra: str) -> str:
    r = run(capsys, "check", "--repo", str(repo.path), "--base", "main", "--head", "work", *extra)
    assert r.code == 1, r.err
    return r.out


def test_summary_first_and_long_lists_folded(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    shas = long_change(repo)
    out = text(capsys, repo)
    lines = out.splitlines()
    assert lines[0].startswith("signoff: NEEDS APPROVAL")
    assert "need approval" in lines[1]  # the summary, before any table
    assert "... and 11 more commits (--all shows them" in out
    assert "... and 5 more allowed files" in out
    assert "src/app.py" in out  # a file that needs approval is never folded
    assert sum(s[:12] in out for s in shas) == FOLD
    full = text(capsys, repo, "--all")
    assert all(s[:12] in full for s in shas)
    assert "more commits" not in full and "docs/page24.md" in full


def test_color_on_request_and_never_in_a_pipe(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    long_change(repo)
    assert "\x1b[" not in text(capsys, repo)  # captured output is not a terminal
    painted = text(capsys, repo, "--color", "always")
    assert "\x1b[33mneeds-approval" in painted and "\x1b[0m" in painted
    assert "\x1b[" not in text(capsys, repo, "--color", "never")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" in text(capsys, repo, "--color", "always")  # an explicit choice wins


def test_no_color_wins_over_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from signoff.cli._term import use_color

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color("auto", Tty())  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color("auto", Tty())  # type: ignore[arg-type]
    assert use_color("always", Tty())  # type: ignore[arg-type]


def many_commits(repo: Repo, n: int) -> None:
    """n agent commits in one `git fast-import` (a long range without n processes)."""
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("src/app.py", "0\n")
    repo.commit("base")
    name, email = COPILOT
    stream = ["reset refs/heads/work\nfrom refs/heads/main\n"]
    for i in range(n):
        data = f"{i}\n"
        msg = f"step {i}\n"
        stream.append(
            f"commit refs/heads/work\ncommitter {name} <{email}> {1700000000 + i} +0000\n"
            f"data {len(msg)}\n{msg}M 100644 inline src/app.py\ndata {len(data)}\n{data}\n"
        )
    repo.git("fast-import", "--quiet", input="".join(stream).encode())


def run_on_tty(repo: Path, *extra: str, env: dict[str, str] | None = None) -> bytes:
    """`signoff check` with standard error on a pseudo-terminal; returns what it showed there."""
    leader, follower = pty.openpty()
    cmd = [sys.executable, "-m", "signoff.cli.main", "check", "--repo", str(repo), "--base",
           "main", "--head", "work", "--format", "json", *extra]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=follower, env=env or os.environ.copy()
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate(timeout=120)
    os.close(leader)
    assert proc.returncode == 1, seen
    return seen


@pytest.mark.slow
def test_progress_only_on_a_terminal_and_not_when_quiet(repo: Repo, tmp_path: Path) -> None:
    many_commits(repo, 6000)
    # Progress is first drawn a quarter second into the walk, which a fast machine may finish
    # sooner: the child is started with no delay before the first draw (a sitecustomize that
    # sets `Progress.EVERY` to 0), so the test does not depend on the machine's speed.
    (tmp_path / "sitecustomize.py").write_text(
        "import signoff.cli._term as term\nterm.Progress.EVERY = 0.0\n"
    )
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    env = {**os.environ, "PYTHONPATH": path}
    assert b"signoff: commits read" in run_on_tty(repo.path, env=env)
    assert b"commits read" not in run_on_tty(repo.path, "--quiet", env=env)
    piped = subprocess.run(
        [sys.executable, "-m", "signoff.cli.main", "check", "--repo", str(repo.path), "--base",
         "main", "--head", "work", "--format", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
    )  # fmt: skip
    assert piped.returncode == 1 and b"commits read" not in piped.stderr
