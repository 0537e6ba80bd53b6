"""Gemfile (sources, gems, git/path options) and Gemfile.lock (GEM/GIT/PATH sections, checksums).

A Gemfile is Ruby code; we read the declarative lines (``source``, ``gem``) and leave the rest to
the file class. Gemfile.lock is a plain indented format and is parsed fully.
"""

from __future__ import annotations

import re

from signoff.analysis import _lock
from signoff.analysis._deps import compare_deps
from signoff.analysis._lock import Entry, Lock
from signoff.analysis._text import decode, line_of
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.npm_locks import _lazy_lines
from signoff.facts import Fact

_SOURCE = re.compile(r"""^\s*source\s*\(?\s*['"]([^'"]+)['"]""")
_GEM = re.compile(r"""^\s*gem\s*\(?\s*['"]([^'"]+)['"]\s*,?\s*(.*?)\s*\)?\s*(?:#.*)?$""")


def _gemfile(text: str) -> tuple[dict[str, int], dict[str, str], dict[str, int]]:
    sources: dict[str, int] = {}
    gems: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _SOURCE.match(line):
            sources.setdefault(m.group(1), number)
        elif m := _GEM.match(line):
            gems[m.group(1)] = " ".join(m.group(2).split()) or "(any version)"
            lines[m.group(1)] = number
    return sources, gems, lines


class GemfileAnalyzer(Analyzer):
    ident = "ruby-gemfile"
    desc = "Gemfile sources and gems"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_src, old_gems, _ = _gemfile(decode(old, "old") or "")
        new_src, new_gems, lines = _gemfile(decode(new, "new") or "")
        facts = compare_deps(self, path, "", old_gems, new_gems, lines.get)
        for url, number in new_src.items():
            if url not in old_src:
                text = f"gem source `{url}` added"
                facts.append(self.fact("gem-source-added", path, text, line=number, url=url))
        return facts


_SECTIONS = frozenset(
    {
        "GEM",
        "GIT",
        "PATH",
        "PLUGIN SOURCE",
        "PLATFORMS",
        "DEPENDENCIES",
        "RUBY VERSION",
        "BUNDLED WITH",
        "CHECKSUMS",
    }
)
_SPEC = re.compile(r"^    (\S+) \(([^)]+)\)$")
_CHECKSUM = re.compile(r"^  (\S+) \(([^)]+)\) (.+)$")


class GemfileLockAnalyzer(Analyzer):
    ident = "ruby-gemfile-lock"
    desc = "Gemfile.lock"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        before, after = self._lock(old, "old"), self._lock(new, "new")
        facts = _lock.compare(self, path, before, after, hash_kind="hash-removed")
        old_remotes = set(before.meta["remotes"]) if before else set()
        if after is not None:
            text_all = decode(new, "new") or ""
            for remote in after.meta["remotes"]:
                if remote not in old_remotes:
                    text = f"gem source `{remote}` added"
                    at = line_of(text_all, f"remote: {remote}")
                    facts.append(self.fact("gem-source-added", path, text, line=at, url=remote))
        return facts

    @staticmethod
    def _lock(data: bytes | None, side: str) -> Lock | None:
        text = decode(data, side)
        if text is None:
            return None
        section, remote, revision = "", "", ""
        entries: list[tuple[str, str, str]] = []
        checksums: dict[tuple[str, str], str] = {}
        other: dict[str, list[str]] = {}
        remotes: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if not line.startswith(" "):
                section, remote, revision = line.strip(), "", ""
                if section not in _SECTIONS:
                    raise AnalysisError(f"unknown section {section!r}", line=number, side=side)
                continue
            if section in ("GEM", "GIT", "PATH"):
                if line.startswith("  remote: "):
                    remote = line.split(": ", 1)[1].strip()
                    if section == "GEM":
                        remotes.append(remote)
                elif line.startswith("  revision: "):
                    revision = line.split(": ", 1)[1].strip()
                elif m := _SPEC.match(line):
                    source = {
                        "GEM": _lock.registry(remote),
                        "GIT": f"git:{remote}#{revision}",
                        "PATH": f"path:{remote}",
                    }[section]
                    entries.append((m.group(1), m.group(2), source))
                elif not line.startswith(("      ", "  ")) or (
                    not line.startswith("      ") and ":" not in line
                ):
                    raise AnalysisError(f"unexpected line in {section}", line=number, side=side)
            elif section == "CHECKSUMS" and (m := _CHECKSUM.match(line)):
                checksums[(m.group(1), m.group(2))] = m.group(3)
            else:
                other.setdefault(section, []).append(line.strip())
        built = [
            Entry(
                name,
                version,
                source,
                frozenset(checksums.get((name, version), "").split(",")) - {""},
            )
            for name, version, source in entries
        ]
        meta = {"remotes": remotes, "other": other}
        pattern = re.compile(r"^    (\S+) \(", re.MULTILINE)
        return Lock(_lock.build(built), meta, _lazy_lines(text, pattern, str))


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (GemfileAnalyzer, GemfileLockAnalyzer)
