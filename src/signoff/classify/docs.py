"""Docs (generic): documentation folders, prose formats and the usual top-level prose files.

Specific rules win: `docs/AGENTS.md` is agent instructions, `docs/Makefile` is a build file, and a
workflow copied under docs/ is not run by GitHub, so it is docs. Code under docs/ (`conf.py`)
also matches `source`, which comes first in the generic order.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, generic
from signoff.taxonomy import FileClass

_PROSE: tuple[str, ...] = (
    "README",
    "CONTRIBUTING",
    "CODE_OF_CONDUCT",
    "SECURITY",
    "SUPPORT",
    "AUTHORS",
)
_PROSE += ("CONTRIBUTORS", "MAINTAINERS", "GOVERNANCE", "ACKNOWLEDGMENTS")


class Docs(RuleClassifier):
    ident = "docs"
    desc = "docs/, doc/, *.md/*.rst/*.adoc and README-like prose files"
    rules = generic(
        FileClass.DOCS,
        ("docs/", "documentation folder"),
        ("doc/", "documentation folder"),
        ("documentation/", "documentation folder"),
        (AnyCase("*.md"), "Markdown"),
        ("*.markdown", "Markdown"),
        ("*.rst", "reStructuredText"),
        ("*.adoc", "AsciiDoc"),
        ("*.asciidoc", "AsciiDoc"),
        *((AnyCase(name), "project prose file") for name in _PROSE),
        *((AnyCase(f"{name}.txt"), "project prose file") for name in _PROSE),
    )
