"""constraints.txt pins the whole dependency set `make test` installs, and it is what is installed.

The closure of signoff[server,github,dev] is walked from the installed distributions' own
metadata (their Requires-Dist, markers evaluated for this interpreter), so a dependency added to
pyproject.toml without refreshing constraints.txt (tools/lock_constraints.py) fails here, and so
does an environment that was not installed with `-c constraints.txt`.
"""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = ("server", "github", "dev")
RESOLVED = re.compile(r"for Python (\d+\.\d+)\.\S+ on (\S+) (\S+)\.")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)$")


def _pins() -> tuple[dict[NormalizedName, str], str]:
    pins: dict[NormalizedName, str] = {}
    header = ""
    for number, line in enumerate((ROOT / "constraints.txt").read_text("utf-8").splitlines(), 1):
        if line.startswith("#"):
            header += line + "\n"
            continue
        match = PIN.match(line)
        assert match, f"constraints.txt:{number}: not name==version: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"constraints.txt:{number}: {name} pinned twice"
        assert name == match.group(1), f"constraints.txt:{number}: write {name}, normalised"
        pins[name] = match.group(2)
    return pins, header


def _closure() -> set[NormalizedName]:
    """Every distribution signoff[EXTRAS] needs here, from installed metadata."""
    seen: set[tuple[NormalizedName, frozenset[str]]] = set()
    names: set[NormalizedName] = set()
    todo = [(canonicalize_name("signoff"), frozenset(EXTRAS))]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for text in metadata.requires(name) or []:
            req = Requirement(text)
            if req.marker and not any(
                req.marker.evaluate({"extra": extra}) for extra in (*extras, "")
            ):
                continue
            dep = canonicalize_name(req.name)
            names.add(dep)
            todo.append((dep, frozenset(req.extras)))
    return names


def test_every_line_is_one_exact_pin_in_order() -> None:
    pins, header = _pins()
    assert list(pins) == sorted(pins)
    assert "tools/lock_constraints.py" in header
    assert "signoff" not in pins  # the project itself is never pinned


def test_the_installed_closure_is_pinned_and_installed_at_the_pins() -> None:
    pins, _ = _pins()
    closure = _closure()
    assert {"fastapi", "githubkit", "pytest", "sqlalchemy"} <= closure  # the walk reached all
    unpinned = sorted(closure - pins.keys())
    assert not unpinned, (
        f"not in constraints.txt: {unpinned}; run .venv/bin/python tools/lock_constraints.py"
    )
    off = {n: (metadata.version(n), pins[n]) for n in closure if metadata.version(n) != pins[n]}
    assert not off, f"installed (left) differs from constraints.txt (right): {off}; run make test"


def test_no_stale_pins_for_the_platform_it_was_resolved_on() -> None:
    pins, header = _pins()
    where = RESOLVED.search(header)
    assert where, "constraints.txt: the header names no interpreter and platform"
    here = (".".join(platform.python_version_tuple()[:2]), sys.platform, platform.machine())
    if where.groups() != here:
        pytest.skip(f"resolved for {where.groups()}, this is {here}: another set applies here")
    stale = sorted(pins.keys() - _closure())
    assert not stale, f"pinned but no longer needed: {stale}; run tools/lock_constraints.py"
