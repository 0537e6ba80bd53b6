"""Fuzzing the policy loader and the analyzers with what a branch can hold.

A policy file on a branch and every file a change touches are written by whoever pushes it:
`parse_policy` must give a policy or a `ConfigError` naming the file, and `analyze_file` must
give facts for any bytes at any path an analyzer owns (a parse failure is a `parse-failed`
fact, high risk), never an exception. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.analysis import analyze_file
from signoff.analysis.ownership import OWNS
from signoff.errors import ConfigError
from signoff.policy.load import parse_policy

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


@settings(max_examples=300, deadline=None)
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


_CONTENT = st.one_of(
    st.none(),
    st.binary(max_size=200),
    st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass")),
    _DOC.map(lambda d: yaml.safe_dump(d).encode()),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLE_PATHS), _CONTENT, _CONTENT)
def test_analyze_file_gives_facts(path: str, old: bytes | None, new: bytes | None) -> None:
    facts = analyze_file(path, old, new)
    for f in facts:
        assert f.path == path
