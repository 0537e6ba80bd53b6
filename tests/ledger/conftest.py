"""Fixtures for the ledger tests: real SQLite files, real PostgreSQL databases, the real CLI.

Helpers are fixtures, not importable modules, because tests run with --import-mode=importlib."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pg import fresh_database

from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger

LedgerFactory = Callable[..., Ledger]


@pytest.fixture
def make_ledger(tmp_path: Path) -> Iterator[LedgerFactory]:
    """Open ledgers on SQLite files in tmp_path (or a given URL); all closed at teardown."""
    opened: list[Ledger] = []

    def factory(url: str | None = None, **kwargs: object) -> Ledger:
        kwargs.setdefault("key_path", tmp_path / "ledger.key")
        lg = Ledger(url or f"sqlite:///{tmp_path / 'ledger.db'}", **kwargs)  # type: ignore[arg-type]
        opened.append(lg)
        return lg

    yield factory
    for lg in opened:
        lg.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database per test, dropped afterwards."""
    with fresh_database("signoff_ledger") as url:
        yield url


def make_draft(i: int = 0, **payload: object) -> EventDraft:
    """A typical decision event; ``i`` makes each one distinct."""
    return EventDraft(
        EventType.DECISION_MADE,
        "agent:release-bot",
        {"commit": f"{i:040x}", "task": f"T-{i}"},
        {"decision": "allow", "i": i, **payload},
        ("actor", "subjects.commit"),
    )


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `signoff` in-process; return (exit code, stdout, stderr)."""
    from signoff.cli.main import main

    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


APPENDER = r"""
import sys
from signoff.ledger.events import EventDraft, EventType
from signoff.ledger.service import Ledger

url, key, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with Ledger(url, key_path=key, checkpoint_every=25, checkpoint_seconds=0) as lg:
    i = 0
    while count < 0 or i < count:
        if i % 7 == 3:
            batch = [EventDraft(EventType.PUSH_WITNESSED, "agent:" + tag, {}, {"i": i, "j": j})
                     for j in range(3)]
            done = lg.append_many(batch)
        else:
            done = [lg.append(EventDraft(EventType.PUSH_WITNESSED, "agent:" + tag, {}, {"i": i}))]
        for d in done:
            print(d.seq, flush=True)
        i += 1
"""


def spawn_appender(url: str, key: Path, count: int, tag: str) -> subprocess.Popen[str]:
    """A child process appending ``count`` events (forever if negative), printing each ack."""
    return subprocess.Popen(
        [sys.executable, "-c", APPENDER, url, str(key), str(count), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def draft() -> Callable[..., EventDraft]:
    return make_draft


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[[list[str]], tuple[int, str, str]]:
    return lambda argv: run_cli(argv, capsys)


@pytest.fixture
def appender() -> Callable[[str, Path, int, str], subprocess.Popen[str]]:
    return spawn_appender
