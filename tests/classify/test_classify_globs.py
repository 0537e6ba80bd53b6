"""Glob semantics: the one pattern language of classifiers, policy paths and agent scopes."""

from __future__ import annotations

import random
import re

import pytest

from signoff.patterns.globs import compile_glob, match_any, nocase
from signoff.patterns.globset import GlobSet

CASES: list[tuple[str, str, bool]] = [
    # no slash: basename at any depth
    ("*.md", "README.md", True),
    ("*.md", "a/b/c.md", True),
    ("*.md", "a.mdx", False),
    ("*.md", ".md", True),
    ("package.json", "x/y/package.json", True),
    ("package.json", "package.json.bak", False),
    # `*` and `?` never cross `/`
    ("a/*.py", "a/b/c.py", False),
    ("a/*.py", "a/c.py", True),
    ("a?c", "a/c", False),
    ("a?c", "abc", True),
    # a slash anywhere but the end anchors at the root
    ("docs/*.md", "docs/x.md", True),
    ("docs/*.md", "sub/docs/x.md", False),
    ("/VERSION", "VERSION", True),
    ("/VERSION", "sub/VERSION", False),
    # `**`
    ("**/x", "x", True),
    ("**/x", "a/b/x", True),
    ("**/x", "ax", False),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("a/**/b", "a/xb", False),
    ("a/**", "a/b/c", True),
    ("a/**", "a", False),
    ("**", "anything/at/all", True),
    ("a/**/**/b", "a/b", True),
    ("x**y", "x/y", False),  # `**` inside a segment is just `*`
    ("x**y", "xaby", True),
    # trailing slash: the folder, everything under it, and a file of that name
    ("docs/", "docs", True),
    ("docs/", "docs/a/b.png", True),
    ("docs/", "src/docs/a.md", True),
    ("docs/", "docsx/a.md", False),
    ("/docs/", "src/docs/a.md", False),
    (".github/workflows/", ".github/workflows/ci.yml", True),
    (".github/workflows/", "sub/.github/workflows/ci.yml", False),
    # a folder name without `/` or `/**` matches only that exact path
    ("docs", "docs", True),
    ("docs", "docs/a.md", False),
    ("docs/**", "docs/a.md", True),
    # classes
    ("[abc].txt", "b.txt", True),
    ("[abc].txt", "d.txt", False),
    ("[!a].txt", "b.txt", True),
    ("[!a].txt", "a.txt", False),
    ("[^a].txt", "a.txt", False),
    ("x[!a]y", "x/y", False),  # a negated class never matches `/`
    ("[a-c]1", "b1", True),
    ("[a-c]1", "d1", False),
    ("[]]x", "]x", True),
    ("[a-]x", "-x", True),
    # escapes
    ("\\*.md", "*.md", True),
    ("\\*.md", "a.md", False),
    ("\\!x", "!x", True),
    ("\\[a]", "[a]", True),
    # case-sensitive, byte-exact
    ("Dockerfile", "dockerfile", False),
    (".github/workflows/*.yml", ".GitHub/Workflows/x.yml", False),
    ("*.yml", "x.YML", False),
    # odd characters are just characters
    ("*.md", "a\nb.md", True),
    ("a*", "a\nb", True),
    ("-*", "-rf", True),
    ("*.py", "caf\udce9.py", True),  # surrogateescape-decoded non-UTF-8 byte
    ("caf\udce9.py", "caf\udce9.py", True),
    ("caf\udce9.py", "café.py", False),
    ("*.txt", "a b.txt", True),
    # each shape the index handles without a regex, with near misses
    ("**/a/b/x*", "q/a/b/x1", True),
    ("**/a/b/x*", "a/b/x", True),
    ("**/a/b/x*", "za/b/x1", False),
    ("**/a/b/x*", "a/b/c/x1", False),
    ("**/a/b/", "q/a/b", True),
    ("**/a/b/", "q/za/b/c", False),
    ("**/a/b/", "q/a/bz/c", False),
    ("a/b/**", "a/b/", False),
    ("a/b/**", "a/b/c/d", True),
    ("a/b/", "a/b/", True),
    ("/x*", "xy", True),
    ("/x*", "a/xy", False),
    ("/x*", "/xy", False),
    ("d/*.md", "d/.md", True),
    ("d/*.md", "d/e/x.md", False),
    ("d/x", "d/x/y", False),
    ("a*b*c", "abc", True),
    ("a*b*c", "ac", False),
    ("a*bc*c", "abcc", True),
    ("ab*ba", "aba", False),
    ("*.tar.gz", "x.gz", False),
    ("*.tar.gz", ".tar.gz", True),
    ("x*.y*ml", "x.yaml", True),
    ("x*.y*ml", "x.ml", False),
    ("*rc", "c", False),
    ("*rc", ".npmrc", True),
    ("a", "b/a/", False),
    ("a/", "b/a/", True),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_glob_semantics(pattern: str, path: str, expected: bool) -> None:
    assert compile_glob(pattern).match(path) is expected


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_globset_agrees_with_glob(pattern: str, path: str, expected: bool) -> None:
    assert GlobSet([pattern]).matches(path) == ([0] if expected else [])


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("a\x00b", "NUL"),
        ("a[b", "unbalanced `[`"),
        ("[", "unbalanced `[`"),
        ("[!", "unbalanced `[`"),
        ("!docs/", "negation is not supported"),
        ("a//b", "empty, `.` or `..` segment"),
        ("./a", "empty, `.` or `..` segment"),
        ("a/../b", "empty, `.` or `..` segment"),
        ("/", "names no path"),
        ("a\\", "escapes nothing"),
        ("[z-a]", "invalid"),
    ],
)
def test_invalid_patterns_raise_clear_errors(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        compile_glob(pattern)
    assert "pattern" in str(err.value)


def test_compile_is_cached_and_keeps_pattern() -> None:
    glob = compile_glob("src/**/*.py")
    assert compile_glob("src/**/*.py") is glob
    assert glob.pattern == "src/**/*.py"
    assert repr(glob) == "Glob('src/**/*.py')"


def test_match_any_returns_first_matching_pattern() -> None:
    patterns = ["*.txt", "docs/", "*.md"]
    assert match_any(patterns, "docs/a.md") == "docs/"
    assert match_any(patterns, "a.md") == "*.md"
    assert match_any(patterns, "a.py") is None
    assert match_any([], "a.py") is None


def test_nocase_expands_letters_only() -> None:
    assert nocase("Ab1.x") == "[Aa][Bb]1.[Xx]"
    glob = compile_glob(nocase("Dockerfile*"))
    assert glob.match("dockerfile")
    assert glob.match("DOCKERFILE.prod")
    assert not glob.match("Dockerfil")
    with pytest.raises(ValueError, match="without classes"):
        nocase("[ab]")


def test_globset_lists_every_match_in_order() -> None:
    gs = GlobSet(["*.md", "docs/", "README.md", "nothing"])
    assert gs.matches("docs/README.md") == [0, 1, 2]
    assert gs.matches("README.md") == [0, 2]
    assert gs.matches("src/a.py") == []


def test_globset_index_never_loses_a_match() -> None:
    """The index is only a prefilter: over random paths it must agree with plain matching."""
    patterns = [
        "*.md", "[Rr][Ee]*.txt", "a/**/b.c", "**/x/", "Makefile*", "*.test.ts", "q?.py",
        "/root.txt", "dir/", "x/*/y", "*", "[!a]*", "*.tar.gz", "ÄB*", "caf\udce9*",
        nocase("agents.md"), nocase("CHANGELOG*.md"), ".github/workflows/*.y*ml",
    ]  # fmt: skip
    gs = GlobSet(patterns)
    rng = random.Random(7)
    parts = ["a", "b", "x", "y", "dir", "Dir", "README", "re", "ÄBc", "äbc", "caf\udce9"]
    names = ["b.c", "A.MD", "agents.md", "AGENTS.MD", "q1.py", "CHANGELOG.md", "x.test.ts"]
    names += ["Re.txt", "rE.TXT", "Makefile.in", "root.txt", "f.tar.gz", "ci.yml", "\n", "-x"]
    for _ in range(3000):
        depth = rng.randint(0, 4)
        path = "/".join([*(rng.choice(parts) for _ in range(depth)), rng.choice(names + parts)])
        expected = [i for i, p in enumerate(patterns) if compile_glob(p).match(path)]
        assert gs.matches(path) == expected, path
