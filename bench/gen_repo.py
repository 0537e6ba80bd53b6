"""Generate a synthetic repository for the gate benchmark with `git fast-import` (one process).

Commits mix human, registered-agent, unregistered-agent (trailer) and bot authors, and touch
paths of every class in the taxonomy.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
from pathlib import Path

PATHS = (
    [
        ".signoff/notes.md",
        "CODEOWNERS",
        "AGENTS.md",
        ".claude/settings.json",
        ".github/workflows/release.yml",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "package.json",
        "pyproject.toml",
        "go.mod",
        "Cargo.toml",
        "package-lock.json",
        "poetry.lock",
        "Cargo.lock",
        "Dockerfile",
        "setup.py",
        "Makefile",
        "deploy/k8s/app.yaml",
        "infra/main.tf",
        ".gitattributes",
        ".pre-commit-config.yaml",
        "VERSION",
        "CHANGELOG.md",
        "docs/guide.md",
        "docs/api.md",
        "README.md",
        "tests/test_core.py",
        "tests/test_api.py",
    ]
    + [f"src/pkg/module_{i}.py" for i in range(60)]
    + [f"web/src/comp_{i}.ts" for i in range(30)]
    + [f"data/blob_{i}.dat" for i in range(10)]
)

AUTHORS = [
    ("Alice Maintainer", "alice@example.com", ""),
    ("Bob Dev", "bob@example.com", ""),
    ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com", ""),
    ("Carol", "carol@example.com", "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"),
    ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", ""),
    ("Dan", "dan@example.com", "\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>"),
]

POLICY = Path(__file__).resolve().parent.parent / "src/signoff/templates/policy.yml"
AGENTS = Path(__file__).resolve().parent.parent / "src/signoff/templates/agents.yml"


def _data(text: bytes) -> bytes:
    return b"data %d\n" % len(text) + text + b"\n"


def generate(path: Path, commits: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    path.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    out: list[bytes] = []
    ts = 1_700_000_000
    # base commit: policy and registry, tagged `base`
    out.append(b"commit refs/heads/main\nmark :1\n")
    out.append(b"author Alice <alice@example.com> %d +0000\n" % ts)
    out.append(b"committer Alice <alice@example.com> %d +0000\n" % ts)
    out.append(_data(b"base"))
    out.append(b"M 100644 inline .signoff/policy.yml\n" + _data(POLICY.read_bytes()))
    out.append(b"M 100644 inline .signoff/agents.yml\n" + _data(AGENTS.read_bytes()))
    for p in PATHS:
        out.append(f"M 100644 inline {p}\n".encode() + _data(f"{p} v0\n".encode()))
    out.append(b"reset refs/tags/base\nfrom :1\n\n")
    for n in range(commits):
        name, email, trailer = AUTHORS[rng.randrange(len(AUTHORS))]
        ts += 60
        out.append(b"commit refs/heads/main\n")
        out.append(f"author {name} <{email}> {ts} +0000\n".encode())
        out.append(f"committer {name} <{email}> {ts} +0000\n".encode())
        out.append(_data(f"change {n}{trailer}".encode()))
        if n == 0:
            out.append(b"from :1\n")
        for p in rng.sample(PATHS, rng.randint(1, 3)):
            out.append(f"M 100644 inline {p}\n".encode() + _data(f"{p} v{n}\n".encode() * 3))
        out.append(b"\n")
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(out), check=True, env=env
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True, env=env)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("path", type=Path)
    ap.add_argument("--commits", type=int, default=10_000)
    args = ap.parse_args()
    generate(args.path, args.commits)
