"""The gate decides what is binary by content (git's numstat, attributes ignored), never by the
file's name: text in a file named like an image is read and scanned."""

from __future__ import annotations

from gitrepo import COPILOT, Repo

from signoff.gate.check import run_check

KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c2x\n-----END RSA PRIVATE KEY-----\n"


def _facts(repo: Repo, path: str) -> list[tuple[str, int | None]]:
    decision = run_check(repo.path, "main", "work", approvals_ref=None)
    (file,) = [f for f in decision.files if f.path == path]
    return [(fact.kind, fact.line) for fact in file.facts]


def test_a_private_key_in_a_text_file_named_png_is_reported(repo: Repo) -> None:
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("assets/logo.png", KEY)
    repo.commit("add a logo", author=COPILOT)
    assert ("secret-added", 1) in _facts(repo, "assets/logo.png")


def test_a_real_binary_named_png_is_not_read(repo: Repo) -> None:
    repo.write("README.md", "# demo\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + KEY.encode())
    repo.commit("add a logo", author=COPILOT)
    assert _facts(repo, "assets/logo.png") == []
