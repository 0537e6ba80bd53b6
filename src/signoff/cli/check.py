"""`signoff check`: the CI gate."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from signoff.cli._common import repo_option, write_output
from signoff.protected import APPROVALS_REF

#: Values of --format and --report (signoff.output.Format, listed here so click loads alone).
FORMATS = ("text", "json", "markdown", "sarif", "codequality", "junit")


def _reports(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for value in values:
        fmt, eq, path = value.partition("=")
        if not eq or fmt not in FORMATS or not path:
            raise click.BadParameter(
                f"{value!r}: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}"
            )
        out.append((fmt, Path(path)))
    return out


@click.command()
@repo_option
@click.option(
    "--base",
    "base",
    envvar="SIGNOFF_BASE",
    help="Base ref the change lands on "
    "(the protected branch). Policy, registry and keys are read from here.",
)
@click.option("--head", "head", default="HEAD", show_default=True, help="Head ref of the change.")
@click.option("--target-branch", help="Branch the change will land on (default: from --base).")
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="DRY RUN with this policy file instead of the protected one on the base ref.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format (codequality: GitLab Code Quality; junit: JUnit XML).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=FILE",
    callback=_reports,
    help="Also write the report in FORMAT to FILE (repeatable), from the same run: e.g. "
    "--report codequality=gl-code-quality-report.json --report junit=signoff.xml.",
)
@click.option(
    "--ledger",
    "ledger_url",
    envvar="SIGNOFF_LEDGER_URL",
    help="Append the decision record to this ledger (sqlite path or postgresql:// URL).",
)
@click.option(
    "--approvals-ref",
    default=APPROVALS_REF,
    show_default=True,
    help="Ref holding signed approval records (fetch it first: docs/approvals.md).",
)
@click.option(
    "--server",
    "server_url",
    envvar="SIGNOFF_SERVER",
    help="Control plane URL: also count approvals given through its API, and post the "
    "decision record there (docs/server.md).",
)
@click.option("--token", envvar="SIGNOFF_TOKEN", help="API token for --server ($SIGNOFF_TOKEN).")
@click.option(
    "--server-repo",
    envvar="SIGNOFF_SERVER_REPO",
    help="The repository's name on the server (default: the repository directory's name).",
)
@click.pass_context
def check(
    ctx: click.Context,
    repo: Path,
    base: str | None,
    head: str,
    target_branch: str | None,
    policy_file: Path | None,
    fmt: str,
    output: Path | None,
    reports: list[tuple[str, Path]],
    ledger_url: str | None,
    approvals_ref: str,
    server_url: str | None,
    token: str | None,
    server_repo: str | None,
) -> None:
    """Decide on BASE..HEAD: who influenced each change, what each file is, what policy says.

    Exit codes: 0 allowed or overridden (break-glass), 1 needs approval or denied, 2 input error.
    """
    from signoff.errors import Error
    from signoff.gate import prefetch as early
    from signoff.gate.check import run_check
    from signoff.output import Format, render
    from signoff.output.json_v1 import CommitsEncoder, dumps, exit_code

    fmt_e = Format(fmt)
    # JSON's list of commits is written as the gate attributes them, while git still walks.
    commits_json = CommitsEncoder() if fmt_e is Format.JSON else None

    if base is None:
        gh = os.environ.get("GITHUB_BASE_REF")
        if not gh:
            raise Error("missing --base (the ref the change lands on, e.g. origin/main)")
        base = f"origin/{gh}"
    client = None
    server = None
    witness = None
    if server_url:
        from signoff.client import Client, ServerApprovals, ServerWitness

        client = Client(server_url, token)
        server_repo = server_repo or repo.resolve().name
        server = ServerApprovals(client, server_repo)
        witness = ServerWitness(client, server_repo)
    try:
        decision = run_check(
            repo,
            base,
            head,
            policy_file=policy_file,
            target_branch=target_branch,
            approvals_ref=approvals_ref,
            server=server,
            witness=witness,
            started=early.take(),
            on_commit=commits_json.add if commits_json is not None else None,
        )
        if client is not None and server_repo is not None:
            from signoff.client import post_decision
            from signoff.gate.record import decision_payload

            posted = post_decision(client, server_repo, decision_payload(decision))
            click.echo(
                f"signoff: decision recorded on {client.url} as {posted['id']} "
                f"(ledger event {posted['ledger_seq']})",
                err=True,
            )
    finally:
        if client is not None:
            client.close()
    if policy_file is not None:
        click.echo(
            f"signoff: DRY RUN with {policy_file}: this is not the protected policy; "
            "the real gate reads .signoff/policy.yml from the base ref.",
            err=True,
        )
    if ledger_url:
        from signoff.gate.record import record_decision

        seq = record_decision(ledger_url, decision)
        click.echo(f"signoff: decision recorded in the ledger as event {seq}", err=True)
    if commits_json is not None:
        text = dumps(decision, commits_json)
    else:
        color = fmt_e is Format.TEXT and output is None and sys.stdout.isatty()
        text = render(decision, fmt_e, color=color)
    for other, path in reports:
        write_output(render(decision, Format(other)), path)
    write_output(text, output)
    ctx.exit(exit_code(decision))
