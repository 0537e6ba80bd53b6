"""The cached prefilter must be exactly what the installed detect-secrets builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import signoff.analysis._secrets_prefilter as cached
from signoff.analysis.secrets import SecretsAnalyzer, generated_prefilter_module


def test_cached_prefilter_matches_installed_detect_secrets() -> None:
    assert Path(cached.__file__).read_text() == generated_prefilter_module()


def test_only_keyword_plugin_runs_unfiltered() -> None:
    _, _, always = SecretsAnalyzer().plugins
    assert [type(p).__name__ for p in always] == ["KeywordDetector"]


def test_clean_change_does_not_import_detect_secrets() -> None:
    code = (
        "import sys\n"
        "from signoff.analysis import analyze_file\n"
        "facts = analyze_file('src/a.py', b'x = 1\\n', b'x = 2\\ny = 3\\n')\n"
        "print(len(facts), 'detect_secrets' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]


def test_secret_still_found_through_the_quick_path() -> None:
    facts = SecretsAnalyzer().analyze(
        "config.py", b"a = 1\n", b"a = 1\naws_key = 'AKIAIOSFODNN7EXAMPLF'\n"
    )
    assert [f.kind for f in facts] == ["secret-added"]
    assert "AKIAIOSFODNN7EXAMPLF" not in facts[0].message
