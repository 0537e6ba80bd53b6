"""A live control plane on loopback, a repository with an agent change, and a seeded team.

`team` is the data set most tests start from: repository `demo` registered; humans alice and
bob (maintainers), carol (release manager, break-glass), dave (agent operator); a token per
role; agents `copilot` (active) and `old-bot` (expired). The change on `work` is Copilot's and
touches a lockfile, a workflow and source."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gitrepo import Repo, make_repo
from pg import fresh_database
from serverkit import ThreadServer, close_clients, make_settings
from serverteam import Team, World, build_world, seed_team


@pytest.fixture
def world(repo: Repo, tmp_path: Path) -> World:
    return build_world(repo, tmp_path)


StartServer = Callable[..., ThreadServer]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    started: list[ThreadServer] = []

    def start(database_url: str | None = None, name: str = "srv", **kw: object) -> ThreadServer:
        s = ThreadServer(make_settings(tmp_path / name, database_url, **kw))
        started.append(s)
        return s

    yield start
    close_clients()
    for s in started:
        s.stop()


@pytest.fixture
def live(start_server: StartServer) -> ThreadServer:
    return start_server()


@pytest.fixture
def team(live: ThreadServer, world: World) -> Team:
    return seed_team(live, world)


@pytest.fixture(scope="module")
def shared_team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """One team for a module's tests that must not write anything (refusals)."""
    root = tmp_path_factory.mktemp("shared")
    world = build_world(make_repo(root / "repo"), root)
    server = ThreadServer(make_settings(root / "srv"))
    yield seed_team(server, world)
    close_clients()
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_team(request: pytest.FixtureRequest, world: World, tmp_path: Path) -> Iterator[Team]:
    """`team` on the embedded database and on PostgreSQL (a fresh database each)."""
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(fresh_database("signoff_srv"))
        server = ThreadServer(make_settings(tmp_path / "srv-any", url))
        try:
            yield seed_team(server, world)
        finally:
            close_clients()
            server.stop()
