"""What the soak test checks and prints afterwards (bench/soak.py).

- Every write the server acknowledged (201 decision, 201 approval, 200 task token) is in the
  server's tables and has its event in the ledger.
- `signoff ledger verify` passes and the log is one sequence with no gap.
- No request got a 5xx other than a declared 503 (`unavailable` / `not_ready`), and no 503 or
  dropped connection came outside a fault's window (plus a short grace to reconnect).
- Throughput and p50/p99 latency before, during and after each fault.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from signoff.ledger.service import Ledger
from signoff.server.db import engine_url
from soak_load import Sample

#: after a fault ends, how long a replica may still answer 503 or drop a request
GRACE = 5.0
DECLARED = {"unavailable", "not_ready"}
#: a refused or timed-out request; only expected while a replica or its database is down
TRANSPORT = 0


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    slot: float  # when its slot began (monotonic)
    start: float  # when it was injected
    end: float  # when it was lifted (the database or replica is back)
    slot_end: float
    note: str


def in_outage(s: Sample, faults: Sequence[Fault]) -> bool:
    """Whether the request was under way at any time during a fault (or its grace)."""
    return any(
        s.start <= f.end + GRACE and s.start + s.seconds >= f.start
        for f in faults
        if f.note != "skipped"
    )


def violations(samples: Sequence[Sample], faults: Sequence[Fault]) -> Counter[str]:
    """Every outcome that is neither a success nor a declared, in-window failure."""
    bad: Counter[str] = Counter()
    for s in samples:
        if s.status in (200, 201):
            continue
        outage = in_outage(s, faults)
        if s.status == 503 and s.code in DECLARED and outage:
            continue
        if s.status == TRANSPORT and outage:
            continue
        where = "" if outage else f" (outside any fault, {_since(s, faults)})"
        bad[f"{s.op} {s.status} {s.code}{where}"] += 1
    return bad


def _since(s: Sample, faults: Sequence[Fault]) -> str:
    ended = [f for f in faults if f.end + GRACE < s.start]
    if not ended:
        return "before the first fault"
    return f"{s.start - ended[-1].end:.0f} s after {ended[-1].name}"


@dataclass(frozen=True, slots=True)
class Writes:
    acked: int  # writes the server acknowledged
    lost: list[str]  # acknowledged, but the row or the event is missing
    unlogged: int  # rows with no event: "no write without its event" broken (must be 0)
    over_reported: int  # events whose write never took effect (the documented window)


def check_writes(samples: Sequence[Sample], url: str, key: Path) -> Writes:
    """Every acknowledged write has its row and its ledger event; every row has its event."""
    acked = {op: {s.ack for s in samples if s.ack and s.op == op} for op in _OPS}
    with Ledger(url, key_path=key, create=False) as lg:
        events = lg.events(range(lg.size()))
    logged: dict[str, set[object]] = {op: set() for op in _OPS}
    for e in events:
        if e.type.value == "decision.made":
            logged["decision"].add(e.subjects.get("decision"))
        elif e.type.value == "approval.given":
            logged["approval"].add(e.subjects.get("approval"))
        elif e.type.value == "token.issued":
            logged["exchange"].add(e.payload.get("jti"))
    engine = sa.create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            stored = {op: {r[0] for r in conn.execute(sa.text(sql))} for op, sql in _OPS.items()}
    finally:
        engine.dispose()
    lost = [
        f"{op} {ack}"
        for op, ids in acked.items()
        for ack in sorted(ids)
        if ack not in logged[op] or ack not in stored[op]
    ]
    return Writes(
        sum(len(v) for v in acked.values()),
        lost,
        sum(len(stored[op] - logged[op]) for op in _OPS),
        sum(len(logged[op] - stored[op]) for op in _OPS),
    )


_OPS = {
    "decision": "SELECT id FROM server_decisions",
    "approval": "SELECT id FROM server_approvals",
    "exchange": "SELECT jti FROM broker_tokens",
}


def verify(url: str, key: Path) -> tuple[bool, str]:
    """`signoff ledger verify`, as an operator runs it: the whole tree recomputed from every
    leaf, seq 0 to size - 1 (a gap fails it), and every checkpoint's signature checked."""
    cli = [sys.executable, "-m", "signoff.cli.main", "ledger", "verify"]
    done = subprocess.run(
        [*cli, "--ledger", url, "--key", str(key)],
        capture_output=True,
        text=True,
        check=False,
    )
    line = (done.stdout or done.stderr).strip().splitlines()
    return done.returncode == 0, line[-1] if line else f"exit {done.returncode}"


def window_rows(samples: Sequence[Sample], faults: Sequence[Fault]) -> list[str]:
    """One line per fault and window: requests, successes per second, latency, failures."""
    rows = [
        f"{'fault':<18} {'window':<7} {'secs':>5} {'reqs':>6} {'ok/s':>7} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'503':>5} {'conn':>5} {'other':>5}"
    ]
    for f in faults:
        for name, lo, hi in (
            ("before", f.slot, f.start),
            ("during", f.start, f.end),
            ("after", f.end, f.slot_end),
        ):
            got = [s for s in samples if lo <= s.start < hi]
            rows.append(f"{f.name:<18} {name:<7} {_line(got, hi - lo)}")
    return rows


def _line(got: Sequence[Sample], secs: float) -> str:
    ok = sum(1 for s in got if s.status in (200, 201))
    lat = sorted(s.seconds for s in got)
    p50 = statistics.median(lat) * 1000 if lat else 0.0
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0
    n503 = sum(1 for s in got if s.status == 503)
    conn = sum(1 for s in got if s.status == TRANSPORT)
    other = len(got) - ok - n503 - conn
    rate = ok / secs if secs > 0 else 0.0
    return (
        f"{secs:>5.1f} {len(got):>6} {rate:>7.1f} {p50:>8.1f} {p99:>8.1f} {n503:>5} "
        f"{conn:>5} {other:>5}"
    )


def per_op(samples: Sequence[Sample]) -> list[str]:
    """Per operation: outcomes, and the median latency of successes in the first and the last
    quarter of the run (a server that slows as its data grows shows here)."""
    out = []
    first = min((s.start for s in samples), default=0.0)
    last = max((s.start for s in samples), default=0.0)
    quarter = (last - first) / 4
    for op in sorted({s.op for s in samples}):
        mine = [s for s in samples if s.op == op]
        codes = Counter(s.status for s in mine)
        shown = ", ".join(f"{c or 'conn'}: {n}" for c, n in sorted(codes.items()))
        ok = [s for s in mine if s.status in (200, 201)]
        early = [s.seconds for s in ok if s.start < first + quarter]
        late = [s.seconds for s in ok if s.start > last - quarter]
        trend = f"p50 {_ms(early)} ms in the first quarter, {_ms(late)} ms in the last"
        out.append(f"  {op:<9} {len(mine):>6} requests ({shown}); {trend}")
    return out


def _ms(lat: Sequence[float]) -> str:
    return f"{statistics.median(lat) * 1000:.0f}" if lat else "-"
