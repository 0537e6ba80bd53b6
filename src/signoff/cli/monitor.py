"""`signoff monitor`: a one-shot alert check for cron or CI, and `monitor ack`.

Exit codes: 0 no unacknowledged alert at or above `--fail-on`; 1 there is one; 2 input error.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from signoff.cli._ledgeropts import ledger_options
from signoff.errors import Error

_SEVERITIES = ("info", "warning", "high", "critical")


def _date(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Error(f"--since {value!r}: expected a date YYYY-MM-DD or an ISO time") from None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


@click.group(invoke_without_command=True)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Git repository whose protected branches are checked.",
)
@click.option(
    "--ref",
    "base_ref",
    default=None,
    metavar="REF",
    help="Protected ref to read policy, registry and monitor config from "
    "(default: main, else master, else HEAD).",
)
@ledger_options
@click.option("--token", envvar="SIGNOFF_TOKEN", default=None, help="API token for --server.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Monitor config (default: .signoff/monitor.yml on the ref).",
)
@click.option("--since", default=None, metavar="DATE", help="Window start (default: window_days).")
@click.option(
    "--trusted-checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A checkpoint note saved outside the ledger's database.",
)
@click.option("--webhook", default=None, metavar="URL", help="POST each new alert here (https).")
@click.option(
    "--webhook-allow-http",
    is_flag=True,
    default=False,
    help="Allow a plain http:// webhook (alerts travel unencrypted).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Dedup state file: alerts already seen are not re-sent.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default=None,
    help="Exit 1 at or above this severity (default: config fail_on, high).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def monitor(ctx: click.Context, /, **opts: Any) -> None:
    """Raise alerts: identities, agents in git, drift, tokens, approvals, ledger integrity."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {**(ctx.obj or {}), "monitor": opts}
        return
    from signoff.cli._monitor_run import run

    since = _date(opts.pop("since"))
    ctx.exit(run(**opts, since=since))


@monitor.command("ack")
@click.argument("alert_id")
@click.option(
    "--by",
    "by",
    metavar="PERSON",
    help="Who acknowledges (a person), with --state. With --server the token's person does.",
)
@click.option("--comment", default="", help="Why, or what was done.")
@click.pass_context
def ack(ctx: click.Context, alert_id: str, by: str | None, comment: str) -> None:
    """Acknowledge an alert (in the --state file, or on the --server)."""
    opts = (ctx.obj or {}).get("monitor", {})
    if opts.get("server"):
        if by is not None:
            raise Error("--by is for --state: on the --server, the token's person acknowledges")
        from signoff.client import Client

        with Client(opts["server"], opts.get("token")) as c:
            out = c.call("POST", f"/v1/alerts/{alert_id}/ack", json={"comment": comment})
        click.echo(f"acknowledged {out['id']} by {out['acknowledged']['by']}")
        return
    state = opts.get("state_file")
    if state is None:
        raise Error("acknowledging needs the alert store: --state FILE or --server URL")
    if not by or not by.strip():
        raise Error("acknowledging in a --state file needs --by PERSON (who looked at it)")
    from signoff.ledger.events import EventDraft, EventType
    from signoff.ledger.service import Ledger
    from signoff.monitor.state import acknowledge

    # the ledger the monitor read, opened first: a mistyped path is refused before the state
    # file changes, and never created
    url = opts.get("ledger_url")
    with Ledger(url, key_path=opts.get("ledger_key"), create=False) if url else nullcontext() as lg:
        a = acknowledge(state, alert_id, by, comment, dt.datetime.now(dt.UTC))
        click.echo(f"acknowledged {a.id} ({a.rule} {a.subject}) by {a.acked_by}")
        if lg is not None:
            payload = {"rule": a.rule, "subject": a.subject, "severity": a.severity,
                       "comment": comment}  # fmt: skip
            draft = EventDraft(
                EventType.ALERT_ACKNOWLEDGED, f"human:{by}", {"alert": a.id}, payload
            )
            click.echo(f"recorded in the ledger as event {lg.append(draft).seq}")
