"""`signoff serve` (the control plane) and `signoff server bootstrap` (the first admin)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from signoff.extras import require

_config = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SIGNOFF_CONFIG",
    help="TOML file with settings (keys as in SIGNOFF_* without the prefix, lower case).",
)
_data_dir = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="$SIGNOFF_DATA_DIR."
)
_db = click.option(
    "--database-url", help="$SIGNOFF_DATABASE_URL (sqlite:///... or postgresql://...)."
)


def _settings(config_file: Path | None, **overrides: Any) -> Any:
    from signoff.server.settings import load

    return load(config_file=config_file, **overrides)


@click.command()
@_config
@_data_dir
@_db
@click.option("--host", help="Address to listen on (default 127.0.0.1; $SIGNOFF_HOST).")
@click.option("--port", type=int, help="Port (default 8700; $SIGNOFF_PORT).")
@click.option("--workers", type=int, help="Worker processes (default 1; $SIGNOFF_WORKERS).")
def serve(
    config_file: Path | None,
    data_dir: Path | None,
    database_url: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
) -> None:
    """Run the control plane: the HTTP API on the database (SQLite by default) and the ledger.

    Create the first admin token with `signoff server bootstrap`. Configuration: docs/server.md.
    Needs the `server` extra.
    """
    require("server", "signoff serve")
    import uvicorn

    from signoff.errors import Error
    from signoff.server.middleware import configure_logging
    from signoff.server.serving import uvicorn_options

    s = _settings(
        config_file,
        data_dir=data_dir,
        database_url=database_url,
        host=host,
        port=port,
        workers=workers,
    )
    options = uvicorn_options(s)
    sock = _listen(s.host, s.port)  # a busy port is a one-line error before anything starts
    if s.workers > 1:
        # Each worker builds its app from the environment: pass the resolved settings on.
        os.environ.update(
            {
                "SIGNOFF_DATA_DIR": str(s.data_dir),
                "SIGNOFF_DATABASE_URL": s.database_url,
                "SIGNOFF_LEDGER_URL": s.ledger_url,
                "SIGNOFF_LEDGER_KEY": str(s.ledger_key),
                **({"SIGNOFF_CONFIG": str(config_file)} if config_file else {}),
            }
        )
        from signoff.server.app import open_context

        sock.close()  # the workers bind for themselves
        with _database_errors(s.database_url):
            open_context(s).db.close()  # migrate once before the workers start
        configure_logging(s.log_level)  # only once starting cannot fail with a one-line error
        _banner(s, options)
        uvicorn.run("signoff.app:app_from_env", factory=True, workers=s.workers, **options)
        return
    from signoff.app import create_app

    try:
        with _database_errors(s.database_url):
            app = create_app(s)
    except BaseException:
        sock.close()
        raise
    server = uvicorn.Server(uvicorn.Config(app, **options))
    configure_logging(s.log_level)  # only once starting cannot fail with a one-line error
    _banner(s, options)
    server.run(sockets=[sock])  # the socket bound above: no second bind that could fail
    if not server.started:
        raise Error(f"the server on {s.host}:{s.port} did not start (see the log above)")


def _banner(s: Any, options: dict[str, Any]) -> None:
    from signoff.redact import redact_url

    scheme = "https" if "ssl_certfile" in options else "http"
    click.echo(
        f"signoff serve: {scheme}://{s.host}:{s.port}  database {redact_url(s.database_url)}  "
        f"ledger {redact_url(s.ledger_url)}",
        err=True,
    )


def _listen(host: str, port: int) -> Any:
    """Bind the listening socket now, so a busy or forbidden address is a clear error."""
    import socket

    from signoff.errors import Error

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Error(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        hint = " (is another server running? pick another --port)" if exc.errno == 98 else ""
        raise Error(f"cannot listen on {host}:{port}: {exc.strerror}{hint}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def _database_errors(url: str) -> Iterator[None]:
    """Turn "the database cannot be reached or opened" into a one-line error naming it."""
    import sqlalchemy.exc

    from signoff.errors import Error
    from signoff.redact import redact_url

    try:
        yield
    except sqlalchemy.exc.SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise Error(f"cannot open the database {redact_url(url)}: {cause}") from None


@click.group()
def server() -> None:
    """Administer the control plane's database directly (no HTTP)."""


