"""Identities the repository's own workflows commit as: automation, whatever their shape.

A machine account that is no `[bot]` (`Charm <124303983+charmcli@users.noreply.github.com>`)
looks like a person. What says otherwise is the base ref's workflows, which the change under
review cannot edit: a workflow that commits as an identity (`commit_user_email:`,
`commit_author:`, `git config user.email`, `GIT_AUTHOR_EMAIL=`, an `author:` or `committer:`
input) names it as automation. Such a commit is a bot's (`rule workflow-identity`): more
scrutiny, never less (docs/attribution.md). Addresses built at run time (`${{ … }}`, `$X`) and
GitHub's own Actions identity (in the catalogue already) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["workflow_identities"]

_CONTEXT = re.compile(
    r"commit_user_email|commit_author|author_email|committer_email|user\.email"
    r"|GIT_(?:AUTHOR|COMMITTER)_EMAIL|^\s*-?\s*(?:author|committer)\s*:",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+$-])([\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_GITHUB_ACTIONS = "41898282+github-actions[bot]@users.noreply.github.com"


def workflow_identities(workflows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased address -> the first workflow (path) that commits as it."""
    out: dict[str, str] = {}
    for path, text in workflows:
        for line in text.splitlines():
            if "@" not in line or not _CONTEXT.search(line):
                continue
            for m in _EMAIL.finditer(line):
                email = m.group(1).lower().rstrip(".")
                if "$" not in email and email != _GITHUB_ACTIONS and "@example." not in email:
                    out.setdefault(email, path)
    return out
