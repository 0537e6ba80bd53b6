"""Path classification: which class (how release-impacting) a changed path is.

Every classifier in `REGISTRY` looks at the path. Resolution:

1. If any *specific* match exists (a rule naming the file by role), the class is the riskiest of
   them (`taxonomy.riskier`: higher risk, then taxonomy order).
2. Otherwise the first *generic* match in `GENERIC_ORDER`: tests, source, version, release-notes,
   docs. Code stays medium even as a version file or under docs/; CHANGELOG.md is release notes.
3. Otherwise `unknown`, which is treated as high risk.

Policy `extra` globs are specific matches of the pseudo-classifier `policy`, applied after these
steps through `riskier`: a policy can add risk but never lower it, not even below `unknown`.

All rules of all table-driven classifiers go into one indexed `GlobSet`, built on the first
classification (nothing is compiled at import), so classifying a path checks only the few rules
that could match it, mostly by dict lookups, and each distinct set of matching rules is resolved
once.
"""

from __future__ import annotations

from functools import lru_cache, reduce
from typing import TYPE_CHECKING, NamedTuple

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
from signoff.classify.rules import GENERIC_ORDER, Rule, RuleClassifier
from signoff.classify.rust import Rust
from signoff.classify.signing import SigningPublishing
from signoff.classify.source import PRODUCT_ROOTS, Source
from signoff.classify.tests import Tests
from signoff.classify.tool_config import ToolConfig
from signoff.classify.version import VersionFiles
from signoff.patterns.globs import compile_glob
from signoff.patterns.globset import GlobSet
from signoff.taxonomy import RISK, FileClass, Risk, riskier

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    Extra = Mapping[FileClass, Sequence[str]]

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


class PathClass(NamedTuple):
    """The class of one path, every match that led to it (for `signoff explain`), and why."""

    file_class: FileClass
    risk: Risk
    matches: tuple[Match, ...]
    reason: str


def _describe(match: Match) -> str:
    what = f"`{match.pattern}`" if match.pattern else "a rule"
    return f"matches {what} ({match.classifier}): {match.reason}"


def _resolve_registry(matches: Sequence[Match]) -> tuple[FileClass, str]:
    roots = [m for m in matches if m.generic and m.pattern in PRODUCT_ROOTS]
    if roots:  # a product root only cancels test *names*; it classes nothing by itself
        folder_tests = any(m.file_class is FileClass.TESTS and "/" in m.pattern for m in matches)
        matches = [
            m
            for m in matches
            if m not in roots and (folder_tests or m.file_class is not FileClass.TESTS)
        ]
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
    """A registry plus policy extras, indexed once; `classify` is the fast path.

    The index needs no regex for the usual pattern shapes (see `GlobSet`) and creates a rule's
    `Match` only when the rule first matches, so building it is cheap.
    """

    def __init__(self, registry: Iterable[Classifier] = REGISTRY, extra: Extra | None = None):
        self._custom: list[tuple[int, Classifier]] = []
        #: Per indexed pattern: its rule (or, for a policy glob, its Match) and classifier ident.
        self._sources: list[Rule | Match] = []
        self._idents: list[str] = []
        self._keys: list[tuple[int, int]] = []  # (registry position, rule number), if custom
        patterns: list[str] = []
        any_case: list[int] = []
        registry = tuple(registry)
        for pos, clf in enumerate(registry):
            if isinstance(clf, RuleClassifier):
                rules = clf.rules
                start = len(patterns)
                self._sources += rules
                self._idents += [clf.ident] * len(rules)
                patterns += [rule.pattern for rule in rules]
                any_case += [start + n for n, rule in enumerate(rules) if rule.any_case]
                self._keys += [(pos, n) for n in range(len(rules))]
            else:
                self._custom.append((pos, clf))
        for n, (cls, globs) in enumerate(_extra_items(extra)):
            self._keys.append((len(registry), n))
            patterns.append(globs)
            self._idents.append(POLICY_IDENT)
            self._sources.append(
                Match(FileClass(cls), POLICY_IDENT, f"policy adds this path to {cls}", False, globs)
            )
        try:
            self._set = GlobSet(patterns, any_case=any_case)
        except ValueError:
            for ident, source in zip(self._idents, self._sources, strict=True):
                if isinstance(source, Rule):
                    try:
                        source.glob  # noqa: B018  (compiles and validates the pattern)
                    except ValueError as err:
                        raise ValueError(f"classifier {ident}: {err}") from None
            raise
        self._match_of: dict[int, Match] = {}
        # A PathClass holds no path, so one per distinct combination of matching rules suffices.
        self._resolved: dict[tuple[int, ...], PathClass] = {}

    def _match(self, i: int) -> Match:
        match = self._match_of.get(i)
        if match is None:
            source = self._sources[i]
            match = source.to_match(self._idents[i]) if isinstance(source, Rule) else source
            self._match_of[i] = match
        return match

    def classify(self, path: str) -> PathClass:
        hits = tuple(self._set.matches(path))  # ascending = registry order, then rule order
        if self._custom:
            found = [(self._keys[i], self._match(i)) for i in hits]
            for pos, clf in self._custom:
                found.extend(((pos, -1), m) for m in clf.match(path))
            found.sort(key=lambda km: km[0])
            return resolve(tuple(m for _, m in found))
        known = self._resolved.get(hits)
        if known is None:
            if len(self._resolved) > 65536:
                self._resolved.clear()
            known = self._resolved[hits] = resolve(tuple(self._match(i) for i in hits))
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
