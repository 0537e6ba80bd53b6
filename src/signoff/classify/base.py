"""The classifier interface: one small unit per ecosystem or concern (zizmor's audit pattern).

A classifier looks at a path only (no content, no git) and says which classes it recognises it as.
`specific` matches name a file by its role (a workflow, a lockfile); `generic` matches guess from
location or extension (tests/, *.md, *.py) and yield to any specific match.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar, NamedTuple

from signoff.taxonomy import FileClass


class Match(NamedTuple):
    """One classifier's verdict on a path: the class it recognises and why."""

    file_class: FileClass
    classifier: str
    reason: str
    generic: bool = False
    #: The glob that matched, when the classifier is rule-driven (shown by `signoff explain`).
    pattern: str = ""


class Classifier(ABC):
    """Recognise paths. Subclasses set `ident` (unique, kebab-case) and `desc`."""

    ident: ClassVar[str]
    desc: ClassVar[str]

    @abstractmethod
    def match(self, path: str) -> Iterable[Match]:
        """Yield every class this classifier recognises `path` as (posix, repo-relative)."""

    @property
    def url(self) -> str:
        """Where this classifier's rules are documented (its anchor in docs/classes.md)."""
        return f"docs/classes.md#{self.ident}"

    def hit(
        self, file_class: FileClass, reason: str, *, generic: bool = False, pattern: str = ""
    ) -> Match:
        return Match(file_class, self.ident, reason, generic, pattern)
