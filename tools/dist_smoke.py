"""Install built distributions the way users will, and run them.

For each artifact in DIST (the sdist and the wheel `python -m build` made), in a fresh virtual
environment each: `pip install` it alone (the gate) and with the `server` extra, then run from
that environment `signoff --version`, `signoff check` on a small new repository, `signoff serve
--help`; the gate install must refuse `signoff serve` in one line naming the extra, and the
server install must migrate a new database and carry the API documentation assets.

    python tools/dist_smoke.py DIST

Used by the release workflow (.github/workflows/release.yml) and by tests/packaging/
test_install.py. Needs the package index for the dependencies. Exit code 0 when every check
passes; otherwise the first failure, with the command's output, and exit code 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Alice",
    "GIT_AUTHOR_EMAIL": "alice@example.com",
    "GIT_COMMITTER_NAME": "Alice",
    "GIT_COMMITTER_EMAIL": "alice@example.com",
}
COPILOT = {
    "GIT_AUTHOR_NAME": "copilot-swe-agent[bot]",
    "GIT_AUTHOR_EMAIL": "198982749+Copilot@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "copilot-swe-agent[bot]",
    "GIT_COMMITTER_EMAIL": "198982749+Copilot@users.noreply.github.com",
}
ASSET = "import importlib.resources as r; print(r.files('signoff.server.apidocs') / 'static')"


class SmokeError(Exception):
    pass


def run(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        expect: int = 0) -> subprocess.CompletedProcess[str]:  # fmt: skip
    full = {**os.environ, **GIT_ENV, **(env or {})}
    full.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        argv, cwd=cwd, env=full, capture_output=True, text=True, timeout=900, check=False
    )
    if proc.returncode != expect:
        raise SmokeError(
            f"{' '.join(argv)}: exit {proc.returncode}, expected {expect}\n"
            f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return proc


def small_repo(where: Path, signoff: str) -> Path:
    """main with signoff's starter policy, `work` with one Copilot commit on top (inside the
    paths the starter registry gives Copilot, so the verdict is an approval, not a denial)."""
    repo = where / "repo"
    (repo / "src").mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], cwd=repo)
    (repo / "src/app.py").write_text("print('hi')\n")
    run([signoff, "init"], cwd=repo)
    run(["git", "add", "-A"], cwd=repo)
    run(["git", "commit", "-q", "-m", "base"], cwd=repo)
    run(["git", "checkout", "-q", "-b", "work"], cwd=repo)
    (repo / "src/app.py").write_text("print('hello')\n")
    run(["git", "commit", "-q", "-am", "Fix greeting"], cwd=repo, env=COPILOT)
    return repo


def check_install(artifact: Path, extra: str | None, tmp: Path) -> str:
    venv = tmp / f"venv-{artifact.suffix.strip('.')}-{extra or 'gate'}"
    run([sys.executable, "-m", "venv", str(venv)])
    py, signoff = str(venv / "bin" / "python"), str(venv / "bin" / "signoff")
    spec = f"signoff[{extra}] @ {artifact.resolve().as_uri()}" if extra else str(artifact)
    run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec])

    version = run([signoff, "--version"]).stdout.strip()
    if not version.startswith("signoff, version "):
        raise SmokeError(f"signoff --version printed {version!r}")
    work = tmp / f"work-{venv.name}"
    work.mkdir()
    repo = small_repo(work, signoff)
    out = run([signoff, "check", "--base", "main", "--head", "work"], cwd=repo, expect=1).stdout
    if not out.startswith("signoff: NEEDS APPROVAL") or "copilot" not in out:
        raise SmokeError(f"signoff check printed:\n{out}")
    if "Run the control plane" not in run([signoff, "serve", "--help"]).stdout:
        raise SmokeError("signoff serve --help does not describe serve")

    data = str(work / "data")
    if extra is None:
        err = run([signoff, "serve", "--data-dir", data], expect=2).stderr
        if len(err.splitlines()) != 1 or "pip install 'signoff[server]'" not in err:
            raise SmokeError(f"signoff serve without the server extra said:\n{err}")
        if os.path.exists(data):
            raise SmokeError("signoff serve without the extra created its data directory")
    else:
        run([signoff, "server", "migrate", "--data-dir", data])
        static = Path(run([py, "-c", ASSET]).stdout.strip())
        for name in ("swagger-ui-bundle.js", "redoc.standalone.js", "VENDORED.md"):
            if not (static / name).is_file():
                raise SmokeError(f"the installed package lacks {static / name}")
    return f"ok: {artifact.name} {'[' + extra + ']' if extra else '(gate only)'}: {version}"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: python tools/dist_smoke.py DIST", file=sys.stderr)
        return 2
    dist = Path(sys.argv[1])
    artifacts = sorted(dist.glob("signoff-*.tar.gz")) + sorted(dist.glob("signoff-*.whl"))
    if len(artifacts) != 2:
        print(f"expected one sdist and one wheel in {dist}, found {artifacts}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="signoff-smoke-") as tmp:
        try:
            for artifact in artifacts:
                for extra in (None, "server"):
                    print(check_install(artifact, extra, Path(tmp)), flush=True)
        except SmokeError as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
