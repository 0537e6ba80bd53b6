"""Trace from a commit, artifact, task or agent; revoking an agent lists what it touched."""

from __future__ import annotations

from collections.abc import Callable

from schemas import validate

from signoff.ledger.events import EventDraft, EventType
from signoff.release.events import LedgerLog

from .conftest import World
from .test_release_e2e import agent_lockfile_release

Make = Callable[..., World]
INTENT = "sha256:" + "1" * 64
TOKEN = "sha256:" + "2" * 64


def released(w: World) -> tuple[str, str]:
    """An agent change pushed for task T-1, released v1.4.0 with one built and signed artifact."""
    agent_lockfile_release(w)
    sha = w.repo.head()
    with LedgerLog(w.ledger) as log:
        log.append(
            EventDraft(
                EventType.TASK_REQUESTED,
                "alice@example.com",
                {"task": "T-1", "agent": "copilot"},
                {"intent_digest": INTENT, "requester": "alice@example.com"},
            )
        )
        log.append(
            EventDraft(
                EventType.TOKEN_ISSUED, "signoff-broker", {"task": "T-1", "token": TOKEN}, {}
            )
        )
        log.append(
            EventDraft(
                EventType.PUSH_WITNESSED,
                "signoff-hook",
                {"commit": sha, "task": "T-1", "token": TOKEN},
                {},
            )
        )
    art = w.artifact("app-1.4.0.tgz", b"release bytes")
    assert (
        w.record("artifact built", art, "--identity", "ci@example.com", "--commit", sha).code == 0
    )
    assert w.record("artifact signed", art, "--identity", "signer@example.com").code == 0
    w.tag("v1.4.0")
    code, doc = w.verify("--tag", "v1.4.0", "--artifact", str(art))
    assert code == 0, doc["failures"]
    [c] = doc["commits"]
    assert c["tasks"] == ["T-1"] and c["intent_digests"] == [INTENT]
    assert c["token_digests"] == [TOKEN]
    assert (
        w.record(
            "release promote", art, "--identity", "carol@example.com", "--release", "v1.4.0"
        ).code
        == 0
    )
    return sha, doc["artifacts"][0]["digest"]


def trace(w: World, *argv: str, fmt: str = "json") -> object:
    r = w.cli("trace", "--ledger", w.ledger, "--repo", str(w.repo.path), "--format", fmt, *argv)
    assert r.code == 0, r.err
    if fmt != "json":
        return r.out
    validate(r.json(), "trace-v1.json")  # every trace the tests read
    return r.json()


def test_trace_from_an_artifact_reaches_intents_and_signatures(world: Make) -> None:
    w = world()
    sha, digest = released(w)
    doc = trace(w, "--artifact", digest)
    assert isinstance(doc, dict)
    ids = {n["id"] for n in doc["nodes"]}
    assert {
        f"artifact:{digest}",
        "release:v1.4.0",
        f"commit:{sha}",
        "task:T-1",
        f"intent:{INTENT}",
        f"token:{TOKEN}",
        "agent:copilot",
        "identity:ci@example.com",
        "identity:signer@example.com",
    } <= ids
    assert any(n["kind"] == "signature" for n in doc["nodes"])
    [commit] = [n for n in doc["nodes"] if n["id"] == f"commit:{sha}"]
    assert commit["files"] == ["package-lock.json"] and commit["subject"] == "bump left-pad"


def test_trace_from_a_commit_goes_back_to_the_artifact(world: Make) -> None:
    w = world()
    sha, digest = released(w)
    doc = trace(w, "--commit", sha)
    assert isinstance(doc, dict)
    assert doc["touched"]["artifact"] == [digest] and doc["touched"]["release"] == ["v1.4.0"]
    mermaid = trace(w, "--commit", sha, fmt="mermaid")
    assert isinstance(mermaid, str) and mermaid.startswith("flowchart LR")
    assert '-->|"built from"|' in mermaid and "release v1.4.0" in mermaid
    dot = trace(w, "--commit", sha, fmt="dot")
    assert isinstance(dot, str) and dot.startswith("digraph trace {") and dot.endswith("}\n")
    assert '[label="pushed for"]' in dot


def test_revoking_an_agent_or_task_lists_everything_it_touched(world: Make) -> None:
    w = world()
    sha, digest = released(w)
    with LedgerLog(w.ledger) as log:
        log.append(
            EventDraft(
                EventType.IDENTITY_SUSPENDED,
                "alice@example.com",
                {"agent": "copilot"},
                {"reason": "compromised"},
            )
        )
    text = trace(w, "--agent", "copilot", fmt="text")
    assert isinstance(text, str)
    assert "agent copilot [REVOKED]" in text
    assert "Revoking agent copilot flags everything it touched:" in text
    assert f"1 commit(s): {sha[:19]}" in text and "1 release(s): v1.4.0" in text
    assert f"1 artifact(s): {digest[:19]}" in text
    doc = trace(w, "--task", "T-1")
    assert isinstance(doc, dict)
    assert doc["touched"] == {"commit": [sha], "release": ["v1.4.0"], "artifact": [digest]}
    # and the next release verification fails on the revoked agent
    code, out = w.verify("--tag", "v1.4.0")
    assert code == 1 and "identities" in {c["name"] for c in out["checks"] if not c["ok"]}


def test_trace_of_something_unknown_is_an_error(world: Make) -> None:
    w = world()
    released(w)
    r = w.cli("trace", "--ledger", w.ledger, "--task", "nope")
    assert r.code == 2 and "does not appear in the ledger" in r.err
    r = w.cli("trace", "--ledger", w.ledger, "--task", "a", "--agent", "b")
    assert r.code == 2 and "exactly one" in r.err
