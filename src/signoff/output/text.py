"""Text for people, rendered with rich. Every path and every piece of commit text is escaped."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from signoff.decision import ApprovalReport, Decision, FileDecision, Verdict
from signoff.paths import display

_STYLE = {
    Verdict.ALLOW: "green",
    Verdict.OVERRIDDEN: "bold magenta",
    Verdict.NEEDS_APPROVAL: "yellow",
    Verdict.DENY: "bold red",
}
_WORD = {
    Verdict.ALLOW: "ALLOWED",
    Verdict.OVERRIDDEN: "OVERRIDDEN (not approved)",
    Verdict.NEEDS_APPROVAL: "NEEDS APPROVAL",
    Verdict.DENY: "DENIED",
}


def render_text(decision: Decision, *, color: bool = False, width: int = 120) -> str:
    buf = io.StringIO()
    con = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        soft_wrap=False,
    )
    d = decision
    con.print(
        Text.assemble(
            ("signoff: ", "bold"),
            (_WORD[d.verdict], _STYLE[d.verdict]),
            f"  {d.base[:12]}..{d.head[:12]}",
            f" into {d.target_branch}" if d.target_branch else "",
        )
    )
    protected = "protected base ref" if d.policy_protected else "NOT the protected policy"
    con.print(Text(f"policy: {d.policy_source} ({protected}), sha256:{d.digests['policy'][:16]}"))
    for w in d.warnings:
        con.print(Text(f"warning: {w}", style="yellow"))

    commits = Table(title="Commits", title_justify="left", box=None, pad_edge=False)
    for col in ("commit", "attribution", "identity", "evidence", "subject"):
        commits.add_column(col, overflow="fold")
    for a in d.commits:
        ids = ", ".join(x.id for x in a.actors) or (a.human or "-")
        ev = ", ".join(dict.fromkeys(f"{e.type} {e.source}" for e in a.evidence)) or "none"
        subject = d.commit_subjects.get(a.sha, "")
        commits.add_row(a.sha[:12], a.kind.value, Text(ids), Text(ev), Text(display(subject)[:50]))
    con.print(commits)

    files = Table(title="Files", title_justify="left", box=None, pad_edge=False)
    for col in ("path", "class", "risk", "decision", "needs / why"):
        files.add_column(col, overflow="fold")
    for f in d.files:
        files.add_row(
            _path(f),
            f.file_class.value,
            str(f.risk),
            Text(f.verdict.value, style=_STYLE[f.verdict]),
            Text(_why(f)),
        )
    con.print(files)

    notes = [(f, x.message) for f in d.files for x in f.facts]
    notes += [(f, a) for f in d.files for a in f.adjustments]
    if notes:
        con.print(Text("Findings", style="bold"))
        for f, msg in notes:
            con.print(
                Text(
                    f"  {display(f.path)}: {msg}"
                    if not msg.startswith(f.path)
                    else f"  {display(msg)}"
                )
            )
    if d.approvals is not None:
        for line in approval_lines(d.approvals):
            con.print(Text(line, style="bold" if line == "Approvals" else ""))
    con.print(Text(_summary(d), style=_STYLE[d.verdict]))
    return buf.getvalue()


def _path(f: FileDecision) -> Text:
    shown = display(f.path)
    if f.old_path is not None:
        shown = f"{display(f.old_path)} -> {shown}"
    return Text(shown)


def _why(f: FileDecision) -> str:
    if f.verdict is Verdict.DENY:
        return "; ".join(dict.fromkeys(h.reason for h in f.hits if h.effect == "deny"))
    if f.verdict is Verdict.NEEDS_APPROVAL:
        return " + ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
    if f.verdict is Verdict.OVERRIDDEN:
        return "; ".join(h.reason for h in f.hits if h.effect == "override")
    return "; ".join(h.reason for h in f.hits if h.effect == "allow")


def _summary(d: Decision) -> str:
    denied = [f for f in d.files if f.verdict is Verdict.DENY]
    waiting = [f for f in d.files if f.verdict is Verdict.NEEDS_APPROVAL]
    overridden = [f for f in d.files if f.verdict is Verdict.OVERRIDDEN]
    approved = [f for f in d.files if any(h.rule == "approval" for h in f.hits)]
    ov = (
        f"{len(overridden)} file(s) OVERRIDDEN by break-glass, not approved; " if overridden else ""
    )
    if not denied and not waiting:
        if overridden or approved:
            return f"{ov}{len(approved)} file(s) approved; may land"
        return f"allowed: {len(d.files)} file(s), nothing needs approval"
    parts = [ov.removesuffix("; ")] if ov else []
    if denied:
        parts.append(
            f"{len(denied)} file(s) denied (must be redone by a human or the policy "
            "changed on the base branch)"
        )
    if waiting:
        needed: dict[str, int] = {}
        for f in waiting:
            for r in f.requirements:
                needed[r.group] = max(needed.get(r.group, 0), r.approvals)
        asks = ", ".join(f"{n} from {g}" for g, n in sorted(needed.items()))
        parts.append(f"{len(waiting)} file(s) need approval: {asks}")
    return "; ".join(parts)


def approval_lines(r: ApprovalReport) -> list[str]:
    """Per requirement: digest, group, have/needed, who approved or vetoed, what was ignored."""
    lines = ["Approvals"]
    for s in r.statuses:
        lines.append(
            f"  {s.file_class} sha256:{s.digest[:16]}  {s.group}: {s.have}/{s.needed} "
            + {"vetoed": "VETOED", "approved": "approved"}.get(s.state, f"{s.missing} missing")
        )
        if s.approvers:
            lines.append(f"    approved by: {', '.join(s.approvers)}")
        if s.vetoers:
            lines.append(f"    VETOED by: {', '.join(s.vetoers)}")
        if s.requesters:
            lines.append(f"    requested by: {', '.join(s.requesters)} (never the only approver)")
        for i in s.ignored:
            lines.append(
                f"    ignored {i.record_id[:12]} ({i.decision} by {i.approver}): {i.reason}"
            )
    for o in r.overrides:
        lines.append(
            f"  {o.file_class} sha256:{o.digest[:16]}  OVERRIDDEN (not approved) by {o.by}: "
            f"{o.reason}"
        )
    listed = {i.record_id for s in r.statuses for i in s.ignored}
    for i in r.ignored:
        if i.record_id not in listed:
            lines.append(f"  ignored {i.record_id[:12]} ({i.decision} by {i.approver}): {i.reason}")
    if not r.statuses and not r.overrides and not r.ignored:
        lines.append(f"  no approval records on {r.ref}")
    lines.append(f"  records considered: {r.records} (from {r.ref})")
    return lines
