"""Path classification: one representative path per class and ecosystem, evasions, precedence."""

from __future__ import annotations

import pytest

from signoff.classify import REGISTRY, classify_path
from signoff.classify.rules import RuleClassifier
from signoff.taxonomy import RISK, FileClass, Risk

G = FileClass.GOVERNANCE
AI = FileClass.AGENT_INSTRUCTIONS
SIGN = FileClass.SIGNING_PUBLISHING
CI = FileClass.CI_WORKFLOW
DEP = FileClass.DEPENDENCY_MANIFEST
LOCK = FileClass.LOCKFILE
BUILD = FileClass.PACKAGING_BUILD
DEPLOY = FileClass.DEPLOYMENT
REPO = FileClass.REPO_CONFIG
UNK = FileClass.UNKNOWN
SRC = FileClass.SOURCE
VER = FileClass.VERSION
NOTES = FileClass.RELEASE_NOTES
TESTS = FileClass.TESTS
DOCS = FileClass.DOCS

TABLE: dict[FileClass, list[str]] = {
    G: [
        ".signoff/policy.yml", ".signoff/registry/agents.yml", ".signoff", ".signoff.yml",
        "CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS",
        ".github/rulesets/main.json", ".github/settings.yml", ".policy.yml", ".mergify.yml",
        ".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json",
        ".github/renovate.json5", ".renovaterc.json", "OWNERS", ".kodiak.toml",
    ],
    AI: [
        # tools beyond the first catalogue, plugin and extension manifests, agent folders
        "QWEN.md", ".kilocode/rules/style.md", ".qwen/settings.json", "opencode.json",
        "crush.json", ".claude-plugin/marketplace.json", "plugins/x/.claude-plugin/plugin.json",
        ".cursor-plugin/plugin.json", "gemini-extension.json", "skills/pdf/SKILL.md",
        "docs/agents/style.md", "prompts/review.md", "plugins/p/skills/s/references/x.md",
        "agents.toml", "skills-lock.json", "managed-settings.json",
        # any case, folders too (a case-insensitive filesystem reads these as the real ones)
        ".GitHub/copilot-instructions.md", ".Claude/commands/x.md", ".Cursor/rules/a.mdc",
        ".GITHUB/agents/a.md",
        "AGENTS.md", "docs/AGENTS.md", "deep/nested/pkg/AGENTS.md", "agents.md", "AGENTS.MD",
        "CLAUDE.md", "CLAUDE.local.md", "sub/CLAUDE.md", "GEMINI.md", "AGENT.md",
        ".claude/settings.json", ".claude/commands/fix.md", ".claude", ".cursor/rules/x.mdc",
        ".cursorrules", ".github/copilot-instructions.md",
        ".github/instructions/py.instructions.md",
        ".github/prompts/review.prompt.md", "docs/howto.prompt.md", ".mcp.json", "mcp.json",
        ".vscode/mcp.json", ".codex/config.toml", ".gemini/settings.json", ".aider.conf.yml",
        ".aiderignore", ".windsurfrules", ".clinerules", ".clinerules/style.md",
        ".github/agents/reviewer.md", ".devin/config.yml",
        ".github/workflows/copilot-setup-steps.yml",
        ".github/chatmodes/plan.chatmode.md", ".roo/rules/a.md", ".junie/guidelines.md",
        # Roo Code, Cline, Codebuff, Greptile and Claude Code files found on real repositories
        ".rooignore", ".cline/skills/publish/agents/openai.yaml", ".codebuffignore",
        "codebuff.json", "knowledge.md", "web/docs.knowledge.md", ".greptile/rules.md",
        ".worktreeinclude", ".warpindexingignore",
    ],
    SIGN: [
        "script/tag-release", "script/release", "bin/bump-version.sh", "scripts/stamp_release.py",
        ".craft.yml", "cliff.toml", ".versionrc.json", ".bumpversion.cfg", "knope.toml",
        "release-plz.toml", "macos/App.entitlements", ".github/entitlements.plist",
        "dist/macos/update_appcast.py", ".azure-pipelines/publish.yml",
        ".github/workflows/release.yml", ".github/workflows/Release.yaml",
        ".github/workflows/publish-npm.yml", ".github/workflows/deploy-pypi.yml",
        ".github/workflows/sign-artifacts.yml", ".goreleaser.yml", ".goreleaser.yaml",
        ".pypirc", ".npmrc", "packages/web/.npmrc", ".yarnrc.yml", ".yarnrc", "cosign.pub",
        "cosign.key", "keys/release.asc", "signing/key.gpg", "certs/server.pem",
        "tests/fixtures/server.pem", "release.sh", "publish.sh", "scripts/release.py",
        "scripts/publish-docs.sh", ".sigstore/trust.json", ".gitsign.yaml", "allowed_signers",
        ".signing/allowed_signers", "nuget.config", "NuGet.Config", "auth.json", "KEYS",
        ".gitlab/ci/release.yml", ".releaserc.json", "release-please-config.json",
        ".changeset/config.json", "fastlane/Fastfile", "id_ed25519.pub", "pip.conf",
        ".changeset/changelog-config.js", ".changeset/changelog.ts",
        "script/Debug-Entitlements.plist", "macos/App.Entitlements",
    ],
    CI: [
        ".github/scripts/check.sh", ".github/scripts/lib/util.py",
        ".github/workflows/ci.yml", ".github/workflows/ci.yaml", ".github/workflows/lint.yml",
        ".github/workflows/helpers/x.sh", ".github/actions/setup/action.yml", "action.yml",
        "action.yaml", "actions/cache/action.yml", ".gitlab-ci.yml", ".gitlab/ci/test.yml",
        ".circleci/config.yml", "Jenkinsfile", "Jenkinsfile.groovy", "jenkinsfile",
        "ci/build.jenkinsfile", "azure-pipelines.yml", "azure-pipelines-pr.yml",
        ".azure-pipelines/build.yml", ".buildkite/pipeline.yml", ".travis.yml",
        "bitbucket-pipelines.yml", ".drone.yml", "cloudbuild.yaml", ".woodpecker.yml",
        ".woodpecker/test.yml", ".tekton/pipeline.yaml", ".readthedocs.yaml",
        ".github/workflows",  # a file or symlink replacing the folder is still caught
    ],
    DEP: [
        "pyproject.toml", "sub/project/pyproject.toml", "requirements.txt",
        "requirements-dev.txt", "requirements/base.txt", "requirements/dev.in",
        "constraints.txt", "Pipfile", "environment.yml", "package.json",
        "sub/project/package.json", "tests/package.json", "pnpm-workspace.yaml", "go.mod",
        "go.work", "Cargo.toml", "crates/x/Cargo.toml", "pom.xml", "gradle/libs.versions.toml",
        "Gemfile", "foo.gemspec", "App.csproj", "Lib.fsproj", "Old.vbproj", "packages.config",
        "Directory.Packages.props", "composer.json", "Package.swift", "pubspec.yaml",
        "mix.exs", "vendor/github.com/x/y.go", "third_party/lib/a.c", "vcpkg.json",
    ],
    LOCK: [
        "uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "pylock.toml", "pylock.dev.toml",
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb",
        "bun.lock", "go.sum", "go.work.sum", "Cargo.lock", "gradle.lockfile", "Gemfile.lock",
        "packages.lock.json", "composer.lock", ".terraform.lock.hcl", "infra/.terraform.lock.hcl",
        "Chart.lock", "flake.lock", "Podfile.lock", "pubspec.lock", "mix.lock", "deno.lock",
    ],
    BUILD: [
        "third-party-licenses.linux.md", "THIRD_PARTY_NOTICES.txt", "LEGACY_NOTICES.md",
        "Doxyfile", "nix/build-support/fetch.sh", "flatpak/app.yml", "macos/build.nu",
        "sqlc.yaml",
        "setup.py", "setup.cfg", "MANIFEST.in", "tox.ini", "noxfile.py", "hatch_build.py",
        "Makefile", "makefile", "GNUmakefile", "rules.mk", "CMakeLists.txt", "meson.build",
        "build.sh", "scripts/build-wheels.sh", "BUILD", "BUILD.bazel", "WORKSPACE",
        "MODULE.bazel", "defs.bzl", "justfile", "Justfile", "Taskfile.yml", "build.rs",
        "rust-toolchain", "rust-toolchain.toml", ".cargo/config.toml", "build.gradle",
        "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties",
        "gradle/wrapper/gradle-wrapper.properties", "gradlew", "mvnw", ".mvn/wrapper/x.jar",
        "Rakefile", "Directory.Build.props", "Directory.Build.targets", "App.sln",
        "global.json", "Dockerfile", "Dockerfile.prod", "dockerfile", "DOCKERFILE",
        "api.Dockerfile", "svc/web.dockerfile", "Containerfile", ".dockerignore",
        "docker-bake.hcl", "LICENSE", "LICENSE.txt", "license.md", "COPYING", "NOTICE",
        "mkdocs.yml", "tsconfig.json", "webpack.config.js", ".pnpmfile.cjs",
        ".yarn/releases/yarn-4.cjs", "debian/control", "flake.nix", "pkg.spec",
        "sdk/build.ts", "build.mjs", "packages/build/src/esbuild.ts",
        "packages/evals/.docker/entrypoints/runner.sh", "tests/.docker/db/init.sh",
        "diesel.toml", "about.toml", "about.hbs", "opentui.pc.in",
    ],
    DEPLOY: [
        "k8s/deployment.yaml", "services/api/k8s/svc.yaml", "kubernetes/ns.yaml",
        "manifests/app.yaml", "deploy/prod.yaml", "charts/app/Chart.yaml",
        "charts/app/templates/deploy.yaml", "charts/app/values.yaml", "helm/values-prod.yaml",
        "Chart.yaml", "values.yaml", "main.tf", "infra/vars.tfvars", "terragrunt.hcl",
        "docker-compose.yml", "docker-compose.prod.yaml", "compose.yaml", "kustomization.yaml",
        "helmfile.yaml", "skaffold.yaml", "Procfile", "app.yaml", "fly.toml", "vercel.json",
        "netlify.toml", "serverless.yml", "Pulumi.yaml", "Pulumi.prod.yaml",
        "ansible/site.yml", "playbooks/web.yml", "wrangler.toml",
    ],
    REPO: [
        "script/install-hooks", "scripts/install-githooks.sh", "scripts/pre-commit-generated.mjs",
        ".github/DISCUSSION_TEMPLATE/q.yml", ".github/dependency-review-config.yml",
        ".swiftlint.yml", ".oxlintrc.json", "typos.toml", "sgconfig.yml", "vitest.workspace.ts",
        ".gitattributes", "sub/.gitattributes", ".gitmodules", ".gitignore", "a/.gitignore",
        ".githooks/pre-commit", ".husky/pre-push", ".pre-commit-config.yaml",
        ".pre-commit-hooks.yaml", "lefthook.yml", ".editorconfig", ".envrc", ".tool-versions",
        ".python-version", ".nvmrc", ".devcontainer/devcontainer.json", ".devcontainer.json",
        ".vscode/settings.json", ".vscode/tasks.json", ".git-blame-ignore-revs", ".mailmap",
        "ruff.toml", ".flake8", "mypy.ini", ".eslintrc.json", ".golangci.yml",
        ".secrets.baseline", "pytest.ini", "codecov.yml", "deny.toml",
        ".github/pull_request_template.md", "PULL_REQUEST_TEMPLATE.md",
        ".github/PULL_REQUEST_TEMPLATE/feature.md", ".greptile/config.json", "knip.json",
        "scripts/setup.sh", "scripts/bootstrap.mjs", "script/bootstrap", "bin/setup",
        ".clippy.toml", ".config/nextest.toml", ".PSScriptAnalyzerSettings.psd1",
        "PSScriptAnalyzerCustomRules.psm1", ".zig-version", ".warp/workflows/run_tests.yaml",
    ],
    UNK: [
        "script/test", "scripts/test",  # an entry point named test is not a test folder
        "src/main/resources/app.xml",  # a product root cancels test names, classes nothing
        "data/config.yaml", "foo.json", "notes.txt", "assets/logo.png", "bin/tool",
        ".GitHub/Workflows/x.yml", ".github/workfIows/x.yml", ".github/labeler.yml",
        "news.json", "something", "x.unknownext", ".github/workflow",
    ],
    SRC: [
        "src/main/java/com/acme/FooTest.java", "app/src/main/kotlin/BarTest.kt",
        "src/main/java/com/acme/FooTests.cs",
        "queries/python-tags.scm", "vendor-free/init.el", "bootstrap.min.css",
        "app/assets/icon.svg",
        "src/app.py", "pkg/types.pyi", "index.js", "lib/a.mjs", "lib/b.cjs", "app.ts",
        "ui/App.tsx", "ui/Btn.jsx", "main.go", "lib.rs", "Main.java", "App.kt",
        "script.kts", "Main.scala", "app.rb", "Program.cs", "Lib.fs", "Mod.vb", "index.php",
        "a.c", "a.h", "a.cc", "a.cpp", "a.hpp", "a.m", "App.swift", "tools/run.sh",
        "db/schema.sql", "web/index.html", "web/site.css", "Comp.vue", "Comp.svelte",
        "src/pkg/_version.py", "pkg/__version__.py", "internal/version.go", "docs/conf.py",
        "lib/gem/version.rb", "notebooks/a.ipynb", "api.proto",
    ],
    VER: ["VERSION", "version.txt", "pkg/VERSION", ".version", ".release-please-manifest.json"],
    NOTES: [
        "CHANGELOG.md", "CHANGELOG", "changelog.md", "CHANGES.rst", "HISTORY.md", "NEWS",
        "NEWS.md", "RELEASE_NOTES.md", "RELEASE-NOTES.txt", "release-notes/1.2.md",
        "changelog.d/123.feature.md", ".changeset/brave-cats.md", "newsfragments/45.bugfix",
        "news/45.feature.rst", "releasenotes/notes/x.yaml", "docs/changelog.md",
    ],
    TESTS: [
        "src/test/java/com/acme/FooTest.java", "src/main/java/test/Helper.java",
        "packages/x/src/evals/list.eval.ts", "evals/run.ts", "crates/editor/src/mod_tests.rs",
        "src/parse_test.rs",
        "tests/conftest.py", "tests/test_app.py", "tests/data/input.json", "test/a_test.go",
        "__tests__/a.js", "spec/models/user_spec.rb", "testdata/x.golden", "src/test_utils.py",
        "pkg/foo_test.py", "pkg/foo_test.go", "ui/Button.test.tsx", "a.test.ts", "a.test.js",
        "a.test.jsx", "a.spec.ts", "src/test/java/FooTest.java", "FooTest.java",
        "FooTests.cs", "conftest.py", "fixtures/a.yml", "__snapshots__/a.snap",
        "tests/README.md", "tests/.github/workflows/ci.yml",
    ],
    DOCS: [
        "README.md", "README", "readme.txt", "README.rst", "docs/index.md", "docs/guide.rst",
        "doc/a.adoc", "docs/notes.txt", "docs/img/logo.png", "CONTRIBUTING.md",
        "SECURITY.md", "pkg/README.md", "x.markdown", "docs/.github/workflows/release.yml",
        "docs/workflows/ci.yml", "NOTES.MD",
    ],
}  # fmt: skip

