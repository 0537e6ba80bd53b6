"""Gather one `Snapshot`: the only module of the monitor that reads git, files or the ledger.

Git: policy, registry and allowed signers from the protected base ref (never the working tree),
then one streaming `git log` per protected branch over the window, attributed and classified
with the gate's own functions. Ledger: every event, a full verification, the latest checkpoint,
and the trusted checkpoint (if given) checked against the log by its root at that size.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.errors import Error, GitError, StoreError
from signoff.identity.agents import EMPTY_REGISTRY, Registry
from signoff.ledger.events import Event, EventType
from signoff.monitor.config import DEFAULT_CONFIG, MONITOR_PATH, MonitorConfig, parse_config
from signoff.monitor.model import ActorRef, CommitFact, LedgerHealth, Snapshot, event_time
from signoff.protected import REGISTRY_PATH

if TYPE_CHECKING:
    from signoff.attribution.attribute import Attributor
    from signoff.changes import Commit
    from signoff.gate.inputs import GateInputs
    from signoff.policy.model import Policy

MAX_DIFFS = 500  # approved ranges whose size is measured per run (one `git diff` each)


class _EmptyLogError(Exception):
    pass


@dataclass(frozen=True)
class GitFacts:
    registry: Registry
    approvers: frozenset[str]
    protected: tuple[str, ...]
    commits: tuple[CommitFact, ...]
    registry_since: dt.datetime | None
    config: MonitorConfig
    policy_source: str
    policy_fail_closed: bool
    configured: frozenset[str]  # which governance files exist on the base ref


def _epoch(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def _branches(git: object, patterns: Sequence[str]) -> dict[str, str]:
    """Protected branch name -> full ref (local branches win over remote-tracking ones)."""
    from signoff.gate.refs import branch_of
    from signoff.gitio.runner import Git

    assert isinstance(git, Git)
    out: dict[str, str] = {}
    raw = git.run(["for-each-ref", "--format=%(refname)", "refs/remotes", "refs/heads"])
    for ref in raw.decode("utf-8", "replace").split():
        name = branch_of(ref)
        if name and name != "HEAD" and any(fnmatch.fnmatchcase(name, p) for p in patterns):
            out[name] = ref  # refs/heads sort after refs/remotes in this listing
    return out


def _fact(c: Commit, branch: str, attributor: Attributor, policy: Policy) -> CommitFact:
    """One commit as the rules see it: who made it, what it changes, what of that is
    release-impacting (a merge's own changes are not listed)."""
    from signoff.classify.change import classify_change
    from signoff.taxonomy import Risk

    att = attributor(c)
    paths, changed = [], []
    if len(c.parents) <= 1:
        for ch in c.files:
            changed.append(ch.path)
            cls = classify_change(ch, policy.class_globs)
            if cls.file_class in policy.release.classes or cls.risk is Risk.CRITICAL:
                paths.append(ch.path)
    actors = tuple(ActorRef(a.id, a.registered) for a in att.actors)
    return CommitFact(
        c.sha, _epoch(c.committer.timestamp), branch, actors, tuple(paths), tuple(changed)
    )


def read_git(
    repo: Path,
    base_ref: str | None,
    now: dt.datetime,
    since: dt.datetime | None,
    config: MonitorConfig | None,
) -> GitFacts:
    """Git facts over the window; `config` None: `.signoff/monitor.yml` on the base ref."""
    from signoff.gate.inputs import read_inputs
    from signoff.gitio import history
    from signoff.gitio.runner import Git
    from signoff.protected import ALLOWED_SIGNERS_PATH, POLICY_PATH

    git = Git(repo)
    ref = base_ref or next(
        (r for r in ("main", "master", "HEAD") if git.ok(["rev-parse", "-q", "--verify", r])),
        "HEAD",
    )
    base = history.resolve_commit(git, ref, role="base")
    inputs = read_inputs(git, base)
    policy, registry = inputs.policy, inputs.registry
    files = {
        "monitor": MONITOR_PATH,
        "policy": POLICY_PATH,
        "registry": REGISTRY_PATH,
        "allowed_signers": ALLOWED_SIGNERS_PATH,
    }
    blobs = history.read_objects(git, [f"{base}:{p}" for p in files.values()])
    configured = frozenset(k for k, p in files.items() if blobs.get(f"{base}:{p}") is not None)
    raw_cfg = blobs.get(f"{base}:{MONITOR_PATH}")
    if config is None:
        config = parse_config(raw_cfg, f"{ref}:{MONITOR_PATH}") if raw_cfg else DEFAULT_CONFIG
    since = since or now - dt.timedelta(days=config.window_days)
    approvers = {p for e in inputs.humans for p in e.principals}
    for group, members in policy.groups.items():
        approvers.add(group)
        approvers.update(members)
    protected = _branches(git, policy.protected_branches)
    commits = _protected_commits(repo, inputs, protected, since)
    added = git.run(
        ["log", "--format=%ct", "--diff-filter=A", base, "--", REGISTRY_PATH], check=False
    ).split()
    return GitFacts(
        registry=registry,
        approvers=frozenset(approvers),
        protected=tuple(sorted(protected)),
        commits=commits,
        registry_since=_epoch(int(added[-1])) if added else None,
        config=config,
        policy_source=policy.source,
        policy_fail_closed=policy.fail_closed_reason is not None,
        configured=configured
        | (
            {"release_trust"}
            if policy.release.trusted_builders or policy.release.trusted_signers
            else set()
        ),
    )


def _protected_commits(
    repo: Path, inputs: GateInputs, protected: dict[str, str], since: dt.datetime
) -> tuple[CommitFact, ...]:
    """Each commit on a protected branch in the window, attributed as the gate would."""
    from signoff.attribution.attribute import Attributor
    from signoff.changes import NO_SIGNATURE
    from signoff.gitio.rangelog import RangeLog
    from signoff.gitio.runner import Git
    from signoff.identity.commit_signers import as_signature

    commits: dict[str, CommitFact] = {}
    git = Git(repo)
    attributor = Attributor(inputs.registry, inputs.signers)
    now = dt.datetime.now(dt.UTC)  # signatures are judged now, as the gate judges them
    for name, full in sorted(protected.items()):
        with RangeLog(git, [f"--since={since.isoformat()}", full], signatures=True) as log:
            for rc in log.commits():
                if rc.sha in commits:
                    continue
                sig = NO_SIGNATURE
                if rc.signed is not None:
                    by = inputs.commit_signers.judge(rc.signed.signature, rc.signed.payload, now)
                    sig = as_signature(by)
                commits[rc.sha] = _fact(rc.commit(sig, files=True), name, attributor, inputs.policy)
    return tuple(commits.values())


def with_witnessed(
    commits: Iterable[CommitFact], events: Iterable[Event], registry: Registry
) -> tuple[CommitFact, ...]:
    """Commits the git-server hook saw pushed with a task token (`push.witnessed` naming a
    commit and an agent) are that agent's work, whatever their author fields say: the
    strongest attribution there is, so the drift rules judge them as agent commits."""
    by_commit: dict[str, list[str]] = {}
    for e in events:
        if (
            e.type is EventType.PUSH_WITNESSED
            and e.subjects.get("commit")
            and e.subjects.get("agent")
        ):
            by_commit.setdefault(e.subjects["commit"], []).append(e.subjects["agent"])
    if not by_commit:
        return tuple(commits)
    known = {a.id for a in registry.agents}
    out = []
    for c in commits:
        seen = {a.id for a in c.actors}
        extra = tuple(
            ActorRef(agent, agent in known)
            for agent in dict.fromkeys(by_commit.get(c.sha, ()))
            if agent not in seen
        )
        out.append(replace(c, actors=(*c.actors, *extra)) if extra else c)
    return tuple(out)


def approved_ranges(
    events: Iterable[Event], since: dt.datetime, repo: str | None = None
) -> list[tuple[str, str]]:
    """(base, head) of every approval given in the window (of repository `repo`, if named)."""
    return [
        (e.subjects.get("base", ""), e.subjects.get("commit", ""))
        for e in events
        if e.type is EventType.APPROVAL_GIVEN
        and event_time(e) >= since
        and (repo is None or e.subjects.get("repo") == repo)
    ]


def diff_lines(repo: Path, ranges: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Added + deleted lines of what each range lands (`base...head`: from the merge base, as
    the gate reads it; binary files count as 0). A range this clone cannot read is left out,
    so the review-speed rule says "size unknown" rather than "0 lines"."""
    from signoff.gitio.history import SHA
    from signoff.gitio.runner import Git

    git = Git(repo)
    out: dict[tuple[str, str], int] = {}
    for base, head in list(dict.fromkeys(ranges))[:MAX_DIFFS]:
        if not (SHA.fullmatch(base) and SHA.fullmatch(head)):
            continue
        try:
            raw = git.run(["diff", "--numstat", "--no-renames", f"{base}...{head}", "--"])
        except GitError:
            continue  # not in this clone: the rule says the size is unknown
        total = 0
        for line in raw.decode("utf-8", "replace").splitlines():
            a, _, rest = line.partition("\t")
            d = rest.partition("\t")[0]
            total += (int(a) if a.isdigit() else 0) + (int(d) if d.isdigit() else 0)
        out[(base, head)] = total
    return out


def read_ledger(
    url: str, key_path: Path | None, trusted_note: str | None
) -> tuple[tuple[Event, ...], LedgerHealth]:
    from signoff.ledger.checkpoint import CheckpointError, open_checkpoint
    from signoff.ledger.service import Ledger

    with Ledger(url, key_path=key_path, create=False) as ledger:  # a read never makes one
        size = ledger.size()
        events = tuple(sorted(ledger.recent(size), key=lambda e: e.seq)) if size else ()
        with ledger.store.snapshot() as snap:
            cps = snap.checkpoints()
        latest = cps[-1] if cps else None
        try:
            if size == 0 and not cps:  # nothing appended, nothing signed: nothing to verify
                raise _EmptyLogError
            result = ledger.verify()
            ok, problem, bad = result.ok, result.problem, result.first_bad_seq
        except _EmptyLogError:
            ok, problem, bad = True, "", None
        except Error as exc:  # no key file, unreadable store: verification cannot pass
            ok, problem, bad = False, f"cannot verify: {exc}", None
        trusted_problem, trusted_size = "", None
        if trusted_note is not None:
            try:
                cp = open_checkpoint(trusted_note, ledger.verifier(), ledger.origin)
                trusted_size = cp.size
                if cp.size > size:
                    trusted_problem = f"it covers {cp.size} events but the log has {size}"
                elif ledger.prove_consistency(cp.size, size).old_root != cp.root:
                    trusted_problem = f"the log's root at size {cp.size} differs from the saved one"
            except (CheckpointError, StoreError, Error) as exc:
                trusted_problem = f"cannot check it: {exc}"
    created = dt.datetime.fromisoformat(latest.created.replace("Z", "+00:00")) if latest else None
    health = LedgerHealth(
        ok=ok,
        size=size,
        problem=problem,
        first_bad_seq=bad,
        trusted_problem=trusted_problem,
        trusted_size=trusted_size,
        latest_checkpoint_size=latest.size if latest else 0,
        latest_checkpoint_time=created,
    )
    return events, health


def ledger_open_tasks(events: Iterable[Event], now: dt.datetime) -> dict[str, tuple[str, ...]]:
    """Tasks requested, not ended by `task.closed` / `task.revoked` and not past their expiry."""
    requested: dict[str, tuple[str, str]] = {}
    ended: set[str] = set()
    for e in events:
        task = e.subjects.get("task")
        if not task:
            continue
        if e.type is EventType.TASK_REQUESTED and e.subjects.get("agent"):
            requested[task] = (e.subjects["agent"], str(e.payload.get("expires", "")))
        elif e.type in (EventType.TASK_CLOSED, EventType.TASK_REVOKED):
            ended.add(task)
    out: dict[str, list[str]] = {}
    for task, (agent, expires) in requested.items():
        try:
            live = dt.datetime.fromisoformat(expires.replace("Z", "+00:00")) > now
        except ValueError:
            live = True  # no readable expiry: count it as open (fail towards alerting)
        if task not in ended and live:
            out.setdefault(agent, []).append(task)
    return {a: tuple(sorted(t)) for a, t in out.items()}


def gather(
    *,
    now: dt.datetime,
    repo: Path | None = None,
    base_ref: str | None = None,
    ledger_url: str | None = None,
    ledger_key: Path | None = None,
    trusted_note: str | None = None,
    config: MonitorConfig | None = None,
    since: dt.datetime | None = None,
) -> Snapshot:
    """Everything the rules read. `config` None: `.signoff/monitor.yml` on the base ref."""
    facts = read_git(repo, base_ref, now, since, config) if repo is not None else None
    cfg = facts.config if facts else config or DEFAULT_CONFIG
    window_start = since or now - dt.timedelta(days=cfg.window_days)
    events: tuple[Event, ...] | None = None
    health = None
    if ledger_url:
        events, health = read_ledger(ledger_url, ledger_key, trusted_note)
    lines: dict[tuple[str, str], int] = {}
    if repo is not None and events:
        lines = diff_lines(repo, approved_ranges(events, window_start))
    return Snapshot(
        now=now,
        config=cfg,
        registry=facts.registry if facts else EMPTY_REGISTRY,
        approvers=facts.approvers if facts else frozenset(),
        protected_branches=facts.protected if facts else (),
        commits=with_witnessed(facts.commits, events or (), facts.registry) if facts else (),
        registry_since=facts.registry_since if facts else None,
        events=events,
        ledger=health,
        diff_lines=lines,
        open_tasks=ledger_open_tasks(events, now) if events is not None else None,
        window_start=since,
        configured=facts.configured if facts else frozenset(),
    )
