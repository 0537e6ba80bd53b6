"""Semantic analysis: what changed *inside* a file, as typed facts (DESIGN.md §3 "Facts").

The registry is an explicit, ordered tuple (zizmor's ``registry.rs``): output order is stable and a
duplicate ident is refused at import. `analyze_file` is the one entry point the gate calls:

- it runs every analyzer whose `handles` accepts the new path (and the old path of a rename);
- any exception an analyzer raises becomes a high-risk ``parse-failed`` fact naming the file and,
  when known, the line; it never propagates and never passes silently;
- the secrets scan runs on the added lines of every text file, whatever its path.

`wants_content` tells the gate which blobs to fetch: every file, except paths no format analyzer
owns *and* whose extension says binary (images, archives, compiled code). Content that turns out
to be binary (a NUL in the first 8,000 bytes, as git decides) is still skipped by the secrets
scan, so the list only saves reads; it never decides risk.
"""

from __future__ import annotations

from collections.abc import Mapping

from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.changelog import ChangelogAnalyzer
from signoff.analysis.dockerfile import DockerfileAnalyzer
from signoff.analysis.github_actions import GitHubActionsAnalyzer
from signoff.analysis.gitlab_ci import GitLabCIAnalyzer
from signoff.analysis.go import GoModAnalyzer, GoSumAnalyzer
from signoff.analysis.java import GradleAnalyzer, PomAnalyzer
from signoff.analysis.kinds import KNOWN_FACTS, FactInfo
from signoff.analysis.npm_locks import PackageLockAnalyzer, PnpmLockAnalyzer, YarnLockAnalyzer
from signoff.analysis.npm_package import NpmPackageAnalyzer
from signoff.analysis.npmrc import NpmrcAnalyzer
from signoff.analysis.python_locks import PipfileLockAnalyzer, PoetryLockAnalyzer, UvLockAnalyzer
from signoff.analysis.python_pyproject import PyprojectAnalyzer
from signoff.analysis.python_requirements import RequirementsAnalyzer
from signoff.analysis.python_setup import SetupCfgAnalyzer, SetupPyAnalyzer
from signoff.analysis.ruby import GemfileAnalyzer, GemfileLockAnalyzer
from signoff.analysis.rust import BuildScriptAnalyzer, CargoLockAnalyzer, CargoTomlAnalyzer
from signoff.analysis.secrets import SecretsAnalyzer
from signoff.analysis.version import VersionFileAnalyzer
from signoff.analysis.zizmor import ZizmorAnalyzer
from signoff.facts import PARSE_FAILED, Fact
from signoff.taxonomy import Risk

__all__ = [
    "KNOWN_FACTS",
    "REGISTRY",
    "AnalysisError",
    "Analyzer",
    "FactInfo",
    "analyze_file",
    "analyzer_for",
    "wants_content",
]

SECRETS = SecretsAnalyzer()

REGISTRY: tuple[Analyzer, ...] = (
    PyprojectAnalyzer(),
    RequirementsAnalyzer(),
    SetupPyAnalyzer(),
    SetupCfgAnalyzer(),
    PoetryLockAnalyzer(),
    UvLockAnalyzer(),
    PipfileLockAnalyzer(),
    NpmPackageAnalyzer(),
    PackageLockAnalyzer(),
    YarnLockAnalyzer(),
    PnpmLockAnalyzer(),
    NpmrcAnalyzer(),
    GoModAnalyzer(),
    GoSumAnalyzer(),
    CargoTomlAnalyzer(),
    CargoLockAnalyzer(),
    BuildScriptAnalyzer(),
    GemfileAnalyzer(),
    GemfileLockAnalyzer(),
    PomAnalyzer(),
    GradleAnalyzer(),
    DockerfileAnalyzer(),
    GitHubActionsAnalyzer(),
    ZizmorAnalyzer(),
    GitLabCIAnalyzer(),
    VersionFileAnalyzer(),
    ChangelogAnalyzer(),
    SECRETS,
)


def _check(registry: tuple[Analyzer, ...]) -> Mapping[str, Analyzer]:
    by_ident: dict[str, Analyzer] = {}
    for analyzer in registry:
        if analyzer.ident in by_ident:
            raise RuntimeError(f"analyzer ident {analyzer.ident!r} registered twice")
        by_ident[analyzer.ident] = analyzer
    return by_ident


_BY_IDENT = _check(REGISTRY)

#: Extensions of content no analyzer can read; such blobs need not be fetched.
BINARY_EXTENSIONS = frozenset(
    [
        "7z",
        "a",
        "avif",
        "bin",
        "bmp",
        "bz2",
        "class",
        "dll",
        "dmg",
        "dylib",
        "eot",
        "exe",
        "gif",
        "gz",
        "ico",
        "jar",
        "jpeg",
        "jpg",
        "lib",
        "mo",
        "mp3",
        "mp4",
        "o",
        "obj",
        "otf",
        "pdf",
        "png",
        "pyc",
        "pyd",
        "so",
        "tar",
        "tgz",
        "tif",
        "tiff",
        "ttf",
        "war",
        "wasm",
        "webm",
        "webp",
        "whl",
        "woff",
        "woff2",
        "xz",
        "zip",
        "zst",
    ]
)


def analyzer_for(ident: str) -> Analyzer:
    return _BY_IDENT[ident]


def _handlers(path: str, old_path: str | None) -> list[Analyzer]:
    paths = [path] if old_path in (None, path) else [path, old_path]
    return [a for a in REGISTRY if a is not SECRETS and any(a.handles(p) for p in paths if p)]


def wants_content(path: str, old_path: str | None = None) -> bool:
    """Whether `analyze_file` can use this file's blobs (see the module docstring)."""
    if _handlers(path, old_path):
        return True
    name = path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext not in BINARY_EXTENSIONS


def analyze_file(
    path: str, old: bytes | None, new: bytes | None, *, old_path: str | None = None
) -> list[Fact]:
    """Every fact about one changed file; parse failures come back as ``parse-failed`` facts."""
    facts: list[Fact] = []
    for analyzer in (*_handlers(path, old_path), SECRETS):
        facts += run(analyzer, path, old, new)
    return facts


def run(analyzer: Analyzer, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
    """One analyzer, with any failure turned into a ``parse-failed`` fact (fail closed)."""
    try:
        return analyzer.analyze(path, old, new)
    except Exception as err:
        return [parse_failed(analyzer, path, err)]


def parse_failed(analyzer: Analyzer, path: str, err: Exception) -> Fact:
    line = getattr(err, "line", None) if isinstance(err, AnalysisError) else None
    side = getattr(err, "side", "") if isinstance(err, AnalysisError) else ""
    reason = err.message if isinstance(err, AnalysisError) else f"{type(err).__name__}: {err}"
    where = f" at line {line}" if line else ""
    version = f" ({side} version)" if side else ""
    text = f"{path}: could not be parsed by {analyzer.ident}{version}{where}: {reason}"
    detail = [("error", reason[:300])]
    if side:
        detail.append(("side", side))
    return Fact(
        kind=PARSE_FAILED,
        path=path,
        message=text,
        risk=Risk.HIGH,
        analyzer=analyzer.ident,
        line=line if side != "old" else None,
        detail=tuple(detail),
    )
