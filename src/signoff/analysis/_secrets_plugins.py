"""detect-secrets' plugins and heuristics, run on one chunk of one line: the exact step both scan
paths of `signoff.analysis._secrets_scan` end in.

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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any


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
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


@dataclass(frozen=True, slots=True)
class Plugins:
    """The chosen plugins: `filtered` are covered by `prefilter` (one alternation of all their
    patterns), `always` are not (the keyword plugin, whose `keyword_hint` words every one of its
    patterns contains)."""

    prefilter: re.Pattern[str]
    keyword_hint: re.Pattern[str]
    filtered: tuple[Any, ...]
    always: tuple[Any, ...]
    by_name: dict[str, Any]


def _chosen() -> list[Any]:
    classes: Iterable[type[Any]] = _engine().get_mapping_from_secret_type_to_class().values()
    chosen = [cls() for cls in classes if cls.__name__ not in _EXCLUDED]
    return sorted(chosen, key=lambda p: type(p).__name__)


def covered_patterns(plugin: Any) -> list[re.Pattern[str]] | None:
    """The patterns a prefilter may stand in for: a regex plugin's whole ``denylist``, unless one
    uses a backreference (group numbers shift in an alternation); None for other plugins."""
    patterns = getattr(plugin, "denylist", None)
    if (
        isinstance(plugin, _engine().RegexBasedDetector)
        and patterns
        and not any(_BACKREF.search(p.pattern) for p in patterns)
    ):
        return list(patterns)
    return None


@cache
def plugins() -> Plugins:
    parts: list[str] = []
    filtered: list[Any] = []
    always: list[Any] = []
    for plugin in _chosen():
        patterns = covered_patterns(plugin)
        if patterns is None:
            always.append(plugin)
            continue
        for pattern in patterns:
            flags = "i" if pattern.flags & re.IGNORECASE else ""
            parts.append(f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})")
        filtered.append(plugin)
    hint = re.compile(keyword_hint_source(), re.IGNORECASE)
    by_name = {type(p).__name__: p for p in (*filtered, *always)}
    return Plugins(re.compile("|".join(parts)), hint, tuple(filtered), tuple(always), by_name)


def keyword_hint_source() -> str:
    """The keyword plugin's prefilter: every pattern it has contains one of these words."""
    return "|".join(_engine().KEYWORD_DENYLIST)


def is_keyword(plugin: Any) -> bool:
    return isinstance(plugin, _engine().KeywordDetector)


def keyword_groups() -> list[dict[re.Pattern[str], int]]:
    """The keyword plugin's pattern sets, one per kind of file, and its default set."""
    e = _engine()
    return [*e.REGEX_BY_FILETYPE.values(), e.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP]


def keyword_regex(path: str) -> dict[re.Pattern[str], int]:
    """The keyword plugin's patterns for this kind of file (detect-secrets decides by name)."""
    e = _engine()
    return e.REGEX_BY_FILETYPE.get(  # type: ignore[no-any-return]
        e.determine_file_type(path), e.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
    )


#: A keyword value that is a lower-case word or identifier (``secrets: inherit``,
#: ``password: required``) names a setting, not a secret; our addition to detect-secrets' filters.
_PLAIN_WORD = re.compile(r"^[a-z]+(?:[-_.][a-z]+)*$")


def _false_positive(secret: str, chunk: str, plugin: Any) -> bool:
    heuristic = _engine().heuristic
    if (
        heuristic.is_templated_secret(secret)
        or heuristic.is_sequential_string(secret)
        or heuristic.is_potential_uuid(secret)
        or heuristic.is_not_alphanumeric_string(secret)
        or heuristic.is_likely_id_string(secret, chunk, plugin)
    ):
        return True
    return is_keyword(plugin) and (
        heuristic.is_prefixed_with_dollar_sign(secret)
        or heuristic.is_indirect_reference(chunk)
        or bool(_PLAIN_WORD.match(secret))
    )


def run_plugins(
    chunk: str, chosen: Sequence[Any], seen: set[str], keywords: dict[re.Pattern[str], int]
) -> Iterator[tuple[str, str]]:
    """(secret type, value) of the first real finding of each plugin in `chosen`, in order,
    skipping types already in `seen` (one finding per type per line), which it extends."""
    for plugin in chosen:
        kind = plugin.secret_type
        if kind in seen:
            continue
        if is_keyword(plugin):
            found = plugin.analyze_string(chunk, denylist_regex_to_group=keywords)
        else:
            found = plugin.analyze_string(chunk)
        for secret in found:
            if not secret or _false_positive(secret, chunk, plugin):
                continue
            seen.add(kind)
            yield kind, secret
            break
