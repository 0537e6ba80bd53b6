"""Revocation reaches what was shipped (issue item 4), with a real ledger, keys and the CLI.

A release of Copilot's approved work PASSES and is attested; Copilot is then revoked. The
revocation marks the release (`release.revoked`), the monitor names it, re-verifying fails,
and the old attestation fails `attest verify --check-revocations`; release managers
re-qualify the work (signed), the release verifies again, and only the new attestation holds.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signoff.ledger.events import EventDraft, EventType
from signoff.monitor.engine import evaluate
from signoff.monitor.snapshot import gather
from signoff.release.events import LedgerLog

from .conftest import World, failing
from .test_attest import public_pem, write_key
from .test_release_e2e import agent_lockfile_release

Make = Callable[..., World]


def shipped(w: World, tmp: Path, name: str) -> tuple[Path, Path, Path]:
    """A PASSED, attested release of the approved lockfile change: (bundle, public key, art)."""
    art = w.artifact("app-1.4.0.tgz", b"release bytes")
    head = w.repo.head()
    assert (
        w.record("artifact built", art, "--identity", "ci@example.com", "--commit", head).code == 0
    )
    assert w.record("artifact signed", art, "--identity", "signer@example.com").code == 0
    key = Ed25519PrivateKey.generate()
    priv, pub = write_key(tmp / "k.pem", key), public_pem(tmp / "k.pub", key)
    out = tmp / name
    code, doc = w.verify("--artifact", str(art), "--attest-out", str(out), "--key", str(priv))
    assert code == 0, failing(doc)
    return out, pub, art


def revoke(w: World, *extra: str) -> str:
    r = w.cli("ledger", "append", "--ledger", w.ledger, "--type", "identity.suspended",
              "--actor", "alice@example.com", *extra)  # fmt: skip
    assert r.code == 0, r.err
    return r.out


def test_revoking_an_agent_marks_alerts_and_fails_its_releases(world: Make, tmp_path: Path) -> None:
    w = world()
    agent_lockfile_release(w)
    bundle, pub, art = shipped(w, tmp_path, "before.jsonl")
    check = ["attest", "verify", str(bundle), "--key", str(pub), "--check-revocations",
             "--ledger", w.ledger]  # fmt: skip
    assert w.cli(*check).code == 0  # nothing revoked yet
    out = revoke(w, "--subject", "agent=copilot", "--payload", '{"reason": "key leaked"}')
    assert "holds revoked work: release.revoked recorded as" in out
    with LedgerLog(w.ledger) as log:
        events = log.all()
    [flag] = [e for e in events if e.type is EventType.RELEASE_REVOKED]
    [suspended] = [e for e in events if e.type is EventType.IDENTITY_SUSPENDED]
    [verified] = [e for e in events if e.type is EventType.RELEASE_VERIFIED]
    assert flag.subjects["agent"] == "copilot" and flag.subjects["commit"] == w.repo.head()
    assert flag.payload["revocation_seq"] == suspended.seq
    assert flag.payload["verified_seq"] == verified.seq
    assert flag.payload["commits"] == [w.repo.head()]
    assert revoke(w, "--subject", "agent=copilot").count("release.revoked") == 0  # once only
    # the monitor names the release
    snap = gather(now=dt.datetime.now(dt.UTC), repo=w.repo.path, ledger_url=w.ledger)
    [alert] = [a for a in evaluate(snap) if a.rule == "release.revoked"]
    assert w.repo.head()[:12] in alert.message or "release" in alert.subject
    assert suspended.seq in alert.evidence.ledger_seqs
    # the signed attestation no longer stands
    r = w.cli(*check)
    assert r.code == 1 and "holds work of agent:copilot, revoked at ledger seq" in r.out
    assert "after this attestation was made" in r.out
    assert w.cli("attest", "verify", str(bundle), "--key", str(pub)).code == 0  # signatures alone
    # re-verifying the release fails on the revoked work
    code, doc = w.verify("--artifact", str(art))
    assert code == 1 and "agent copilot was revoked" in failing(doc)["identities"][0]


def test_release_managers_requalify_and_only_the_new_attestation_holds(
    world: Make, tmp_path: Path
) -> None:
    w = world()
    agent_lockfile_release(w)
    old, pub, art = shipped(w, tmp_path, "before.jsonl")
    revoke(w, "--subject", "agent=copilot")
    requalify = ["release", "requalify", "--repo", str(w.repo.path), "--from", "v1.3.0",
                 "--to", "main", "--revoked", "agent:copilot", "--ledger", w.ledger]  # fmt: skip
    # alice is a maintainer, not a release manager: her word does not count
    r = w.cli(*requalify, "--reason", "looked at it", "--key", str(w.keys["alice"]),
              "--principal", "alice@example.com")  # fmt: skip
    assert r.code == 0, r.err
    code, doc = w.verify("--artifact", str(art))
    assert code == 1
    # alice's key claiming to be carol is refused too
    r = w.cli(*requalify, "--reason", "x", "--key", str(w.keys["alice"]),
              "--principal", "carol@example.com")  # fmt: skip
    assert r.code == 0
    assert w.verify("--artifact", str(art))[0] == 1
    r = w.cli(*requalify, "--reason", "re-reviewed the left-pad bump line by line",
              "--key", str(w.keys["carol"]), "--principal", "carol@example.com")  # fmt: skip
    assert r.code == 0, r.err
    time.sleep(1.1)  # timeVerified has second precision: the new run must be later than that
    new = tmp_path / "after.jsonl"
    priv = tmp_path / "k.pem"
    code, doc = w.verify("--artifact", str(art), "--attest-out", str(new), "--key", str(priv))
    assert code == 0, failing(doc)
    [identities] = [c for c in doc["checks"] if c["name"] == "identities"]
    assert any("re-qualified by carol@example.com" in n for n in identities["notes"])
    check = ["--key", str(pub), "--check-revocations", "--ledger", w.ledger]
    assert w.cli("attest", "verify", str(new), *check).code == 0
    r = w.cli("attest", "verify", str(old), *check)
    assert r.code == 1 and "after this attestation was made" in r.out


def test_requalify_needs_a_recorded_revocation_and_a_reason(world: Make, tmp_path: Path) -> None:
    w = world()
    agent_lockfile_release(w)
    r = w.cli("release", "requalify", "--repo", str(w.repo.path), "--from", "v1.3.0",
              "--revoked", "agent:copilot", "--reason", "x", "--key", str(w.keys["carol"]),
              "--principal", "carol@example.com", "--ledger", w.ledger)  # fmt: skip
    assert r.code == 2 and "records no revocation of agent:copilot" in r.err
    r = w.cli("release", "requalify", "--repo", str(w.repo.path), "--revoked", "bot",
              "--reason", "x", "--ledger", w.ledger)  # fmt: skip
    assert r.code == 2 and "agent:ID or task:ID" in r.err


def test_a_revoked_task_reaches_the_release_too(world: Make, tmp_path: Path) -> None:
    w = world()
    agent_lockfile_release(w)
    head = w.repo.head()
    with LedgerLog(w.ledger) as log:
        log.append(EventDraft(EventType.PUSH_WITNESSED, "signoff-hook",
                              {"commit": head, "task": "T-9"}, {}))  # fmt: skip
    shipped(w, tmp_path, "b.jsonl")
    r = w.cli("ledger", "append", "--ledger", w.ledger, "--type", "task.revoked",
              "--actor", "alice@example.com", "--subject", "task=T-9")  # fmt: skip
    assert r.code == 0 and "release.revoked recorded" in r.out
    with LedgerLog(w.ledger) as log:
        [flag] = [e for e in log.all() if e.type is EventType.RELEASE_REVOKED]
    assert flag.subjects["task"] == "T-9" and flag.payload["revoked"] == "task:T-9"


def test_expiry_reaches_no_release(world: Make, tmp_path: Path) -> None:
    """Expiry is lifecycle, not compromise: nothing is flagged and the attestation holds."""
    w = world()
    agent_lockfile_release(w)
    bundle, pub, _ = shipped(w, tmp_path, "b.jsonl")
    r = w.cli("ledger", "append", "--ledger", w.ledger, "--type", "identity.changed",
              "--actor", "alice@example.com", "--subject", "agent=copilot",
              "--payload", '{"change": {"expires": "2020-01-01"}}')  # fmt: skip
    assert r.code == 0 and "release.revoked" not in r.out
    r = w.cli("attest", "verify", str(bundle), "--key", str(pub), "--check-revocations",
              "--ledger", w.ledger)  # fmt: skip
    assert r.code == 0, r.out
