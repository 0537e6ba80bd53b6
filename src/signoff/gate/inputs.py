"""What the gate trusts, read once from the protected base ref: policy, registry, signers.

A change can never loosen its own rules, so all three come from the base commit, never from the
change under review (a dry-run policy file is the one exception, and every output says so).
`read_inputs` is the one reader; `signoff.gate.start.RangeStart` calls the same steps in the
order that lets `git log` start as early as possible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.errors import ConfigError
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.identity.allowed_signers import AllowedSigners
from signoff.identity.commit_signers import CommitSigners
from signoff.identity.signers import (
    SignerEntry,
    Signers,
    build_signers,
    humans_text,
    parse_allowed_signers,
)
from signoff.protected import ALLOWED_SIGNERS_PATH, POLICY_PATH, REGISTRY_PATH

if TYPE_CHECKING:
    from signoff.identity.agents import Registry
    from signoff.policy.model import Policy

Blobs = Mapping[str, bytes | None]


@dataclass(frozen=True, slots=True)
class GateInputs:
    """The protected inputs of one decision, and their digests (every decision names them)."""

    base: str  #: the commit they were read from
    policy: Policy
    registry: Registry
    humans: tuple[SignerEntry, ...]  #: the allowed signers, as `.signoff/allowed_signers` says
    signers: Signers  #: who is human and which keys are agents', after the registry is applied
    signers_text: str  #: the combined allowed-signers file (humans and agents' keys)
    signers_digest: str
    commit_signers: CommitSigners  #: who signed a commit (the humans' and agents' SSH keys)
    notes: tuple[str, ...]  #: what is missing or a dry run, said in every output
    dry_run: bool  #: the policy came from a file, not the base ref

    @property
    def digests(self) -> dict[str, str]:
        return {
            "policy": self.policy.digest,
            "registry": self.registry.digest,
            "allowed_signers": self.signers_digest,
        }


def read_inputs(git: Git, base: str, policy_file: Path | None = None) -> GateInputs:
    """Policy, registry and allowed signers from the base commit `base` (a full SHA)."""
    blobs = input_blobs(git, base)
    humans = read_humans(blobs, base)
    registry, notes = read_registry(blobs, base)
    return assemble(base, blobs, humans, registry, notes, policy_file)


def assemble(
    base: str,
    blobs: Blobs,
    humans: list[SignerEntry],
    registry: Registry,
    notes: list[str],
    policy_file: Path | None,
) -> GateInputs:
    """The inputs from what was read; the policy is parsed last (`RangeStart` reads the rest
    before git's walk, and this while git walks)."""
    policy, policy_notes = read_policy(blobs, base, policy_file)
    signers, text, digest = build_signers(humans, registry)
    by_key = CommitSigners(AllowedSigners.parse(humans_text(humans)), signers.agent_keys)
    return GateInputs(
        base=base,
        policy=policy,
        registry=registry,
        humans=tuple(humans),
        signers=signers,
        signers_text=text,
        signers_digest=digest,
        commit_signers=by_key,
        notes=(*policy_notes, *policy.warnings, *notes),
        dry_run=policy_file is not None,
    )


def with_server_registry(inputs: GateInputs, server: Registry) -> GateInputs:
    """The inputs under the stricter of the base ref's registry and the control plane's
    (`signoff.identity.agents.merge_registries`): who is an agent, and which keys are agents',
    from both; each disagreement is a note every output carries."""
    from signoff.identity.agents import merge_registries

    registry, drift = merge_registries(inputs.registry, server)
    humans = list(inputs.humans)
    signers, text, digest = build_signers(humans, registry)
    by_key = CommitSigners(AllowedSigners.parse(humans_text(humans)), signers.agent_keys)
    return replace(
        inputs,
        registry=registry,
        signers=signers,
        signers_text=text,
        signers_digest=digest,
        commit_signers=by_key,
        notes=(*inputs.notes, *(f"registry drift: {d}" for d in drift)),
    )


def input_blobs(git: Git, base: str) -> dict[str, bytes | None]:
    """The policy, registry and allowed signers as stored on the base ref (None: absent)."""
    paths = (POLICY_PATH, REGISTRY_PATH, ALLOWED_SIGNERS_PATH)
    found = history.read_objects(git, [f"{base}:{p}" for p in paths])
    return {p: found.get(f"{base}:{p}") for p in paths}


def read_humans(blobs: Blobs, base: str) -> list[SignerEntry]:
    """The humans' allowed signers on the base ref (none when the file is absent)."""
    raw = blobs[ALLOWED_SIGNERS_PATH]
    if raw is None:
        return []
    return parse_allowed_signers(raw, f"{base[:12]}:{ALLOWED_SIGNERS_PATH}")


def read_registry(blobs: Blobs, base: str) -> tuple[Registry, list[str]]:
    """The agent registry on the base ref; without one every agent is unregistered (said)."""
    from signoff.identity.agents import EMPTY_REGISTRY, parse_registry  # YAML: after git starts

    raw = blobs[REGISTRY_PATH]
    if raw is None:
        reason = f"no {REGISTRY_PATH} on the base ref: every agent is unregistered"
        return EMPTY_REGISTRY, [reason]
    return parse_registry(raw, f"{base[:12]}:{REGISTRY_PATH}"), []


def read_policy(blobs: Blobs, base: str, policy_file: Path | None) -> tuple[Policy, list[str]]:
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
