"""pyproject.toml: dependencies and groups, build system, entry points, code-running tool hooks.

Covers PEP 621 ``[project]``, PEP 735 ``[dependency-groups]``, PEP 518/517 ``[build-system]``,
Poetry, PDM and uv tables, and the ``[tool.*]`` sections known to run code during a build.
"""

from __future__ import annotations

import json
from typing import Any

from signoff.analysis._deps import compare_deps, pep508_map
from signoff.analysis._text import decode, key_line, load_toml, short
from signoff.analysis.base import Analyzer
from signoff.analysis.version import get_path, version_facts
from signoff.facts import Fact

_MISSING = get_path({}, ("x",))

#: ``[tool.*]`` tables whose content is executed or selects code to execute during a build.
TOOL_HOOKS: tuple[tuple[str, ...], ...] = (
    ("tool", "hatch", "build", "hooks"),
    ("tool", "hatch", "metadata", "hooks"),
    ("tool", "hatch", "version", "source"),
    ("tool", "hatch", "version", "path"),
    ("tool", "setuptools", "cmdclass"),
    ("tool", "setuptools", "dynamic"),
    ("tool", "poetry", "build"),
    ("tool", "pdm", "build"),
    ("tool", "pdm", "scripts"),
    ("tool", "cibuildwheel"),
    ("tool", "scikit-build"),
)
VERSION_PATHS = (("project", "version"), ("tool", "poetry", "version"))


def _tbl(doc: Any, *keys: str) -> dict[str, Any]:
    value = get_path(doc, keys)
    return value if isinstance(value, dict) else {}


