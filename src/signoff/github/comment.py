"""The one sticky pull-request comment: the Markdown report, then what is needed and how to give
it. Pure. Found again by its hidden marker, and only among the comments of the identity that
posts it, so nobody else's comment carrying the marker is ever edited.
"""

from __future__ import annotations

from signoff.decision import ApprovalStatus, Decision, Verdict
from signoff.output.markdown import render_markdown
from signoff.policy.model import Policy

MARKER = "<!-- signoff:pull-request-comment -->"
#: GitHub refuses comments over 65,536 characters.
MAX_BODY = 65_000


def comment_body(d: Decision, policy: Policy, *, reviews: bool, console: str | None = None) -> str:
    report = render_markdown(d)
    how = how_to_approve(d, policy, reviews=reviews, console=console)
    room = MAX_BODY - len(MARKER) - len(how) - 200
    if len(report) > room:
        report = report[:room] + "\n\n… (report cut here: the full report is in the job summary)"
    return f"{MARKER}\n{report}\n{how}"


def _people(s: ApprovalStatus, policy: Policy) -> str:
    by_person = {p: login for login, p in policy.github_logins.items()}
    members = policy.groups.get(s.group, ())
    shown = [
        f"{p} (GitHub `{by_person[p]}`)" if p in by_person else p
        for p in members
        if p not in s.task_requesters
    ]
    return ", ".join(shown) or "nobody (the group is empty)"


def how_to_approve(
    d: Decision, policy: Policy, *, reviews: bool, console: str | None = None
) -> str:
    """Who can approve what, and the exact ways to do it; empty when nothing is waiting."""
    waiting = [s for s in (d.approvals.statuses if d.approvals else ()) if s.state != "approved"]
    denied = [f for f in d.files if f.verdict is Verdict.DENY]
    if not waiting and not denied and not any(f.verdict is Verdict.NEEDS_APPROVAL for f in d.files):
        return ""
    lines = ["### How to approve", ""]
    for s in waiting:
        state = f"vetoed by {', '.join(s.vetoers)}" if s.vetoers else f"{s.missing} missing"
        lines.append(
            f"- **{s.file_class}** (`sha256:{s.digest[:16]}`): {s.have}/{s.needed} from "
            f"`{s.group}` ({state}); can approve: {_people(s, policy)}"
        )
    signed_only = sorted({c.value for c in policy.approvals.signed_only})
    forge = sorted({s.file_class for s in waiting} - set(signed_only))
    lines.append("")
    if reviews and forge and policy.github_logins:
        lines.append(
            f"- **On GitHub**: an *Approve* review of head `{d.head[:12]}` by a person above "
            f"with a GitHub login counts (`forge-review`) for: {', '.join(forge)}. A review "
            "of an earlier push counts only for classes whose content has not changed since."
        )
    if signed_only:
        lines.append(f"- Only signed records count for: {', '.join(signed_only)}.")
    lines.append(
        f"- **Signed record**: `signoff approve --base {d.base} --head {d.head}` then "
        "`git push origin refs/signoff/approvals`, and run this check again."
    )
    if console:
        lines.append(f"- **Console**: {console.rstrip('/')}/ui/inbox")
    if denied:
        lines.append(
            f"- {len(denied)} denied file(s) cannot be approved: a human redoes the change, the "
            "policy on the base branch changes, or a break-glass member runs "
            f"`signoff override --base {d.base} --head {d.head} --reason TEXT`."
        )
    return "\n".join(lines) + "\n"
