"""The one finding model shared by every semantic analyzer (docs/facts.md).

A fact says, in plain words, what changed inside a file: "postinstall script added", "action not
pinned to a commit". Policies name facts by `kind`; outputs show `message`.
"""

from __future__ import annotations

from typing import NamedTuple

from signoff.taxonomy import Risk


class Fact(NamedTuple):
    """One typed observation about a changed file.

    kind:      stable identifier policies match on, e.g. ``install-script-added``
    path:      the file's path in the change (new path, or old path for deletions)
    message:   plain words for people, never containing a secret value
    risk:      how much scrutiny the fact alone calls for
    analyzer:  ident of the analyzer that produced it
    line:      1-based line in the new file (old file for removals) when known
    detail:    small machine-readable key/value pairs (package, old, new, url...)
    """

    kind: str
    path: str
    message: str
    risk: Risk
    analyzer: str
    line: int | None = None
    detail: tuple[tuple[str, str], ...] = ()

    def detail_dict(self) -> dict[str, str]:
        return dict(self.detail)


#: Emitted when an analyzer cannot parse a file it owns: always high risk, never harmless.
PARSE_FAILED = "parse-failed"
