"""The regex-free index must agree exactly with plain glob matching, and stay cheap to build.

The reference is the straightforward reading: `compile_glob(pattern).match(path)` for every rule
of every classifier. The index (`GlobSet`, used by `PathClassifier`) must report exactly the same
matches, in the same order, for every path: the representative tables, paths made from every
rule's own pattern, and thousands of generated paths (unicode, newlines, leading dashes, case
variants, deep nesting).
"""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
from pathlib import Path

import pytest

from signoff.classify import REGISTRY, PathClassifier, build_registry, classify_path, resolve
from signoff.classify.base import Match
from signoff.classify.rules import Rule, RuleClassifier, specific
from signoff.patterns.globs import compile_glob, nocase
from signoff.patterns.globset import GlobSet
from signoff.taxonomy import FileClass

RULES: list[tuple[str, Rule]] = [
    (clf.ident, rule) for clf in REGISTRY if isinstance(clf, RuleClassifier) for rule in clf.rules
]
_REFERENCE = [
    (rule.to_match(ident), compile_glob(rule.glob_pattern).match) for ident, rule in RULES
]


def _reference(path: str) -> tuple[Match, ...]:
    return tuple(match for match, glob_matches in _REFERENCE if glob_matches(path))


def _table_paths() -> list[str]:
    """Every path named in test_classify_paths.py (loaded by file: tests are not a package)."""
    spec = importlib.util.spec_from_file_location(
        "_classify_paths_table", Path(__file__).with_name("test_classify_paths.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [path for paths in module.TABLE.values() for path in paths]


def _case_variants(text: str) -> list[str]:
    return [text, text.lower(), text.upper(), text.swapcase(), text[:1].upper() + text[1:]]


def _from_patterns(rng: random.Random) -> list[str]:
    """Paths made from each rule's pattern: wildcards filled in, nested, in other cases."""
    fills = ["", "x", "release", "a.b", "-", "\u00e9", "\n", "K", "\u212a"]
    out: list[str] = []
    for _, rule in RULES:
        for _ in range(2):
            path = rule.pattern.lstrip("/")
            path = path.replace("**", rng.choice(["", "a/b", "deep/er/still", "x"]))
            path = "".join(rng.choice(fills) if c == "*" else c for c in path)
            path = path.replace("//", "/").strip("/")
            if path.endswith("/") or rng.random() < 0.3:
                path = f"{path}/{rng.choice(['x.py', 'README.md', 'sub/y'])}"
            if rng.random() < 0.4:
                path = f"{rng.choice(['src', 'a/b/c', 'tests', '.github', 'docs'])}/{path}"
            out.extend(_case_variants(path) if rng.random() < 0.3 else [path])
    return out


def _random_paths(rng: random.Random, n: int) -> list[str]:
    segs = ["src", "docs", "tests", "test", ".github", "workflows", "Workflows", ".gitlab", "ci"]
    segs += ["scripts", "gradle", "wrapper", ".cargo", ".yarn", "releases", "node_modules"]
    segs += ["a", "\u00e9t\u00e9", "caf\udce9", "-rf", "a\nb", " ", "src/test", "news", "changes"]
    names = ["package.json", "AGENTS.md", "agents.MD", "Dockerfile.prod", "dockerfile", "x.py"]
    names += ["CHANGELOG-1.md", "changelog", "requirements-dev.txt", "release.yml", "RELEASE.yaml"]
    names += ["id_rsa.pub", "key.pem", "Makefile.am", ".npmrc", "go.sum", "x.tar.gz", "--help"]
    names += ["\u0410GENTS.md", "K.md", "\u212aEYS", "KEYS", "", ".", "a\n.md", "build.gradle.kts"]
    names += ["Taskfile.dist.yml", "x.test.ts", "foo_test.go", "pylock.dev.toml", "README"]
    out = []
    for _ in range(n):
        depth = rng.choice([0, 0, 1, 1, 2, 3, 6, 12])
        parts = [rng.choice(segs) for _ in range(depth)]
        path = "/".join([*parts, rng.choice(names + segs)])
        out.append(rng.choice(_case_variants(path)) if rng.random() < 0.2 else path)
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    rng = random.Random(20240611)
    return _table_paths() + _from_patterns(rng) + _random_paths(rng, 2000)


def test_index_agrees_with_plain_glob_matching(corpus: list[str]) -> None:
    """Same matches, same order, same class and reason as the straightforward reading."""
    classifier = PathClassifier(REGISTRY)
    matched = 0
    for path in corpus:
        expected = _reference(path)
        got = classifier.classify(path)
        assert got.matches == expected, repr(path)
        assert got == resolve(expected), repr(path)
        assert classify_path(path) == got, repr(path)
        matched += bool(expected)
    assert matched > len(corpus) // 2  # the corpus exercises the rules, not just misses


def test_every_rule_pattern_compiles() -> None:
    """A bad glob in a table fails here even though nothing compiles the tables at import."""
    for ident, rule in RULES:
        assert compile_glob(rule.glob_pattern).pattern == rule.glob_pattern, ident


def test_built_in_rules_need_no_regex() -> None:
    """Every built-in pattern has one of the shapes `GlobSet` indexes without a regex."""
    index = GlobSet(
        [rule.pattern for _, rule in RULES],
        any_case=[n for n, (_, rule) in enumerate(RULES) if rule.any_case],
    )
    assert not index._fb_match, [index.patterns[i] for i in index._fb_match]
    assert index.patterns == tuple(rule.glob_pattern for _, rule in RULES)


def test_import_and_first_use_compile_nothing() -> None:
    code = (
        "import signoff.classify as c\n"
        "from signoff.patterns.globs import compile_glob\n"
        "assert c.classify_path('src/a.py').file_class == 'source'\n"
        "assert c.classify_path('.github/workflows/Release.yml').file_class"
        " == 'signing-publishing'\n"
        "print(compile_glob.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_a_bad_plain_pattern_fails_on_first_use_naming_the_classifier() -> None:
    class _Bad(RuleClassifier):  # `//` is only caught when the rules are indexed
        ident = "bad-plain"
        desc = "bad"
        rules = specific(FileClass.DOCS, ("a//b", "broken"))

    with pytest.raises(ValueError, match=r"classifier bad-plain: .*empty, `\.` or `\.\.` segment"):
        PathClassifier(build_registry(_Bad()))


# Random patterns of every shape, as written or any-case, against random paths.
_ATOMS = ["a", "b", "A", "ab", "Ab", ".", ".md", "x.y", "\u00e9", "K", "\n", "-", "**", "*", "*"]
_ATOMS += ["docs", "\udce9", "[ab]", "?", "\\*", "[!a]"]
_PARTS = ["a", "b", "A", "ab", "Ab", "AB", "x.y", ".md", "a.md", "A.MD", "docs", "\u00e9", "K"]
_PARTS += ["k", "\n", "-rf", "", "ab.md", "b.x.y", "*", "[ab]", "\udce9", "\u212a"]


_LITERALS = ["a", "A", "Ab", "AB.md", "x.y", ".md", "a.b.c", "K", "\u00e9", "-", "\n", "docs", "."]


def _random_segment(rng: random.Random) -> str:
    if rng.random() < 0.3:  # anything, regex-only syntax included
        return "".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 3)))
    shape = rng.choice(["L", "L", "L*L", "*L", "L*", "*L*", "L*L*L", "*L*L", "**"])
    return "".join(rng.choice(_LITERALS) if c == "L" else c for c in shape)


