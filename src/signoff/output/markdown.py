"""Markdown for a pull-request comment (GitHub-flavoured).

The comment ends with `MARKER`, a hidden HTML comment, so a bot can find and update its own
comment instead of adding one per push (the GitHub Action imports it from here).

Escaping is by context. Text cells escape Markdown and HTML. Code spans are *not* escaped
inside (a backslash there is shown as a backslash): a path or a message's `quoted` part goes in
a fence one backtick longer than any run of backticks it contains, and only `|` is escaped,
which GitHub's tables read before the code span. Paths have already been made visible by
`display` (no newline, bidi control or zero-width character survives it).
"""

from __future__ import annotations

import re

from signoff.decision import ApprovalReport, Decision, Verdict
from signoff.output.escape import display

#: First line of every comment: finds (and replaces) signoff's own comment on a pull request.
MARKER = "<!-- signoff:check-report -->"

_ICON = {
    Verdict.ALLOW: "✅",
    Verdict.OVERRIDDEN: "🚨",
    Verdict.NEEDS_APPROVAL: "🟡",
    Verdict.DENY: "⛔",
}
_TICKS = re.compile(r"`+")
_SPAN = re.compile(r"`([^`\n]+)`")


def _text(text: str) -> str:
    """Plain text for a table cell: nothing in it becomes markup."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    out = out.replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")
    return out.replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def code(text: str) -> str:
    """`text` as one code span that shows it exactly, safe inside a table cell."""
    text = display(text).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _rich(text: str) -> str:
    """A message whose `quoted` parts are code: those become code spans, the rest text."""
    out, at = [], 0
    for m in _SPAN.finditer(text):
        out += [_text(text[at : m.start()]), code(m.group(1))]
        at = m.end()
    out.append(_text(text[at:]))
    return "".join(out)


def render_markdown(d: Decision) -> str:
    target = f" into {code(d.target_branch)}" if d.target_branch else ""
    refs = f" ({code(f'{d.base_ref}..{d.head_ref}')})" if d.base_ref else ""
    dry = "" if d.policy_protected else " **DRY RUN: not the protected policy.**"
    lines = [
        f"## {_ICON[d.verdict]} signoff: `{d.verdict.value}`",
        "",
        f"Range `{d.base[:12]}..{d.head[:12]}`{refs}{target}. Policy {code(d.policy_source)} "
        f"(sha256 `{d.digests['policy'][:16]}`).{dry}",
        "",
    ]
    for w in d.warnings:
        lines.append(f"> ⚠️ {_rich(w)}")
    if d.warnings:
        lines.append("")
    lines += _how_to_approve(d)
    lines += ["| File | Class | Risk | Decision | Why |", "| --- | --- | --- | --- | --- |"]
    for f in d.files:
        path = code(f.path) if f.old_path is None else f"{code(f.old_path)} → {code(f.path)}"
        why = [h.reason for h in f.hits if h.effect != "allow" or f.verdict is Verdict.ALLOW]
        why += [x.message for x in f.facts] + list(f.adjustments)
        lines.append(
            f"| {path} | {f.file_class.value} | {f.risk} | {_ICON[f.verdict]} {f.verdict.value} "
            f"| {'; '.join(_rich(w) for w in dict.fromkeys(why))} |"
        )
    if d.approvals is not None:
        lines += _approvals(d.approvals)
    lines += [
        "",
        "<details><summary>Commits</summary>",
        "",
        "| Commit | Attribution | Identity | Evidence |",
        "| --- | --- | --- | --- |",
    ]
    for a in d.commits:
        ids = ", ".join(x.id for x in a.actors) or (a.human or "—")
        ev = "; ".join(f"{e.type} {e.source}" for e in a.evidence) or "none"
        lines.append(f"| `{a.sha[:12]}` | {a.kind.value} | {_text(ids)} | {_text(ev)} |")
    lines += ["", "</details>", "", MARKER, ""]
    return "\n".join(lines)


def _how_to_approve(d: Decision) -> list[str]:
    """One line telling a reviewer how to act, when something waits for approval."""
    if not any(f.verdict is Verdict.NEEDS_APPROVAL for f in d.files):
        return []
    cmd = f"signoff approve --base {d.base[:12]} --head {d.head[:12]}"
    line = (
        f"**How to approve:** review the diff of the files below, then run `{cmd}` and "
        "`git push origin refs/signoff/approvals`"
    )
    server = d.approvals.server if d.approvals is not None else ""
    if server:
        line += f", or approve in the console: {server.rstrip('/')}/ui/inbox"
    return [line + ". An approval binds to this exact content; a new push needs a new one.", ""]


def _approvals(r: ApprovalReport) -> list[str]:
    lines = [
        "",
        "### Approvals",
        "",
        "| Class | Digest | Group | Have / needed | Approved by | Vetoed by | Ignored |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in r.statuses:
        ignored = "; ".join(
            f"{code(_rid(i.record_id))} {_text(i.approver)}: {_rich(i.reason)}" for i in s.ignored
        )
        via = dict(s.sources)
        approvers = [
            a + (f" ({via[a]})" if via.get(a, "ref") != "ref" else "") for a in s.approvers
        ]
        lines.append(
            f"| {s.file_class} | `{s.digest[:16]}` | {_text(s.group)} | {s.have} / {s.needed} "
            f"({s.state}) | {_text(', '.join(approvers)) or '—'} | "
            f"{_text(', '.join(s.vetoers)) or '—'} | {ignored or '—'} |"
        )
    for o in r.overrides:
        lines.append(
            f"| {o.file_class} | `{o.digest[:16]}` | break-glass | 🚨 **OVERRIDDEN, not "
            f"approved** | — | — | by {_text(o.by)}: {_rich(o.reason)} |"
        )
    listed = {i.record_id for s in r.statuses for i in s.ignored}
    extra = [i for i in r.ignored if i.record_id not in listed]
    if extra:
        lines.append("")
        lines += [
            f"- ignored {code(_rid(i.record_id))} ({_text(i.approver)}"
            + (f", {i.source}" if i.source != "ref" else "")
            + f"): {_rich(i.reason)}"
            for i in extra
        ]
    return lines


def _rid(record_id: str) -> str:
    """Signed records by id prefix; `server:12` and `github-review:345` whole."""
    return record_id if ":" in record_id else record_id[:12]
