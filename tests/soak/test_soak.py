"""The soak and fault test (bench/soak.py), short: about 40 s of load on two replicas and one
PostgreSQL of the test's own while the database crashes, a replica is killed, the database's
disk fills (as root: a tmpfs) and connections drop. The same code path as the full run.

It needs PostgreSQL's programs (initdb, pg_ctl) to start a cluster it may crash: a restart of
the shared test server would break every other test. Like the other PostgreSQL tests it runs
when `SIGNOFF_TEST_PG_URL` is set and fails instead of skipping under `SIGNOFF_REQUIRE_PG=1`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pg import admin_url

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from soak import Soak  # noqa: E402
from soak_pg import pg_bin  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_two_replicas_hold_under_faults_and_lose_no_acknowledged_write(tmp_path: Path) -> None:
    admin_url()  # skips without PostgreSQL (fails under SIGNOFF_REQUIRE_PG=1)
    if pg_bin() is None:
        pytest.fail("PostgreSQL's initdb and pg_ctl are not installed")
    lines: list[str] = []
    soak = Soak(duration=40, clients=6, say=lines.append)
    ok = soak.run(tmp_path)
    out = "\n".join(lines)
    assert soak.result is not None, out
    got = soak.result
    assert got.lost == 0, out
    assert got.unlogged == 0, out  # no write without its event
    assert got.verified, out
    assert got.unexpected == 0, out
    assert got.recovered, out
    assert got.injected >= 3, out  # 4 as root (the disk fault needs a tmpfs)
    assert got.acked > 50 and got.requests > 200, out  # the load really ran through it
    assert ok, out
