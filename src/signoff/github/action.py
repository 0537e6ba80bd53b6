"""The Action's work (CI-only mode): `signoff github action` runs it inside `action.yml`.

From the pull-request event GitHub wrote (`$GITHUB_EVENT_PATH`): fetch the approvals ref and
the pull request's base and head, run the gate on them (policy from the base, approvals from
the ref, the pull request's reviews and, when given, the control plane), then write the report
to the job summary, annotate the files, write SARIF, keep one sticky comment, and hand back the
gate's exit code. Everything the change under review wrote (paths, messages) is printed between
`::stop-commands::` markers, so it cannot issue workflow commands.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from signoff.decision import Decision
from signoff.errors import Error, GitError
from signoff.gitio.runner import Git

_SHA = re.compile(r"^[0-9a-f]{40}$")
#: events whose payload carries the pull request (a review's too: the run counts the new review)
PR_EVENTS = ("pull_request", "pull_request_target", "pull_request_review")


class Event(NamedTuple):
    """What the Action needs from GitHub's pull-request event payload."""

    owner: str
    repo: str
    number: int
    base_sha: str
    base_ref: str
    head_sha: str
    url: str


class Options(NamedTuple):
    repo: Path
    token: str
    comment: bool
    reviews: bool
    sarif: Path | None
    approvals_ref: str
    comment_author: str
    server: str | None = None
    server_token: str | None = None
    server_repo: str | None = None
    fetch: bool = True


def read_event(env: Mapping[str, str]) -> Event:
    """The pull request from `$GITHUB_EVENT_PATH`; anything else is a one-line error."""
    name = env.get("GITHUB_EVENT_NAME", "")
    if name not in PR_EVENTS:
        raise Error(
            "signoff's Action runs on pull_request and pull_request_review events, "
            f"not {name or 'an unknown event'!r} "
            "(GITHUB_EVENT_NAME)"
        )
    path = env.get("GITHUB_EVENT_PATH", "")
    try:
        payload = json.loads(Path(path).read_bytes())
        pr = payload["pull_request"]
        full = str(payload["repository"]["full_name"])
        owner, _, repo = full.partition("/")
        event = Event(
            owner=owner,
            repo=repo,
            number=int(pr["number"]),
            base_sha=str(pr["base"]["sha"]),
            base_ref=str(pr["base"]["ref"]),
            head_sha=str(pr["head"]["sha"]),
            url=str(pr["html_url"]),
        )
    except OSError as exc:
        raise Error(f"cannot read the event payload {path!r}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise Error(f"{path}: not a pull_request event payload ({type(exc).__name__})") from None
    if not (owner and repo and _SHA.match(event.base_sha) and _SHA.match(event.head_sha)):
        raise Error(f"{path}: the pull request's repository, base or head is malformed")
    return event


def _git_auth(env: Mapping[str, str], token: str) -> dict[str, str]:
    """Environment that makes git send the token to the GitHub server, never on a command line
    and never written to the repository's config."""
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    if not token or not server.startswith("https://"):
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{server}/.extraheader",
        "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
    }


def fetch_inputs(
    repo: Path,
    event: Event,
    approvals_ref: str,
    auth: Mapping[str, str],
    say: Callable[[str], None],
) -> Event:
    """Fetch the approvals ref (absent is fine: no approvals), the base branch and the head if
    missing; returns the event with its base replaced by the base branch's tip as fetched.

    The payload's `base.sha` is the base as it was when the pull request last moved (a review's
    event names it even after the branch changed), so the policy is read from the branch now."""
    git = Git(repo, env=auth)
    try:
        git.run(["fetch", "--no-tags", "--quiet", "origin", f"{approvals_ref}:{approvals_ref}"])
    except GitError as exc:
        if "couldn't find remote ref" not in str(exc):
            say(f"::warning::signoff: {approvals_ref} not fetched, its approvals not counted")
    branch = f"refs/remotes/origin/{event.base_ref}"
    git.run(["fetch", "--no-tags", "--quiet", "origin", f"+refs/heads/{event.base_ref}:{branch}"])
    if not git.ok(["cat-file", "-e", f"{event.head_sha}^{{commit}}"]):
        git.run(["fetch", "--no-tags", "--quiet", "origin", event.head_sha])
    tip = git.run(["rev-parse", "--verify", f"{branch}^{{commit}}"]).decode().strip()
    e = event
    return Event(e.owner, e.repo, e.number, tip, e.base_ref, e.head_sha, e.url)


