"""Repository configuration: git behaviour, hooks, and developer environments that run code.

`.gitignore` is here, not in docs: it can keep files out of commits and out of review. The
`.editorconfig` cannot run code, but it applies to everyone's checkout and rarely changes, so it
stays high rather than adding a low-risk "misc" class. `.vscode/` counts as a whole: `tasks.json`
and `launch.json` run commands, and `.vscode/mcp.json` also matches `agent-instructions`.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, specific
from signoff.taxonomy import FileClass

_PIN = "pins a tool version for everyone's environment"


_HOOKS = "installs git hooks: code that runs on every commit"
_PR_TEMPLATE = "pull request template: what every pull request is asked to state"


class RepoConfig(RuleClassifier):
    ident = "repo-config"
    desc = "git attributes/ignore/modules, hooks, pre-commit, editor and dev-environment config"
    rules = specific(
        FileClass.REPO_CONFIG,
        (".gitattributes", "git attributes: filters, diff drivers, export-ignore"),
        (".gitmodules", "submodule URLs"),
        (".gitignore", "can keep files out of commits and review"),
        (".git-blame-ignore-revs", "hides commits from blame"),
        (".mailmap", "rewrites how authors are shown"),
        (".lfsconfig", "Git LFS endpoint"),
        (".gitconfig", "git settings"),
        (".gitreview", "Gerrit settings"),
        (".githooks/", "git hooks"),
        (".husky/", "husky git hooks"),
        (".pre-commit-config.y*ml", "pre-commit hooks run on every commit"),
        (".pre-commit-hooks.y*ml", "hooks this repository publishes for pre-commit"),
        ("lefthook*.y*ml", "lefthook git hooks"),
        (".lefthook*.y*ml", "lefthook git hooks"),
        (".lefthook/", "lefthook git hooks"),
        (".editorconfig", "editor settings for every checkout"),
        (".envrc", "direnv: runs when someone enters the folder"),
        (".env", "environment variables read by tools and apps"),
        (".env.*", "environment variables read by tools and apps"),
        (".tool-versions", _PIN),
        (".python-version", _PIN),
        (".zig-version", _PIN),
        (".warp/workflows/", "saved commands the Warp terminal offers everyone in the repository"),
        (".nvmrc", _PIN),
        (".node-version", _PIN),
        (".ruby-version", _PIN),
        (".java-version", _PIN),
        (".go-version", _PIN),
        (".terraform-version", _PIN),
        (".sdkmanrc", _PIN),
        ("mise.toml", _PIN),
        (".mise.toml", _PIN),
        (".devcontainer/", "dev container: image, features and lifecycle commands"),
        (".devcontainer.json", "dev container: image, features and lifecycle commands"),
        (".vscode/", "VS Code settings, tasks and launch commands"),
        (".idea/", "JetBrains project settings and run configurations"),
        (".gitpod.y*ml", "Gitpod workspace tasks"),
        ("Brewfile", "Homebrew packages for developers"),
        (".github/ISSUE_TEMPLATE/", "issue forms and templates"),
        (AnyCase("pull_request_template.md"), _PR_TEMPLATE),
        (".github/PULL_REQUEST_TEMPLATE/", _PR_TEMPLATE),
        (".greptile/", "Greptile AI review settings: what it reviews and how"),
        *(
            (f"**/{folder}/{name}*", "sets up a developer's checkout or machine")
            for folder in ("script", "scripts", "bin")
            for name in ("setup", "bootstrap")
        ),
        (".github/DISCUSSION_TEMPLATE/", "discussion forms and templates"),
        (
            ".github/dependency-review-config.y*ml",
            "dependency review: which advisories and licences pass",
        ),
        (AnyCase("install-hooks*"), _HOOKS),
        (AnyCase("install_hooks*"), _HOOKS),
        (AnyCase("install-githooks*"), _HOOKS),
        (AnyCase("setup-hooks*"), _HOOKS),
        (AnyCase("pre-commit*"), "pre-commit hook step"),
        (".github/FUNDING.yml", "sponsor links"),
    )
