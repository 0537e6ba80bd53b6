"""The CI gate: read a range, attribute, classify, analyze, and decide under the base policy.

This is the one path every shell (CLI, API, hook) takes to a decision, so a decision made in one
place is identical to one made in another on the same inputs.

Over a long range most of the time is git's walk, so `git log` starts as soon as the gate knows
whose signatures to trust, the registry and allowed signers on the base ref (`signoff.gate.start`,
which `signoff check` begins before its CLI has loaded). Everything else is done while git runs:
the policy, the per-file work (`signoff.gate.files`, imported only then) on what the head lands
on the base, and attribution of each commit as it streams in. When the base is not an ancestor
of the head, the merge base (from the range's own commits when they tell, else from
`git merge-base`) replaces it and the per-file work is redone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from signoff.changes import FileChange
from signoff.errors import ConfigError, GitError
from signoff.gate.start import RangeStart, identities, input_blobs
from signoff.gitio import history
from signoff.gitio.rangelog import RangeLog
from signoff.gitio.runner import Git
from signoff.identity.agents import Lifecycle, Registry
from signoff.identity.signers import SignerEntry
from signoff.protected import APPROVALS_REF, POLICY_PATH

if TYPE_CHECKING:
    from signoff.approvals.check import RecordSource
    from signoff.attribution.attribute import Attribution, Attributor, Witness
    from signoff.decision import Decision
    from signoff.policy.model import Policy


class WitnessSource(Protocol):
    """Where pushes witnessed by the git-server hook are recorded (the control plane)."""

    def witnessed(self, shas: Sequence[str]) -> Mapping[str, Witness]: ...


class Inputs(NamedTuple):
    """What the gate reads from the protected base ref (or a dry-run policy file)."""

    policy: Policy
    registry: Registry
    humans: list[SignerEntry]
    warnings: tuple[str, ...]


def load_inputs(git: Git, base: str, policy_file: Path | None = None) -> Inputs:
    """Policy, registry and allowed signers from the base ref: a change cannot loosen its own."""
    blobs = input_blobs(git, base)
    registry, humans, warnings = identities(blobs, base)
    policy, note = _policy(blobs, base, policy_file)
    return Inputs(policy, registry, humans, (*note, *warnings))


def _policy(
    blobs: Mapping[str, bytes | None], base: str, policy_file: Path | None
) -> tuple[Policy, list[str]]:
    """The protected policy from the base ref, or a dry-run file (said loudly), or fail closed."""
    from signoff.policy.load import fail_closed_policy, parse_policy

    if policy_file is not None:
        try:
            text = policy_file.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"cannot read policy: {exc.strerror}", file=str(policy_file)
            ) from None
        policy = parse_policy(text, str(policy_file), protected=False)
        return policy, [
            f"DRY RUN: policy from {policy_file}, not the protected policy on the base ref"
        ]
    raw = blobs[POLICY_PATH]
    if raw is None:
        reason = f"no {POLICY_PATH} on the base ref: every agent change needs approval"
        return fail_closed_policy(reason), [reason]
    return parse_policy(raw, f"{base[:12]}:{POLICY_PATH}"), []


def branch_of(full_ref: str | None) -> str | None:
    """The branch a full ref names (`refs/remotes/origin/main` -> `main`), if it names one."""
    if not full_ref:
        return None
    if full_ref.startswith("refs/heads/"):
        return full_ref.removeprefix("refs/heads/")
    if full_ref.startswith("refs/remotes/"):
        parts = full_ref.removeprefix("refs/remotes/").split("/", 1)
        return parts[1] if len(parts) == 2 else None
    return None


def target_from_ref(git: Git, ref: str) -> str | None:
    """The branch a ref names (`origin/main` -> `main`), when it names one."""
    if ref.startswith("-"):
        return None
    out = git.run(["rev-parse", "--symbolic-full-name", ref], check=False)
    return branch_of(out.decode("utf-8", "replace").strip())


def run_check(
    repo: str | os.PathLike[str],
    base_ref: str,
    head_ref: str,
    *,
    policy_file: Path | None = None,
    target_branch: str | None = None,
    today: dt.date | None = None,
    approvals_ref: str | None = APPROVALS_REF,
    server: RecordSource | None = None,
    witness: WitnessSource | None = None,
    started: RangeStart | None = None,
    on_commit: Callable[[Attribution, str], object] | None = None,
) -> Decision:
    """Decide on base..head; signed approval records on `approvals_ref` (None: ignore them)
    are verified against the base ref's allowed signers and applied to the decision, together
    with the approvals `server` (the control plane, `signoff check --server`) holds.

    `started`, work begun earlier for the same repository and refs (`signoff.gate.prefetch`), is
    used and closed; begun for anything else, it is closed unused. `on_commit` hears each
    commit's attribution and subject as git streams the range (an output can be prepared while
    git still walks); the decision's own list is what counts."""
    if started is not None and not started.is_for(repo, base_ref, head_ref):
        started.close()
        started = None
    with started or RangeStart(repo, base_ref, head_ref) as run:
        git, base, head, registry = run.git, run.base, run.head, run.registry
        # From here git walks the range while the rest is done: load what comes next, parse
        # the policy, classify and analyze what lands.
        from signoff.attribution.attribute import Attributor, with_witness
        from signoff.decision import Decision, Verdict, strictest
        from signoff.gate import files as gate_files

        if approvals_ref is not None or server is not None:
            import signoff.approvals.check  # noqa: F401

        policy, policy_notes = _policy(run.blobs, base, policy_file)
        target = target_branch or branch_of(run.base_full)
        now = dt.datetime.now(dt.UTC)
        today = today or now.date()

        # What the head lands if the base is the merge base; checked once the commits are in
        # (`_merge_base`), and read again from the real merge base when it is not.
        landed = history.read_landed(run.landed_git, base, head)
        prepared = gate_files.prepare(git, landed, policy)

        # Approval records do not depend on the range: read them while git still walks.
        stored = None
        if approvals_ref is not None:
            from signoff.approvals.store import read_records

            stored = read_records(git, approvals_ref)

        read = _read_range(run.log, Attributor(registry, run.signers), base, on_commit)
        shas, subjects, attributions, touched = read[:4]
        mbase = _merge_base(git, read, base, head)
        if mbase == head:
            raise GitError(
                f"empty range: {head_ref} adds nothing to {base_ref}",
                hint="check the base and head refs of the pull request",
            )
        if mbase != base:  # the base moved on since the head forked
            landed = history.read_landed(run.landed_git, mbase, head)
            prepared = gate_files.prepare(git, landed, policy)
    if not shas:
        raise GitError(f"empty range: no commits in {base_ref}..{head_ref}")
    if witness is not None:
        for sha, seen_push in witness.witnessed(shas).items():
            if sha in attributions:
                attributions[sha] = with_witness(attributions[sha], seen_push, registry)

    files = [
        p.decide(_attributions_of(p.change, touched, attributions, head), policy, today, target)
        for p in prepared
    ]

    approvals = None
    wants = approvals_ref is not None or server is not None
    if wants and any(f.verdict is not Verdict.ALLOW for f in files):
        from signoff.approvals.check import gate_approvals

        final, approvals = gate_approvals(
            git,
            approvals_ref,
            base=base,
            head=head,
            files=files,
            attributions=attributions,
            policy=policy,
            allowed_signers=run.signers_text,
            agent_keys=run.signers.agent_keys,
            server=server,
            stored=stored,
        )
        files = list(final)

    notes = [*policy_notes, *policy.warnings, *run.warnings]
    notes += _review_notes(registry, attributions.values(), today)
    verdict = strictest([f.verdict for f in files]) if files else Verdict.ALLOW
    return Decision(
        verdict=verdict,
        base=base,
        head=head,
        merge_base=mbase,
        target_branch=target,
        files=tuple(files),
        commits=tuple(attributions[s] for s in shas),
        commit_subjects=subjects,
        digests={
            "change_set": change_set_digest(landed, shas),
            "policy": policy.digest,
            "registry": registry.digest,
            "allowed_signers": run.signers_digest,
        },
        policy_source=policy.source,
        policy_protected=policy.protected and policy_file is None,
        warnings=tuple(notes),
        evaluated_at=now.isoformat(timespec="seconds"),
        approvals=approvals,
    )


