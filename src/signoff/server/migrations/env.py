"""Alembic environment for the server schema (version table `server_alembic_version`).

The server runs migrations itself on start (`signoff.server.migrate`) and passes its open
connection in ``config.attributes["connection"]``; its tables share a database with the ledger's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

VERSION_TABLE = "server_alembic_version"


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic -x url=...` from a shell
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass -x url=<SQLAlchemy URL>")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()
