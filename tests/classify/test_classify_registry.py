"""The registry: unique idents, valid tables, generated docs, custom classifiers (its speed is
measured by bench/classify_paths.py, never by a timed test)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.classify import REGISTRY, PathClassifier, build_registry
from signoff.classify.base import Classifier, Match
from signoff.classify.doc import MEANING, render
from signoff.classify.rules import GENERIC_ORDER, AnyCase, RuleClassifier, generic, specific
from signoff.taxonomy import RISK, FileClass, Risk

DOC = Path(__file__).resolve().parents[2] / "docs" / "classes.md"


class _Dup(RuleClassifier):
    ident = "python"
    desc = "a second classifier reusing an ident"
    rules = specific(FileClass.UNKNOWN, ("x", "x"))


class _Custom(Classifier):
    """A classifier with its own `match` (not table-driven)."""

    ident = "custom"
    desc = "flags paths containing `secret`"

    def match(self, path: str) -> Iterator[Match]:
        if "secret" in path:
            yield self.hit(FileClass.SIGNING_PUBLISHING, "looks like a secret")


def test_idents_are_unique() -> None:
    idents = [clf.ident for clf in REGISTRY]
    assert len(idents) == len(set(idents))


def test_duplicate_ident_is_refused() -> None:
    with pytest.raises(ValueError, match="duplicate classifier ident 'python'"):
        build_registry(*REGISTRY, _Dup())


def test_policy_ident_is_reserved() -> None:
    class Policy(_Custom):
        ident = "policy"

    with pytest.raises(ValueError, match="reserved"):
        build_registry(Policy())


def test_table_validation_happens_at_definition() -> None:
    with pytest.raises(ValueError, match="unbalanced"):

        class _BadGlob(RuleClassifier):
            ident = "bad-glob"
            desc = "bad"
            rules = specific(FileClass.DOCS, ("a[", "broken"))

    with pytest.raises(ValueError, match="not one of"):

        class _BadGeneric(RuleClassifier):
            ident = "bad-generic"
            desc = "bad"
            rules = generic(FileClass.GOVERNANCE, ("x", "generic critical makes no sense"))

    with pytest.raises(ValueError, match="kebab-case"):

        class _BadIdent(RuleClassifier):
            ident = "Bad_Ident"
            desc = "bad"
            rules = specific(FileClass.DOCS, ("x", "x"))

    with pytest.raises(ValueError, match="listed twice"):

        class _Twice(RuleClassifier):
            ident = "twice"
            desc = "bad"
            rules = specific(FileClass.DOCS, ("x", "x"), ("x", "again"))


def test_specific_rules_are_never_less_risky_than_generic_ones() -> None:
    """Otherwise "specific beats generic" could lower a class."""
    lowest_specific = min(
        RISK[r.file_class] for clf in REGISTRY if isinstance(clf, RuleClassifier)
        for r in clf.rules if not r.generic
    )  # fmt: skip
    assert lowest_specific >= Risk.HIGH
    assert max(RISK[c] for c in GENERIC_ORDER) < lowest_specific


def test_any_case_applies_to_the_file_name_only() -> None:
    (rule,) = specific(FileClass.CI_WORKFLOW, (AnyCase(".github/workflows/*release*"), "r"))
    assert rule.glob.match(".github/workflows/RELEASE.yml")
    assert not rule.glob.match(".GITHUB/workflows/release.yml")
    assert rule.to_match("x").reason == "r (name matched in any case)"


def test_custom_classifiers_take_part_in_order() -> None:
    pc = PathClassifier((*REGISTRY[:2], _Custom(), *REGISTRY[2:]))
    result = pc.classify("docs/secret.md")
    assert result.file_class is FileClass.SIGNING_PUBLISHING
    assert [m.classifier for m in result.matches] == ["custom", "docs", "docs"]
    assert pc.classify("docs/a.md").file_class is FileClass.DOCS


def test_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/classes.md is stale: run `python -m signoff.classify.doc > docs/classes.md`"
    )


def test_every_ident_has_a_doc_section_and_every_class_a_meaning() -> None:
    text = DOC.read_text(encoding="utf-8")
    for clf in REGISTRY:
        assert re.search(rf"^#+ {re.escape(clf.ident)}$", text, re.M), clf.ident
    assert set(MEANING) == set(FileClass)
    for cls in FileClass:
        assert f"| `{cls}` | {RISK[cls]} |" in text
