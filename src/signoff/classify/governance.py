"""Governance: files that decide who may change what, and how changes get merged.

Dependabot and Renovate configs are here rather than in repo-config: they configure a bot that opens
dependency changes (and, with Renovate's `automerge`, merges them), which is exactly the question
of who may change what that governance answers.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass

_CODEOWNERS = "code owners: whose review a path needs"


class Governance(RuleClassifier):
    ident = "governance"
    desc = "signoff's own policy, code owners, rulesets and merge/bot governance config"
    rules = specific(
        FileClass.GOVERNANCE,
        (".signoff/", "signoff's own policy, agent registry and approver keys"),
        ("/.signoff.yml", "signoff policy at the repository root"),
        ("/.signoff.yaml", "signoff policy at the repository root"),
        ("/CODEOWNERS", f"{_CODEOWNERS} (read by GitHub at the root)"),
        (".github/CODEOWNERS", f"{_CODEOWNERS} (read by GitHub in .github/)"),
        ("docs/CODEOWNERS", f"{_CODEOWNERS} (read by GitHub in docs/)"),
        (".gitlab/CODEOWNERS", f"{_CODEOWNERS} (read by GitLab in .gitlab/)"),
        ("CODEOWNERS", "a CODEOWNERS file elsewhere, kept critical so moving one is reviewed"),
        (".github/rulesets/", "repository rulesets as code (branch and tag protection)"),
        (".github/settings.y*ml", "repository settings as code (branch protection, teams)"),
        (".policy.yml", "policy-bot approval rules"),
        (".mergify.yml", "Mergify merge rules"),
        (".mergify/", "Mergify merge rules"),
        (".github/mergify.yml", "Mergify merge rules"),
        (".kodiak.toml", "Kodiak auto-merge rules"),
        ("bors.toml", "bors merge queue settings"),
        ("OWNERS", "Prow/Kubernetes approvers"),
        ("OWNERS_ALIASES", "Prow/Kubernetes approver groups"),
        (".github/dependabot.y*ml", "Dependabot: which dependency updates a bot opens, from where"),
        ("renovate.json", "Renovate: which dependency updates a bot opens and may automerge"),
        ("renovate.json5", "Renovate: which dependency updates a bot opens and may automerge"),
        (".renovaterc*", "Renovate: which dependency updates a bot opens and may automerge"),
    )