def run_action(opts: Options, env: Mapping[str, str], say: Callable[[str], None]) -> int:
    """The whole Action; returns the gate's exit code (`Error`s are the caller's: exit 2)."""
    from signoff.gate.check import check_range
    from signoff.github.api import DEFAULT_API, GitHubApi
    from signoff.output.json_v1 import exit_code

    event = read_event(env)
    if opts.fetch:
        event = fetch_inputs(opts.repo, event, opts.approvals_ref, _git_auth(env, opts.token), say)
    api = None
    if opts.reviews or opts.comment:
        base_url = env.get("GITHUB_API_URL") or DEFAULT_API
        api = GitHubApi(opts.token, event.owner, event.repo, base_url=base_url)
    sources, client, witness, server_repo = _sources(opts, event, api)
    try:
        checked = check_range(
            opts.repo,
            event.base_sha,
            event.head_sha,
            target_branch=event.base_ref,
            approvals_ref=opts.approvals_ref,
            server=sources,
            witness=witness,
        )
        decision = checked.decision
        if client is not None:
            from signoff.client import post_decision
            from signoff.gate.record import decision_payload

            post_decision(client, server_repo, decision_payload(decision))
    finally:
        if client is not None:
            client.close()
    _report(decision, env, say)
    if opts.sarif is not None:
        _write_sarif(decision, opts.sarif, env)
    if opts.comment and api is not None:
        from signoff.github.comment import comment_body

        body = comment_body(
            decision, checked.inputs.policy, reviews=opts.reviews, console=opts.server
        )
        upsert_comment(api, event.number, body, opts.comment_author)
    code = exit_code(decision)
    _append(env, "GITHUB_OUTPUT", f"verdict={decision.verdict.value}\nexit-code={code}\n")
    return code


def _sources(opts: Options, event: Event, api: Any) -> tuple[Any, Any, Any, str]:
    """The gate's second record sources (the pull request's reviews, the control plane), the
    control plane's client and witness source, and the repository's name there."""
    from signoff.approvals.sources import combine

    sources: list[Any] = []
    client = witness = None
    name = opts.server_repo or event.repo
    if opts.reviews and api is not None:
        from signoff.github.source import ForgeReviews

        sources.append(
            ForgeReviews(
                api,
                event.number,
                opts.repo,
                base=event.base_sha,
                head=event.head_sha,
                url=event.url,
            )
        )
    if opts.server:
        from signoff.client import Client, ServerApprovals, ServerWitness

        client = Client(opts.server, opts.server_token)
        sources.append(ServerApprovals(client, name))
        witness = ServerWitness(client, name)
    return combine(sources), client, witness, name


def _report(d: Decision, env: Mapping[str, str], say: Callable[[str], None]) -> None:
    """The text report in the log (commands off while it prints), annotations, job summary."""
    from signoff.github.annotations import workflow_commands
    from signoff.output.markdown import render_markdown
    from signoff.output.text import render_text

    fence = secrets.token_hex(16)
    say(f"::stop-commands::{fence}")
    say(render_text(d).rstrip("\n"))
    say(f"::{fence}::")
    for line in workflow_commands(d):
        say(line)
    _append(env, "GITHUB_STEP_SUMMARY", render_markdown(d))


def _write_sarif(d: Decision, path: Path, env: Mapping[str, str]) -> None:
    from signoff.cli._common import write_output
    from signoff.output.sarif import render_sarif

    write_output(render_sarif(d), path)
    _append(env, "GITHUB_OUTPUT", f"sarif={path}\n")


def upsert_comment(api: Any, number: int, body: str, author: str) -> int:
    """Update the one comment `author` posted with the marker, or post it; returns its id."""
    from signoff.github.comment import MARKER

    for cid, login, text in api.comments(number):
        if login.lower() == author.lower() and text.startswith(MARKER):
            if text != body:
                api.update_comment(cid, body)
            return int(cid)
    return int(api.create_comment(number, body))


def _append(env: Mapping[str, str], name: str, text: str) -> None:
    """Append to one of the files the runner reads back (`$GITHUB_OUTPUT`...), when set."""
    path = env.get(name)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(text)
    except OSError as exc:
        raise Error(f"cannot write ${name} ({path}): {exc.strerror}") from None
