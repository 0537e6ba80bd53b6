"""Release notes (generic): changelogs, news files and changelog fragment folders.

Names are matched in any case but only with no extension or a text extension, so a data file
such as `news.json` stays `unknown` rather than becoming low-risk by its name. `news/` and
`changes/` count only at the root: elsewhere they are too often ordinary code folders.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, Rule, RuleClassifier, generic
from signoff.taxonomy import FileClass

_NAMES: tuple[str, ...] = (
    "CHANGELOG",
    "CHANGES",
    "HISTORY",
    "NEWS",
    "RELEASE_NOTES",
    "RELEASE-NOTES",
)
_NAMES += ("RELEASENOTES",)
_EXTS = ("md", "markdown", "rst", "txt", "adoc")


def _named() -> tuple[Rule, ...]:
    pairs: list[tuple[str, str]] = []
    for name in _NAMES:
        pairs.append((AnyCase(name), "changelog / release notes"))
        pairs.extend((AnyCase(f"{name}*.{ext}"), "changelog / release notes") for ext in _EXTS)
    return generic(FileClass.RELEASE_NOTES, *pairs)


class ReleaseNotes(RuleClassifier):
    ident = "release-notes"
    desc = "CHANGELOG/CHANGES/HISTORY/NEWS/RELEASE_NOTES and changelog fragment folders"
    rules = _named() + generic(
        FileClass.RELEASE_NOTES,
        ("release-notes/", "release notes folder"),
        ("releasenotes/", "release notes folder (reno)"),
        ("changelog.d/", "changelog fragments"),
        ("newsfragments/", "towncrier fragments"),
        ("/news/", "towncrier fragments"),
        ("/changes/", "changelog fragments"),
        (".changes/", "changie fragments"),
        ("/.changeset/*.md", "Changesets entry"),
        (".github/release.y*ml", "categories for GitHub's generated release notes"),
    )
