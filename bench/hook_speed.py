"""The installed pre-receive hook against its floor, `git rev-list --objects`, on a 50-commit push.

What is timed is what git runs: the `hooks/pre-receive` script `signoff hook install` writes
(remote mode, against one `signoff serve` process on SQLite at its defaults), fed one ref update
of an agent's 50-commit push with its task token: introspection, one `git log`, the policy
(protected patterns cached per policy blob), the scope decision and the witness report (50
ledger events). The floor is `git rev-list --objects <tip> --not --all` over the same objects,
which is what git itself walks to check connectivity of such a push.

The two are interleaved (hook, floor, hook, floor, ...) so load hits both alike; the machine's
load average is printed before and after, and `--load N` adds N busy processes for the run.
Target: hook median <= 2 x floor median + 200 ms. The hook's own CPU time (user + sys, with
the git it runs) is printed too: on a loaded machine it shows what is the hook's cost and what
is waiting for a CPU.

    python bench/hook_speed.py [--pairs 11] [--load 0]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from gitrepo import Repo, make_repo
from oidcfake import FakeIssuer
from serverkit import Api, ProcServer, make_settings

ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
COMMITS = 50
POLICY = """\
version: 1
groups: {maintainers: [root@example.com]}
classes: {packaging-build: ["scripts/package/**"]}
protected_branches: [main, "release/*"]
"""


def _busy() -> None:
    while True:
        pass


@contextlib.contextmanager
def load(n: int) -> Iterator[None]:
    procs = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    try:
        yield
    finally:
        for p in procs:
            p.terminate()
            p.join()


def setup(tmp: Path) -> tuple[ProcServer, FakeIssuer, Path, str, dict[str, str]]:
    """A server, a hooked bare repository holding (unreferenced) the objects of a 50-commit
    agent push, the ref update line and the hook's environment."""
    from signoff.hook.install import install
    from signoff.server.app import open_context
    from signoff.server.tokens.service import bootstrap

    settings = make_settings(tmp / "data")
    ctx = open_context(settings)
    admin_token = bootstrap(ctx, "root", "root@example.com", "Root", 3600).token
    ctx.recorder.ledger.close()
    ctx.db.close()
    srv = ProcServer(settings, tmp / "server.log")
    issuer = FakeIssuer()
    api = Api(srv.url, admin_token)
    ci = api.token_for("hook", ["hook"])
    work = make_repo(tmp / "work")
    work.write("src/app.py", "print(1)\n")
    work.write(".signoff/policy.yml", POLICY)
    base = work.commit("base")
    bare = tmp / "widget.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work.path), str(bare)], check=True, env=ENV)
    install(bare, server=srv.url, data_dir=None, repo_name="widget", no_token_mode="refuse",
            credential=ci)  # fmt: skip
    api.ok("POST", "/v1/repos", {"name": "widget", "path": str(bare)})
    api.ok("POST", "/v1/agents", {
        "id": "bot", "owner": "root@example.com", "purpose": "bench",
        "review_by": "2099-01-01", "scope": {"branches": ["agent/**"], "paths": ["src/**"]},
    })  # fmt: skip
    api.ok("PUT", "/v1/agents/bot/trust-policy", issuer.policy())
    task = api.ok("POST", "/v1/tasks", {
        "agent": "bot", "repo": "widget", "base_commit": base, "intent_text": "bench",
        "branch_prefix": "agent/", "allowed_paths": ["src/**"], "ttl_seconds": 900,
    })  # fmt: skip
    token = api.as_(None).post(f"/v1/tasks/{task['id']}/token",
                               {"oidc_token": issuer.token()}).json()["token"]  # fmt: skip
    tip = _agent_commits(Repo(work.path), base)
    subprocess.run(["git", "-C", str(bare), "fetch", "-q", str(work.path), "agent/bench"],
                   check=True, env=ENV)  # objects in, no ref: as in a quarantined push  # fmt: skip
    env = {**ENV, "GIT_PUSH_OPTION_COUNT": "1", "GIT_PUSH_OPTION_0": f"signoff-token={token}"}
    return srv, issuer, bare, f"{'0' * 40} {tip} refs/heads/agent/bench\n", env


def _agent_commits(w: Repo, base: str) -> str:
    w.git("checkout", "-q", "-B", "agent/bench", base)
    for i in range(COMMITS):
        w.write(f"src/mod{i % 7}.py", f"v = {i}\n")
        w.write(f"src/pkg{i % 5}/f{i}.py", f"x = {i}\n")
        w.commit(f"c{i}")
    return w.head()


CPU: list[float] = []  # user + sys seconds of each hook run (it and the git it runs)


def timed(argv: list[str], cwd: Path, stdin: str | None, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if p.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {p.stderr[-800:]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=11, help="interleaved (hook, floor) pairs")
    ap.add_argument("--load", type=int, default=0, help="busy processes running meanwhile")
    args = ap.parse_args()
    os.environ["SIGNOFF_BROKER_ALLOW_INSECURE_LOOPBACK"] = "1"
    os.environ.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    with tempfile.TemporaryDirectory() as d:
        srv, issuer, bare, line, env = setup(Path(d))
        try:
            tip = line.split()[1]
            hook = [str(bare / "hooks" / "pre-receive")]
            floor = ["git", "rev-list", "--objects", tip, "--not", "--all"]
            timed(hook, bare, line, env)  # warm caches (and the policy cache)
            before = os.getloadavg()[0]
            hs, fs, cpu = [], [], []
            with load(args.load):
                for _ in range(args.pairs):
                    hs.append(timed(hook, bare, line, env))
                    cpu.append(CPU[-1])
                    fs.append(timed(floor, bare, None, ENV))
            after = os.getloadavg()[0]
        finally:
            issuer.stop()
            srv.stop()
    limit = 2 * statistics.median(fs) + 0.200
    ratios = sorted(h / (2 * f + 0.200) for h, f in zip(hs, fs, strict=True))
    fmed, hmed = statistics.median(fs), statistics.median(hs)
    ms = [f"{x * 1000:.1f}" for x in (min(fs), fmed, min(hs), hmed)]
    print(f"settings   : {COMMITS}-commit agent push, remote mode, signoff serve (SQLite, "
          f"defaults), {args.pairs} interleaved pairs, {args.load} extra busy process(es), "
          f"load average {before:.1f} -> {after:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"floor      : min {ms[0]} ms, median {ms[1]} ms  (git rev-list --objects)")
    print(f"hook       : min {ms[2]} ms, median {ms[3]} ms  (hooks/pre-receive as installed)")
    cmin, cmed = min(cpu) * 1000, statistics.median(cpu) * 1000
    print(f"hook CPU   : min {cmin:.1f} ms, median {cmed:.1f} ms (user + sys of the hook and "
          "its git; the control plane's work is not in it)")  # fmt: skip
    print(f"ratio      : min {ratios[0]:.2f}, median {statistics.median(ratios):.2f} of the limit "
          f"(2 x floor + 200 ms per pair)")  # fmt: skip
    verdict = "PASS" if hmed <= limit else "FAIL"
    print(f"target     : median hook <= 2 x median floor + 200 ms = {limit * 1000:.0f} ms  "
          f"{verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
