"""GitHub Actions workflows and composite actions: triggers, token permissions, secrets, pins,
environments and script injection (the checks zizmor and OpenSSF Scorecard make, as diffs).

Every fact is about what the change *introduces*: a risky construct already present in the old
file is not reported again, so an unrelated edit of a workflow stays quiet.
"""

from __future__ import annotations

import re
from typing import Any

from signoff.analysis._text import PIPE_TO_SHELL, decode, line_of, load_yaml, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.facts import Fact

DANGEROUS_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})
SCOPES = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
)
_LEVEL = {"none": 0, "read": 1, "write": 2}
_ALL = "*"
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_\-]*)|\[\s*['\"]([^'\"]+)['\"])")
_INHERIT = re.compile(r"^\s*secrets:\s*inherit\b", re.MULTILINE)
#: Event fields an outside contributor controls (GitHub Security Lab's list of untrusted input).
_UNTRUSTED = re.compile(
    r"github\.head_ref|github\.event\.(?:"
    r"issue\.(?:title|body)|pull_request\.(?:title|body|head\.ref|head\.label|"
    r"head\.repo\.default_branch)|comment\.body|review\.body|review_comment\.body|"
    r"discussion\.(?:title|body)|pages\b[^ ]*?\.page_name|"
    r"(?:commits\b[^ ]*?|head_commit)\.(?:message|author\.(?:email|name))|"
    r"workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:email|name))|"
    r"pull_requests\b[^ ]*?\.head\.ref))"
)
_SHA = re.compile(r"^[0-9a-f]{40}$")


def triggers(doc: dict[Any, Any]) -> set[str]:
    """Event names from ``on:`` (YAML 1.1 reads a bare ``on`` key as True)."""
    on = doc.get("on", doc.get(True))
    if on is None:
        return set()
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(e) for e in on}
    if isinstance(on, dict):
        return {str(e) for e in on}
    raise AnalysisError("`on` is neither an event, a list nor a mapping")


Perms = dict[str, int] | None  # None: not set, the repository's default token applies


def perms(value: Any) -> Perms:
    if value is _ABSENT:
        return None
    if value in ("write-all", "read-all"):
        return {_ALL: 2 if value == "write-all" else 1}
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        raise AnalysisError(f"unknown permissions value {value!r}")
    return {str(k): _LEVEL.get(str(v), 2) for k, v in value.items()}


_ABSENT = object()


def _level(p: dict[str, int], scope: str) -> int:
    return p.get(scope, p.get(_ALL, 0))


def widened(old: Perms, new: Perms) -> list[str]:
    """Scopes whose token access grew; unset permissions mean a possibly writable default."""
    if new is None:
        return (
            []
            if old is None
            else ["all scopes (permissions not set: the repository default token applies)"]
        )
    scopes = sorted(set(SCOPES) | new.keys() - {_ALL})
    if old is None:
        return [s for s in scopes if _level(new, s) == 2]
    return [s for s in scopes if _level(new, s) > _level(old, s)]


def _jobs(doc: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    jobs = doc.get("jobs") or {}
    if not isinstance(jobs, dict):
        raise AnalysisError("`jobs` is not a mapping")
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}


def _steps(doc: dict[Any, Any]) -> list[dict[str, Any]]:
    steps: list[Any] = []
    for job in _jobs(doc).values():
        steps += job.get("steps") or []
    runs = doc.get("runs")
    if isinstance(runs, dict):
        steps += runs.get("steps") or []
    return [s for s in steps if isinstance(s, dict)]


def _uses(doc: dict[Any, Any]) -> list[str]:
    refs = [str(j["uses"]) for j in _jobs(doc).values() if "uses" in j]
    return refs + [str(s["uses"]) for s in _steps(doc) if "uses" in s]


def _scripts(doc: dict[Any, Any]) -> list[str]:
    out = []
    for step in _steps(doc):
        if isinstance(step.get("run"), str):
            out.append(step["run"])
        with_ = step.get("with")
        if str(step.get("uses", "")).startswith("actions/github-script") and isinstance(
            with_, dict
        ):
            out.append(str(with_.get("script", "")))
    return out


def _secrets(text: str) -> set[str]:
    names = set()
    for expr in _EXPR.finditer(text):
        names |= {a or b for a, b in _SECRET.findall(expr.group(1))}
    if _INHERIT.search(text):
        names.add("inherit (all secrets)")
    return names


def pinned(ref: str) -> bool:
    if ref.startswith("./"):
        return True
    if ref.startswith("docker://"):
        return "@sha256:" in ref
    return bool(_SHA.match(ref.rpartition("@")[2]))


def _environment(job: dict[str, Any]) -> str | None:
    env = job.get("environment")
    if isinstance(env, dict):
        env = env.get("name")
    return None if env is None else str(env)


