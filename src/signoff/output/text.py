"""Text for people, rendered with rich. Every path and every piece of commit text is escaped."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from signoff.decision import Decision, FileDecision, Verdict
from signoff.paths import display

_STYLE = {Verdict.ALLOW: "green", Verdict.NEEDS_APPROVAL: "yellow", Verdict.DENY: "bold red"}
_WORD = {Verdict.ALLOW: "ALLOWED", Verdict.NEEDS_APPROVAL: "NEEDS APPROVAL", Verdict.DENY: "DENIED"}


def render_text(decision: Decision, *, color: bool = False, width: int = 110) -> str:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, no_color=not color, width=width,
                  highlight=False, soft_wrap=False)
    d = decision
    con.print(Text.assemble(("signoff: ", "bold"), (_WORD[d.verdict], _STYLE[d.verdict]),
                            f"  {d.base[:12]}..{d.head[:12]}",
                            f" -> {d.target_branch}" if d.target_branch else ""))
    protected = "protected base ref" if d.policy_protected else "NOT the protected policy"
    con.print(Text(f"policy: {d.policy_source} ({protected}), sha256:{d.digests['policy'][:16]}"))
    for w in d.warnings:
        con.print(Text(f"warning: {w}", style="yellow"))

    commits = Table(title="Commits", title_justify="left", show_edge=False, pad_edge=False)
    for col in ("commit", "attribution", "identity", "evidence"):
        commits.add_column(col, overflow="fold")
    for a in d.commits:
        ids = ", ".join(x.id for x in a.actors) or (a.human or "-")
        ev = "; ".join(f"{e.type}:{e.source}" for e in a.evidence) or "none"
        commits.add_row(a.sha[:12], a.kind.value, Text(ids), Text(ev))
    con.print(commits)

    files = Table(title="Files", title_justify="left", show_edge=False, pad_edge=False)
    for col in ("path", "class", "risk", "decision", "why"):
        files.add_column(col, overflow="fold")
    for f in d.files:
        files.add_row(_path(f), f.file_class.value, str(f.risk),
                      Text(f.verdict.value, style=_STYLE[f.verdict]), Text(_why(f)))
    con.print(files)
    if d.verdict is Verdict.NEEDS_APPROVAL:
        needed: dict[str, int] = {}
        for f in d.files:
            for r in f.requirements:
                needed[r.group] = max(needed.get(r.group, 0), r.approvals)
        asks = ", ".join(f"{n} from {g}" for g, n in sorted(needed.items()))
        con.print(Text(f"approval needed: {asks}", style="yellow"))
    return buf.getvalue()


def _path(f: FileDecision) -> Text:
    shown = display(f.path)
    if f.old_path is not None:
        shown = f"{display(f.old_path)} -> {shown}"
    return Text(shown)


def _why(f: FileDecision) -> str:
    parts = [h.reason for h in f.hits if h.effect != "allow" or f.verdict is Verdict.ALLOW]
    parts += [f"{x.message}" for x in f.facts]
    parts += list(f.adjustments)
    return "\n".join(dict.fromkeys(parts))
