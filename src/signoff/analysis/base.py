"""The analyzer interface: one small unit per file format, in the spirit of zizmor's audits.

An analyzer reads the old and new content of one file and says what changed inside it as typed
`Fact` objects. It is pure: no git, no network, no files (the optional zizmor adapter is the one
documented exception). It recognises its files by path alone, case-sensitively like git.

Parsing untrusted content fails by raising; `signoff.analysis.analyze_file` turns *any* exception
into a high-risk ``parse-failed`` fact, so an unreadable file is never mistaken for a harmless one.
Analyzers raise `AnalysisError` when they can say what is wrong and where.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from signoff.analysis.kinds import KNOWN_FACTS
from signoff.analysis.ownership import owns
from signoff.facts import Fact
from signoff.taxonomy import Risk


class AnalysisError(Exception):
    """Content an analyzer owns cannot be parsed; ``line`` is 1-based when known."""

    def __init__(self, message: str, *, line: int | None = None, side: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.side = side


class Analyzer(ABC):
    """Turn an old/new pair of one file into facts. Subclasses set `ident` and `desc`."""

    ident: ClassVar[str]
    desc: ClassVar[str]

    def handles(self, path: str) -> bool:
        """Whether this analyzer owns `path` (posix, repo-relative, case-sensitive): by default,
        what `signoff.analysis.ownership` says, the one table the lazy registry also reads."""
        return owns(self.ident, path)

    @abstractmethod
    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        """Facts about the change; `old` is None for an added file, `new` for a deleted one."""

    def fact(
        self,
        kind: str,
        path: str,
        text: str,
        /,
        *,
        line: int | None = None,
        risk: Risk | None = None,
        **detail: str | None,
    ) -> Fact:  # detail keys are plain words; `line` and `risk` are reserved
        """Build a fact whose kind is catalogued; the message is complete on its own.

        Messages start with the path ("package.json: postinstall script added: `...`") so every
        output can print them as they are. Detail values that are None are left out.
        """
        info = KNOWN_FACTS.get(kind)
        if info is None:
            raise ValueError(f"analyzer {self.ident} emitted uncatalogued fact kind {kind!r}")
        return Fact(
            kind=kind,
            path=path,
            message=f"{path}: {text}",
            risk=info.risk if risk is None else risk,
            analyzer=self.ident,
            line=line,
            detail=tuple((k.replace("_", "-"), v) for k, v in detail.items() if v is not None),
        )
