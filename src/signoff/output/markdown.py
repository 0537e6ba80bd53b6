"""Markdown for a pull-request comment. Paths and messages are escaped for Markdown tables."""

from __future__ import annotations

from signoff.decision import ApprovalReport, Decision, Verdict
from signoff.output.escape import display

_ICON = {
    Verdict.ALLOW: "✅",
    Verdict.OVERRIDDEN: "🚨",
    Verdict.NEEDS_APPROVAL: "🟡",
    Verdict.DENY: "⛔",
}


def _cell(text: str) -> str:
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return out.replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def render_markdown(d: Decision) -> str:
    lines = [
        f"## {_ICON[d.verdict]} signoff: `{d.verdict.value}`",
        "",
        f"Range `{d.base[:12]}..{d.head[:12]}`"
        + (f" (`{_cell(d.base_ref)}..{_cell(d.head_ref)}`)" if d.base_ref else "")
        + (f" into `{_cell(d.target_branch)}`" if d.target_branch else "")
        + f". Policy `{_cell(d.policy_source)}` (sha256 `{d.digests['policy'][:16]}`)"
        + ("" if d.policy_protected else " **(dry run: not the protected policy)**")
        + ".",
        "",
    ]
    for w in d.warnings:
        lines.append(f"> ⚠️ {_cell(w)}")
    if d.warnings:
        lines.append("")
    lines += ["| File | Class | Risk | Decision | Why |", "| --- | --- | --- | --- | --- |"]
    for f in d.files:
        path = (
            display(f.path) if f.old_path is None else f"{display(f.old_path)} → {display(f.path)}"
        )
        why = [h.reason for h in f.hits if h.effect != "allow" or f.verdict is Verdict.ALLOW]
        why += [x.message for x in f.facts] + list(f.adjustments)
        lines.append(
            f"| `{_cell(path)}` | {f.file_class.value} | {f.risk} | "
            f"{_ICON[f.verdict]} {f.verdict.value} | {_cell('; '.join(dict.fromkeys(why)))} |"
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
        lines.append(f"| `{a.sha[:12]}` | {a.kind.value} | {_cell(ids)} | {_cell(ev)} |")
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _approvals(r: ApprovalReport) -> list[str]:
    lines = [
        "",
        "### Approvals",
        "",
        "| Class | Digest | Group | Have / needed | Approved by | Vetoed by | Ignored |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in r.statuses:
        ignored = "; ".join(f"`{_rid(i.record_id)}` {i.approver}: {i.reason}" for i in s.ignored)
        via = dict(s.sources)
        approvers = [
            a + (f" ({via[a]})" if via.get(a, "ref") != "ref" else "") for a in s.approvers
        ]
        lines.append(
            f"| {s.file_class} | `{s.digest[:16]}` | {_cell(s.group)} | {s.have} / {s.needed} "
            f"({s.state}) | {_cell(', '.join(approvers)) or '—'} | "
            f"{_cell(', '.join(s.vetoers)) or '—'} | {_cell(ignored) or '—'} |"
        )
    for o in r.overrides:
        lines.append(
            f"| {o.file_class} | `{o.digest[:16]}` | break-glass | 🚨 **OVERRIDDEN, not "
            f"approved** | — | — | by {_cell(o.by)}: {_cell(o.reason)} |"
        )
    listed = {i.record_id for s in r.statuses for i in s.ignored}
    extra = [i for i in r.ignored if i.record_id not in listed]
    if extra:
        lines.append("")
        lines += [
            f"- ignored `{_rid(i.record_id)}` ({_cell(i.approver)}"
            + (f", {i.source}" if i.source != "ref" else "")
            + f"): {_cell(i.reason)}"
            for i in extra
        ]
    return lines


def _rid(record_id: str) -> str:
    """Signed records by id prefix; `server:12` and `github-review:345` whole."""
    return record_id if ":" in record_id else record_id[:12]
