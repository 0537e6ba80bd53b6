"""Tags and bad input: a clear message, never a pass."""

from __future__ import annotations

from collections.abc import Callable

from gitrepo import COPILOT

from .conftest import World, failing
from .test_release_e2e import agent_lockfile_release

Make = Callable[..., World]


def test_tag_by_a_human_on_the_protected_branch_passes(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    w.tag("v1.4.0")
    code, doc = w.verify("--tag", "v1.4.0")
    assert code == 0, failing(doc)
    assert doc["tag"]["evidence"] == "asserted" and doc["tag"]["branches"] == ["refs/heads/main"]
    [tag] = [c for c in doc["checks"] if c["name"] == "tag"]
    assert any("asserted, not proven" in n for n in tag["notes"])


def test_bad_tags_fail(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    w.tag("v1.4.0-agent", who=COPILOT)
    code, doc = w.verify("--tag", "v1.4.0-agent")
    assert code == 1 and "created by an agent identity" in failing(doc)["tag"][0]
    w.tag("v1.4.0-light", annotated=False)
    code, doc = w.verify("--tag", "v1.4.0-light")
    assert code == 1 and "lightweight" in failing(doc)["tag"][0]
    code, doc = w.verify("--tag", "v1.3.0")
    assert code == 1 and "not the release commit" in failing(doc)["tag"][0]
    w.repo.branch("topic")
    w.repo.write("src/app.py", "print('topic')\n")
    w.repo.commit("off the main line", author=COPILOT)
    w.tag("v1.4.0-topic")
    r = w.cli(
        "release",
        "verify",
        "--repo",
        str(w.repo.path),
        "--from",
        "v1.3.0",
        "--to",
        "topic",
        "--tag",
        "v1.4.0-topic",
        "--format",
        "json",
    )
    assert r.code == 1 and "on no protected branch" in str(failing(r.json())["tag"])


def test_unknown_refs_and_tags_are_input_errors(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    r = w.cli("release", "verify", "--repo", str(w.repo.path), "--from", "v9.9.9")
    assert r.code == 2 and "unknown --from ref 'v9.9.9'" in r.err and r.out == ""
    r = w.cli("release", "verify", "--repo", str(w.repo.path), "--from", "v1.3.0", "--tag", "v9")
    assert r.code == 2 and "unknown tag 'v9'" in r.err


def test_no_common_history_is_an_input_error(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    w.repo.git("checkout", "-q", "--orphan", "stranger")
    w.repo.write("other.txt", "x\n")
    w.repo.commit("unrelated root")
    r = w.cli("release", "verify", "--repo", str(w.repo.path), "--from", "stranger", "--to", "main")
    assert r.code == 2 and "no common history" in r.err


def test_artifact_not_in_the_ledger_fails(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    art = w.artifact("mystery.tgz", b"never built here")
    code, doc = w.verify("--artifact", str(art))
    assert code == 1 and "is not in the ledger" in failing(doc)["artifacts"][0]
    r = w.cli(
        "release", "verify", "--repo", str(w.repo.path), "--from", "v1.3.0", "--artifact", str(art)
    )
    assert r.code == 2 and "needs a ledger" in r.err
    r = w.cli("release", "verify", "--repo", str(w.repo.path), "--digest", "md5:abc")
    assert r.code == 2 and "bad artifact digest" in r.err


def test_first_release_from_the_root(world: Make) -> None:
    w = world()
    agent_lockfile_release(w)
    r = w.cli("release", "verify", "--repo", str(w.repo.path), "--format", "json")
    assert r.code == 0  # the root is v1.3.0 here, so the approved digests match
    assert any("first release" in x for x in r.json()["warnings"])
