"""Shared fixtures: real git repositories in temp dirs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fuzzing import register
from gitrepo import Repo, make_repo
from netguard import guard_sockets

# Tests must not read the developer's git configuration.
os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
# Tests must not reach the network: only loopback and local sockets connect.
guard_sockets()
# Hypothesis: the fast profile, or the long one `make fuzz` asks for (tests/support/fuzzing.py).
register()


@pytest.fixture
def new_repo(tmp_path: Path) -> Callable[[str], Repo]:
    def make(name: str = "repo") -> Repo:
        return make_repo(tmp_path / name)

    return make


@pytest.fixture
def repo(new_repo: Callable[[str], Repo]) -> Repo:
    return new_repo("repo")
