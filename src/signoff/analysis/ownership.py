"""Which analyzer owns which path: the one source of truth for every analyzer's `handles`.

Plain string tests on posix, repo-relative, case-sensitive paths (as git spells them), keyed by
analyzer ident in registry order. This module imports nothing heavy so the gate can decide which
analyzers a change needs, and which blobs to fetch, without importing any analyzer module: an
analyzer's module is loaded only when a path it owns is analyzed. Each analyzer's `handles`
delegates here; tests/analysis/test_lazy_registry.py checks that they agree.

`OWNS[ident]` is exact for every analyzer but ``zizmor``, which also needs a ``zizmor``
executable on PATH (a run-time check its `handles` adds); its paths are the ``github-actions``
ones, so which files need content never depends on that check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _named(*names: str) -> Callable[[str], bool]:
    """Owns the files with one of these base names, in any directory."""
    wanted = frozenset(names)

    def owns(path: str) -> bool:
        return _name(path) in wanted

    return owns


def python_requirements(path: str) -> bool:
    parent, _, name = path.rpartition("/")
    if name.endswith((".txt", ".in")) and ("requirements" in name or "constraints" in name):
        return True
    return parent.rsplit("/", 1)[-1] == "requirements" and name.endswith((".txt", ".in"))


def gradle(path: str) -> bool:
    name = _name(path)
    return name.endswith((".gradle", ".gradle.kts")) or name == "gradle-wrapper.properties"


def dockerfile(path: str) -> bool:
    name = _name(path)
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or name.endswith(".Dockerfile")
    )


def github_actions(path: str) -> bool:
    name = _name(path)
    if name in ("action.yml", "action.yaml"):
        return True
    return "/.github/workflows/" in f"/{path}" and name.endswith((".yml", ".yaml"))


def gitlab_ci(path: str) -> bool:
    name = _name(path)
    if name == ".gitlab-ci.yml" or name.endswith(".gitlab-ci.yml"):
        return True
    return path.startswith(".gitlab/ci/") and name.endswith((".yml", ".yaml"))


@cache
def _changelog_name() -> re.Pattern[str]:
    return re.compile(
        r"^(?:CHANGELOG|CHANGES|HISTORY|NEWS|RELEASE[-_]?NOTES|RELEASES)"
        r"(?:\.(?:md|markdown|rst|txt|adoc)|[-_][A-Za-z0-9_.-]*\.(?:md|markdown|rst|txt|adoc))?$",
        re.IGNORECASE,
    )


@cache
def _fragment() -> re.Pattern[str]:
    """Changelog fragments and release-notes folders (signoff.classify.release_notes), text only."""
    return re.compile(
        r"(?:^|/)(?:release-notes|releasenotes|changelog\.d|newsfragments|\.changes|\.changeset)/"
        r"|^(?:news|changes)/",
        re.IGNORECASE,
    )


_TEXT = (".md", ".markdown", ".rst", ".txt", ".adoc")
#: towncrier's fragment types, written without a text extension (`newsfragments/123.bugfix`)
_TOWNCRIER = (".bugfix", ".feature", ".doc", ".removal", ".misc", ".breaking", ".deprecation")


def changelog(path: str) -> bool:
    if _changelog_name().match(_name(path)):
        return True
    return _fragment().search(path) is not None and path.lower().endswith(_TEXT + _TOWNCRIER)


def anything(path: str) -> bool:
    return True


#: Path predicate of every analyzer, by ident, in registry order (see `signoff.analysis`).
OWNS: Mapping[str, Callable[[str], bool]] = MappingProxyType(
    {
        "python-pyproject": _named("pyproject.toml"),
        "python-requirements": python_requirements,
        "python-setup-py": _named("setup.py"),
        "python-setup-cfg": _named("setup.cfg"),
        "poetry-lock": _named("poetry.lock"),
        "uv-lock": _named("uv.lock"),
        "pipfile-lock": _named("Pipfile.lock"),
        "npm-package": _named("package.json"),
        "npm-package-lock": _named("package-lock.json", "npm-shrinkwrap.json"),
        "yarn-lock": _named("yarn.lock"),
        "pnpm-lock": _named("pnpm-lock.yaml"),
        "npmrc": _named(".npmrc", ".yarnrc.yml"),
        "go-mod": _named("go.mod"),
        "go-sum": _named("go.sum", "go.work.sum"),
        "cargo-toml": _named("Cargo.toml"),
        "cargo-lock": _named("Cargo.lock"),
        "cargo-build-script": _named("build.rs"),
        "ruby-gemfile": _named("Gemfile", "gems.rb"),
        "ruby-gemfile-lock": _named("Gemfile.lock", "gems.locked"),
        "maven-pom": _named("pom.xml"),
        "gradle": gradle,
        "dockerfile": dockerfile,
        "github-actions": github_actions,
        "zizmor": github_actions,
        "gitlab-ci": gitlab_ci,
        "version-file": _named(
            "VERSION",
            "VERSION.txt",
            "version.txt",
            "__init__.py",
            "_version.py",
            "version.py",
            "__about__.py",
            "__version__.py",
        ),
        "changelog": changelog,
        "secrets": anything,
    }
)


def owns(ident: str, path: str) -> bool:
    """Whether analyzer `ident` owns `path` (zizmor: if it is installed; see the docstring)."""
    return OWNS[ident](path)


#: Analyzers that read a dependency manifest or a lockfile: a file one of them reads takes that
#: class wherever it sits (`site/doc-requirements.txt` is a requirements file, not docs).
MANIFESTS = frozenset(
    {"python-pyproject", "python-requirements", "python-setup-cfg", "npm-package", "go-mod",
     "cargo-toml", "ruby-gemfile", "maven-pom"}
)  # fmt: skip
LOCKFILES = frozenset(
    {"poetry-lock", "uv-lock", "pipfile-lock", "npm-package-lock", "yarn-lock", "pnpm-lock",
     "go-sum", "cargo-lock", "ruby-gemfile-lock"}
)  # fmt: skip


def read_as(path: str) -> tuple[str, str] | None:
    """("dependency-manifest" or "lockfile", analyzer ident) when an analyzer reads the path in
    one of those formats; None otherwise."""
    for ident in (*sorted(LOCKFILES), *sorted(MANIFESTS)):
        if OWNS[ident](path):
            return ("lockfile" if ident in LOCKFILES else "dependency-manifest"), ident
    return None
