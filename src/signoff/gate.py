"""The CI gate: read a range, attribute, classify, analyze, and decide under the base policy.

This is the one path every shell (CLI, API, hook) takes to a decision, so a decision made in one
place is identical to one made in another on the same inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from signoff.analysis import analyze_file, wants_content
from signoff.attribution.attribute import (
    Actor,
    Attribution,
    AttributionKind,
    Attributor,
    Evidence,
    EvidenceType,
    Witness,
    with_witness,
)
from signoff.changes import NULL_SHA, FileChange, Status
from signoff.classify.change import classify_change
from signoff.decision import Decision, FileDecision, Verdict, strictest
from signoff.errors import ConfigError, GitError
from signoff.facts import PARSE_FAILED, Fact
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.policy.evaluate import FileInput, evaluate_file
from signoff.policy.load import fail_closed_policy, parse_policy
from signoff.policy.model import ALLOWED_SIGNERS_PATH, POLICY_PATH, Policy
from signoff.registry import (
    EMPTY_REGISTRY,
    REGISTRY_PATH,
    Kind,
    Lifecycle,
    Registry,
    parse_registry,
)
from signoff.signers import SignerEntry, build_signers, parse_allowed_signers
from signoff.taxonomy import Risk

if TYPE_CHECKING:
    from signoff.approvals.check import RecordSource

#: Where signed approval records live (`signoff.approvals.store.DEFAULT_REF`); the approvals
#: package is imported only when a range needs approval, to keep the gate's start-up light.
APPROVALS_REF = "refs/signoff/approvals"

#: Content larger than this is not analyzed; the file is reported as unanalyzable (high risk).
MAX_ANALYZED_BYTES = 8 << 20


#: Content that lands although no commit in the range touched its path (a merge resolution can
#: hide it): nobody vouches for it, so it is handled as unregistered agent work, whatever
#: `treat_unverified_as_agent` says.
_UNEXPLAINED = Attribution(
    sha="",
    kind=AttributionKind.AGENT,
    actors=(Actor("unregistered:unexplained-content", Kind.AI_AGENT, None),),
    evidence=(
        Evidence(
            EvidenceType.ASSERTED,
            "merge",
            "unregistered:unexplained-content",
            "lands although no commit in the range touched it",
        ),
    ),
)


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
    blobs = history.read_objects(
        git, [f"{base}:{POLICY_PATH}", f"{base}:{REGISTRY_PATH}", f"{base}:{ALLOWED_SIGNERS_PATH}"]
    )
    warnings: list[str] = []
    if policy_file is not None:
        try:
            text = policy_file.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"cannot read policy: {exc.strerror}", file=str(policy_file)
            ) from None
        policy = parse_policy(text, str(policy_file), protected=False)
        warnings.append(
            f"DRY RUN: policy from {policy_file}, not the protected policy on the base ref"
        )
    else:
        raw = blobs.get(f"{base}:{POLICY_PATH}")
        if raw is None:
            reason = f"no {POLICY_PATH} on the base ref: every agent change needs approval"
            policy = fail_closed_policy(reason)
            warnings.append(reason)
        else:
            policy = parse_policy(raw, f"{base[:12]}:{POLICY_PATH}")
    raw_reg = blobs.get(f"{base}:{REGISTRY_PATH}")
    if raw_reg is None:
        registry = EMPTY_REGISTRY
        warnings.append(f"no {REGISTRY_PATH} on the base ref: every agent is unregistered")
    else:
        registry = parse_registry(raw_reg, f"{base[:12]}:{REGISTRY_PATH}")
    raw_signers = blobs.get(f"{base}:{ALLOWED_SIGNERS_PATH}")
    humans = (
        parse_allowed_signers(raw_signers, f"{base[:12]}:{ALLOWED_SIGNERS_PATH}")
        if raw_signers is not None
        else []
    )
    return Inputs(policy, registry, humans, tuple(warnings))


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
) -> Decision:
    """Decide on base..head; signed approval records on `approvals_ref` (None: ignore them)
    are verified against the base ref's allowed signers and applied to the decision, together
    with the approvals `server` (the control plane, `signoff check --server`) holds."""
    git = Git(repo)
    base, head, base_full = history.resolve_range(git, base_ref, head_ref)
    mbase = history.merge_base(git, base, head)
    if mbase == head:
        raise GitError(
            f"empty range: {head_ref} adds nothing to {base_ref}",
            hint="check the base and head refs of the pull request",
        )
    inputs = load_inputs(git, base, policy_file)
    target = target_branch or branch_of(base_full)
    now = dt.datetime.now(dt.UTC)
    today = today or now.date()

    signers, signers_text, signers_digest = build_signers(inputs.humans, inputs.registry)
    with tempfile.TemporaryDirectory(prefix="signoff-") as tmp:
        allowed = Path(tmp) / "allowed_signers"
        allowed.write_text(signers_text)
        log_git = Git(repo, config=[f"gpg.ssh.allowedSignersFile={allowed}"])
        attributor = Attributor(inputs.registry, signers)
        commits = []
        attributions = {}
        # Attribute each commit as git streams it: this work overlaps git's own.
        for c in history.iter_commits(log_git, base, head):
            commits.append(c)
            attributions[c.sha] = attributor(c)
    if not commits:
        raise GitError(f"empty range: no commits in {base_ref}..{head_ref}")
    if witness is not None:
        for sha, seen in witness.witnessed([c.sha for c in commits]).items():
            if sha in attributions:
                attributions[sha] = with_witness(attributions[sha], seen, inputs.registry)

    touched: dict[str, list[str]] = defaultdict(list)
    for c in commits:
        for f in c.files:
            touched[f.old_path].append(c.sha)
            if f.new_path != f.old_path:
                touched[f.new_path].append(c.sha)

    landed = history.read_landed(git, mbase, head)
    contents = _read_contents(git, landed)
    files: list[FileDecision] = []
    for change in landed:
        shas = list(
            dict.fromkeys(touched.get(change.old_path, []) + touched.get(change.new_path, []))
        )
        attrs = tuple(attributions[s] for s in shas)
        if not attrs:
            attrs = (_UNEXPLAINED._replace(sha=head),)
        files.append(_decide_file(change, contents, attrs, inputs.policy, today, target))

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
            policy=inputs.policy,
            allowed_signers=signers_text,
            agent_keys=signers.agent_keys,
            server=server,
        )
        files = list(final)

    warnings = list(inputs.warnings)
    for agent in inputs.registry.agents:
        if agent.lifecycle(today) is Lifecycle.REVIEW_DUE and any(
            a.agent is agent for at in attributions.values() for a in at.actors
        ):
            warnings.append(
                f"agent {agent.id} is past its review date {agent.review_by}; owner: {agent.owner}"
            )
    verdict = strictest([f.verdict for f in files]) if files else Verdict.ALLOW
    return Decision(
        verdict=verdict,
        base=base,
        head=head,
        merge_base=mbase,
        target_branch=target,
        files=tuple(files),
        commits=tuple(attributions[c.sha] for c in commits),
        commit_subjects={c.sha: c.subject for c in commits},
        digests={
            "change_set": change_set_digest(landed, [c.sha for c in commits]),
            "policy": inputs.policy.digest,
            "registry": inputs.registry.digest,
            "allowed_signers": signers_digest,
        },
        policy_source=inputs.policy.source,
        policy_protected=inputs.policy.protected and policy_file is None,
        warnings=tuple(warnings),
        evaluated_at=now.isoformat(timespec="seconds"),
        approvals=approvals,
    )


def _decide_file(
    change: FileChange,
    contents: dict[str, bytes | None],
    attrs: tuple[Attribution, ...],
    policy: Policy,
    today: dt.date,
    target: str | None,
) -> FileDecision:
    link_target = None
    if change.is_symlink and change.new_mode == "120000":
        raw = contents.get(change.new_blob)
        link_target = raw.decode("utf-8", "surrogateescape") if raw is not None else None
    cls = classify_change(change, policy.class_globs, symlink_target=link_target)
    facts = _facts(change, contents)
    fi = FileInput(change, cls.file_class, cls.risk, tuple(facts), attrs, cls.adjustments)
    return evaluate_file(fi, policy, today, target)


def _facts(change: FileChange, contents: dict[str, bytes | None]) -> list[Fact]:
    if change.binary or change.is_submodule or change.is_symlink:
        return []
    old_path = change.old_path if change.status is not Status.ADDED else None
    if not wants_content(change.path, old_path):
        return []
    old = contents.get(change.old_blob) if change.old_blob != NULL_SHA else None
    new = contents.get(change.new_blob) if change.new_blob != NULL_SHA else None
    size = max(len(old or b""), len(new or b""))
    if size > MAX_ANALYZED_BYTES:
        return [
            Fact(
                PARSE_FAILED, change.path, f"too large to analyze ({size} bytes)", Risk.HIGH, "gate"
            )
        ]
    return analyze_file(
        change.path, old, new, old_path=change.old_path if change.is_rename else None
    )


def _read_contents(git: Git, landed: Iterable[FileChange]) -> dict[str, bytes | None]:
    wanted: list[str] = []
    for ch in landed:
        if ch.is_submodule or ch.binary:
            continue
        if ch.is_symlink or wants_content(ch.path, ch.old_path):
            wanted += [b for b in (ch.old_blob, ch.new_blob) if b and b != NULL_SHA]
    return history.read_objects(git, wanted)


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
