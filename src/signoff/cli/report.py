"""`signoff report compliance`: signoff's controls mapped to framework controls, with the
evidence and the enforcement level of *this* deployment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from signoff.cli._ledgeropts import ledger_options
from signoff.errors import Error


@click.group()
def report() -> None:
    """Reports for auditors."""


@report.command("compliance")
@click.option("--since", default=None, metavar="DATE", help="Count events from this date on.")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository whose protected ref holds policy and registry.",
)
@click.option("--ref", "base_ref", default=None, metavar="REF", help="Protected ref to read.")
@ledger_options
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "html", "json"]), default="markdown"
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def compliance(
    since: str | None,
    repo: Path | None,
    base_ref: str | None,
    ledger_url: str | None,
    ledger_key: Path | None,
    server: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Controls, enforcement levels and evidence counts, with ledger references."""
    from signoff.cli.monitor import _date
    from signoff.monitor.report.compliance import compliance as build
    from signoff.monitor.report.render import render
    from signoff.monitor.snapshot import gather

    if server:
        if ledger_url or repo or base_ref or since:
            raise Error("with --server the control plane reports on its own ledger and "
                        "repositories: drop --ledger, --repo, --ref and --since")  # fmt: skip
        from signoff.client import Client

        with Client(server, os.environ.get("SIGNOFF_TOKEN")) as c:
            doc = c.call("GET", "/v1/reports/compliance")
    else:
        start = _date(since)
        origin = ""
        if ledger_url:  # first, so a ledger that is not there is an error, never created
            from signoff.ledger.service import Ledger

            with Ledger(ledger_url, key_path=ledger_key, create=False) as lg:
                origin = lg.origin
        snap = gather(now=dt.datetime.now(dt.UTC), repo=repo, base_ref=base_ref,
                      ledger_url=ledger_url, ledger_key=ledger_key, since=start)  # fmt: skip
        doc = build(snap, origin)
    text = render(doc, fmt)
    if output is None:
        click.echo(text)
    else:
        try:
            output.write_text(text if text.endswith("\n") else text + "\n", "utf-8")
        except OSError as exc:
            raise Error(f"cannot write {output}: {exc.strerror}") from None
