"""Text for people. Every path and every piece of commit text is escaped before it is shown.

The summary comes first (and again last, where a terminal leaves it in view). Long lists are
folded: every file that is denied or needs approval is always listed, but allowed files,
commits and findings beyond `FOLD` rows are counted, not printed, unless `full` (`--all`);
the JSON report always holds everything. Colour is ANSI codes around cells already padded, so
a terminal gets the report as fast as a pipe (no layout engine in between).
"""

from __future__ import annotations

from dataclasses import dataclass

from signoff.attribution.attribute import Profile
from signoff.decision import ApprovalReport, Decision, FileDecision, IgnoredRecord, Verdict
from signoff.output.escape import display

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


Cell = tuple[str, str]  # (text, style)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    style: str = ""


@dataclass(frozen=True, slots=True)
class _Table:
    title: str
    columns: tuple[str, ...]
    rows: list[list[Cell]]
    folded: str = ""  # what was left out, said after the table


#: Rows shown of a long list (commits, allowed files, findings) without `--all`.
FOLD = 20
_ANSI = {"green": "32", "yellow": "33", "bold": "1", "bold red": "1;31", "bold magenta": "1;35"}


_Block = _Line | _Table


def render_text(decision: Decision, *, color: bool = False, full: bool = False) -> str:
    """The report for people: aligned text, with ANSI colour when `color`; long lists folded
    unless `full`."""
    return _plain(_blocks(decision, full), color)


def _fold(total: int, shown: int, what: str) -> str:
    left = total - shown
    return f"  ... and {left:,} more {what} (--all shows them; --format json has them all)"


def _blocks(d: Decision, full: bool = False) -> list[_Block]:
    out: list[_Block] = []
    head = f"signoff: {_WORD[d.verdict]}  {d.base[:12]}..{d.head[:12]}"
    if d.base_ref:
        head += f" ({d.base_ref}..{d.head_ref})"
    target = f" into {d.target_branch}" if d.target_branch else ""
    out.append(_Line(head + target, _STYLE[d.verdict]))
    out.append(_Line(summary(d), _STYLE[d.verdict]))
    protected = "protected base ref" if d.policy_protected else "NOT the protected policy"
    policy = f"policy: {d.policy_source} ({protected}), sha256:{d.digests['policy'][:16]}"
    out.append(_Line(policy))
    for w in d.warnings:
        out.append(_Line(f"warning: {w}", "yellow"))
    commits = d.commits if full else d.commits[:FOLD]
    commit_rows: list[list[Cell]] = []
    described: dict[Profile, tuple[str, str]] = {}  # commits attributed alike share a profile
    for a in commits:
        key = a.profile
        who = described.get(key)
        if who is None:
            ids = ", ".join(x.id for x in a.actors) or (a.human or "-")
            ev = ", ".join(dict.fromkeys(f"{e.type} {e.source}" for e in a.evidence)) or "none"
            who = described[key] = (ids, ev)
        ids, ev = who
        subject = display(d.commit_subjects.get(a.sha, ""))[:50]
        commit_rows.append(
            [(a.sha[:12], ""), (a.kind.value, ""), (ids, ""), (ev, ""), (subject, "")]
        )
    columns = ("commit", "attribution", "identity", "evidence", "subject")
    more = "" if len(commits) == len(d.commits) else _fold(len(d.commits), len(commits), "commits")
    out.append(_Table("Commits", columns, commit_rows, more))
    files = list(d.files)
    if not full:  # every file that is not simply allowed stays; allowed ones fold
        allowed = [f for f in d.files if f.verdict is Verdict.ALLOW]
        keep = {id(f) for f in allowed[:FOLD]}
        files = [f for f in d.files if f.verdict is not Verdict.ALLOW or id(f) in keep]
    file_rows = [
        [
            (_path(f), ""),
            (f.file_class.value, ""),
            (str(f.risk), ""),
            (f.verdict.value, _STYLE[f.verdict]),
            (file_reason(f), ""),
        ]
        for f in files
    ]
    more = "" if len(files) == len(d.files) else _fold(len(d.files), len(files), "allowed files")
    columns = ("path", "class", "risk", "decision", "needs / why")
    out.append(_Table("Files", columns, file_rows, more))
    notes = [(f, x.message) for f in d.files for x in f.facts]
    notes += [(f, a) for f in d.files for a in f.adjustments]
    if notes:
        out.append(_Line("Findings", "bold"))
        for f, msg in notes if full else notes[: FOLD * 2]:
            text = f"  {display(msg)}" if msg.startswith(f.path) else f"  {display(f.path)}: {msg}"
            out.append(_Line(text))
        if not full and len(notes) > FOLD * 2:
            out.append(_Line(_fold(len(notes), FOLD * 2, "findings")))
    if d.approvals is not None:
        for line in approval_lines(d.approvals):
            out.append(_Line(line, "bold" if line == "Approvals" else ""))
    out.append(_Line(summary(d), _STYLE[d.verdict]))
    return out


