"""Secret-like strings on added lines of any text file, found with detect-secrets' plugins.

We call the plugins' ``analyze_string`` directly rather than ``scan_line``/``analyze_line``:
those consult detect-secrets' global settings and may *verify* a candidate over the network
(Slack, Stripe...), which a CI gate must never do. Chosen on purpose:

- every token-format plugin detect-secrets ships (AWS, GitHub, GitLab, npm, PyPI, Slack, Stripe,
  private keys, JWTs, basic-auth URLs...), found by class so new plugins are picked up;
- the keyword plugin (``password = "..."``) with its per-file-type patterns;
- *not* the high-entropy or public-IP plugins: on lockfiles (integrity hashes) and code they
  flag nearly every line, which would bury real findings.

Candidates go through detect-secrets' own false-positive heuristics (templated values, indirect
references, UUIDs, sequential strings, ``*_id`` names) plus one of ours: a keyword value that is a
plain lower-case word (``secrets: inherit``) is a setting, not a secret. The inline
``pragma: allowlist secret`` is *not* honoured: the agent under review could write it.

The message and detail never hold the value: only its type and, for values of 12 characters or
more, the first four characters followed by ``…``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from types import SimpleNamespace
from typing import Any

from signoff.analysis._lines import added_lines, is_binary
from signoff.analysis.base import Analyzer
from signoff.facts import Fact


@cache
def _engine() -> SimpleNamespace:
    """detect-secrets, imported on first need: it costs ~100 ms to import (it pulls in `requests`
    for online verification, which signoff never uses), and most changes never reach it."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.filters import heuristic
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import DENYLIST as KEYWORD_DENYLIST
    from detect_secrets.plugins.keyword import (
        QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
        REGEX_BY_FILETYPE,
        KeywordDetector,
    )
    from detect_secrets.util.filetype import determine_file_type

    return SimpleNamespace(
        get_mapping_from_secret_type_to_class=get_mapping_from_secret_type_to_class,
        heuristic=heuristic,
        RegexBasedDetector=RegexBasedDetector,
        KEYWORD_DENYLIST=KEYWORD_DENYLIST,
        KeywordDetector=KeywordDetector,
        REGEX_BY_FILETYPE=REGEX_BY_FILETYPE,
        QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP=QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
        determine_file_type=determine_file_type,
    )


_EXCLUDED = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})
#: Very long lines (minified code) are scanned in overlapping windows to bound regex time.
_WINDOW, _OVERLAP = 4000, 200


def _plugins() -> list[Any]:
    classes: Iterable[type[Any]] = _engine().get_mapping_from_secret_type_to_class().values()
    chosen = [cls() for cls in classes if cls.__name__ not in _EXCLUDED]
    return sorted(chosen, key=lambda p: type(p).__name__)


_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


def _prefilter(plugins: list[Any]) -> tuple[re.Pattern[str], list[Any], list[Any]]:
    """One alternation of every regex plugin's patterns, to skip the common line in one search.

    A plugin takes part only when every pattern it finds secrets with is in its ``denylist``
    (RegexBasedDetector) and no pattern uses backreferences (group numbers shift in an
    alternation); the others run on every line. The keyword plugin's patterns all contain one of
    its DENYLIST words, so that word list is its prefilter.
    """
    parts: list[str] = []
    filtered: list[Any] = []
    always: list[Any] = []
    for plugin in plugins:
        patterns = getattr(plugin, "denylist", None)
        if (
            isinstance(plugin, _engine().RegexBasedDetector)
            and patterns
            and not any(_BACKREF.search(p.pattern) for p in patterns)
        ):
            for pattern in patterns:
                flags = "i" if pattern.flags & re.IGNORECASE else ""
                parts.append(f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})")
            filtered.append(plugin)
        else:
            always.append(plugin)
    return re.compile("|".join(parts)), filtered, always


def keyword_hint_source() -> str:
    """The keyword plugin's prefilter: every pattern it has contains one of these words."""
    return "|".join(_engine().KEYWORD_DENYLIST)


@cache
def _quick() -> re.Pattern[str]:
    """detect-secrets' own prefilters, cached as text so most changes skip importing it.

    `_secrets_prefilter.py` holds the exact pattern sources `_prefilter` and
    `keyword_hint_source` build from the installed detect-secrets; a test fails when they drift.
    """
    from signoff.analysis._secrets_prefilter import KEYWORD_HINT, PREFILTER

    return re.compile(f"(?:{PREFILTER})|(?i:{KEYWORD_HINT})")