class _RangeRead(NamedTuple):
    shas: list[str]  # newest first
    subjects: dict[str, str]
    attributions: dict[str, Attribution]
    touched: dict[bytes, list[str]]  # path as git stored it -> SHAs of the commits touching it
    parents: list[bytes]  # each commit's parents as git printed them (unchecked)


def _read_range(
    log: RangeLog,
    attributor: Attributor,
    base: str,
    on_commit: Callable[[Attribution, str], object] | None,
) -> _RangeRead:
    """Attribute each commit as git streams it, and remember which paths it touched."""
    read = _RangeRead([], {}, {}, {}, [])
    shas, subjects, attributions, touched, parents = read
    for c in log.commits():
        sha = c.sha
        shas.append(sha)
        parents.append(c.parents)
        subjects[sha] = subject = c.subject
        attributions[sha] = attribution = attributor.keyed(sha, c.ident, c.message, c.commit)
        if on_commit is not None:
            on_commit(attribution, subject)
        for path in c.paths:
            if (seen := touched.get(path)) is None:
                touched[path] = [sha]
            elif seen[-1] != sha:
                seen.append(sha)
    return read


def _merge_base(git: Git, read: _RangeRead, base: str, head: str) -> str:
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


def _review_notes(
    registry: Registry, attributions: Iterable[Attribution], today: dt.date
) -> list[str]:
    """A warning per agent past its review date that worked in the range, naming its owner."""
    due = [a for a in registry.agents if a.lifecycle(today) is Lifecycle.REVIEW_DUE]
    if not due:
        return []
    actors = {id(at.actors): at.actors for at in attributions}.values()
    active = {id(a.agent) for tup in actors for a in tup}
    return [
        f"agent {agent.id} is past its review date {agent.review_by}; owner: {agent.owner}"
        for agent in due
        if id(agent) in active
    ]


def _attributions_of(
    change: FileChange,
    touched: Mapping[bytes, list[str]],
    attributions: Mapping[str, Attribution],
    head: str,
) -> tuple[Attribution, ...]:
    """Every commit that touched the file's old or new path; content no commit explains is
    unregistered agent work (`gate_files.UNEXPLAINED`)."""
    from signoff.gate.files import UNEXPLAINED

    old, new = _raw(change.old_path), _raw(change.new_path)
    if old == new:  # each commit is listed once per path already
        hits: Iterable[str] = touched.get(new, ())
    else:
        hits = dict.fromkeys(touched.get(old, []) + touched.get(new, []))
    attrs = tuple(map(attributions.__getitem__, hits))
    return attrs or (UNEXPLAINED._replace(sha=head),)


def _raw(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def change_set_digest(landed: Iterable[FileChange], shas: list[str]) -> str:
    """SHA-256 over what lands (per file: status, paths, modes, blobs) and the commits."""
    rows = sorted(
        [c.status.value, c.old_path, c.new_path, c.old_mode, c.new_mode, c.old_blob, c.new_blob]
        for c in landed
    )
    blob = json.dumps(
        {"files": rows, "commits": sorted(shas)}, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8", "surrogateescape")
    return hashlib.sha256(blob).hexdigest()
