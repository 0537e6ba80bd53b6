"""Fixtures for analyzer tests: run `analyze_file` and record every fact kind it emits.

At the end of the session every recorded kind must be in KNOWN_FACTS (the policy vocabulary);
`Analyzer.fact` already refuses uncatalogued kinds when a fact is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from signoff.analysis import KNOWN_FACTS, analyze_file
from signoff.facts import Fact

DATA = Path(__file__).parent / "data"
EMITTED: set[str] = set()

Analyze = Callable[..., list[Fact]]


def _bytes(value: str | bytes | None) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


@pytest.fixture
def analyze() -> Analyze:
    def run(
        path: str,
        old: str | bytes | None,
        new: str | bytes | None,
        *,
        old_path: str | None = None,
    ) -> list[Fact]:
        facts = analyze_file(path, _bytes(old), _bytes(new), old_path=old_path)
        EMITTED.update(f.kind for f in facts)
        for fact in facts:
            assert fact.message.startswith(path) or fact.message.startswith(old_path or path)
        return facts

    return run


@pytest.fixture
def data() -> Callable[[str], bytes]:
    def read(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return read


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    unknown = EMITTED - KNOWN_FACTS.keys()
    if unknown:
        print(f"\nfact kinds emitted in tests but missing from KNOWN_FACTS: {sorted(unknown)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