#: A keyword value that is a lower-case word or identifier (``secrets: inherit``,
#: ``password: required``) names a setting, not a secret; our addition to detect-secrets' filters.
_PLAIN_WORD = re.compile(r"^[a-z]+(?:[-_.][a-z]+)*$")


def redact(value: str) -> str:
    return f"{value[:4]}…" if len(value) >= 12 else "…"


def _false_positive(secret: str, line: str, plugin: Any) -> bool:
    e = _engine()
    heuristic = e.heuristic
    if (
        heuristic.is_templated_secret(secret)
        or heuristic.is_sequential_string(secret)
        or heuristic.is_potential_uuid(secret)
        or heuristic.is_not_alphanumeric_string(secret)
        or heuristic.is_likely_id_string(secret, line, plugin)
    ):
        return True
    keyword = isinstance(plugin, e.KeywordDetector)
    return keyword and (
        heuristic.is_prefixed_with_dollar_sign(secret)
        or heuristic.is_indirect_reference(line)
        or bool(_PLAIN_WORD.match(secret))
    )


class SecretsAnalyzer(Analyzer):
    ident = "secrets"
    desc = "secret-like strings on added lines of every text file (detect-secrets plugins)"

    def __init__(self) -> None:
        self._loaded: tuple[re.Pattern[str], list[Any], list[Any]] | None = None

    @property
    def plugins(self) -> tuple[re.Pattern[str], list[Any], list[Any]]:
        """(prefilter, plugins it covers, plugins run on every line), loaded on first use."""
        if self._loaded is None:
            self._loaded = _prefilter(_plugins())
        return self._loaded

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        if new is None or is_binary(new) or is_binary(old):
            return []
        # Tokens are ASCII: undecodable bytes are replaced, never a reason to skip the scan.
        old_text = old.decode("utf-8", "replace") if old is not None else None
        new_text = new.decode("utf-8", "replace")
        lines = list(added_lines(old_text, new_text))
        quick = _quick()
        if not any(quick.search(line) for _, line in lines):
            return []  # no line any plugin's prefilter accepts: nothing to scan
        e = _engine()
        KeywordDetector = e.KeywordDetector  # noqa: N806 - a class
        keyword_hint = re.compile(keyword_hint_source(), re.IGNORECASE)
        keyword_regex = e.REGEX_BY_FILETYPE.get(
            e.determine_file_type(path), e.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
        )
        facts: list[Fact] = []
        prefilter, filtered, always = self.plugins
        for number, line in lines:
            seen: set[str] = set()
            for start in range(0, max(len(line), 1), _WINDOW):
                chunk = line[start : start + _WINDOW + _OVERLAP]
                plugins = [*filtered] if prefilter.search(chunk) else []
                plugins += [
                    p
                    for p in always
                    if not isinstance(p, KeywordDetector) or keyword_hint.search(chunk)
                ]
                for plugin in plugins:
                    kind = plugin.secret_type
                    if kind in seen:
                        continue
                    if isinstance(plugin, KeywordDetector):
                        found = plugin.analyze_string(chunk, denylist_regex_to_group=keyword_regex)
                    else:
                        found = plugin.analyze_string(chunk)
                    for secret in found:
                        if not secret or _false_positive(secret, chunk, plugin):
                            continue
                        seen.add(kind)
                        text = f"{kind} added: `{redact(secret)}` (value redacted)"
                        facts.append(self.fact("secret-added", path, text, line=number, type=kind))
                        break
        return facts


def generated_prefilter_module() -> str:
    """The text of `_secrets_prefilter.py` for the installed detect-secrets."""
    pattern, _, _ = _prefilter(_plugins())
    return (
        f'"""{_GENERATED_DOC}"""\n\n'
        f"PREFILTER = {pattern.pattern!r}\n\nKEYWORD_HINT = {keyword_hint_source()!r}\n"
    )


_GENERATED_DOC = (
    "Generated from the installed detect-secrets by\n"
    "`signoff.analysis.secrets.generated_prefilter_module()`: the exact prefilter sources the\n"
    "secrets scan builds at run time. tests/analysis/test_secrets_prefilter.py checks they match.\n"
)
