"""The engine's path of the script rules against the plain path: same rule, same quote, always.

`signoff.classify._content_engine` only says which rules may match; Python's regex decides. So
the one way the two paths can differ is the engine missing a rule that matches; these tests feed
both paths real source text and generated text built from the rules' own words, the characters
where Python and the engine read differently (case folds, Unicode spaces and letters, controls)
and the separators the patterns test for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from signoff.classify import _content_engine, content
from signoff.classify._content_engine import (
    ENGINE_AFTER,
    Engine,
    compile_engine,
    rules_worth_trying,
)
from signoff.classify.content import script_rule
from signoff.taxonomy import FileClass

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = content._SCRIPT_PATTERNS


@pytest.fixture(scope="module")
def engine() -> Engine:
    compiled = compile_engine(PATTERNS)
    assert compiled is not None, "Hyperscan is a dependency: it must compile the script rules"
    return compiled


def both(engine: Engine, text: str) -> tuple[object, object]:
    tried = engine.may_match(text)
    for index, pattern in enumerate(PATTERNS):  # the superset, rule by rule
        if pattern.search(text):
            assert index in tried, (pattern.pattern[:60], text[:200])
    return script_rule(text), script_rule(text, tried)


def test_real_source_text_gets_the_same_answer(engine: Engine) -> None:
    files = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))
    files += sorted((ROOT / "tests").rglob("*.sh"))
    assert len(files) > 100
    found = 0
    for path in files:
        text = path.read_bytes()[: content.LIMIT].decode("utf-8", "replace")
        plain, fast = both(engine, text)
        assert plain == fast, path
        found += plain is not None
    assert found > 0  # the corpus exercises the matching side too (content.py names commands)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#!/bin/sh\nnpm publish --access public\n", FileClass.SIGNING_PUBLISHING),
        ("subprocess.run(['git', 'tag', version])\n", FileClass.SIGNING_PUBLISHING),
        ("git -C build tag v1\n", FileClass.SIGNING_PUBLISHING),
        ("git tag -l\n", None),
        ("kubectl apply -f k8s/\n", FileClass.DEPLOYMENT),
        ("git config core.hooksPath .githooks\n", FileClass.REPO_CONFIG),
        ("data = json.load(sys.stdin)['tool_input']\n", FileClass.AGENT_INSTRUCTIONS),
        # Python's IGNORECASE folds the long s and the Kelvin sign to ASCII letters:
        ("npm publi\u017fh\n", FileClass.SIGNING_PUBLISHING),
        ("\u212aubectl apply -f x\n", FileClass.DEPLOYMENT),
        ("\u00e9npm publish\n", None),  # no word boundary after a Unicode letter
        ("twine\u00a0upload\n", None),  # a no-break space is not the space the rule names
        ("print('hello')\n" * 50_000, None),
    ],
)
def test_known_shapes(engine: Engine, text: str, expected: FileClass | None) -> None:
    plain, fast = both(engine, text)
    assert plain == fast
    assert (plain[0] if isinstance(plain, tuple) else None) is expected


WORDS = sorted(
    {w for p in PATTERNS for w in re.findall(r"[A-Za-z][A-Za-z0-9_.-]+", p.pattern) if len(w) > 1}
)
PIECES = st.sampled_from(
    [*WORDS, " ", "  ", "\t", "\n", "\r\n", "-", "--", ".", "/", "'", '"', ",", "|", ")", "(",
     "$", "=", ":", "\u017f", "\u212a", "\u0131", "\u0130", "\u00a0", "\u0085", "\u2028",
     "\u00e9", "\x1c", "\x0b", "\x00", "\ufffd", "_", "0", "A", "--tags", "--follow-tags",
     " -C ", "-l", "--list", "-d", " version", " publish", " push", " tag"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES | st.text(max_size=3), max_size=40).map("".join))
@example("git push origin --follow-tags")
@example("bump2version patch")
@example("git\t'tag'\u00a0x")
def test_generated_text_gets_the_same_answer(text: str) -> None:
    compiled = compile_engine(PATTERNS)
    assert compiled is not None
    plain, fast = both(compiled, text)
    assert plain == fast


def test_the_engine_waits_until_it_pays_for_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before `ENGINE_AFTER` characters every rule is tried and nothing is compiled; after, the
    engine answers with the rules it saw."""
    compile_engine.cache_clear()
    monkeypatch.setattr(_content_engine._Budget, "read", 0)
    assert rules_worth_trying(PATTERNS, "npm publish") is None
    assert compile_engine.cache_info().currsize == 0
    monkeypatch.setattr(_content_engine._Budget, "read", ENGINE_AFTER)
    assert rules_worth_trying(PATTERNS, "npm publish") == frozenset({0})
    assert rules_worth_trying(PATTERNS, "print('hello')") == frozenset()
