"""go.mod (require, replace, go and toolchain directives) and go.sum (module checksums)."""

from __future__ import annotations

import re

from signoff.analysis import _lock
from signoff.analysis._deps import compare_deps
from signoff.analysis._lock import Entry, Lock
from signoff.analysis._text import decode
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.npm_locks import _lazy_lines
from signoff.facts import Fact

_DIRECTIVES = frozenset(
    {
        "module",
        "go",
        "toolchain",
        "require",
        "replace",
        "exclude",
        "retract",
        "godebug",
        "tool",
        "ignore",
    }
)


class GoMod:
    __slots__ = ("lines", "replace", "require", "settings")

    def __init__(self) -> None:
        self.require: dict[str, str] = {}
        self.replace: dict[str, str] = {}
        self.settings: dict[str, str] = {}  # go, toolchain
        self.lines: dict[str, int] = {}


def parse_go_mod(text: str, side: str) -> GoMod:
    mod = GoMod()
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
                continue
            verb, args = block, line
        else:
            verb, _, args = line.partition(" ")
            args = args.strip()
            if verb not in _DIRECTIVES:
                raise AnalysisError(f"unknown go.mod directive {verb!r}", line=number, side=side)
            if args == "(":
                block = verb
                continue
        words = args.replace('"', "").split()
        if verb == "require":
            if len(words) != 2:
                raise AnalysisError("require needs a module and a version", line=number, side=side)
            mod.require[words[0]], mod.lines[words[0]] = words[1], number
        elif verb == "replace":
            left, arrow, right = " ".join(words).partition(" => ")
            if not arrow:
                raise AnalysisError("replace without '=>'", line=number, side=side)
            mod.replace[left], mod.lines[f"replace {left}"] = right, number
        elif verb in ("go", "toolchain"):
            mod.settings[verb], mod.lines[verb] = args, number
    if block is not None:
        raise AnalysisError(f"unterminated {block} block", side=side)
    return mod


class GoModAnalyzer(Analyzer):
    ident = "go-mod"
    desc = "go.mod require, replace, go and toolchain directives"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        before = parse_go_mod(old_text, "old") if old_text is not None else GoMod()
        after = parse_go_mod(new_text, "new") if new_text is not None else GoMod()
        facts = compare_deps(self, path, "require", before.require, after.require, after.lines.get)
        for left, right in after.replace.items():
            at = after.lines.get(f"replace {left}")
            if left not in before.replace:
                text = f"replace `{left}` => `{right}` added"
                facts.append(
                    self.fact("go-replace-added", path, text, line=at, module=left, target=right)
                )
            elif before.replace[left] != right:
                text = f"replace `{left}` now points to `{right}`"
                facts.append(
                    self.fact("dependency-source-changed", path, text, line=at, package=left)
                )
        for key in ("go", "toolchain"):
            if key in after.settings and before.settings.get(key) != after.settings[key]:
                text = f"{key} directive set to `{after.settings[key]}`"
                at = after.lines.get(key)
                facts.append(self.fact("toolchain-changed", path, text, line=at, directive=key))
        return facts


_SUM_LINE = re.compile(r"^(\S+) ", re.MULTILINE)


class GoSumAnalyzer(_lock.LockAnalyzer):
    ident = "go-sum"
    desc = "go.sum module checksums"

    hash_kind = "hash-removed"

    def parse(self, data: bytes | None, side: str) -> Lock | None:
        text = decode(data, side)
        if text is None:
            return None
        hashes: dict[tuple[str, str], set[str]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            words = line.split()
            if len(words) != 3 or not words[2].startswith("h1:"):
                raise AnalysisError("expected `module version h1:hash`", line=number, side=side)
            version = words[1].removesuffix("/go.mod")
            hashes.setdefault((words[0], version), set()).add(words[2])
        entries = (
            Entry(mod, ver, "registry:proxy.golang.org", frozenset(h))
            for (mod, ver), h in hashes.items()
        )
        return Lock(_lock.build(entries), None, _lazy_lines(text, _SUM_LINE, str))


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (GoModAnalyzer, GoSumAnalyzer)
