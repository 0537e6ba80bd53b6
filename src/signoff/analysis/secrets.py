"""Secret-like strings on added lines of any text file, found with detect-secrets' plugins.

Which plugins run, and how their false positives are filtered, is in
`signoff.analysis._secrets_plugins`; how lines are scanned (a multi-pattern engine as prefilter,
with a plain reference path beside it) is fenced in `signoff.analysis._secrets_scan`.

Binary is decided by content, never by name: a NUL byte in the first 8,000 bytes, git's rule.
A private key in a text file named ``x.png`` is scanned like any other text.

The message and detail never hold the value: only its type and, for values of 12 characters or
more, the first four characters followed by ``…``.

For the gate, which scans each blob a range adds once (in whichever commit added it):
`scan_blob` takes a file's old and new content, `scan_added_lines` lines already known to be new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from signoff.analysis._lines import added_lines, is_binary
from signoff.analysis._secrets_scan import checked_plugins, redact, scan
from signoff.analysis.base import Analyzer
from signoff.facts import Fact

__all__ = ["SecretsAnalyzer", "generated_prefilter_module", "new_lines", "redact",
           "scan_added_lines", "scan_blob"]  # fmt: skip


class SecretsAnalyzer(Analyzer):
    ident = "secrets"
    desc = "secret-like strings on added lines of every text file (detect-secrets plugins)"

    @property
    def plugins(self) -> tuple[re.Pattern[str], list[Any], list[Any]]:
        """(prefilter, plugins it covers, plugins run on every line), loaded on first use."""
        p = checked_plugins()
        return p.prefilter, list(p.filtered), list(p.always)

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        return scan_blob(path, old, new)


_ANALYZER = SecretsAnalyzer()


def scan_blob(path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
    """``secret-added`` facts for the lines of `new` that occur nowhere in `old` (None: added
    file); nothing when `new` is binary by content. A binary `old` has no lines: every line of
    a text `new` is new (a key that replaces an image is found)."""
    return scan_added_lines(path, new_lines(old, new))


def new_lines(old: bytes | None, new: bytes | None) -> list[tuple[int, str]]:
    """(number, text) of the lines of `new` that occur nowhere in `old`; none when `new` is
    binary by content, every line when `old` is."""
    if new is None or is_binary(new):
        return []
    # Tokens are ASCII: undecodable bytes are replaced, never a reason to skip the scan.
    old_text = old.decode("utf-8", "replace") if old is not None and not is_binary(old) else None
    return added_lines(old_text, new.decode("utf-8", "replace"))


def scan_added_lines(path: str, lines: Sequence[tuple[int, str]]) -> list[Fact]:
    """``secret-added`` facts for `lines`, (line number, text) pairs of `path` already known to
    be new (a line must not hold a line break)."""
    return [
        _ANALYZER.fact(
            "secret-added",
            path,
            f"{found.kind} added: `{found.preview}` (value redacted)",
            line=found.line,
            type=found.kind,
        )
        for found in scan(path, lines)
    ]


def generated_prefilter_module() -> str:
    """The text of `_secrets_prefilter.py` for the installed detect-secrets."""
    from signoff.analysis._secrets_translate import generated_prefilter_module as generate

    return generate()


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (SecretsAnalyzer,)
