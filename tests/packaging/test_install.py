"""The sdist and the wheel, built as the release workflow builds them (`python -m build`), each
installed in a fresh virtual environment alone and with the `server` extra, and run from there
(tools/dist_smoke.py: --version, check on a new repository, serve --help, the gate install's
one-line refusal of serve, the server install's migration and documentation assets).

Slow (four installs from the package index): it runs in `make test` and in CI all the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_built_distributions_install_and_run(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    smoke = subprocess.run(
        [sys.executable, str(ROOT / "tools/dist_smoke.py"), str(dist)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    lines = smoke.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("ok: signoff-") for line in lines), lines
    assert sum("(gate only)" in line for line in lines) == 2
    assert sum("[server]" in line for line in lines) == 2
