"""The registry, `analyze_file`'s fail-closed contract, `wants_content`, and the fact catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import signoff.analysis as analysis
from signoff.analysis import (
    KNOWN_FACTS,
    REGISTRY,
    AnalysisError,
    Analyzer,
    analyze_file,
    run,
    wants_content,
)
from signoff.analysis.npm_package import NpmPackageAnalyzer
from signoff.facts import PARSE_FAILED, Fact
from signoff.taxonomy import Risk

Analyze = Callable[..., list[Fact]]
DOCS = Path(__file__).parents[2] / "docs" / "facts.md"
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_idents_unique_kebab_and_described() -> None:
    idents = [a.ident for a in REGISTRY]
    assert len(idents) == len(set(idents))
    for analyzer in REGISTRY:
        assert KEBAB.match(analyzer.ident), analyzer.ident
        assert analyzer.desc


def test_duplicate_ident_is_refused() -> None:
    with pytest.raises(RuntimeError, match="registered twice"):
        analysis._check((NpmPackageAnalyzer(), NpmPackageAnalyzer()))


def test_fact_kinds_are_kebab_and_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for kind, info in KNOWN_FACTS.items():
        assert KEBAB.match(kind), kind
        assert info.kind == kind and info.desc
        assert f"### `{kind}`" in docs, f"{kind} missing from docs/facts.md"
        assert (
            f"Default risk: **{info.risk}**" in docs.split(f"### `{kind}`", 1)[1].split("###", 1)[0]
        )
    assert KNOWN_FACTS[PARSE_FAILED].risk is Risk.HIGH
    assert KNOWN_FACTS["secret-added"].risk is Risk.CRITICAL


def test_every_analyzer_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for analyzer in REGISTRY:
        assert f"`{analyzer.ident}`" in docs, analyzer.ident


def test_uncatalogued_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="uncatalogued"):
        NpmPackageAnalyzer().fact("made-up-kind", "package.json", "x")


class _Boom(Analyzer):
    ident = "boom"
    desc = "raises whatever it is told to"

    def __init__(self, err: Exception) -> None:
        self.err = err

    def handles(self, path: str) -> bool:
        return True

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        raise self.err


@pytest.mark.parametrize(
    "err",
    [RuntimeError("bug"), RecursionError("deep"), KeyError("k"), AnalysisError("bad", line=7)],
)
def test_any_exception_becomes_parse_failed(err: Exception) -> None:
    facts = run(_Boom(err), "x/file.txt", b"a", b"b")
    assert [f.kind for f in facts] == [PARSE_FAILED]
    fact = facts[0]
    assert fact.risk is Risk.HIGH
    assert fact.analyzer == "boom"
    assert fact.message.startswith("x/file.txt: could not be parsed by boom")
    if isinstance(err, AnalysisError):
        assert fact.line == 7 and "at line 7" in fact.message


def test_old_side_failure_says_so(analyze: Analyze) -> None:
    facts = analyze("package.json", "{oops", "{}")
    assert [f.kind for f in facts] == [PARSE_FAILED]
    assert "(old version) at line 1" in facts[0].message
    assert facts[0].line is None  # SARIF lines point into the new file


@pytest.mark.parametrize(
    ("path", "garbage"),
    [
        ("package.json", b"{"),
        ("package-lock.json", b"nope"),
        ("yarn.lock", b"lodash@^4:\n  version\n oops"),
        ("pnpm-lock.yaml", b"packages: [\n"),
        ("pyproject.toml", b"[project\n"),
        ("requirements.txt", b"==1.0\n"),
        ("poetry.lock", b"[[package]\n"),
        ("uv.lock", b"package = 3\n"),
        ("Pipfile.lock", b"[]x"),
        ("go.mod", b"bogus directive\n"),
        ("Cargo.toml", b"[package\n"),
        ("Cargo.lock", b"package = 'x'\n"),
        ("pom.xml", b"<project>"),
        (".github/workflows/a.yml", b"on: [\n"),
        (".gitlab-ci.yml", b"a: [\n"),
        ("setup.cfg", b"[x\n"),
        ("package.json", b"\xff\xfe{}"),
    ],
)
def test_malformed_files_fail_closed(analyze: Analyze, path: str, garbage: bytes) -> None:
    facts = analyze(path, None, garbage)
    failed = [f for f in facts if f.kind == PARSE_FAILED]
    assert failed, facts
    assert all(f.risk is Risk.HIGH and path in f.message for f in failed)


def test_rename_runs_analyzers_of_both_paths(analyze: Analyze) -> None:
    facts = analyze(
        "notes.txt", '{"scripts": {}}', '{"scripts": {"postinstall": "x"}}', old_path="package.json"
    )
    assert "install-script-added" in {f.kind for f in facts}


def test_wants_content() -> None:
    assert wants_content("src/app.py")
    assert wants_content("package.json")
    assert wants_content("README")
    assert not wants_content("assets/logo.png")
    assert not wants_content("dist/tool.whl")
    assert wants_content("assets/logo.png", "package.json")


def test_analyze_file_on_plain_source_only_scans_secrets() -> None:
    assert analyze_file("src/app.py", b"x = 1\n", b"x = 2\n") == []
