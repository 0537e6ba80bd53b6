"""Run a composite Action's steps as GitHub's runner does: each `run:` under bash with the
step's `env:` (expressions resolved), the GITHUB_* environment GitHub sets, and the files the
runner reads back afterwards (`$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@dataclass
class Run:
    code: int
    out: str
    err: str
    summary: str
    outputs: dict[str, str] = field(default_factory=dict)


def github_env(
    tmp: Path, *, workspace: Path, event: str, event_path: Path, repo: str, api_url: str
) -> dict[str, str]:
    """The variables GitHub's runner sets for a job step (those signoff or bash may read)."""
    owner = repo.split("/")[0]
    for name in ("summary.md", "output.txt", "env.txt", "path.txt"):
        (tmp / name).write_text("")
    temp = tmp / "runner-temp"
    temp.mkdir(exist_ok=True)
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": repo,
        "GITHUB_REPOSITORY_OWNER": owner,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": api_url,
        "GITHUB_GRAPHQL_URL": api_url + "/graphql",
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_NUMBER": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_JOB": "signoff",
        "GITHUB_WORKFLOW": "signoff",
        "GITHUB_ACTOR": "copilot-swe-agent[bot]",
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "GITHUB_OUTPUT": str(tmp / "output.txt"),
        "GITHUB_ENV": str(tmp / "env.txt"),
        "GITHUB_PATH": str(tmp / "path.txt"),
        "RUNNER_TEMP": str(temp),
        "RUNNER_OS": "Linux",
        "HOME": os.environ.get("HOME", str(tmp)),
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def run_action(env: dict[str, str], token: str, inputs: dict[str, str] | None = None) -> Run:
    """Every step of ROOT/action.yml, in order, stopping at the first that fails."""
    meta: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    given = inputs or {}
    unknown = set(given) - set(meta["inputs"])
    assert not unknown, f"not inputs of action.yml: {unknown}"
    context = {
        "github.action_path": str(ROOT),
        "github.token": token,
        **{f"inputs.{k}": str(v.get("default", "")) for k, v in meta["inputs"].items()},
        **{f"inputs.{k}": v for k, v in given.items()},
    }

    def resolve(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            key = m.group(1)
            if key not in context:
                raise AssertionError(f"expression the harness does not know: {key}")
            return _EXPR.sub(one, context[key]) if "${{" in context[key] else context[key]

        return _EXPR.sub(one, text)

    env = {**env, "GITHUB_ACTION_PATH": str(ROOT)}
    out = err = ""
    code = 0
    assert meta["runs"]["using"] == "composite"
    for step in meta["runs"]["steps"]:
        assert step["shell"] == "bash", step
        assert "${{" not in step["run"], "expressions belong in env:, never in the script"
        step_env = {k: resolve(str(v)) for k, v in (step.get("env") or {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            env={**env, **step_env},
            cwd=env["GITHUB_WORKSPACE"],
            capture_output=True,
            text=True,
            check=False,
        )
        out += proc.stdout
        err += proc.stderr
        code = proc.returncode
        if code != 0:
            break
    outputs = dict(
        line.split("=", 1)
        for line in Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
        if "=" in line
    )
    return Run(code, out, err, Path(env["GITHUB_STEP_SUMMARY"]).read_text(), outputs)
