"""Soak and fault test of the control plane: two `signoff serve` replicas on one PostgreSQL
under concurrent load, while the database crashes, a replica is killed, the database's disk
fills and connections drop.

Everything runs on loopback: a throwaway PostgreSQL cluster of its own (bench/soak_pg.py;
its database in a tablespace on a small tmpfs when run as root), a TCP proxy between the
replicas and PostgreSQL, two replicas, and client threads (bench/soak_load.py) posting
decisions, giving approvals, exchanging agent proofs for task tokens and reading console pages
on both replicas. The run is cut into one slot per fault; in each the fault is injected after a
third of the slot and lifted after `hold` seconds:

  postgres-crash    pg_ctl stop -m immediate, then start (crash recovery)
  replica-kill-9    SIGKILL one replica, start it again on its port
  disk-full         fill the tmpfs under the database's tablespace to the last byte, then free it
  connection-drop   the proxy cuts every live database connection, once a second

Afterwards (bench/soak_check.py): every acknowledged write is in the tables and the ledger,
`signoff ledger verify` passes, no request got a 5xx other than a declared 503 and none failed
outside a fault's window, and both replicas serve a write again without a manual step.
Prints throughput and p50/p99 latency before, during and after each fault, then one summary
line. Exit 0 when every check passes. tests/soak/test_soak.py runs a short one.

Usage: python bench/soak.py [--duration 240] [--clients 12]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from signoff.server.app import open_context
from signoff.server.settings import Settings, load
from signoff.server.tokens.service import bootstrap
from soak_check import Fault, check_writes, per_op, verify, violations, window_rows
from soak_load import Load, World, seed
from soak_pg import Cluster, Proxy, free_port


class Replica:
    """`signoff serve` in a child process on a fixed port (a restart comes back on it)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "SIGNOFF_PORT": str(self.port)}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "signoff.cli.main", "serve"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"replica not ready: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Soak:
    duration: float
    clients: int
    say: Callable[[str], None] = print
    faults: list[Fault] = field(default_factory=list)
    result: Result | None = None

    def run(self, root: Path) -> bool:
        cluster = Cluster()
        proxy = Proxy(cluster.port)
        replicas: list[Replica] = []
        try:
            url = cluster.url.replace(f":{cluster.port}/", f":{proxy.port}/")
            env = {"SIGNOFF_DATA_DIR": str(root / "data"), "SIGNOFF_DATABASE_URL": url,
                   "SIGNOFF_LOG_LEVEL": "warning"}  # fmt: skip
            settings = load(env)
            admin = _bootstrap(settings)
            replicas = [Replica(env, root / f"replica{i}.log") for i in range(2)]
            world = seed(root / "world", replicas[0].url, admin)
            self.say(
                f"soak: 2 replicas on PostgreSQL ({cluster.bin.parent.name}), {self.clients} "
                f"clients, {self.duration:.0f} s; disk budget: "
                + ("tmpfs" if cluster.can_fill else "none (not root: disk-full is skipped)")
            )
            load_ = Load(world, [r.url for r in replicas], self.clients)
            load_.start()
            try:
                self._faults(cluster, proxy, replicas)
            finally:
                load_.stop()
            return self._report(load_, settings, cluster.url, replicas, world)
        finally:
            for r in replicas:
                r.stop()
            proxy.close()
            cluster.close()

    def _faults(self, cluster: Cluster, proxy: Proxy, replicas: list[Replica]) -> None:
        hold = max(2.0, self.duration / 4 * 0.25)

        def crash() -> str:
            cluster.crash()
            time.sleep(hold)
            cluster.start()
            return "crashed and restarted"

        def kill() -> str:
            replicas[1].kill9()
            time.sleep(hold)
            replicas[1].start()
            return "replica 1 killed and restarted"

        def fill() -> str:
            if not cluster.can_fill:
                return "skipped"
            n = cluster.fill_disk()
            time.sleep(hold)
            cluster.free_disk()
            return f"{n // (1 << 20)} MiB of ballast"

        def drop() -> str:
            cut, stop = 0, time.monotonic() + hold
            while time.monotonic() < stop:
                cut += proxy.cut()
                time.sleep(1)
            return f"{cut} sockets cut"

        plan = [("postgres-crash", crash), ("replica-kill-9", kill),
                ("disk-full", fill), ("connection-drop", drop)]  # fmt: skip
        slot = self.duration / len(plan)
        for name, inject in plan:
            begun = time.monotonic()
            time.sleep(slot / 3)
            start = time.monotonic()
            note = inject()
            end = time.monotonic()
            time.sleep(max(0.0, begun + slot - time.monotonic()))
            self.faults.append(Fault(name, begun, start, end, time.monotonic(), note))
            self.say(f"  fault {name}: {note} ({end - start:.1f} s)")

    def _report(
        self, load_: Load, settings: Settings, url: str, replicas: list[Replica], world: World
    ) -> bool:
        samples = load_.samples
        for row in window_rows(samples, self.faults):
            self.say(row)
        for row in per_op(samples):
            self.say(row)
        recovered = _recovered(replicas, world)
        writes = check_writes(samples, url, settings.ledger_key)
        acked, lost = writes.acked, len(writes.lost)
        ok_verify, verify_line = verify(url, settings.ledger_key)
        bad = violations(samples, self.faults)
        for what, n in bad.most_common():
            self.say(f"  unexpected: {n} x {what}")
        if writes.lost:
            self.say(f"  lost: {', '.join(writes.lost[:5])}")
        self.say(
            f"  writes: {acked} acknowledged, {len(writes.lost)} of them lost; "
            f"{writes.unlogged} rows without their ledger event; {writes.over_reported} ledger "
            "events for writes that never took effect (answered 503 or unanswered; allowed)"
        )
        injected = sum(1 for f in self.faults if f.note != "skipped")
        self.result = Result(len(samples), injected, acked, lost, writes.unlogged, ok_verify,
                             sum(bad.values()), recovered)  # fmt: skip
        self.say(
            f"soak summary: {len(samples)} requests, {injected} faults injected, "
            f"{lost} acknowledged writes lost (of {acked}), ledger verify "
            f"{'OK' if ok_verify else 'FAILED'} ({verify_line}), {sum(bad.values())} "
            f"unexpected responses, replicas recovered: {'yes' if recovered else 'NO'}"
        )
        return self.result.ok


