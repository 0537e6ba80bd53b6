"""Drive an HTTP endpoint with `wrk` (Debian package `wrk`, a compiled load generator) and read
its figures: requests per second, latency percentiles, non-2xx answers and socket errors.

Request bodies come from a file, one per line. Single-use bodies (an OIDC token per exchange, a
new commit per push) are dealt out: each of wrk's threads takes every T-th line, so none is sent
twice within a run. Bodies that may repeat (a decision record) go to every thread, and a run with
more requests than lines wraps around.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 32

LUA = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local every = tonumber(args[2])
  bodies = {}
  local i = 0
  for line in io.lines(args[1]) do
    if every == 0 or i % every == id then table.insert(bodies, line) end
    i = i + 1
  end
  method, path, n = args[3], args[4], 0
end
function request()
  n = n + 1
  local body = nil
  if #bodies > 0 then body = bodies[((n - 1) % #bodies) + 1] end
  return wrk.format(method, path, nil, body)
end
"""


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian package `wrk`)")
    return found


def run(
    url: str,
    method: str,
    path: str,
    token: str,
    bodies: list[str] | None,
    seconds: float,
    *,
    single_use: bool = False,
    threads: int = THREADS,
    connections: int = CONNECTIONS,
) -> Run:
    """One wrk run of `seconds` against `url + path` with a bearer token."""
    wrk = require_wrk()
    with tempfile.TemporaryDirectory(prefix="signoff-wrk-") as tmp:
        script, data = Path(tmp) / "bodies.lua", Path(tmp) / "bodies.txt"
        script.write_text(LUA)
        data.write_text("".join(b + "\n" for b in bodies or []))
        argv = [
            wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
            "-H", f"Authorization: Bearer {token}", "-H", "Content-Type: application/json",
            "-s", str(script), url,
            "--", str(data), str(threads if single_use else 0), method, path,
        ]  # fmt: skip
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed: {proc.stderr.strip()[:500]}")
    return parse(proc.stdout)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if m is None:
        raise SystemExit(f"cannot read wrk's latency {text!r}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[m.group(2)]
    return float(m.group(1)) * scale


def parse(out: str) -> Run:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (rps and total and p50 and p99):
        raise SystemExit(f"cannot read wrk's output:\n{out[-800:]}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(g) for g in sock.groups()) if sock else 0
    return Run(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), int(total.group(1)),
               errors)  # fmt: skip
