"""Optional adapter for zizmor (docs.zizmor.sh), GitHub Actions' static auditor.

The one analyzer that leaves the pure core: it writes the old and new workflow to a temporary
directory and runs ``zizmor --offline --no-config --no-ignores --format json`` on each. It is
skipped when no ``zizmor`` executable is on PATH, so results can differ between machines with and
without it; the built-in ``github-actions`` analyzer always runs. ``--no-ignores`` because the
change under review could add ``# zizmor: ignore[...]`` comments; ``--no-config`` because the
config lives in the same tree. Only findings that are new (not present for the old file, compared
by audit and the code they point at) are reported.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from signoff.analysis._text import short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.ownership import owns
from signoff.facts import Fact
from signoff.taxonomy import Risk

_SEVERITY = {"high": Risk.HIGH, "medium": Risk.MEDIUM, "low": Risk.LOW, "informational": Risk.LOW}
#: zizmor exits 0 (no findings) or 11-14 (worst severity found); anything else is a failure.
_OK_CODES = frozenset({0, 11, 12, 13, 14})
TIMEOUT_SECONDS = 60


class ZizmorAnalyzer(Analyzer):
    ident = "zizmor"
    desc = "new zizmor findings in changed GitHub Actions files (only when zizmor is installed)"

    def __init__(self, executable: str = "zizmor") -> None:
        self.executable = executable

    def available(self) -> str | None:
        return shutil.which(self.executable)

    def handles(self, path: str) -> bool:
        return owns(self.ident, path) and self.available() is not None

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        exe = self.available()
        if exe is None or new is None:
            return []
        try:
            before = self._findings(exe, path, old) if old is not None else []
        except AnalysisError:
            before = []  # an unreadable old file: every finding in the new one is new
        after = self._findings(exe, path, new)
        seen = Counter(_key(f) for f in before)
        facts: list[Fact] = []
        for finding in after:
            key = _key(finding)
            if seen[key] > 0:
                seen[key] -= 1
                continue
            facts.append(self._fact(path, finding))
        return facts

    def _findings(self, exe: str, path: str, content: bytes) -> list[dict[str, Any]]:
        name = path.rsplit("/", 1)[-1]
        with tempfile.TemporaryDirectory(prefix="signoff-zizmor-") as tmp:
            where = Path(tmp) / (
                name if name.startswith("action.") else f".github/workflows/{name}"
            )
            where.parent.mkdir(parents=True, exist_ok=True)
            where.write_bytes(content)
            try:
                proc = subprocess.run(
                    [
                        exe,
                        "--offline",
                        "--no-config",
                        "--no-ignores",
                        "--no-progress",
                        "--format",
                        "json",
                        str(where),
                    ],
                    capture_output=True,
                    timeout=TIMEOUT_SECONDS,
                    check=False,
                    cwd=tmp,
                )
            except (OSError, subprocess.TimeoutExpired) as err:
                raise AnalysisError(f"zizmor could not run: {err}") from err
        if proc.returncode not in _OK_CODES:
            reason = _last_line(proc.stderr) or f"exit code {proc.returncode}"
            raise AnalysisError(f"zizmor rejected the file: {reason}")
        try:
            findings = json.loads(proc.stdout or b"[]")
        except json.JSONDecodeError as err:
            raise AnalysisError("zizmor printed invalid JSON") from err
        if not isinstance(findings, list):
            raise AnalysisError("zizmor printed an unexpected JSON shape")
        return [f for f in findings if isinstance(f, dict)]

    def _fact(self, path: str, finding: dict[str, Any]) -> Fact:
        ident = str(finding.get("ident", "unknown"))
        severity = str(finding.get("determinations", {}).get("severity", "")).lower()
        primary = _primary(finding)
        concrete = primary.get("concrete", {}) if primary else {}
        row = concrete.get("location", {}).get("start_point", {}).get("row")
        annotation = primary.get("symbolic", {}).get("annotation", "") if primary else ""
        text = f"zizmor {ident}: {finding.get('desc', '')}"
        if annotation:
            text += f" ({annotation})"
        return self.fact(
            "zizmor-finding",
            path,
            text,
            line=row + 1 if isinstance(row, int) else None,
            risk=_SEVERITY.get(severity, Risk.HIGH),
            audit=ident,
            severity=severity or None,
            url=str(finding.get("url", "")) or None,
        )


def _primary(finding: dict[str, Any]) -> dict[str, Any]:
    for loc in finding.get("locations") or []:
        if isinstance(loc, dict) and loc.get("symbolic", {}).get("kind") == "Primary":
            return loc
    return {}


def _key(finding: dict[str, Any]) -> tuple[str, str]:
    feature = _primary(finding).get("concrete", {}).get("feature", "")
    return str(finding.get("ident")), " ".join(str(feature).split())


def _last_line(data: bytes) -> str:
    lines = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if "error" in ln.lower() or "WARN" in ln]
    return short((errors or lines or [""])[0], 200)


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (ZizmorAnalyzer,)
