"""Fuzzing the identity parsers: SSHSIG armor and wire format, allowed_signers, the registry.

A signature, an allowed_signers file and an agents file are all written by whoever can push a
commit or a branch; each parser must answer with its result or its own error (`SshSigError`,
`ConfigError` naming the file and line), never another exception. Bounded as `tests/fuzz`
requires (see test_fuzz_gitio.py).
"""

from __future__ import annotations

import base64

from fuzzing import budget
from hypothesis import example, given
from hypothesis import strategies as st

from signoff.errors import ConfigError
from signoff.identity.agents import parse_registry
from signoff.identity.signers import parse_allowed_signers
from signoff.identity.sshalgs import SshSigError
from signoff.identity.sshsig import BEGIN, END, SshSig, read_signature


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


_KEY_TYPES = st.sampled_from(
    [
        b"ssh-ed25519",
        b"sk-ssh-ed25519@openssh.com",
        b"ecdsa-sha2-nistp256",
        b"ecdsa-sha2-nistp384",
        b"sk-ecdsa-sha2-nistp256@openssh.com",
        b"ssh-rsa",
        b"ssh-dss",
        b"",
    ]
)
_FIELD = st.one_of(
    st.binary(max_size=80),
    st.sampled_from([b"nistp256", b"nistp384", b"\x04" + b"\x01" * 64, b"\x00" * 32, b"\x80"]),
)
_KEY = st.builds(
    lambda t, fields: _string(t) + b"".join(_string(f) for f in fields),
    _KEY_TYPES,
    st.lists(_FIELD, max_size=4),
)
_WIRE = st.builds(
    lambda magic, version, key, ns, reserved, alg, sig, tail: (
        b"".join(
            (
                magic,
                version,
                _string(key),
                _string(ns),
                _string(reserved),
                _string(alg),
                _string(sig),
            )
        )
        + tail
    ),
    st.sampled_from([b"SSHSIG", b"SSHSIX", b""]),
    st.sampled_from([b"\0\0\0\1", b"\0\0\0\2", b"\xff\xff\xff\xff"]),
    _KEY,
    st.sampled_from([b"git", b"", b"\xff", b"file"]),
    st.sampled_from([b"", b"x"]),
    st.sampled_from([b"sha256", b"sha512", b"md5", b"\xff"]),
    st.binary(max_size=40),
    st.sampled_from([b"", b"\0", b"\0\0\0\xff"]),
)


def _armor(blob: bytes) -> bytes:
    return f"{BEGIN}\n{base64.b64encode(blob).decode()}\n{END}\n".encode()


@budget(400)
@given(
    st.one_of(
        st.binary(max_size=300),
        _WIRE.map(_armor),
        st.binary(max_size=120).map(_armor),
        st.binary(max_size=60).map(lambda b: BEGIN.encode() + b + END.encode()),
    )
)
@example(_armor(b"SSHSIG\0\0\0\1" + _string(_string(b"ssh-rsa") + _string(b"\xff" * 4))))
@example(_armor(b"SSHSIG\0\0\0\1" + _string(_string(b"ecdsa-sha2-nistp256"))))
def test_read_signature_gives_signature_or_sshsig_error(armored: bytes) -> None:
    try:
        sig = read_signature(armored)
    except SshSigError:
        return
    assert isinstance(sig, SshSig)
    assert sig.namespace
    assert sig.hash_algorithm in ("sha256", "sha512")


_SIGNER_TOKENS = st.sampled_from(
    [
        "a@example.org",
        "*",
        ",",
        " ",
        "\n",
        "#",
        '"',
        "=",
        "namespaces=",
        '"git"',
        "cert-authority",
        "valid-after=",
        "valid-before=",
        "20260101",
        "ssh-ed25519",
        "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        "AAAA",
        "\x00",
        "\udcff",
        "é",
    ]
)
_SIGNERS = st.one_of(
    st.binary(max_size=200),
    st.lists(_SIGNER_TOKENS, max_size=30).map(lambda t: "".join(t).encode("utf-8", "replace")),
)


@budget(300)
@given(_SIGNERS)
@example(b'a@example.org namespaces="git ssh-ed25519 AAAA\n')
@example(b"a@example.org valid-after=2026 ssh-ed25519 AAAA")
def test_allowed_signers_give_entries_or_located_error(text: bytes) -> None:
    try:
        entries = parse_allowed_signers(text, ".signoff/allowed_signers")
    except ConfigError as err:
        assert err.file == ".signoff/allowed_signers"
        assert err.line is not None and err.line >= 1
        return
    for e in entries:
        assert e.principals
        assert e.line >= 1


_REGISTRY = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from(["agent", "ai-bot", "a@example.org", "", "*", "id", "owner", "kind"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["version", "agents", "id", "owner", "kind", "emails", "names", "keys", "x"]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@budget(200)
@given(st.one_of(st.binary(max_size=200), _REGISTRY.map(lambda d: repr(d).encode())))
def test_registry_gives_registry_or_located_error(text: bytes) -> None:
    try:
        parse_registry(text, ".signoff/agents.yml")
    except ConfigError as err:
        assert err.file == ".signoff/agents.yml"