def _random_pattern(rng: random.Random) -> str:
    pattern = "/".join(_random_segment(rng) for _ in range(rng.choice([1, 1, 2, 3])))
    if rng.random() < 0.25:
        pattern = "**/" + pattern
    if rng.random() < 0.2:
        pattern += "/**"
    if rng.random() < 0.2:
        pattern = "/" + pattern
    if rng.random() < 0.25:
        pattern += "/"
    return pattern


def _as_matched(pattern: str, any_case: bool) -> str:
    head, sep, name = pattern.rpartition("/")
    return f"{head}{sep}{nocase(name)}" if any_case else pattern


def _valid(pattern: str) -> bool:
    try:
        compile_glob(pattern)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("seed", range(8))
def test_globset_agrees_with_compile_glob_on_random_patterns(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(12):
        patterns: list[str] = []
        any_case: list[int] = []
        while len(patterns) < 25:
            pattern, folded = _random_pattern(rng), rng.random() < 0.3
            if folded and ("[" in pattern.rpartition("/")[2] or "\\" in pattern):
                folded = False  # `nocase` refuses classes and escapes
            if _valid(_as_matched(pattern, folded)):
                any_case += [len(patterns)] if folded else []
                patterns.append(pattern)
        globs = [compile_glob(_as_matched(p, i in any_case)) for i, p in enumerate(patterns)]
        index = GlobSet(patterns, any_case=any_case)
        for _ in range(150):
            if rng.random() < 0.3:  # a path made from one of the patterns
                path = rng.choice(patterns).replace("**", rng.choice(["", "q/r", "s"]))
                path = path.replace("*", rng.choice(["", "zz", "a/b", "A"]))
                path = rng.choice(_case_variants(path.lstrip("/") if rng.random() < 0.8 else path))
                path = rng.choice(["", "", "", "z", "z/", "a/b/"]) + path  # near misses
            else:
                depth = rng.randint(1, 5)
                path = "/".join(
                    "".join(rng.choice(_PARTS) for _ in range(rng.randint(1, 2)))
                    for _ in range(depth)
                )
            expected = [i for i, glob in enumerate(globs) if glob.match(path)]
            assert index.matches(path) == expected, (path, patterns)
