"""Files a CI pipeline runs take at least the pipeline's class (signoff.classify.runs)."""

from __future__ import annotations

from signoff.changes import NULL_SHA, FileChange, Status
from signoff.classify.change import classify_change
from signoff.classify.content import classify_content
from signoff.classify.runs import RunIndex, Source, index_runs, needed
from signoff.classify.shell_words import units
from signoff.taxonomy import FileClass

CI = FileClass.CI_WORKFLOW
PUB = FileClass.SIGNING_PUBLISHING

CHECK = """\
name: checks
on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ./scripts/lint.sh
      - run: |
          python tools/check_links.py --strict
          bash hack/verify
          python -m tools.gen_docs
      - run: cat docs/guide.md package.json README.md
      - uses: actions/github-script@v7
        with:
          script: |
            const f = require('./.github/scripts/label.js')
  sdk:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: sdk
    steps:
      - run: ./run-tests.sh --coverage
"""

PUBLISH = """\
name: ship it
on:
  push:
    tags: ["v*"]
permissions:
  id-token: write
jobs:
  build:
    uses: ./.github/workflows/build.yml
  npm:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/setup
      - run: npm ci
      - run: npm run release
      - run: npm publish
"""

PACKAGE = """{
  "scripts": {
    "release": "node scripts/changelog.mjs && npm run stamp",
    "stamp": "tsx scripts/stamp-version.ts",
    "prepublishOnly": "./bin/check-dist",
    "lint": "eslint ."
  }
}"""


def _index(*sources: tuple[str, str]) -> RunIndex:
    return index_runs(Source(p, t, "base") for p, t in sources)


def _cls(index: RunIndex, path: str) -> FileClass | None:
    got = index.floor((path,))
    return None if got is None else got.file_class


def test_a_file_a_workflow_runs_is_ci_tooling() -> None:
    idx = _index((".github/workflows/checks.yml", CHECK))
    for path in (
        "scripts/lint.sh",
        "tools/check_links.py",
        "hack/verify",
        "tools/gen_docs.py",
        ".github/scripts/label.js",
        "sdk/run-tests.sh",
    ):
        assert _cls(idx, path) is CI, path


def test_what_a_workflow_only_reads_is_not_run() -> None:
    idx = _index((".github/workflows/checks.yml", CHECK))
    for path in ("docs/guide.md", "package.json", "README.md", "actions/checkout"):
        assert _cls(idx, path) is None, path


def test_a_publishing_workflow_makes_what_it_runs_release_tooling() -> None:
    idx = _index(
        (".github/workflows/ship.yml", PUBLISH),
        ("package.json", PACKAGE),
        (".github/workflows/build.yml", "on: workflow_call\njobs:\n  b:\n    steps:\n"
         "      - run: ./scripts/build-dist.sh\n"),
        (".github/actions/setup/action.yml", "runs:\n  using: composite\n  steps:\n"
         "    - run: ${{ github.workspace }}/scripts/setup.sh\n      shell: bash\n"),
    )  # fmt: skip
    for path in (
        "scripts/changelog.mjs",  # npm run release
        "scripts/stamp-version.ts",  # release -> npm run stamp
        "bin/check-dist",  # npm publish -> prepublishOnly
        ".github/workflows/build.yml",  # a reusable workflow the publishing one calls
        "scripts/build-dist.sh",  # run by it
        ".github/actions/setup/action.yml",  # a local action the publishing job uses
        "scripts/setup.sh",  # run by that action
    ):
        got = idx.floor((path,))
        assert got is not None and got.file_class is PUB, (path, got)
    assert _cls(idx, "eslint") is None


def test_a_manifest_that_does_not_parse_fails_closed() -> None:
    idx = _index(
        (".github/workflows/ship.yml", PUBLISH),
        ("package.json", '{"scripts": {"release": "node scripts/rel.js",}'),  # trailing comma
    )
    assert _cls(idx, "scripts/rel.js") is PUB


def test_head_sources_only_add() -> None:
    base = Source(".github/workflows/checks.yml", CHECK, "base")
    head = Source(
        ".github/workflows/checks.yml", "jobs:\n  x:\n    steps:\n      - run: true\n", "head"
    )
    idx = index_runs([base, head])
    assert _cls(idx, "scripts/lint.sh") is CI  # the head no longer runs it: the base still does


def test_the_riskiest_path_of_a_change_counts() -> None:
    idx = _index((".github/workflows/ship.yml", PUBLISH), ("package.json", PACKAGE))
    got = idx.floor(("scripts/renamed.mjs", "scripts/changelog.mjs"))
    assert got is not None and got.file_class is PUB


def test_needed_names_manifests_and_local_actions() -> None:
    want = needed([Source(".github/workflows/ship.yml", PUBLISH, "base")])
    assert {"package.json", ".github/workflows/build.yml"} <= want
    assert ".github/actions/setup/action.yml" in want


def test_units_cut_a_workflow_into_jobs_with_its_header() -> None:
    cut = units(".github/workflows/checks.yml", CHECK)
    assert len(cut) == 2
    assert all(head.startswith("name: checks") for head, _ in cut)
    assert "working-directory: sdk" in cut[1][1] and "working-directory" not in cut[0][1]
    assert units("action.yml", CHECK) == [("", CHECK)]


def test_classify_change_raises_to_the_run_floor_and_never_lowers() -> None:
    idx = _index((".github/workflows/ship.yml", PUBLISH), ("package.json", PACKAGE))

    def change(path: str) -> FileChange:
        return FileChange(Status.MODIFIED, path, path, "100644", "100644", NULL_SHA, NULL_SHA)

    raised = classify_change(
        change("scripts/changelog.mjs"), run_by=idx.floor(("scripts/changelog.mjs",))
    )
    assert raised.file_class is PUB
    assert any("ship.yml" in a for a in raised.adjustments)
    kept = classify_change(change("AGENTS.md"), run_by=idx.floor(("scripts/changelog.mjs",)))
    assert kept.file_class is FileClass.AGENT_INSTRUCTIONS


def test_an_index_for_some_names_agrees_with_the_full_one() -> None:
    sources = [
        Source(".github/workflows/checks.yml", CHECK, "base"),
        Source(".github/workflows/ship.yml", PUBLISH, "base"),
        Source("package.json", PACKAGE, "base"),
        Source(
            ".github/workflows/build.yml", "jobs:\n  b:\n    steps:\n      - run: ./x.sh.\n", "base"
        ),
    ]
    full = index_runs(sources)
    assert len(full) > 10
    for path in full._runs:
        name = path.rsplit("/", 1)[-1]
        assert index_runs(sources, {name}).floor((path,)) == full.floor((path,)), path
    simple = [
        Source(".github/workflows/l.yml", "jobs:\n  l:\n    steps:\n      - run: ./l.sh\n", "base")
    ]
    assert len(index_runs(simple, {"unrelated.py"})) == 0  # no job names it: none is read
    assert len(index_runs(simple, {"l.sh"})) == 1


def test_a_script_the_workflows_keep_that_tags_is_release_tooling() -> None:
    text = b"#!/bin/sh\nset -e\ngit tag -a v$1 -m release\ngit push origin --tags\n"
    got, why = classify_content(".github/scripts/cut.sh", CI, text)
    assert got is PUB and "tags" in why
    assert classify_content(".github/scripts/lint.sh", CI, b"#!/bin/sh\nruff .\n")[0] is CI
