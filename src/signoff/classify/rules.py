"""Table-driven classifiers: a classifier is an ident, a description and a tuple of rules.

Keeping rules as data lets one engine index every rule of every classifier at once (fast), lets
`docs/classes.md` be generated from the same tables (never stale), and keeps each classifier a
short list of (glob, reason) pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from signoff.classify.base import Classifier, Match
from signoff.globs import Glob, compile_glob, nocase
from signoff.taxonomy import FileClass

#: Classes a *generic* rule may name, in the order that breaks ties when only generic rules match.
#: Tests first (a test directory's code is test code), then source (code stays medium even when it
#: is also a version file such as `_version.py`, a docs helper such as `docs/conf.py` or sits in a
#: release-notes folder), then version, release-notes, and docs last (`CHANGELOG.md` is release
#: notes rather than docs).
GENERIC_ORDER: tuple[FileClass, ...] = (
    FileClass.TESTS,
    FileClass.SOURCE,
    FileClass.VERSION,
    FileClass.RELEASE_NOTES,
    FileClass.DOCS,
)

_IDENT = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


class AnyCase(str):
    """A pattern whose file name (last segment) matches in any ASCII case: `AnyCase("Dockerfile*")`.

    For names that tools or case-insensitive filesystems (macOS, Windows) read in any case, so a
    case variant cannot slip past a rule. Folders stay exact: git and GitHub are case-sensitive,
    so `.GitHub/workflows/` is not where workflows live. Shown as written.
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """A path pattern, the class it implies, and why, in words a user reads in `explain`."""

    pattern: str
    file_class: FileClass
    reason: str
    generic: bool = False
    any_case: bool = False

    @property
    def glob_pattern(self) -> str:
        """The pattern actually matched (letters expanded to `[xX]` when `any_case`)."""
        if not self.any_case:
            return self.pattern
        head, sep, name = self.pattern.rpartition("/")
        return f"{head}{sep}{nocase(name)}"

    @property
    def explanation(self) -> str:
        return f"{self.reason} (name matched in any case)" if self.any_case else self.reason

    def to_match(self, classifier: str) -> Match:
        return Match(self.file_class, classifier, self.explanation, self.generic, self.pattern)

    @property
    def glob(self) -> Glob:
        return compile_glob(self.glob_pattern)


def _rules(
    file_class: FileClass, pairs: tuple[tuple[str, str], ...], gen: bool
) -> tuple[Rule, ...]:
    return tuple(
        Rule(str(p), file_class, reason, gen, isinstance(p, AnyCase)) for p, reason in pairs
    )


def specific(file_class: FileClass, *pairs: tuple[str, str]) -> tuple[Rule, ...]:
    """Rules naming files by role; any specific match outranks every generic one."""
    return _rules(file_class, pairs, False)


def generic(file_class: FileClass, *pairs: tuple[str, str]) -> tuple[Rule, ...]:
    """Rules guessing from location or extension; they apply only when nothing specific does."""
    return _rules(file_class, pairs, True)


class RuleClassifier(Classifier):
    """A classifier defined entirely by its `rules` table, validated when the class is defined."""

    rules: ClassVar[tuple[Rule, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        if not _IDENT.fullmatch(getattr(cls, "ident", "")):
            raise ValueError(f"classifier {name} needs a kebab-case `ident`")
        if not getattr(cls, "desc", ""):
            raise ValueError(f"classifier {name} ({cls.ident}) needs a `desc`")
        if not getattr(cls, "rules", ()):
            raise ValueError(f"classifier {name} ({cls.ident}) has no rules")
        seen: set[str] = set()
        for rule in cls.rules:
            try:
                rule.glob  # noqa: B018  (compiles and validates the pattern)
            except ValueError as err:
                raise ValueError(f"classifier {cls.ident}: {err}") from None
            if rule.generic and rule.file_class not in GENERIC_ORDER:
                raise ValueError(
                    f"classifier {cls.ident}: generic rule {rule.pattern!r} names class "
                    f"{rule.file_class}, which is not one of {[str(c) for c in GENERIC_ORDER]}"
                )
            if rule.glob_pattern in seen:
                raise ValueError(f"classifier {cls.ident}: pattern {rule.pattern!r} listed twice")
            seen.add(rule.glob_pattern)

    def match(self, path: str) -> Iterator[Match]:
        """The straightforward reading of the table; the engine's indexed path must agree."""
        for rule in self.rules:
            if rule.glob.match(path):
                yield rule.to_match(self.ident)
