"""The patch of a change, read from the server's registered copy of the repository.

One `git diff` call for all the paths a reviewer must see, so a page never runs one process per
file. The result is bounded (`MAX_BYTES`): a reviewer is told when the rest was cut, never shown
a silently partial diff as if it were whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from signoff.errors import GitError
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import InvalidInputError
from signoff.server.repos.service import load

MAX_BYTES = 512 * 1024
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class Patch:
    text: str
    truncated: bool


def diff(
    ctx: Context, who: Principal, name: str, base: str, head: str, paths: Sequence[str]
) -> Patch:
    """`git diff base head -- paths` on the registered copy (readers of repositories)."""
    from signoff.gitio.runner import Git

    who.require(Perm.READ_REPOS)
    if not (_SHA.match(base) and _SHA.match(head)):
        raise InvalidInputError("base and head must be full commit ids", field="head")
    path = load(ctx, name)["path"]
    args = ["diff", "--no-color", "--no-ext-diff", "--find-renames", base, head, "--"]
    try:
        out = Git(path).run([*args, *[f":(literal){p}" for p in paths]])
    except GitError as exc:
        raise InvalidInputError(
            f"cannot diff {base[:12]}..{head[:12]}: {exc}", code="git"
        ) from None
    cut = len(out) > MAX_BYTES
    return Patch(out[:MAX_BYTES].decode("utf-8", "replace"), cut)
