"""SQL for agents, humans, their keys and groups. Parametrised statements only; no rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from signoff.server.tables import agents, group_members, groups, human_keys, humans


def _for_update(conn: Connection, q: sa.Select[Any]) -> sa.Select[Any]:
    return q.with_for_update() if conn.dialect.name == "postgresql" else q


# -- agents ---------------------------------------------------------------------------------


# Built once: token exchanges and task creation read agents and people on every request.
_AGENT = sa.select(agents).where(agents.c.id == sa.bindparam("id"))
_HUMAN = sa.select(humans).where(humans.c.id == sa.bindparam("id"))


def get_agent(conn: Connection, agent_id: str, *, lock: bool = False) -> RowMapping | None:
    q = _for_update(conn, _AGENT) if lock else _AGENT
    return conn.execute(q, {"id": agent_id}).mappings().first()


def insert_agent(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(agents.insert().values(**row))


def update_agent(conn: Connection, agent_id: str, version: int, values: Mapping[str, Any]) -> bool:
    """Compare-and-set on `version`; False when someone else changed the row first."""
    res = conn.execute(
        agents.update()
        .where(agents.c.id == agent_id, agents.c.version == version)
        .values(**values, version=version + 1)
    )
    return res.rowcount == 1


def list_agents(conn: Connection, after: str | None, limit: int) -> Sequence[RowMapping]:
    q = sa.select(agents).order_by(agents.c.id).limit(limit + 1)
    if after is not None:
        q = q.where(agents.c.id > after)
    return conn.execute(q).mappings().all()


# -- humans ---------------------------------------------------------------------------------


def get_human(conn: Connection, human_id: str, *, lock: bool = False) -> RowMapping | None:
    q = _for_update(conn, _HUMAN) if lock else _HUMAN
    return conn.execute(q, {"id": human_id}).mappings().first()


def human_by_email(conn: Connection, email: str) -> RowMapping | None:
    return conn.execute(sa.select(humans).where(humans.c.email == email)).mappings().first()


def insert_human(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(humans.insert().values(**row))


def update_human(conn: Connection, human_id: str, version: int, values: Mapping[str, Any]) -> bool:
    res = conn.execute(
        humans.update()
        .where(humans.c.id == human_id, humans.c.version == version)
        .values(**values, version=version + 1)
    )
    return res.rowcount == 1


def touch_human(conn: Connection, human_id: str, updated: str) -> None:
    conn.execute(
        humans.update()
        .where(humans.c.id == human_id)
        .values(updated=updated, version=humans.c.version + 1)
    )


def list_humans(conn: Connection, after: str | None, limit: int) -> Sequence[RowMapping]:
    q = sa.select(humans).order_by(humans.c.id).limit(limit + 1)
    if after is not None:
        q = q.where(humans.c.id > after)
    return conn.execute(q).mappings().all()


def key_owner(conn: Connection, fingerprint: str) -> str | None:
    q = sa.select(human_keys.c.human_id).where(human_keys.c.fingerprint == fingerprint)
    return conn.execute(q).scalar()


def insert_key(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(human_keys.insert().values(**row))


def keys_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[RowMapping]]:
    out: dict[str, list[RowMapping]] = {i: [] for i in ids}
    if ids:
        q = sa.select(human_keys).where(human_keys.c.human_id.in_(ids))
        for r in conn.execute(q.order_by(human_keys.c.created)).mappings():
            out[r["human_id"]].append(r)
    return out


def groups_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        q = sa.select(group_members).where(group_members.c.human_id.in_(ids))
        for r in conn.execute(q.order_by(group_members.c.group_name)).mappings():
            out[r["human_id"]].append(r["group_name"])
    return out


# -- groups ---------------------------------------------------------------------------------


def get_group(conn: Connection, name: str, *, lock: bool = False) -> RowMapping | None:
    q = sa.select(groups).where(groups.c.name == name)
    return conn.execute(_for_update(conn, q) if lock else q).mappings().first()


def existing_groups(conn: Connection, names: Sequence[str]) -> set[str]:
    if not names:
        return set()
    q = sa.select(groups.c.name).where(groups.c.name.in_(names))
    return set(conn.execute(q).scalars())


def existing_humans(conn: Connection, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    return set(conn.execute(sa.select(humans.c.id).where(humans.c.id.in_(ids))).scalars())


def insert_group(conn: Connection, row: Mapping[str, Any]) -> None:
    conn.execute(groups.insert().values(**row))


def update_group(conn: Connection, name: str, version: int, values: Mapping[str, Any]) -> bool:
    res = conn.execute(
        groups.update()
        .where(groups.c.name == name, groups.c.version == version)
        .values(**values, version=version + 1)
    )
    return res.rowcount == 1


def set_members(conn: Connection, name: str, members: Sequence[str]) -> None:
    conn.execute(group_members.delete().where(group_members.c.group_name == name))
    if members:
        conn.execute(group_members.insert(), [{"group_name": name, "human_id": m} for m in members])


def add_member(conn: Connection, name: str, human_id: str) -> None:
    conn.execute(group_members.insert().values(group_name=name, human_id=human_id))


def members_of(conn: Connection, names: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {n: [] for n in names}
    if names:
        q = sa.select(group_members).where(group_members.c.group_name.in_(names))
        for r in conn.execute(q.order_by(group_members.c.human_id)).mappings():
            out[r["group_name"]].append(r["human_id"])
    return out


def list_groups(conn: Connection, after: str | None, limit: int) -> Sequence[RowMapping]:
    q = sa.select(groups).order_by(groups.c.name).limit(limit + 1)
    if after is not None:
        q = q.where(groups.c.name > after)
    return conn.execute(q).mappings().all()
