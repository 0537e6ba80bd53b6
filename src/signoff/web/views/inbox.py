"""The inbox: pending changes, what the viewer may decide, and the diff of the files at stake."""

from __future__ import annotations

from dataclasses import dataclass

from signoff.server.approvals.pending import PendingChange, pending
from signoff.server.auth import Perm, Principal
from signoff.server.context import Context
from signoff.server.errors import ServiceError
from signoff.server.repos.diff import Patch, diff
from signoff.web.views.diffview import FileDiff, split


@dataclass(frozen=True)
class InboxItem:
    change: PendingChange
    diff: tuple[FileDiff, ...]
    truncated: bool

    @property
    def key(self) -> str:
        """A stable HTML id for the change's card."""
        c = self.change
        return f"c-{c.evaluation_id}" if c.evaluation_id else f"c-{c.base[:12]}-{c.head[:12]}"


@dataclass(frozen=True)
class Inbox:
    mine: tuple[InboxItem, ...]
    others: tuple[InboxItem, ...]
    can_approve: bool


def plain(kind: str) -> str:
    """A fact's kind in plain words (`install-script-added` -> "install script added")."""
    return kind.replace("-", " ").replace("_", " ")


def build(ctx: Context, who: Principal) -> Inbox:
    mine: list[InboxItem] = []
    others: list[InboxItem] = []
    for change in pending(ctx, who):
        patch = Patch("", False)
        if change.at_stake:  # every file an approval binds, as the server's evaluation lists
            try:
                patch = diff(ctx, who, change.repo, change.base, change.head, change.at_stake)
            except ServiceError as exc:  # one unreadable change must not break the page
                patch = Patch(f"(the diff cannot be read: {exc.message})", False)
        item = InboxItem(change, tuple(split(patch.text)), patch.truncated)
        (mine if change.mine else others).append(item)
    return Inbox(tuple(mine), tuple(others), who.can(Perm.APPROVE))
