"""Path classification: which class (how release-impacting) a changed path is.

Every classifier in `REGISTRY` looks at the path. Resolution:

1. If any *specific* match exists (a rule naming the file by role), the class is the riskiest of
   them (`taxonomy.riskier`: higher risk, then taxonomy order).
2. Otherwise the first *generic* match in `GENERIC_ORDER`: tests, source, version, release-notes,
   docs. Code stays medium even as a version file or under docs/; CHANGELOG.md is release notes.
3. Otherwise `unknown`, which is treated as high risk.

Policy `extra` globs are specific matches of the pseudo-classifier `policy`, applied after these
steps through `riskier`: a policy can add risk but never lower it, not even below `unknown`.

All rules of all table-driven classifiers compile into one indexed `GlobSet`, so classifying a
path runs only the few regexes that could match it, and each distinct set of matching rules is
resolved once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce

from signoff.classify.agents import AgentInstructions
from signoff.classify.base import Classifier, Match
from signoff.classify.build_tools import BuildTools
from signoff.classify.ci_services import CIServices
from signoff.classify.containers import Containers
from signoff.classify.deployment import Deployment
from signoff.classify.docs import Docs
from signoff.classify.dotnet import DotNet
from signoff.classify.ecosystems import OtherEcosystems
from signoff.classify.github_actions import GitHubActions
from signoff.classify.go import Go
from signoff.classify.governance import Governance
from signoff.classify.javascript import JavaScript
from signoff.classify.jvm import JVM
from signoff.classify.php import PHP
from signoff.classify.python import Python
from signoff.classify.release_notes import ReleaseNotes
from signoff.classify.repo_config import RepoConfig
from signoff.classify.ruby import Ruby
from signoff.classify.rules import GENERIC_ORDER, RuleClassifier
from signoff.classify.rust import Rust
from signoff.classify.signing import SigningPublishing
from signoff.classify.source import Source
from signoff.classify.tests import Tests
from signoff.classify.tool_config import ToolConfig
from signoff.classify.version import VersionFiles
from signoff.globs import GlobSet, compile_glob
from signoff.taxonomy import RISK, FileClass, Risk, riskier

__all__ = [
    "GENERIC_ORDER",
    "POLICY_IDENT",
    "REGISTRY",
    "PathClass",
    "PathClassifier",
    "build_registry",
    "classify_path",
]

#: The pseudo-classifier that policy `extra` globs are reported under.
POLICY_IDENT = "policy"

Extra = Mapping[FileClass, Sequence[str]]


def build_registry(*classifiers: Classifier) -> tuple[Classifier, ...]:
    """An ordered registry; refuses a duplicate ident (matches would be ambiguous in `explain`)."""
    seen: dict[str, Classifier] = {}
    for clf in classifiers:
        if clf.ident == POLICY_IDENT:
            raise ValueError(f"classifier ident {POLICY_IDENT!r} is reserved for policy globs")
        if clf.ident in seen:
            raise ValueError(
                f"duplicate classifier ident {clf.ident!r}: "
                f"{type(seen[clf.ident]).__name__} and {type(clf).__name__}"
            )
        seen[clf.ident] = clf
    return tuple(classifiers)


#: Every built-in classifier, in the order their matches are reported.
REGISTRY: tuple[Classifier, ...] = build_registry(
    Governance(),
    AgentInstructions(),
    SigningPublishing(),
    GitHubActions(),
    CIServices(),
    Python(),
    JavaScript(),
    Go(),
    Rust(),
    JVM(),
    Ruby(),
    DotNet(),
    PHP(),
    OtherEcosystems(),
    Containers(),
    BuildTools(),
    Deployment(),
    RepoConfig(),
    ToolConfig(),
    VersionFiles(),
    ReleaseNotes(),
    Tests(),
    Docs(),
    Source(),
)


@dataclass(frozen=True, slots=True)
class PathClass:
    """The class of one path, every match that led to it (for `signoff explain`), and why."""

    file_class: FileClass
    risk: Risk
    matches: tuple[Match, ...]
    reason: str


def _describe(match: Match) -> str:
    what = f"`{match.pattern}`" if match.pattern else "a rule"
    return f"matches {what} ({match.classifier}): {match.reason}"


def _resolve_registry(matches: Sequence[Match]) -> tuple[FileClass, str]:
    specific = [m for m in matches if not m.generic]
    if specific:
        cls = reduce(riskier, (m.file_class for m in specific))
        winner = next(m for m in specific if m.file_class is cls)
        return cls, _describe(winner)
    for cls in GENERIC_ORDER:
        for m in matches:
            if m.file_class is cls:
                return cls, f"{_describe(m)}; no specific rule matched"
    if matches:  # a custom classifier's generic match of a class outside GENERIC_ORDER
        cls = reduce(riskier, (m.file_class for m in matches))
        return cls, _describe(matches[0])
    return FileClass.UNKNOWN, (
        "no classifier recognises this path; unrecognised files are treated as high risk"
    )


def resolve(matches: tuple[Match, ...]) -> PathClass:
    """Apply the resolution rule (module docstring) to a path's matches.

    Policy matches are applied last and only through `riskier`, so they never lower the class
    the classifiers found, not even `unknown` (a policy cannot declassify an unrecognised file).
    """
    policy = [m for m in matches if m.classifier == POLICY_IDENT]
    cls, reason = _resolve_registry([m for m in matches if m.classifier != POLICY_IDENT])
    if policy:
        raised = reduce(riskier, (m.file_class for m in policy), cls)
        if raised is not cls:
            winner = next(m for m in policy if m.file_class is raised)
            reason = f"{_describe(winner)}; raised from {cls}"
            cls = raised
    return PathClass(cls, RISK[cls], matches, reason)


class PathClassifier:
    """A registry plus policy extras, compiled once; `classify` is the fast path."""

    def __init__(self, registry: Iterable[Classifier] = REGISTRY, extra: Extra | None = None):
        self._custom: list[tuple[int, Classifier]] = []
        keys: list[tuple[int, int]] = []
        patterns: list[str] = []
        self._matches: list[Match] = []
        registry = tuple(registry)
        for pos, clf in enumerate(registry):
            if isinstance(clf, RuleClassifier):
                for n, rule in enumerate(clf.rules):
                    keys.append((pos, n))
                    patterns.append(rule.glob_pattern)
                    self._matches.append(rule.to_match(clf.ident))
            else:
                self._custom.append((pos, clf))
        for n, (cls, globs) in enumerate(_extra_items(extra)):
            keys.append((len(registry), n))
            patterns.append(globs)
            self._matches.append(
                Match(FileClass(cls), POLICY_IDENT, f"policy adds this path to {cls}", False, globs)
            )
        self._keys = keys
        self._set = GlobSet(patterns)
        # A PathClass holds no path, so one per distinct combination of matching rules suffices.
        self._resolved: dict[tuple[int, ...], PathClass] = {}

    def classify(self, path: str) -> PathClass:
        hits = tuple(self._set.matches(path))  # ascending = registry order, then rule order
        if self._custom:
            found = [(self._keys[i], self._matches[i]) for i in hits]
            for pos, clf in self._custom:
                found.extend(((pos, -1), m) for m in clf.match(path))
            found.sort(key=lambda km: km[0])
            return resolve(tuple(m for _, m in found))
        known = self._resolved.get(hits)
        if known is None:
            if len(self._resolved) > 65536:
                self._resolved.clear()
            known = self._resolved[hits] = resolve(tuple(self._matches[i] for i in hits))
        return known


def _extra_items(extra: Extra | None) -> list[tuple[FileClass, str]]:
    items: list[tuple[FileClass, str]] = []
    for cls, globs in (extra or {}).items():
        if isinstance(globs, str):
            raise TypeError(f"extra globs for {cls} must be a list of patterns, not a string")
        for pattern in globs:
            compile_glob(pattern)  # raises ValueError naming the bad pattern
            items.append((FileClass(cls), pattern))
    return items


@lru_cache(maxsize=32)
def _compiled(extra_key: tuple[tuple[FileClass, tuple[str, ...]], ...]) -> PathClassifier:
    return PathClassifier(REGISTRY, {cls: globs for cls, globs in extra_key})


def classify_path(path: str, extra: Extra | None = None) -> PathClass:
    """Classify one repo-relative posix path; `extra` adds policy globs per class."""
    if not extra:
        return _compiled(()).classify(path)
    key: list[tuple[FileClass, tuple[str, ...]]] = []
    for cls, globs in extra.items():
        if isinstance(globs, str):
            raise TypeError(f"extra globs for {cls} must be a list of patterns, not a string")
        key.append((cls, tuple(globs)))
    return _compiled(tuple(key)).classify(path)
