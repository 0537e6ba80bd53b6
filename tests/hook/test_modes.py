"""The hook's other modes, with real pushes over file://: the control plane's database used
directly (`--data-dir`, no HTTP) and pushes without a token as the git server's user
(`--no-token-mode remote-user`), where an agent must never pass for a person."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brokerkit import Kit, bare_from, push, start

from signoff.hook.install import install
from signoff.ledger.events import Event, EventType
from signoff.ledger.service import Ledger
from signoff.protected import APPROVALS_REF

AGENT_EMAIL = "helper-agent@bots.example"
_BRANCHES = itertools.count()


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    k = start(tmp_path_factory.mktemp("modes"))
    k.admin.ok("POST", "/v1/humans", {"id": "alice", "email": "Alice@Example.com", "name": "Alice"})
    k.admin.ok("POST", "/v1/humans", {"id": "sam", "email": "sam@example.com", "name": "Sam"})
    k.admin.ok("PATCH", "/v1/humans/sam", {"status": "suspended", "version": 1})
    # a second agent known by e-mail and login, and a "human" registered with that e-mail
    k.admin.ok("POST", "/v1/agents", {
        "id": "helper", "owner": "root@example.com", "purpose": "tests",
        "review_by": "2099-01-01", "match": {"emails": [AGENT_EMAIL], "logins": ["helper-ci"]},
    })  # fmt: skip
    k.admin.ok("POST", "/v1/humans", {"id": "mallory", "email": AGENT_EMAIL, "name": "M"})
    yield k
    k.issuer.stop()
    k.server.stop()


def _repo(kit: Kit, tmp: Path, remote: str, *, local: bool, mode: str) -> None:
    """A bare clone of widget registered under the same name, hooked in the given mode."""
    bare = bare_from(kit.work, tmp / f"{remote}.git")
    data_dir = kit.server.settings.data_dir if local else None
    install(bare, server=None if local else kit.server.url, data_dir=data_dir,
            repo_name="widget", no_token_mode=mode,
            credential=None if local else kit.hook_token)  # fmt: skip
    kit.work.git("remote", "add", remote, f"file://{bare}")


@pytest.fixture(scope="module")
def remotes(kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> Kit:
    tmp = tmp_path_factory.mktemp("remotes")
    _repo(kit, tmp, "local", local=True, mode="remote-user")  # database, no HTTP
    _repo(kit, tmp, "people", local=False, mode="remote-user")  # control plane over HTTP
    return kit


@pytest.fixture
def branch(remotes: Kit) -> Iterator[str]:
    """The work repo on a fresh branch from the base commit, with one new commit in src/."""
    kit = remotes
    name = f"agent/modes-{next(_BRANCHES)}"
    kit.work.git("checkout", "-q", "-B", name, kit.base)
    kit.work.write("src/new.py", f"# {name}\n")
    kit.work.commit("new")
    yield name
    kit.work.git("checkout", "-q", "main")


def _out(proc: Any) -> str:
    return str(proc.stderr) + str(proc.stdout)


def refused(proc: Any, *needles: str) -> None:
    assert proc.returncode != 0, _out(proc)
    assert "signoff: refused" in _out(proc), _out(proc)
    for n in needles:
        assert n in _out(proc), _out(proc)


def _events(kit: Kit, type_: EventType, limit: int = 5) -> list[Event]:
    ledger: Ledger = kit.server.ctx.recorder.ledger
    return ledger.recent(limit, type_)


# -- local database (--data-dir) --------------------------------------------------------------


def test_local_mode_script_names_the_data_dir_and_no_server(remotes: Kit) -> None:
    url = remotes.work.git("remote", "get-url", "local").removeprefix("file://")
    script = (Path(url) / "hooks" / "pre-receive").read_text()
    assert "-m signoff.hook pre-receive" in script
    assert f"--data-dir {remotes.server.settings.data_dir}" in script
    assert "--server" not in script
    assert not (Path(url) / "signoff-hook.token").exists()  # no HTTP credential needed


def test_local_mode_accepts_a_valid_token_and_records_witnessed_commits(
    remotes: Kit, branch: str
) -> None:
    kit = remotes
    tok = kit.token(kit.task()["id"])
    sha = kit.work.head()
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok, remote="local")
    assert proc.returncode == 0, _out(proc)
    assert "1 commit(s) witnessed" in _out(proc)
    # written to the control plane's database and ledger by the hook process itself
    got = kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [sha]})
    assert [w["commit"] for w in got] == [sha]
    (ev,) = [e for e in _events(kit, EventType.PUSH_WITNESSED) if e.subjects.get("commit") == sha]
    assert ev.actor == "signoff:hook"
    assert ev.subjects["agent"] == "bot"
    ledger = kit.server.ctx.recorder.ledger
    assert ledger.verify().ok


def test_local_mode_refuses_invalid_and_revoked_tokens(remotes: Kit, branch: str) -> None:
    kit = remotes
    refspec = f"{branch}:refs/heads/{branch}"
    refused(push(kit.work, refspec, token="not.a.token", remote="local"), "task token")
    tok = kit.token(kit.task()["id"])
    kit.admin.ok("POST", "/v1/tokens/revoke", {"token": tok, "reason": "leaked"})
    refused(push(kit.work, refspec, token=tok, remote="local"), "revoked")
    sha = kit.work.head()
    assert kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [sha]}) == []
    last = _events(kit, EventType.PUSH_REFUSED, 1)[0]
    assert last.actor == "signoff:hook"
    assert "revoked" in " ".join(last.payload["reasons"])


def test_local_mode_still_checks_scope(remotes: Kit, branch: str) -> None:
    kit = remotes
    tok = kit.token(kit.task()["id"])
    refused(push(kit.work, f"{branch}:refs/heads/main", token=tok, remote="local"), "protected")


# -- no token: the git server's user (--no-token-mode remote-user) ---------------------------


@pytest.mark.parametrize("remote", ["people", "local"])
@pytest.mark.parametrize("user", ["alice", "alice@example.com"])
def test_known_human_without_token_is_accepted_and_recorded(
    remotes: Kit, branch: str, remote: str, user: str
) -> None:
    kit = remotes
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", remote=remote, env={"REMOTE_USER": user})
    assert proc.returncode == 0, _out(proc)
    assert f"accepted as the git server user {user!r}" in _out(proc)
    ev = _events(kit, EventType.PUSH_WITNESSED, 1)[0]
    assert ev.subjects == {"repo": "widget", "human": "alice"}  # a person, no task, no agent
    assert (ev.payload["mode"], ev.payload["pusher"], ev.payload["commits"]) == (
        "remote-user", user, 1)  # fmt: skip
    # the commits are not witnessed agent work
    sha = kit.work.head()
    assert kit.admin.ok("GET", "/v1/witnessed", params={"repo": "widget", "commit": [sha]}) == []


@pytest.mark.parametrize("remote", ["people", "local"])
def test_no_remote_user_is_refused(remotes: Kit, branch: str, remote: str) -> None:
    proc = push(remotes.work, f"{branch}:refs/heads/{branch}", remote=remote)
    refused(proc, "no task token", "REMOTE_USER")
    proc = push(remotes.work, f"{branch}:refs/heads/{branch}", remote=remote,
                env={"REMOTE_USER": "  "})  # fmt: skip
    refused(proc, "no task token")


@pytest.mark.parametrize("remote", ["people", "local"])
@pytest.mark.parametrize(
    ("user", "why"),
    [
        ("bot", "is agent bot"),  # the agent's id
        ("helper", "is agent helper"),
        (AGENT_EMAIL.upper(), "is agent helper"),  # its e-mail, any case
        ("helper-ci", "is agent helper"),  # its login
        ("mallory", "is agent helper"),  # a "human" whose e-mail is an agent's
        ("nobody", "not a registered human"),
        ("sam", "is suspended"),
    ],
)
def test_an_agent_cannot_pass_for_a_person_by_omitting_its_token(
    remotes: Kit, branch: str, remote: str, user: str, why: str
) -> None:
    kit = remotes
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", remote=remote, env={"REMOTE_USER": user})
    refused(proc, "no task token", why)
    last = _events(kit, EventType.PUSH_REFUSED, 1)[0]
    assert last.payload["pusher"] == user and why in last.payload["reasons"][0]


def test_remote_user_mode_fails_closed_when_the_control_plane_is_down(
    remotes: Kit, branch: str, tmp_path: Path
) -> None:
    from serverkit import free_port

    kit = remotes
    bare = bare_from(kit.work, tmp_path / "down.git")
    install(bare, server=f"http://127.0.0.1:{free_port()}", data_dir=None, repo_name="widget",
            no_token_mode="remote-user", credential=kit.hook_token)  # fmt: skip
    kit.work.git("remote", "add", "down", f"file://{bare}")
    try:
        proc = push(kit.work, f"{branch}:refs/heads/{branch}-down", remote="down",
                    env={"REMOTE_USER": "alice"})  # fmt: skip
    finally:
        kit.work.git("remote", "remove", "down")
    refused(proc, "unreachable")


def test_a_token_push_in_remote_user_mode_is_still_checked(remotes: Kit, branch: str) -> None:
    """REMOTE_USER does not widen a token push: scope applies, the agent is recorded."""
    kit = remotes
    tok = kit.token(kit.task()["id"])
    refspec = f"{branch}:refs/heads/main"
    refused(push(kit.work, refspec, token=tok, remote="people", env={"REMOTE_USER": "alice"}),
            "protected")  # fmt: skip
    proc = push(kit.work, f"{branch}:refs/heads/{branch}", token=tok, remote="people",
                env={"REMOTE_USER": "alice"})  # fmt: skip
    assert proc.returncode == 0, _out(proc)
    ev = _events(kit, EventType.PUSH_WITNESSED, 1)[0]
    assert ev.subjects["agent"] == "bot" and "human" not in ev.subjects


@pytest.mark.parametrize("remote", ["people", "local"])
def test_a_person_may_add_approval_records_but_never_take_one_away(
    remotes: Kit, remote: str
) -> None:
    """A veto deleted is a veto lifted: the records ref only ever moves forward, keeping every
    record byte for byte, and the refusals are recorded."""
    from signoff.approvals import store
    from signoff.gitio.runner import Git

    kit = remotes
    work = kit.work
    ref = f"refs/signoff/approvals-{remote}"  # this test's own local copy of the ref
    target = f"{ref}:{APPROVALS_REF}"
    alice = {"REMOTE_USER": "alice"}
    git = Git(work.path)
    store.append(git, f"veto-{remote}", {"json": b'{"veto": 1}', "sig": b"sig"}, ref)
    proc = push(work, target, remote=remote, env=alice)
    assert proc.returncode == 0, _out(proc)
    first = work.git("rev-parse", ref).strip()
    store.append(git, f"approve-{remote}", {"json": b'{"approve": 1}', "sig": b"sig"}, ref)
    proc = push(work, target, remote=remote, env=alice)  # an append: fine
    assert proc.returncode == 0, _out(proc)

    # a new commit on top whose tree leaves the veto out
    tree = work.git("ls-tree", ref).splitlines()
    kept = "\n".join(line for line in tree if f"veto-{remote}" not in line) + "\n"
    new_tree = work.git("mktree", input=kept.encode()).strip()
    dropped = work.git("commit-tree", new_tree, "-p", ref, "-m", "tidy").strip()
    work.git("update-ref", ref, dropped)
    refused(push(work, target, remote=remote, env=alice),
            "would remove or change approval records", f"veto-{remote}.json")  # fmt: skip
    last = _events(kit, EventType.PUSH_REFUSED, 1)[0]
    assert last.payload["pusher"] == "alice" and "veto" in last.payload["reasons"][0]

    work.git("update-ref", ref, first)  # rewound to before the append
    refused(push(work, target, remote=remote, env=alice, force=True), "not a fast-forward")
    refused(push(work, f":{APPROVALS_REF}", remote=remote, env=alice), "never deleted")