def _paint(text: str, style: str, color: bool) -> str:
    code = _ANSI.get(style) if color else None
    return f"\x1b[{code}m{text}\x1b[0m" if code else text


def _plain(blocks: list[_Block], color: bool = False) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, _Line):
            lines.append(_paint(block.text, block.style, color))
            continue
        cells = [list(block.columns)] + [[text for text, _ in row] for row in block.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(block.columns))]
        lines.append(_paint(block.title, "bold", color))
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)).rstrip())
        styled = color and any(style for row in block.rows for _, style in row)
        for row in block.rows:
            if styled:
                padded = [
                    _paint(t.ljust(w), st, color) for (t, st), w in zip(row, widths, strict=True)
                ]
            else:
                padded = [t.ljust(w) for (t, _), w in zip(row, widths, strict=True)]
            lines.append("  ".join(padded).rstrip())
        if block.folded:
            lines.append(block.folded)
    return "\n".join(lines) + "\n"


def _path(f: FileDecision) -> str:
    shown = display(f.path)
    if f.old_path is not None:
        shown = f"{display(f.old_path)} -> {shown}"
    return shown


def file_reason(f: FileDecision) -> str:
    """Why one file got its verdict, in one line."""
    if f.verdict is Verdict.DENY:
        return "; ".join(dict.fromkeys(h.reason for h in f.hits if h.effect == "deny"))
    if f.verdict is Verdict.NEEDS_APPROVAL:
        return " + ".join(f"{r.approvals} from {r.group}" for r in f.requirements)
    if f.verdict is Verdict.OVERRIDDEN:
        return "; ".join(h.reason for h in f.hits if h.effect == "override")
    return "; ".join(h.reason for h in f.hits if h.effect == "allow")


def summary(d: Decision) -> str:
    """The decision in one line, as the text report ends (the hook refuses with it too)."""
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
            via = dict(s.sources)
            # how each word arrived when it is not a signed record: "server", "forge-review"
            who = [
                a + (f" (via {via[a]})" if via.get(a, "ref") != "ref" else "") for a in s.approvers
            ]
            lines.append(f"    approved by: {', '.join(who)}")
        if s.vetoers:
            lines.append(f"    VETOED by: {', '.join(s.vetoers)}")
        named = [p for p in s.requesters if p not in s.task_requesters]
        if named:
            lines.append(f"    requested by: {', '.join(named)} (never the only approver)")
        if s.task_requesters:
            lines.append(f"    task requested by: {', '.join(s.task_requesters)} (never approves)")
        for i in s.ignored:
            lines.append(
                f"    ignored {_rid(i.record_id)} ({i.decision} by {i.approver}{_via(i)}): "
                f"{i.reason}"
            )
    for o in r.overrides:
        lines.append(
            f"  {o.file_class} sha256:{o.digest[:16]}  OVERRIDDEN (not approved) by {o.by}: "
            f"{o.reason}"
        )
    listed = {i.record_id for s in r.statuses for i in s.ignored}
    for i in r.ignored:
        if i.record_id not in listed:
            lines.append(
                f"  ignored {_rid(i.record_id)} ({i.decision} by {i.approver}{_via(i)}): {i.reason}"
            )
    where = " and ".join(x for x in (r.ref, r.server) if x)
    if not r.statuses and not r.overrides and not r.ignored:
        lines.append(f"  no approval records on {where}")
    lines.append(f"  records considered: {r.records} (from {where})")
    return lines


def _rid(record_id: str) -> str:
    """Signed records by id prefix; server approvals and forge reviews by their whole id (it is
    short: `server:12`, `github-review:345`)."""
    return record_id if ":" in record_id else record_id[:12]


def _via(i: IgnoredRecord) -> str:
    return "" if i.source == "ref" else f", via {i.source}"
