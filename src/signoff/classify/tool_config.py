"""Tool configuration: linters, formatters, scanners and test runners.

These decide which checks run and what they forgive (a rule switched off, a secret allowlisted),
so they are `repo-config` (high) rather than docs.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, specific
from signoff.taxonomy import FileClass

_LINT = "linter/formatter settings: which checks run"
_SCAN = "security scanner settings: what it reports or ignores"
_TEST = "test runner settings"


class ToolConfig(RuleClassifier):
    ident = "tool-config"
    desc = "linter, formatter, security scanner and test runner configuration"
    rules = specific(
        FileClass.REPO_CONFIG,
        ("ruff.toml", _LINT),
        (".ruff.toml", _LINT),
        (".flake8", _LINT),
        ("mypy.ini", _LINT),
        (".mypy.ini", _LINT),
        (".pylintrc", _LINT),
        ("pylintrc", _LINT),
        (".isort.cfg", _LINT),
        (".eslintrc*", _LINT),
        ("eslint.config.*", _LINT),
        (".prettierrc*", _LINT),
        ("prettier.config.*", _LINT),
        (".prettierignore", _LINT),
        ("biome.json*", _LINT),
        ("knip.json*", _LINT),
        (".knip.json*", _LINT),
        ("knip.config.*", _LINT),
        (".stylelintrc*", _LINT),
        (".golangci.*", _LINT),
        ("clippy.toml", _LINT),
        (".clippy.toml", _LINT),
        ("nextest.toml", "cargo-nextest: how the test suite runs"),
        (AnyCase("*PSScriptAnalyzer*"), _LINT),
        ("rustfmt.toml", _LINT),
        (".rustfmt.toml", _LINT),
        (".clang-format", _LINT),
        (".clang-tidy", _LINT),
        (".yamllint*", _LINT),
        (".markdownlint*", _LINT),
        (".shellcheckrc", _LINT),
        (".rubocop*.yml", _LINT),
        (".commitlintrc*", _LINT),
        ("commitlint.config.*", _LINT),
        ("deny.toml", "cargo-deny: which licences, sources and advisories fail the build"),
        (".secrets.baseline", "detect-secrets: which secret-like strings are allowed"),
        (".gitleaks.toml", _SCAN),
        (".gitleaksignore", _SCAN),
        (".trivyignore*", _SCAN),
        (".snyk", _SCAN),
        (".semgrepignore", _SCAN),
        (".semgrep.y*ml", _SCAN),
        ("zizmor.y*ml", _SCAN),
        (".zizmor.y*ml", _SCAN),
        (".hadolint.y*ml", _SCAN),
        (".github/actionlint.y*ml", _LINT),
        ("codecov.y*ml", "coverage thresholds"),
        (".codecov.y*ml", "coverage thresholds"),
        (".coveragerc", "coverage settings"),
        ("pytest.ini", _TEST),
        ("jest.config.*", _TEST),
        ("vitest.config.*", _TEST),
        ("vitest.workspace.*", _TEST),
        (".swiftlint.y*ml", _LINT),
        (".oxlintrc*", _LINT),
        (".oxfmtrc*", _LINT),
        ("typos.toml", _LINT),
        ("_typos.toml", _LINT),
        (".typos.toml", _LINT),
        ("sgconfig.y*ml", _LINT),
        ("playwright.config.*", _TEST),
        ("cypress.config.*", _TEST),
        (".mocharc*", _TEST),
        ("karma.conf.*", _TEST),
        ("phpunit.xml*", _TEST),
        ("sonar-project.properties", "SonarQube analysis settings"),
    )
