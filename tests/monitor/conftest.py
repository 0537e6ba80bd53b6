"""A small deployment for monitor tests: a real git repo with policy and registry on `main`,
and a real SQLite ledger written through its API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gitrepo import COPILOT, Repo, make_repo
from policies import POLICY

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger
from signoff.monitor.alerts import Alert
from signoff.monitor.engine import evaluate
from signoff.monitor.model import Snapshot
from signoff.monitor.snapshot import gather

AGENTS = """\
version: 1
agents:
  - id: copilot
    owner: alice@example.com
    purpose: issue fixes
    mode: supervised
    review_by: 2999-01-01
    match: {catalog: [github-copilot]}
"""
MONITOR = "version: 1\nwindow_days: 3650\nidentity: {unused_days: 3650}\n"
SHA_A = "sha256:" + "a" * 64
SHA_B = "sha256:" + "b" * 64


@dataclass
class World:
    repo: Repo
    tmp: Path
    url: str

    def ledger(self, **kw: Any) -> Ledger:
        return Ledger(self.url, **kw)

    def append(
        self,
        type_: EventType,
        subjects: Mapping[str, str],
        payload: Mapping[str, Any],
        actor: str = "signoff:test",
    ) -> int:
        with self.ledger() as lg:
            return lg.append(EventDraft(type_, actor, dict(subjects), dict(payload))).seq

    def snapshot(self, **kw: Any) -> Snapshot:
        kw.setdefault("now", dt.datetime.now(dt.UTC))
        return gather(repo=self.repo.path, ledger_url=self.url, **kw)

    def alerts(self, **kw: Any) -> list[Alert]:
        return evaluate(self.snapshot(**kw))

    def rules(self, **kw: Any) -> dict[str, list[Alert]]:
        out: dict[str, list[Alert]] = {}
        for a in self.alerts(**kw):
            out.setdefault(a.rule, []).append(a)
        return out

    def registry(self, text: str, monitor: str = MONITOR) -> str:
        self.repo.write(".signoff/agents.yml", text)
        self.repo.write(".signoff/monitor.yml", monitor)
        return self.repo.commit("governance: registry")

    def agent_commit(self, path: str = "requirements.txt", body: str = "requests==2.32.0\n") -> str:
        self.repo.write(path, body)
        return self.repo.commit("deps: bump", author=COPILOT)

    def decide(self, head: str, base: str, verdict: str, commits: list[str]) -> int:
        return self.append(
            EventType.DECISION_MADE,
            {"commit": head, "base": base},
            {"decision": verdict, "commits": [{"sha": c} for c in commits]},
            actor="signoff-gate",
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    repo = make_repo(tmp_path / "repo")
    repo.write(".signoff/policy.yml", POLICY)
    repo.write("README.md", "hello\n")
    repo.commit("initial")
    w = World(repo, tmp_path, f"sqlite:///{tmp_path / 'ledger.db'}")
    w.ledger().close()  # the deployment's ledger, empty, as `signoff serve` starts one
    w.registry(AGENTS)
    yield w
