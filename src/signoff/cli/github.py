"""`signoff github action`: the Action's work (`action.yml` runs it; docs/github.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from signoff.protected import APPROVALS_REF


@click.group()
def github() -> None:
    """signoff on GitHub pull requests (docs/github.md)."""


def _flag(value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "on"):
        return True
    if v in ("false", "0", "no", "off", ""):
        return False
    raise click.BadParameter(f"expected true or false, got {value!r}")


@github.command()
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GITHUB_WORKSPACE",
    default=Path("."),
    help="The checked-out repository ($GITHUB_WORKSPACE).",
)
@click.option("--token", envvar="GITHUB_TOKEN", default="", help="GitHub token ($GITHUB_TOKEN).")
@click.option("--comment", default="true", help="Keep one sticky pull-request comment.")
@click.option("--reviews", default="true", help="Count the pull request's GitHub reviews.")
@click.option(
    "--sarif",
    default="",
    help="Also write SARIF 2.1.0 to this file (for github/codeql-action/upload-sarif).",
)
@click.option("--approvals-ref", default=APPROVALS_REF, show_default=True)
@click.option(
    "--comment-author",
    default="github-actions[bot]",
    show_default=True,
    help="Login the token comments as: only its comment carrying the marker is updated.",
)
@click.option("--server", envvar="SIGNOFF_SERVER", default="", help="Control plane URL.")
@click.option("--server-token", envvar="SIGNOFF_TOKEN", default="", help="Its API token.")
@click.option("--server-repo", default="", help="The repository's name on the control plane.")
@click.option("--fetch/--no-fetch", default=True, help="Fetch the approvals ref, base and head.")
@click.pass_context
def action(
    ctx: click.Context,
    repo: Path,
    token: str,
    comment: str,
    reviews: str,
    sarif: str,
    approvals_ref: str,
    comment_author: str,
    server: str,
    server_token: str,
    server_repo: str,
    fetch: bool,
) -> None:
    """Run the gate on the pull request of $GITHUB_EVENT_PATH, as the Action does.

    Writes the report to the log and $GITHUB_STEP_SUMMARY, annotations for files that need
    approval or are denied, optional SARIF, one sticky comment; exits with the gate's code
    (0 may land, 1 needs approval or denied, 2 input error)."""
    from signoff.github.action import Options, run_action

    opts = Options(
        repo=repo,
        token=token,
        comment=_flag(comment),
        reviews=_flag(reviews),
        sarif=Path(sarif) if sarif else None,
        approvals_ref=approvals_ref,
        comment_author=comment_author,
        server=server or None,
        server_token=server_token or None,
        server_repo=server_repo or None,
        fetch=fetch,
    )
    from signoff.errors import Error

    try:
        code = run_action(opts, os.environ, click.echo)
    except Error as exc:  # also as an annotation on the run; main() prints it and exits 2
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        click.echo("::error title=signoff::" + first.replace("%", "%25").replace("\r", "%0D"))
        raise
    ctx.exit(code)
