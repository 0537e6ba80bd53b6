"""The hand labels of `tests/corpus/` are well formed, and `bench/corpus_eval.py` counts right.

The figures in docs/attribution.md and docs/classes.md come from this script and these labels; a
label file with a typo (a class that does not exist, a commit listed twice, a repository missing
from `repos.tsv`) or a miscounted figure would make them quietly wrong.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from corpus_eval import Repo, _rows, _verdict, eval_commits, eval_paths  # noqa: E402
from signoff.taxonomy import FileClass  # noqa: E402

SHA = re.compile(r"^[0-9a-f]{40}$")


def test_labels_are_well_formed() -> None:
    repos = {}
    for row in _rows("repos.tsv"):
        repo = Repo.of(row)
        assert SHA.match(repo.head), row
        assert re.match(r"^[\w.-]+/[\w.-]+$", repo.github), row
        assert repo.commits > 0 and repo.issue in ("18", "27")
        assert repo.set in ("dev", "holdout", "holdout2"), row
        assert repo.name not in repos, f"{repo.name} listed twice"
        repos[repo.name] = repo
    assert {r.set for r in repos.values() if r.issue == "27"} == {"dev", "holdout", "holdout2"}

    seen: set[tuple[str, str]] = set()
    per_repo: Counter[str] = Counter()
    for row in _rows("commits.tsv"):
        assert len(row) == 5, row
        name, sha, label, tools, why = row
        assert name in repos and SHA.match(sha), row
        assert label in ("ai", "bot", "human", "?"), row
        assert why.strip(), f"{sha}: no reason given"
        assert bool(tools) == (label in ("ai", "bot")), row
        assert (name, sha) not in seen, f"{name} {sha} labelled twice"
        seen.add((name, sha))
        per_repo[name] += 1
    assert all(per_repo[name] > 0 for name in repos), "a repository without commit labels"

    paths: set[tuple[str, str]] = set()
    for row in _rows("paths.tsv"):
        assert len(row) == 4, row
        name, path, cls, why = row
        assert name in repos and path and not path.startswith("/"), row
        FileClass(cls)  # raises on a class that does not exist
        assert why.strip(), f"{name} {path}: no reason given"
        assert (name, path) not in paths, f"{name} {path} labelled twice"
        paths.add((name, path))
    assert {name for name, _ in paths} == set(repos)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def commit(repo: Path, author: str, message: str, files: dict[str, str]) -> str:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
        git(repo, "add", path)
    name, email = author.rstrip(">").split(" <")
    env = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
    git(repo, *env, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def test_figures_count_hits_misses_and_below_risk(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    git(tmp_path, "init", "-q", "r")
    human = "Ann Person <ann@example.org>"
    claude = "Co-authored-by: Claude <noreply@anthropic.com>"
    publish = "on: push\njobs:\n  p:\n    runs-on: x\n    steps:\n      - run: npm publish\n"
    a = commit(repo, human, f"Add docs\n\n{claude}", {"README.md": "# r\n"})
    b = commit(repo, "dependabot[bot] <1+dependabot[bot]@users.noreply.github.com>", "Bump", {})
    c = commit(repo, human, "Tests were drafted by an assistant, told in prose", {})
    d = commit(repo, human, "Plain work", {".github/workflows/ci.yml": publish})
    head = git(repo, "rev-parse", "HEAD")
    r = Repo("r", "o/r", head, 4, "27", "holdout")

    out: list[str] = []
    labels = {a: ("ai", "claude-code"), b: ("bot", "dependabot"), c: ("ai", "prose")}
    t = eval_commits(r, repo, labels, out)
    assert t["commits"] == 4
    assert (t["nh_tp"], t["nh_fn"], t["nh_fp"]) == (2, 1, 0)  # c is missed
    assert (t["ai_tp"], t["ai_fn"], t["ai_fp"]) == (1, 1, 0)
    assert len(out) == 1 and c[:12] in out[0]

    labels[d] = ("?", "")
    labels[c] = ("human", "")
    t = eval_commits(r, repo, labels, out := [])
    assert t["commits"] == 3 and t["unsure"] == 1 and t["nh_fn"] == 0 and out == []

    paths = [
        (".github/workflows/ci.yml", "signing-publishing"),  # content raises ci-workflow
        ("README.md", "agent-instructions"),  # signoff says docs: below risk
    ]
    p = eval_paths(r, repo, paths, out := [])
    assert (p["paths"], p["agree"], p["below"]) == (2, 1, 1)
    assert out == ["  path BELOW RISK README.md: labelled agent-instructions, signoff says docs"]


def test_verdict_names_every_target_missed() -> None:
    good = Counter(nh_tp=99, nh_fn=1, ai_tp=99, ai_fn=1, paths=100, agree=97)
    assert _verdict("18 dev", good).endswith(": met")
    bad = good + Counter(nh_fp=5, paths=0, below=2)
    verdict = _verdict("18", bad)
    assert "nh precision 95.2% < 99%" in verdict and "2 paths below risk > 0" in verdict
    assert "ai precision" not in verdict and "class agreement" not in verdict
    assert "nh recall 99.0% < 99%" not in verdict  # 99.0% meets a 99% target
