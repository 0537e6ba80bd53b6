"""Registered repositories: a name and a local git path the server reads (admin only).

The server computes approval digests by running the gate on this copy, so the path must be an
absolute path to an existing git repository; the repository's identity is its root commit, the
same one signed approval records carry. Registering is recorded as a `config.changed` event
(`payload.change = "repo-registered"`) with the `repo` and root `commit` subjects.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import Connection, RowMapping

from signoff.errors import GitError
from signoff.ledger.events import EventType
from signoff.server.auth import Perm, Principal
from signoff.server.common import Page, decode_cursor, page, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, InvalidInputError, NotFoundError
from signoff.server.repos import repository as repo
from signoff.server.repos.schemas import RepoIn, RepoOut


def _out(r: RowMapping) -> RepoOut:
    return RepoOut(
        name=r["name"], path=r["path"], root_commit=r["root_commit"], created=r["created"]
    )


def _root_commit(path: Path) -> str:
    from signoff.approvals.store import repository_id
    from signoff.gitio.runner import Git

    try:
        git = Git(path)
        if git.run(["rev-parse", "--is-inside-work-tree"], check=False).strip() not in (
            b"true",
            b"false",
        ):
            raise InvalidInputError(f"{path} is not a git repository", field="path")
        return repository_id(git, "HEAD")
    except GitError as exc:
        raise InvalidInputError(f"{path}: {exc}", field="path") from None


def register(ctx: Context, who: Principal, body: RepoIn) -> RepoOut:
    who.require(Perm.WRITE_REPOS)
    if "\0" in body.path or not os.path.isabs(body.path):
        raise InvalidInputError("path must be absolute", field="path")
    path = Path(os.path.normpath(body.path))
    if not path.is_dir():
        raise InvalidInputError(f"{path} does not exist or is not a directory", field="path")
    root = _root_commit(path)
    with ctx.db.write() as conn:
        if repo.get(conn, body.name) is not None:
            raise ConflictError(f"repository {body.name!r} is already registered", field="name")
        row = {"name": body.name, "path": str(path), "root_commit": root, "created": stamp()}
        repo.insert(conn, row)
        ctx.recorder.record(
            EventType.CONFIG_CHANGED,
            who.actor,
            {"repo": body.name, "commit": root},
            {
                "change": "repo-registered",
                "repo": {"name": body.name, "path": str(path), "root_commit": root},
            },
        )
    return RepoOut(**row)


def load(ctx: Context, name: str) -> RowMapping:
    with ctx.db.read() as conn:
        return load_in(conn, name)


def load_in(conn: Connection, name: str) -> RowMapping:
    """The registered repository, read in the caller's transaction (one round trip fewer)."""
    row = repo.get(conn, name)
    if row is None:
        raise NotFoundError(f"no repository {name!r} is registered")
    return row


def get(ctx: Context, who: Principal, name: str) -> RepoOut:
    who.require(Perm.READ_REPOS)
    return _out(load(ctx, name))


def list_repos(ctx: Context, who: Principal, limit: int, cursor: str | None) -> Page[RepoOut]:
    who.require(Perm.READ_REPOS)
    after = decode_cursor(cursor, 1)
    with ctx.db.read() as conn:
        rows = repo.list_repos(conn, str(after[0]) if after else None, limit)
    kept, nxt = page(list(rows), limit, lambda r: [r["name"]])
    return Page[RepoOut](items=[_out(r) for r in kept], next_cursor=nxt)
