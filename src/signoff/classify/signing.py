"""Signing and publishing: what makes or ships a release, and the keys and credentials it uses.

Release and publish workflows are recognised by name (any case, since GitHub accepts any); a
workflow also matches `github-actions`, and the riskier class (this one) wins. Key material is
matched wherever it sits, test fixtures included: a key is never low-risk.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, specific
from signoff.taxonomy import FileClass

_WORKFLOW_WORDS: tuple[str, ...] = (
    "release",
    "publish",
    "pypi",
    "sign",
    "goreleaser",
    "provenance",
    "slsa",
)
_CLIFF = "git-cliff: writes release notes and computes the next version (its hooks run commands)"
_BUMP = "bump-my-version: bumps, commits and tags releases"
#: Words that name release tooling in a scripts folder (`script/tag-release`, `bin/bump-version`).
_SCRIPT_WORDS: tuple[tuple[str, str], ...] = (
    ("release", "release script"),
    ("publish", "publish script"),
    ("bump-version", "version bump script"),
    ("bump_version", "version bump script"),
    ("tag-", "tagging script"),
)
_KEYS: tuple[str, ...] = (
    "key",
    "pem",
    "asc",
    "gpg",
    "pgp",
    "sig",
    "p12",
    "pfx",
    "p8",
    "jks",
    "keystore",
    "crt",
)
_KEYS += ("cer", "der", "pub", "sigstore", "mobileprovision")


class SigningPublishing(RuleClassifier):
    ident = "signing-publishing"
    desc = "release/publish workflows and scripts, signing keys and config, registry credentials"
    rules = specific(
        FileClass.SIGNING_PUBLISHING,
        *(
            (AnyCase(f".github/workflows/*{w}*"), f"GitHub workflow named for `{w}`")
            for w in _WORKFLOW_WORDS
        ),
        *(
            (AnyCase(f".gitlab/ci/*{w}*"), f"GitLab CI include named for `{w}`")
            for w in ("release", "publish", "sign")
        ),
        *(
            (AnyCase(f".azure-pipelines/*{w}*"), f"Azure Pipelines definition named for `{w}`")
            for w in ("release", "publish", "sign")
        ),
        (".goreleaser.y*ml", "GoReleaser: builds, signs and publishes releases"),
        ("goreleaser.y*ml", "GoReleaser: builds, signs and publishes releases"),
        ("jreleaser.y*ml", "JReleaser: builds, signs and publishes releases"),
        (".releaserc*", "semantic-release: publishes releases"),
        ("release.config.*", "semantic-release: publishes releases"),
        (".release-it.*", "release-it: publishes releases"),
        ("release-please-config.json", "release-please: cuts releases"),
        ("release.toml", "cargo-release: publishes crates"),
        ("dist-workspace.toml", "cargo-dist: builds and publishes releases"),
        (".changeset/config.json", "Changesets: versions and publishes packages"),
        *(
            (f".changeset/*.{ext}", "Changesets code: changelog generator run when releasing")
            for ext in ("js", "cjs", "mjs", "ts")
        ),
        (".craft.y*ml", "Craft: release targets and the version bump it runs"),
        ("cliff.toml", _CLIFF),
        (".cliff.toml", _CLIFF),
        (".versionrc*", "standard-version: bumps, commits and tags releases"),
        (".bumpversion.cfg", _BUMP),
        (".bumpversion.toml", _BUMP),
        (".cz.toml", "Commitizen: bumps versions and tags releases"),
        ("cz.toml", "Commitizen: bumps versions and tags releases"),
        (".cz.json", "Commitizen: bumps versions and tags releases"),
        (".cz.y*ml", "Commitizen: bumps versions and tags releases"),
        ("knope.toml", "knope: versions, tags and releases"),
        ("release-plz.toml", "release-plz: versions and publishes crates"),
        (".autorc*", "auto: versions and publishes releases"),
        (AnyCase("*.entitlements"), "code-signing entitlements of an app"),
        (AnyCase("*entitlements.plist"), "code-signing entitlements of an app"),
        ("**/*appcast*", "update feed (appcast) apps trust for signed updates"),
        (AnyCase("release*.sh"), "release script"),
        (AnyCase("publish*.sh"), "publish script"),
        *(
            (f"**/{folder}/*{word}*", f"{what} in a scripts folder")
            for folder in ("scripts", "script", "bin", "tools", "hack")
            for word, what in _SCRIPT_WORDS
        ),
        ("**/scripts/sign*", "signing script"),
        ("**/script/sign*", "signing script"),
        ("fastlane/", "fastlane: signs and ships app builds"),
        (".pypirc", "PyPI upload credentials"),
        (".npmrc", "npm registries and auth tokens"),
        (".yarnrc", "Yarn registries and auth tokens"),
        (".yarnrc.yml", "Yarn registries and auth tokens"),
        ("pip.conf", "pip package indexes and credentials"),
        ("pip.ini", "pip package indexes and credentials"),
        (AnyCase("NuGet.Config"), "NuGet sources and API keys"),
        ("auth.json", "Composer registry credentials"),
        (".netrc", "machine credentials"),
        ("**/.docker/config.json", "Docker registry credentials"),
        ("**/.cargo/credentials*", "crates.io token"),
        ("**/.gem/credentials", "RubyGems API key"),
        ("cosign.pub", "cosign verification key"),
        ("cosign.key", "cosign signing key"),
        *((f"*.{ext}", f"key, certificate or signature (`.{ext}`)") for ext in _KEYS),
        ("id_rsa*", "SSH key"),
        ("id_ecdsa*", "SSH key"),
        ("id_ed25519*", "SSH key"),
        ("allowed_signers", "SSH allowed signers: whose signatures count"),
        ("KEYS", "release signing keys (Apache KEYS file)"),
        (".sigstore/", "Sigstore signing configuration and bundles"),
        ("*.sigstore.json", "Sigstore bundle"),
        (".gitsign*", "gitsign keyless commit-signing configuration"),
    )
