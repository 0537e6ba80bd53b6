"""Throughput of the control plane's hot endpoints against its authenticated no-op, under `wrk`.

Starts `signoff serve` (one uvicorn worker, the product's defaults, SQLite in a temp dir, or
PostgreSQL with --pg URL), seeds it through the API, then drives each endpoint with `wrk` (the
Debian package: a compiled load generator, so the client does not slow the no-op it measures)
with 32 connections on loopback:

  noop       GET  /v1/noop                                (auth + middleware + JSON: the floor)
  approvals  GET  /v1/repos/demo/approvals?digest=...     (what `signoff check --server` reads)
  decisions  POST /v1/repos/demo/decisions                (store + durable ledger append)
  pushes     POST /v1/pushes                              (the hook's record: one commit each)
  tokens     POST /v1/tasks/{id}/token                    (OIDC exchange: a task token issued)

Each endpoint runs in pairs with the no-op, interleaved (noop, endpoint, noop, endpoint, ...),
and the ratio endpoint/no-op of each pair is reported as min and median with the no-op's own
req/s (the floor) and the target (each endpoint >= 0.5 of the no-op). One setting differs from
the defaults, and it does not touch the measured path: the trust policy of the benchmark's agent
names a plain-http issuer on loopback (`SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK=1`).

Usage: python bench/server_throughput.py [--seconds 5] [--pairs 5] [--pg URL] [--only a,b]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

import wrkrun

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from oidcfake import FakeIssuer

from signoff.demo import server as demo
from signoff.gate.check import run_check
from signoff.gate.record import decision_payload
from signoff.server.app import open_context
from signoff.server.tokens.service import bootstrap

HERE = Path(__file__).parent
TARGET = 0.5
#: endpoints whose request bodies may be sent once only (a workload token, a new commit)
SINGLE_USE = ("pushes", "tokens")


class Bench:
    """The seeded server and what each endpoint's requests need."""

    def __init__(self, url: str, tokens: dict[str, str], issuer: FakeIssuer) -> None:
        self.url, self.tokens, self.issuer = url, tokens, issuer
        self.task = ""
        self.push_jti = ""
        self.push_sha = ""
        self.digests: list[str] = []
        self.record = ""

    def call(self, token: str, method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(method, self.url + path, json=body, timeout=60,
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        if r.status_code >= 300:
            raise SystemExit(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def endpoint(self, name: str, n: int) -> tuple[str, str, str, list[str] | None]:
        """(method, path, token, request bodies) for `n` requests of `name`."""
        t = self.tokens
        if name == "noop":
            return "GET", "/v1/noop", t["ci"], None
        if name == "approvals":
            query = "&".join(f"digest={d}" for d in self.digests)
            return "GET", f"/v1/repos/demo/approvals?{query}", t["ci"], None
        if name == "decisions":
            return "POST", "/v1/repos/demo/decisions", t["ci"], [self.record]
        if name == "pushes":
            return "POST", "/v1/pushes", t["hook"], [self._push() for _ in range(n)]
        if name == "tokens":
            bodies = [json.dumps({"oidc_token": self.issuer.token()}) for _ in range(n)]
            return "POST", f"/v1/tasks/{self.task}/token", t["ci"], bodies
        raise SystemExit(f"unknown endpoint {name}")

    def _push(self) -> str:
        commit = secrets.token_hex(20)
        return json.dumps({
            "repo": "demo", "outcome": "accepted", "jti": self.push_jti,
            "token_sha256": self.push_sha, "commits": [commit],
            "refs": [{"ref": f"refs/heads/agent/bench/{commit[:8]}", "old": "0" * 40,
                      "new": commit}],
        })  # fmt: skip


def seed(url: str, admin: str, root: Path, issuer: FakeIssuer) -> Bench:
    repo, base, head, pubs = demo.build_repo(root)
    data = demo.seed(url, admin, repo, base, pubs)
    tokens = dict(data["tokens"])
    b = Bench(url, tokens, issuer)
    tokens["hook"] = b.call(admin, "POST", "/v1/tokens", {"name": "git-hook", "roles": ["hook"]})[
        "token"
    ]
    approval = b.call(tokens["alice"], "POST", "/v1/repos/demo/approvals",
                      {"base": base, "head": head, "decision": "approve"})  # fmt: skip
    b.digests = list(approval["digests"].values())
    b.record = json.dumps(decision_payload(run_check(repo.path, base, head, approvals_ref=None)))
    b.call(admin, "POST", "/v1/agents", {
        "id": "bench-bot", "owner": "platform@example.com", "purpose": "benchmark",
        "review_by": "2999-01-01", "max_token_ttl": 3600,
        "scope": {"repos": ["demo"], "branches": ["agent/**"], "paths": ["src/**"]},
    })  # fmt: skip
    b.call(admin, "PUT", "/v1/agents/bench-bot/trust-policy", issuer.policy())
    task = b.call(tokens["dave"], "POST", "/v1/tasks", {
        "agent": "bench-bot", "repo": "demo", "base_commit": base, "intent_text": "bench",
        "allowed_paths": ["src/**"], "ttl_seconds": 3600,
    })  # fmt: skip
    b.task = task["id"]
    issued = b.call(tokens["ci"], "POST", f"/v1/tasks/{b.task}/token",
                    {"oidc_token": issuer.token()})  # fmt: skip
    b.push_jti = issued["jti"]
    b.push_sha = "sha256:" + hashlib.sha256(issued["token"].encode()).hexdigest()
    return b


def measure(b: Bench, names: list[str], pairs: int, seconds: float) -> dict[str, Any]:
    """Interleaved pairs: (noop, endpoint) for every endpoint, `pairs` rounds."""
    out: dict[str, dict[str, list[Any]]] = {n: {"noop": [], "runs": []} for n in names}
    for _ in range(pairs):
        for name in names:
            m, p, tok, bodies = b.endpoint("noop", 0)
            base = wrkrun.run(b.url, m, p, tok, bodies, seconds)
            need = int(base.rps * seconds * 1.3) + 200  # single-use bodies: never run short
            m, p, tok, bodies = b.endpoint(name, need)
            single = name in SINGLE_USE
            got = wrkrun.run(b.url, m, p, tok, bodies, seconds, single_use=single)
            out[name]["noop"].append(base)
            out[name]["runs"].append(got)
    return out


def report(db: str, seconds: float, pairs: int, results: dict[str, Any]) -> bool:
    print(f"signoff serve, 1 worker, {db}, defaults; wrk -t{wrkrun.THREADS} "
          f"-c{wrkrun.CONNECTIONS}, {seconds:g} s per run, {pairs} interleaved pairs")  # fmt: skip
    print(f"{'endpoint':<10} {'req/s':>7} {'noop req/s':>10} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'errors':>6} {'ratio min':>9} {'ratio med':>9}  target")  # fmt: skip
    ok = True
    for name, r in results.items():
        ratios = [e.rps / n.rps for e, n in zip(r["runs"], r["noop"], strict=True)]
        errors = sum(e.errors for e in r["runs"]) + sum(n.errors for n in r["noop"])
        lo, med = min(ratios), statistics.median(ratios)
        verdict = "PASS" if lo >= TARGET and errors == 0 else "FAIL"
        ok &= verdict == "PASS"
        print(
            f"{name:<10} {statistics.median(e.rps for e in r['runs']):>7.0f} "
            f"{statistics.median(n.rps for n in r['noop']):>10.0f} "
            f"{statistics.median(e.p50_ms for e in r['runs']):>7.1f} "
            f"{statistics.median(e.p99_ms for e in r['runs']):>7.1f} {errors:>6} "
            f"{lo:>9.2f} {med:>9.2f}  >= {TARGET} {verdict}"
        )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--pg", help="PostgreSQL URL (an empty database) instead of SQLite")
    ap.add_argument("--only", help="comma-separated endpoints (default: all)")
    args = ap.parse_args()
    wrkrun.require_wrk()
    names = (args.only or "approvals,decisions,pushes,tokens").split(",")

    from serverkit_bench import start_server  # bench-local helper (same stack as `signoff serve`)

    issuer = FakeIssuer()
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as tmp:
        root = Path(tmp)
        loopback = {"SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK": "1"}
        proc, url, settings = start_server(root / "data", args.pg, 0, loopback)
        try:
            ctx = open_context(settings)
            admin = bootstrap(ctx, "root", "root@example.com", "Root", 3600).token
            ctx.recorder.ledger.close()
            ctx.db.close()
            b = seed(url, admin, root, issuer)
            results = measure(b, names, args.pairs, args.seconds)
        finally:
            proc.terminate()
            proc.wait(20)
            issuer.stop()
    db = "postgresql" if args.pg else "sqlite"
    ok = report(db, args.seconds, args.pairs, results)
    out = HERE / "out" / f"server_throughput_{db}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({n: {k: [vars(x) for x in v] for k, v in r.items()}
                               for n, r in results.items()}, indent=2) + "\n")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
