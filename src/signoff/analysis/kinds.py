"""Every fact kind an analyzer can emit, with its default risk: the vocabulary policies use.

The policy validator rejects fact names not listed here (with did-you-mean suggestions), and
``docs/facts.md`` documents each one; tests keep all three in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from signoff.facts import PARSE_FAILED
from signoff.taxonomy import Risk


@dataclass(frozen=True, slots=True)
class FactInfo:
    kind: str
    risk: Risk
    desc: str


_L, _M, _H, _C = Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.CRITICAL

_CATALOGUE: tuple[tuple[str, Risk, str], ...] = (
    # Dependencies (manifests and lockfiles)
    ("dependency-added", _M, "a package was added to a manifest or lockfile"),
    ("dependency-removed", _L, "a package was removed from a manifest or lockfile"),
    ("dependency-version-changed", _L, "a package's version or version constraint changed"),
    ("dependency-source-changed", _H, "a package now comes from a URL, VCS, path or patch source"),
    ("registry-changed", _H, "an index, registry or resolved host was added or changed"),
    ("trusted-host-added", _H, "pip was told to trust a host without TLS verification"),
    ("hash-removed", _H, "a pinned hash was removed from a Python requirement or lock entry"),
    ("integrity-removed", _H, "a lockfile entry lost its integrity checksum"),
    (
        "integrity-changed-without-version-change",
        _H,
        "a checksum changed while the package version stayed the same",
    ),
    ("lockfile-version-refresh", _L, "lockfile changed only by version moves of existing packages"),
    # Code that runs at install, build or publish time
    ("install-script-added", _H, "an npm lifecycle script (preinstall, postinstall...) was added"),
    ("install-script-changed", _H, "an npm lifecycle script was changed"),
    ("script-changed", _M, "a non-lifecycle package script was added or changed"),
    ("entry-point-added", _M, "a console script, entry point or bin was added"),
    ("entry-point-changed", _M, "a console script, entry point or bin now points elsewhere"),
    ("build-backend-changed", _H, "the Python build backend or its path changed"),
    ("build-requires-changed", _H, "the packages needed to build changed"),
    ("tool-hook-changed", _H, "a tool configuration section that runs code changed"),
    ("packaging-code-changed", _H, "build code changed (setup.py, build.rs, Gradle scripts)"),
    ("publish-config-changed", _H, "where or how the package is published changed"),
    ("toolchain-changed", _M, "the language toolchain or package-manager version changed"),
    # Versions and release notes
    ("version-changed", _L, "the package's own version changed"),
    ("version-bump-only", _L, "the version changed and nothing else in this file did"),
    ("changelog-entry-added", _L, "only lines were added to a changelog"),
    ("changelog-edited", _L, "existing changelog lines were edited or removed"),
    ("pipe-to-shell-added", _H, "release notes now tell users to pipe a remote script to a shell"),
    (
        "download-host-added",
        _M,
        "release notes now point users at a download host they never named",
    ),
    # Go
    ("go-replace-added", _H, "a go.mod replace directive was added"),
    # CI workflows
    ("workflow-trigger-added", _M, "a workflow gained a trigger"),
    ("dangerous-trigger-added", _C, "a workflow gained pull_request_target or workflow_run"),
    ("permissions-widened", _H, "a workflow or job token gained write access"),
    ("id-token-write-added", _C, "a workflow or job can now mint OIDC tokens (id-token: write)"),
    ("secret-referenced", _H, "a workflow newly references a secret"),
    ("action-unpinned", _M, "an action or reusable workflow is not pinned to a full commit SHA"),
    ("action-pin-changed", _M, "an action or reusable workflow now points at another ref"),
    ("environment-removed", _H, "a job lost or changed its deployment environment"),
    ("untrusted-input-in-run", _H, "attacker-controllable event data is expanded into a script"),
    ("gitlab-include-remote", _H, "a GitLab CI file includes configuration from a remote URL"),
    ("gitlab-image-changed", _M, "a GitLab CI job image changed"),
    ("gitlab-rules-changed", _M, "GitLab CI rules, only/except or workflow rules changed"),
    ("zizmor-finding", _H, "zizmor reported a new finding in a workflow"),
    # Containers and JVM
    ("base-image-changed", _M, "a Dockerfile FROM image changed"),
    ("base-image-unpinned", _M, "a Dockerfile FROM image has no @sha256 digest"),
    ("remote-script-piped-to-shell", _H, "a script is downloaded and piped into a shell"),
    ("remote-add", _H, "a Dockerfile ADD fetches a remote URL"),
    ("maven-repository-added", _H, "a Maven repository or plugin repository was added"),
    ("maven-plugin-added", _M, "a Maven build plugin was added"),
    ("gem-source-added", _H, "a Gemfile or Gemfile.lock gained a gem source"),
    # Content
    ("secret-added", _C, "an added line contains a secret-like string (value redacted)"),
    (
        "secret-in-history",
        _C,
        "a commit of the range added a secret the head no longer has (value redacted)",
    ),
    (PARSE_FAILED, _H, "a file an analyzer owns could not be parsed; treated as high risk"),
)

KNOWN_FACTS: Mapping[str, FactInfo] = MappingProxyType(
    {kind: FactInfo(kind, risk, desc) for kind, risk, desc in _CATALOGUE}
)

if len(KNOWN_FACTS) != len(_CATALOGUE):  # pragma: no cover - guards edits to the table
    raise RuntimeError("duplicate fact kind in the catalogue")
