"""Semantic analysis: what changed *inside* a file, as typed facts (docs/facts.md).

The registry is an explicit, ordered table (zizmor's ``registry.rs``): output order is stable and a
duplicate ident is refused at import. Analyzers are imported and built lazily: which ones a path
needs is decided by the plain predicates of `signoff.analysis.ownership`, so the gate, which must
start fast, imports an analyzer module (and its parsers) only for a file that analyzer owns.
`REGISTRY`, the tuple of every analyzer, is built on first access. `analyze_file` is the one entry
point the gate calls:

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

import importlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.kinds import KNOWN_FACTS, FactInfo
from signoff.analysis.ownership import OWNS
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
    "warm_up",
]

#: The registry, in output order: (ident, module under signoff.analysis). Each module lists its
#: analyzers in `ANALYZERS` (zizmor's shape: the module owns its analyzers, the registry owns the
#: order; nothing is reached through a class name in a string). Modules are
#: imported and analyzers built on first use, so a change touching only ordinary source files
#: never imports the format analyzers (nor their parsers); which analyzers a path needs is
#: decided by `signoff.analysis.ownership`, the predicates every `handles` delegates to.
_TABLE: tuple[tuple[str, str], ...] = (
    ("python-pyproject", "python_pyproject"),
    ("python-requirements", "python_requirements"),
    ("python-setup-py", "python_setup"),
    ("python-setup-cfg", "python_setup"),
    ("poetry-lock", "python_locks"),
    ("uv-lock", "python_locks"),
    ("pipfile-lock", "python_locks"),
    ("npm-package", "npm_package"),
    ("npm-package-lock", "npm_locks"),
    ("yarn-lock", "npm_locks"),
    ("pnpm-lock", "npm_locks"),
    ("npmrc", "npmrc"),
    ("go-mod", "go"),
    ("go-sum", "go"),
    ("cargo-toml", "rust"),
    ("cargo-lock", "rust"),
    ("cargo-build-script", "rust"),
    ("ruby-gemfile", "ruby"),
    ("ruby-gemfile-lock", "ruby"),
    ("maven-pom", "java"),
    ("gradle", "java"),
    ("dockerfile", "dockerfile"),
    ("github-actions", "github_actions"),
    ("zizmor", "zizmor"),
    ("gitlab-ci", "gitlab_ci"),
    ("version-file", "version"),
    ("changelog", "changelog"),
    ("secrets", "secrets"),
)
_SECRETS = "secrets"

if TYPE_CHECKING:
    #: Every analyzer, in order; built (importing every analyzer module) on first access.
    REGISTRY: tuple[Analyzer, ...]
    SECRETS: Analyzer


def _check(registry: Iterable[Analyzer]) -> Mapping[str, Analyzer]:
    by_ident: dict[str, Analyzer] = {}
    for analyzer in registry:
        if analyzer.ident in by_ident:
            raise RuntimeError(f"analyzer ident {analyzer.ident!r} registered twice")
        by_ident[analyzer.ident] = analyzer
    return by_ident


def _check_table(table: tuple[tuple[str, str], ...]) -> dict[str, str]:
    where: dict[str, str] = {}
    for ident, module in table:
        if ident in where:
            raise RuntimeError(f"analyzer ident {ident!r} registered twice")
        if ident not in OWNS:
            raise RuntimeError(f"analyzer {ident!r} has no path predicate in paths.OWNS")
        where[ident] = module
    if list(where) != list(OWNS):
        raise RuntimeError("paths.OWNS and the registry table list different analyzers")
    return where


_WHERE = _check_table(_TABLE)
#: (ident, path predicate) of every format analyzer, in registry order (secrets runs last).
_FORMATS: tuple[tuple[str, Callable[[str], bool]], ...] = tuple(
    (ident, OWNS[ident]) for ident, _ in _TABLE if ident != _SECRETS
)
_LOADED: dict[str, Analyzer] = {}


def _load(ident: str) -> Analyzer:
    """The analyzer `ident`, importing its module on first use (one instance per ident)."""
    analyzer = _LOADED.get(ident)
    if analyzer is None:
        module = _WHERE[ident]
        provided = importlib.import_module(f"{__name__}.{module}").ANALYZERS
        found = [cls for cls in provided if cls.ident == ident]
        if len(found) != 1:
            raise RuntimeError(f"{module}.ANALYZERS has no single analyzer {ident!r}")
        analyzer = _LOADED.setdefault(ident, found[0]())
    return analyzer


def __getattr__(name: str) -> object:
    if name == "REGISTRY":
        registry = tuple(_load(ident) for ident, _ in _TABLE)
        _check(registry)
        globals()["REGISTRY"] = registry
        return registry
    if name == "SECRETS":
        return _load(_SECRETS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    if ident not in _WHERE:
        raise KeyError(ident)
    return _load(ident)


@lru_cache(maxsize=4096)
def _owned(path: str, old_path: str | None) -> tuple[str, ...]:
    """Idents of the format analyzers whose paths include `path` or the renamed `old_path`.

    Cached: the gate asks twice per file (which blobs to fetch, then which analyzers to run).
    """
    if old_path in (None, path):
        return tuple([ident for ident, owns in _FORMATS if owns(path)])
    return tuple([ident for ident, owns in _FORMATS if owns(path) or (old_path and owns(old_path))])


def _handlers(path: str, old_path: str | None) -> list[Analyzer]:
    paths = [path] if old_path in (None, path) else [path, old_path]
    loaded = (_load(ident) for ident in _owned(path, old_path))
    return [a for a in loaded if any(a.handles(p) for p in paths if p)]


def wants_content(path: str, old_path: str | None = None) -> bool:
    """Whether `analyze_file` can use this file's blobs (see the module docstring)."""
    if _owned(path, old_path):  # predicates only: no analyzer module is imported here
        return True
    name = path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext not in BINARY_EXTENSIONS


def analyze_file(
    path: str, old: bytes | None, new: bytes | None, *, old_path: str | None = None
) -> list[Fact]:
    """Every fact about one changed file; parse failures come back as ``parse-failed`` facts."""
    facts: list[Fact] = []
    for analyzer in (*_handlers(path, old_path), _load(_SECRETS)):
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


def warm_up(chars: int) -> None:
    """About `chars` characters of file content are about to be analyzed: the secrets scan's
    engine starts compiling in the background if that much pays for it."""
    from signoff.analysis._secrets_scan import warm_up as secrets_warm_up

    secrets_warm_up(chars)
