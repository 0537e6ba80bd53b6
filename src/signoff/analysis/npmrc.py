""".npmrc and .yarnrc.yml: registries, TLS verification and install-script switches.

Auth tokens in these files are found by the secrets scan, which runs on every file.
"""

from __future__ import annotations

from typing import Any

from signoff.analysis._text import decode, line_of, load_yaml
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact


def _ini(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip().strip("\"'")
    return out


def _yarnrc(text: str | None, side: str) -> dict[str, str]:
    """The .yarnrc.yml keys that matter, flattened to the .npmrc vocabulary."""
    if text is None:
        return {}
    doc = load_yaml(text, side) or {}
    if not isinstance(doc, dict):
        raise AnalysisError(".yarnrc.yml is not a mapping", side=side)
    out: dict[str, str] = {}
    if "npmRegistryServer" in doc:
        out["registry"] = str(doc["npmRegistryServer"])
    scopes: Any = doc.get("npmScopes") or {}
    for scope, conf in scopes.items() if isinstance(scopes, dict) else []:
        if isinstance(conf, dict) and "npmRegistryServer" in conf:
            out[f"@{scope}:registry"] = str(conf["npmRegistryServer"])
    if "enableStrictSsl" in doc:
        out["strict-ssl"] = str(doc["enableStrictSsl"]).lower()
    if "enableScripts" in doc:
        out["ignore-scripts"] = "false" if doc["enableScripts"] else "true"
    for host in doc.get("unsafeHttpWhitelist") or []:
        out[f"unsafe-http {host}"] = "true"
    return out


class NpmrcAnalyzer(Analyzer):
    ident = "npmrc"
    desc = ".npmrc and .yarnrc.yml registries, strict-ssl and ignore-scripts"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        if path.endswith(".yml"):
            before, after = _yarnrc(old_text, "old"), _yarnrc(new_text, "new")
        else:
            before, after = _ini(old_text), _ini(new_text)
        text = new_text or ""
        facts: list[Fact] = []
        for key, value in after.items():
            if before.get(key) == value:
                continue
            at = line_of(text, key.split(" ", 1)[-1]) or line_of(text, value)
            if key == "registry" or key.endswith(":registry"):
                text_ = f"{key} set to `{value}`"
                facts.append(self.fact("registry-changed", path, text_, line=at, url=value))
            elif (key == "strict-ssl" and value == "false") or key.startswith("unsafe-http"):
                text_ = f"TLS verification disabled ({key})"
                facts.append(self.fact("trusted-host-added", path, text_, line=at, setting=key))
            elif key == "ignore-scripts" and value == "false" and before.get(key) == "true":
                text_ = "install scripts re-enabled (ignore-scripts=false)"
                facts.append(self.fact("install-script-changed", path, text_, line=at))
        if before.get("ignore-scripts") == "true" and "ignore-scripts" not in after:
            text_ = "ignore-scripts=true removed: install scripts run again"
            facts.append(self.fact("install-script-changed", path, text_))
        return facts


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (NpmrcAnalyzer,)
