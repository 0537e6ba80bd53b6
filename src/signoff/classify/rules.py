"""Table-driven classifiers: a classifier is an ident, a description and a tuple of rules.

Keeping rules as data lets one engine index every rule of every classifier at once (fast), lets
`docs/classes.md` be generated from the same tables (never stale), and keeps each classifier a
short list of (glob, reason) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, NamedTuple

from signoff.classify.base import Classifier, Match
from signoff.patterns.globs import Glob, NoCasePath, compile_glob, nocase
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

_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _is_ident(text: str) -> bool:
    """Kebab-case: `[a-z][a-z0-9]*(-[a-z0-9]+)*`, checked without compiling a regex."""
    return (
        text[:1].isalpha()
        and text[:1].islower()
        and text[:1].isascii()
        and _IDENT_CHARS.issuperset(text)
        and "--" not in text
        and not text.endswith("-")
    )


class AnyCase(str):
    """A pattern whose file name (last segment) matches in any ASCII case: `AnyCase("Dockerfile*")`.

    For names that tools or case-insensitive filesystems (macOS, Windows) read in any case, so a
    case variant cannot slip past a rule. Folders stay exact: git and GitHub are case-sensitive,
    so `.GitHub/workflows/` is not where workflows live. Shown as written.
    """

    __slots__ = ()


class Rule(NamedTuple):
    """A path pattern, the class it implies, and why, in words a user reads in `explain`."""

    pattern: str
    file_class: FileClass
    reason: str
    generic: bool = False
    any_case: bool = False
    #: the whole path (folders too) matches in any ASCII case: see `any_case_paths`
    any_case_path: bool = False

    @property
    def glob_pattern(self) -> str:
        """The pattern actually matched (letters expanded to `[xX]` when matched in any case)."""
        if self.any_case_path:
            return nocase(self.pattern)
        if not self.any_case:
            return self.pattern
        head, sep, name = self.pattern.rpartition("/")
        return f"{head}{sep}{nocase(name)}"

    @property
    def explanation(self) -> str:
        if self.any_case_path:
            return f"{self.reason} (path matched in any case)"
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


def any_case_paths(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The same rules, each matching its whole path in any ASCII case, folders included.

    For what a tool reads wherever a case-insensitive filesystem (macOS, Windows) lets a variant
    stand for the real name: Claude Code reads `.Claude/commands/x.md` there as `.claude/…`.
    """
    return tuple(
        Rule(NoCasePath(r.pattern), r.file_class, r.reason, r.generic, r.any_case, True)
        for r in rules
    )


def specific(file_class: FileClass, *pairs: tuple[str, str]) -> tuple[Rule, ...]:
    """Rules naming files by role; any specific match outranks every generic one."""
    return _rules(file_class, pairs, False)


def generic(file_class: FileClass, *pairs: tuple[str, str]) -> tuple[Rule, ...]:
    """Rules guessing from location or extension; they apply only when nothing specific does."""
    return _rules(file_class, pairs, True)


class RuleClassifier(Classifier):
    """A classifier defined entirely by its `rules` table.

    Defining the class checks the table cheaply (ident, desc, generic classes, duplicates, and
    the syntax of any pattern using `[`, `?`, `\\` or a leading `!`); the patterns themselves
    are indexed on first use (`PathClassifier`), which validates the rest, and the test suite
    compiles every pattern of every built-in table. Nothing compiles a regex at import.
    """

    rules: ClassVar[tuple[Rule, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        if not _is_ident(getattr(cls, "ident", "")):
            raise ValueError(f"classifier {name} needs a kebab-case `ident`")
        if not getattr(cls, "desc", ""):
            raise ValueError(f"classifier {name} ({cls.ident}) needs a `desc`")
        if not getattr(cls, "rules", ()):
            raise ValueError(f"classifier {name} ({cls.ident}) has no rules")
        seen: set[str] = set()
        for rule in cls.rules:
            pattern = rule.pattern
            if "[" in pattern or "?" in pattern or "\\" in pattern or pattern[:1] in ("", "!"):
                try:  # the unusual shapes, where mistakes hide, are checked right away
                    rule.glob  # noqa: B018  (compiles and validates the pattern)
                except ValueError as err:
                    raise ValueError(f"classifier {cls.ident}: {err}") from None
            if rule.generic and rule.file_class not in GENERIC_ORDER:
                raise ValueError(
                    f"classifier {cls.ident}: generic rule {pattern!r} names class "
                    f"{rule.file_class}, which is not one of {[str(c) for c in GENERIC_ORDER]}"
                )
            key = pattern
            if rule.any_case_path:
                key = f"\x00{pattern.lower()}"
            elif rule.any_case:  # `AnyCase("X.md")` and `AnyCase("x.md")` are the same rule
                head, sep, base = pattern.rpartition("/")
                key = f"\x00{head}{sep}{base.lower() if base.isascii() else base}"
            if key in seen:
                raise ValueError(f"classifier {cls.ident}: pattern {pattern!r} listed twice")
            seen.add(key)

    def match(self, path: str) -> Iterator[Match]:
        """The straightforward reading of the table; the engine's indexed path must agree."""
        for rule in self.rules:
            if rule.glob.match(path):
                yield rule.to_match(self.ident)
