"""What `pip install signoff`, `signoff[github]` and `signoff[server]` put into a fresh venv.

Builds the wheel from this checkout, then installs it into new virtual environments: an empty one
(the floor: what `python -m venv` brings), the gate alone, the gate with the `github` extra (what
the GitHub Action installs) and the gate with the `server` extra.
Prints, for each, the third-party distributions installed (signoff, pip and setuptools not
counted) and the megabytes they add to site-packages over the empty venv; then whether the gate
install holds any web framework or database driver (the target: none).

    .venv/bin/python bench/install_footprint.py [--keep DIR]

Needs the package index (the figures are what pip resolves today).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Distributions the gate install must not bring (the server stack).
SERVER_STACK = (
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "psycopg",
    "psycopg-binary",
    "jinja2",
    "prometheus-client",
    "httpx",
)
NOT_COUNTED = {"pip", "setuptools", "signoff", "wheel"}


def _tree_bytes(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            p = Path(dirpath, f)
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def _venv(where: Path, *install: str) -> tuple[list[str], int]:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    py = where / "bin" / "python"
    if install:
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", *install],
            check=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    listed = subprocess.run(
        [str(py), "-m", "pip", "list", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = sorted(d["name"].lower() for d in json.loads(listed))
    site = next((where / "lib").glob("python3*/site-packages"))
    return [n for n in names if n not in NOT_COUNTED], _tree_bytes(site)


_SIZES = """
import json, sys
from importlib import metadata
out = {}
for d in metadata.distributions():
    out[d.metadata["Name"].lower()] = sum(
        (f.size or 0) for f in (d.files or ()) if not str(f).startswith("..")
    )
print(json.dumps(out))
"""


def _largest(where: Path, names: list[str], n: int = 5) -> str:
    """The `n` largest of `names` by the sizes their RECORD files list."""
    py = where / "bin" / "python"
    sizes = json.loads(
        subprocess.run([str(py), "-c", _SIZES], check=True, capture_output=True).stdout
    )
    top = sorted(names, key=lambda k: -sizes.get(k, 0))[:n]
    return ", ".join(f"{k} {sizes.get(k, 0) / (1 << 20):.1f} MB" for k in top)


def _signoff_bytes(where: Path) -> int:
    site = next((where / "lib").glob("python3*/site-packages"))
    return _tree_bytes(site / "signoff")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="build the venvs here and keep them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="signoff-footprint-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        dist = base / "dist"
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), "."],
            check=True,
            cwd=ROOT,
        )
        wheel = next(dist.glob("signoff-*.whl"))
        _, floor = _venv(base / "empty")
        gate, gate_bytes = _venv(base / "gate", str(wheel))
        github, github_bytes = _venv(base / "github", f"{wheel}[github]")
        server, server_bytes = _venv(base / "server", f"{wheel}[server]")
        own = _signoff_bytes(base / "gate")
        gate_top = _largest(base / "gate", gate)
        github_top = _largest(base / "github", [n for n in github if n not in gate])
        server_top = _largest(base / "server", [n for n in server if n not in gate])

    mb = 1 / (1 << 20)
    print(f"wheel: {wheel.name}  signoff itself: {own * mb:.1f} MB installed")
    print(f"floor (empty venv: pip, setuptools): {floor * mb:.1f} MB")
    for label, names, size in (
        ("pip install signoff", gate, gate_bytes),
        ("pip install 'signoff[github]'", github, github_bytes),
        ("pip install 'signoff[server]'", server, server_bytes),
    ):
        print(
            f"{label}: {len(names)} third-party packages, "
            f"{(size - floor - own) * mb:.1f} MB of them in site-packages "
            f"({(size - floor) * mb:.1f} MB with signoff)"
        )
    print("gate install:", ", ".join(gate))
    print("  largest:", gate_top)
    print("added by [github]:", ", ".join(n for n in github if n not in gate))
    print("  largest:", github_top)
    print("added by [server]:", ", ".join(n for n in server if n not in gate))
    print("  largest:", server_top)
    stack = [n for n in SERVER_STACK if n in gate]
    verdict = "PASS" if not stack else "FAIL: " + ", ".join(stack)
    print(f"target: no web framework or database driver in the gate install: {verdict}")


if __name__ == "__main__":
    main()
