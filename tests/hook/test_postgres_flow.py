"""The broker and the hook on PostgreSQL: a task, its token, a witnessed push, a revocation and
a refused push, the gate reading what was witnessed, and the ledger consistent throughout."""

from __future__ import annotations

from pathlib import Path

import pytest
from brokerkit import push, start
from clirun import run
from pg import fresh_database

from signoff.ledger.events import EventType

pytestmark = pytest.mark.postgres


def test_task_token_push_and_revocation_on_postgres(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_database("signoff_broker") as url:
        kit = start(tmp_path, url)
        try:
            assert kit.server.settings.database_url == url
            task = kit.task()
            tok = kit.token(task["id"])
            branch = f"agent/{task['id'][-8:]}"
            kit.work.git("checkout", "-q", "-B", branch, kit.base)
            kit.work.write("src/feature.py", "x = 1\n")
            sha = kit.work.commit("looks human")
            proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok)
            assert proc.returncode == 0, proc.stderr
            got = kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [sha]})
            assert [w["commit"] for w in got] == [sha]

            r = run(capsys, "check", "--repo", str(kit.work.path), "--base", kit.base,
                    "--head", branch, "--format", "json", "--server", kit.server.url,
                    "--token", kit.ci_token, "--server-repo", "widget")  # fmt: skip
            assert r.code in (0, 1), r.err
            (commit,) = [c for c in r.json()["commits"] if c["sha"] == sha]
            assert commit["attribution"] == "agent"
            assert commit["evidence"][0]["source"] == "push"

            kit.admin.ok("POST", "/v1/tokens/revoke", {"token": tok, "reason": "leaked"})
            kit.work.write("src/feature.py", "x = 2\n")
            kit.work.commit("after revocation")
            proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok)
            assert proc.returncode != 0 and "revoked" in proc.stderr, proc.stderr

            ledger = kit.server.ctx.recorder.ledger
            kinds = [e.type for e in ledger.recent(50)]
            for kind in (EventType.PUSH_WITNESSED, EventType.PUSH_REFUSED):
                assert kind in kinds
            assert ledger.verify().ok
        finally:
            kit.work.git("checkout", "-q", "main")
            kit.issuer.stop()
            kit.server.stop()
