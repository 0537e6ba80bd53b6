""".github/workflows/release.yml: valid against GitHub's workflow schema (as vendored by
check-jsonschema), every action pinned to a commit with its release named, the least
permissions per job, and the built files smoke-tested, attested, then published by OIDC."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github/workflows/release.yml"
BIN = Path(sys.executable).parent


def workflow() -> dict[Any, Any]:
    doc: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return doc


def test_valid_github_workflow() -> None:
    out = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         str(WORKFLOW)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_action_is_pinned_to_a_commit_with_its_release_named() -> None:
    uses = re.findall(r"(?m)^\s*(?:- )?uses: (\S+)(.*)$", WORKFLOW.read_text())
    assert len(uses) == 6
    for ref, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", ref), ref
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), (ref, comment)


def test_least_privilege_and_the_release_steps() -> None:
    w = workflow()
    assert w["permissions"] == {}
    assert w[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    build, publish = w["jobs"]["build"], w["jobs"]["publish"]
    assert build["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "attestations": "write",
    }
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build" and publish["environment"]["name"] == "pypi"
    steps = build["steps"]
    assert steps[0]["with"]["persist-credentials"] is False
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "python -m build --outdir dist ." in runs
    assert "python tools/dist_smoke.py dist" in runs
    at = {
        what: next(i for i, s in enumerate(steps) if what in s.get("run", s.get("uses", "")))
        for what in ("python -m build", "tools/dist_smoke.py", "attest-build-provenance")
    }
    assert at["python -m build"] < at["tools/dist_smoke.py"] < at["attest-build-provenance"]
    assert steps[at["attest-build-provenance"]]["with"] == {"subject-path": "dist/*"}
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1]  # trusted publishing: no password or token


def test_the_readme_ci_example_is_a_valid_workflow(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(# \.github/workflows/[^\n]+\n.*?)```", readme, re.S)
    assert blocks, "no GitHub workflow example in the README"
    for i, block in enumerate(blocks):
        example = tmp_path / f"example{i}.yml"
        example.write_text(block)
        out = subprocess.run(
            [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
             str(example)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        assert 'pip install "signoff==' not in block  # nothing is published yet