CASES = [(path, cls) for cls, paths in TABLE.items() for path in paths]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_representative_paths(path: str, expected: FileClass) -> None:
    result = classify_path(path)
    assert result.file_class is expected, result.reason
    assert result.risk is RISK[expected]


def test_table_covers_every_class() -> None:
    assert set(TABLE) == set(FileClass)


def test_every_classifier_is_exercised_by_the_table() -> None:
    hit = {m.classifier for path, _ in CASES for m in classify_path(path).matches}
    assert hit == {clf.ident for clf in REGISTRY}


@pytest.mark.parametrize(
    "path",
    [
        ".github/workfIows/x.yml",  # capital I instead of l
        ".github/w\u043erkflows/x.yml",  # Cyrillic o
        ".githu\u0431/workflows/x.yml",  # Cyrillic be
        "\u0410GENTS.md",  # Cyrillic A: not AGENTS.md, but still Markdown
        ".GitHub/Workflows/ci.yml",
        ".github/Workflows/ci.yml",
        "sub/.github/workflows/ci.yml",  # GitHub reads workflows at the root only
    ],
)
def test_look_alikes_are_not_what_they_imitate(path: str) -> None:
    result = classify_path(path)
    assert result.file_class not in (CI, AI, SIGN)
    assert result.risk >= Risk.LOW
    if not path.endswith(".md"):
        assert result.file_class is UNK


