"""Comparing dependency maps from manifests (name → spec), shared by several ecosystems."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact


def pep508_map(items: object, where: str) -> dict[str, str]:
    """A PEP 508 list as canonical name → normalised requirement (markers kept in the value)."""
    if items is None:
        return {}
    if not isinstance(items, list):
        raise AnalysisError(f"{where} is not a list")
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, str):  # PEP 735 {include-group = "..."} and similar tables
            out[f"<{sorted(item.items()) if isinstance(item, dict) else item}>"] = str(item)
            continue
        try:
            req = Requirement(item)
        except InvalidRequirement as err:
            raise AnalysisError(f"{where}: invalid requirement {item!r}: {err}") from err
        key: str = canonicalize_name(req.name)
        if key in out:
            key = f"{key}; {req.marker}"
        out[key] = str(req)
    return out


_URLISH = re.compile(r"(?:^|[\s@\"'])(?:git\+|hg\+|svn\+|bzr\+|https?://|file:)|(?:^|\s)\.{0,2}/")
#: Keys that name a VCS or path source in TOML/JSON tables (Poetry, Cargo) and Gemfile options.
_SOURCE_KEY = re.compile(
    r"(?:^|[\s{,(\"':])(?:git|github|gitlab|bitbucket|path|url|hg|svn|branch|rev|tag)[\"']?\s*(?::\s|=>|:[\"'])"
)


def is_direct_source(spec: str) -> bool:
    """A spec that names a URL, VCS or path instead of an index version."""
    return " @ " in spec or bool(_URLISH.search(spec) or _SOURCE_KEY.search(spec))


def compare_deps(
    analyzer: Analyzer,
    path: str,
    group: str,
    old: Mapping[str, str],
    new: Mapping[str, str],
    line: Callable[[str], int | None],
) -> list[Fact]:
    """dependency-added/-removed/-version-changed and -source-changed for one group."""
    facts: list[Fact] = []
    label = f"{group} " if group else ""
    for name in sorted(old.keys() - new.keys()):
        text = f"{label}`{name}` removed"
        facts.append(analyzer.fact("dependency-removed", path, text, package=name, group=group))
    for name, spec in new.items():
        before = old.get(name)
        if before == spec:
            continue
        at = line(name)
        if before is None:
            text = f"{label}`{name}` added: `{spec}`"
            facts.append(
                analyzer.fact(
                    "dependency-added", path, text, line=at, package=name, group=group, new=spec
                )
            )
        else:
            text = f"{label}`{name}` `{before}` → `{spec}`"
            facts.append(
                analyzer.fact(
                    "dependency-version-changed",
                    path,
                    text,
                    line=at,
                    package=name,
                    group=group,
                    old=before,
                    new=spec,
                )
            )
        if is_direct_source(spec):
            text = f"{label}`{name}` comes from a direct source: `{spec}`"
            facts.append(
                analyzer.fact("dependency-source-changed", path, text, line=at, package=name)
            )
    return facts
