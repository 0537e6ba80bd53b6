"""Fuzzing approval records, the hook's ref-update lines and push options.

Approval records are read back from a ref anyone with push access can write; ref-update lines
and push options reach the hook from the pusher. Each parser must answer with its result or its
own error (`RecordError`, `BrokerError`), never another exception, and a record it accepts must
be exactly the canonical one. Bounded as `tests/fuzz` requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st

from signoff.approvals.record import ApprovalRecord, RecordError, parse_record
from signoff.broker.errors import BrokerError
from signoff.hook.gitread import MAX_OPTIONS, push_options, read_updates

H64 = "b" * 64
SHA = "a" * 40
_GOOD: dict[str, Any] = {
    "schema": "signoff.approval/v1",
    "repository": SHA,
    "decision": "approve",
    "approver": "a@example.org",
    "digests": {"code": H64},
    "policy_digest": H64,
    "base": SHA,
    "head": SHA,
    "classes": ["code"],
    "comment": "",
    "reason": "",
    "time": "2026-01-01T00:00:00Z",
}
_ODD = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(
        ["\ud800", SHA + "\n", H64 + "\n", "2026-01-01T00:00:00Z\n", "A@x", "override", "veto"]
    ),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
)


def _dump(doc: dict[str, Any], ascii_only: bool) -> bytes:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass")


_DOCS = st.builds(
    lambda changes, drop, ascii_only: _dump(
        {k: v for k, v in {**_GOOD, **changes}.items() if k not in drop}, ascii_only
    ),
    st.dictionaries(st.sampled_from([*sorted(_GOOD), "extra"]), _ODD, max_size=3),
    st.sets(st.sampled_from(sorted(_GOOD)), max_size=1),
    st.booleans(),
)


@budget(250)
@given(st.one_of(st.binary(max_size=100), _DOCS))
@example(_dump({**_GOOD, "comment": "\ud800"}, True))
@example(_dump({**_GOOD, "head": SHA + "\n"}, False))
@example(_dump({**_GOOD, "time": "2026-01-01T00:00:00Z\n"}, False))
def test_approval_record_gives_record_or_record_error(raw: bytes) -> None:
    try:
        rec = parse_record(raw)
    except RecordError:
        return
    assert isinstance(rec, ApprovalRecord)
    assert rec.canonical() == raw
    assert re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", rec.head)
    assert re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", rec.base)
    assert re.fullmatch(r"[0-9a-f]{64}", rec.policy_digest)
    assert "\n" not in rec.time


_LINE_TOKENS = st.sampled_from(
    [SHA, "0" * 40, H64, " ", "\n", "\r", "refs/heads/main", "refs/", "x", "\x0b", "\u2028", "A"]
)


@budget(300)
@given(st.one_of(st.text(max_size=200), st.lists(_LINE_TOKENS, max_size=20).map("".join)))
@example(f"{SHA} {SHA} refs/heads/main\n")
@example(f"{SHA} {SHA} refs/heads/ma\u2028in\n")
def test_ref_updates_give_updates_or_broker_error(text: str) -> None:
    try:
        updates = read_updates(text)
    except BrokerError:
        return
    for u in updates:
        assert u.ref.startswith("refs/")
        assert f"{u.old} {u.new} {u.ref}" in text


_ENV_VALUES = st.one_of(
    st.text(max_size=20), st.sampled_from(["a=b", "a=", "=x", "a", "a=b=c", "\udcff=1"])
)


@budget(300)
@given(
    st.one_of(st.none(), st.sampled_from(["0", "1", "3", "16", "17", "-1", "x", "²", "٣"])),
    st.lists(_ENV_VALUES, max_size=5),
)
@example("²", [])
@example("٣", ["a=b", "c=d", "e=f"])
def test_push_options_give_options_or_broker_error(count: str | None, values: list[str]) -> None:
    env = {f"GIT_PUSH_OPTION_{i}": v for i, v in enumerate(values)}
    if count is not None:
        env["GIT_PUSH_OPTION_COUNT"] = count
    try:
        got = push_options(env)
    except BrokerError:
        return
    assert len(got) <= MAX_OPTIONS
