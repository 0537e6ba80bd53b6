"""The use case "decide a range": read it, attribute, classify, analyze, decide, apply approvals.

This is the one path every shell (CLI, API, hook, release) takes to a decision, so a decision made
in one place is identical to one made in another on the same inputs. docs/architecture.md draws
the phases; each lives in its own module and other use cases compose them:

1. `signoff.gate.start.RangeStart`: resolve the refs, read the protected inputs
   (`signoff.gate.inputs`) and start `git log` over the range.
2. While git walks: parse the policy, classify and analyze what the head lands
   (`signoff.gate.files.prepare`), read the approval records.
3. `signoff.gate.range.read_range`: attribute each commit as it streams in; find the merge base
   (when the base is not an ancestor of the head, what lands is read again from it); scan what
   every commit wrote for secrets the head no longer has (`signoff.gate.history_secrets`).
4. `signoff.gate.files.decide`: each file under the policy; `adjust` lets a use case add its own
   requirements (the release gate's release approval) before approvals are applied.
5. `signoff.approvals.check.gate_approvals`: verified approval records applied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from signoff.changes import FileChange
from signoff.errors import GitError
from signoff.gate.inputs import GateInputs, with_server_registry
from signoff.gate.refs import branch_of
from signoff.gate.start import RangeStart
from signoff.gitio import history
from signoff.protected import APPROVALS_REF

if TYPE_CHECKING:
    from signoff.approvals.check import RecordSource
    from signoff.approvals.store import StoredRecord
    from signoff.attribution.attribute import Attribution, Witness
    from signoff.decision import ApprovalReport, Decision, FileDecision
    from signoff.gate.files import Prepared
    from signoff.gate.range import RangeRead
    from signoff.identity.agents import Registry


class WitnessSource(Protocol):
    """Where pushes witnessed by the git-server hook are recorded (the control plane)."""

    def witnessed(self, shas: Sequence[str]) -> Mapping[str, Witness]: ...


#: A use case's own requirements, added to each file's decision before approvals are applied.
Adjust = Callable[["FileDecision", "Mapping[str, Attribution]"], "FileDecision"]


#: The approval step (`signoff.approvals.check.gate_approvals`), loaded while git walks.
ApprovalStep = Callable[..., "tuple[Sequence[FileDecision], ApprovalReport | None]"]


@dataclass(frozen=True, slots=True)
class Checked:
    """A decision and the protected inputs it was made under (so no caller reads them again)."""

    decision: Decision
    inputs: GateInputs


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
    server_registry: Registry | None = None,
    started: RangeStart | None = None,
    on_commit: Callable[[Attribution, str], object] | None = None,
) -> Decision:
    """Decide on base..head (`check_range` without the inputs)."""
    return check_range(
        repo, base_ref, head_ref, policy_file=policy_file, target_branch=target_branch,
        today=today, approvals_ref=approvals_ref, server=server, witness=witness,
        server_registry=server_registry, started=started, on_commit=on_commit,
    ).decision  # fmt: skip


def check_range(
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
    server_registry: Registry | None = None,
    started: RangeStart | None = None,
    on_commit: Callable[[Attribution, str], object] | None = None,
    inputs: GateInputs | None = None,
    adjust: Adjust | None = None,
) -> Checked:
    """Decide on base..head; signed approval records on `approvals_ref` (None: ignore them)
    are verified against the base ref's allowed signers and applied to the decision, together
    with the approvals `server` (the control plane, `signoff check --server`) holds, under the
    stricter of the base ref's registry and `server_registry` (the control plane's agents).

    `inputs`, read already from the base commit, are used instead of reading them again (and
    then `policy_file` is not read: the inputs say whether theirs was a dry run).
    `started`, work begun earlier for the same repository and refs (`signoff.cli.prefetch`), is
    used and closed; begun for anything else, it is closed unused. `on_commit` hears each
    commit's attribution and subject as git streams the range (an output can be prepared while
    git still walks); the decision's own list is what counts."""
    if started is not None and (inputs is not None or not started.is_for(repo, base_ref, head_ref)):
        started.close()
        started = None
    now = dt.datetime.now(dt.UTC)  # signatures, expiry and review dates are judged at this time
    with started or RangeStart(repo, base_ref, head_ref, inputs) as run:
        walked = _walk(run, policy_file, approvals_ref, server, server_registry, on_commit,
                       now, (base_ref, head_ref))  # fmt: skip
    git, base, head = run.git, run.base, run.head
    inputs, read, policy = walked.inputs, walked.read, walked.inputs.policy
    if not read.shas:
        raise GitError(f"empty range: no commits in {base_ref}..{head_ref}")
    attributions = read.attributions
    if witness is not None:
        _add_witness(witness, read, inputs)

    from signoff import decision as d
    from signoff.gate import files as gate_files

    today = today or now.date()
    target = target_branch or branch_of(run.base_ref)
    files = gate_files.decide(walked.prepared, read, policy, today, target, head)
    if adjust is not None:
        files = [adjust(f, attributions) for f in files]
    approvals = None
    if walked.approve is not None and any(f.verdict is not d.Verdict.ALLOW for f in files):
        final, approvals = walked.approve(
            git, approvals_ref, base=base, head=head, files=files, attributions=attributions,
            policy=policy, allowed_signers=inputs.signers_text,
            agent_keys=inputs.signers.agent_keys, server=server, stored=walked.stored,
        )  # fmt: skip
        files = list(final)
    return Checked(_decision(run, walked, files, approvals, target, today, now), inputs)


