"""`signoff approve | veto | override` and `signoff approvals list`: signed decisions on the
exact content of a range, stored on `refs/signoff/approvals` (docs/approvals.md).

The digests come from the same gate code `signoff check` runs, with the policy from the base
ref, so what an approver signs is exactly what the gate will look for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from signoff.cli._common import repo_option
from signoff.errors import Error
from signoff.protected import APPROVALS_REF
from signoff.taxonomy import FileClass

_REF_HELP = "Ref holding the approval records."


def _range_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        repo_option,
        click.option(
            "--base",
            envvar="SIGNOFF_BASE",
            required=True,
            help="Base ref the change lands on (policy and keys are read from here).",
        ),
        click.option("--head", default="HEAD", show_default=True, help="Head ref of the change."),
        click.option(
            "--class",
            "classes",
            multiple=True,
            type=click.Choice([c.value for c in FileClass]),
            help="Class to cover (repeatable). Default: every class that needs approval.",
        ),
        click.option("--comment", default="", help="Why (kept in the signed record)."),
        click.option(
            "--key",
            type=click.Path(dir_okay=False, path_type=Path),
            help="SSH private key to sign with. Default: git config user.signingkey.",
        ),
        click.option("--principal", help="Who you are. Default: git config user.email."),
        click.option("--approvals-ref", default=APPROVALS_REF, show_default=True, help=_REF_HELP),
        click.option(
            "--even-if-ignored",
            is_flag=True,
            help="Write the record even when the gate will not count it (to exercise a gate; "
            "it still does not count). Without it such a record is refused and nothing is "
            "written.",
        ),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


@click.command()
@_range_options
def approve(**kw: Any) -> None:
    """Approve exactly the content BASE..HEAD lands (per class), signed with your SSH key."""
    _record("approve", reason="", **kw)


@click.command()
@_range_options
def veto(**kw: Any) -> None:
    """Veto the content BASE..HEAD lands: blocks it until you approve the same content."""
    _record("veto", reason="", **kw)


@click.command()
@_range_options
@click.option("--reason", required=True, help="Why the break-glass override is needed.")
def override(reason: str, **kw: Any) -> None:
    """Break-glass: let BASE..HEAD through as OVERRIDDEN (never as approved)."""
    if not reason.strip():
        raise Error("--reason must not be empty")
    _record("override", reason=reason, **kw)


def git_config(repo: Path, key: str) -> str:
    from signoff.gitio.runner import Git

    return Git(repo).run(["config", "--get", key], check=False).decode().strip()


def ssh_signing_key(repo: Path, key: Path | None) -> Path:
    if key is not None:
        return key
    value = git_config(repo, "user.signingkey")
    if not value:
        raise Error("no signing key: pass --key FILE or set git config user.signingkey")
    if value.startswith("key::") or value.startswith("ssh-"):
        raise Error("user.signingkey holds a literal key, not a file: pass --key FILE")
    return Path(os.path.expanduser(value))


def _record(
    kind: str,
    *,
    repo: Path,
    base: str,
    head: str,
    classes: tuple[str, ...],
    comment: str,
    key: Path | None,
    principal: str | None,
    approvals_ref: str,
    reason: str,
    even_if_ignored: bool,
) -> None:
    from signoff.approvals import sshsig, store
    from signoff.approvals.apply import disqualify
    from signoff.approvals.record import Kind, RecordError, make_record, record_id
    from signoff.approvals.request import bind, not_a_member
    from signoff.approvals.verify import verify_records
    from signoff.gate.check import check_range
    from signoff.gitio.refs import resolve
    from signoff.gitio.runner import Git

    store.check_ref(approvals_ref)
    who = (principal or git_config(repo, "user.email")).strip().lower()
    if not who:
        raise Error("no principal: pass --principal EMAIL or set git config user.email")
    signing_key = ssh_signing_key(repo, key)
    # A release range is named by tags; each name must still mean exactly one ref.
    found, _ = resolve(Git(repo), {"base": base, "head": head}, tags=True)
    gated = check_range(repo, found["base"].ref, found["head"].ref, approvals_ref=None)
    decision, inputs = gated.decision, gated.inputs
    binding = bind(decision, classes, where=f"{base}..{head}", naming="--class")
    git = Git(repo)
    try:
        rec = make_record(
            repository=store.repository_id(git, decision.base),
            decision=Kind(kind),
            approver=who,
            digests=binding.digests,
            policy_digest=binding.policy_digest,
            base=decision.base,
            head=decision.head,
            comment=comment,
            reason=reason,
        )
    except RecordError as exc:
        raise Error(f"cannot build the record: {exc}") from None
    data = rec.canonical()
    sig = sshsig.sign(data, signing_key)
    rid = record_id(data)

    [checked] = verify_records(
        [store.StoredRecord(rid, data, sig)], inputs.signers_text, repository=rec.repository
    )
    problem = disqualify(checked, inputs.policy, inputs.signers.agent_keys) or _outside_groups(
        kind, who, binding.classes, decision.files, inputs.policy
    )
    if problem is not None and not even_if_ignored:
        raise Error(f"the gate would not count this {kind} ({problem}); nothing was recorded")
    store.append(git, rid, {"json": data, "sig": sig}, approvals_ref)
    click.echo(f"{kind} recorded: {rid}")
    click.echo(f"  by {who} ({checked.key_type} {checked.fingerprint})")
    click.echo(f"  range {decision.base[:12]}..{decision.head[:12]}")
    for c, digest in binding.digests.items():
        click.echo(f"  {c}: sha256:{digest}")
    click.echo(f"  stored on {approvals_ref}; share it: git push origin {approvals_ref}")
    if problem is not None:
        click.echo(f"signoff: warning: the gate will not count this record: {problem}", err=True)
    if kind == "approve":
        for note in not_a_member(decision, binding, who, inputs.policy.groups):
            click.echo(f"signoff: warning: {note}: it does not count for that group", err=True)


def _outside_groups(
    kind: str, who: str, chosen: tuple[str, ...], files: Any, policy: Any
) -> str | None:
    """Why the gate would count this person's record for none of the chosen classes."""
    if kind == "override":
        group = policy.approvals.break_glass
        if group is None:
            return "the policy names no break-glass group (approvals.break_glass)"
        if who not in policy.groups.get(group, ()):
            return f"{who} is not in break-glass group {group}"
        return None
    groups = {r.group for f in files if f.file_class.value in chosen for r in f.requirements}
    if groups and not any(who in policy.groups.get(g, ()) for g in groups):
        return f"{who} is in none of the groups asked for ({', '.join(sorted(groups))})"
    return None


