"""The gate's approval step: read the records on the ref, verify the relevant ones against the
base ref's allowed signers, and apply them to the gate's per-file decisions.

Only records that could bear on this range are verified (they name a current class digest, or
were signed for a head inside the range): the ref keeps every record ever pushed, and each
verification costs two `ssh-keygen` runs. Unreadable records are always reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from operator import attrgetter
from typing import Protocol

from signoff.approvals import store
from signoff.approvals.apply import apply_approvals
from signoff.approvals.digest import LEGACY_SCHEMA, class_digests, legacy_class_digests
from signoff.approvals.record import Kind, RecordError, parse_record
from signoff.approvals.verify import CheckedRecord, verify_records
from signoff.attribution.attribute import Attribution
from signoff.decision import ApprovalReport, FileDecision, Verdict
from signoff.gitio.runner import Git
from signoff.policy.model import Policy


def requesters_by_path(
    files: Sequence[FileDecision],
    attributions: Mapping[str, Attribution],
    who: Callable[[Attribution], tuple[str, ...]] = attrgetter("co_authors"),
) -> dict[str, set[str]]:
    """Per file, the people `who` names in the commits that touched it: by default the humans
    the agent named as co-authors (and the requesters of witnessed tasks)."""
    named = {sha: people for sha, a in attributions.items() if (people := who(a))}
    out: dict[str, set[str]] = {}
    if not named:
        return out
    for f in files:
        found = {p.lower() for sha in f.commits if sha in named for p in named[sha]}
        if found:
            out[f.path] = found
    return out


class RecordSource(Protocol):
    """A second source of approvals (the control plane), already in checked-record shape."""

    url: str

    def fetch(self, digests: Mapping[str, str], repository: str) -> list[CheckedRecord]: ...


LEGACY = f"bound by {LEGACY_SCHEMA} (what lands, not the change it lands over): approve again"


def read_legacy(
    c: CheckedRecord, digests: Mapping[str, str], legacy: Mapping[str, str]
) -> CheckedRecord:
    """A record that names this content by its `signoff.content/v1` digest: a veto keeps
    blocking (it now names the current digest), an approval or override counts for nothing,
    since v1 did not say which change it was given for (docs/approvals.md)."""
    rec = c.record
    if rec is None or not c.valid:
        return c
    old = {cls for cls, d in rec.digests.items() if legacy.get(cls) == d != digests.get(cls)}
    if not old:
        return c
    if rec.decision is not Kind.VETO:
        return dataclasses.replace(c, error=LEGACY)
    upgraded = {cls: digests[cls] if cls in old else d for cls, d in rec.digests.items()}
    return dataclasses.replace(c, record=dataclasses.replace(rec, digests=upgraded))


def gate_approvals(
    git: Git,
    ref: str | None,
    *,
    base: str,
    head: str,
    files: Sequence[FileDecision],
    attributions: Mapping[str, Attribution],
    policy: Policy,
    allowed_signers: str,
    agent_keys: Collection[str],
    server: RecordSource | None = None,
    stored: Sequence[store.StoredRecord] | None = None,
) -> tuple[tuple[FileDecision, ...], ApprovalReport | None]:
    """(new per-file decisions, report); no report when nothing needed approval.

    Records come from `ref` (None: not read; `stored`: already read from it) and, when given,
    from `server`; both kinds go through the same `apply_approvals`."""
    if all(f.verdict is Verdict.ALLOW for f in files):
        return tuple(files), None
    digests = class_digests(files, policy.digest)
    legacy = legacy_class_digests(files, policy.digest)
    current = set(digests.values()) | set(legacy.values())
    in_range = set(attributions) | {head}
    relevant = []
    if stored is None:
        stored = store.read_records(git, ref) if ref is not None else ()
    for s in stored:
        if s.json is not None:
            try:
                rec = parse_record(s.json)
            except RecordError:
                pass
            else:
                if not (current & set(rec.digests.values()) or rec.head in in_range):
                    continue
        relevant.append(s)
    repository = store.repository_id(git, base) if relevant or server else ""
    checked = verify_records(relevant, allowed_signers, repository=repository)
    if server is not None:
        # v1 digests too: a veto the server stored before v2 still blocks (docs/approvals.md)
        asked = {**{f"{c} ({LEGACY_SCHEMA})": d for c, d in legacy.items()}, **digests}
        checked += server.fetch(asked, repository)
    new_files, report = apply_approvals(
        files,
        digests,
        [read_legacy(c, digests, legacy) for c in checked],
        policy,
        agent_keys=agent_keys,
        requesters=requesters_by_path(files, attributions),
        task_requesters=requesters_by_path(files, attributions, attrgetter("task_requesters")),
        ref=ref or "",
    )
    if server is not None:
        report = dataclasses.replace(report, server=server.url)
    return new_files, report
