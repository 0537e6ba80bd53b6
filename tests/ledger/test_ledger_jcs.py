"""The fast canonical-JSON path must equal RFC 8785 (the `rfc8785` package) byte for byte."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
import rfc8785

from signoff.ledger.events import jcs

_ALPHABET = string.printable + "\x00\x01\x1f\x7f\u00e9\u00df\u2028\u2029\u20ac\ufeff\uffff\u4e2d"


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**53 - 1, -(2**53 - 1), rng.randint(-(10**9), 10**9)])
    if kind in (3, 4):
        return _text(rng)
    if kind == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_fast_path_equals_rfc8785_on_random_documents() -> None:
    rng = random.Random(8785)
    for _ in range(3000):
        doc = _value(rng)
        assert jcs(doc) == rfc8785.dumps(doc), doc


@pytest.mark.parametrize(
    "doc",
    [
        {"\U0001f600": 1, "\ufb01": 2, "a": 3},  # astral key: UTF-16 order differs
        {"x": 1.5},
        {"n": 2**60},
        ["\ud800"],
    ],
)
def test_other_documents_go_to_rfc8785(doc: Any) -> None:
    try:
        expected = rfc8785.dumps(doc)
    except Exception as exc:  # rfc8785 refuses some of these; so must we, the same way
        with pytest.raises(type(exc)):
            jcs(doc)
        return
    assert jcs(doc) == expected
