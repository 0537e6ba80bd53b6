"""The GitHub REST calls signoff makes, through githubkit (typed, paginated, App-aware).

Every failure becomes one `GitHubError` line naming the call and GitHub's status: a review list
that cannot be read is an error, never "no reviews". The HTTP cache is off: GitHub answers
review lists with `Cache-Control: max-age=60`, and a cached list would miss the review that
just arrived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar, cast

from signoff.extras import require

require("github", "signoff on GitHub")

from githubkit import AppAuthStrategy, GitHub, TokenAuthStrategy  # noqa: E402
from githubkit.cache import MemCacheStrategy  # noqa: E402
from githubkit.exception import GitHubException, RequestFailed  # noqa: E402

from signoff.errors import Error  # noqa: E402
from signoff.github.reviews import Review  # noqa: E402

DEFAULT_API = "https://api.github.com"
#: Items per page for every list call (GitHub's maximum).
PER_PAGE = 100

T = TypeVar("T")


class GitHubError(Error):
    """GitHub refused a call or could not be reached."""


class Pull(NamedTuple):
    number: int
    state: str
    base_sha: str
    base_ref: str
    head_sha: str
    head_ref: str
    author: str
    url: str


class InstallationToken(NamedTuple):
    token: str
    expires_at: str


def _call(what: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except RequestFailed as exc:
        resp = exc.response
        try:
            message = str(resp.json().get("message", ""))[:200]
        except (ValueError, AttributeError):
            message = ""
        raise GitHubError(
            f"GitHub {what}: HTTP {resp.status_code}" + (f" {message}" if message else "")
        ) from None
    except GitHubException as exc:
        raise GitHubError(f"GitHub {what}: {type(exc).__name__}: {exc}"[:300]) from None


def _client(auth: Any, base_url: str, timeout: float) -> GitHub[Any]:
    """A client with a cache of its own: githubkit's default cache is shared by the process and
    would keep App JWTs and installation tokens beyond the call that needed them."""
    return GitHub(
        auth,
        base_url=base_url.rstrip("/") + "/",
        timeout=timeout,
        http_cache=False,
        cache_strategy=MemCacheStrategy(),
        user_agent="signoff",
    )


class GitHubApi:
    """One repository's pull requests, reviews, comments and check runs."""

    def __init__(
        self, token: str, owner: str, repo: str, *, base_url: str = DEFAULT_API, timeout: float = 30
    ) -> None:
        if not token:
            raise GitHubError("no GitHub token: set GITHUB_TOKEN (the Action passes its `token`)")
        self.owner, self.repo = owner, repo
        self.base_url = base_url
        self._gh = _client(TokenAuthStrategy(token), base_url, timeout)

    def _pages(self, what: str, method: Any, **kw: Any) -> Iterator[Any]:
        def walk() -> list[Any]:
            # follows GitHub's Link: rel="next" headers (githubkit's REST paginator)
            return list(self._gh.rest.paginate(method, per_page=PER_PAGE, **kw))

        yield from _call(what, walk)

    def pull(self, number: int) -> Pull:
        resp = _call(
            f"pull request #{number}",
            lambda: self._gh.rest.pulls.get(self.owner, self.repo, number),
        )
        return _pull(resp.parsed_data)

    def open_pulls(self) -> list[Pull]:
        pulls = self._pages(
            "open pull requests", self._gh.rest.pulls.list, owner=self.owner, repo=self.repo
        )
        return [_pull(p) for p in pulls if p.state == "open"]

    def reviews(self, number: int) -> list[Review]:
        """Every review of the pull request, oldest first, all pages."""
        out = []
        for r in self._pages(
            f"reviews of pull request #{number}",
            self._gh.rest.pulls.list_reviews,
            owner=self.owner,
            repo=self.repo,
            pull_number=number,
        ):
            user = r.user
            when = r.submitted_at if isinstance(r.submitted_at, dt.datetime) else None
            out.append(
                Review(
                    id=r.id,
                    login=user.login if user is not None else "",
                    bot=user is None or user.type != "User",
                    state=r.state,
                    commit_id=r.commit_id or "",
                    submitted_at=_utc(when),
                    url=r.html_url,
                )
            )
        return out

    def comments(self, number: int) -> list[tuple[int, str, str]]:
        """(id, author login, body) of every comment on the pull request's conversation."""
        items = self._pages(
            f"comments of pull request #{number}",
            self._gh.rest.issues.list_comments,
            owner=self.owner,
            repo=self.repo,
            issue_number=number,
        )
        return [(c.id, c.user.login if c.user else "", c.body or "") for c in items]

    def create_comment(self, number: int, body: str) -> int:
        resp = _call(
            f"comment on pull request #{number}",
            lambda: self._gh.rest.issues.create_comment(self.owner, self.repo, number, body=body),
        )
        return int(resp.parsed_data.id)

    def update_comment(self, comment_id: int, body: str) -> None:
        _call(
            f"update comment {comment_id}",
            lambda: self._gh.rest.issues.update_comment(
                self.owner, self.repo, comment_id, body=body
            ),
        )

    def create_check_run(self, body: dict[str, Any]) -> int:
        resp = _call(
            "create check run",
            lambda: self._gh.rest.checks.create(self.owner, self.repo, data=cast(Any, body)),
        )
        return int(resp.parsed_data.id)

    def update_check_run(self, check_run_id: int, body: dict[str, Any]) -> None:
        _call(
            f"update check run {check_run_id}",
            lambda: self._gh.rest.checks.update(
                self.owner, self.repo, check_run_id, data=cast(Any, body)
            ),
        )


def installation_token(
    app_id: str, private_key: str, installation_id: int, *, base_url: str = DEFAULT_API
) -> InstallationToken:
    """A short-lived installation token, from a JWT signed with the App's key (githubkit)."""
    app = _client(AppAuthStrategy(app_id, private_key), base_url, 30)
    resp = _call(
        f"installation token for installation {installation_id}",
        lambda: app.rest.apps.create_installation_access_token(installation_id),
    )
    data = resp.parsed_data
    return InstallationToken(data.token, str(data.expires_at))


def _pull(p: Any) -> Pull:
    return Pull(
        number=p.number,
        state=p.state,
        base_sha=p.base.sha,
        base_ref=p.base.ref,
        head_sha=p.head.sha,
        head_ref=p.head.ref,
        author=p.user.login if p.user else "",
        url=p.html_url,
    )


def _utc(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
