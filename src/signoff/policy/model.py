"""Typed policy (docs/policy.md).

Built only by `signoff.policy.load`; objects that exist are valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from signoff.taxonomy import FileClass, Mode


@dataclass(frozen=True, slots=True)
class Requirement:
    """`approvals` distinct people from `group` must approve; `rule` says who asked for it;
    `excluded` people's approvals never count for it (the authors of a four-eyes change)."""

    approvals: int
    group: str
    rule: str
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class When:
    """Applicability: every listed key must match; within a key, any entry may match."""

    classes: tuple[FileClass, ...] = ()
    facts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    when: When
    deny: bool
    approvals: int = 0
    group: str = ""
    description: str = ""
    line: int | None = None

    def requirement(self) -> Requirement:
        return Requirement(self.approvals, self.group, self.name)


@dataclass(frozen=True, slots=True)
class AutoLane:
    """The exclusive allowlist `limited` agents may change without approval.

    High and critical classes are in it only when the policy also lists them under
    `allow_risky_lane` (`risky`): the gate then warns on every decision."""

    classes: tuple[FileClass, ...] = (FileClass.DOCS, FileClass.TESTS, FileClass.RELEASE_NOTES)
    facts: tuple[str, ...] = ()
    risky: tuple[FileClass, ...] = ()


@dataclass(frozen=True, slots=True)
class FourEyes:
    """`four_eyes`: changes of these classes need `approvals` from `group` by people other than
    the change's authors, whoever made it (a verified human too): nobody loosens the rules
    alone."""

    approvals: int
    group: str
    classes: tuple[FileClass, ...] = (FileClass.GOVERNANCE,)


@dataclass(frozen=True, slots=True)
class ApprovalSettings:
    """How approvals are checked (used by the approval verifier)."""

    key_types: tuple[str, ...] = ()
    break_glass: str | None = None
    #: every SSH-signed approval must come from a security key that verified its user
    user_verification: bool = False
    #: classes whose approvals must be SSH-signed records: a forge review or an approval given
    #: through the control plane's API does not count for them
    signed_only: tuple[FileClass, ...] = ()


#: Classes whose changes can alter what a release ships or how (docs/release.md).
RELEASE_CLASSES = (
    FileClass.DEPENDENCY_MANIFEST,
    FileClass.LOCKFILE,
    FileClass.PACKAGING_BUILD,
    FileClass.CI_WORKFLOW,
    FileClass.SIGNING_PUBLISHING,
    FileClass.DEPLOYMENT,
    FileClass.VERSION,
)


@dataclass(frozen=True, slots=True)
class ReleaseSettings:
    """The `release:` section: what `signoff release verify` adds on top of the gate.

    Trusted builder and signer lists are empty by default, and an empty list trusts nobody: an
    artifact check cannot pass until the policy names who may build and sign.
    """

    approvals: int = 1
    group: str = "release-managers"
    classes: tuple[FileClass, ...] = RELEASE_CLASSES
    #: also require release approval for release-impacting changes only verified humans made
    all_changes: bool = False
    trusted_builders: tuple[str, ...] = ()
    trusted_signers: tuple[str, ...] = ()
    #: a lightweight tag has no tagger to check; refused unless this is true
    allow_lightweight_tags: bool = False
    #: the tag must carry a signature by a human key from `.signoff/allowed_signers`
    require_signed_tags: bool = False
    #: artifact records count only when their builder/signer is verified (the control plane's
    #: record, or their own SSH signature), never merely asserted in a ledger file
    require_verified_builders: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    treat_unverified_as_agent: bool
    unregistered_mode: Mode
    unverified_mode: Mode
    default_approval: Requirement
    auto_lane: AutoLane
    groups: Mapping[str, tuple[str, ...]]
    class_globs: Mapping[FileClass, tuple[str, ...]]
    rules: tuple[Rule, ...]
    approvals: ApprovalSettings
    protected_branches: tuple[str, ...]
    digest: str
    source: str
    #: True only when read from the base ref; `--policy FILE` dry runs are not protected
    protected: bool = True
    #: set when no policy was found and the fail-closed default is in force
    fail_closed_reason: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    release: ReleaseSettings = ReleaseSettings()
    #: GitHub login (lower case) -> the person (principal) it belongs to, from `github:` on group
    #: members: whose GitHub reviews count as that person's (`forge-review` evidence)
    github_logins: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    four_eyes: FourEyes | None = None
    #: said on every decision made under this policy (e.g. risky classes in the auto lane)
    warnings: tuple[str, ...] = ()