def test_lookalike_markdown_is_docs() -> None:
    assert classify_path("\u0410GENTS.md").file_class is DOCS


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("-rf.py", SRC),
        ("--help", UNK),
        ("a\nb/AGENTS.md", AI),
        ("docs/a\nb.md", DOCS),
        ("caf\udce9/AGENTS.md", AI),  # non-UTF-8 directory name
        ("caf\udce9.py", SRC),
        ("docs/caf\udce9", DOCS),
        ("\udcff\udcfe", UNK),
        (" .github/workflows/x.yml", UNK),
        ("a b/package.json", DEP),
        ("\u00e9t\u00e9/CHANGELOG.md", NOTES),
    ],
)
def test_odd_paths(path: str, expected: FileClass) -> None:
    assert classify_path(path).file_class is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # specific beats generic wherever it sits
        ("tests/package.json", DEP),
        ("tests/fixtures/Dockerfile", BUILD),
        ("docs/AGENTS.md", AI),
        ("docs/Makefile", BUILD),
        ("docs/requirements.txt", DEP),
        ("docs/action.yml", CI),
        # riskiest specific wins
        (".github/workflows/release.yml", SIGN),  # ci-workflow + signing-publishing
        (".github/workflows/copilot-setup-steps.yml", AI),
        (".vscode/mcp.json", AI),  # repo-config + agent-instructions
        ("k8s/.npmrc", SIGN),  # deployment + signing-publishing
        ("vendor/x/package.json", DEP),
        # ties between equal risks go to the class listed first in the taxonomy
        ("deploy/Dockerfile", BUILD),  # packaging-build before deployment
        ("charts/x/Chart.lock", LOCK),  # lockfile before deployment
        # generic order: tests, source, version, release-notes, docs
        ("tests/test_x.py", TESTS),
        ("tests/CHANGELOG.md", TESTS),
        ("src/_version.py", SRC),
        ("docs/VERSION", VER),
        ("docs/CHANGELOG.md", NOTES),
        ("changelog.d/x.py", SRC),
        ("docs/tests/a.md", TESTS),
    ],
)
def test_precedence(path: str, expected: FileClass) -> None:
    assert classify_path(path).file_class is expected


def test_matches_and_reason_explain_the_result() -> None:
    result = classify_path(".github/workflows/release.yml")
    idents = [m.classifier for m in result.matches]
    assert idents == ["signing-publishing", "github-actions"]  # registry order
    assert result.reason.startswith("matches `.github/workflows/*release*` (signing-publishing)")
    assert "any case" in result.reason
    ci = classify_path(".github/workflows/ci.yml")
    assert ci.reason == "matches `.github/workflows/` (github-actions): GitHub Actions workflow"
    gen = classify_path("src/a.py")
    assert gen.reason == "matches `*.py` (source): `.py` source; no specific rule matched"
    unknown = classify_path("blob.bin")
    assert unknown.matches == ()
    assert "treated as high risk" in unknown.reason


def test_fast_path_agrees_with_each_classifiers_own_match() -> None:
    for path, _ in CASES:
        slow = tuple(m for clf in REGISTRY for m in clf.match(path))
        assert classify_path(path).matches == slow, path


def test_rule_tables_are_data() -> None:
    for clf in REGISTRY:
        assert isinstance(clf, RuleClassifier)
        assert clf.rules, clf.ident
        assert clf.url == f"docs/classes.md#{clf.ident}"
