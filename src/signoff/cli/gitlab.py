"""`signoff gitlab note`: keep one merge request note with the gate's Markdown report."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def gitlab() -> None:
    """signoff in GitLab merge request pipelines (integrations/gitlab/)."""


@gitlab.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--api-url", envvar="CI_API_V4_URL", help="GitLab's API URL ($CI_API_V4_URL).")
@click.option("--project", envvar="CI_PROJECT_ID", help="Project id or path ($CI_PROJECT_ID).")
@click.option(
    "--merge-request",
    envvar="CI_MERGE_REQUEST_IID",
    type=click.IntRange(min=1),
    help="The merge request's IID ($CI_MERGE_REQUEST_IID).",
)
@click.option(
    "--token",
    envvar="SIGNOFF_GITLAB_TOKEN",
    help="A project access token with the api scope ($SIGNOFF_GITLAB_TOKEN); "
    "the CI job token cannot write notes.",
)
def note(
    report: Path,
    api_url: str | None,
    project: str | None,
    merge_request: int | None,
    token: str | None,
) -> None:
    """Post REPORT (Markdown, e.g. from `check --report markdown=FILE`) as the merge request's
    signoff note, or edit the note signoff posted before."""
    from signoff.errors import Error
    from signoff.gitlab.notes import Api, Target, upsert_note

    if not api_url:
        raise Error("missing --api-url / $CI_API_V4_URL")
    if not project:
        raise Error("missing --project / $CI_PROJECT_ID")
    if merge_request is None:
        raise Error("missing --merge-request / $CI_MERGE_REQUEST_IID (no merge request pipeline)")
    try:
        markdown = report.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Error(f"cannot read {report}: {getattr(exc, 'strerror', None) or exc}") from None
    api = Api(api_url, token or "")
    action, note_id = upsert_note(api, Target(project, merge_request), markdown)
    click.echo(f"signoff: merge request !{merge_request} note {action} (note {note_id})", err=True)
