"""Fuzzing the policy loader and the analyzers with what a branch can hold.

A policy file on a branch and every file a change touches are written by whoever pushes it:
`parse_policy` must give a policy or a `ConfigError` naming the file. Each analyzer must give
facts or its own `AnalysisError` (never another exception: `analyze_file` would hide it as a
parse failure, so the analyzers are called directly here), and content its format cannot parse
must come back from `analyze_file` as a `parse-failed` fact of high risk from that analyzer,
judged by a reference parser (UTF-8, JSON, TOML, YAML syntax, XML, INI) that the analyzer does
not share. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import configparser
import json
import tomllib
from collections.abc import Callable
from xml.parsers import expat

import yaml
from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st

from signoff.analysis import AnalysisError, analyze_file, analyzer_for
from signoff.analysis.kinds import KNOWN_FACTS
from signoff.analysis.ownership import OWNS
from signoff.errors import ConfigError
from signoff.facts import PARSE_FAILED
from signoff.policy.load import parse_policy
from signoff.taxonomy import Risk

_KEYS = [
    "version", "groups", "classes", "rules", "approvals", "protected_branches", "release",
    "four_eyes", "auto_lane", "default_approval", "unregistered_agents", "match", "paths",
    "require", "from", "maintainers", "x",
]  # fmt: skip
_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 3),
    st.sampled_from(["1", "*", "**/*.py", "maintainers", "deny", "require", "code", "", "[", "é"]),
)  # fmt: skip
_DOC = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
    ),
    max_leaves=15,
)
_YAML = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(str.encode),
    _DOC.map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode()),
)


@budget(200)
@given(_YAML)
def test_policy_gives_policy_or_located_error(text: bytes) -> None:
    try:
        parse_policy(text, ".signoff/policy.yml")
    except ConfigError as err:
        assert err.file == ".signoff/policy.yml"
        assert "Traceback" not in str(err)


#: One path each format analyzer owns (checked below to cover every one of them).
SAMPLE_PATHS = (
    "pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "poetry.lock", "uv.lock",
    "Pipfile.lock", "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
    ".npmrc", "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "build.rs", "Gemfile",
    "Gemfile.lock", "pom.xml", "build.gradle", "Dockerfile", ".github/workflows/ci.yml",
    ".gitlab-ci.yml", "VERSION", "CHANGELOG.md", "src/app.py",
)  # fmt: skip


def test_sample_paths_cover_every_analyzer() -> None:
    owned = {ident for ident, owns in OWNS.items() for p in SAMPLE_PATHS if owns(p)}
    assert owned >= set(OWNS) - {"secrets", "zizmor"}


#: Analyzers that read a file as code, not a format: every change is a fact, nothing parses.
CODE = {"setup.py": "python-setup-py", "build.rs": "cargo-build-script", "build.gradle": "gradle"}


def _json(text: str) -> None:
    if not isinstance(json.loads(text), dict):
        raise ValueError("not an object")


def _yaml(text: str) -> None:
    yaml.compose(text, Loader=yaml.SafeLoader)


def _xml(text: str) -> None:
    expat.ParserCreate().Parse(text, True)


def _ini(text: str) -> None:
    configparser.ConfigParser(interpolation=None, strict=False).read_string(text)


#: A reference parser per analyzer of a strict format: content it refuses must be parse-failed.
REFERENCE: dict[str, Callable[[str], object]] = {
    "pyproject.toml": tomllib.loads, "poetry.lock": tomllib.loads, "uv.lock": tomllib.loads,
    "Cargo.toml": tomllib.loads, "Cargo.lock": tomllib.loads, "Pipfile.lock": _json,
    "package.json": _json, "package-lock.json": _json, "pnpm-lock.yaml": _yaml,
    ".github/workflows/ci.yml": _yaml, ".gitlab-ci.yml": _yaml, "pom.xml": _xml,
    "setup.cfg": _ini,
}  # fmt: skip
#: Small valid files, cut anywhere by the fuzzer to reach past the first byte.
VALID = {
    "pyproject.toml": '[project]\nname = "w"\ndependencies = ["a>=1"]\n',
    "Cargo.toml": '[package]\nname = "w"\n[dependencies]\nserde = "1"\n',
    "package.json": '{"name": "w", "scripts": {"postinstall": "x"}, "dependencies": {"a": "1"}}',
    "package-lock.json": '{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1"}}}',
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\npackages:\n  a@1:\n    resolution: {integrity: x}\n",
    ".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    steps:\n      - uses: a/b@v1\n",
    ".gitlab-ci.yml": "job:\n  script:\n    - curl x | sh\n  image: a:1\n",
    "pom.xml": "<project><dependencies><dependency><artifactId>a</artifactId>"
    "</dependency></dependencies></project>",
    "setup.cfg": "[options]\ninstall_requires =\n    a>=1\n",
    "requirements.txt": "a==1\n--index-url https://x\n-e .\n",
    "go.mod": "module m\n\ngo 1.22\n\nrequire a.b/c v1.0.0\n",
    "Gemfile.lock": "GEM\n  remote: https://rubygems.org/\n  specs:\n    a (1.0)\n",
    "yarn.lock": '"a@^1":\n  version "1.0.0"\n  resolved "https://r/a.tgz"\n',
}
_CUT = st.sampled_from(sorted(VALID)).flatmap(
    lambda p: st.tuples(st.just(p), st.integers(0, len(VALID[p])))
)
_CONTENT = st.one_of(
    st.none(),
    st.binary(max_size=200),
    st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass")),
    _DOC.map(lambda d: yaml.safe_dump(d).encode()),
    _DOC.map(lambda d: json.dumps(d).encode()),
    _CUT.map(lambda pc: VALID[pc[0]][: pc[1]].encode()),
)


def _analyzers(path: str) -> list[str]:
    return [
        ident for ident, owns in OWNS.items() if owns(path) and ident not in ("secrets", "zizmor")
    ]


@budget(200)
@given(st.sampled_from(SAMPLE_PATHS), _CONTENT, _CONTENT)
@example("package.json", None, b"[]")
@example("pom.xml", None, b"<!DOCTYPE x><project/>")
def test_analyzers_give_facts_or_their_own_error(
    path: str, old: bytes | None, new: bytes | None
) -> None:
    for ident in _analyzers(path):
        try:
            facts = analyzer_for(ident).analyze(path, old, new)
        except AnalysisError as err:
            assert err.message and "Traceback" not in err.message
            assert err.side in ("", "old", "new")
            continue
        for f in facts:
            assert f.path == path and f.analyzer == ident
            assert f.kind in KNOWN_FACTS
    for f in analyze_file(path, old, new):
        assert f.path == path


def _refused(path: str, data: bytes) -> bool:
    """Whether `data` is not UTF-8, or the format's reference parser refuses it."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return True
    check = REFERENCE.get(path)
    if check is None:
        return False
    try:
        check(text)
    except (ValueError, yaml.YAMLError, expat.ExpatError, configparser.Error, RecursionError):
        return True
    return False


@budget(200)
@given(st.sampled_from([p for p in SAMPLE_PATHS if _analyzers(p)]), _CONTENT, _CONTENT)
@example("package.json", None, b"1")
@example("Cargo.toml", b"", b"[a")
@example(".gitlab-ci.yml", None, b"a: [")
def test_content_that_does_not_parse_is_parse_failed_high(
    path: str, old: bytes | None, new: bytes | None
) -> None:
    facts = analyze_file(path, old, new)
    for ident in _analyzers(path):
        mine = [f for f in facts if f.analyzer == ident]
        if path in CODE:  # read as code: any change at all is a fact, never silence
            assert mine or old == new or (old or b"") == (new or b"")
            continue
        for side, data in (("new", new), ("old", old)):
            if data is not None and _refused(path, data):
                failed = [f for f in mine if f.kind == PARSE_FAILED]
                assert failed, f"{ident} read {side} {data[:80]!r} without a parse failure"
                assert all(f.risk is Risk.HIGH for f in failed)
                break
