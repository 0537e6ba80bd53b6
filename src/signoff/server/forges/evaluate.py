"""Evaluate one pull request as the App: fetch into the server's own clone, run the gate there,
report a check run, and record the result in the ledger.

The decision never rests on a posted file list: the server fetches the base and the pull
request's head from the configured remote and reads them itself. The installation token is
minted per evaluation (app JWT -> installation token, through githubkit), handed to git through
its environment and to the API client in memory, and never written anywhere; the ledger keeps
its SHA-256 only.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from typing import Any

from signoff.approvals.digest import class_digests
from signoff.approvals.sources import combine
from signoff.errors import Error
from signoff.gate.check import check_range
from signoff.github.comment import how_to_approve
from signoff.gitio.runner import Git
from signoff.ledger.events import EventType
from signoff.protected import APPROVALS_REF
from signoff.server.common import stamp
from signoff.server.context import Context
from signoff.server.forges import checkrun, order
from signoff.server.forges.config import GitHubApp, RepoLink
from signoff.server.forges.records import ServerRecords
from signoff.server.forges.tables import pulls
from signoff.server.forges.webhook import Target
from signoff.server.repos.service import load as load_repo

PULL_REF = "refs/signoff/github/pull/{n}"


def _git_env(remote: str, token: str) -> dict[str, str]:
    if not remote.startswith("https://"):
        return {}
    host = "/".join(remote.split("/", 3)[:3])
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{host}/.extraheader",
        "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
    }


def fetch(path: str, link: RepoLink, t: Target, token: str) -> Target:
    """The base branch, the pull request's head and the approvals ref, from the remote; returns
    the target with its base replaced by the base branch's tip as fetched.

    A delivery's `base.sha` is the base as it was when the pull request last moved (a review
    delivered after the branch changed still names the old one), so the policy is read from the
    tip the server fetched itself, never from an older commit a payload names.
    The approvals ref is fetched without `+`: if the remote's copy was rewound (a veto deleted),
    git refuses and the server keeps the records it already has."""
    git = Git(path, env=_git_env(link.remote, token))
    branch = f"refs/remotes/github/{t.base_ref}"
    git.run(
        [
            "fetch", "--no-tags", "--quiet", link.remote,
            f"+refs/heads/{t.base_ref}:{branch}",
            f"+refs/pull/{t.number}/head:{PULL_REF.format(n=t.number)}",
        ]
    )  # fmt: skip
    # absent on the remote, or rewound there: the records already here stay
    with contextlib.suppress(Error):
        git.run(["fetch", "--no-tags", "--quiet", link.remote, f"{APPROVALS_REF}:{APPROVALS_REF}"])
    if not git.ok(["cat-file", "-e", f"{t.head_sha}^{{commit}}"]):
        git.run(["fetch", "--no-tags", "--quiet", link.remote, t.head_sha])
    tip = git.run(["rev-parse", "--verify", f"{branch}^{{commit}}"]).decode().strip()
    return Target(t.number, tip, t.base_ref, t.head_sha, t.url)


SUPERSEDED = "superseded"


def evaluate(ctx: Context, app: GitHubApp, link: RepoLink, t: Target) -> str:
    """Fetch, decide, report; returns the verdict, `error` when the gate could not decide, or
    `superseded` when a later evaluation of the pull request started meanwhile (it reports).

    githubkit is imported here, not when the server starts: it takes seconds to load, and a
    server without App mode never needs it."""
    from signoff.github.api import GitHubApi, installation_token
    from signoff.github.source import ForgeReviews

    ticket = order.take(ctx, link.full_name, t.number)  # before anything is read
    minted = installation_token(
        app.app_id, app.private_key, link.installation, base_url=app.api_url
    )
    owner, name = link.full_name.split("/", 1)
    api = GitHubApi(minted.token, owner, name, base_url=app.api_url)
    path = str(load_repo(ctx, link.repo)["path"])
    token_digest = "sha256:" + hashlib.sha256(minted.token.encode()).hexdigest()
    try:
        t = fetch(path, link, t, minted.token)
        source = combine(
            [
                ForgeReviews(api, t.number, path, base=t.base_sha, head=t.head_sha, url=t.url),
                ServerRecords(ctx, link.repo),
            ]
        )
        checked = check_range(path, t.base_sha, t.head_sha, target_branch=t.base_ref, server=source)
    except Error as exc:
        message = (str(exc).splitlines() or [type(exc).__name__])[0]
        with order.turn(ctx, link.full_name, t.number, ticket) as latest:
            if not latest:
                return SUPERSEDED
            run_id = _report(ctx, api, link, t, [checkrun.error_body(t.head_sha, message)])
        _record(ctx, link, t, run_id, token_digest, {"verdict": "error", "error": message})
        return "error"
    decision = checked.decision
    how = how_to_approve(decision, checked.inputs.policy, reviews=True, console=None)
    digests = class_digests(decision.files, decision.digests["policy"])
    with order.turn(ctx, link.full_name, t.number, ticket) as latest:
        if not latest:
            return SUPERSEDED
        run_id = _report(ctx, api, link, t, checkrun.bodies(decision, how))
        _remember(ctx, link, t, digests, run_id)
    _record(
        ctx,
        link,
        t,
        run_id,
        token_digest,
        {
            "verdict": decision.verdict.value,
            "conclusion": checkrun.conclusion(decision),
            "digests": {c: f"sha256:{d}" for c, d in digests.items()},
            "change_set": f"sha256:{decision.digests['change_set']}",
            "policy_digest": f"sha256:{decision.digests['policy']}",
        },
    )
    return decision.verdict.value


def _report(ctx: Context, api: Any, link: RepoLink, t: Target, bodies: list[dict[str, Any]]) -> int:
    """Create the check run for this head, or update the one already there."""
    with ctx.db.read() as conn:
        row = (
            conn.execute(
                pulls.select().where(
                    pulls.c.full_name == link.full_name, pulls.c.number == t.number
                )
            )
            .mappings()
            .first()
        )
    first, *rest = bodies
    if row is not None and row["check_run"] and row["check_head"] == t.head_sha:
        run_id = int(row["check_run"])
        api.update_check_run(run_id, {k: v for k, v in first.items() if k != "head_sha"})
    else:
        run_id = api.create_check_run(first)
    for more in rest:
        api.update_check_run(run_id, more)
    return run_id


def _remember(
    ctx: Context, link: RepoLink, t: Target, digests: dict[str, str], run_id: int
) -> None:
    row = {
        "repo": link.repo,
        "base_sha": t.base_sha,
        "base_ref": t.base_ref,
        "head_sha": t.head_sha,
        "url": t.url,
        "open": True,
        "digests": json.dumps(digests, sort_keys=True),
        "check_head": t.head_sha,
        "check_run": run_id,
        "updated": stamp(),
    }
    key = (pulls.c.full_name == link.full_name) & (pulls.c.number == t.number)
    with ctx.db.write() as conn:
        if conn.execute(pulls.update().where(key).values(**row)).rowcount == 0:
            conn.execute(pulls.insert().values(full_name=link.full_name, number=t.number, **row))


def _record(
    ctx: Context, link: RepoLink, t: Target, run_id: int, token: str, result: dict[str, Any]
) -> None:
    ctx.recorder.record(
        EventType.CHECK_REPORTED,
        f"github-app:{link.installation}",
        {"repo": link.repo, "commit": t.head_sha, "base": t.base_sha},
        {
            "forge": "github",
            "repository": link.full_name,
            "pull": t.number,
            "check_run": run_id,
            "installation_token": token,
            **result,
        },
        ("actor", "subjects.commit", "subjects.base", "payload.verdict"),
    )
