"""Security-key approvals: the FIDO flags in the signature decide, through the real gate.

Records are signed in the authenticator's format by software keys (tests/support/sshsigkit.py),
so the flags a token would set can be chosen: 0x00 (not touched), 0x01 (user present), 0x05
(present and verified by PIN or biometric).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sshsigkit import SoftKey, sk_ecdsa, sk_ed25519

from signoff.approvals import store
from signoff.approvals.apply import NO_PRESENCE, NO_VERIFICATION
from signoff.approvals.digest import class_digests
from signoff.approvals.record import Kind, make_record, record_id
from signoff.approvals.sshsig import NAMESPACE
from signoff.approvals.verify import verify_records
from signoff.gate.check import run_check
from signoff.gitio.runner import Git
from signoff.identity.agents import parse_registry
from signoff.identity.signers import build_signers, parse_allowed_signers

from .conftest import World
from .test_approvals import ignored_reasons, store_record

Make = Callable[..., World]
SK_ONLY = (
    "approvals: {key_types: [sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com]}\n"
)
SK_UV = "approvals: {user_verification: true}\n"


def sk_record(w: World, key: SoftKey, approver: str, *, flags: int) -> str:
    """alice's approval of the source change, signed by a security key with these flags."""
    d = run_check(w.repo.path, "main", "work", approvals_ref=None)
    digests = class_digests(d.files, d.digests["policy"])
    rec = make_record(
        repository=store.repository_id(Git(w.repo.path), d.base),
        decision=Kind.APPROVE,
        approver=approver,
        digests={"source": digests["source"]},
        policy_digest=d.digests["policy"],
        base=d.base,
        head=d.head,
    )
    data = rec.canonical()
    rid = record_id(data)
    sig = key.sign(data, NAMESPACE, flags=flags, counter=99)
    store.append(Git(w.repo.path), rid, {"json": data, "sig": sig})
    return rid


@pytest.mark.parametrize("make_key", [sk_ed25519, sk_ecdsa])
def test_untouched_security_key_does_not_count(
    world: Make, make_key: Callable[[], SoftKey]
) -> None:
    key = make_key()
    w = world(policy_extra=SK_ONLY, signers_extra=f"alice@example.com {key.public_line}\n")
    sk_record(w, key, "alice@example.com", flags=0x00)
    code, doc = w.check()
    assert code == 1
    assert NO_PRESENCE in ignored_reasons(doc)
    sk_record(w, key, "alice@example.com", flags=0x01)  # touched: counts
    code, doc = w.check()
    assert code == 0, ignored_reasons(doc)


def test_user_verification_when_the_policy_asks(world: Make) -> None:
    key = sk_ed25519()
    w = world(policy_extra=SK_UV, signers_extra=f"bob@example.com {key.public_line}\n")
    store_record(w, "alice", "alice@example.com")  # a plain key cannot verify its user
    sk_record(w, key, "bob@example.com", flags=0x01)  # touched, not verified
    code, doc = w.check()
    assert code == 1
    [ignored] = [s["ignored"] for s in doc["approvals"]]
    assert sorted(i["reason"] for i in ignored) == [NO_VERIFICATION, NO_VERIFICATION]
    sk_record(w, key, "bob@example.com", flags=0x05)
    code, doc = w.check()
    assert code == 0, ignored_reasons(doc)
    [status] = doc["approvals"]
    assert status["approvers"] == ["bob@example.com"]


def test_user_verification_is_a_policy_boolean(world: Make) -> None:
    w = world(policy_extra="approvals: {user_verification: maybe}\n")
    r = w.cli("check", "--repo", str(w.repo.path), "--base", "main", "--head", "work")
    assert r.code == 2
    assert "approvals.user_verification" in r.err and "Traceback" not in r.err


def test_expired_approver_key_signs_nothing_more(world: Make) -> None:
    key = sk_ed25519()
    line = f'alice@example.com valid-before="20200101Z" {key.public_line}\n'
    w = world(signers_extra=line)
    sk_record(w, key, "alice@example.com", flags=0x01)
    code, doc = w.check()
    assert code == 1
    [reason] = {r for r in ignored_reasons(doc) if r.startswith("unknown signer")}
    assert "expired 2020-01-01T00:00:00+00:00" in reason


def test_flags_are_reported_for_counted_records(world: Make) -> None:
    key = sk_ed25519()
    w = world(signers_extra=f"alice@example.com {key.public_line}\n")
    sk_record(w, key, "alice@example.com", flags=0x05)
    git = Git(w.repo.path)
    text = git.run(["show", "main:.signoff/allowed_signers"])
    agents = parse_registry(git.run(["show", "main:.signoff/agents.yml"]))
    _, combined, _ = build_signers(parse_allowed_signers(text, "a"), agents)
    base = git.run(["rev-parse", "main"]).decode().strip()
    repository = store.repository_id(git, base)
    [checked] = verify_records(store.read_records(git), combined, repository=repository)
    assert checked.valid and checked.sk_flags == 0x05
    assert checked.key_type == "sk-ssh-ed25519@openssh.com"
