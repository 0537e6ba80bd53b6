"""Throughput of the control plane's hot endpoints against an authenticated no-op.

Starts `signoff serve` (one uvicorn worker, SQLite in a temp dir, or PostgreSQL with --pg URL),
seeds a repository, people, tokens and approvals through the API, then drives each endpoint with
32 concurrent clients on loopback (client processes x asyncio connections, so the client is not
the bottleneck) for a fixed time:

  noop      GET  /v1/noop                                 (auth + middleware + JSON: baseline)
  approvals GET  /v1/repos/demo/approvals?digest=...      (what `signoff check --server` reads)
  decisions POST /v1/repos/demo/decisions                 (store + ledger append, durable)

Prints req/s, p50 and p99 latency, and each endpoint's ratio to the no-op (target >= 0.5).
Usage: python bench/server_throughput.py [--seconds 5] [--clients 32] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from signoff.demo import server as demo
from signoff.gate.record import decision_payload
from signoff.server.app import open_context
from signoff.server.tokens.service import bootstrap

HERE = Path(__file__).parent
TARGET = 0.5


def _client(
    url: str,
    token: str,
    method: str,
    path: str,
    params: Any,
    body: Any,
    conns: int,
    seconds: float,
    out: Any,
) -> None:
    async def worker(
        client: httpx.AsyncClient, stop: float, lat: list[float], errs: list[int]
    ) -> None:
        while time.perf_counter() < stop:
            t = time.perf_counter()
            r = await client.request(method, path, params=params, json=body)
            if r.status_code >= 300:
                errs.append(r.status_code)
            lat.append(time.perf_counter() - t)

    async def run() -> tuple[list[float], list[int]]:
        limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=60
        ) as client:
            for _ in range(conns):  # warm the connections
                await client.get("/healthz")
            stop = time.perf_counter() + seconds
            lat: list[float] = []
            errs: list[int] = []
            await asyncio.gather(*(worker(client, stop, lat, errs) for _ in range(conns)))
            return lat, errs

    out.put(asyncio.run(run()))


def measure(
    url: str,
    token: str,
    method: str,
    path: str,
    params: Any,
    body: Any,
    clients: int,
    seconds: float,
    procs: int,
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    ps = [
        ctx.Process(target=_client, args=(url, token, method, path, params, body, n, seconds, q))
        for n in per
    ]
    for p in ps:
        p.start()
    lat: list[float] = []
    errs: list[int] = []
    for _ in ps:
        got_lat, got_errs = q.get()
        lat += got_lat
        errs += got_errs
    for p in ps:
        p.join()
    lat.sort()
    return {
        "requests": len(lat),
        "errors": len(errs),
        "rps": len(lat) / seconds,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--procs", type=int, default=4, help="client processes")
    ap.add_argument("--pg", help="PostgreSQL URL (an empty database) instead of SQLite")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    from serverkit_bench import start_server  # bench-local helper (same stack as `signoff serve`)

    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        root = Path(tmp)
        repo, base, head, pubs = demo.build_repo(root)
        proc, url, settings = start_server(root / "data", args.pg, args.port)
        try:
            ctx = open_context(settings)
            admin = bootstrap(ctx, "root", "root@example.com", "Root", 3600).token
            ctx.recorder.ledger.close()
            ctx.db.close()
            data = demo.seed(url, admin, repo, base, pubs)
            tokens = data["tokens"]
            approval = httpx.post(
                f"{url}/v1/repos/demo/approvals",
                timeout=60,
                headers={"Authorization": f"Bearer {tokens['alice']}"},
                json={"base": base, "head": head, "decision": "approve"},
            ).json()
            digests = list(approval["digests"].values())
            from signoff.gate.check import run_check

            record = decision_payload(run_check(repo.path, base, head, approvals_ref=None))
            record_bytes = len(json.dumps(record))
            endpoints = {
                "noop": ("GET", "/v1/noop", None, None, tokens["ci"]),
                "approvals": (
                    "GET",
                    "/v1/repos/demo/approvals",
                    {"digest": digests},
                    None,
                    tokens["ci"],
                ),
                "decisions": ("POST", "/v1/repos/demo/decisions", None, record, tokens["ci"]),
            }
            results = {}
            for name, (method, path, params, body, token) in endpoints.items():
                results[name] = measure(
                    url, token, method, path, params, body, args.clients, args.seconds, args.procs
                )
        finally:
            proc.terminate()
            proc.wait(20)
    base_rps = results["noop"]["rps"]
    db = "postgresql" if args.pg else "sqlite"
    print(
        f"signoff serve, 1 worker, {db}; {args.clients} clients ({args.procs} processes) "
        f"on loopback, {args.seconds:.0f} s per endpoint; decision record {record_bytes} B"
    )
    print(
        f"{'endpoint':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'vs noop':>8}  target"
    )
    ok = True
    for name, r in results.items():
        ratio = r["rps"] / base_rps if base_rps else 0.0
        r["ratio"] = ratio
        verdict = "-" if name == "noop" else ("PASS" if ratio >= TARGET else "FAIL")
        ok &= verdict != "FAIL" and r["errors"] == 0
        print(
            f"{name:<10} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{r['errors']:>7} {ratio:>8.2f}  {verdict if name != 'noop' else ''}"
        )
    out = HERE / "out" / f"server_throughput_{db}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {"db": db, "clients": args.clients, "seconds": args.seconds, "results": results},
            indent=2,
        )
        + "\n"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
