"""Run the signoff CLI as it runs when installed without the `server` extra.

`python -m noserver ARGS...` (with tests/support on PYTHONPATH) blocks every module that only the
`server` extra brings: the distributions `pyproject.toml` lists under it, and everything they
require, less what the base install requires too. The lists are read from the installed
packages' metadata, so a new dependency is classified the day it is added.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import tomllib
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _closure(reqs: Iterable[Requirement]) -> set[str]:
    """Canonical names of the installed distributions `reqs` pull in (markers evaluated)."""
    found: dict[str, set[str]] = {}  # distribution -> the extras of it already followed
    todo = [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name == "signoff":
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not installed here: nothing of it can be imported anyway
        extras = set(req.extras)
        done = found.get(name)
        if done is not None and extras <= done:
            continue
        found[name] = (done or set()) | extras
        for line in dist.requires or ():
            sub = Requirement(line)
            envs = [{"extra": e} for e in {"", *extras}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                todo.append(sub)
    return set(found)


def _top_level(dists: set[str]) -> set[str]:
    by_module = metadata.packages_distributions()
    return {
        module
        for module, owners in by_module.items()
        if {canonicalize_name(o) for o in owners} & dists
    }


def server_only_modules() -> set[str]:
    """Top-level modules that only the `server` extra installs."""
    project = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]
    base = _closure(Requirement(r) for r in project["dependencies"])
    server = _closure(Requirement(r) for r in project["optional-dependencies"]["server"])
    return _top_level(server - base) - _top_level(base)


class Blocked(importlib.abc.MetaPathFinder):
    """Answers "no such module" for the blocked names, as Python does for what is not installed."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def main() -> None:
    """Block, then run the CLI; $NOSERVER_BLOCK (comma-separated) saves reading the metadata."""
    names = os.environ.get("NOSERVER_BLOCK")
    blocked = Blocked(set(names.split(",")) if names else server_only_modules())
    sys.meta_path.insert(0, blocked)
    for name in list(sys.modules):  # nothing imported so far may slip through
        if name.partition(".")[0] in blocked.names:
            del sys.modules[name]
    from signoff.cli.main import run

    sys.argv = ["signoff", *sys.argv[1:]]
    run()


if __name__ == "__main__":
    main()