def _decision(
    run: RangeStart,
    walked: _Walked,
    files: list[FileDecision],
    approvals: ApprovalReport | None,
    target: str | None,
    today: dt.date,
    now: dt.datetime,
) -> Decision:
    """The decision record: the verdict, what it covers, the inputs it was made under."""
    from signoff import decision as d
    from signoff.gate.range import review_notes

    inputs, read, policy = walked.inputs, walked.read, walked.inputs.policy
    attributions = read.attributions
    reviews = review_notes(inputs.registry, attributions.values(), today)
    notes = (*inputs.notes, *walked.unlanded, *reviews)
    return d.Decision(
        verdict=d.strictest([f.verdict for f in files]),
        base=run.base,
        head=run.head,
        merge_base=walked.merge_base,
        target_branch=target,
        files=tuple(files),
        commits=tuple(attributions[s] for s in read.shas),
        commit_subjects=read.subjects,
        digests={"change_set": change_set_digest(walked.landed, read.shas), **inputs.digests},
        policy_source=policy.source,
        policy_protected=policy.protected and not inputs.dry_run,
        warnings=notes,
        evaluated_at=now.isoformat(timespec="seconds"),
        approvals=approvals,
        base_ref=run.base_ref,
        head_ref=run.head_ref,
    )


def _add_witness(witness: WitnessSource, read: RangeRead, inputs: GateInputs) -> None:
    """The pushes the control plane witnessed, added to the attributions they concern."""
    from signoff.attribution.attribute import with_witness

    attributions = read.attributions
    for sha, seen_push in witness.witnessed(read.shas).items():
        if sha in attributions:
            attributions[sha] = with_witness(attributions[sha], seen_push, inputs.registry)


@dataclass(frozen=True, slots=True)
class _Walked:
    inputs: GateInputs
    read: RangeRead
    merge_base: str
    landed: list[FileChange]
    prepared: list[Prepared]
    stored: list[StoredRecord] | None
    approve: ApprovalStep | None
    #: Facts about paths that do not land (secrets in the range's history), as warnings.
    unlanded: tuple[str, ...]


def _walk(
    run: RangeStart,
    policy_file: Path | None,
    approvals_ref: str | None,
    server: RecordSource | None,
    server_registry: Registry | None,
    on_commit: Callable[[Attribution, str], object] | None,
    now: dt.datetime,
    refs: tuple[str, str],
) -> _Walked:
    """Everything done while git walks the range, then the range itself as it streams in."""
    # Loaded here, not at the top: these imports overlap git's walk.
    from signoff.attribution.attribute import Attributor
    from signoff.gate import files as gate_files
    from signoff.gate import history_secrets
    from signoff.gate.range import merge_base, read_range
    from signoff.gate.workflows import base_sources, committers

    git, base, head = run.git, run.base, run.head
    inputs = run.inputs(policy_file)
    if server_registry is not None:  # the stricter of the two registries, agent by agent
        inputs = with_server_registry(inputs, server_registry)
    # What the head lands if the base is an ancestor of the head; checked once the commits are
    # in, and replaced by what merging head into base gives when it is not.
    landed = history.read_landed(run.landed_git, base, head)
    # The files CI runs, as the base ref's pipelines say (the change's own can only add).
    pipelines = base_sources(git, base)
    prepared = gate_files.prepare(run.landed_git, landed, inputs.policy, head, pipelines)
    stored: list[StoredRecord] | None = None
    approve: ApprovalStep | None = None
    if approvals_ref is not None or server is not None:  # the approval step, loaded now
        from signoff.approvals.check import gate_approvals

        approve = gate_approvals
    if approvals_ref is not None:  # the records do not depend on the range: read them now
        from signoff.approvals.store import read_records

        stored = read_records(git, approvals_ref)
    attributor = Attributor(inputs.registry, inputs.signers, committers(pipelines))
    read = read_range(run.log, attributor, inputs.commit_signers, now, on_commit)
    mbase = merge_base(git, read, base, head)
    if mbase == head:
        raise GitError(
            f"empty range: {refs[1]} adds nothing to {refs[0]}",
            hint="check the base and head refs of the pull request",
        )
    reader = run.landed_git
    if mbase != base:
        # The base moved on since the head forked (or they share several merge bases): what
        # lands is what merging head into base gives, against the base as it is now.
        reader = run.merge_git
        merged = history.merge_result(reader, base, head)
        landed = history.read_landed(reader, base, merged)
        prepared = gate_files.prepare(reader, landed, inputs.policy, merged, pipelines)
    found = history_secrets.scan_range(reader, read.wrote, landed, head)
    prepared, unlanded = gate_files.with_facts(prepared, found)
    return _Walked(inputs, read, mbase, landed, prepared, stored, approve, unlanded)


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