def _spec(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def dependency_groups(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every dependency list in the file, as group label → name → spec."""
    groups: dict[str, dict[str, str]] = {}
    project = _tbl(doc, "project")
    groups["project.dependencies"] = pep508_map(project.get("dependencies"), "dependencies")
    for extra, items in _tbl(project, "optional-dependencies").items():
        groups[f"extra `{extra}`"] = pep508_map(items, f"optional-dependencies.{extra}")
    for name, items in _tbl(doc, "dependency-groups").items():
        groups[f"group `{name}`"] = pep508_map(items, f"dependency-groups.{name}")
    for name, items in _tbl(doc, "tool", "pdm", "dev-dependencies").items():
        groups[f"pdm dev `{name}`"] = pep508_map(items, f"tool.pdm.dev-dependencies.{name}")
    uv_dev = get_path(doc, ("tool", "uv", "dev-dependencies"))
    if uv_dev is not _MISSING:
        groups["uv dev-dependencies"] = pep508_map(uv_dev, "tool.uv.dev-dependencies")
    poetry = _tbl(doc, "tool", "poetry")
    for key in ("dependencies", "dev-dependencies"):
        table = _tbl(poetry, key)
        groups[f"poetry {key}"] = {k.lower(): _spec(v) for k, v in table.items()}
    for name, group in _tbl(poetry, "group").items():
        table = _tbl(group, "dependencies")
        groups[f"poetry group `{name}`"] = {k.lower(): _spec(v) for k, v in table.items()}
    return {k: v for k, v in groups.items() if v}


def _sources(doc: dict[str, Any]) -> dict[str, str]:
    """Package indexes named anywhere in the file, as a label → URL map."""
    out: dict[str, str] = {}
    for label, keys in (
        ("poetry source", ("tool", "poetry", "source")),
        ("uv index", ("tool", "uv", "index")),
        ("pdm source", ("tool", "pdm", "source")),
    ):
        value = get_path(doc, keys)
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                out[f"{label} `{item.get('name', i)}`"] = str(item.get("url", ""))
    for key in ("index-url", "extra-index-url", "find-links"):
        value = get_path(doc, ("tool", "uv", key))
        if value is not _MISSING:
            out[f"uv {key}"] = _spec(value)
    return out


class PyprojectAnalyzer(Analyzer):
    ident = "python-pyproject"
    desc = "pyproject.toml dependencies, build system, entry points, tool hooks and version"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        old_doc = load_toml(old_text, "old") if old_text is not None else None
        new_doc = load_toml(new_text, "new") if new_text is not None else None
        base, doc = old_doc or {}, new_doc or {}
        text = new_text or old_text or ""
        facts: list[Fact] = []

        def line(needle: str) -> int | None:
            return key_line(text, needle)

        old_groups, new_groups = dependency_groups(base), dependency_groups(doc)
        for group in sorted(old_groups.keys() | new_groups.keys()):
            facts += compare_deps(
                self, path, group, old_groups.get(group, {}), new_groups.get(group, {}), line
            )
        uv_sources_old = {k: _spec(v) for k, v in _tbl(base, "tool", "uv", "sources").items()}
        uv_sources_new = {k: _spec(v) for k, v in _tbl(doc, "tool", "uv", "sources").items()}
        for name, spec in uv_sources_new.items():
            if uv_sources_old.get(name) != spec:
                text_ = f"uv source for `{name}` set to `{short(spec)}`"
                facts.append(
                    self.fact(
                        "dependency-source-changed", path, text_, line=line(name), package=name
                    )
                )
        old_src, new_src = _sources(base), _sources(doc)
        for label, url in new_src.items():
            if old_src.get(label) != url:
                text_ = f"{label} set to `{short(url)}`"
                facts.append(self.fact("registry-changed", path, text_, line=line(url), url=url))

        bs_old, bs_new = _tbl(base, "build-system"), _tbl(doc, "build-system")
        for key in ("build-backend", "backend-path"):
            if key in bs_new and bs_old.get(key) != bs_new.get(key):
                text_ = f"build system {key} set to `{short(bs_new[key])}`"
                facts.append(self.fact("build-backend-changed", path, text_, line=line(key)))
        if "requires" in bs_new and bs_old.get("requires") != bs_new.get("requires"):
            text_ = f"build requires set to `{short(bs_new['requires'])}`"
            facts.append(self.fact("build-requires-changed", path, text_, line=line("requires")))

        facts += self._entry_points(path, base, doc, line)
        for keys in self._hook_paths(base, doc):
            before, after = get_path(base, keys), get_path(doc, keys)
            if before != after and after is not _MISSING:
                dotted = ".".join(keys)
                text_ = f"[{dotted}] changed: `{short(after)}`"
                at = line(f"[{dotted}") or line(keys[-1])
                facts.append(self.fact("tool-hook-changed", path, text_, line=at, table=dotted))
        publish_old = get_path(base, ("tool", "hatch", "publish"))
        publish_new = get_path(doc, ("tool", "hatch", "publish"))
        if publish_new is not _MISSING and publish_new != publish_old:
            text_ = f"[tool.hatch.publish] changed: `{short(publish_new)}`"
            at = line("[tool.hatch.publish")
            facts.append(self.fact("publish-config-changed", path, text_, line=at))
        facts += version_facts(self, path, old_doc, new_doc, VERSION_PATHS, line("version"))
        return facts

    @staticmethod
    def _hook_paths(base: dict[str, Any], doc: dict[str, Any]) -> list[tuple[str, ...]]:
        targets = set(_tbl(base, "tool", "hatch", "build", "targets"))
        targets |= set(_tbl(doc, "tool", "hatch", "build", "targets"))
        extra = [("tool", "hatch", "build", "targets", t, "hooks") for t in sorted(targets)]
        return [*TOOL_HOOKS, *extra]

    def _entry_points(
        self, path: str, base: dict[str, Any], doc: dict[str, Any], line: Any
    ) -> list[Fact]:
        facts: list[Fact] = []
        tables: list[tuple[str, tuple[str, ...]]] = [
            ("script", ("project", "scripts")),
            ("gui script", ("project", "gui-scripts")),
            ("poetry script", ("tool", "poetry", "scripts")),
        ]
        for group in sorted(
            set(_tbl(base, "project", "entry-points")) | set(_tbl(doc, "project", "entry-points"))
        ):
            tables.append((f"entry point `{group}`", ("project", "entry-points", group)))
        for group in sorted(
            set(_tbl(base, "tool", "poetry", "plugins"))
            | set(_tbl(doc, "tool", "poetry", "plugins"))
        ):
            tables.append((f"poetry plugin `{group}`", ("tool", "poetry", "plugins", group)))
        for label, keys in tables:
            before, after = _tbl(base, *keys), _tbl(doc, *keys)
            for name, target in after.items():
                if name not in before:
                    kind, verb = "entry-point-added", "added"
                elif before[name] != target:
                    kind, verb = "entry-point-changed", "now points to"
                else:
                    continue
                text_ = f"{label} `{name}` {verb} `{short(target)}`"
                facts.append(self.fact(kind, path, text_, line=line(name), name=name))
        return facts


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (PyprojectAnalyzer,)
