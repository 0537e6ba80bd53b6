"""Version bumps: "X → Y and nothing else in this file", the narrow fact an auto lane admits.

`version_facts` serves the manifest analyzers (pyproject.toml, package.json, Cargo.toml): they pass
parsed documents and the key paths of the version field. The comparison is on parsed structures
with the version removed, so whitespace, comments and key order around it cannot prevent the
fact, while any other semantic change does. `VersionFileAnalyzer` covers ``VERSION`` files and
Python modules whose job is to hold ``__version__``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Any

from signoff.analysis._text import decode, line_of
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact

_MISSING = object()
#: a literal version: PEP 440, SemVer, Cargo ("1.2.3", "v2.0.0-rc.1", "1.0.post1+local")
_VERSION_TEXT = re.compile(r"\A[vV]?[0-9][0-9A-Za-z.+\-_]*\Z")


def _literal(value: Any) -> bool:
    return isinstance(value, str) and _VERSION_TEXT.match(value.strip()) is not None


def get_path(doc: Any, keys: Sequence[str]) -> Any:
    for key in keys:
        if not isinstance(doc, dict) or key not in doc:
            return _MISSING
        doc = doc[key]
    return doc


def without(doc: Any, paths: Sequence[Sequence[str]]) -> Any:
    """A copy of `doc` with each key path removed (copying only along the paths)."""
    for keys in paths:
        doc = _drop(doc, keys)
    return doc


def _drop(doc: Any, keys: Sequence[str]) -> Any:
    if not keys or not isinstance(doc, dict) or keys[0] not in doc:
        return doc
    out = dict(doc)
    if len(keys) == 1:
        del out[keys[0]]
    else:
        out[keys[0]] = _drop(out[keys[0]], keys[1:])
    return out


def version_facts(
    analyzer: Analyzer,
    path: str,
    old: Any,
    new: Any,
    paths: Sequence[Sequence[str]],
    line: int | None,
) -> list[Fact]:
    """``version-changed`` when a version field moved; ``version-bump-only`` if nothing else did."""
    if old is None or new is None:
        return []
    facts: list[Fact] = []
    moved = False
    for keys in paths:
        before, after = get_path(old, keys), get_path(new, keys)
        if before == after:
            continue
        moved = True
        o = "(none)" if before is _MISSING else str(before)
        n = "(none)" if after is _MISSING else str(after)
        facts.append(
            analyzer.fact("version-changed", path, f"version {o} → {n}", line=line, old=o, new=n)
        )
    # Only a literal version on both sides: `attr: pkg.__version__`, `file: VERSION` and the like
    # are read by running code or reading another file at build time, not "nothing else".
    literal = all(
        _literal(get_path(side, keys)) for keys in paths for side in (old, new)
        if get_path(old, keys) != get_path(new, keys)
    )  # fmt: skip
    if moved and literal and without(old, paths) == without(new, paths):
        first = facts[0].detail_dict()
        text = f"version bumped {first['old']} → {first['new']} and nothing else"
        facts.append(
            analyzer.fact(
                "version-bump-only", path, text, line=line, old=first["old"], new=first["new"]
            )
        )
    return facts


class VersionFileAnalyzer(Analyzer):
    ident = "version-file"
    desc = "VERSION files and modules holding __version__"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        if old_text is None or new_text is None:
            return []
        if path.endswith(".py"):
            return self._module(path, old_text, new_text)
        before, after = old_text.strip(), new_text.strip()
        if before == after or not (_VERSION_TEXT.match(before) and _VERSION_TEXT.match(after)):
            return []
        doc_old, doc_new = {"version": before}, {"version": after}
        return version_facts(self, path, doc_old, doc_new, [("version",)], 1)

    def _module(self, path: str, old_text: str, new_text: str) -> list[Fact]:
        old_v, old_shape = _module_version(old_text, "old")
        new_v, new_shape = _module_version(new_text, "new")
        if old_v is None and new_v is None:
            return []  # an __init__.py without __version__: nothing to say here
        doc_old = (
            {"version": old_v, "rest": old_shape} if old_v is not None else {"rest": old_shape}
        )
        doc_new = (
            {"version": new_v, "rest": new_shape} if new_v is not None else {"rest": new_shape}
        )
        return version_facts(
            self, path, doc_old, doc_new, [("version",)], line_of(new_text, "__version__")
        )


def _module_version(text: str, side: str) -> tuple[str | None, str]:
    """The ``__version__`` string and the module's AST dump with that string blanked out."""
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise AnalysisError(f"invalid Python: {err.msg}", line=err.lineno, side=side) from err
    version: str | None = None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        value = getattr(node, "value", None)
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        is_str = isinstance(value, ast.Constant) and isinstance(value.value, str)
        if "__version__" in names and is_str and isinstance(value, ast.Constant):
            version = str(value.value)
            value.value = ""
    return version, ast.dump(tree)


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (VersionFileAnalyzer,)
