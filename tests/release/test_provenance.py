"""A plain ledger file trusts whoever writes it (issue item 8): who verified each builder and
signer, and `release.require_verified_builders`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitrepo import keygen

from signoff.ledger.events import EventDraft, EventType
from signoff.release.events import LedgerLog

from .conftest import RELEASE, World, failing
from .test_release_e2e import agent_lockfile_release

Make = Callable[..., World]
STRICT = RELEASE + "  require_verified_builders: true\n"


def with_ci_keys(w: World, tmp: Path) -> dict[str, Path]:
    """ci@ and signer@ get SSH keys listed in the protected allowed signers (at v1.3.0)."""
    keys = {n: keygen(tmp, n)[0] for n in ("ci", "signer", "intruder")}
    signers = (w.repo.path / ".signoff/allowed_signers").read_text()
    for n in ("ci", "signer"):
        signers += f"{n}@example.com {Path(f'{keys[n]}.pub').read_text().strip()}\n"
    w.repo.write(".signoff/allowed_signers", signers)
    w.repo.commit("builders' keys")  # still the last release: v1.3.0 moves onto it
    w.repo.git("tag", "-f", "-a", "-m", "v1.3.0", "v1.3.0")
    return keys


def built_and_signed(w: World, head: str, *key_args: str) -> Path:
    art = w.artifact("app.tgz", b"bytes")
    ci_key, signer_key = key_args or ("", "")
    extra_b = ("--key", ci_key) if ci_key else ()
    extra_s = ("--key", signer_key) if signer_key else ()
    r = w.record("artifact built", art, "--identity", "ci@example.com", "--commit", head, *extra_b)
    assert r.code == 0, r.err
    r = w.record("artifact signed", art, "--identity", "signer@example.com", *extra_s)
    assert r.code == 0, r.err
    return art


def provenance(doc: dict[str, Any]) -> list[tuple[str, str]]:
    [a] = doc["artifacts"]
    return [(p["role"], p["verified_by"]) for p in a["provenance"]]


def test_asserted_records_are_reported_and_refused_when_the_policy_asks(
    world: Make, tmp_path: Path
) -> None:
    w = world(policy_extra=STRICT)
    agent_lockfile_release(w)
    art = built_and_signed(w, w.repo.head())
    code, doc = w.verify("--artifact", str(art))
    assert code == 1
    assert provenance(doc) == [("builder", "asserted"), ("signer", "asserted")]
    problems = failing(doc)["artifacts"]
    assert any("by a verified trusted builder" in p and "asserted" in p for p in problems)


def test_without_the_policy_asserted_records_count_and_say_so(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    art = built_and_signed(w, w.repo.head())
    code, doc = w.verify("--artifact", str(art))
    assert code == 0, failing(doc)
    assert provenance(doc) == [("builder", "asserted"), ("signer", "asserted")]
    code, text = w.verify("--artifact", str(art), fmt="text")
    assert "builder ci@example.com (seq" in text and "): asserted" in text


def test_records_signed_by_the_builders_own_keys_are_verified(world: Make, tmp_path: Path) -> None:
    w = world(policy_extra=STRICT)
    keys = with_ci_keys(w, tmp_path)
    agent_lockfile_release(w)
    art = built_and_signed(w, w.repo.head(), str(keys["ci"]), str(keys["signer"]))
    code, doc = w.verify("--artifact", str(art))
    assert code == 0, failing(doc)
    assert provenance(doc) == [("builder", "ssh-signature"), ("signer", "ssh-signature")]


def test_a_key_that_is_not_the_builders_is_still_asserted(world: Make, tmp_path: Path) -> None:
    w = world(policy_extra=STRICT)
    keys = with_ci_keys(w, tmp_path)
    agent_lockfile_release(w)
    art = built_and_signed(w, w.repo.head(), str(keys["intruder"]), str(keys["signer"]))
    code, doc = w.verify("--artifact", str(art))
    assert code == 1
    assert provenance(doc) == [("builder", "asserted"), ("signer", "ssh-signature")]
    [a] = doc["artifacts"]
    assert "is not allowed to sign as ci@example.com" in a["provenance"][0]["how"]


def test_a_signed_statement_copied_onto_another_artifact_does_not_verify(
    world: Make, tmp_path: Path
) -> None:
    w = world(policy_extra=STRICT)
    keys = with_ci_keys(w, tmp_path)
    agent_lockfile_release(w)
    head = w.repo.head()
    built_and_signed(w, head, str(keys["ci"]), str(keys["signer"]))
    other = w.artifact("other.tgz", b"other bytes")
    from signoff.release.artifacts import file_digest

    with LedgerLog(w.ledger) as log:
        events = log.all()
        [b] = [e for e in events if e.type is EventType.ARTIFACT_BUILT]
        [s] = [e for e in events if e.type is EventType.ARTIFACT_SIGNED]
        digest = file_digest(other)
        for e in (b, s):  # an attacker who can write the file replays the signed payloads
            subjects = {**e.subjects, "artifact": digest}
            log.append(EventDraft(e.type, e.actor, subjects, dict(e.payload), ()))
    code, doc = w.verify("--artifact", str(other))
    assert code == 1
    assert provenance(doc) == [("builder", "asserted"), ("signer", "asserted")]
