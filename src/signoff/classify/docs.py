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


#: Words of the usual all-caps prose file names at a repository's root (`CODE_OF_CONDUCT.md`).
PROSE_WORDS = frozenset(
    {
        "README", "CONTRIBUTING", "CODE", "OF", "CONDUCT", "SECURITY", "SUPPORT", "AUTHORS",
        "CONTRIBUTORS", "MAINTAINERS", "GOVERNANCE", "ACKNOWLEDGMENTS", "ACKNOWLEDGEMENTS",
        "CHANGELOG", "CHANGES", "HISTORY", "NEWS", "RELEASE", "RELEASES", "RELEASING", "NOTES",
        "NOTICE", "NOTICES", "LICENSE", "LICENSING", "LICENCE", "COPYING", "CLA", "DCO",
        "CORPORATE", "INDIVIDUAL", "ROADMAP", "FAQ", "HACKING", "PACKAGING", "INSTALL",
        "INSTALLING", "INSTALLATION", "UPGRADING", "UPGRADE", "MIGRATION", "MIGRATING",
        "DEVELOPMENT", "DEVELOPING", "DEVELOPERS", "DESIGN", "ARCHITECTURE", "TODO", "CREDITS",
        "THANKS", "USAGE", "TESTING", "STYLE", "STYLEGUIDE", "GUIDE", "GUIDELINES", "GLOSSARY",
        "BUILD", "BUILDING", "PATENTS", "SPONSORS", "BACKERS", "ADOPTERS", "USERS",
        "TROUBLESHOOTING", "DEPRECATION", "DEPRECATIONS", "PRIVACY", "TERMS", "POLICY", "AI",
        "ETHICS", "VISION", "PRINCIPLES", "OWNERS", "TEAM", "COMMUNITY", "RESOURCES", "EXAMPLES",
        "SETUP", "API", "OVERVIEW", "INDEX", "DOCS", "DOCUMENTATION", "PROPOSAL", "RFC",
        "CHARTER", "MISSION", "VERSIONING", "COMPATIBILITY", "PERFORMANCE", "BENCHMARKS",
        "THREAT", "MODEL", "PLAN", "STATUS", "LEGACY", "TRADEMARK", "TRADEMARKS", "QUICKSTART",
        "TUTORIAL",
    }
)  # fmt: skip
#: Top-level dot-folders where Markdown is a forge's or a tool's own prose.
PROSE_DOT_FOLDERS = frozenset({".github", ".gitlab", ".gitea", ".forgejo", ".changeset"})
_RULE_FILES = (".md", ".mdc", ".markdown", ".rules")


def agent_shaped(path: str) -> str:
    """Why a file a rule calls docs may be what an agent reads ("" if it looks like prose):
    Markdown or rules in a top-level dot-folder no rule knows (`.newtool/rules/x.md`), or an
    all-caps `*.md` at the root whose words are no usual prose name (`NEWTOOL.md`). Signoff
    cannot tell what reads such a file; `signoff.classify.change` makes it at least `unknown`."""
    head, slash, _ = path.partition("/")
    name = path.rsplit("/", 1)[-1]
    if slash and head.startswith(".") and head not in PROSE_DOT_FOLDERS:
        if name.lower().endswith(_RULE_FILES):
            return f"Markdown or rules in the dot-folder `{head}/`, which no rule knows"
        return ""
    stem, dot, ext = name.rpartition(".")
    if not slash and dot and ext.lower() == "md" and stem.isupper():
        words = [w for w in stem.replace("-", "_").split("_") if w]
        if not all(w in PROSE_WORDS for w in words):
            return f"an all-caps `{name}` at the root that is no usual prose file"
    return ""


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
