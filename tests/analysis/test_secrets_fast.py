"""The secrets scan's fast path (Hyperscan prefilter) finds exactly what the reference path finds.

Differential tests: generated lines built from the pieces secrets and near-misses are made of
(and the characters where Python's regexes and the engine's could differ), and real text (this
environment's installed source files, a generated lockfile) with secrets planted in it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.analysis import analyze_file
from signoff.analysis._secrets_scan import (
    WINDOW,
    Engine,
    Finding,
    engine,
    scan_fast,
    scan_reference,
)

AWS = "AKIA" + "Z7Q3XK2M4N5P6R8T"  # split so this file does not itself look like a key
PIECES = [
    AWS, "ASIA", "A3TX", "ghp_" + "x7Yk2Lm9Qp4Rs8Tv1Wz3Ab6Cd0Ef5Gh2Ij4K", "glpat-", "GR1348941",
    "xoxb-" + "123456789012-123456789012-abcdefABCDEF1234567890ab", "sk_live_", "rk_live_",
    "-----BEGIN RSA PRIVATE KEY-----", "BEGIN OPENSSH PRIVATE KEY", "PuTTY-User-Key-File-2",
    "https://user:s3cr3tpass@example.com/", "://", "@", ":", "=", " = ", ": ", "=>", "::", "'",
    '"', "[", "]", "_", "-", ".", " ", "\t", "eyJhbGciOiJIUzI1NiJ9", "eyJ", "AccountKey=",
    "password", "PASSWORD", "passwd", "secret", "api_key", "apikey", "private_key", "token",
    "aws", "key", "cloudant", "cl", "ibm", "cos", "hmac", "softlayer", "sl", "SG.", "sq0csp-",
    "AKC", "AP", "AC", "SK", "T3BlbkFJ", "pypi-AgEIcHlwaS5vcmc", "-us1", "//registry.npmjs.org/",
    "/:_authToken=", "npm_", "hooks.slack.com/services/T", "${", "}", "$", "os.environ[",
    "0123456789abcdef", "ABCDEFGHIJKLMNOP", "abcdefghijklmnopqrstuvwxyz", "Zz9" * 12, "1234567890",
    "ñ", "\u212a", "\u017f", "\u0130", "\u00a0", "\x1f", "\x0c", "\r", "\u2028", "é", "\ufffd",
    "contraseña",
]  # fmt: skip
PATHS = ["config.py", "deploy/app.yml", "web/main.js", "settings.json", ".env", "notes.txt",
         "src/Main.java", "Dockerfile", "x.png"]  # fmt: skip

#: Where Python's regexes and the engine's differ: Unicode case folding (long s, Kelvin sign)
#: and Unicode digits match ASCII patterns in Python only; such lines take the reference check.
UNICODE_LOOKALIKES = [
    "pa\u017fsword",
    "api_\u212aey",
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
]
KEYWORDS = ["password", "PASSWORD", "db_pass", "api_key", "secret", "token", "aws_secret_key",
            "cloudant_password", "ibm_cloud_iam_key", "softlayer_api_key", "cos_hmac_secret_key",
            *UNICODE_LOOKALIKES]  # fmt: skip
SEPARATORS = [" = ", "=", ": ", ":=", " => ", "::", " "]
VALUES = ['"aB3dE5gH7jK9mN2"', "'hunter2hunter2'", '"${DB_PASSWORD}"', "inherit", '"required"',
          "'" + "f" * 64 + "'", '"' + "aB3dE5gH7jK9mN2pQ4rS6tU8vW0xY1zA3bC5dE7f9" + '"',
          ":AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQrrS",
          '"12345678-1234-1234-1234-123456789012"']  # fmt: skip
assignment = st.tuples(
    st.sampled_from(KEYWORDS), st.sampled_from(SEPARATORS), st.sampled_from(VALUES)
).map("".join)
line_text = st.lists(
    st.one_of(st.sampled_from(PIECES), assignment, st.text(alphabet=st.characters(
        min_codepoint=0x09, max_codepoint=0x7E, blacklist_characters="\n\x0b"), max_size=12)),
    max_size=14,
).map("".join)  # fmt: skip


@pytest.fixture(scope="module")
def fast() -> Engine:
    compiled = engine()
    assert compiled is not None, "hyperscan is a dependency: the engine must compile here"
    return compiled


def same(path: str, lines: list[tuple[int, str]], compiled: Engine) -> list[Finding]:
    reference = scan_reference(path, lines)
    assert scan_fast(path, lines, compiled) == reference, (path, lines)
    return reference


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), st.lists(line_text, max_size=12))
def test_fast_path_equals_reference_on_generated_lines(path: str, texts: list[str]) -> None:
    compiled = engine()
    assert compiled is not None
    same(path, list(enumerate(texts, start=1)), compiled)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=3 * WINDOW),
    st.sampled_from([AWS, "-----BEGIN RSA PRIVATE KEY-----", 'password = "hunter2hunter2"']),
    st.sampled_from(["x", "é", " "]),
)
def test_fast_path_equals_reference_on_long_lines(at: int, secret: str, filler: str) -> None:
    """Minified-code lines are cut into overlapping windows; a secret may straddle two."""
    compiled = engine()
    assert compiled is not None
    line = (filler * (3 * WINDOW + 500))[:at] + secret + "x" * 300
    same("dist/app.min.js", [(1, "short"), (2, line)], compiled)


def test_lookalikes_only_python_folds_are_found_by_both(fast: Engine) -> None:
    """Lines the engine cannot judge (not plain ASCII) are checked the reference way."""
    lines = [
        (1, 'pa\u017fsword = "aB3dE5gH7jK9mN2"'),
        (2, 'api_\u212aey = "aB3dE5gH7jK9mN2"'),
        (3, 'bot = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669:' + "Ab1" * 12 + '"'),
    ]
    kinds = [(f.line, f.kind) for f in same("config.py", lines, fast)]
    assert kinds == [(1, "Secret Keyword"), (2, "Secret Keyword"), (3, "Telegram Bot Token")]


def test_a_line_holding_a_line_break_is_scanned_the_reference_way(fast: Engine) -> None:
    lines = [(1, "x = 1\n" + f'key = "{AWS}"'), (2, "y = 2")]
    assert [(f.line, f.kind) for f in same("a.py", lines, fast)] == [(1, "AWS Access Key")]


def test_secret_at_every_window_boundary(fast: Engine) -> None:
    for at in (WINDOW - 10, WINDOW - 1, WINDOW, WINDOW + 190, 2 * WINDOW - 5, 2 * WINDOW + 200):
        line = "a" * at + AWS + "b" * 50
        assert [f.kind for f in same("a.js", [(7, line)], fast)] == ["AWS Access Key"], at


def _real_files(limit: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["purelib"])
    files = sorted(root.glob("*/*.py"))
    return files[:: max(1, len(files) // limit)][:limit]


def test_fast_path_equals_reference_on_real_source(fast: Engine) -> None:
    found = 0
    for number, path in enumerate(_real_files(60)):
        text = path.read_bytes().decode("utf-8", "replace")
        lines = list(enumerate(text.splitlines(), start=1))
        if number % 3 == 0 and lines:  # plant a secret in a real line
            at = len(lines) // 2
            lines[at] = (lines[at][0], lines[at][1] + f'  # key = "{AWS}"')
        found += len(same(path.name, lines, fast))
    assert found >= 20  # the planted keys at least: the comparison is not between two empties


def test_fast_path_equals_reference_on_a_lockfile(fast: Engine) -> None:
    packages = {
        f"node_modules/pkg-{i}": {
            "version": f"1.{i}.0",
            "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.{i}.0.tgz",
            "integrity": f"sha512-{'Ab9+' * 21}{i:04d}==",
        }
        for i in range(400)
    }
    packages["node_modules/leak"] = {"resolved": "https://u:s3cr3tpassw0rd@registry.example/"}
    text = json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2)
    kinds = [f.kind for f in same("package-lock.json", list(enumerate(text.splitlines(), 1)), fast)]
    assert kinds == ["Basic Auth Credentials"]


def test_private_key_in_a_file_named_like_an_image_is_found() -> None:
    """Binary is decided by content (a NUL in the first 8,000 bytes), never by the name."""
    key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c2x\n-----END RSA PRIVATE KEY-----\n"
    facts = analyze_file("assets/x.png", None, key)
    assert [(f.kind, f.line) for f in facts] == [("secret-added", 1)]
    assert analyze_file("notes.txt", None, b"\x00" + key) == []  # binary by content


def test_text_that_replaces_binary_content_is_scanned_whole() -> None:
    """A binary old side has no lines to subtract: a key written over an image is found."""
    key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c2x\n-----END RSA PRIVATE KEY-----\n"
    image = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + key
    facts = analyze_file("assets/x.png", image, key)
    assert [(f.kind, f.line) for f in facts] == [("secret-added", 1)]


SCAN_LARGE = (
    "from signoff.analysis import _secrets_scan as s\n"
    "lines = [(i, f'x = {i}') for i in range(1, 40000)]\n"
    f"lines.append((40000, 'k = \"{AWS}\"'))\n"
    "assert sum(len(t) for _, t in lines) > s.ENGINE_AFTER\n"
    "found = s.scan('a.py', lines)\n"
    "print(s.engine() is None, [(f.line, f.kind) for f in found])\n"
)


def test_a_large_scan_takes_the_engine() -> None:
    out = subprocess.run([sys.executable, "-c", SCAN_LARGE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False [(40000, 'AWS Access Key')]"


def test_without_hyperscan_the_reference_path_finds_the_same() -> None:
    """When the engine cannot be imported, a large scan still finds every secret."""
    code = "import sys\nsys.modules['hyperscan'] = None\n" + SCAN_LARGE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True [(40000, 'AWS Access Key')]"
