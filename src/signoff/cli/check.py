"""`signoff check`: the CI gate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from signoff.cli._common import write_output
from signoff.cli._term import use_color
from signoff.cli.check_options import CHECK_OPTIONS, FORMATS, github_base

if TYPE_CHECKING:
    from signoff.attribution.attribute import Attribution
    from signoff.decision import Decision
    from signoff.output import Format
    from signoff.output.json_fast import CommitsEncoder


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


#: Options whose values click checks with a function of this module.
_CALLBACKS = {"reports": _reports}


def _check_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The command's options, from the one table the early start reads too."""
    types: dict[str, Any] = {
        "file": click.Path(dir_okay=False, path_type=Path),
        "dir": click.Path(file_okay=False, path_type=Path),
    }
    for opt in reversed(CHECK_OPTIONS):
        if opt.kind == "flag":
            fn = click.option(*opt.decls, opt.dest, is_flag=True, help=opt.help)(fn)
            continue
        kind = click.Choice(list(opt.choices)) if opt.kind == "choice" else types.get(opt.kind)
        default: Any = Path(opt.default) if opt.kind == "dir" and opt.default else opt.default
        fn = click.option(
            *opt.decls,
            opt.dest,
            type=kind,
            default=default,
            show_default=opt.default is not None,
            envvar=opt.envvar,
            help=opt.help,
            multiple=opt.multiple,
            metavar=opt.metavar,
            callback=_CALLBACKS.get(opt.dest),
        )(fn)
    return fn


@click.command()
@_check_options
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
    color: str,
    quiet: bool,
    full: bool,
) -> None:
    """Decide on BASE..HEAD: who influenced each change, what each file is, what policy says.

    Exit codes: 0 allowed or overridden (break-glass), 1 needs approval or denied, 2 input error.
    """
    from signoff.cli._term import Progress
    from signoff.errors import Error
    from signoff.output import Format
    from signoff.output.json_fast import CommitsEncoder
    from signoff.output.json_v1 import exit_code

    fmt_e = Format(fmt)
    # JSON's list of commits is written as the gate attributes them, while git still walks.
    commits_json = CommitsEncoder() if fmt_e is Format.JSON else None
    base = base or github_base()
    if base is None:
        raise Error("missing --base (the ref the change lands on, e.g. origin/main)")
    progress = Progress("commits read", quiet=quiet)
    on_commit: Callable[[Attribution, str], object] | None = (
        commits_json.add if commits_json is not None else None
    )
    if progress.on:  # only on a terminal: a pipe or CI pays nothing for it
        on_commit = progress.wrap(on_commit)
    options = {
        "policy_file": policy_file,
        "target_branch": target_branch,
        "approvals_ref": approvals_ref,
        "started": (ctx.find_root().obj or {}).pop("prefetched", None),
        "on_commit": on_commit,
    }
    try:
        if server_url:
            decision = _check_with_server(
                repo, base, head, (server_url, token, server_repo), options, quiet=quiet
            )
        else:
            from signoff.gate.check import run_check

            decision = run_check(repo, base, head, **options)
    finally:
        progress.done()
    if policy_file is not None:
        click.echo(
            f"signoff: DRY RUN with {policy_file}: this is not the protected policy; "
            "the real gate reads .signoff/policy.yml from the base ref.",
            err=True,
        )
    if ledger_url:
        from signoff.gate.record import record_decision

        seq = record_decision(ledger_url, decision)
        if not quiet:
            click.echo(f"signoff: decision recorded in the ledger as event {seq}", err=True)
    from signoff.output import render

    for other, path in reports:
        write_output(render(decision, Format(other)), path)
    painted = fmt_e is Format.TEXT and (color == "always" or (output is None and use_color(color)))
    write_output(_report(decision, fmt_e, commits_json, color=painted, full=full), output)
    ctx.exit(exit_code(decision))


def _check_with_server(
    repo: Path,
    base: str,
    head: str,
    where: tuple[str, str | None, str | None],
    options: dict[str, Any],
    *,
    quiet: bool,
) -> Decision:
    """The gate with the control plane's approvals, witnessed pushes and agents; the decision
    record is posted back to it."""
    from signoff.client import (
        Client,
        ServerApprovals,
        ServerWitness,
        post_decision,
        server_registry,
    )
    from signoff.gate.check import run_check
    from signoff.gate.record import decision_payload

    server_url, token, server_repo = where
    name = server_repo or repo.resolve().name
    with Client(server_url, token) as client:
        decision = run_check(
            repo,
            base,
            head,
            server=ServerApprovals(client, name),
            witness=ServerWitness(client, name),
            # the control plane's agents: the stricter of its entry and the repository's counts
            server_registry=server_registry(client),
            **options,
        )
        posted = post_decision(client, name, decision_payload(decision))
        if not quiet:
            click.echo(
                f"signoff: decision recorded on {client.url} as {posted['id']} "
                f"(ledger event {posted['ledger_seq']})",
                err=True,
            )
    return decision


def _report(
    decision: Decision,
    fmt: Format,
    commits_json: CommitsEncoder | None,
    *,
    color: bool,
    full: bool,
) -> str:
    from signoff.output import render
    from signoff.output.json_fast import dumps

    if commits_json is not None:
        return dumps(decision, commits_json)
    return render(decision, fmt, color=color, full=full)
