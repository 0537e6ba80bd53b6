"""package.json: dependencies by kind, lifecycle scripts, bin, publishConfig, version."""

from __future__ import annotations

from typing import Any

from signoff.analysis._text import decode, json_key_line, load_json, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.version import version_facts
from signoff.facts import Fact

DEP_KINDS = (
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "overrides",
    "resolutions",
)
#: Scripts npm runs by itself on install, pack or publish (docs.npmjs.com "Life Cycle Scripts").
LIFECYCLE = frozenset(
    {
        "preinstall",
        "install",
        "postinstall",
        "prepare",
        "prepublish",
        "prepublishOnly",
        "prepack",
        "postpack",
        "preuninstall",
        "uninstall",
        "postuninstall",
        "dependencies",
    }
)
_NON_REGISTRY = ("git+", "git:", "git@", "http:", "https:", "file:", "link:", "github:", "gitlab:")


def is_non_registry(spec: str) -> bool:
    """A spec that bypasses the registry: URL, VCS, path, or GitHub ``owner/repo`` shorthand."""
    spec = spec.strip()
    if spec.startswith(_NON_REGISTRY) or spec.startswith(("./", "../", "/", "~/")):
        return True
    return "/" in spec and not spec.startswith(("@", "npm:")) and ":" not in spec


def _obj(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    if key == "bin" and isinstance(value, str):
        return {str(doc.get("name", "")): value}
    raise AnalysisError(f"`{key}` is not an object")


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested ``overrides`` objects as ``a > b`` keys with string values."""
    if not isinstance(value, dict):
        return {prefix: short(value, 200)}
    out: dict[str, str] = {}
    for key, sub in value.items():
        out.update(_flat(sub, f"{prefix} > {key}" if prefix else str(key)))
    return out


class NpmPackageAnalyzer(Analyzer):
    ident = "npm-package"
    desc = "package.json dependencies, lifecycle scripts, bin, publishConfig and version"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        old_doc = self._load(old_text, "old")
        new_doc = self._load(new_text, "new")
        base = old_doc or {}
        doc = new_doc or {}
        text = new_text or old_text
        facts: list[Fact] = []

        def at(*keys: str) -> int | None:
            return json_key_line(text, *keys)

        for kind in DEP_KINDS:
            before, after = _flat(_obj(base, kind)), _flat(_obj(doc, kind))
            for name in sorted(before.keys() - after.keys()):
                text_ = f"{kind} `{name}` removed"
                facts.append(self.fact("dependency-removed", path, text_, package=name, kind=kind))
            for name, spec in after.items():
                old_spec = before.get(name)
                where = at(kind, name.split(" > ")[-1])
                if old_spec is None:
                    facts.append(
                        self.fact(
                            "dependency-added",
                            path,
                            f"{kind} `{name}` added: `{spec}`",
                            line=where,
                            package=name,
                            kind=kind,
                            new=spec,
                        )
                    )
                elif old_spec != spec:
                    facts.append(
                        self.fact(
                            "dependency-version-changed",
                            path,
                            f"{kind} `{name}` `{old_spec}` → `{spec}`",
                            line=where,
                            package=name,
                            kind=kind,
                            old=old_spec,
                            new=spec,
                        )
                    )
                if is_non_registry(spec) and spec != old_spec:
                    facts.append(
                        self.fact(
                            "dependency-source-changed",
                            path,
                            f"{kind} `{name}` comes from outside the registry: `{spec}`",
                            line=where,
                            package=name,
                            source=spec,
                        )
                    )

        before_s, after_s = _obj(base, "scripts"), _obj(doc, "scripts")
        for name, cmd in after_s.items():
            if before_s.get(name) == cmd:
                continue
            lifecycle = name in LIFECYCLE
            added = name not in before_s
            kind = "install-script" if lifecycle else "script"
            kind = f"{kind}-added" if lifecycle and added else f"{kind}-changed"
            what = "added" if added else "changed"
            facts.append(
                self.fact(
                    kind,
                    path,
                    f"{name} script {what}: `{short(cmd)}`",
                    line=at("scripts", name),
                    script=name,
                    command=short(cmd, 200),
                )
            )

        before_b, after_b = _obj(base, "bin"), _obj(doc, "bin")
        for name, target in after_b.items():
            if name not in before_b:
                text_ = f"bin `{name}` added: `{short(target)}`"
                facts.append(self.fact("entry-point-added", path, text_, line=at("bin"), name=name))
            elif before_b[name] != target:
                text_ = f"bin `{name}` now runs `{short(target)}`"
                facts.append(
                    self.fact("entry-point-changed", path, text_, line=at("bin"), name=name)
                )

        if new_doc is not None and base.get("publishConfig") != doc.get("publishConfig"):
            text_ = f"publishConfig changed to `{short(doc.get('publishConfig', {}))}`"
            facts.append(self.fact("publish-config-changed", path, text_, line=at("publishConfig")))
            old_reg = _obj(base, "publishConfig").get("registry")
            new_reg = _obj(doc, "publishConfig").get("registry")
            if new_reg and new_reg != old_reg:
                text_ = f"publish registry set to `{new_reg}`"
                facts.append(
                    self.fact("registry-changed", path, text_, line=at("publishConfig", "registry"))
                )
        if "packageManager" in doc and base.get("packageManager") != doc["packageManager"]:
            text_ = f"packageManager set to `{short(doc['packageManager'])}`"
            facts.append(self.fact("toolchain-changed", path, text_, line=at("packageManager")))

        facts += version_facts(self, path, old_doc, new_doc, [("version",)], at("version"))
        return facts

    @staticmethod
    def _load(text: str | None, side: str) -> dict[str, Any] | None:
        if text is None:
            return None
        doc = load_json(text, side)
        if not isinstance(doc, dict):
            raise AnalysisError("package.json is not a JSON object", side=side)
        return doc


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (NpmPackageAnalyzer,)
