"""The soak test's own PostgreSQL, and the faults it suffers (bench/soak.py).

`Cluster` is a throwaway cluster (initdb/pg_ctl, as the `postgres` user when run as root, as
`.ci/run` does) on a loopback port of its own, so the soak may crash and restart it without
touching anyone else's database. The soak's database lives in a tablespace of its own: on a
small tmpfs when the script runs as root (the ledger's disk budget, which `fill_disk` fills to
the last byte), in a plain directory otherwise (then the disk fault cannot be injected and the
soak says so). `Proxy` is a TCP relay between the replicas and PostgreSQL whose `cut` drops
every live connection at once, as a failing network or a restarted balancer would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

DB = "signoff_soak"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout), or one on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=_version)
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _version(p: Path) -> tuple[int, ...]:
    name = p.parent.parent.name
    return tuple(int(x) for x in name.split(".") if x.isdigit())


class Cluster:
    """A PostgreSQL cluster in a temp dir; `url` is the soak database's (direct, no proxy)."""

    def __init__(self, budget_mb: int = 48) -> None:
        binary = pg_bin()
        if binary is None:
            raise RuntimeError("PostgreSQL is not installed (no pg_ctl found)")
        self.bin = binary
        self.root = Path(tempfile.mkdtemp(prefix="signoff-soak-pg-"))
        self.port = free_port()
        self.space = self.root / "space"
        self.space.mkdir()
        self.tmpfs = _mount_tmpfs(self.space, budget_mb)
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.space, "postgres")
        self.data = self.root / "data"
        self._as_pg([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                     "postgres", "--no-sync"])  # fmt: skip
        self.start()
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.psql(admin, f"CREATE TABLESPACE soak LOCATION '{self.space}'")
        self.psql(admin, f"CREATE DATABASE {DB} TABLESPACE soak")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{DB}"

    def _as_pg(self, argv: list[str]) -> None:
        if os.getuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(argv)]
        subprocess.run(argv, check=True, capture_output=True, cwd="/")

    def psql(self, url: str, sql: str) -> None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.encode())

    def start(self) -> None:
        opts = f"'-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=on'"
        self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                     str(self.root / "log"), "-w", "-t", "60", "-o", opts, "start"])  # fmt: skip

    def crash(self) -> None:
        """Stop as a power cut would (`-m immediate`: no checkpoint; recovery on start)."""
        self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])

    @property
    def can_fill(self) -> bool:
        return self.tmpfs

    def fill_disk(self) -> int:
        """Fill the tablespace's filesystem to the last byte; return the bytes written."""
        written = 0
        fd = os.open(self.space / "ballast", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 1 << 13, 1 << 9):  # then what is left, down to a sector
                chunk = b"\0" * size
                with contextlib.suppress(OSError):
                    while True:
                        written += os.write(fd, chunk)
        finally:
            os.close(fd)
        return written

    def free_disk(self) -> None:
        (self.space / "ballast").unlink(missing_ok=True)

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.crash()
        if self.tmpfs:
            subprocess.run(["umount", str(self.space)], check=False, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _mount_tmpfs(where: Path, size_mb: int) -> bool:
    """A tmpfs of `size_mb` at `where` when we are root and may mount; else False."""
    if os.getuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(where)],
        check=False,
        capture_output=True,
    )
    return done.returncode == 0


class Proxy:
    """A loopback TCP relay to `target_port`; `cut()` drops every live connection."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.lock = threading.Lock()
        self.live: set[socket.socket] = set()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.live.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(src, dst)

    def _drop(self, *socks: socket.socket) -> None:
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
            with self.lock:
                self.live.discard(s)

    def cut(self) -> int:
        """Drop every connection open now; return how many sockets were cut."""
        with self.lock:
            victims = list(self.live)
        self._drop(*victims)
        return len(victims)

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut()


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