@server.command()
@_config
@_data_dir
@_db
@click.option("--id", "human_id", required=True, help="Id of the first admin (e.g. alice).")
@click.option("--email", required=True, help="Their e-mail (the policy principal).")
@click.option("--name", default=None, help="Display name (default: the id).")
@click.option("--ttl-days", type=click.IntRange(1, 366), default=30, show_default=True)
def bootstrap(
    config_file: Path | None,
    data_dir: Path | None,
    database_url: str | None,
    human_id: str,
    email: str,
    name: str | None,
    ttl_days: int,
) -> None:
    """Create the first admin human and an admin token; prints the token once.

    Refused once any admin token exists: further tokens come from `POST /v1/tokens`.
    """
    require("server", "signoff server bootstrap")
    from pydantic import ValidationError

    from signoff.errors import Error
    from signoff.server.app import open_context
    from signoff.server.identity.schemas import HumanIn
    from signoff.server.tokens.service import bootstrap as make_admin

    s = _settings(config_file, data_dir=data_dir, database_url=database_url)
    try:
        who = HumanIn(id=human_id, email=email, name=name or human_id)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Error(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    with _database_errors(s.database_url):
        ctx = open_context(s)
    try:
        created = make_admin(ctx, who.id, who.email, who.name, ttl_days * 86400)
    finally:
        ctx.recorder.ledger.close()
        ctx.db.close()
    click.echo(created.token)
    click.echo(
        f"admin token for {who.id} (expires {created.expires}); shown once, store it now",
        err=True,
    )


@server.command()
@_config
@_data_dir
@_db
def migrate(config_file: Path | None, data_dir: Path | None, database_url: str | None) -> None:
    """Bring the database and the ledger to the current schema, then exit.

    For a deployment's start (the compose file runs it once before the replicas); `serve` does
    the same on start, safely when several replicas start at once. Also creates the ledger's
    signing key if there is none, so every replica started afterwards finds the same file.
    """
    require("server", "signoff server migrate")
    from signoff.server.app import open_context
    from signoff.server.migrations import head_revision

    s = _settings(config_file, data_dir=data_dir, database_url=database_url)
    ctx = open_context(s)
    try:
        # the signing key is made now, once, so replicas started next all find the same one
        ctx.recorder.ledger.signer  # noqa: B018
    finally:
        ctx.recorder.ledger.close()
        ctx.db.close()
    click.echo(f"signoff: database at schema {head_revision()}; ledger ready", err=True)


@server.command()
@click.option("--server", "url", envvar="SIGNOFF_SERVER", required=True,
              help="Control plane URL ($SIGNOFF_SERVER).")  # fmt: skip
@click.option("--token-file", type=click.File("r"), default=None,
              help="The token issued for you (default: $SIGNOFF_TOKEN; '-': stdin).")  # fmt: skip
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Your SSH private key (one registered to you).")  # fmt: skip
def claim(url: str, token_file: Any, key: Path) -> None:
    """Claim a token an admin issued for you: sign the server's challenge with your own SSH key.

    Prints the token's new secret once; the old one (which the issuer saw) stops working. Until
    claimed, a token issued for you by someone else cannot approve or promote.
    """
    import os

    from signoff.approvals.sshsig import sign
    from signoff.client import Client
    from signoff.errors import Error

    token = token_file.read().strip() if token_file is not None else os.environ.get("SIGNOFF_TOKEN")
    if not token:
        raise Error("no token: pass --token-file FILE or set SIGNOFF_TOKEN")
    with Client(url, token) as c:
        ch = c.call("POST", "/v1/tokens/claim/challenge")
        sig = sign(str(ch["message"]).encode(), key, str(ch["namespace"]))
        out = c.call("POST", "/v1/tokens/claim", json={"nonce": ch["nonce"],
                                                       "signature": sig.decode()})  # fmt: skip
    click.echo(out["token"])
    click.echo(f"token {out['id']} claimed: the old secret no longer works; store this one now",
               err=True)  # fmt: skip
