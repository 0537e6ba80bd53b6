"""Reading the range: each commit attributed as git streams it, and where the head forked.

A phase of the gate that other use cases compose (`signoff.gate.check` runs it after
`signoff.gate.start.RangeStart` has started git's walk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from signoff.attribution.attribute import Attribution, AttributionKind, Attributor, Profile
from signoff.changes import FileChange
from signoff.errors import GitError
from signoff.gitio import history
from signoff.gitio.rangelog import RangeLog
from signoff.gitio.runner import Git
from signoff.identity.agents import Lifecycle, Registry
from signoff.identity.commit_signers import CommitSigners, as_signature


@dataclass(frozen=True, slots=True)
class RangeRead:
    """What the gate keeps of each commit of the range."""

    shas: list[str]  #: newest first
    subjects: dict[str, str]
    attributions: dict[str, Attribution]
    touched: dict[bytes, list[str]]  #: path as git stored it -> SHAs of the commits touching it
    parents: list[bytes]  #: each commit's parents as git printed them (unchecked)
    #: (sha, raw entries, paths) of each commit that changed files, for the history's secrets
    #: scan (`signoff.gate.history_secrets`)
    wrote: list[tuple[str, list[bytes], list[bytes]]]


def read_range(
    log: RangeLog,
    attributor: Attributor,
    signers: CommitSigners,
    now: dt.datetime,
    on_commit: Callable[[Attribution, str], object] | None = None,
) -> RangeRead:
    """Attribute each commit as git streams it, and remember which paths it touched.

    Signatures are judged at `now`, the time of the check: never at the commit's own date."""
    shas: list[str] = []
    subjects: dict[str, str] = {}
    attributions: dict[str, Attribution] = {}
    touched: dict[bytes, list[str]] = {}
    parents: list[bytes] = []
    wrote: list[tuple[str, list[bytes], list[bytes]]] = []
    for c in log.commits():
        sha = c.sha
        shas.append(sha)
        parents.append(c.parents)
        subjects[sha] = subject = c.subject
        if c.signed is None:
            attribution = attributor.keyed(sha, c.ident, c.message, c.commit)
        else:
            sig = as_signature(signers.judge(c.signed.signature, c.signed.payload, now))
            attribution = attributor.keyed(sha, (c.ident, sig), c.message, partial(c.commit, sig))
        attributions[sha] = attribution
        if on_commit is not None:
            on_commit(attribution, subject)
        if c.entries:
            wrote.append((sha, c.entries, c.paths))
        for path in c.paths:
            if (seen := touched.get(path)) is None:
                touched[path] = [sha]
            elif seen[-1] != sha:
                seen.append(sha)
    return RangeRead(shas, subjects, attributions, touched, parents, wrote)


def merge_base(git: Git, read: RangeRead, base: str, head: str) -> str:
    """Where the head forked from the base, from the range's own commits when they tell.

    A range commit with the base as a parent: the base is an ancestor of the head, so it is the
    merge base. Otherwise, the range's boundary (the parents of its commits that are not in it):
    every commit the head reaches outside the range is reachable from one of them, and each of
    them is reachable from the base (git left it out of base..head); so a boundary of one commit
    is the merge base. Anything else (merges from several forks, an empty or unrelated range)
    is for `git merge-base` to answer.
    """
    parents = b" ".join(read.parents)
    if base.encode() in parents:  # space-separated SHAs of one length: an exact match
        return base
    boundary = set(parents.split()).difference(s.encode() for s in read.shas)
    if len(boundary) == 1:
        fork = boundary.pop().decode("ascii", "replace")
        if len(fork) != len(base) or not history.SHA.fullmatch(fork):
            raise GitError("unexpected output from git log (refusing to guess)")
        return fork
    return history.merge_base(git, base, head)


@dataclass(frozen=True, slots=True)
class Carriers:
    """Who carried each commit's content on to the head, besides its own author.

    A commit that builds on another, or merges it, brings that commit's content into what
    lands: a person's signed experiment that an agent's merge (or an agent's commit built on
    it) carries to the head is that agent's work too (`signoff.gate.files.decide` credits it).
    Only commits that are not a verified person's carry (an agent's, a bot's, an unverified
    author's); a person's own commit on top vouches for nothing it did not change either."""

    #: commit -> the nearest such descendants in the range (what brought it: shown per file)
    brought_by: dict[str, frozenset[str]]
    #: commit -> one attribution per distinct profile of every such descendant in the range
    credited: dict[str, frozenset[Profile]]
    #: a profile's attribution, for crediting it to a file
    example: dict[Profile, Attribution]


def carriers(read: RangeRead) -> Carriers:
    """Descendants first (Kahn's order over the range's own parent links): each commit hands
    its parents what it carries, plus itself when it is not a verified person's."""
    attributions = read.attributions
    in_range = set(read.shas)
    parents_of: dict[str, list[str]] = {}
    children = dict.fromkeys(read.shas, 0)
    for sha, raw in zip(read.shas, read.parents, strict=True):
        ps = [p for p in raw.decode("ascii", "replace").split() if p in in_range]
        parents_of[sha] = ps
        for p in ps:
            children[p] += 1
    empty: frozenset[str] = frozenset()
    near = dict.fromkeys(read.shas, empty)
    profiles: dict[str, frozenset[Profile]] = dict.fromkeys(read.shas, frozenset())
    example: dict[Profile, Attribution] = {}
    ready = [s for s in read.shas if children[s] == 0]
    while ready:
        sha = ready.pop()
        a = attributions[sha]
        if a.kind is AttributionKind.HUMAN:
            give_near, give_profiles = near[sha], profiles[sha]
        else:
            example.setdefault(a.profile, a)
            give_near, give_profiles = frozenset((sha,)), profiles[sha] | {a.profile}
        for p in parents_of[sha]:
            if give_near:
                near[p] = near[p] | give_near
            if give_profiles:
                profiles[p] = profiles[p] | give_profiles
            children[p] -= 1
            if children[p] == 0:
                ready.append(p)
    return Carriers(near, profiles, example)


def attributions_of(
    change: FileChange,
    touched: Mapping[bytes, list[str]],
    attributions: Mapping[str, Attribution],
    unexplained: Attribution,
) -> tuple[Attribution, ...]:
    """Every commit that touched the file's old or new path; content no commit explains is
    `unexplained` (unregistered agent work: `signoff.gate.files.UNEXPLAINED`)."""
    old, new = _raw(change.old_path), _raw(change.new_path)
    if old == new:  # each commit is listed once per path already
        hits: Iterable[str] = touched.get(new, ())
    else:
        hits = dict.fromkeys(touched.get(old, []) + touched.get(new, []))
    return tuple(map(attributions.__getitem__, hits)) or (unexplained,)


def review_notes(
    registry: Registry, attributions: Iterable[Attribution], today: dt.date
) -> list[str]:
    """A warning per agent past its review date that worked in the range, naming its owner."""
    due = [a for a in registry.agents if a.lifecycle(today) is Lifecycle.REVIEW_DUE]
    if not due:
        return []
    active = {actor.id for at in attributions for actor in at.actors if actor.agent is not None}
    return [
        f"agent {agent.id} is past its review date {agent.review_by}; owner: {agent.owner}"
        for agent in due
        if agent.id in active
    ]


def _raw(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")
