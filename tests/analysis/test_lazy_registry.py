"""The lazy registry: `paths.OWNS` is every analyzer's `handles`, and modules load on demand."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import signoff.analysis as analysis
from signoff.analysis import REGISTRY, analyzer_for, wants_content
from signoff.analysis.ownership import OWNS
from signoff.analysis.zizmor import ZizmorAnalyzer

HERE = Path(__file__).parent

#: Paths no test happens to use, at the edges of the predicates.
EDGES = (
    "",
    "/",
    "a/",
    "CHANGELOG",
    "changelog.MD",
    "Release-Notes.rst",
    "RELEASE_NOTES",
    "CHANGELOG\n",
    "NEWS.adoc",
    "HISTORY.txt.bak",
    "Dockerfile.dev",
    "x.Dockerfile",
    "Containerfile",
    ".gitlab/ci/a.yaml",
    "sub/.gitlab/ci/a.yml",
    "a.gitlab-ci.yml",
    ".github/workflows/x.yaml",
    "a/.github/workflows/b/c.yml",
    "action.yaml",
    "requirements/dev.in",
    "dev-constraints.txt",
    "build.gradle.kts",
    "gradle/wrapper/gradle-wrapper.properties",
    "gems.locked",
    "go.work.sum",
    "VERSION",
    "pkg/__about__.py",
)


def _test_paths() -> list[str]:
    """Every path-like string in tests/analysis and its data, plus variants of each."""
    found: set[str] = set(EDGES)
    for source in HERE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and len(value) < 120 and not any(c.isspace() for c in value):
                found.add(value)
    for data in (HERE / "data").rglob("*"):
        found |= {data.name, data.relative_to(HERE / "data").as_posix()}
    variants: set[str] = set()
    for path in found:
        name = path.rsplit("/", 1)[-1]
        variants |= {path, f"sub/dir/{path}", path.upper(), path.lower(), f"{path}.bak", f"/{path}"}
        variants |= {f"x{name}", f".github/workflows/{name}", f".gitlab/ci/{name}"}
        variants.add(f"requirements/{name}")
    return sorted(variants)


PATHS = _test_paths()


def test_table_and_registry_agree() -> None:
    assert [a.ident for a in REGISTRY] == list(OWNS)
    assert REGISTRY[-1].ident == "secrets"
    assert all(analyzer_for(a.ident) is a for a in REGISTRY)
    assert analysis.SECRETS is REGISTRY[-1]
    with pytest.raises(KeyError):
        analyzer_for("no-such-analyzer")


@pytest.mark.parametrize("analyzer", REGISTRY, ids=lambda a: a.ident)
def test_handles_is_the_path_predicate(analyzer: analysis.Analyzer) -> None:
    owns = OWNS[analyzer.ident]
    if isinstance(analyzer, ZizmorAnalyzer):
        analyzer = ZizmorAnalyzer(sys.executable)  # "installed": handles is then the predicate
        assert not ZizmorAnalyzer("no-such-zizmor-executable").handles(".github/workflows/a.yml")
    differ = [p for p in PATHS if analyzer.handles(p) != owns(p)]
    assert not differ
    assert len(PATHS) > 1000


def test_wants_content_and_handlers_use_the_same_paths() -> None:
    for path in PATHS:
        owned = [ident for ident, owns in OWNS.items() if ident != "secrets" and owns(path)]
        assert list(analysis._owned(path, None)) == owned
        if owned:
            assert wants_content(path)


def _modules_after(code: str) -> set[str]:
    prog = (
        "import sys\n"
        "import signoff.analysis as a\n"
        "a.KNOWN_FACTS['dependency-added']\n"
        f"{code}\n"
        "print(' '.join(m for m in sys.modules if m.startswith('signoff.analysis.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, check=True)
    return {m.removeprefix("signoff.analysis.") for m in out.stdout.split()}


ANALYZER_MODULES = {module for _, module in analysis._TABLE}


def test_plain_source_file_imports_no_format_analyzer() -> None:
    loaded = _modules_after(
        "assert a.wants_content('src/app.py')\n"
        "assert a.analyze_file('src/app.py', b'x = 1\\n', b'x = 2\\n') == []"
    )
    assert loaded & ANALYZER_MODULES == {"secrets"}
    assert not loaded & {"_text", "_deps", "_lock"}  # the parsers' helpers stay unloaded too


def test_only_the_owning_analyzer_is_imported() -> None:
    loaded = _modules_after("a.analyze_file('package.json', b'{}', b'{\"version\": \"1\"}')")
    assert loaded & ANALYZER_MODULES == {"npm_package", "version", "secrets"}  # version: a helper


def test_wants_content_imports_no_analyzer() -> None:
    loaded = _modules_after("assert a.wants_content('package.json', 'go.mod')")
    assert not loaded & ANALYZER_MODULES
