"""The built-in class taxonomy and risk levels (docs/classes.md).

Classes are listed most sensitive first; that order breaks ties between classes of equal risk, so
"the riskier of two classes" is always well defined.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Risk(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()


class FileClass(StrEnum):
    GOVERNANCE = "governance"
    AGENT_INSTRUCTIONS = "agent-instructions"
    SIGNING_PUBLISHING = "signing-publishing"
    CI_WORKFLOW = "ci-workflow"
    DEPENDENCY_MANIFEST = "dependency-manifest"
    LOCKFILE = "lockfile"
    PACKAGING_BUILD = "packaging-build"
    DEPLOYMENT = "deployment"
    REPO_CONFIG = "repo-config"
    UNKNOWN = "unknown"
    SOURCE = "source"
    VERSION = "version"
    RELEASE_NOTES = "release-notes"
    TESTS = "tests"
    DOCS = "docs"


RISK: dict[FileClass, Risk] = {
    FileClass.GOVERNANCE: Risk.CRITICAL,
    FileClass.AGENT_INSTRUCTIONS: Risk.CRITICAL,
    FileClass.SIGNING_PUBLISHING: Risk.CRITICAL,
    FileClass.CI_WORKFLOW: Risk.HIGH,
    FileClass.DEPENDENCY_MANIFEST: Risk.HIGH,
    FileClass.LOCKFILE: Risk.HIGH,
    FileClass.PACKAGING_BUILD: Risk.HIGH,
    FileClass.DEPLOYMENT: Risk.HIGH,
    FileClass.REPO_CONFIG: Risk.HIGH,
    FileClass.UNKNOWN: Risk.HIGH,
    FileClass.SOURCE: Risk.MEDIUM,
    FileClass.VERSION: Risk.LOW,
    FileClass.RELEASE_NOTES: Risk.LOW,
    FileClass.TESTS: Risk.LOW,
    FileClass.DOCS: Risk.LOW,
}

_ORDER = {cls: i for i, cls in enumerate(FileClass)}

#: Classes whose change alters what is shipped or how it is built, signed or deployed.
RELEASE_IMPACTING = frozenset(
    {
        FileClass.DEPENDENCY_MANIFEST,
        FileClass.LOCKFILE,
        FileClass.PACKAGING_BUILD,
        FileClass.CI_WORKFLOW,
        FileClass.SIGNING_PUBLISHING,
        FileClass.DEPLOYMENT,
        FileClass.VERSION,
    }
)


def riskier(a: FileClass, b: FileClass) -> FileClass:
    """The more sensitive of two classes: higher risk first, then taxonomy order."""
    ka = (-RISK[a], _ORDER[a])
    kb = (-RISK[b], _ORDER[b])
    return a if ka <= kb else b


class Mode(StrEnum):
    """Autonomy modes of an agent, most restrictive first (docs/policy.md)."""

    BLOCKED = "blocked"
    SUPERVISED = "supervised"
    LIMITED = "limited"


class Kind(StrEnum):
    """What kind of non-human identity acts: an AI agent, or a plain automation bot."""

    AI_AGENT = "ai-agent"
    BOT = "bot"
