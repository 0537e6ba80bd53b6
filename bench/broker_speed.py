"""Broker benchmark, all measured in this run on one `signoff serve` process (SQLite):

Token issuance (OIDC exchange + `token.issued` ledger event) vs the authenticated no-op
`GET /v1/noop`, each at 32 concurrent clients. Target: issuance >= 50% of no-op throughput.
The pre-receive hook has its own benchmark: bench/hook_speed.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from gitrepo import make_repo
from oidcfake import FakeIssuer
from serverkit import Api, ProcServer, make_settings

CONCURRENCY = 32
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


async def _drive(url: str, n: int, make: object) -> float:
    """Requests per second for `n` requests from CONCURRENCY clients."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                resp = await make(client, i)  # type: ignore[operator]
                if resp.status_code != 200:
                    raise SystemExit(f"request failed: {resp.status_code} {resp.text[:300]}")

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return n / (time.perf_counter() - t0)


def throughput(srv_url: str, admin_token: str, task_id: str, issuer: FakeIssuer, n: int) -> None:
    hdr = {"Authorization": f"Bearer {admin_token}"}
    oidc = [issuer.token() for _ in range(n + 50)]

    async def noop(c: httpx.AsyncClient, i: int) -> httpx.Response:
        return await c.get("/v1/noop", headers=hdr)

    async def issue(c: httpx.AsyncClient, i: int) -> httpx.Response:
        return await c.post(f"/v1/tasks/{task_id}/token", json={"oidc_token": oidc[i]})

    asyncio.run(_drive(srv_url, 50, noop))  # warm up
    rates = {"noop": [], "issue": []}  # type: dict[str, list[float]]
    for _ in range(2):
        rates["noop"].append(asyncio.run(_drive(srv_url, n, noop)))
        oidc[:] = [issuer.token() for _ in range(n)]
        rates["issue"].append(asyncio.run(_drive(srv_url, n, issue)))
    best = {k: max(v) for k, v in rates.items()}
    ratio = best["issue"] / best["noop"]
    print(f"no-op      : {best['noop']:8.0f} req/s  (runs: {[round(r) for r in rates['noop']]})")
    print(f"issuance   : {best['issue']:8.0f} req/s  (runs: {[round(r) for r in rates['issue']]})")
    print(f"ratio      : {ratio:.2f}  (target >= 0.50)  {'PASS' if ratio >= 0.5 else 'FAIL'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=2000, help="requests per throughput run")
    args = ap.parse_args()
    os.environ["SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK"] = "1"
    os.environ.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        settings = make_settings(tmp / "data")
        from signoff.server.app import open_context
        from signoff.server.tokens.service import bootstrap

        ctx = open_context(settings)
        admin_token = bootstrap(ctx, "root", "root@example.com", "Root", 3600).token
        ctx.recorder.ledger.close()
        ctx.db.close()
        srv = ProcServer(settings, tmp / "server.log")
        issuer = FakeIssuer()
        try:
            api = Api(srv.url, admin_token)
            work = make_repo(tmp / "work")
            work.write("src/app.py", "print(1)\n")
            base = work.commit("base")
            bare = tmp / "widget.git"
            subprocess.run(["git", "clone", "-q", "--bare", str(work.path), str(bare)],
                           check=True, env=ENV)  # fmt: skip
            api.ok("POST", "/v1/repos", {"name": "widget", "path": str(bare)})
            api.ok("POST", "/v1/agents", {
                "id": "bot", "owner": "root@example.com", "purpose": "bench",
                "review_by": "2099-01-01", "scope": {"branches": ["agent/**"], "paths": ["src/**"]},
            })  # fmt: skip
            api.ok("PUT", "/v1/agents/bot/trust-policy", issuer.policy())
            task = api.ok("POST", "/v1/tasks", {
                "agent": "bot", "repo": "widget", "base_commit": base, "intent_text": "bench",
                "allowed_paths": ["src/**"], "ttl_seconds": 900,
            })  # fmt: skip
            print(f"server: signoff serve, 1 worker, SQLite; {CONCURRENCY} concurrent clients")
            throughput(srv.url, admin_token, task["id"], issuer, args.n)
        finally:
            issuer.stop()
            srv.stop()


if __name__ == "__main__":
    main()
