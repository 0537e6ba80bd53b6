"""Go modules and workspaces. `version.go` is left to `version-files` (generic)."""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class Go(RuleClassifier):
    ident = "go"
    desc = "go.mod, go.work and their checksum files"
    rules = specific(
        FileClass.DEPENDENCY_MANIFEST,
        ("go.mod", "Go module requirements and replacements"),
        ("go.work", "Go workspace modules"),
    ) + specific(
        FileClass.LOCKFILE,
        ("go.sum", "Go module checksums"),
        ("go.work.sum", "Go workspace checksums"),
        ("vendor/modules.txt", "list of vendored Go modules"),
    )