class GitHubActionsAnalyzer(Analyzer):
    ident = "github-actions"
    desc = "GitHub Actions workflows and composite actions"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        base, doc = self._load(old_text, "old"), self._load(new_text, "new")
        if new_text is None:
            return []
        text = new_text
        facts: list[Fact] = []

        for event in sorted(triggers(doc) - triggers(base)):
            at = line_of(text, event)
            facts.append(
                self.fact(
                    "workflow-trigger-added",
                    path,
                    f"trigger `{event}` added",
                    line=at,
                    trigger=event,
                )
            )
            if event in DANGEROUS_TRIGGERS:
                text_ = f"dangerous trigger `{event}` added: runs with secrets on untrusted input"
                facts.append(
                    self.fact("dangerous-trigger-added", path, text_, line=at, trigger=event)
                )

        old_jobs, new_jobs = _jobs(base), _jobs(doc)
        old_top = perms(base.get("permissions", _ABSENT)) if old_text is not None else {}
        new_top = perms(doc.get("permissions", _ABSENT))
        scopes: list[tuple[str, Perms, Perms]] = [("workflow", old_top, new_top)]
        for job_id, job in new_jobs.items():
            before = old_jobs.get(job_id, {})
            if "permissions" in job or "permissions" in before:
                old_eff = (
                    perms(before.get("permissions", _ABSENT))
                    if "permissions" in before
                    else old_top
                )
                scopes.append((f"job `{job_id}`", old_eff, perms(job.get("permissions", _ABSENT))))
        for label, old_p, new_p in scopes:
            wider = widened(old_p, new_p)
            at = line_of(text, "permissions")
            if wider:
                text_ = f"{label} token permissions widened: {', '.join(wider)}"
                facts.append(
                    self.fact(
                        "permissions-widened",
                        path,
                        text_,
                        line=at,
                        scope=label,
                        scopes=",".join(wider),
                    )
                )
            had_id = old_p is not None and _level(old_p, "id-token") == 2
            if new_p is not None and _level(new_p, "id-token") == 2 and not had_id:
                text_ = f"{label} can mint OIDC tokens (id-token: write)"
                facts.append(
                    self.fact(
                        "id-token-write-added",
                        path,
                        text_,
                        line=line_of(text, "id-token") or at,
                        scope=label,
                    )
                )

        for name in sorted(_secrets(text) - _secrets(old_text or "")):
            at = line_of(text, f"secrets.{name}") or line_of(text, "secrets")
            facts.append(
                self.fact(
                    "secret-referenced",
                    path,
                    f"secret `{name}` newly referenced",
                    line=at,
                    secret=name,
                )
            )

        old_uses = set(_uses(base))
        old_by_action = {u.rpartition("@")[0]: u for u in old_uses}
        for ref in sorted(set(_uses(doc)) - old_uses):
            at = line_of(text, ref)
            action, _, version = ref.rpartition("@")
            if not pinned(ref):
                text_ = f"`{ref}` is not pinned to a full commit SHA"
                facts.append(self.fact("action-unpinned", path, text_, line=at, uses=ref))
            if action in old_by_action:
                text_ = f"`{action}` pin changed: `{old_by_action[action]}` → `{ref}`"
                facts.append(
                    self.fact(
                        "action-pin-changed",
                        path,
                        text_,
                        line=at,
                        uses=ref,
                        old=old_by_action[action].rpartition("@")[2],
                        new=version,
                    )
                )

        for job_id, job in old_jobs.items():
            env = _environment(job)
            if env is None or job_id not in new_jobs:
                continue
            now = _environment(new_jobs[job_id])
            if now != env:
                what = "removed" if now is None else f"changed to `{now}`"
                text_ = f"job `{job_id}` environment `{env}` {what}"
                facts.append(
                    self.fact(
                        "environment-removed",
                        path,
                        text_,
                        line=line_of(text, f"{job_id}:"),
                        job=job_id,
                        environment=env,
                    )
                )

        old_scripts = set(_scripts(base))
        for script in _scripts(doc):
            if script not in old_scripts and (piped := PIPE_TO_SHELL.search(script)):
                text_ = f"remote script piped to a shell: `{short(piped.group(0))}`"
                facts.append(
                    self.fact(
                        "remote-script-piped-to-shell",
                        path,
                        text_,
                        line=line_of(text, piped.group(0)),
                    )
                )

        old_exprs = {m.group(0) for s in _scripts(base) for m in _EXPR.finditer(s)}
        for script in _scripts(doc):
            for m in _EXPR.finditer(script):
                expr = m.group(0)
                if expr in old_exprs or not _UNTRUSTED.search(expr):
                    continue
                old_exprs.add(expr)
                text_ = f"untrusted input `{short(expr)}` expanded into a script"
                facts.append(
                    self.fact(
                        "untrusted-input-in-run",
                        path,
                        text_,
                        line=line_of(text, expr),
                        expression=short(expr, 200),
                    )
                )
        return facts

    @staticmethod
    def _load(text: str | None, side: str) -> dict[Any, Any]:
        if text is None:
            return {}
        doc = load_yaml(text, side)
        if doc is None:
            return {}
        if not isinstance(doc, dict):
            raise AnalysisError("workflow is not a mapping", side=side)
        return doc


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (GitHubActionsAnalyzer,)
