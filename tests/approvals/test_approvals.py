"""Approvals end to end: real repositories, real keys made with ssh-keygen, the real CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitrepo import COPILOT, HUMAN
from schemas import validate

from signoff.approvals import sshsig, store
from signoff.approvals.digest import class_digests
from signoff.approvals.record import Kind, make_record, record_id
from signoff.gate.check import run_check
from signoff.gate.record import decision_payload
from signoff.gitio.runner import Git
from signoff.protected import APPROVALS_REF

from .conftest import World

Make = Callable[..., World]


def status(doc: Any, cls: str = "source") -> Any:
    [s] = [s for s in doc["approvals"] if s["class"] == cls]
    return s


def ignored_reasons(doc: Any) -> list[str]:
    out = [i["reason"] for s in doc["approvals"] for i in s["ignored"]]
    out += [i["reason"] for i in doc["approval_records"]["ignored"]]
    return out


def store_record(w: World, key: str, approver: str, **changes: Any) -> str:
    """Sign and store a record through the Python API, for records the CLI would not write."""
    d = run_check(w.repo.path, "main", "work", approvals_ref=None)
    digests = class_digests(d.files, d.digests["policy"])
    fields: dict[str, Any] = {
        "repository": store.repository_id(Git(w.repo.path), d.base),
        "decision": Kind.APPROVE,
        "approver": approver,
        "digests": {"source": digests["source"]},
        "policy_digest": d.digests["policy"],
        "base": d.base,
        "head": d.head,
        **changes,
    }
    rec = make_record(**fields)
    data = rec.canonical()
    rid = record_id(data)
    store.append(Git(w.repo.path), rid, {"json": data, "sig": sshsig.sign(data, w.keys[key])})
    return rid


def test_approval_lets_the_change_through(world: Make) -> None:
    w = world()
    code, doc = w.check()
    assert code == 1
    assert status(doc)["missing"] == 1 and status(doc)["state"] == "missing"
    r = w.sign("approve", "alice", "--comment", "looks good")
    assert r.code == 0, r.err
    assert "approve recorded:" in r.out and "source: sha256:" in r.out
    code, doc = w.check()
    assert code == 0
    assert doc["decision"] == "allow"
    s = status(doc)
    assert s["approvers"] == ["alice@example.com"] and s["have"] == 1 and s["missing"] == 0
    assert s["digest"] in r.out
    assert doc["files"][0]["decision"] == "allow"
    assert any(x["rule"] == "approval" for x in doc["files"][0]["rules"])
    text = w.text()
    assert "Approvals" in text and "approved by: alice@example.com" in text
    listing = w.cli("approvals", "list", "--repo", str(w.repo.path), "--base", "main")
    assert "approve" in listing.out and "verified" in listing.out and "looks good" in listing.out
    as_json = w.cli("approvals", "list", "--repo", str(w.repo.path), "--base", "main",
                    "--format", "json")  # fmt: skip
    validate(as_json.json(), "approvals-v1.json")
    assert as_json.json()["records"][0]["valid"] is True
    payload = decision_payload(run_check(w.repo.path, "main", "work"))
    assert payload["approvals"][0]["approvers"] == ["alice@example.com"]


def test_stale_approval_after_content_change(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    w.repo.write("src/app.py", "print('agent, again')\n")
    w.repo.commit("more", author=COPILOT)
    code, doc = w.check()
    assert code == 1
    assert status(doc)["approvers"] == []
    assert any(r.startswith("stale digest") for r in ignored_reasons(doc))


def test_approval_survives_rebase_with_identical_content(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    old_head = w.repo.head()
    w.repo.checkout("main")
    w.repo.write("README.md", "# demo, edited by a human\n")
    w.repo.commit("human edit", author=HUMAN)
    w.repo.checkout("work")
    w.repo.git("rebase", "-q", "main")
    assert w.repo.head() != old_head
    code, doc = w.check()
    assert code == 0, doc
    assert status(doc)["approvers"] == ["alice@example.com"]


def test_new_commit_elsewhere_keeps_approval_of_unchanged_class(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    w.repo.write("docs/guide.md", "# guide\n")
    w.repo.commit("docs", author=COPILOT)
    code, doc = w.check()
    assert status(doc)["state"] == "approved"  # the source content is unchanged
    assert status(doc, "docs")["state"] == "missing"  # the new docs content is not approved
    assert code == 1


def test_veto_blocks_until_the_same_person_approves(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    w.sign("veto", "bob", "--comment", "no")
    code, doc = w.check()
    assert code == 1
    assert status(doc)["vetoers"] == ["bob@example.com"] and status(doc)["state"] == "vetoed"
    assert "VETOED by: bob@example.com" in w.text()
    w.sign("approve", "alice")  # another person's approval does not lift bob's veto
    assert w.check()[0] == 1
    w.sign("approve", "bob")
    code, doc = w.check()
    assert code == 0
    assert status(doc)["approvers"] == ["alice@example.com", "bob@example.com"]


def test_override_is_overridden_never_approved(world: Make) -> None:
    w = world()
    w.repo.write("AGENTS.md", "be bold\n")  # agent-instructions: critical, denied
    w.repo.commit("instructions", author=COPILOT)
    code, doc = w.check()
    assert code == 1 and doc["decision"] == "deny"
    r = w.sign("override", "alice", "--reason", "incident 42")
    assert r.code == 0
    code, doc = w.check()
    assert code == 1, "alice is not in the break-glass group"
    assert any("not in break-glass group" in x for x in ignored_reasons(doc))
    assert w.sign("override", "carol").code == 2  # --reason is required
    assert w.sign("override", "carol", "--reason", "incident 42").code == 0
    code, doc = w.check()
    assert code == 0
    assert doc["decision"] == "overridden"
    assert {f["decision"] for f in doc["files"]} == {"overridden"}
    overrides = doc["approval_records"]["overrides"]
    assert {o["class"] for o in overrides} == {"source", "agent-instructions"}
    assert {(o["by"], o["reason"]) for o in overrides} == {("carol@example.com", "incident 42")}
    assert all(s["approvers"] == [] for s in doc["approvals"])
    text = w.text()
    assert "OVERRIDDEN" in text and "approved by" not in text
    sarif = w.cli(
        "check", "--repo", str(w.repo.path), "--base", "main", "--head", "work", "--format", "sarif"
    )
    run = sarif.json()["runs"][0]
    assert run["properties"]["decision"] == "overridden" and run["properties"]["overridden"]
    assert {r["ruleId"] for r in run["results"] if "overridden" in r["properties"]} == {
        "signoff/overridden"
    }
    assert all("OVERRIDDEN (not approved)" in r["message"]["text"] for r in run["results"])
    md = w.cli(
        "check",
        "--repo",
        str(w.repo.path),
        "--base",
        "main",
        "--head",
        "work",
        "--format",
        "markdown",
    )
    assert "OVERRIDDEN, not approved" in md.out


def test_agent_key_cannot_approve(world: Make) -> None:
    w = world(agent_key=True, signers_extra="")
    r = w.sign("approve", "alice", key="copilot")
    assert r.code == 0
    assert "will not count" in r.err
    code, doc = w.check()
    assert code == 1
    assert "agent identity cannot approve" in ignored_reasons(doc)


def test_agent_key_listed_as_human_still_cannot_approve(world: Make) -> None:
    w = world(agent_key=True)
    # The agent's key also appears as a human's key: it must never count.
    w.repo.checkout("main")
    signers = (w.repo.path / ".signoff/allowed_signers").read_text()
    w.repo.write(".signoff/allowed_signers", signers + f"bob@example.com {w.pubs['copilot']}\n")
    w.repo.commit("signers", author=HUMAN)
    w.repo.checkout("work")
    w.repo.git("rebase", "-q", "main")
    w.sign("approve", "bob", key="copilot")
    code, doc = w.check()
    assert code == 1
    assert "agent identity cannot approve" in ignored_reasons(doc)


def test_requester_cannot_be_the_only_approver(world: Make) -> None:
    w = world(co_author="alice@example.com")
    w.sign("approve", "alice")
    code, doc = w.check()
    assert code == 1
    assert status(doc)["requesters"] == ["alice@example.com"]
    assert "requester cannot be the only approver" in ignored_reasons(doc)
    w.sign("approve", "bob")
    code, doc = w.check()
    assert code == 0
    assert status(doc)["approvers"] == ["alice@example.com", "bob@example.com"]


def test_duplicate_approvals_by_one_person_count_once(world: Make) -> None:
    w = world()
    w.repo.write(".github/workflows/ci.yml", "on: push\njobs: {}\n")
    w.repo.commit("ci", author=COPILOT)  # ci-workflow needs 2 from maintainers
    w.sign("approve", "alice")
    w.sign("approve", "alice", key="alice2")
    w.sign("approve", "alice")
    code, doc = w.check()
    ci = status(doc, "ci-workflow")
    assert code == 1
    assert ci["needed"] == 2 and ci["have"] == 1 and ci["approvers"] == ["alice@example.com"]
    w.sign("approve", "bob")
    code, doc = w.check()
    assert code == 0
    assert status(doc, "ci-workflow")["have"] == 2


def test_forged_record_by_unknown_key(world: Make) -> None:
    w = world()
    r = w.sign("approve", "alice", key="mallory")
    assert "will not count" in r.err and "unknown signer" in r.err
    code, doc = w.check()
    assert code == 1
    assert any(x.startswith("unknown signer") for x in ignored_reasons(doc))


def test_signer_claiming_someone_else(world: Make) -> None:
    w = world()
    w.sign("approve", "alice", key="bob")  # bob's key, record claims alice
    code, doc = w.check()
    assert code == 1
    assert any("approver field does not match signer" in x for x in ignored_reasons(doc))


def test_tampered_records(world: Make) -> None:
    w = world()
    w.sign("approve", "bob")  # counts; then tamper with copies of it
    git = Git(w.repo.path)
    [good] = store.read_records(git)
    assert good.json is not None and good.sig is not None
    forged = good.json.replace(b"bob@example.com", b"dave@example.com")
    # (a) edited in place: the name no longer matches the content
    store.append(git, good.record_id, {"json": forged})
    # (b) renamed to its new id: the signature does not cover the new bytes
    store.append(git, record_id(forged), {"json": forged, "sig": good.sig})
    code, doc = w.check()
    reasons = ignored_reasons(doc)
    assert code == 1
    assert "record id does not match its content" in reasons
    assert any(x.startswith("approver field does not match signer") for x in reasons)
    listing = w.cli("approvals", "list", "--repo", str(w.repo.path), "--base", "main")
    assert listing.out.count("NOT COUNTED") == 2


def test_bad_signature_bytes(world: Make) -> None:
    w = world()
    w.sign("approve", "alice")
    git = Git(w.repo.path)
    [rec] = store.read_records(git)
    assert rec.sig is not None and rec.json is not None
    sig_b = sshsig.sign(rec.json + b" ", w.keys["alice"])  # alice's signature, other bytes
    store.append(git, rec.record_id, {"sig": sig_b})
    code, doc = w.check()
    assert code == 1
    assert any(x.startswith("bad signature") for x in ignored_reasons(doc))


def test_unsigned_and_garbage_records(world: Make) -> None:
    w = world()
    rid = store_record(w, "alice", "alice@example.com")
    git = Git(w.repo.path)
    [rec] = store.read_records(git)
    assert rec.json is not None
    ref = APPROVALS_REF
    # Rebuild the ref with the record's JSON only (no .sig), plus a garbage record.
    git.run(["update-ref", "-d", ref])
    store.append(git, rid, {"json": rec.json})
    store.append(git, "f" * 64, {"json": b"{not json", "sig": b"nope"})
    code, doc = w.check()
    reasons = ignored_reasons(doc)
    assert code == 1
    assert "unsigned record (.sig missing)" in reasons
    assert any(x.startswith("malformed record") for x in reasons)


def test_record_for_another_repository(world: Make) -> None:
    w = world()
    store_record(w, "alice", "alice@example.com", repository="1" * 40)
    code, doc = w.check()
    assert code == 1
    assert any(x.startswith("record for another repository") for x in ignored_reasons(doc))


def test_key_type_restriction(world: Make) -> None:
    w = world(policy_extra="approvals: {key_types: [ssh-ed25519]}\n")
    w.sign("approve", "dave")  # an ECDSA key
    code, doc = w.check()
    assert code == 1
    assert any("key type ecdsa-sha2-nistp256 is not allowed" in x for x in ignored_reasons(doc))
    w.sign("approve", "bob")
    assert w.check()[0] == 0


def test_non_member_and_custom_ref(world: Make) -> None:
    w = world()
    w.sign("approve", "carol")  # release-managers, not maintainers
    code, doc = w.check()
    assert code == 1
    assert "carol@example.com is not in group maintainers" in ignored_reasons(doc)
    git = Git(w.repo.path)
    git.run(["update-ref", "refs/other/approvals", APPROVALS_REF])
    git.run(["update-ref", "-d", APPROVALS_REF])
    w.sign("approve", "bob", "--approvals-ref", "refs/other/approvals")
    assert w.check()[0] == 1
    assert w.check("--approvals-ref", "refs/other/approvals")[0] == 0


def test_ssh_keygen_is_needed_to_sign_not_to_check(
    world: Make, monkeypatch: Any, tmp_path: Path
) -> None:
    """Verification is in-process (signoff.identity.sshsig); signing still runs ssh-keygen."""
    w = world()
    w.sign("approve", "alice")
    monkeypatch.setattr(sshsig, "SSH_KEYGEN", "ssh-keygen-not-installed")
    only_git = tmp_path / "only-git"
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git") or "git")
    monkeypatch.setenv("PATH", str(only_git))  # no ssh-keygen anywhere
    r = w.cli("check", "--repo", str(w.repo.path), "--base", "main", "--head", "work")
    assert r.code == 0, r.err
    assert "approved by alice@example.com" in r.out
    r = w.sign("approve", "bob")
    assert r.code == 2
    assert "ssh-keygen-not-installed not found" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_allowed_signers_ssh_keygen_rejects(world: Make) -> None:
    w = world()
    w.repo.checkout("main")
    bad = f"bob@example.com bogus-option {w.pubs['bob']}\n"
    w.repo.write(".signoff/allowed_signers", bad)
    w.repo.commit("signers", author=HUMAN)
    w.repo.checkout("work")
    w.repo.git("rebase", "-q", "main")
    w.sign("approve", "bob")
    code, doc = w.check()
    assert code == 1
    assert any(x.startswith("unknown signer") for x in ignored_reasons(doc))


def test_malformed_allowed_signers_is_a_one_line_error(world: Make) -> None:
    w = world()
    w.repo.checkout("main")
    w.repo.write(".signoff/allowed_signers", "alice@example.com ssh-ed25519 not-base64!!\n")
    w.repo.commit("signers", author=HUMAN)
    w.repo.checkout("work")
    w.repo.git("rebase", "-q", "main")
    r = w.sign("approve", "alice")
    assert r.code == 2 and "allowed_signers:1" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_cli_bad_input(world: Make, tmp_path: Path) -> None:
    w = world()
    r = w.sign("approve", "alice", "--class", "ci-workflow")
    assert r.code == 2 and "no ci-workflow file lands" in r.err
    r = w.sign("approve", "alice", "--class", "nonsense")
    assert r.code == 2
    r = w.cli(
        "approve",
        "--repo",
        str(w.repo.path),
        "--base",
        "main",
        "--head",
        "work",
        "--key",
        str(tmp_path / "missing"),
        "--principal",
        "alice@example.com",
    )
    assert r.code == 2 and "does not exist" in r.err
    r = w.cli("approve", "--repo", str(w.repo.path), "--base", "main", "--head", "work")
    assert r.code == 2 and "no principal" in r.err
    r = w.sign("approve", "alice", "--approvals-ref", "-bad")
    assert r.code == 2 and "invalid approvals ref" in r.err
