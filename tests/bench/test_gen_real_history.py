"""The real-shaped history generator writes a valid, signed, agent-rich history, deterministically.

`bench/real_speed.py` measures the gate on it; a malformed tree or a signature git cannot read
would make that benchmark measure an error path instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import rich

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from gen_real_history import generate  # noqa: E402

pytestmark = pytest.mark.slow


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


CORPUS = Path(rich.__file__).parent  # real source text, small enough to read twice quickly


def test_history_is_valid_signed_and_deterministic(tmp_path: Path) -> None:
    stats = generate(tmp_path / "a", commits=30, files=40, seed=4, corpus=CORPUS)
    repo = tmp_path / "a"
    fsck = subprocess.run(["git", "-C", str(repo), "fsck", "--strict"], capture_output=True)
    assert fsck.returncode == 0, fsck.stderr
    assert b"error" not in fsck.stdout + fsck.stderr
    assert int(git(repo, "rev-list", "--count", "base..main")) == stats.commits >= 30
    assert stats.merges > 0 and stats.gpg > 0 and stats.ssh > 0
    raw = git(repo, "log", "--format=%B%x00", "base..main")
    assert "Co-Authored-By: Claude <noreply@anthropic.com>" in raw
    assert "copilot" in git(repo, "log", "--format=%ae", "base..main").lower()

    signers = tmp_path / "allowed_signers"
    signers.write_text(git(repo, "show", "base:.signoff/allowed_signers"))
    status = git(
        repo, "-c", f"gpg.ssh.allowedSignersFile={signers}", "log", "--format=%G?%x09%ae",
        "--committer=alice@example.com", "base..main",
    )  # fmt: skip
    assert set(status.splitlines()) == {"G\talice@example.com"}  # every one verifies
    merge = git(repo, "log", "--merges", "-1", "--format=%H", "main").strip()
    assert "\ngpgsig -----BEGIN PGP SIGNATURE-----\n" in git(repo, "cat-file", "commit", merge)

    again = generate(tmp_path / "b", commits=30, files=40, seed=4, corpus=CORPUS)
    assert again.commits == stats.commits
    # the same files and contents, but for the keys generated afresh on each run
    keys = (".signoff/agents.yml", ".signoff/allowed_signers")
    files_a, files_b = (
        [line for line in git(r, "ls-tree", "-r", "main").splitlines() if not line.endswith(keys)]
        for r in (repo, tmp_path / "b")
    )
    assert files_a == files_b and len(files_a) > 40
    assert git(repo, "log", "--format=%s%x09%an%x09%at", "base..main") == git(
        tmp_path / "b", "log", "--format=%s%x09%an%x09%at", "base..main"
    )
