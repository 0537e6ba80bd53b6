"""API models for registered repositories."""

from __future__ import annotations

from pydantic import Field

from signoff.server.common import Id, Model, Out


class RepoIn(Model):
    name: Id
    path: str = Field(
        min_length=1,
        max_length=4096,
        description="Absolute path of a git repository on the server.",
    )


class RepoOut(Out):
    name: str
    path: str
    root_commit: str
    created: str