@click.group()
def approvals() -> None:
    """Signed approval records stored in the repository."""


@approvals.command("list")
@repo_option
@click.option(
    "--base",
    envvar="SIGNOFF_BASE",
    default="HEAD",
    show_default=True,
    help="Ref whose allowed signers, policy and registry verify the records.",
)
@click.option("--approvals-ref", default=APPROVALS_REF, show_default=True, help=_REF_HELP)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_(repo: Path, base: str, approvals_ref: str, fmt: str) -> None:
    """Every record on the ref, verified against the base ref's allowed signers."""
    import json

    from signoff.approvals import store
    from signoff.approvals.apply import disqualify
    from signoff.approvals.verify import verify_records
    from signoff.gate.inputs import read_inputs
    from signoff.gitio import history
    from signoff.gitio.runner import Git

    git = Git(repo)
    base_sha = history.resolve_commit(git, base, role="base")
    inputs = read_inputs(git, base_sha)
    stored = store.read_records(git, approvals_ref)
    repository = store.repository_id(git, base_sha) if stored else ""
    rows: list[dict[str, Any]] = []
    for c in verify_records(stored, inputs.signers_text, repository=repository):
        problem = disqualify(c, inputs.policy, inputs.signers.agent_keys)
        rec = c.record
        rows.append(
            {
                "record": c.record_id,
                "decision": rec.decision.value if rec else "?",
                "approver": c.claimed,
                "signer": c.signer,
                "key_type": c.key_type,
                "fingerprint": c.fingerprint,
                "valid": problem is None,
                "problem": problem,
                "time": rec.time if rec else "",
                "classes": list(rec.classes) if rec else [],
                "digests": dict(rec.digests) if rec else {},
                "head": rec.head if rec else "",
                "comment": rec.comment if rec else "",
                "reason": rec.reason if rec else "",
            }
        )
    rows.sort(key=lambda r: (r["time"], r["record"]))
    if fmt == "json":
        click.echo(
            json.dumps(
                {"schema": "signoff.approvals/v1", "ref": approvals_ref, "records": rows}, indent=2
            )
        )
        return
    if not rows:
        click.echo(f"no approval records on {approvals_ref}")
        return
    for r in rows:
        status = "verified" if r["valid"] else f"NOT COUNTED: {r['problem']}"
        click.echo(
            f"{r['record'][:12]}  {r['decision']:<8} {r['approver']}  {r['time']}  "
            f"head {str(r['head'])[:12]}  [{', '.join(r['classes'])}]  {status}"
        )
        if r["comment"] or r["reason"]:
            click.echo(
                f"    {'reason' if r['reason'] else 'comment'}: {r['reason'] or r['comment']}"
            )
