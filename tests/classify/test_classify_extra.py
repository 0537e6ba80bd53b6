"""Policy `extra` globs: they add specific matches, so they can raise a class but never lower it."""

from __future__ import annotations

import pytest

from signoff.classify import POLICY_IDENT, classify_path
from signoff.taxonomy import FileClass, Risk


def test_extra_raises_a_generic_class() -> None:
    extra = {FileClass.SOURCE: ["src/**/test_*.py"]}
    assert classify_path("src/pkg/test_helpers.py").file_class is FileClass.TESTS
    result = classify_path("src/pkg/test_helpers.py", extra)
    assert result.file_class is FileClass.SOURCE
    assert result.reason.startswith(f"matches `src/**/test_*.py` ({POLICY_IDENT})")
    assert result.reason.endswith("raised from tests")


def test_extra_adds_a_class_to_an_unknown_path() -> None:
    extra = {FileClass.GOVERNANCE: ["config/approvers.yml"]}
    result = classify_path("config/approvers.yml", extra)
    assert result.file_class is FileClass.GOVERNANCE
    assert result.risk is Risk.CRITICAL
    assert result.matches[-1].classifier == POLICY_IDENT
    assert not result.matches[-1].generic


@pytest.mark.parametrize(
    ("path", "cls", "expected"),
    [
        (".github/workflows/release.yml", FileClass.DOCS, FileClass.SIGNING_PUBLISHING),
        ("package.json", FileClass.TESTS, FileClass.DEPENDENCY_MANIFEST),
        ("AGENTS.md", FileClass.DOCS, FileClass.AGENT_INSTRUCTIONS),
        ("src/app.py", FileClass.DOCS, FileClass.SOURCE),  # specific-but-lower loses to generic
        ("data/x.yaml", FileClass.DOCS, FileClass.UNKNOWN),  # cannot declassify unknown
        ("tests/test_a.py", FileClass.DOCS, FileClass.TESTS),
    ],
)
def test_extra_never_lowers(path: str, cls: FileClass, expected: FileClass) -> None:
    before = classify_path(path)
    result = classify_path(path, {cls: [path]})
    assert result.file_class is expected
    assert result.file_class is before.file_class
    assert result.reason == before.reason
    assert result.matches[-1].classifier == POLICY_IDENT  # still shown by `explain`


def test_extra_equal_risk_tie_uses_taxonomy_order() -> None:
    result = classify_path("Dockerfile", {FileClass.CI_WORKFLOW: ["Dockerfile"]})
    assert result.file_class is FileClass.CI_WORKFLOW  # listed before packaging-build


def test_extra_is_validated() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        classify_path("a", {FileClass.DOCS: ["a["]})
    with pytest.raises(TypeError, match="list of patterns"):
        classify_path("a", {FileClass.DOCS: "docs/"})


def test_without_extra_and_with_empty_extra_agree() -> None:
    assert classify_path("src/a.py") == classify_path("src/a.py", {})
    assert classify_path("src/a.py", {FileClass.DOCS: []}).file_class is FileClass.SOURCE


def test_extra_of_equal_risk_is_a_tie_and_never_lowers_risk() -> None:
    result = classify_path("tests/test_a.py", {FileClass.VERSION: ["tests/test_a.py"]})
    assert result.risk is Risk.LOW  # tie broken by taxonomy order, risk unchanged
