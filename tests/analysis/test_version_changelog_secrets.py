"""VERSION files, __version__ modules, changelogs, and the secrets scan."""

from __future__ import annotations

from collections.abc import Callable

from signoff.analysis.secrets import SecretsAnalyzer, redact
from signoff.facts import Fact
from signoff.taxonomy import Risk

Analyze = Callable[..., list[Fact]]


def kinds(facts: list[Fact]) -> set[str]:
    return {f.kind for f in facts}


def test_version_file(analyze: Analyze) -> None:
    facts = analyze("VERSION", "1.4.2\n", "1.4.3\n")
    assert kinds(facts) == {"version-changed", "version-bump-only"}
    assert analyze("VERSION", "1.4.2\n", "1.4.2\n\n") == []
    assert analyze("VERSION", "1.4.2\n", "not a version, a sentence\n") == []


INIT = '''\
"""Skylark: a tiny scheduler."""

__version__ = "1.4.2"

from skylark.core import Scheduler  # noqa: E402
'''


def test_dunder_version(analyze: Analyze) -> None:
    bumped = INIT.replace('"1.4.2"', "'1.5.0'").replace("# noqa: E402", "# re-exported")
    facts = analyze("src/skylark/__init__.py", INIT, bumped)
    assert kinds(facts) == {"version-changed", "version-bump-only"}
    assert facts[0].line == 3
    more = bumped + "import os\n"
    assert kinds(analyze("src/skylark/__init__.py", INIT, more)) == {"version-changed"}
    assert analyze("src/skylark/__init__.py", "x = 1\n", "x = 2\n") == []
    assert kinds(analyze("src/skylark/_version.py", INIT, "__version__ = (\n")) == {"parse-failed"}


CHANGELOG = """\
# Changelog

## 1.4.2 - 2024-05-01

- Fix retry backoff overflow.
"""


def test_changelog(analyze: Analyze) -> None:
    added = CHANGELOG.replace(
        "# Changelog\n", "# Changelog\n\n## 1.4.3 - 2024-06-01\n\n- Add jitter.\n"
    )
    facts = analyze("CHANGELOG.md", CHANGELOG, added)
    assert kinds(facts) == {"changelog-entry-added"}
    assert facts[0].line == 2
    edited = CHANGELOG.replace("overflow", "underflow")
    assert kinds(analyze("docs/CHANGES.rst", CHANGELOG, edited)) == {"changelog-edited"}
    assert kinds(analyze("NEWS", CHANGELOG, None)) == {"changelog-edited"}
    assert kinds(analyze("HISTORY.md", None, CHANGELOG)) == {"changelog-entry-added"}
    assert analyze("CHANGELOG.md", CHANGELOG, CHANGELOG.replace("overflow.", "overflow.   ")) == []


# secrets --------------------------------------------------------------------------------------

AWS = "AKIA" + "Z7Q3XK2M4N5P6R8T"  # split so this file does not itself look like a key
GH = "ghp_" + "x7Yk2Lm9Qp4Rs8Tv1Wz3Ab6Cd0Ef5Gh2Ij4K"


def test_secret_added_is_critical_and_redacted(analyze: Analyze) -> None:
    new = f'import os\nAWS_ACCESS_KEY_ID = "{AWS}"\nTOKEN = "{GH}"\n'
    facts = analyze("deploy/settings.py", "import os\n", new)
    secrets = [f for f in facts if f.kind == "secret-added"]
    assert {f.line for f in secrets} == {2, 3}
    for fact in secrets:
        assert fact.risk is Risk.CRITICAL
        assert AWS not in fact.message and GH not in fact.message
        assert all(AWS not in v and GH not in v for _, v in fact.detail)
    aws = next(f for f in secrets if f.line == 2)
    assert aws.message == "deploy/settings.py: AWS Access Key added: `AKIA…` (value redacted)"


def test_secret_only_on_added_lines(analyze: Analyze) -> None:
    old = f'KEY = "{AWS}"\n'
    assert analyze("app.py", old, old + "x = 1\n") == []
    assert analyze("app.py", f"TOKEN = '{GH}'\n", None) == []


def test_secret_scan_runs_on_owned_files_and_skips_binary(analyze: Analyze) -> None:
    facts = analyze(
        ".npmrc",
        "",
        "//registry.npmjs.org/:_authToken=npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8\n",
    )
    assert "secret-added" in kinds(facts)
    assert analyze("logo.bin", None, b"\x00\x01" + AWS.encode()) == []


def test_secret_false_positives_filtered(analyze: Analyze) -> None:
    new = (
        "secrets: inherit\n"
        "password: ${{ secrets.DB_PASSWORD }}\n"
        'api_key = os.environ["API_KEY"]\n'
        'password = "{password}"\n'
    )
    assert analyze("config/app.yml", "", new) == []
    pinned = "certifi==2024.2.2 --hash=sha256:" + "ab" * 32 + "\n"
    assert "secret-added" not in kinds(analyze("requirements.txt", "", pinned))


def test_secret_in_long_minified_line(analyze: Analyze) -> None:
    line = "var a=1;" * 2000 + f'var k="{AWS}";' + "var b=2;" * 10
    facts = analyze("dist/app.min.js", None, line + "\n")
    assert kinds(facts) == {"secret-added"}


def test_secret_undecodable_text_still_scanned() -> None:
    data = b"caf\xe9\nkey = '" + AWS.encode() + b"'\n"
    facts = SecretsAnalyzer().analyze("latin1.txt", None, data)
    assert kinds(facts) == {"secret-added"}


def test_redact() -> None:
    assert redact("short") == "…"
    assert redact("abcdefghijklmnop") == "abcd…"


def test_prefilter_never_hides_a_plugin_match() -> None:
    """The combined prefilter must match every line any covered plugin would match."""
    prefilter, covered, _always = SecretsAnalyzer().plugins
    samples = [
        AWS,
        GH,
        "xoxb-" + "123456789012-123456789012-abcdefABCDEF1234567890ab",
        "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "-----BEGIN RSA PRIVATE KEY-----",
        "https://user:s3cr3tpass@example.com/",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ]
    for line in samples:
        if any(list(p.analyze_string(line)) for p in covered):
            assert prefilter.search(line), line
