"""GitHub reviews as the gate's record source (`signoff.approvals.check.RecordSource`).

The digests a review binds are computed by the gate itself at the reviewed commit (`run_check`
on the same base, without approvals), so "the content this review saw" means exactly what it
means for a signed `signoff approve` record. Reviewed commits are computed once each.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from signoff.approvals.digest import class_digests
from signoff.approvals.verify import CheckedRecord
from signoff.errors import Error
from signoff.gate.check import run_check
from signoff.gate.inputs import read_inputs
from signoff.github.api import GitHubApi
from signoff.github.reviews import agent_login_map, review_records
from signoff.gitio.runner import Git

_SHA = re.compile(r"^[0-9a-f]{40}$")


class ForgeReviews:
    """The reviews of one pull request, judged against the base the gate decides on."""

    def __init__(
        self,
        api: GitHubApi,
        number: int,
        repo: str | os.PathLike[str],
        *,
        base: str,
        head: str,
        url: str,
    ) -> None:
        self.api, self.number, self.repo = api, number, repo
        self.base, self.head, self.url = base, head, url

    def fetch(self, digests: Mapping[str, str], repository: str) -> list[CheckedRecord]:
        reviews = self.api.reviews(self.number)  # a GitHubError stops the gate: never "none"
        inputs = read_inputs(Git(self.repo), self.base)
        cache: dict[str, Mapping[str, str] | str] = {self.head: digests}

        def digests_at(commit: str) -> Mapping[str, str] | str:
            if commit not in cache:
                cache[commit] = self._digests_at(commit)
            return cache[commit]

        return review_records(
            reviews,
            logins=inputs.policy.github_logins,
            agent_logins=agent_login_map(inputs.registry),
            current=digests,
            digests_at=digests_at,
            repository=repository,
            policy_digest=inputs.policy.digest,
        )

    def _digests_at(self, commit: str) -> Mapping[str, str] | str:
        if not _SHA.match(commit):
            return f"reviewed commit {commit[:40]!r} is not a commit id"
        try:
            d = run_check(self.repo, self.base, commit, approvals_ref=None)
        except Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return f"reviewed commit {commit[:12]} cannot be judged: {first}"
        return class_digests(d.files, d.digests["policy"])
