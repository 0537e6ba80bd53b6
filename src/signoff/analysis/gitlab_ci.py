"""GitLab CI: remote includes, job images, rules, and remote scripts piped to a shell.

GitLab-specific YAML tags (``!reference``) are accepted and kept as opaque values.
"""

from __future__ import annotations

from typing import Any

from signoff.analysis._text import PIPE_TO_SHELL, decode, line_of, load_yaml, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact

#: Top-level keys that are settings, not jobs (docs.gitlab.com/ci/yaml).
GLOBAL_KEYS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    }
)


def _includes(doc: dict[str, Any]) -> list[str]:
    """Remote include URLs (``include: https://...`` or ``include: {remote: ...}``)."""
    items = doc.get("include")
    items = items if isinstance(items, list) else [items] if items else []
    out = []
    for item in items:
        if isinstance(item, str) and item.startswith(("http://", "https://")):
            out.append(item)
        elif isinstance(item, dict) and "remote" in item:
            out.append(str(item["remote"]))
    return out


def _jobs(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(k): v for k, v in doc.items() if k not in GLOBAL_KEYS and isinstance(v, dict)}


def _images(doc: dict[str, Any]) -> dict[str, str]:
    out = {}
    if "image" in doc:
        out["global"] = short(doc["image"], 200)
    if isinstance(doc.get("default"), dict) and "image" in doc["default"]:
        out["default"] = short(doc["default"]["image"], 200)
    for name, job in _jobs(doc).items():
        if "image" in job:
            out[f"job `{name}`"] = short(job["image"], 200)
    return out


def _rules(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(doc.get("workflow"), dict) and "rules" in doc["workflow"]:
        out["workflow"] = doc["workflow"]["rules"]
    for name, job in _jobs(doc).items():
        for key in ("rules", "only", "except"):
            if key in job:
                out[f"job `{name}` {key}"] = job[key]
    return out


def _scripts(doc: dict[str, Any]) -> set[str]:
    lines: set[str] = set()
    for scope in [doc, doc.get("default"), *_jobs(doc).values()]:
        if not isinstance(scope, dict):
            continue
        for key in ("script", "before_script", "after_script"):
            value = scope.get(key)
            items = value if isinstance(value, list) else [value]
            lines |= {str(i) for i in items if isinstance(i, str)}
    return lines


class GitLabCIAnalyzer(Analyzer):
    ident = "gitlab-ci"
    desc = "GitLab CI remote includes, images, rules and piped remote scripts"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        base, doc = self._load(old_text, "old"), self._load(new_text, "new")
        if new_text is None:
            return []
        facts: list[Fact] = []
        old_inc = set(_includes(base))
        for url in _includes(doc):
            if url not in old_inc:
                text = f"remote include `{url}` added"
                facts.append(
                    self.fact(
                        "gitlab-include-remote", path, text, line=line_of(new_text, url), url=url
                    )
                )
        old_img = _images(base)
        for scope, image in _images(doc).items():
            if old_img.get(scope) != image:
                text = f"{scope} image set to `{image}`"
                facts.append(
                    self.fact(
                        "gitlab-image-changed",
                        path,
                        text,
                        line=line_of(new_text, image),
                        image=image,
                    )
                )
        old_rules, new_rules = _rules(base), _rules(doc)
        for scope in sorted(old_rules.keys() | new_rules.keys()):
            if old_rules.get(scope) != new_rules.get(scope):
                at = line_of(new_text, scope.split("`")[1] + ":") if "`" in scope else None
                text = f"{scope} rules changed"
                facts.append(self.fact("gitlab-rules-changed", path, text, line=at, scope=scope))
        for script in sorted(_scripts(doc) - _scripts(base)):
            if PIPE_TO_SHELL.search(script):
                text = f"remote script piped to a shell: `{short(script)}`"
                facts.append(
                    self.fact(
                        "remote-script-piped-to-shell",
                        path,
                        text,
                        line=line_of(new_text, script.splitlines()[0]),
                    )
                )
        return facts

    @staticmethod
    def _load(text: str | None, side: str) -> dict[str, Any]:
        if text is None:
            return {}
        doc = load_yaml(text, side)
        if doc is None:
            return {}
        if not isinstance(doc, dict):
            raise AnalysisError("GitLab CI file is not a mapping", side=side)
        return {str(k): v for k, v in doc.items()}


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (GitLabCIAnalyzer,)
