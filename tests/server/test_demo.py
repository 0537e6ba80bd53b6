"""The demo data set builds through the real API and leaves pending approvals."""

from __future__ import annotations

from pathlib import Path

from serverkit import ThreadServer

from signoff.demo import server as demo


def test_demo_seed(live: ThreadServer, tmp_path: Path) -> None:
    repo, base, head, pubs = demo.build_repo(tmp_path)
    data = demo.seed(live.url, live.bootstrap(), repo, base, pubs)
    assert set(data["tokens"]) == {"admin", "alice", "bob", "carol", "dave", "ci", "auditor"}
    assert data["task"]["intent_text"] is None  # the live fixture keeps no intent text
    report = demo._gate(live.url, data["tokens"]["ci"], repo, base, head)
    assert "package-lock.json" in report and "needs-approval" in report
    assert "decision recorded on" in report
