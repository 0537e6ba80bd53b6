"""Allowed-signers evaluation at a given time, compared with `ssh-keygen -Y find-principals`."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sshsigkit import sk_ed25519

from signoff.errors import ConfigError
from signoff.identity.allowed_signers import AllowedSigners
from signoff.identity.signers import parse_allowed_signers
from signoff.identity.sshsig import verify

MSG = b"approval record\n"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)


def ssh_keygen_allows(tmp: Path, allowed: str, sig: bytes, namespace: str, when: datetime) -> bool:
    """`ssh-keygen -Y verify` for alice (find-principals ignores namespaces in OpenSSH 9.2)."""
    (tmp / "allowed").write_text(allowed)
    (tmp / "s.sig").write_bytes(sig)
    proc = subprocess.run(
        [
            *("ssh-keygen", "-Y", "verify", "-n", namespace, "-I", "alice@example.com"),
            *("-f", str(tmp / "allowed"), "-s", str(tmp / "s.sig")),
            *("-O", f"verify-time={when.strftime('%Y%m%d%H%M%S')}Z"),
        ],
        input=MSG,
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


CASES = [
    # (options, namespace, time, allowed?)
    ("", "git", "202501010000", True),
    ('namespaces="git"', "git", "202501010000", True),
    ('namespaces="git"', "signoff-approval", "202501010000", False),
    ('namespaces="signoff-*,!signoff-test"', "signoff-approval", "202501010000", True),
    ('namespaces="signoff-*,!signoff-test"', "signoff-test", "202501010000", False),
    ('valid-after="20250101Z"', "git", "202412312359", False),
    ('valid-after="20250101Z"', "git", "202501010000", True),
    ('valid-before="20250101Z"', "git", "202501010000", True),
    ('valid-before="20250101Z"', "git", "202501010001", False),
    ('valid-after="202401010000Z",valid-before="20250101120000UTC"', "git", "202406010000", True),
    ('valid-after="202401010000Z",valid-before="20250101120000UTC"', "git", "202501011201", False),
    ("cert-authority", "git", "202501010000", False),
    ('cert-authority,namespaces="git"', "git", "202501010000", False),
]


@pytest.mark.parametrize(("options", "namespace", "when", "allowed"), CASES)
def test_principals_for_matches_ssh_keygen(
    tmp_path: Path, options: str, namespace: str, when: str, allowed: bool
) -> None:
    key = sk_ed25519()
    sig = key.sign(MSG, namespace)
    text = f"alice@example.com,alice {options} {key.public_line}\n".replace("  ", " ")
    signers = AllowedSigners.parse(text)
    got = signers.principals_for(verify(sig, MSG, namespace).key, namespace, at(when))
    expected = {"alice@example.com", "alice"} if allowed else set()
    assert set(got) == expected
    assert ssh_keygen_allows(tmp_path, text, sig, namespace, at(when)) is allowed


def test_only_the_exact_key_matches() -> None:
    mine, other = sk_ed25519(), sk_ed25519()
    signers = AllowedSigners.parse(
        f"bob {other.public_line}\n# comment\n\nalice {mine.public_line}\n"
    )
    key = verify(mine.sign(MSG, "git"), MSG, "git").key
    assert signers.principals_for(key, "git", at("202501010000")) == ("alice",)
    assert [e.line for e in signers.lines_for(key)] == [4]


def test_naive_time_is_refused() -> None:
    key = sk_ed25519()
    signers = AllowedSigners.parse(f"a {key.public_line}\n")
    with pytest.raises(ValueError, match="timezone-aware"):
        signers.principals_for(
            verify(key.sign(MSG, "git"), MSG, "git").key, "git", datetime(2025, 1, 1)
        )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ("bogus", "unknown option"),
        ('namespaces="git",namespaces="x"', "given twice"),
        ('namespaces="git', "missing closing quote"),
        ("namespaces=git", "unknown option"),
        ('valid-after="2025"', "not YYYYMMDD"),
        ('valid-after="20251399"', "not a valid time"),
        ('valid-after="20250102Z",valid-before="20250101Z"', "not after"),
        ('namespaces="git",', "single commas"),
    ],
)
def test_bad_options_authorize_nobody_and_say_why(options: str, error: str) -> None:
    key, other = sk_ed25519(), sk_ed25519()
    text = f"# first\nalice {options} {key.public_line}\nbob {other.public_line}\n"
    with pytest.raises(ConfigError, match=error) as info:
        AllowedSigners.parse(text, ".signoff/allowed_signers", strict=True)
    assert str(info.value).startswith(".signoff/allowed_signers:2: options: ")
    # like ssh-keygen, the bad line is skipped (it authorizes nobody), and the reason is kept
    signers = AllowedSigners.parse(text, ".signoff/allowed_signers")
    pub = verify(key.sign(MSG, "git"), MSG, "git").key
    assert signers.principals_for(pub, "git", at("202501010000")) == ()
    [problem] = signers.problems_for(pub)
    assert problem.line == 2 and re.search(error, problem.message)
    bob = verify(other.sign(MSG, "git"), MSG, "git").key
    assert signers.principals_for(bob, "git", at("202501010000")) == ("bob",)


def test_key_type_must_match_its_blob() -> None:
    key = sk_ed25519()
    line = "alice ssh-ed25519 " + key.public_line.split()[1]
    with pytest.raises(
        ConfigError, match=r"key says sk-ssh-ed25519@openssh\.com, line says ssh-ed25519"
    ):
        AllowedSigners.parse(line, strict=True)


def test_quoted_options_with_spaces_keep_the_key() -> None:
    key = sk_ed25519()
    entries = parse_allowed_signers(
        f'alice namespaces="a b,git" {key.public_line} c\n'.encode(), "f"
    )
    assert entries[0].options == 'namespaces="a b,git"'
    assert entries[0].key == key.public_line