@dataclass(frozen=True, slots=True)
class Result:
    requests: int
    injected: int  # faults injected (disk-full is skipped when no tmpfs can be mounted)
    acked: int  # writes the server acknowledged
    lost: int  # of those, missing from the tables or the ledger afterwards
    unlogged: int  # rows of any write (acknowledged or not) with no ledger event
    verified: bool  # `signoff ledger verify` passed
    unexpected: int  # responses that were neither a success nor a declared, in-window failure
    recovered: bool  # both replicas ready and taking writes again, with nobody's help

    @property
    def ok(self) -> bool:
        return (
            self.verified
            and not self.lost
            and not self.unlogged
            and not self.unexpected
            and self.recovered
            and self.injected >= 3
            and self.acked > 0
        )


def _bootstrap(settings: Settings) -> str:
    """Migrate and make the first admin before the replicas start (as `compose.yaml` does)."""
    ctx = open_context(settings)
    try:
        return bootstrap(ctx, "root", "root@example.com", "Root", 7200).token
    finally:
        ctx.recorder.ledger.close()
        ctx.db.close()


def _recovered(replicas: list[Replica], world: World) -> bool:
    """Each replica is ready and takes a write again, with nobody's help."""
    for r in replicas:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = httpx.get(f"{r.url}/readyz", timeout=5).status_code == 200
                post = httpx.post(f"{r.url}/v1/repos/demo/decisions", json=world.record,
                                  headers={"Authorization": f"Bearer {world.tokens['ci']}"},
                                  timeout=15)  # fmt: skip
                if ready and post.status_code == 201:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=240.0, help="seconds of load (4 faults)")
    ap.add_argument("--clients", type=int, default=12, help="client threads")
    ap.add_argument("--keep", type=Path, help="keep the replicas' logs in this directory")
    args = ap.parse_args(argv)
    if args.duration < 20 or not 1 <= args.clients <= 64:
        ap.error("--duration must be at least 20 s and --clients 1..64")
    with tempfile.TemporaryDirectory(prefix="signoff-soak-") as tmp:
        ok = Soak(args.duration, args.clients).run(Path(tmp))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for log in Path(tmp).glob("replica*.log"):
                shutil.copy(log, args.keep / log.name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
