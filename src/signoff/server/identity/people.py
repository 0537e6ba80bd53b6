"""Humans (approvers, requesters, release managers), their SSH keys, and groups.

Only `admin` writes; every write is an `identity.registered` or `identity.changed` event (keys
as fingerprints). A suspended human's tokens stop working at once (see `tokens.service`).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection, RowMapping

from signoff.identity.sshkeys import ssh_fingerprint
from signoff.ledger.events import EventType
from signoff.server.auth import Perm, Principal
from signoff.server.common import Page, decode_cursor, page, stamp
from signoff.server.context import Context
from signoff.server.errors import ConflictError, InvalidInputError, NotFoundError
from signoff.server.identity import repository as repo
from signoff.server.identity.schemas import (
    GroupIn,
    GroupOut,
    GroupPatch,
    HumanIn,
    HumanOut,
    HumanPatch,
    KeyIn,
    KeyOut,
)


def _fp(key: str) -> str:
    fp = ssh_fingerprint(key)
    assert fp is not None  # the schema checked the key
    return fp


def _humans_out(conn: Connection, rows: list[RowMapping]) -> list[HumanOut]:
    ids = [r["id"] for r in rows]
    keys, grps = repo.keys_of(conn, ids), repo.groups_of(conn, ids)
    return [
        HumanOut(
            id=r["id"],
            email=r["email"],
            name=r["name"],
            status=r["status"],
            keys=[
                KeyOut(
                    fingerprint=k["fingerprint"], public_key=k["public_key"], created=k["created"]
                )
                for k in keys[r["id"]]
            ],
            groups=grps[r["id"]],
            created=r["created"],
            updated=r["updated"],
            version=r["version"],
        )
        for r in rows
    ]


def _one(conn: Connection, human_id: str) -> HumanOut:
    row = repo.get_human(conn, human_id)
    if row is None:
        raise NotFoundError(f"no human {human_id!r}")
    return _humans_out(conn, [row])[0]


def _add_keys(conn: Connection, human_id: str, keys: list[str], t: str) -> list[str]:
    fps: list[str] = []
    for key in keys:
        fp = _fp(key)
        if fp in fps or repo.key_owner(conn, fp) is not None:
            raise ConflictError(f"key {fp} is already registered", field="keys")
        repo.insert_key(
            conn,
            {
                "fingerprint": fp,
                "human_id": human_id,
                "public_key": " ".join(key.split()[:2]),
                "created": t,
            },
        )
        fps.append(fp)
    return fps


def register_human(ctx: Context, who: Principal, body: HumanIn) -> HumanOut:
    who.require(Perm.WRITE_IDENTITY)
    t = stamp()
    with ctx.db.write() as conn:
        if repo.get_human(conn, body.id) is not None:
            raise ConflictError(f"human {body.id!r} already exists", field="id")
        if repo.human_by_email(conn, body.email) is not None:
            raise ConflictError(f"e-mail {body.email} belongs to another human", field="email")
        missing = sorted(set(body.groups) - repo.existing_groups(conn, body.groups))
        if missing:
            raise InvalidInputError(f"no group {missing[0]!r}", field="groups")
        repo.insert_human(
            conn,
            {
                "id": body.id,
                "email": body.email,
                "name": body.name,
                "status": "active",
                "created": t,
                "updated": t,
                "version": 1,
            },
        )
        fps = _add_keys(conn, body.id, body.keys, t)
        for g in sorted(set(body.groups)):
            repo.add_member(conn, g, body.id)
        ctx.recorder.record(
            EventType.IDENTITY_REGISTERED,
            who.actor,
            {"human": body.id},
            {
                "human": {
                    "id": body.id,
                    "email": body.email,
                    "name": body.name,
                    "keys": fps,
                    "groups": sorted(set(body.groups)),
                }
            },
        )
        return _one(conn, body.id)


def add_key(ctx: Context, who: Principal, human_id: str, body: KeyIn) -> HumanOut:
    who.require(Perm.WRITE_IDENTITY)
    t = stamp()
    with ctx.db.write() as conn:
        if repo.get_human(conn, human_id, lock=True) is None:
            raise NotFoundError(f"no human {human_id!r}")
        fps = _add_keys(conn, human_id, [body.public_key], t)
        repo.touch_human(conn, human_id, t)
        ctx.recorder.record(
            EventType.IDENTITY_CHANGED, who.actor, {"human": human_id}, {"key_added": fps[0]}
        )
        return _one(conn, human_id)


def change_human(ctx: Context, who: Principal, human_id: str, patch: HumanPatch) -> HumanOut:
    who.require(Perm.WRITE_IDENTITY)
    changes = patch.model_dump(exclude_unset=True, exclude={"version"})
    if not changes or any(v is None for v in changes.values()):
        raise InvalidInputError("name a field to change (name or status), not null")
    with ctx.db.write() as conn:
        row = repo.get_human(conn, human_id, lock=True)
        if row is None:
            raise NotFoundError(f"no human {human_id!r}")
        if not repo.update_human(conn, human_id, patch.version, {**changes, "updated": stamp()}):
            raise ConflictError(
                f"human {human_id!r} is at version {row['version']}, not {patch.version}",
                field="version",
                code="stale_version",
            )
        kind = (
            EventType.IDENTITY_SUSPENDED
            if changes.get("status") == "suspended" and row["status"] != "suspended"
            else EventType.IDENTITY_CHANGED
        )
        ctx.recorder.record(kind, who.actor, {"human": human_id}, {"change": changes})
        if kind is EventType.IDENTITY_SUSPENDED:
            from signoff.server.broker.ending import end_tokens

            end_tokens(ctx, conn, who.actor, requester=human_id)
        ctx.principals.clear()  # a suspension or a new e-mail applies to cached callers at once
        return _one(conn, human_id)


def get_human(ctx: Context, who: Principal, human_id: str) -> HumanOut:
    who.require(Perm.READ_IDENTITY)
    with ctx.db.read() as conn:
        return _one(conn, human_id)


def list_humans(ctx: Context, who: Principal, limit: int, cursor: str | None) -> Page[HumanOut]:
    who.require(Perm.READ_IDENTITY)
    after = decode_cursor(cursor, 1)
    with ctx.db.read() as conn:
        rows = repo.list_humans(conn, str(after[0]) if after else None, limit)
        kept, nxt = page(list(rows), limit, lambda r: [r["id"]])
        return Page[HumanOut](items=_humans_out(conn, kept), next_cursor=nxt)


# -- groups ---------------------------------------------------------------------------------


def _group_out(conn: Connection, rows: list[RowMapping]) -> list[GroupOut]:
    members = repo.members_of(conn, [r["name"] for r in rows])
    return [
        GroupOut(
            name=r["name"],
            description=r["description"],
            members=members[r["name"]],
            created=r["created"],
            version=r["version"],
        )
        for r in rows
    ]


def _check_members(conn: Connection, members: list[str]) -> list[str]:
    wanted = sorted(set(members))
    missing = sorted(set(wanted) - repo.existing_humans(conn, wanted))
    if missing:
        raise InvalidInputError(f"no human {missing[0]!r}", field="members")
    return wanted


def create_group(ctx: Context, who: Principal, body: GroupIn) -> GroupOut:
    who.require(Perm.WRITE_IDENTITY)
    with ctx.db.write() as conn:
        if repo.get_group(conn, body.name) is not None:
            raise ConflictError(f"group {body.name!r} already exists", field="name")
        members = _check_members(conn, body.members)
        repo.insert_group(
            conn,
            {"name": body.name, "description": body.description, "created": stamp(), "version": 1},
        )
        repo.set_members(conn, body.name, members)
        ctx.recorder.record(
            EventType.IDENTITY_REGISTERED,
            who.actor,
            {"group": body.name},
            {"group": {"name": body.name, "members": members}},
        )
        row = repo.get_group(conn, body.name)
        assert row is not None
        return _group_out(conn, [row])[0]


def change_group(ctx: Context, who: Principal, name: str, patch: GroupPatch) -> GroupOut:
    who.require(Perm.WRITE_IDENTITY)
    changes = patch.model_dump(exclude_unset=True, exclude={"version"})
    if not changes or any(v is None for v in changes.values()):
        raise InvalidInputError("name a field to change (description or members), not null")
    with ctx.db.write() as conn:
        row = repo.get_group(conn, name, lock=True)
        if row is None:
            raise NotFoundError(f"no group {name!r}")
        values = {k: v for k, v in changes.items() if k == "description"}
        if not repo.update_group(conn, name, patch.version, values):
            raise ConflictError(
                f"group {name!r} is at version {row['version']}, not {patch.version}",
                field="version",
                code="stale_version",
            )
        if "members" in changes:
            changes["members"] = _check_members(conn, changes["members"])
            repo.set_members(conn, name, changes["members"])
        ctx.recorder.record(
            EventType.IDENTITY_CHANGED, who.actor, {"group": name}, {"change": changes}
        )
        new = repo.get_group(conn, name)
        assert new is not None
        return _group_out(conn, [new])[0]


def list_groups(ctx: Context, who: Principal, limit: int, cursor: str | None) -> Page[GroupOut]:
    who.require(Perm.READ_IDENTITY)
    after = decode_cursor(cursor, 1)
    with ctx.db.read() as conn:
        rows = repo.list_groups(conn, str(after[0]) if after else None, limit)
        kept, nxt = page(list(rows), limit, lambda r: [r["name"]])
        return Page[GroupOut](items=_group_out(conn, kept), next_cursor=nxt)
