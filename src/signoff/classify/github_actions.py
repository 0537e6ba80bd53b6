"""GitHub Actions: workflows (read only from the root `.github/workflows/`) and actions.

Everything under `.github/workflows/` counts, whatever its extension: GitHub runs `.yml` and
`.yaml` alike, and a helper file there is as close to CI as it gets. Case is exact: git and GitHub
are case-sensitive, so `.GitHub/Workflows/x.yml` is not a workflow (it ends up `unknown`, high).
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class GitHubActions(RuleClassifier):
    ident = "github-actions"
    desc = "GitHub Actions workflows, local actions and action definitions"
    rules = specific(
        FileClass.CI_WORKFLOW,
        (".github/workflows/", "GitHub Actions workflow"),
        (".github/actions/", "local action used by workflows"),
        (".github/workflow-templates/", "workflow template"),
        (".github/scripts/", "script the workflows run, with their tokens"),
        ("action.yml", "action definition (any folder can be used as `uses: ./path`)"),
        ("action.yaml", "action definition (any folder can be used as `uses: ./path`)"),
    )
