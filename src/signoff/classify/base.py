"""The classifier interface: one small unit per ecosystem or concern (zizmor's audit pattern).

A classifier looks at a path only (no content, no git) and says which classes it recognises it as.
`specific` matches name a file by its role (a workflow, a lockfile); `generic` matches guess from
location or extension (tests/, *.md, *.py) and yield to any specific match.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from signoff.taxonomy import FileClass

# Annotation-only imports, kept out of the import (typing and collections cost milliseconds).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, ClassVar


class Record:
    """An immutable value with `__slots__` fields: what `@dataclass(frozen=True, slots=True)` gives
    (field-wise ==, hash and repr, no assignment), without the ~1 ms each such class costs to
    create at import. Subclasses list their fields in `__slots__` and, in order, in
    `__match_args__`, and set them in `__init__` with `object.__setattr__`.
    """

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__qualname__}({body})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self._fields())


class Match(Record):
    """One classifier's verdict on a path: the class it recognises and why."""

    __slots__ = ("classifier", "file_class", "generic", "pattern", "reason")
    __match_args__ = ("file_class", "classifier", "reason", "generic", "pattern")

    file_class: FileClass
    classifier: str
    reason: str
    generic: bool
    #: The glob that matched, when the classifier is rule-driven (shown by `signoff explain`).
    pattern: str

    def __init__(
        self,
        file_class: FileClass,
        classifier: str,
        reason: str,
        generic: bool = False,
        pattern: str = "",
    ) -> None:
        init = object.__setattr__
        init(self, "file_class", file_class)
        init(self, "classifier", classifier)
        init(self, "reason", reason)
        init(self, "generic", generic)
        init(self, "pattern", pattern)


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
