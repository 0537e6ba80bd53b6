"""Classes by content, and the change-level fail-safes: the shapes real files have, written here."""

from __future__ import annotations

import pytest

from signoff.changes import MODE_EXEC, MODE_FILE, NULL_SHA, FileChange, Status
from signoff.classify.change import classify_change
from signoff.classify.content import classify_content
from signoff.taxonomy import FileClass

AI = FileClass.AGENT_INSTRUCTIONS
SIGN = FileClass.SIGNING_PUBLISHING
CI = FileClass.CI_WORKFLOW
DEPLOY = FileClass.DEPLOYMENT
REPO = FileClass.REPO_CONFIG
UNK = FileClass.UNKNOWN
DOCS = FileClass.DOCS
SRC = FileClass.SOURCE


def modified(path: str, mode: str = MODE_FILE) -> FileChange:
    return FileChange(Status.MODIFIED, path, path, mode, mode, NULL_SHA, "1" * 40)


def landed(path: str, text: str, mode: str = MODE_FILE) -> FileClass:
    return classify_change(modified(path, mode), content=text.encode()).file_class


_STEPS = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"


@pytest.mark.parametrize(
    "steps",
    [
        "      - run: npm publish --provenance\n",
        "      - run: |\n          python -m build\n          twine upload dist/*\n",
        "      - uses: docker/login-action@v3\n",
        "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n",
        "      - run: gh release create v1.2.3 dist/*\n",
        "      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: x\n"
        "      - run: goreleaser release --clean\n",
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "      - run: cargo publish --token $TOKEN\n",
        "      - run: npx wrangler deploy\n",
    ],
)
def test_a_workflow_that_publishes_is_signing_publishing(steps: str) -> None:
    assert landed(".github/workflows/ci.yml", _STEPS + steps) is SIGN


@pytest.mark.parametrize(
    "text",
    [
        "permissions:\n  id-token: write\n" + _STEPS + "      - run: npm test\n",
        _STEPS + "      - name: Publish Test Report\n        uses: mikepenz/action-junit@v4\n",
        _STEPS + "      - uses: goreleaser/goreleaser-action@v6\n        with:\n"
        "          args: build --snapshot --clean\n",
        _STEPS + "      - uses: docker/build-push-action@v6\n        with:\n          load: true\n",
        _STEPS + "      - run: echo done  # npm test\n",
    ],
)
def test_a_workflow_that_publishes_nothing_stays_ci(text: str) -> None:
    assert landed(".github/workflows/ci.yml", text) is CI


@pytest.mark.parametrize(
    ("path", "text", "want"),
    [
        ("bin/cut.sh", '#!/bin/sh\nset -e\ngit tag -a "v$1" -m release\n', SIGN),
        ("tools/ver.py", "import subprocess\nsubprocess.run(['npm version', v])\n", SIGN),
        ("hack/ship", "#!/bin/bash\ngit push origin main --follow-tags\n", SIGN),
        ("scripts/up.sh", "#!/bin/sh\nterraform apply -auto-approve\n", DEPLOY),
        ("scripts/hooks.sh", "#!/bin/sh\ngit config core.hooksPath .githooks\n", REPO),
        ("deploy.ps1", "kubectl apply -f k8s/\n", DEPLOY),
        # an agent's hooks, wherever they sit: the agent runs them on every tool call
        (
            "plugins/guard/hooks/pretooluse.py",
            '"""PreToolUse hook."""\nimport json, sys\nevent = json.load(sys.stdin)\n',
            AI,
        ),
        (
            "docs/hooks/examples/rewrite.sh",
            '#!/usr/bin/env bash\nCMD="${CRUSH_TOOL_INPUT_COMMAND:-}"\necho "$CMD"\n',
            AI,
        ),
        ("tools/check.sh", "#!/bin/sh\njq -r .tool_input.command\n", AI),
    ],
)
def test_scripts_by_what_they_run(path: str, text: str, want: FileClass) -> None:
    assert landed(path, text) is want


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("scripts/tags.sh", "#!/bin/sh\ngit tag -l 'v*'\n"),
        ("scripts/latest.sh", "#!/bin/sh\ngit tag --sort=-v:refname | head -1\n"),
        ("scripts/list.sh", "#!/bin/sh\ngit tag\n"),
        ("internal/shell/safe.go", 'var readOnly = []string{"git tag", "npm publish"}\n'),
        ("NOTES", "remember to npm publish after review\n"),  # no `#!`: not a script
    ],
)
def test_what_only_reads_tags_or_is_no_script_keeps_its_class(path: str, text: str) -> None:
    assert landed(path, text) is not SIGN


@pytest.mark.parametrize(
    ("path", "text", "want"),
    [
        ("docs/review.md", "---\ndescription: Review a PR\nallowed-tools: Bash(gh:*)\n---\n", AI),
        ("plugins/x/commands/go.md", "---\nargument-hint: TEXT\n---\nDo it.\n", AI),
        ("lib/skill/README.md", "---\nname: pdf\ndescription: Fill PDF forms\n---\n", AI),
        (
            "docs/guide.md",
            "---\ntitle: Guide\ndescription: How to\nsidebar_position: 2\n---\n",
            DOCS,
        ),
        ("docs/page.md", "# No front matter\n\nallowed-tools: in prose\n", DOCS),
        (
            "examples/settings.json",
            '{"permissions": {"disableBypassPermissionsMode": "disable"}}',
            AI,
        ),
        ("config/tools.json", '{"mcpServers": {"x": {"command": "npx"}}}', AI),
        (
            "server.json",
            '{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/'
            'server.schema.json", "name": "io.github.x/y"}',
            AI,
        ),
        (
            "feed.xml",
            "<entry><title>Add mcpServers support and PreToolUse hooks</title></entry>",
            UNK,
        ),  # a name mentioned in text is not a key
    ],
)
def test_agent_files_by_content(path: str, text: str, want: FileClass) -> None:
    assert landed(path, text) is want


def test_content_never_lowers_a_class() -> None:
    assert landed(".github/workflows/release.yml", "on: push\n") is SIGN
    assert landed("AGENTS.md", "plain text\n") is AI
    cls, why = classify_content("Makefile", FileClass.PACKAGING_BUILD, b"release:\n\tgit tag v1\n")
    assert (cls, why) == (FileClass.PACKAGING_BUILD, "")  # release targets are build tooling


def test_binary_content_is_not_read() -> None:
    assert landed(".github/workflows/ci.yml", "\0npm publish") is CI


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("NEWTOOL.md", UNK),
        ("NEWTOOL_RULES.md", UNK),
        (".newtool/rules/style.md", UNK),
        (".newtool/instructions.mdc", UNK),
        ("NOTES.MD", DOCS),
        ("CODE_OF_CONDUCT.md", DOCS),
        ("AI_POLICY.md", DOCS),
        (".github/SECURITY.md", DOCS),
        ("Readme.md", DOCS),  # not all caps: a prose file
        ("docs/NEWTOOL.md", DOCS),  # not at the root
    ],
)
def test_markdown_shaped_like_agent_instructions_is_not_docs(path: str, want: FileClass) -> None:
    assert classify_change(modified(path)).file_class is want


def test_an_executable_file_is_never_prose() -> None:
    change = classify_change(modified("docs/setup.md", MODE_EXEC))
    assert change.file_class is UNK
    assert any("executable" in note for note in change.adjustments)
    assert classify_change(modified("tests/run.sh", MODE_EXEC)).file_class is FileClass.TESTS
    assert classify_change(modified("src/cli.py", MODE_EXEC)).file_class is SRC
