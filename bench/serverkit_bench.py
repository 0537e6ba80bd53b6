"""Start `signoff serve` in a child process for the benchmarks (settings via environment)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from signoff.server.settings import Settings, load


def start_server(
    data_dir: Path, pg: str | None, port: int = 0, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, Settings]:
    if not port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
    env = {
        "SIGNOFF_DATA_DIR": str(data_dir),
        "SIGNOFF_PORT": str(port),
        "SIGNOFF_LOG_LEVEL": "warning",
        **({"SIGNOFF_DATABASE_URL": pg} if pg else {}),
        **(extra_env or {}),
    }
    settings = load(env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "signoff.cli.main", "serve"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded machine imports slowly
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return proc, url, settings
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("signoff serve did not start")
        time.sleep(0.05)
