"""The data set most server tests start from (see tests/server/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitrepo import COPILOT, Repo, keygen
from policies import AGENTS, POLICY
from serverkit import Api, ThreadServer, claim

from signoff.server.tables import metadata

BREAK_GLASS = "approvals: {break_glass: release-managers}\n"
LOCK = '{"name": "demo", "lockfileVersion": 3, "packages": {}}\n'


@dataclass
class World:
    repo: Repo
    base: str
    head: str
    pubs: dict[str, str]
    keys: dict[str, Path]


def build_world(repo: Repo, tmp_path: Path, *, co_author: str | None = None) -> World:
    keydir = tmp_path / "keys"
    keydir.mkdir(exist_ok=True)
    keys, pubs = {}, {}
    for who in ("alice", "bob", "carol"):
        keys[who], pubs[who] = keygen(keydir, who)
    repo.write(".signoff/policy.yml", POLICY + BREAK_GLASS)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write(
        ".signoff/allowed_signers",
        "".join(f"{w}@example.com {pubs[w]}\n" for w in ("alice", "bob", "carol")),
    )
    repo.write("src/app.py", "print('hi')\n")
    repo.write("package-lock.json", LOCK)
    repo.write(".github/workflows/ci.yml", "on: [push]\njobs: {}\n")
    base = repo.commit("base")
    repo.branch("work")
    repo.write("src/app.py", "print('agent')\n")
    repo.write("package-lock.json", LOCK.replace("{}", '{"": {"name": "demo"}}'))
    repo.write(".github/workflows/ci.yml", "on: [push, pull_request]\njobs: {}\n")
    trailer = f"\n\nCo-authored-by: Someone <{co_author}>" if co_author else ""
    head = repo.commit(f"agent change{trailer}", author=COPILOT)
    repo.checkout("main")
    return World(repo, base, head, pubs, keys)


@dataclass
class Team:
    server: ThreadServer
    world: World
    admin: Api
    tokens: dict[str, str]  # alice, bob, carol (approvers), dave (agent-operator), ci, hook,
    # auditor, admin

    def api(self, who: str | None) -> Api:
        return Api(self.server.url, self.tokens[who] if who else None)

    def counts(self) -> dict[str, int]:
        """Row count of every server table, and the ledger's size: "nothing written" checks."""
        import sqlalchemy as sa

        out = {}
        with self.server.ctx.db.read() as conn:
            for t in metadata.sorted_tables:
                out[t.name] = int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
        out["ledger"] = self.server.ctx.recorder.size()
        return out


def seed_team(server: ThreadServer, world: World) -> Team:
    admin = Api(server.url, server.bootstrap())
    admin.ok("POST", "/v1/repos", {"name": "demo", "path": str(world.repo.path)})
    for name in ("maintainers", "release-managers", "break-glass"):
        admin.ok("POST", "/v1/groups", {"name": name, "members": []})
    people = {
        "alice": ["maintainers"],
        "bob": ["maintainers"],
        "carol": ["release-managers", "break-glass"],
        "dave": [],
    }
    for who, groups in people.items():
        body = {"id": who, "email": f"{who}@example.com", "name": who.title(), "groups": groups}
        if who in world.pubs:
            body["keys"] = [world.pubs[who]]
        admin.ok("POST", "/v1/humans", body)
    # issued by the admin, then claimed by each person with their own key: only then may they
    # approve (an admin must not be able to approve as someone)
    tokens = {
        w: claim(server.url, admin.token_for(f"{w}-approver", ["approver"], w), world.keys[w])
        for w in ("alice", "bob", "carol")
    }
    tokens["dave"] = admin.token_for("dave-operator", ["agent-operator"], "dave")
    tokens["ci"] = admin.token_for("ci", ["ci"])
    tokens["hook"] = admin.token_for("git-hook", ["hook"])
    tokens["auditor"] = admin.token_for("auditor", ["auditor"])
    tokens["admin"] = admin.token or ""
    for agent, extra in [
        ("copilot", {"review_by": "2999-01-01"}),
        ("old-bot", {"expires": "2020-01-01"}),
    ]:
        admin.ok(
            "POST",
            "/v1/agents",
            {"id": agent, "owner": "platform@example.com", "purpose": "test agent", **extra},
        )
    return Team(server, world, admin, tokens)
