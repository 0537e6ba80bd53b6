"""requirements*.txt and constraints files: packages, pins, indexes, trusted hosts, URLs, hashes.

Follows pip's requirements-file format: ``\\`` continuations, ``#`` comments (after whitespace),
global options (``-i``, ``--extra-index-url``, ``--trusted-host``, ``-f``, ``-r``, ``-c``) and
per-requirement ``--hash`` options. Requirement lines are parsed with `packaging` (PEP 508).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from signoff.analysis._deps import compare_deps
from signoff.analysis._text import decode, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact

_INDEX_OPTS = {
    "-i": "index-url",
    "--index-url": "index-url",
    "--extra-index-url": "extra-index-url",
    "-f": "find-links",
    "--find-links": "find-links",
    "--no-index": "no-index",
}
_INCLUDE_OPTS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
_EGG = re.compile(r"#egg=([A-Za-z0-9_.\-]+)")
_COMMENT = re.compile(r"(^|\s+)#.*$")


@dataclass(slots=True)
class Requirements:
    packages: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, frozenset[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    indexes: dict[str, int] = field(default_factory=dict)  # "extra-index-url URL" -> line
    trusted: dict[str, int] = field(default_factory=dict)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw) if "#" in raw else raw
        if not buf:
            start = number
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append((start, buf.strip()))
        buf = ""
    if buf.strip():
        out.append((start, buf.strip()))
    return out


def _split_opt(token: str, rest: list[str]) -> tuple[str, str]:
    if "=" in token and token.startswith("--"):
        key, value = token.split("=", 1)
        return key, value
    if token.startswith("-") and not token.startswith("--") and len(token) > 2:
        return token[:2], token[2:]
    return token, rest.pop(0) if rest else ""


def parse(text: str) -> Requirements:
    reqs = Requirements()
    for number, line in _logical_lines(text):
        tokens = line.split()
        head = tokens[0]
        opt = head.split("=", 1)[0] if head.startswith("--") else head[:2]
        if head.startswith("-") and opt not in ("-e", "--editable") and head != "-e":
            rest = tokens[1:]
            key, value = _split_opt(head, rest)
            if key in _INDEX_OPTS:
                reqs.indexes[f"{_INDEX_OPTS[key]} {value}".strip()] = number
            elif key == "--trusted-host":
                reqs.trusted[value] = number
            elif key in _INCLUDE_OPTS:
                name = f"{_INCLUDE_OPTS[key]} {value}"
                reqs.packages[name], reqs.lines[name] = name, number
            continue  # other global options (--pre, --prefer-binary...) do not change sources
        editable = head in ("-e", "--editable") or head.startswith("--editable=")
        if editable:
            tokens = tokens[1:] if "=" not in head else [head.split("=", 1)[1], *tokens[1:]]
        hashes = frozenset(t.split("=", 1)[1] for t in tokens if t.startswith("--hash="))
        body = " ".join(t for t in tokens if not t.startswith("--"))
        name, spec = _requirement(body, number, editable)
        reqs.packages[name], reqs.lines[name] = spec, number
        if hashes:
            reqs.hashes[name] = hashes
    return reqs


def _requirement(body: str, number: int, editable: bool) -> tuple[str, str]:
    if editable or re.match(r"^[a-z+]+://|^\.{0,2}/|^\.{1,2}$|^file:", body):
        egg = _EGG.search(body)
        name = canonicalize_name(egg.group(1)) if egg else body
        return name, ("-e " if editable else "") + body + (" @ direct" if "://" in body else "")
    try:
        req = Requirement(body)
    except InvalidRequirement as err:
        raise AnalysisError(f"invalid requirement {body!r}: {err}", line=number) from err
    return canonicalize_name(req.name), str(req)


class RequirementsAnalyzer(Analyzer):
    ident = "python-requirements"
    desc = "pip requirements and constraints files"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        try:
            before = parse(old_text) if old_text is not None else Requirements()
        except AnalysisError as err:
            err.side = "old"
            raise
        try:
            after = parse(new_text) if new_text is not None else Requirements()
        except AnalysisError as err:
            err.side = "new"
            raise
        facts = compare_deps(self, path, "", before.packages, after.packages, after.lines.get)
        for entry, number in after.indexes.items():
            if entry not in before.indexes:
                text = f"package index option added: `{short(entry)}`"
                facts.append(self.fact("registry-changed", path, text, line=number, option=entry))
        for entry in before.indexes.keys() - after.indexes.keys():
            if entry.startswith("index-url") and any(
                i.startswith("index-url") for i in after.indexes
            ):
                continue  # replaced: the new value was reported above
            if entry.startswith("no-index"):
                continue
            text = f"package index option removed: `{short(entry)}`"
            facts.append(self.fact("registry-changed", path, text, option=entry))
        for host, number in after.trusted.items():
            if host not in before.trusted:
                text = f"--trusted-host `{host}` added: pip skips TLS checks for it"
                facts.append(self.fact("trusted-host-added", path, text, line=number, host=host))
        for name, had in before.hashes.items():
            if name not in after.packages:
                continue
            now = after.hashes.get(name, frozenset())
            at = after.lines.get(name)
            same_pin = before.packages.get(name) == after.packages.get(name)
            if not now:
                text = f"`{name}` no longer pinned by --hash"
                facts.append(self.fact("hash-removed", path, text, line=at, package=name))
            elif same_pin and not had <= now:
                text = f"`{name}` hash changed without a version change"
                kind = "integrity-changed-without-version-change"
                facts.append(self.fact(kind, path, text, line=at, package=name))
        return facts


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (RequirementsAnalyzer,)
