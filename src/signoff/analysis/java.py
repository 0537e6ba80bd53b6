"""Maven pom.xml (repositories, plugins, dependencies, distribution) and Gradle build files.

Gradle build scripts are programs (Groovy or Kotlin), so any change to one is reported as build
code rather than guessed at; the wrapper's properties are read for the distribution URL and hash.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from signoff.analysis._deps import compare_deps
from signoff.analysis._text import decode, line_of, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: ET.Element, name: str) -> str:
    for sub in el:
        if _local(sub.tag) == name:
            return (sub.text or "").strip()
    return ""


def _pom(text: str | None, side: str) -> dict[str, Any]:
    out: dict[str, Any] = {"repos": {}, "plugins": {}, "deps": {}, "dist": ""}
    if text is None:
        return out
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise AnalysisError("DOCTYPE or ENTITY declarations are not allowed in pom.xml", side=side)
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTDs (checked above), so no entity expansion
    except ET.ParseError as err:
        line = err.position[0]
        raise AnalysisError(f"invalid XML: {err}", line=line, side=side) from err
    for el in root.iter():
        tag = _local(el.tag)
        if tag in ("repository", "pluginRepository"):
            url = _child(el, "url")
            if url:
                out["repos"][url] = tag
        elif tag == "plugin":
            key = (
                f"{_child(el, 'groupId') or 'org.apache.maven.plugins'}:{_child(el, 'artifactId')}"
            )
            out["plugins"][key] = _child(el, "version") or "(managed)"
        elif tag == "dependency":
            key = f"{_child(el, 'groupId')}:{_child(el, 'artifactId')}"
            scope = _child(el, "scope")
            out["deps"][key] = (_child(el, "version") or "(managed)") + (
                f" ({scope})" if scope else ""
            )
        elif tag == "distributionManagement":
            out["dist"] = ET.tostring(el, encoding="unicode")
    return out


class PomAnalyzer(Analyzer):
    ident = "maven-pom"
    desc = "pom.xml repositories, plugins, dependencies and distributionManagement"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        before, after = _pom(old_text, "old"), _pom(new_text, "new")
        text = new_text or ""

        def line(key: str) -> int | None:
            return line_of(text, f"<artifactId>{key.rsplit(':', 1)[-1]}</artifactId>")

        facts = compare_deps(self, path, "dependency", before["deps"], after["deps"], line)
        for url, tag in after["repos"].items():
            if url not in before["repos"]:
                text_ = f"{tag} `{url}` added"
                facts.append(
                    self.fact(
                        "maven-repository-added", path, text_, line=line_of(text, url), url=url
                    )
                )
        for key, version in after["plugins"].items():
            if key not in before["plugins"]:
                text_ = f"build plugin `{key}` {version} added"
                facts.append(
                    self.fact("maven-plugin-added", path, text_, line=line(key), plugin=key)
                )
            elif before["plugins"][key] != version:
                text_ = f"build plugin `{key}` {before['plugins'][key]} → {version}"
                facts.append(
                    self.fact(
                        "dependency-version-changed", path, text_, line=line(key), package=key
                    )
                )
        if after["dist"] != before["dist"] and new_text is not None:
            text_ = f"distributionManagement changed: `{short(after['dist'])}`"
            at = line_of(text, "distributionManagement")
            facts.append(self.fact("publish-config-changed", path, text_, line=at))
        return facts


class GradleAnalyzer(Analyzer):
    ident = "gradle"
    desc = "Gradle build scripts (code) and the Gradle wrapper distribution"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        if not path.endswith("gradle-wrapper.properties"):
            verb = "added" if old is None else "deleted" if new is None else "changed"
            return [self.fact("packaging-code-changed", path, f"Gradle build script {verb}")]
        before = _props(decode(old, "old"))
        after = _props(decode(new, "new"))
        text = decode(new, "new") or ""
        facts: list[Fact] = []
        url = after.get("distributionUrl")
        if url and url != before.get("distributionUrl"):
            at = line_of(text, "distributionUrl")
            text_ = f"Gradle distribution set to `{url}`"
            facts.append(self.fact("toolchain-changed", path, text_, line=at, url=url))
        if before.get("distributionSha256Sum") and not after.get("distributionSha256Sum"):
            text_ = "Gradle distribution checksum (distributionSha256Sum) removed"
            facts.append(self.fact("hash-removed", path, text_))
        return facts


def _props(text: str | None) -> dict[str, str]:
    out = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().replace("\\:", ":")
    return out


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (PomAnalyzer, GradleAnalyzer)
